package syncapi_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"aman/internal/testapp"
)

func TestMain(m *testing.M) { os.Exit(testapp.Run(m)) }

// The users of every test: two volunteers, a coordinator, an editor and a
// superuser.
const (
	volunteerA  = "volunteeraaaaaa"
	volunteerB  = "volunteerbbbbbb"
	coordinator = "coordinatorcccc"
	editor      = "editoreeeeeeeee"
	superuser   = "superuser"
	anonymous   = ""
)

// env is a booted app with its router, the users and their tokens.
type env struct {
	t      testing.TB
	app    *tests.TestApp
	mux    http.Handler
	tokens map[string]string
}

func newEnv(t testing.TB) *env { return newEnvWith(t, nil) }

// newEnvWith runs setup on the app before its routes are built.
func newEnvWith(t testing.TB, setup func(core.App)) *env {
	t.Helper()
	app := testapp.New(t)
	if setup != nil {
		setup(app)
	}
	en := &env{t: t, app: app, tokens: map[string]string{}}
	for id, role := range map[string]string{
		volunteerA: "volunteer", volunteerB: "volunteer", coordinator: "coordinator", editor: "editor",
	} {
		en.tokens[id] = en.saveUser(id, role)
	}
	su := core.NewRecord(mustCollection(t, app, core.CollectionNameSuperusers))
	su.SetEmail("root@example.org")
	su.SetPassword("1234567890")
	if err := app.Save(su); err != nil {
		t.Fatalf("save superuser: %v", err)
	}
	tok, err := su.NewAuthToken()
	if err != nil {
		t.Fatal(err)
	}
	en.tokens[superuser] = tok
	en.mux = buildMux(t, app)
	return en
}

// bootFrom returns an env on the app booted again from a copy of the data
// dir dir (after a restart, or a restored backup's files), with en's users
// and tokens: they live in the database.
func (en *env) bootFrom(dir string) *env {
	en.t.Helper()
	app := testapp.NewFromDir(en.t, dir)
	return &env{t: en.t, app: app, tokens: en.tokens, mux: buildMux(en.t, app)}
}

func (en *env) saveUser(id, role string) string {
	u := core.NewRecord(mustCollection(en.t, en.app, "users"))
	u.Id = id
	u.SetEmail(id + "@example.org")
	u.SetPassword("1234567890")
	u.Set("name", id)
	u.Set("role", role)
	if err := en.app.Save(u); err != nil {
		en.t.Fatalf("save user %s: %v", id, err)
	}
	tok, err := u.NewAuthToken()
	if err != nil {
		en.t.Fatal(err)
	}
	return tok
}

func mustCollection(t testing.TB, app core.App, name string) *core.Collection {
	c, err := app.FindCollectionByNameOrId(name)
	if err != nil {
		t.Fatalf("collection %s: %v", name, err)
	}
	return c
}

func buildMux(t testing.TB, app core.App) http.Handler {
	r, err := apis.NewRouter(app)
	if err != nil {
		t.Fatal(err)
	}
	var mux http.Handler
	se := &core.ServeEvent{App: app, Router: r}
	err = app.OnServe().Trigger(se, func(e *core.ServeEvent) error {
		m, err := e.Router.BuildMux()
		mux = m
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return mux
}

// do sends a request as user and returns the status and the decoded body.
func (en *env) do(as, method, url string, body any, headers ...string) (int, map[string]any) {
	en.t.Helper()
	rec := en.raw(as, method, url, body, headers...)
	var out map[string]any
	if rec.Body.Len() > 0 {
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			en.t.Fatalf("%s %s: decode %q: %v", method, url, rec.Body.String(), err)
		}
	}
	return rec.Code, out
}

func (en *env) raw(as, method, url string, body any, headers ...string) *httptest.ResponseRecorder {
	en.t.Helper()
	rec := httptest.NewRecorder()
	en.mux.ServeHTTP(rec, en.request(as, method, url, body, headers...))
	return rec
}

// request is a request as user, with body as JSON (a string as it is).
func (en *env) request(as, method, url string, body any, headers ...string) *http.Request {
	en.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			en.t.Fatal(err)
		}
		r = bytes.NewReader(raw)
	}
	req := httptest.NewRequest(method, url, r)
	req.Header.Set("Content-Type", "application/json")
	if tok := en.tokens[as]; tok != "" {
		req.Header.Set("Authorization", tok)
	}
	given := map[string]bool{} // a header named twice is sent twice
	for i := 0; i+1 < len(headers); i += 2 {
		if given[headers[i]] {
			req.Header.Add(headers[i], headers[i+1])
		} else {
			req.Header.Set(headers[i], headers[i+1])
		}
		given[headers[i]] = true
	}
	return req
}

