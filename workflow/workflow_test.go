package workflow_test

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"aman/internal/fixtures"
	"aman/internal/testapp"
)

const (
	reportsURL = "/api/collections/incident_reports/records"
	aidURL     = "/api/collections/aid_requests/records"
)

// expectField returns an AfterTestFunc that checks a stored field value.
func expectField(collection, id, field, want string) func(testing.TB, *tests.TestApp, *http.Response) {
	return func(t testing.TB, app *tests.TestApp, _ *http.Response) {
		record, err := app.FindRecordById(collection, id)
		if err != nil {
			t.Fatalf("find %s/%s: %v", collection, id, err)
		}
		if got := record.GetString(field); got != want {
			t.Fatalf("%s.%s = %q, want %q", id, field, got, want)
		}
	}
}

// coordinatorsReport is a report the fixture's coordinator filed, in review.
const coordinatorsReport = "rcoordinator001"

func seedCoordinatorsReport(t testing.TB, app *tests.TestApp, _ *core.ServeEvent) {
	t.Helper()
	mine, err := app.FindRecordById("incident_reports", fixtures.ReportInReview)
	if err != nil {
		t.Fatal(err)
	}
	report := mine.Fresh()
	report.Id = coordinatorsReport
	report.MarkAsNew()
	report.Set("reporter", fixtures.Coordinator)
	report.Set("anonymous", true)
	if err := app.SaveNoValidate(report); err != nil {
		t.Fatal(err)
	}
}

// archivedVerified makes the archived fixture one that had been verified
// before it was archived.
func archivedVerified(t testing.TB, app *tests.TestApp, _ *core.ServeEvent) {
	t.Helper()
	setStored(t, app, fixtures.ReportArchived, map[string]any{
		"verified_by": fixtures.Coordinator, "verified_at": "2026-11-20 10:00:00.000Z",
	})
}

// presetVerifier leaves another coordinator's name in verified_by of the
// report in review, as an unfinished verification would (any user but
// the requester does).
func presetVerifier(t testing.TB, app *tests.TestApp, _ *core.ServeEvent) {
	t.Helper()
	setStored(t, app, fixtures.ReportInReview, map[string]any{"verified_by": fixtures.Editor})
}

func setStored(t testing.TB, app *tests.TestApp, id string, fields map[string]any) {
	t.Helper()
	report, err := app.FindRecordById("incident_reports", id)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range fields {
		report.Set(k, v)
	}
	if err := app.SaveNoValidate(report); err != nil {
		t.Fatal(err)
	}
}

