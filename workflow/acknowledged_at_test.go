package workflow_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
	"github.com/pocketbase/pocketbase/tools/types"

	"aman/internal/fixtures"
)

// createdDaysAgo makes AidOpen created three days ago, around the hooks.
func createdDaysAgo(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
	t.Helper()
	createdOn(threeDaysAgo().String())(t, app, e)
}

// createdOn makes AidOpen created at `at`, around the hooks: a written
// acknowledged_at before it would be raised to it.
func createdOn(at string) func(testing.TB, *tests.TestApp, *core.ServeEvent) {
	return func(t testing.TB, app *tests.TestApp, _ *core.ServeEvent) {
		t.Helper()
		_, err := app.DB().NewQuery("UPDATE aid_requests SET created = {:at} WHERE id = {:id}").
			Bind(map[string]any{"at": at, "id": fixtures.AidOpen}).Execute()
		if err != nil {
			t.Fatal(err)
		}
	}
}

func threeDaysAgo() types.DateTime {
	dt, _ := types.ParseDateTime(time.Now().UTC().Add(-72 * time.Hour).Truncate(time.Second))
	return dt
}

// expectAcknowledgedAt checks AidOpen's stored acknowledged_at with want.
func expectAcknowledgedAt(want func(app *tests.TestApp) bool, what string) func(testing.TB, *tests.TestApp, *http.Response) {
	return func(t testing.TB, app *tests.TestApp, _ *http.Response) {
		r, err := app.FindRecordById("aid_requests", fixtures.AidOpen)
		if err != nil {
			t.Fatal(err)
		}
		if r.GetString("status") != "acknowledged" || !want(app) {
			t.Fatalf("acknowledged_at = %s (status %s), want %s", r.GetString("acknowledged_at"), r.GetString("status"), what)
		}
	}
}

func acknowledgedAt(app *tests.TestApp) time.Time {
	r, _ := app.FindRecordById("aid_requests", fixtures.AidOpen)
	return r.GetDateTime("acknowledged_at").Time()
}

