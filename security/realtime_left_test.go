package security_test

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
	"github.com/pocketbase/pocketbase/tools/subscriptions"

	"aman/internal/fixtures"
)

// liveEvent is one realtime message a subscriber received.
type liveEvent struct {
	Topic  string
	Action string         `json:"action"`
	Record map[string]any `json:"record"`
}

// subscriber is a realtime connection opened over HTTP as the SDK opens it
// (GET /api/realtime, then POST its topics), as one user; closed is
// closed when the server ends the connection.
type subscriber struct {
	as       string
	clientId string
	events   chan liveEvent
	closed   chan struct{}
}

// liveServer serves app's API over HTTP, as a browser reaches it.
func liveServer(t *testing.T, app *tests.TestApp) *httptest.Server {
	t.Helper()
	r, err := apis.NewRouter(app) // binds the realtime broadcast hooks
	if err != nil {
		t.Fatal(err)
	}
	mux, err := r.BuildMux()
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// subscribe connects as the user as (fixtures.Anonymous: signed out) and
// subscribes to topics.
func subscribe(t *testing.T, app *tests.TestApp, srv *httptest.Server, as string, topics ...string) *subscriber {
	t.Helper()
	s := openLive(t, srv, as)
	body, _ := json.Marshal(map[string]any{"clientId": s.clientId, "subscriptions": topics})
	if code := call(t, app, srv, as, http.MethodPost, "/api/realtime", string(body)); code != http.StatusNoContent {
		t.Fatalf("%s subscribes to %v: %d", fixtures.Role(as), topics, code)
	}
	return s
}

// openLive opens a realtime connection (which binds no account) for as and
// waits for its PB_CONNECT.
func openLive(t *testing.T, srv *httptest.Server, as string) *subscriber {
	t.Helper()
	res, _ := openRealtime(t, srv)
	s := &subscriber{as: as, events: make(chan liveEvent, 32), closed: make(chan struct{})}
	connected := make(chan string, 1)
	go func() {
		defer close(s.closed)
		defer res.Body.Close()
		sc := bufio.NewScanner(res.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		var name, data string
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event:"):
				name = strings.TrimPrefix(line, "event:")
			case strings.HasPrefix(line, "data:"):
				data = strings.TrimPrefix(line, "data:")
			case line == "":
				if name == "PB_CONNECT" {
					var c struct{ ClientId string }
					_ = json.Unmarshal([]byte(data), &c)
					connected <- c.ClientId
				} else if name != "" {
					e := liveEvent{Topic: name}
					_ = json.Unmarshal([]byte(data), &e)
					s.events <- e
				}
				name, data = "", ""
			}
		}
	}()
	select {
	case s.clientId = <-connected:
	case <-time.After(5 * time.Second):
		t.Fatal("no PB_CONNECT")
	}
	return s
}

// openRealtime opens GET /api/realtime; cancel closes it.
func openRealtime(t *testing.T, srv *httptest.Server) (res *http.Response, cancel context.CancelFunc) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/api/realtime", nil)
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return res, cancel
}

// call sends an API request as the user as and returns its status.
func call(t *testing.T, app core.App, srv *httptest.Server, as, method, path, body string) int {
	t.Helper()
	req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	res := sendAs(t, app, srv, as, req)
	res.Body.Close()
	return res.StatusCode
}

