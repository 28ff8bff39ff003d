package workflow_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"aman/internal/fixtures"
)

// A coordinator writes the public summary from the reporter's
// description, which may hold a victim's phone number, an e-mail or a
// point read off a map; pasting one sentence too many published it to
// everyone. Such a summary is refused when it is written and when the
// report becomes verified (a text stored before the check is judged
// before the public reads it), on every path.
func TestPublicSummaryPrivate(t *testing.T) {
	const refused = `"public_summary":{"code":"workflow_public_summary_private"`
	const inReviewSummary = "Shelling reported in Batken."
	inReview := reportsURL + "/" + fixtures.ReportInReview
	verify := func(summary string) string {
		return `{"status":"verified","verified_by":"coordinator0001","verification_note":"Two calls.","public_summary":"` + summary + `"}`
	}
	stored := func(summary string) func(testing.TB, *tests.TestApp, *core.ServeEvent) {
		return func(t testing.TB, app *tests.TestApp, _ *core.ServeEvent) {
			setStored(t, app, fixtures.ReportInReview, map[string]any{"public_summary": summary})
		}
	}
	scenarios := []asScenario{
		{fixtures.Coordinator, tests.ApiScenario{
			Name:   "a phone number written in review",
			Method: http.MethodPatch, URL: inReview, Body: strings.NewReader(`{"public_summary":"Call +992 92 777 12 34."}`),
			ExpectedStatus:  400,
			ExpectedContent: []string{refused, `"found":"phone"`, "Everyone can read the public summary"},
			AfterTestFunc:   expectField("incident_reports", fixtures.ReportInReview, "public_summary", inReviewSummary),
		}},
		{fixtures.Coordinator, tests.ApiScenario{
			Name:   "verified with an e-mail address",
			Method: http.MethodPatch, URL: inReview, Body: strings.NewReader(verify("Write to zarina.k@mail.ru.")),
			Headers:         map[string]string{"Accept-Language": "ru"},
			ExpectedStatus:  400,
			ExpectedContent: []string{refused, `"found":"email"`, "читают все"},
			AfterTestFunc:   expectField("incident_reports", fixtures.ReportInReview, "status", "in_review"),
		}},
		{fixtures.Coordinator, tests.ApiScenario{
			Name:   "verified with exact coordinates stored before",
			Method: http.MethodPatch, URL: inReview,
			Body:            strings.NewReader(`{"status":"verified","verified_by":"coordinator0001","verification_note":"Two calls."}`),
			BeforeTestFunc:  stored("Hit at 40.123456, 70.654321."),
			ExpectedStatus:  400,
			ExpectedContent: []string{refused, `"found":"coordinates"`},
			AfterTestFunc:   expectField("incident_reports", fixtures.ReportInReview, "status", "in_review"),
		}},
		{fixtures.Superuser, tests.ApiScenario{
			Name:   "a superuser too",
			Method: http.MethodPatch, URL: inReview, Body: strings.NewReader(`{"public_summary":"Родственники: 0555 123 456"}`),
			ExpectedStatus:  400,
			ExpectedContent: []string{refused},
		}},
		{fixtures.Coordinator, tests.ApiScenario{
			Name:   "push: rejected with the code",
			Method: http.MethodPost, URL: "/api/sync/v1/push",
			Body:            onePush("device-summary", "incident_reports", fixtures.ReportInReview, "1", `{"public_summary":"Tel. (3422) 2-34-56"}`),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"status":"rejected"`, refused},
			AfterTestFunc:   expectField("incident_reports", fixtures.ReportInReview, "public_summary", inReviewSummary),
		}},

		// what a summary is made of passes
		{fixtures.Coordinator, tests.ApiScenario{
			Name:   "verified with dates, counts and amounts",
			Method: http.MethodPatch, URL: inReview,
			Body:            strings.NewReader(verify("14.09.2022 at 16:30: 3 killed, 12 injured, damage 150 000 000 som.")),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"status":"verified"`},
		}},
		{fixtures.Coordinator, tests.ApiScenario{
			// a stored text is judged when it is published, not on
			// every later save
			Name:   "other fields of a report in review with such a text stored",
			Method: http.MethodPatch, URL: inReview, Body: strings.NewReader(`{"verification_note":"Calling back."}`),
			BeforeTestFunc:  stored("Call +992 92 777 12 34."),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"verification_note":"Calling back."`},
		}},
	}
	runAs(t, scenarios)
}