// An acknowledgement made offline carries its own time, kept between the
// request's creation and now: one later than now (a clock running fast) is
// lowered to now, one before the request's created (a clock running slow,
// a hand-edited value) is raised to created. Neither is refused: a phone's
// queued write goes through. An aid desk read a request acknowledged
// before it existed, and a negative time to acknowledgement.
func TestAcknowledgedAt_Bounded(t *testing.T) {
	oneDayAgo := time.Now().UTC().Add(-24 * time.Hour).Truncate(time.Millisecond)
	fourDaysAgo := time.Now().UTC().Add(-96 * time.Hour).Truncate(time.Millisecond).Format("2006-01-02 15:04:05.000Z")
	ack := func(at string) string {
		return fmt.Sprintf(`{"status":"acknowledged","acknowledged_at":%q}`, at)
	}
	push := func(mutations ...string) *strings.Reader {
		return strings.NewReader(`{"client":"device-slow-clock","mutations":[` + strings.Join(mutations, ",") + `]}`)
	}
	const newID = "aidofflineack01"
	atCreated := func(id string) func(testing.TB, *tests.TestApp, *http.Response) {
		return func(t testing.TB, app *tests.TestApp, _ *http.Response) {
			r, err := app.FindRecordById("aid_requests", id)
			if err != nil {
				t.Fatal(err)
			}
			at, created := r.GetDateTime("acknowledged_at"), r.GetDateTime("created")
			if r.GetString("status") != "acknowledged" || created.IsZero() || !at.Equal(created) {
				t.Fatalf("acknowledged_at = %s (status %s), want created %s", at, r.GetString("status"), created)
			}
		}
	}
	type scenario struct {
		as string
		s  tests.ApiScenario
	}
	patch := func(body string) tests.ApiScenario {
		return tests.ApiScenario{Method: http.MethodPatch, URL: aidURL + "/" + fixtures.AidOpen, Body: strings.NewReader(body),
			ExpectedStatus: 200, ExpectedContent: []string{`"status":"acknowledged"`}}
	}
	named := func(name string, s tests.ApiScenario, after func(testing.TB, *tests.TestApp, *http.Response)) tests.ApiScenario {
		s.Name, s.AfterTestFunc = name, after
		return s
	}
	scenarios := []scenario{
		{fixtures.Coordinator, named("a time between creation and now is kept", patch(ack(oneDayAgo.Format("2006-01-02 15:04:05.000Z"))),
			expectAcknowledgedAt(func(app *tests.TestApp) bool { return acknowledgedAt(app).Equal(oneDayAgo) }, "the time sent"))},
		{fixtures.Coordinator, named("a time before the request's creation is raised to it", patch(ack(fourDaysAgo)),
			atCreated(fixtures.AidOpen))},
		{fixtures.Coordinator, named("a time in the future becomes now", patch(ack("2099-01-01 08:00:00.000Z")),
			expectAcknowledgedAt(func(app *tests.TestApp) bool { return (time.Since(acknowledgedAt(app))).Abs() < time.Minute },
				"now"))},
		{fixtures.Superuser, named("a superuser's time before the creation is raised too", patch(ack("2020-01-01 08:00:00.000Z")),
			atCreated(fixtures.AidOpen))},
		{aidWorker, named("an aid worker's time before the creation is raised", patch(ack(fourDaysAgo)),
			atCreated(fixtures.AidOpen))},
		{fixtures.Coordinator, tests.ApiScenario{
			Name:   "batch: a time before the creation is raised",
			Method: http.MethodPost, URL: "/api/batch",
			Body:           strings.NewReader(`{"requests":[{"method":"PATCH","url":"` + aidURL + "/" + fixtures.AidOpen + `","body":` + ack(fourDaysAgo) + `}]}`),
			ExpectedStatus: 200, ExpectedContent: []string{`"status":"acknowledged"`},
			AfterTestFunc: atCreated(fixtures.AidOpen),
		}},
		{fixtures.Coordinator, tests.ApiScenario{
			Name:   "push: a time before the creation is applied, raised to it",
			Method: http.MethodPost, URL: "/api/sync/v1/push",
			Body:           push(`{"id":"m1","collection":"aid_requests","recordId":"` + fixtures.AidOpen + `","baseRev":1,"data":` + ack(fourDaysAgo) + `}`),
			ExpectedStatus: 200, ExpectedContent: []string{`"status":"applied"`}, NotExpectedContent: []string{`"rejected"`, `"acknowledged_at":"` + fourDaysAgo},
			AfterTestFunc: atCreated(fixtures.AidOpen),
		}},
		{fixtures.Coordinator, tests.ApiScenario{
			// a coordinator's phone created and acknowledged it offline,
			// days before both reached the server: the server's created is
			// when it reached the desk
			Name:   "push: a request created and acknowledged offline days ago",
			Method: http.MethodPost, URL: "/api/sync/v1/push",
			Body: push(
				`{"id":"m1","collection":"aid_requests","recordId":"`+newID+`","baseRev":null,"data":{"requester":"`+fixtures.Coordinator+
					`","region":"sughd","needs":["water"],"urgency":"high"}}`,
				`{"id":"m2","collection":"aid_requests","recordId":"`+newID+`","baseRev":1,"data":`+ack(fourDaysAgo)+`}`),
			ExpectedStatus: 200, NotExpectedContent: []string{`"rejected"`, `"conflict"`},
			AfterTestFunc: atCreated(newID),
		}},
	}
	for i, c := range scenarios {
		s := c.s
		s.Name = fmt.Sprintf("%d_%s", i, s.Name)
		as := c.as
		if as == aidWorker {
			as = fixtures.Anonymous
		}
		s.Headers = map[string]string{}
		headers := s.Headers
		s.BeforeTestFunc = func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
			if c.as == aidWorker {
				seedRelease(t, app, e)
				fixtures.As(aidWorker, headers)(t, app, e)
			}
			createdDaysAgo(t, app, e)
		}
		scenario := fixtures.Scenario(as, s)
		scenario.Test(t)
	}
}