// sendAs sends req, a JSON body, as the user as.
func sendAs(t *testing.T, app core.App, srv *httptest.Server, as string, req *http.Request) *http.Response {
	t.Helper()
	req.Header.Set("Content-Type", "application/json")
	token, err := fixtures.Auth(app, as)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// received is what s got within a moment, by topic.
func (s *subscriber) received() map[string][]liveEvent {
	got := map[string][]liveEvent{}
	deadline := time.After(1500 * time.Millisecond)
	for {
		select {
		case e := <-s.events:
			got[e.Topic] = append(got[e.Topic], e)
		case <-deadline:
			return got
		}
	}
}

// expect checks that s got, on each topic, one event of the action wanted
// ("" for none) of the record id; a delete names the record and nothing
// else of it.
func (s *subscriber) expect(t *testing.T, who, id string, want map[string]string) {
	t.Helper()
	got := s.received()
	for topic, action := range want {
		events := got[topic]
		if action == "" {
			if len(events) != 0 {
				t.Errorf("%s on %s got %+v, want nothing", who, topic, events)
			}
			continue
		}
		if len(events) != 1 || events[0].Action != action || events[0].Record["id"] != id {
			t.Errorf("%s on %s got %+v, want one %s of %s", who, topic, events, action, id)
			continue
		}
		if action == "delete" {
			for field := range events[0].Record {
				if field != "id" && field != "collectionId" && field != "collectionName" {
					t.Errorf("%s's delete on %s carries %s: %+v", who, topic, field, events[0].Record)
				}
			}
			if events[0].Record["collectionName"] == "" || events[0].Record["collectionId"] == "" {
				t.Errorf("%s's delete on %s does not name its collection: %+v", who, topic, events[0].Record)
			}
		}
	}
}

// newAidWorker saves an aid worker of org.
func newAidWorker(t *testing.T, app core.App, id, org string) {
	t.Helper()
	newUser(t, app, id, "aid_worker", org)
}

// newUser saves a user of role (of organization org, if not empty).
func newUser(t *testing.T, app core.App, id, role, org string) {
	t.Helper()
	users, err := app.FindCollectionByNameOrId("users")
	if err != nil {
		t.Fatal(err)
	}
	u := core.NewRecord(users)
	u.Id = id
	u.SetEmail(id + "@example.org")
	u.SetPassword(fixtures.Password)
	u.Set("name", "User "+id)
	u.Set("role", role)
	u.Set("organization", org)
	if err := app.Save(u); err != nil {
		t.Fatal(err)
	}
}

const (
	workerA = "aidworkeraaaaaa"
	workerB = "aidworkerbbbbbb"
)

// assignedEnv: a request in progress assigned to organization A, whose
// aid worker is workerA; workerB works for organization B.
func assignedEnv(t *testing.T) (app *tests.TestApp, srv *httptest.Server, orgA, orgB string) {
	app = fixtures.Factory(t)
	srv = liveServer(t, app)
	orgA, orgB = fixtures.Organization(t, app, "Field Clinic").Id, fixtures.Organization(t, app, "Water Team").Id
	newAidWorker(t, app, workerA, orgA)
	newAidWorker(t, app, workerB, orgB)
	request, err := app.FindRecordById("aid_requests", fixtures.AidInProgress)
	if err != nil {
		t.Fatal(err)
	}
	request.Set("assigned_org", orgA)
	if err := app.Save(request); err != nil {
		t.Fatal(err)
	}
	return app, srv, orgA, orgB
}

// TestRealtime_UnassignedRequestLeaves: a coordinator moves a request from
// organization A to B. The aid worker of A could see it and cannot now: a
// delete on each topic it came through, its id only; the aid worker of B
// gets the update as PocketBase sends it; the coordinator and the
// requester keep seeing it (update); a volunteer who never saw it gets
// nothing; a coordinator's filter the request no longer matches gets a
// delete beside their unfiltered topic's update.
func TestRealtime_UnassignedRequestLeaves(t *testing.T) {
	const all, one = "aid_requests/*", "aid_requests/" + fixtures.AidInProgress
	app, srv, orgA, orgB := assignedEnv(t)
	byOrg := `aid_requests/*?options={"query":{"filter":"assigned_org = '` + orgA + `'"}}`
	a := subscribe(t, app, srv, workerA, all, one)
	b := subscribe(t, app, srv, workerB, all)
	coordinator := subscribe(t, app, srv, fixtures.Coordinator, all, byOrg)
	requester := subscribe(t, app, srv, fixtures.Volunteer, all)
	other := subscribe(t, app, srv, fixtures.Volunteer2, all)
	superuser := subscribe(t, app, srv, fixtures.Superuser, all, byOrg)

	if code := call(t, app, srv, fixtures.Coordinator, http.MethodPatch, "/api/collections/aid_requests/records/"+fixtures.AidInProgress,
		`{"assigned_org":"`+orgB+`"}`); code != http.StatusOK {
		t.Fatalf("coordinator reassigns: %d", code)
	}
	id := fixtures.AidInProgress
	a.expect(t, "aid worker of the old organization", id, map[string]string{all: "delete", one: "delete"})
	b.expect(t, "aid worker of the new organization", id, map[string]string{all: "update"})
	coordinator.expect(t, "coordinator", id, map[string]string{all: "update", byOrg: "delete"})
	requester.expect(t, "requester", id, map[string]string{all: "update"})
	other.expect(t, "other volunteer", id, map[string]string{all: ""})
	superuser.expect(t, "superuser", id, map[string]string{all: "update", byOrg: "delete"})
}

// TestRealtime_RetiredOrganizationsRequestsLeave: retiring an organization
// releases its requests in service in the same transaction, after it made
// the organization inactive; its aid worker could see them before the
// transaction and learns they left. The coordinator keeps them.
func TestRealtime_RetiredOrganizationsRequestsLeave(t *testing.T) {
	app, srv, orgA, _ := assignedEnv(t)
	a := subscribe(t, app, srv, workerA, "aid_requests/*")
	coordinator := subscribe(t, app, srv, fixtures.Coordinator, "aid_requests/*")
	org, err := app.FindRecordById("organizations", orgA)
	if err != nil {
		t.Fatal(err)
	}
	org.Set("active", false)
	if err := app.Save(org); err != nil {
		t.Fatal(err)
	}
	a.expect(t, "aid worker of the retired organization", fixtures.AidInProgress, map[string]string{"aid_requests/*": "delete"})
	coordinator.expect(t, "coordinator", fixtures.AidInProgress, map[string]string{"aid_requests/*": "update"})
}

// TestRealtime_RolledBackWriteSendsNothing: a write rolled back with its
// transaction sends no delete, and leaves nothing behind for the next
// write of the record.
func TestRealtime_RolledBackWriteSendsNothing(t *testing.T) {
	app, srv, _, orgB := assignedEnv(t)
	a := subscribe(t, app, srv, workerA, "aid_requests/*")
	err := app.RunInTransaction(func(tx core.App) error {
		request, err := tx.FindRecordById("aid_requests", fixtures.AidInProgress)
		if err != nil {
			return err
		}
		request.Set("assigned_org", orgB)
		if err := tx.Save(request); err != nil {
			return err
		}
		return errors.New("rolled back")
	})
	if err == nil || err.Error() != "rolled back" {
		t.Fatalf("transaction: %v", err)
	}
	a.expect(t, "aid worker", fixtures.AidInProgress, map[string]string{"aid_requests/*": ""})
	if code := call(t, app, srv, workerA, http.MethodPatch, "/api/collections/aid_requests/records/"+fixtures.AidInProgress,
		`{"notes":"On our way."}`); code != http.StatusOK {
		t.Fatalf("aid worker writes notes: %d", code)
	}
	a.expect(t, "aid worker", fixtures.AidInProgress, map[string]string{"aid_requests/*": "update"})
}

// TestRealtime_ReopenedReportLeavesEditors: editors read verified reports
// only; a coordinator reopening one (back in review) takes it out of their
// view: a delete, id only. The coordinator gets the update; its reporter
// too; anonymous callers may not subscribe to reports' events at all.
func TestRealtime_ReopenedReportLeavesEditors(t *testing.T) {
	app := fixtures.Factory(t)
	srv := liveServer(t, app)
	const all = "incident_reports/*"
	editor := subscribe(t, app, srv, fixtures.Editor, all, "incident_reports/"+fixtures.ReportVerified)
	coordinator := subscribe(t, app, srv, fixtures.Coordinator, all)
	reporter := subscribe(t, app, srv, fixtures.Volunteer, all)
	anonymous := subscribe(t, app, srv, fixtures.Anonymous, all)
	if code := call(t, app, srv, fixtures.Coordinator, http.MethodPatch, "/api/collections/incident_reports/records/"+fixtures.ReportVerified,
		`{"status":"in_review"}`); code != http.StatusOK {
		t.Fatalf("coordinator reopens: %d", code)
	}
	id := fixtures.ReportVerified
	editor.expect(t, "editor", id, map[string]string{all: "delete", "incident_reports/" + id: "delete"})
	coordinator.expect(t, "coordinator", id, map[string]string{all: "update"})
	reporter.expect(t, "reporter", id, map[string]string{all: "update"})
	anonymous.expect(t, "anonymous", id, map[string]string{all: ""})
}

// TestRealtime_RetractedUpdateLeavesReaders: anonymous readers and
// volunteers read published updates; one retracted leaves their view (a
// delete, id only), while editors, who read all, get the update.
func TestRealtime_RetractedUpdateLeavesReaders(t *testing.T) {
	app := fixtures.Factory(t)
	srv := liveServer(t, app)
	updates, err := app.FindCollectionByNameOrId("updates")
	if err != nil {
		t.Fatal(err)
	}
	u := core.NewRecord(updates)
	u.Set("title", "Road to Isfara open")
	u.Set("body", "The road is open again.")
	u.Set("language", "ru")
	u.Set("status", "published")
	u.Set("author", fixtures.Editor)
	if err := app.Save(u); err != nil {
		t.Fatal(err)
	}
	const all = "updates/*"
	anonymous := subscribe(t, app, srv, fixtures.Anonymous, all, "updates/"+u.Id)
	volunteer := subscribe(t, app, srv, fixtures.Volunteer, all)
	editor := subscribe(t, app, srv, fixtures.Editor, all)
	if code := call(t, app, srv, fixtures.Editor, http.MethodPatch, "/api/collections/updates/records/"+u.Id,
		`{"status":"retracted"}`); code != http.StatusOK {
		t.Fatalf("editor retracts: %d", code)
	}
	anonymous.expect(t, "anonymous", u.Id, map[string]string{all: "delete", "updates/" + u.Id: "delete"})
	volunteer.expect(t, "volunteer", u.Id, map[string]string{all: "delete"})
	editor.expect(t, "editor", u.Id, map[string]string{all: "update"})
}

// TestRealtime_WriteAndUndoInOneTransaction: a transaction that takes a
// request from organization A and gives it back before it commits never
// took it from A's aid worker: the update, no delete.
func TestRealtime_WriteAndUndoInOneTransaction(t *testing.T) {
	app, srv, orgA, orgB := assignedEnv(t)
	a := subscribe(t, app, srv, workerA, "aid_requests/*")
	err := app.RunInTransaction(func(tx core.App) error {
		request, err := tx.FindRecordById("aid_requests", fixtures.AidInProgress)
		if err != nil {
			return err
		}
		for _, org := range []string{orgB, orgA} {
			request.Set("assigned_org", org)
			if err := tx.Save(request); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	got := a.received()["aid_requests/*"]
	for _, e := range got {
		if e.Action != "update" {
			t.Errorf("aid worker of A got %+v, want updates only", got)
		}
	}
	if len(got) == 0 {
		t.Error("aid worker of A got nothing, want the update")
	}
}

// TestRealtime_UnaffectedSubscriptionsNotJudgedInWrite: the judgment
// before an update, which runs where a transaction may hold SQLite's
// writer, judges only the subscriptions whose rule or filter reads what
// the update changes (or reads a relation, another collection, the time).
// Counted here as the queries run outside the write's transaction while
// it runs: a reporter's edit of a report's text reads the committed
// record once, whoever subscribes; a review that changes its status
// judges every subscription, as does a text edit for a subscription
// filtering on the text.
func TestRealtime_UnaffectedSubscriptionsNotJudgedInWrite(t *testing.T) {
	app := fixtures.Factory(t)
	liveServer(t, app)
	users, err := app.FindCollectionByNameOrId("users")
	if err != nil {
		t.Fatal(err)
	}
	const subscribers = 12
	for i := range subscribers {
		u := core.NewRecord(users)
		u.Id = fmt.Sprintf("judgedsub%06d", i)
		u.SetEmail(u.Id + "@example.org")
		u.SetPassword(fixtures.Password)
		u.Set("name", "Subscriber "+u.Id)
		u.Set("role", []string{"volunteer", "coordinator", "editor"}[i%3])
		if err := app.Save(u); err != nil {
			t.Fatal(err)
		}
		c := subscriptions.NewDefaultClient()
		c.Set(apis.RealtimeClientAuthKey, u)
		c.Subscribe("incident_reports/*", "incident_reports/"+fixtures.ReportSubmitted, "updates/*")
		app.SubscriptionsBroker().Register(c)
		go func() {
			for range c.Channel() {
			}
		}()
		t.Cleanup(func() { app.SubscriptionsBroker().Unregister(c.Id()) })
	}
	db, ok := app.ConcurrentDB().(*dbx.DB)
	if !ok {
		t.Fatalf("concurrent db is %T", app.ConcurrentDB())
	}
	var writing atomic.Bool
	var queries atomic.Int64
	db.QueryLogFunc = func(context.Context, time.Duration, string, *sql.Rows, error) {
		if writing.Load() {
			queries.Add(1)
		}
	}
	t.Cleanup(func() { db.QueryLogFunc = nil })
	update := func(fields map[string]any) int64 {
		t.Helper()
		queries.Store(0)
		err := app.RunInTransaction(func(tx core.App) error {
			writing.Store(true)
			defer writing.Store(false)
			report, err := tx.FindRecordById("incident_reports", fixtures.ReportSubmitted)
			if err != nil {
				return err
			}
			for k, v := range fields {
				report.Set(k, v)
			}
			return tx.Save(report)
		})
		if err != nil {
			t.Fatal(err)
		}
		return queries.Load()
	}
	if n := update(map[string]any{"description": "Shelling near the school, edited."}); n != 1 {
		t.Errorf("a text edit ran %d queries outside its transaction, want 1 (the committed record)", n)
	}
	if n := update(map[string]any{"status": "in_review"}); n < 2*subscribers {
		t.Errorf("a status change ran %d queries outside its transaction, want every subscription judged (≥ %d)", n, 2*subscribers)
	}

	// a filter on the text is judged when the text changes
	c := subscriptions.NewDefaultClient()
	c.Subscribe(`incident_reports/*?options={"query":{"filter":"description ~ 'school'"}}`)
	superuser, err := app.FindRecordById(core.CollectionNameSuperusers, fixtures.Superuser)
	if err != nil {
		t.Fatal(err)
	}
	c.Set(apis.RealtimeClientAuthKey, superuser)
	app.SubscriptionsBroker().Register(c)
	go func() {
		for range c.Channel() {
		}
	}()
	t.Cleanup(func() { app.SubscriptionsBroker().Unregister(c.Id()) })
	if n := update(map[string]any{"description": "Shelling near the market."}); n < 2 {
		t.Errorf("a text edit with a subscription filtering on the text ran %d queries outside its transaction, want it judged", n)
	}
}

// TestRealtime_OwnAccountChanges: an update of a subscriber's own account
// changes what its rules read as @request.auth, and a new password ends
// its session (PocketBase makes the connection a guest's), so it is
// judged in the write even when the fields its rules read of the record
// stay as they were: the subscriber whose password changed learns its own
// record left it; a change of the name alone is an update to it.
func TestRealtime_OwnAccountChanges(t *testing.T) {
	app, srv, _, _ := assignedEnv(t)
	own := "users/" + fixtures.Volunteer
	renamed := subscribe(t, app, srv, fixtures.Volunteer, own)
	user, err := app.FindRecordById("users", fixtures.Volunteer)
	if err != nil {
		t.Fatal(err)
	}
	user.Set("name", "Renamed Volunteer")
	if err := app.Save(user); err != nil {
		t.Fatal(err)
	}
	renamed.expect(t, "volunteer renamed", fixtures.Volunteer, map[string]string{own: "update"})

	revoked := subscribe(t, app, srv, fixtures.Volunteer, own)
	user.SetPassword("another-pass-123")
	if err := app.Save(user); err != nil {
		t.Fatal(err)
	}
	revoked.expect(t, "volunteer whose password changed", fixtures.Volunteer, map[string]string{own: "delete"})
}