func TestReportTransitions_API(t *testing.T) {
	const newReport = `{"id":"clientmade00001","reporter":"volunteer000001","occurred_at":"2026-11-25 06:00:00.000Z",` +
		`"region":"sughd","category":"gunfire","description":"Shots heard at night"%s}`
	verifyBody := `{"status":"verified","verified_by":"coordinator0001","verified_at":"2026-11-26 10:00:00.000Z",` +
		`"verification_note":"Two witnesses and a photo."}`
	scenarios := []struct {
		as string
		s  tests.ApiScenario
	}{
		{fixtures.Volunteer, tests.ApiScenario{
			Name:   "volunteer creates without status: starts submitted",
			Method: http.MethodPost, URL: reportsURL, Body: strings.NewReader(fmt.Sprintf(newReport, "")),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"id":"clientmade00001"`, `"status":"submitted"`},
		}},
		{fixtures.Volunteer, tests.ApiScenario{
			Name:   "volunteer creates as submitted",
			Method: http.MethodPost, URL: reportsURL, Body: strings.NewReader(fmt.Sprintf(newReport, `,"status":"submitted"`)),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"status":"submitted"`},
		}},
		{fixtures.Superuser, tests.ApiScenario{
			Name:   "even a superuser cannot create a report past submitted",
			Method: http.MethodPost, URL: reportsURL, Body: strings.NewReader(fmt.Sprintf(newReport, `,"status":"in_review"`)),
			ExpectedStatus: 400,
			ExpectedContent: []string{`"status":{"code":"workflow_invalid_initial_status"`,
				`"initial":"submitted"`, `"status":"in_review"`},
		}},
		{fixtures.Superuser, tests.ApiScenario{
			Name:   "unknown status is left to the select validator",
			Method: http.MethodPatch, URL: reportsURL + "/" + fixtures.ReportSubmitted, Body: strings.NewReader(`{"status":"done"}`),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"status":{"code":"validation_invalid_value"`},
		}},
		{fixtures.Coordinator, tests.ApiScenario{
			Name:   "coordinator takes a submitted report in review",
			Method: http.MethodPatch, URL: reportsURL + "/" + fixtures.ReportSubmitted, Body: strings.NewReader(`{"status":"in_review"}`),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"status":"in_review"`},
		}},
		{fixtures.Coordinator, tests.ApiScenario{
			Name:   "submitted cannot jump to verified",
			Method: http.MethodPatch, URL: reportsURL + "/" + fixtures.ReportSubmitted, Body: strings.NewReader(verifyBody),
			ExpectedStatus: 400,
			ExpectedContent: []string{`"status":{"code":"workflow_invalid_transition"`,
				`"message":"Cannot change status from submitted to verified."`, `"params":{"from":"submitted","to":"verified"}`},
			AfterTestFunc: expectField("incident_reports", fixtures.ReportSubmitted, "status", "submitted"),
		}},
		{fixtures.Superuser, tests.ApiScenario{
			Name:   "verified needs verifier and note (the time is stamped)",
			Method: http.MethodPatch, URL: reportsURL + "/" + fixtures.ReportInReview, Body: strings.NewReader(`{"status":"verified","verification_note":"  "}`),
			ExpectedStatus: 400,
			ExpectedContent: []string{`"verified_by":{"code":"workflow_required_for_status"`,
				`"verification_note":{"code":"workflow_required_for_status"`, `"params":{"status":"verified"}`},
			NotExpectedContent: []string{`"verified_at":{"code"`},
			AfterTestFunc:      expectField("incident_reports", fixtures.ReportInReview, "status", "in_review"),
		}},
		{fixtures.Superuser, tests.ApiScenario{
			Name:   "verifier must be a coordinator",
			Method: http.MethodPatch, URL: reportsURL + "/" + fixtures.ReportInReview,
			Body:            strings.NewReader(strings.Replace(verifyBody, fixtures.Coordinator, fixtures.Editor, 1)),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"verified_by":{"code":"workflow_verifier_not_coordinator"`},
		}},
		{fixtures.Coordinator, tests.ApiScenario{
			// nor review it at all (own_review_test.go)
			Name:   "a coordinator does not verify their own report",
			Method: http.MethodPatch, URL: reportsURL + "/" + coordinatorsReport, Body: strings.NewReader(verifyBody),
			BeforeTestFunc: seedCoordinatorsReport,
			ExpectedStatus: 400,
			ExpectedContent: []string{`"verified_by":{"code":"workflow_reviewer_is_reporter"`,
				`"message":"You filed this report: another coordinator reviews it."`},
			AfterTestFunc: expectField("incident_reports", coordinatorsReport, "status", "in_review"),
		}},
		{fixtures.Superuser, tests.ApiScenario{
			Name:   "nor does a superuser name its reporter",
			Method: http.MethodPatch, URL: reportsURL + "/" + coordinatorsReport, Body: strings.NewReader(verifyBody),
			BeforeTestFunc:  seedCoordinatorsReport,
			ExpectedStatus:  400,
			ExpectedContent: []string{`"verified_by":{"code":"workflow_verifier_is_reporter"`},
		}},
		{fixtures.Coordinator, tests.ApiScenario{
			Name:   "coordinator verifies a report in review",
			Method: http.MethodPatch, URL: reportsURL + "/" + fixtures.ReportInReview, Body: strings.NewReader(verifyBody),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"status":"verified"`, `"verified_by":"coordinator0001"`},
		}},
		{fixtures.Coordinator, tests.ApiScenario{
			// refused as a change of what was verified (TestVerifiedFixed)
			Name:   "a verified report cannot lose its note",
			Method: http.MethodPatch, URL: reportsURL + "/" + fixtures.ReportVerified, Body: strings.NewReader(`{"verification_note":""}`),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"verification_note":{"code":"workflow_verified_fixed"`},
		}},
		{fixtures.Coordinator, tests.ApiScenario{
			Name:   "verified cannot go straight to disputed",
			Method: http.MethodPatch, URL: reportsURL + "/" + fixtures.ReportVerified, Body: strings.NewReader(`{"status":"disputed"}`),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"params":{"from":"verified","to":"disputed"}`},
		}},
		{fixtures.Coordinator, tests.ApiScenario{
			Name:   "reopening a verified report clears verifier and time, keeps the note",
			Method: http.MethodPatch, URL: reportsURL + "/" + fixtures.ReportVerified, Body: strings.NewReader(`{"status":"in_review"}`),
			ExpectedStatus: 200,
			ExpectedContent: []string{`"status":"in_review"`, `"verified_by":""`, `"verified_at":""`,
				`"verification_note":"` + fixtures.VerificationNote + `"`},
		}},
		{fixtures.Coordinator, tests.ApiScenario{
			// archiving keeps the verifier; a restored report is decided afresh
			Name:   "restoring an archived verified report clears verifier and time",
			Method: http.MethodPatch, URL: reportsURL + "/" + fixtures.ReportArchived, Body: strings.NewReader(`{"status":"in_review"}`),
			BeforeTestFunc:  archivedVerified,
			ExpectedStatus:  200,
			ExpectedContent: []string{`"status":"in_review"`, `"verified_by":""`, `"verified_at":""`},
			AfterTestFunc:   expectField("incident_reports", fixtures.ReportArchived, "verified_by", ""),
		}},
		{fixtures.Coordinator, tests.ApiScenario{
			// the "not the reporter" check would otherwise judge a colleague
			// who had put their name in earlier
			Name:   "a coordinator who verifies names themselves in the same request",
			Method: http.MethodPatch, URL: reportsURL + "/" + fixtures.ReportInReview,
			Body:            strings.NewReader(`{"status":"verified","verified_at":"2026-11-26 10:00:00.000Z","verification_note":"Two witnesses."}`),
			BeforeTestFunc:  presetVerifier,
			ExpectedStatus:  404,
			ExpectedContent: []string{`"status":404`},
			AfterTestFunc:   expectField("incident_reports", fixtures.ReportInReview, "status", "in_review"),
		}},
		{fixtures.Coordinator, tests.ApiScenario{
			Name:   "coordinator sends a report back to submitted",
			Method: http.MethodPatch, URL: reportsURL + "/" + fixtures.ReportInReview, Body: strings.NewReader(`{"status":"submitted"}`),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"status":"submitted"`},
		}},
		{fixtures.Coordinator, tests.ApiScenario{
			Name:   "disputed goes back to in_review",
			Method: http.MethodPatch, URL: reportsURL + "/" + fixtures.ReportDisputed, Body: strings.NewReader(`{"status":"in_review"}`),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"status":"in_review"`},
		}},
		{fixtures.Coordinator, tests.ApiScenario{
			Name:   "archived cannot be verified directly",
			Method: http.MethodPatch, URL: reportsURL + "/" + fixtures.ReportArchived, Body: strings.NewReader(verifyBody),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"params":{"from":"archived","to":"verified"}`},
		}},
		{fixtures.Coordinator, tests.ApiScenario{
			Name:   "anything can be archived",
			Method: http.MethodPatch, URL: reportsURL + "/" + fixtures.ReportFalse, Body: strings.NewReader(`{"status":"archived"}`),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"status":"archived"`},
		}},
		{fixtures.Coordinator, tests.ApiScenario{
			Name:   "clearing the status is refused",
			Method: http.MethodPatch, URL: reportsURL + "/" + fixtures.ReportInReview, Body: strings.NewReader(`{"status":""}`),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"status":{"code":"validation_required"`},
		}},
		{fixtures.Superuser, tests.ApiScenario{
			Name:   "batch: the whole batch fails on a bad transition",
			Method: http.MethodPost, URL: "/api/batch",
			Body: strings.NewReader(`{"requests":[` +
				`{"method":"PATCH","url":"` + reportsURL + "/" + fixtures.ReportDisputed + `","body":{"status":"in_review"}},` +
				`{"method":"PATCH","url":"` + reportsURL + "/" + fixtures.ReportSubmitted + `","body":{"status":"false"}}]}`),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"code":"workflow_invalid_transition"`, `"from":"submitted"`, `"to":"false"`},
			AfterTestFunc:   expectField("incident_reports", fixtures.ReportDisputed, "status", "disputed"),
		}},
	}
	for i, sc := range scenarios {
		sc.s.Name = fmt.Sprintf("%d_%s_%s", i, fixtures.Role(sc.as), sc.s.Name)
		scenario := fixtures.Scenario(sc.as, sc.s)
		scenario.Test(t)
	}
}

