package workflow_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"aman/internal/fixtures"
)

// A report is reviewed by someone other than its reporter, in every move,
// not only verifying: a coordinator who filed a report (here anonymously)
// does not take it into review, write its note or summary, dispute or
// archive it. On an anonymous report such a move was also a tell: its
// history names the reviewing coordinators and blanks the reporter's rows,
// so a blank row with a coordinator's move said a coordinator filed it.
func TestOwnReview(t *testing.T) {
	const refused = `{"code":"workflow_reviewer_is_reporter"`
	mine := reportsURL + "/" + coordinatorsReport
	submitted := func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
		seedCoordinatorsReport(t, app, e)
		setStored(t, app, coordinatorsReport, map[string]any{"status": "submitted"})
	}
	scenarios := []asScenario{
		{fixtures.Coordinator, tests.ApiScenario{
			Name:   "takes their own report into review",
			Method: http.MethodPatch, URL: mine, Body: strings.NewReader(`{"status":"in_review"}`),
			BeforeTestFunc:  submitted,
			ExpectedStatus:  400,
			ExpectedContent: []string{`"status":` + refused, "You filed this report: another coordinator reviews it."},
			AfterTestFunc:   expectField("incident_reports", coordinatorsReport, "status", "submitted"),
		}},
		{fixtures.Coordinator, tests.ApiScenario{
			Name:   "writes its public summary",
			Method: http.MethodPatch, URL: mine, Body: strings.NewReader(`{"public_summary":"Mine."}`),
			BeforeTestFunc:  seedCoordinatorsReport,
			Headers:         map[string]string{"Accept-Language": "ru"},
			ExpectedStatus:  400,
			ExpectedContent: []string{`"public_summary":` + refused, "Это сообщение подали вы"},
		}},
		{fixtures.Coordinator, tests.ApiScenario{
			Name:   "disputes it with a note",
			Method: http.MethodPatch, URL: mine, Body: strings.NewReader(`{"status":"disputed","verification_note":"Unsure."}`),
			BeforeTestFunc:  seedCoordinatorsReport,
			ExpectedStatus:  400,
			ExpectedContent: []string{`"status":` + refused, `"verification_note":` + refused},
			AfterTestFunc:   expectField("incident_reports", coordinatorsReport, "status", "in_review"),
		}},
		{fixtures.Coordinator, tests.ApiScenario{
			Name:   "batch: the whole batch fails",
			Method: http.MethodPost, URL: "/api/batch",
			Body: strings.NewReader(`{"requests":[` +
				`{"method":"PATCH","url":"` + reportsURL + "/" + fixtures.ReportSubmitted + `","body":{"status":"in_review"}},` +
				`{"method":"PATCH","url":"` + mine + `","body":{"status":"archived"}}]}`),
			BeforeTestFunc:  seedCoordinatorsReport,
			ExpectedStatus:  400,
			ExpectedContent: []string{`"status":` + refused},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				expectField("incident_reports", coordinatorsReport, "status", "in_review")(t, app, res)
				expectField("incident_reports", fixtures.ReportSubmitted, "status", "submitted")(t, app, res)
			},
		}},
		{fixtures.Coordinator, tests.ApiScenario{
			Name:   "push: an offline move is rejected with the code",
			Method: http.MethodPost, URL: "/api/sync/v1/push",
			Body:            onePush("device-own", "incident_reports", coordinatorsReport, "1", `{"status":"archived"}`),
			BeforeTestFunc:  seedCoordinatorsReport,
			ExpectedStatus:  200,
			ExpectedContent: []string{`"status":"rejected"`, `"status":` + refused},
			AfterTestFunc:   expectField("incident_reports", coordinatorsReport, "status", "in_review"),
		}},

		// what stays allowed
		{fixtures.Coordinator, tests.ApiScenario{
			Name:   "sends the whole report back unchanged",
			Method: http.MethodPatch, URL: mine, Body: strings.NewReader(`{"status":"in_review","public_summary":"Shelling reported in Batken."}`),
			BeforeTestFunc:  seedCoordinatorsReport,
			ExpectedStatus:  200,
			ExpectedContent: []string{`"status":"in_review"`},
		}},
		{fixtures.Coordinator, tests.ApiScenario{
			Name:   "reviews a volunteer's report",
			Method: http.MethodPatch, URL: reportsURL + "/" + fixtures.ReportSubmitted, Body: strings.NewReader(`{"status":"in_review"}`),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"status":"in_review"`},
		}},
		{fixtures.Superuser, tests.ApiScenario{
			Name:   "a superuser moves it",
			Method: http.MethodPatch, URL: mine, Body: strings.NewReader(`{"status":"disputed","verification_note":"Checked by the admin."}`),
			BeforeTestFunc:  seedCoordinatorsReport,
			ExpectedStatus:  200,
			ExpectedContent: []string{`"status":"disputed"`},
		}},
	}
	runAs(t, scenarios)
}
