package workflow_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"aman/internal/fixtures"
)

// An incident report's occurred_at later than now is lowered to now, as an
// update's published_at is: a phone with a wrong clock (or a typo) filed an
// incident in the future. It is lowered, not refused, on every write path:
// a refused push would leave a volunteer offline for days with a report
// they cannot send.
func TestOccurredAt_FutureLoweredToNow(t *testing.T) {
	const newID = "futurereport001"
	reportWith := func(id, occurred string) string {
		return fmt.Sprintf(`{"id":%q,"reporter":%q,"occurred_at":%q,"region":"sughd","category":"gunfire","description":"Shots."}`,
			id, fixtures.Volunteer, occurred)
	}
	push := func(mutations ...string) string {
		return `{"client":"device-future","mutations":[` + strings.Join(mutations, ",") + `]}`
	}
	create := func(mutation, id, occurred string) string {
		return `{"id":"` + mutation + `","collection":"incident_reports","recordId":"` + id + `","data":` + reportWith(id, occurred) + `}`
	}
	inTenMinutes := time.Now().UTC().Add(10 * time.Minute).Format("2006-01-02 15:04:05.000Z")

	scenarios := []tests.ApiScenario{
		{
			Name:   "REST: a create in 2099 is lowered to now",
			Method: http.MethodPost, URL: reportsURL, Body: strings.NewReader(reportWith(newID, "2099-01-01 00:00:00.000Z")),
			ExpectedStatus:     200,
			ExpectedContent:    []string{`"occurred_at":"20`},
			NotExpectedContent: []string{`"occurred_at":"2099`},
		},
		{
			// no clock skew is allowed, as for published_at
			Name:   "REST: a create ten minutes ahead is lowered to now",
			Method: http.MethodPost, URL: reportsURL, Body: strings.NewReader(reportWith(newID, inTenMinutes)),
			ExpectedStatus:     200,
			NotExpectedContent: []string{`"occurred_at":"` + inTenMinutes + `"`},
		},
		{
			Name:   "REST: a past time is kept",
			Method: http.MethodPost, URL: reportsURL, Body: strings.NewReader(reportWith(newID, "2026-11-25 06:00:00.000Z")),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"occurred_at":"2026-11-25 06:00:00.000Z"`},
			AfterTestFunc:   expectField("incident_reports", newID, "occurred_at", "2026-11-25 06:00:00.000Z"),
		},
		{
			Name:   "REST: an edit to 2099 is lowered to now",
			Method: http.MethodPatch, URL: reportsURL + "/" + fixtures.ReportSubmitted,
			Body:               strings.NewReader(`{"occurred_at":"2099-01-01 00:00:00.000Z"}`),
			ExpectedStatus:     200,
			NotExpectedContent: []string{`"occurred_at":"2099`},
		},
		{
			Name:   "/api/batch: a create in 2099 is lowered to now",
			Method: http.MethodPost, URL: "/api/batch",
			Body: strings.NewReader(`{"requests":[{"method":"POST","url":"` + reportsURL + `","body":` +
				reportWith(newID, "2099-01-01 00:00:00.000Z") + `}]}`),
			ExpectedStatus:     200,
			NotExpectedContent: []string{`"occurred_at":"2099`},
		},
		{
			Name:   "push: a create in 2099 is applied, lowered to now",
			Method: http.MethodPost, URL: "/api/sync/v1/push",
			Body:               strings.NewReader(push(create("m1", newID, "2099-01-01 00:00:00.000Z"))),
			ExpectedStatus:     200,
			ExpectedContent:    []string{`"status":"applied"`, `"occurred_at":"20`},
			NotExpectedContent: []string{`"occurred_at":"2099`, `"rejected"`},
		},
		{
			Name:   "push: an edit to 2099 is applied, lowered to now",
			Method: http.MethodPost, URL: "/api/sync/v1/push",
			Body: strings.NewReader(push(`{"id":"m1","collection":"incident_reports","recordId":"` +
				fixtures.ReportSubmitted + `","baseRev":1,"data":{"occurred_at":"2099-01-01 00:00:00.000Z"}}`)),
			ExpectedStatus:     200,
			ExpectedContent:    []string{`"occurred_at":"20`},
			NotExpectedContent: []string{`"occurred_at":"2099`, `"rejected"`},
		},
	}
	for i, s := range scenarios {
		s.Name = fmt.Sprintf("%d_%s", i, s.Name)
		id := newID
		if s.Method == http.MethodPatch || strings.Contains(s.Name, "an edit") {
			id = fixtures.ReportSubmitted
		}
		if s.AfterTestFunc == nil {
			s.AfterTestFunc = expectOccurredNow(id)
		}
		scenario := fixtures.Scenario(fixtures.Volunteer, s)
		scenario.Test(t)
	}
}

// The dashboard and Go code save through app.Save: the same hook lowers the
// time there, while a stored time is not judged again when the record is
// saved for another field.
func TestOccurredAt_GoSave(t *testing.T) {
	app := fixtures.Factory(t)
	collection, err := app.FindCollectionByNameOrId("incident_reports")
	if err != nil {
		t.Fatal(err)
	}
	before := time.Now().Add(-time.Second)
	report := core.NewRecord(collection)
	report.Id = "goreportfuture1"
	report.Set("reporter", fixtures.Volunteer)
	report.Set("occurred_at", "2099-01-01 00:00:00.000Z")
	report.Set("region", "sughd")
	report.Set("category", "gunfire")
	report.Set("description", "Shots.")
	if err := app.Save(report); err != nil {
		t.Fatalf("save: %v", err)
	}
	expectOccurredNow(report.Id)(t, app, nil)
	if got := report.GetDateTime("occurred_at").Time(); got.Before(before) {
		t.Fatalf("occurred_at %v, want now", got)
	}

	// a row written around the hooks keeps its time until occurred_at is
	// written again
	stale, err := app.FindRecordById("incident_reports", fixtures.ReportSubmitted)
	if err != nil {
		t.Fatal(err)
	}
	stale.Set("occurred_at", "2099-01-01 00:00:00.000Z")
	if err := app.SaveNoValidate(stale); err != nil {
		t.Fatal(err)
	}
	stale, _ = app.FindRecordById("incident_reports", fixtures.ReportSubmitted)
	stale.Set("place", "By the bridge")
	if err := app.Save(stale); err != nil {
		t.Fatalf("save: %v", err)
	}
	if got := stale.GetString("occurred_at"); got != "2099-01-01 00:00:00.000Z" {
		t.Fatalf("occurred_at %q after an edit of another field", got)
	}
}

// expectOccurredNow checks that the report's stored occurred_at is set, not
// later than now, and not older than a minute (it was lowered to now, not
// cleared or set to something else).
func expectOccurredNow(id string) func(testing.TB, *tests.TestApp, *http.Response) {
	return func(t testing.TB, app *tests.TestApp, _ *http.Response) {
		t.Helper()
		rec, err := app.FindRecordById("incident_reports", id)
		if err != nil {
			t.Fatal(err)
		}
		at := rec.GetDateTime("occurred_at").Time()
		if now := time.Now(); at.After(now) || at.Before(now.Add(-time.Minute)) {
			t.Fatalf("occurred_at %v, want now (%v)", at, now)
		}
	}
}