func TestAidTransitions_API(t *testing.T) {
	const newRequest = `{"requester":"volunteer000001","region":"batken","needs":["food"],"urgency":"normal"%s}`
	scenarios := []struct {
		as string
		s  tests.ApiScenario
	}{
		{fixtures.Volunteer, tests.ApiScenario{
			Name:   "volunteer creates a request: starts open",
			Method: http.MethodPost, URL: aidURL, Body: strings.NewReader(fmt.Sprintf(newRequest, "")),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"status":"open"`, `"acknowledged_at":""`},
		}},
		{fixtures.Superuser, tests.ApiScenario{
			Name:   "a request cannot be created fulfilled",
			Method: http.MethodPost, URL: aidURL, Body: strings.NewReader(fmt.Sprintf(newRequest, `,"status":"fulfilled"`)),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"status":{"code":"workflow_invalid_initial_status"`, `"initial":"open"`},
		}},
		{fixtures.Coordinator, tests.ApiScenario{
			Name:   "open cannot be fulfilled",
			Method: http.MethodPatch, URL: aidURL + "/" + fixtures.AidOpen, Body: strings.NewReader(`{"status":"fulfilled"}`),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"params":{"from":"open","to":"fulfilled"}`},
			AfterTestFunc:   expectField("aid_requests", fixtures.AidOpen, "status", "open"),
		}},
		{fixtures.Coordinator, tests.ApiScenario{
			Name:   "open cannot skip to in_progress",
			Method: http.MethodPatch, URL: aidURL + "/" + fixtures.AidOpen, Body: strings.NewReader(`{"status":"in_progress"}`),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"params":{"from":"open","to":"in_progress"}`},
		}},
		{fixtures.Coordinator, tests.ApiScenario{
			Name:   "acknowledging stamps acknowledged_at",
			Method: http.MethodPatch, URL: aidURL + "/" + fixtures.AidOpen, Body: strings.NewReader(`{"status":"acknowledged"}`),
			ExpectedStatus:     200,
			ExpectedContent:    []string{`"status":"acknowledged"`, `"acknowledged_at":"20`},
			NotExpectedContent: []string{`"acknowledged_at":""`},
		}},
		{fixtures.Coordinator, tests.ApiScenario{
			Name:   "acknowledging keeps a given acknowledged_at",
			Method: http.MethodPatch, URL: aidURL + "/" + fixtures.AidOpen,
			BeforeTestFunc:  createdOn("2026-11-20 07:00:00.000Z"),
			Body:            strings.NewReader(`{"status":"acknowledged","acknowledged_at":"2026-11-24 07:00:00.000Z"}`),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"acknowledged_at":"2026-11-24 07:00:00.000Z"`},
		}},
		{fixtures.Coordinator, tests.ApiScenario{
			Name:   "acknowledged can be fulfilled",
			Method: http.MethodPatch, URL: aidURL + "/" + fixtures.AidAcknowledged, Body: strings.NewReader(`{"status":"fulfilled"}`),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"status":"fulfilled"`, `"acknowledged_at":"2026-11-22 09:00:00.000Z"`},
		}},
		{fixtures.Coordinator, tests.ApiScenario{
			Name:   "in_progress cannot lose acknowledged_at",
			Method: http.MethodPatch, URL: aidURL + "/" + fixtures.AidInProgress, Body: strings.NewReader(`{"acknowledged_at":""}`),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"acknowledged_at":{"code":"workflow_required_for_status"`, `"params":{"status":"in_progress"}`},
		}},
		{fixtures.Coordinator, tests.ApiScenario{
			Name:   "fulfilled is closed",
			Method: http.MethodPatch, URL: aidURL + "/" + fixtures.AidFulfilled, Body: strings.NewReader(`{"status":"closed"}`),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"status":"closed"`},
		}},
		{fixtures.Coordinator, tests.ApiScenario{
			Name:   "fulfilled cannot be cancelled",
			Method: http.MethodPatch, URL: aidURL + "/" + fixtures.AidFulfilled, Body: strings.NewReader(`{"status":"cancelled"}`),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"params":{"from":"fulfilled","to":"cancelled"}`},
		}},
		{fixtures.Coordinator, tests.ApiScenario{
			Name:   "closed is final",
			Method: http.MethodPatch, URL: aidURL + "/" + fixtures.AidClosed, Body: strings.NewReader(`{"status":"open"}`),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"params":{"from":"closed","to":"open"}`},
		}},
		{fixtures.Coordinator, tests.ApiScenario{
			Name:   "in_progress can be cancelled",
			Method: http.MethodPatch, URL: aidURL + "/" + fixtures.AidInProgress, Body: strings.NewReader(`{"status":"cancelled"}`),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"status":"cancelled"`},
		}},
		{fixtures.Coordinator, tests.ApiScenario{
			Name:   "cancelled is reopened",
			Method: http.MethodPatch, URL: aidURL + "/" + fixtures.AidCancelled, Body: strings.NewReader(`{"status":"open"}`),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"status":"open"`},
		}},
	}
	for i, sc := range scenarios {
		sc.s.Name = fmt.Sprintf("%d_%s_%s", i, fixtures.Role(sc.as), sc.s.Name)
		scenario := fixtures.Scenario(sc.as, sc.s)
		scenario.Test(t)
	}
}

