package security_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
	"github.com/pocketbase/pocketbase/tools/subscriptions"

	"aman/internal/fixtures"
	"aman/security"
)

// connect registers a realtime connection opened from ip, as PocketBase's
// GET /api/realtime does, and returns its id.
func connect(app core.App, ip string) string {
	c := subscriptions.NewDefaultClient()
	c.Set(apis.RealtimeClientIPKey, ip)
	app.SubscriptionsBroker().Register(c)
	return c.Id()
}

// subscribeBody is a POST /api/realtime body setting n filtered topics on
// incident_reports, and the extra topics, for client id.
func subscribeBody(id string, n int, extra ...string) string {
	topics := extra
	for i := range n {
		topics = append(topics, fmt.Sprintf(`incident_reports?options={"query":{"filter":"description ~ 'w%d'"}}`, i))
	}
	b, _ := json.Marshal(map[string]any{"clientId": id, "subscriptions": topics})
	return string(b)
}

// subscribeFrom sends a subscription request for connection id from ip,
// signed in with token unless it is empty.
func subscribeFrom(t testing.TB, e *core.ServeEvent, ip, token, body string) int {
	t.Helper()
	mux, err := e.Router.BuildMux()
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, "/api/realtime", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.RemoteAddr = ip + ":4000"
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, req)
	return rec.Code
}

// TestRealtime_RecordTopics: every record subscription costs two queries
// after each write of its collection, and the write waits for them, so
// the connections of one account, or of one address for anonymous
// callers, may hold at most MaxRecordTopics of them together, whatever
// their number; the sync nudge is free, and coordinators, editors and
// superusers are not counted. Accounts don't share their address's
// budget: the phones of a village behind one carrier NAT keep theirs.
func TestRealtime_RecordTopics(t *testing.T) {
	const here = "192.0.2.1" // every scenario's address
	max := security.MaxRecordTopics
	var second string // the scenario's connection
	// fill has another connection, from ip and signed in as `as`, hold
	// max record topics.
	fill := func(ip, as string) func(testing.TB, *tests.TestApp, *core.ServeEvent) {
		return func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
			token, err := fixtures.Auth(app, as)
			if err != nil {
				t.Fatal(err)
			}
			if code := subscribeFrom(t, e, ip, token, subscribeBody(connect(app, ip), max)); code != http.StatusNoContent {
				t.Fatalf("first connection's %d topics: status %d", max, code)
			}
			second = connect(app, here)
		}
	}
	scenarios := []struct {
		name     string
		as       string
		filledAs string
		filledAt string
		body     func() string
		status   int
		want     []string
	}{
		{"anonymous: one topic more on a second connection", fixtures.Anonymous, fixtures.Anonymous, here,
			func() string { return subscribeBody(second, 1) }, 429,
			[]string{`"code":"realtime_too_many_subscriptions"`, `"max":20`,
				`"message":"Одновременно разрешено не более 20 подписок на записи в реальном времени.","status":429}`}},
		{"a volunteer: one topic more, from another address (en)", fixtures.Volunteer, fixtures.Volunteer, "198.51.100.9",
			func() string { return subscribeBody(second, 1) }, 429, []string{`"code":"realtime_too_many_subscriptions"`,
				`"message":"At most 20 realtime subscriptions to records are allowed at once.","status":429}`}},
		{"a volunteer behind the address anonymous callers filled", fixtures.Volunteer, fixtures.Anonymous, here,
			func() string { return subscribeBody(second, max) }, 204, nil},
		{"another volunteer behind the same address", fixtures.Volunteer, fixtures.Volunteer2, here,
			func() string { return subscribeBody(second, max) }, 204, nil},
		{"the sync nudge is not counted", fixtures.Anonymous, fixtures.Anonymous, here,
			func() string { return subscribeBody(second, 0, "aman/sync") }, 204, nil},
		{"another address has its own", fixtures.Anonymous, fixtures.Anonymous, "198.51.100.7",
			func() string { return subscribeBody(second, max) }, 204, nil},
		{"a topic sent twice is held, and counted, once", fixtures.Anonymous, fixtures.Anonymous, "198.51.100.8",
			func() string {
				return subscribeBody(second, max, `incident_reports?options={"query":{"filter":"description ~ 'w0'"}}`)
			}, 204, nil},
		{"a coordinator is not counted", fixtures.Coordinator, fixtures.Anonymous, here,
			func() string { return subscribeBody(second, 100) }, 204, nil},
	}
	// in Russian unless the name says (en)
	lang := func(name string) string {
		if strings.HasSuffix(name, "(en)") {
			return "en"
		}
		return "ru"
	}
	for i, s := range scenarios {
		scenario := fixtures.Scenario(s.as, tests.ApiScenario{
			Name:   fmt.Sprintf("%d_%s", i, s.name),
			Method: http.MethodPost, URL: "/api/realtime",
			Headers:        map[string]string{"Accept-Language": lang(s.name)},
			BeforeTestFunc: fill(s.filledAt, s.filledAs),
			ExpectedStatus: s.status, ExpectedContent: s.want,
		})
		if s.status == http.StatusTooManyRequests {
			// no window: a connection that went away unannounced holds
			// its share until PocketBase drops it as idle
			scenario.AfterTestFunc = func(t testing.TB, app *tests.TestApp, res *http.Response) {
				expectRetryAfter(t, res.Header, security.RealtimeIdleTimeout)
			}
		}
		body := s.body
		before := scenario.BeforeTestFunc
		scenario.BeforeTestFunc = func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
			before(t, app, e)
			scenario.Body = strings.NewReader(body())
		}
		scenario.Test(t)
	}
}
