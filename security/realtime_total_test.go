package security_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"aman/internal/fixtures"
	"aman/internal/testapp"
	"aman/security"
)

// servedApp serves app over HTTP with every middleware of a running
// server (OnServe: the locale, the rate limiter's, the security ones), as
// tests.ApiScenario builds it.
func servedApp(t *testing.T, app *tests.TestApp) *httptest.Server {
	t.Helper()
	r, err := apis.NewRouter(app)
	if err != nil {
		t.Fatal(err)
	}
	var srv *httptest.Server
	err = app.OnServe().Trigger(&core.ServeEvent{App: app, Router: r}, func(e *core.ServeEvent) error {
		mux, err := e.Router.BuildMux()
		if err != nil {
			return err
		}
		srv = httptest.NewServer(mux)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	return srv
}

// sseConn is a realtime connection over HTTP: its client id, and close,
// which closes it as a browser tab does.
type sseConn struct {
	id    string
	close context.CancelFunc
}

// openSSE opens GET /api/realtime and waits for PB_CONNECT.
func openSSE(t *testing.T, srv *httptest.Server) sseConn {
	t.Helper()
	res, cancel := openRealtime(t, srv)
	connected := make(chan string, 1)
	go func() {
		defer res.Body.Close()
		sc := bufio.NewScanner(res.Body)
		var name string
		for sc.Scan() {
			line := sc.Text()
			if v, ok := strings.CutPrefix(line, "event:"); ok {
				name = v
			}
			if v, ok := strings.CutPrefix(line, "data:"); ok && name == "PB_CONNECT" {
				var c struct{ ClientId string }
				_ = json.Unmarshal([]byte(v), &c)
				connected <- c.ClientId
				name = ""
			}
		}
	}()
	select {
	case id := <-connected:
		return sseConn{id: id, close: cancel}
	case <-time.After(5 * time.Second):
		t.Fatal("no PB_CONNECT")
	}
	return sseConn{}
}

// topics are n distinct filtered topics on collection, told apart by tag.
func topics(collection, tag string, n int) []string {
	var out []string
	for i := range n {
		out = append(out, fmt.Sprintf(`%s?options={"query":{"filter":"id != '%s%d'"}}`, collection, tag, i))
	}
	return out
}

// answer is a subscription request's status, Retry-After and body.
type answer struct {
	status     int
	retryAfter string
	body       string
}

// subscribeAs sets the topics of connection c, signed in as `as`, in
// Russian.
func subscribeAs(t *testing.T, app core.App, srv *httptest.Server, as string, c sseConn, topics []string) answer {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"clientId": c.id, "subscriptions": topics})
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/realtime", strings.NewReader(string(body)))
	req.Header.Set("Accept-Language", "ru")
	res := sendAs(t, app, srv, as, req)
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return answer{res.StatusCode, res.Header.Get("Retry-After"), string(b)}
}