// pullPage is a decoded pull response.
type pullPage struct {
	Reset      bool     `json:"reset"`
	Reason     string   `json:"reason"`
	Changes    []change `json:"changes"`
	Checkpoint string   `json:"checkpoint"`
	HasMore    bool     `json:"hasMore"`
}

type change struct {
	Collection string         `json:"collection"`
	ID         string         `json:"id"`
	Rev        int64          `json:"rev"`
	Deleted    bool           `json:"deleted"`
	Record     map[string]any `json:"record"`
}

func (en *env) pull(as, collections, checkpoint string, limit int) pullPage {
	en.t.Helper()
	url := "/api/sync/v1/pull?collections=" + collections + "&checkpoint=" + checkpoint
	if limit > 0 {
		url += "&limit=" + itoa(limit)
	}
	rec := en.raw(as, http.MethodGet, url, nil)
	if rec.Code != http.StatusOK {
		en.t.Fatalf("pull as %q: %d %s", as, rec.Code, rec.Body.String())
	}
	var p pullPage
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
		en.t.Fatalf("decode pull: %v", err)
	}
	return p
}

// pullAll pulls until hasMore is false and returns every change and the
// last checkpoint.
func (en *env) pullAll(as, collections, checkpoint string) ([]change, string) {
	en.t.Helper()
	var all []change
	for i := 0; i < 100; i++ {
		p := en.pull(as, collections, checkpoint, 0)
		if p.Reset {
			en.t.Fatalf("unexpected reset")
		}
		all = append(all, p.Changes...)
		checkpoint = p.Checkpoint
		if !p.HasMore {
			return all, checkpoint
		}
	}
	en.t.Fatal("pull never finished")
	return nil, ""
}

type pushResult struct {
	ID       string         `json:"id"`
	Status   string         `json:"status"`
	RecordID string         `json:"recordId"`
	Rev      int64          `json:"rev"`
	Deleted  bool           `json:"deleted"`
	Record   map[string]any `json:"record"`
	Fields   []string       `json:"fields"`
	Conflict string         `json:"conflict"`
	Error    *struct {
		Code    string         `json:"code"`
		Message string         `json:"message"`
		Fields  map[string]any `json:"fields"`
		Retry   bool           `json:"retry"`
	} `json:"error"`
}

type mut map[string]any

func (en *env) push(as, client string, muts ...mut) []pushResult {
	en.t.Helper()
	if muts == nil {
		muts = []mut{}
	}
	rec := en.raw(as, http.MethodPost, "/api/sync/v1/push", map[string]any{"client": client, "mutations": muts})
	if rec.Code != http.StatusOK {
		en.t.Fatalf("push as %q: %d %s", as, rec.Code, rec.Body.String())
	}
	var out struct {
		Results []pushResult `json:"results"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		en.t.Fatalf("decode push: %v", err)
	}
	if len(out.Results) != len(muts) {
		en.t.Fatalf("push: %d results for %d mutations", len(out.Results), len(muts))
	}
	return out.Results
}

// report is the data of a valid incident report by reporter.
func report(reporter string, extra map[string]any) map[string]any {
	d := map[string]any{
		"reporter": reporter, "occurred_at": "2026-11-25 10:00:00.000Z", "region": "sughd",
		"category": "gunfire", "description": "Shots heard at dawn near the canal.",
		"location": map[string]any{"lon": 70.61234, "lat": 39.98765},
	}
	for k, v := range extra {
		d[k] = v
	}
	return d
}

func createReport(id, reporter string, extra map[string]any) mut {
	return mut{"id": "create-" + id, "collection": "incident_reports", "recordId": id, "baseRev": nil,
		"data": report(reporter, extra)}
}

func itoa(n int) string {
	raw, _ := json.Marshal(n)
	return string(raw)
}

func gunzip(t testing.TB, b []byte) []byte {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func findChange(changes []change, collection, id string) *change {
	for i := range changes {
		if changes[i].Collection == collection && changes[i].ID == id {
			return &changes[i]
		}
	}
	return nil
}
