package workflow_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"aman/internal/fixtures"
)

// What the public reads as verified is what a second pair of eyes
// approved: while a report is verified and stays verified, the fields
// public_incidents shows and the review behind them do not change, for
// anyone. A coordinator (any, not only the verifier) could rewrite the
// public summary, the note and the sources of a verified report, and a
// superuser all of it. A correction reopens the report and verifies it
// again; both moves may carry the new values.
func TestVerifiedFixed(t *testing.T) {
	const fixed = `{"code":"workflow_verified_fixed"`
	verified := reportsURL + "/" + fixtures.ReportVerified
	refused := func(as, name, body, field, want string) asScenario {
		return asScenario{as, tests.ApiScenario{
			Name:   name,
			Method: http.MethodPatch, URL: verified, Body: strings.NewReader(body),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"` + field + `":` + fixed, "A verified report cannot be changed: reopen it for review first."},
			AfterTestFunc:   expectField("incident_reports", fixtures.ReportVerified, field, want),
		}}
	}
	push := func(data string) string {
		return `{"client":"device-fixed","mutations":[{"id":"m1","collection":"incident_reports","recordId":"` +
			fixtures.ReportVerified + `","baseRev":1,"data":` + data + `}]}`
	}
	const summary = "Shelling reported in Batken."
	scenarios := []asScenario{
		refused(fixtures.Coordinator, "coordinator rewrites the public summary", `{"public_summary":"Rewritten."}`, "public_summary", summary),
		refused(fixtures.Coordinator, "coordinator rewrites the note", `{"verification_note":"Rewritten."}`, "verification_note", fixtures.VerificationNote),
		// no other note would pass either: the change is the refusal
		refused(fixtures.Coordinator, "coordinator clears the note", `{"verification_note":""}`, "verification_note", fixtures.VerificationNote),
		refused(fixtures.Coordinator, "coordinator adds sources", `{"sources":"A post on Telegram."}`, "sources", ""),
		refused(fixtures.Coordinator, "coordinator moves the verification time", `{"verified_at":"2026-11-22 10:00:00.000Z"}`, "verified_at", "2026-11-21 10:00:00.000Z"),
		refused(fixtures.Coordinator, "coordinator clears the verifier", `{"verified_by":""}`, "verified_by", fixtures.Coordinator),
		refused(fixtures.Superuser, "superuser rewrites the public summary", `{"public_summary":"Rewritten."}`, "public_summary", summary),
		refused(fixtures.Superuser, "superuser moves the time", `{"occurred_at":"2026-11-19 08:30:00.000Z"}`, "occurred_at", "2026-11-20 08:30:00.000Z"),
		refused(fixtures.Superuser, "superuser moves the region", `{"region":"sughd"}`, "region", "batken"),
		refused(fixtures.Superuser, "superuser names a district", `{"district":"kgbatkenleilek0"}`, "district", ""),
		refused(fixtures.Superuser, "superuser moves the point", `{"location":{"lon":70.1,"lat":40.1}}`, "location", `{"lon":70.654321,"lat":40.123456}`),
		refused(fixtures.Superuser, "superuser changes the category", `{"category":"gunfire"}`, "category", "shelling"),
		refused(fixtures.Superuser, "superuser changes the dead", `{"killed":3}`, "killed", "0"),
		refused(fixtures.Superuser, "superuser changes the injured", `{"injured":2}`, "injured", "0"),
		refused(fixtures.Superuser, "superuser changes the sources", `{"sources":"x"}`, "sources", ""),
		refused(fixtures.Superuser, "superuser clears the note", `{"verification_note":""}`, "verification_note", fixtures.VerificationNote),
		{fixtures.Superuser, tests.ApiScenario{
			// reporter is not a verified field (the public never reads it),
			// but naming the verifier as reporter would make the report one
			// its reporter verified
			Name:   "superuser names the verifier as the reporter",
			Method: http.MethodPatch, URL: verified, Body: strings.NewReader(`{"reporter":"` + fixtures.Coordinator + `"}`),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"verified_by":{"code":"workflow_verifier_is_reporter"`},
			AfterTestFunc:   expectField("incident_reports", fixtures.ReportVerified, "reporter", fixtures.Volunteer),
		}},
		{fixtures.Superuser, tests.ApiScenario{
			Name:   "superuser corrects the reporter to another person",
			Method: http.MethodPatch, URL: verified, Body: strings.NewReader(`{"reporter":"` + fixtures.Editor + `"}`),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"reporter":"` + fixtures.Editor + `"`},
		}},
		{fixtures.Coordinator, tests.ApiScenario{
			Name:   "the refusal is localized",
			Method: http.MethodPatch, URL: verified, Body: strings.NewReader(`{"public_summary":"Rewritten."}`),
			Headers:         map[string]string{"Accept-Language": "ru"},
			ExpectedStatus:  400,
			ExpectedContent: []string{`"public_summary":` + fixed, "Подтверждённое сообщение нельзя изменить: сначала верните его на проверку."},
		}},
		{fixtures.Coordinator, tests.ApiScenario{
			Name:   "batch: the whole batch fails",
			Method: http.MethodPost, URL: "/api/batch",
			Body: strings.NewReader(`{"requests":[` +
				`{"method":"PATCH","url":"` + reportsURL + "/" + fixtures.ReportSubmitted + `","body":{"status":"in_review"}},` +
				`{"method":"PATCH","url":"` + verified + `","body":{"public_summary":"Rewritten."}}]}`),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"public_summary":` + fixed},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				expectField("incident_reports", fixtures.ReportVerified, "public_summary", summary)(t, app, res)
				expectField("incident_reports", fixtures.ReportSubmitted, "status", "submitted")(t, app, res)
			},
		}},
		{fixtures.Coordinator, tests.ApiScenario{
			// a coordinator's edit made offline
			Name:   "push: rejected with the code",
			Method: http.MethodPost, URL: "/api/sync/v1/push", Body: strings.NewReader(push(`{"public_summary":"Rewritten offline."}`)),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"status":"rejected"`, `"code":"sync_validation_failed"`, `"public_summary":` + fixed},
			AfterTestFunc:   expectField("incident_reports", fixtures.ReportVerified, "public_summary", summary),
		}},

		// what stays allowed
		{fixtures.Coordinator, tests.ApiScenario{
			Name:   "the whole record sent back unchanged",
			Method: http.MethodPatch, URL: verified,
			Body: strings.NewReader(`{"status":"verified","verified_by":"coordinator0001","verified_at":"2026-11-21T10:00:00Z",` +
				`"verification_note":"` + fixtures.VerificationNote + `","sources":"","public_summary":"` + summary + `",` +
				`"occurred_at":"2026-11-20 08:30:00.000Z","region":"batken","district":"","category":"shelling","killed":0,"injured":0,` +
				`"location":{"lon":70.654321,"lat":40.123456}}`),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"status":"verified"`, `"public_summary":"` + summary + `"`},
		}},
		{fixtures.Coordinator, tests.ApiScenario{
			Name:   "reopened with a corrected summary",
			Method: http.MethodPatch, URL: verified, Body: strings.NewReader(`{"status":"in_review","public_summary":"Corrected."}`),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"status":"in_review"`, `"public_summary":"Corrected."`},
		}},
		{fixtures.Coordinator, tests.ApiScenario{
			Name:   "verified again with it, after a reopening",
			Method: http.MethodPatch, URL: verified,
			Body:           strings.NewReader(`{"status":"verified","verified_by":"coordinator0001","public_summary":"Corrected again.","sources":"Two calls."}`),
			BeforeTestFunc: reopenTheVerified,
			ExpectedStatus: 200,
			ExpectedContent: []string{`"status":"verified"`, `"public_summary":"Corrected again."`, `"sources":"Two calls."`,
				`"verified_by":"coordinator0001"`},
		}},
		{fixtures.Coordinator, tests.ApiScenario{
			// an archived report leaves the public view, as a reopened one
			Name:   "archived with a note",
			Method: http.MethodPatch, URL: verified, Body: strings.NewReader(`{"status":"archived","verification_note":"Withdrawn by the reporter."}`),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"status":"archived"`},
		}},
		{fixtures.Volunteer, tests.ApiScenario{
			Name:   "its reporter hides their name",
			Method: http.MethodPatch, URL: verified, Body: strings.NewReader(`{"anonymous":true}`),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"anonymous":true`, `"status":"verified"`},
			AfterTestFunc:   expectField("incident_reports", fixtures.ReportVerified, "anonymous", "true"),
		}},
		{fixtures.Volunteer, tests.ApiScenario{
			// a stored occurred_at later than now (written around the
			// hooks) is not judged again, nor taken for a change
			Name:   "its reporter hides their name on a report stored in the future",
			Method: http.MethodPatch, URL: verified, Body: strings.NewReader(`{"anonymous":true}`),
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, _ *core.ServeEvent) {
				setStored(t, app, fixtures.ReportVerified, map[string]any{"occurred_at": "2099-01-01 00:00:00.000Z"})
			},
			ExpectedStatus:  200,
			ExpectedContent: []string{`"anonymous":true`, `"occurred_at":"2099-01-01 00:00:00.000Z"`},
			AfterTestFunc:   expectField("incident_reports", fixtures.ReportVerified, "occurred_at", "2099-01-01 00:00:00.000Z"),
		}},
		{fixtures.Superuser, tests.ApiScenario{
			// a name in the text that endangers someone is taken out
			// without taking the incident off the public list
			Name:   "superuser redacts the description and the place",
			Method: http.MethodPatch, URL: verified, Body: strings.NewReader(`{"description":"Shelling near the school.","place":"Batken"}`),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"status":"verified"`, `"description":"Shelling near the school."`},
		}},
		{fixtures.Coordinator, tests.ApiScenario{
			Name:   "push: reopened with a corrected summary",
			Method: http.MethodPost, URL: "/api/sync/v1/push", Body: strings.NewReader(push(`{"status":"in_review","public_summary":"Corrected offline."}`)),
			ExpectedStatus:     200,
			ExpectedContent:    []string{`"status":"applied"`},
			NotExpectedContent: []string{`"rejected"`},
			AfterTestFunc:      expectField("incident_reports", fixtures.ReportVerified, "public_summary", "Corrected offline."),
		}},
	}
	runAs(t, scenarios)
}

// reopenTheVerified takes the verified fixture back into review, as a
// coordinator's reopening does (through the hooks).
func reopenTheVerified(t testing.TB, app *tests.TestApp, _ *core.ServeEvent) {
	t.Helper()
	report, err := app.FindRecordById("incident_reports", fixtures.ReportVerified)
	if err != nil {
		t.Fatal(err)
	}
	report.Set("status", "in_review")
	if err := app.Save(report); err != nil {
		t.Fatal(err)
	}
}

// The dashboard and Go code save through app.Save: the same rule.
func TestVerifiedFixed_GoSave(t *testing.T) {
	app := fixtures.Factory(t)
	report, err := app.FindRecordById("incident_reports", fixtures.ReportVerified)
	if err != nil {
		t.Fatal(err)
	}
	report.Set("public_summary", "Rewritten in the dashboard.")
	if got := errorCode(app.Save(report)); got != "workflow_verified_fixed" {
		t.Fatalf("error code = %q, want workflow_verified_fixed", got)
	}
	report.Set("status", "in_review")
	if err := app.Save(report); err != nil {
		t.Fatalf("reopening with the change: %v", err)
	}
}