// TestRealtime_ServerTotal: the counted record subscriptions of the whole
// server are bounded (AMAN_REALTIME_MAX_SUBSCRIPTIONS, here 30), whatever
// the accounts and addresses holding them, since open sign-up gives one
// person as many accounts as they like, each with its own budget of 20.
// Volunteers and anonymous callers count; past the bound a subscription
// answers 429 realtime_server_busy with a Retry-After, and the refused
// connection keeps what it held; coordinators, editors and superusers are
// neither counted nor refused, nor are aid workers (accounts only staff
// make: an attack from open sign-up must not take their live refresh),
// who keep their own budget of 20; a closed connection frees its share at
// once.
func TestRealtime_ServerTotal(t *testing.T) {
	t.Setenv(security.EnvRealtimeSubscriptions, "30")
	app := fixtures.Factory(t)
	org := fixtures.Organization(t, app, "Org total")
	const volunteer3, worker = "volunteer000003", "aidworkertotal1"
	newUser(t, app, volunteer3, "volunteer", "")
	newAidWorker(t, app, worker, org.Id)
	srv := servedApp(t, app)

	ok := func(who string, a answer) {
		t.Helper()
		if a.status != http.StatusNoContent {
			t.Fatalf("%s: %d %s, want 204", who, a.status, a.body)
		}
	}
	busy := func(who string, a answer) {
		t.Helper()
		if a.status != http.StatusTooManyRequests {
			t.Fatalf("%s: %d %s, want 429", who, a.status, a.body)
		}
		for _, want := range []string{`"code":"realtime_server_busy"`,
			`"message":"На сервере открыто слишком много подписок в реальном времени. Подождите минуту и повторите попытку."`} {
			if !strings.Contains(a.body, want) {
				t.Errorf("%s: %s lacks %s", who, a.body, want)
			}
		}
		h := http.Header{"Retry-After": {a.retryAfter}}
		expectRetryAfter(t, h, security.RealtimeBusyRetry)
	}
	held := func(c sseConn) []string {
		t.Helper()
		client, err := app.SubscriptionsBroker().ClientById(c.id)
		if err != nil {
			t.Fatal(err)
		}
		var subs []string
		for sub := range client.Subscriptions() {
			subs = append(subs, sub)
		}
		slices.Sort(subs)
		return subs
	}

	// volunteers and an anonymous caller fill the 30
	v1 := openSSE(t, srv)
	ok("volunteer's 20", subscribeAs(t, app, srv, fixtures.Volunteer, v1, topics("incident_reports", "a", 20)))
	v2 := openSSE(t, srv)
	mine := append(topics("incident_reports", "b", 5), "aman/sync")
	ok("other volunteer's 5", subscribeAs(t, app, srv, fixtures.Volunteer2, v2, mine))
	anon := openSSE(t, srv)
	ok("anonymous 5", subscribeAs(t, app, srv, fixtures.Anonymous, anon, topics("updates", "c", 5)))

	// the next volunteer, another anonymous connection: refused; an aid
	// worker (a review screen) is not counted, up to its own budget
	v3 := openSSE(t, srv)
	busy("third volunteer's 1", subscribeAs(t, app, srv, volunteer3, v3, topics("incident_reports", "d", 1)))
	w := openSSE(t, srv)
	ok("aid worker's 3", subscribeAs(t, app, srv, worker, w, topics("aid_requests", "e", 3)))
	w2 := openSSE(t, srv)
	tooMany := subscribeAs(t, app, srv, worker, w2, topics("aid_requests", "w", 18))
	if tooMany.status != http.StatusTooManyRequests || !strings.Contains(tooMany.body, `"code":"realtime_too_many_subscriptions"`) {
		t.Fatalf("aid worker past its own budget: %d %s, want 429 realtime_too_many_subscriptions", tooMany.status, tooMany.body)
	}
	anon2 := openSSE(t, srv)
	busy("anonymous 1 more", subscribeAs(t, app, srv, fixtures.Anonymous, anon2, topics("updates", "f", 1)))
	if got := held(v3); len(got) != 0 {
		t.Errorf("refused connection holds %v", got)
	}
	// the sync nudge is not counted
	ok("third volunteer's nudge", subscribeAs(t, app, srv, volunteer3, v3, []string{"aman/sync"}))

	// one more on a connection refuses the whole request: it keeps what
	// it held, all of it and nothing asked for
	before := held(v2)
	busy("other volunteer's 6", subscribeAs(t, app, srv, fixtures.Volunteer2, v2, append(slices.Clone(mine), topics("incident_reports", "g", 1)...)))
	if after := held(v2); !slices.Equal(after, before) {
		t.Errorf("refused request changed the connection's topics: %v, was %v", after, before)
	}
	// as many others in their place: its own share is replaced
	ok("other volunteer's 5 others", subscribeAs(t, app, srv, fixtures.Volunteer2, v2, topics("incident_reports", "h", 5)))

	// staff: not counted, never refused
	for _, as := range []string{fixtures.Coordinator, fixtures.Editor, fixtures.Superuser} {
		c := openSSE(t, srv)
		ok(fixtures.Role(as)+"'s 50", subscribeAs(t, app, srv, as, c, append(topics("incident_reports", "s", 25), topics("aid_requests", "s", 25)...)))
	}
	busy("third volunteer's 1, beside the staff's 150", subscribeAs(t, app, srv, volunteer3, v3, topics("incident_reports", "d", 1)))

	// a closed connection frees its 20 as soon as PocketBase sees it gone
	v1.close()
	deadline := time.Now().Add(3 * time.Second)
	for {
		if _, err := app.SubscriptionsBroker().ClientById(v1.id); err != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("closed connection still registered after 3 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	ok("anonymous 15 after the close", subscribeAs(t, app, srv, fixtures.Anonymous, anon2, topics("updates", "f", 15)))
	ok("third volunteer's 5 after the close", subscribeAs(t, app, srv, volunteer3, v3, append(topics("incident_reports", "d", 5), "aman/sync")))
	busy("full again", subscribeAs(t, app, srv, volunteer3, v3, topics("incident_reports", "d", 6)))
}

// TestRealtime_ServerTotalSetting: the bound is read at start; unset, it
// is DefaultRealtimeSubscriptions, which docs/operations.md states; a
// value the server cannot take stops it, naming the variable.
func TestRealtime_ServerTotalSetting(t *testing.T) {
	if got := security.DefaultLimits.RealtimeSubscriptions; got != security.DefaultRealtimeSubscriptions {
		t.Errorf("DefaultLimits.RealtimeSubscriptions = %d, want %d", got, security.DefaultRealtimeSubscriptions)
	}
	doc, err := os.ReadFile("../docs/operations.md")
	if err != nil {
		t.Fatal(err)
	}
	row := fmt.Sprintf("| `%s` | `%d` |", security.EnvRealtimeSubscriptions, security.DefaultRealtimeSubscriptions)
	if !strings.Contains(string(doc), row) {
		t.Errorf("docs/operations.md lacks the row %q", row)
	}
	for _, tc := range []struct {
		value string
		want  int
	}{{"", security.DefaultRealtimeSubscriptions}, {" 250 ", 250}, {"1", 1}, {"1000000", 1_000_000}} {
		t.Setenv(security.EnvRealtimeSubscriptions, tc.value)
		l, err := security.LimitsFromEnv()
		if err != nil || l.RealtimeSubscriptions != tc.want {
			t.Errorf("%q: %d, %v; want %d", tc.value, l.RealtimeSubscriptions, err, tc.want)
		}
	}
	for _, value := range []string{"0", "-1", "1000001", "ten", "100/30s", "1e3"} {
		t.Run(value, func(t *testing.T) {
			t.Setenv(security.EnvRealtimeSubscriptions, value)
			err := security.Register(testapp.NewSchemaOnly(t))
			if err == nil {
				t.Fatal("accepted")
			}
			for _, want := range []string{security.EnvRealtimeSubscriptions, fmt.Sprintf("%q", value), "1 to 1000000"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q lacks %q", err, want)
				}
			}
		})
	}
}