// TestTransitions_GoSave checks that Go code calling app.Save (the sync
// engine, custom routes) gets the same errors, inside transactions too.
func TestTransitions_GoSave(t *testing.T) {
	app := testapp.New(t)
	if err := fixtures.Seed(app); err != nil {
		t.Fatal(err)
	}
	scenarios := []struct {
		collection, id, status string
		code                   string // "" = allowed
	}{
		{"incident_reports", fixtures.ReportSubmitted, "verified", "workflow_invalid_transition"},
		{"incident_reports", fixtures.ReportSubmitted, "in_review", ""},
		{"incident_reports", fixtures.ReportInReview, "verified", "workflow_required_for_status"},
		{"aid_requests", fixtures.AidOpen, "closed", "workflow_invalid_transition"},
		{"aid_requests", fixtures.AidOpen, "acknowledged", ""},
	}
	for i, s := range scenarios {
		t.Run(fmt.Sprintf("%d_%s_%s", i, s.id, s.status), func(t *testing.T) {
			err := app.RunInTransaction(func(tx core.App) error {
				record, err := tx.FindRecordById(s.collection, s.id)
				if err != nil {
					return err
				}
				record.Set("status", s.status)
				return tx.Save(record)
			})
			if s.code == "" {
				if err != nil {
					t.Fatalf("save: %v", err)
				}
				return
			}
			if got := errorCode(err); got != s.code {
				t.Fatalf("error code = %q (%v), want %q", got, err, s.code)
			}
		})
	}
}

