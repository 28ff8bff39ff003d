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
func createdDaysAgo(t testing.TB, app *tests.TestApp, _ *core.ServeEvent) {
	t.Helper()
	_, err := app.DB().NewQuery("UPDATE aid_requests SET created = {:at} WHERE id = {:id}").
		Bind(map[string]any{"at": threeDaysAgo().String(), "id": fixtures.AidOpen}).Execute()
	if err != nil {
		t.Fatal(err)
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

// An acknowledgement made offline carries its own time; one later than now
// (a clock running fast) is lowered to now, not refused: a time in the
// future sorted the request first.
func TestAcknowledgedAt_Bounded(t *testing.T) {
	oneDayAgo := time.Now().UTC().Add(-24 * time.Hour).Truncate(time.Millisecond)
	ack := func(at string) *strings.Reader {
		return strings.NewReader(fmt.Sprintf(`{"status":"acknowledged","acknowledged_at":%q}`, at))
	}
	scenarios := []tests.ApiScenario{
		{
			Name: "a time between creation and now is kept",
			Body: ack(oneDayAgo.Format("2006-01-02 15:04:05.000Z")),
			AfterTestFunc: expectAcknowledgedAt(func(app *tests.TestApp) bool { return acknowledgedAt(app).Equal(oneDayAgo) },
				"the time sent"),
		},
		{
			// a coordinator's phone created and acknowledged it offline,
			// days before both reached the server
			Name: "a time before the request reached the server is kept",
			Body: ack("2026-11-20 08:00:00.000Z"),
			AfterTestFunc: expectAcknowledgedAt(func(app *tests.TestApp) bool {
				return acknowledgedAt(app).Equal(time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC))
			}, "the time sent"),
		},
		{
			Name: "a time in the future becomes now",
			Body: ack("2099-01-01 08:00:00.000Z"),
			AfterTestFunc: expectAcknowledgedAt(func(app *tests.TestApp) bool { return (time.Since(acknowledgedAt(app))).Abs() < time.Minute },
				"now"),
		},
	}
	for i, s := range scenarios {
		s.Name = fmt.Sprintf("%d_%s", i, s.Name)
		s.Method, s.URL = http.MethodPatch, aidURL+"/"+fixtures.AidOpen
		s.BeforeTestFunc = createdDaysAgo
		s.ExpectedStatus, s.ExpectedContent = 200, []string{`"status":"acknowledged"`}
		scenario := fixtures.Scenario(fixtures.Coordinator, s)
		scenario.Test(t)
	}
}