func errorCode(err error) string {
	var errs validation.Errors
	if !errors.As(err, &errs) {
		return ""
	}
	for _, fieldErr := range errs {
		var ve validation.Error
		if errors.As(fieldErr, &ve) {
			return ve.Code()
		}
	}
	return ""
}

// apiCase is one request of a table test: who sends it, what, on which
// prepared app (before: nil for the fixtures), and what comes back.
type apiCase struct {
	as, name, method, url, body string
	before                      func(testing.TB, *tests.TestApp, *core.ServeEvent)
	status                      int
	want                        []string
}

// runCases runs cases as their senders, in lang ("" for none).
func runCases(t *testing.T, lang string, cases []apiCase) {
	t.Helper()
	for _, c := range cases {
		var headers map[string]string
		if lang != "" {
			headers = map[string]string{"Accept-Language": lang}
		}
		scenario := fixtures.Scenario(c.as, tests.ApiScenario{
			Name:   fixtures.Role(c.as) + "_" + strings.ReplaceAll(c.name, " ", "_"),
			Method: c.method, URL: c.url, Body: strings.NewReader(c.body),
			Headers:         headers,
			BeforeTestFunc:  c.before,
			ExpectedStatus:  c.status,
			ExpectedContent: c.want,
		})
		scenario.Test(t)
	}
}

// asScenario is an API scenario run as a fixture user (fixtures.Scenario).
type asScenario struct {
	as string
	s  tests.ApiScenario
}

// runAs runs scenarios in order, each named by its index, its user's role
// and its name.
func runAs(t *testing.T, scenarios []asScenario) {
	t.Helper()
	for i, sc := range scenarios {
		sc.s.Name = fmt.Sprintf("%d_%s_%s", i, fixtures.Role(sc.as), strings.ReplaceAll(sc.s.Name, " ", "_"))
		scenario := fixtures.Scenario(sc.as, sc.s)
		scenario.Test(t)
	}
}

// onePush is the body of a sync push of one mutation (id m1) from client:
// an edit of record at baseRev with data (a JSON object), or its delete
// when data is empty.
func onePush(client, collection, record, baseRev, data string) *strings.Reader {
	change := `"data":` + data
	if data == "" {
		change = `"delete":true`
	}
	return strings.NewReader(`{"client":"` + client + `","mutations":[{"id":"m1","collection":"` + collection +
		`","recordId":"` + record + `","baseRev":` + baseRev + `,` + change + `}]}`)
}
