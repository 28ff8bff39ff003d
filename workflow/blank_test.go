package workflow_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"aman/internal/fixtures"
)

// A required text of spaces alone passed PocketBase's required check: a
// report with nothing to review, an update published with nothing to read.
// It is refused where the write changes it, with the other fields' errors.
func TestRequiredText_NotBlank(t *testing.T) {
	blankReport := `{"reporter":"` + fixtures.Volunteer + `","occurred_at":"2026-11-25 06:00:00.000Z","region":"sughd",` +
		`"category":%s,"description":" \n\t "}`
	scenarios := []apiCase{
		{fixtures.Volunteer, "a report described by spaces", http.MethodPost, reportsURL,
			strings.Replace(blankReport, "%s", `"gunfire"`, 1), nil, 400,
			[]string{`"description":{"code":"validation_required"`}},
		{fixtures.Volunteer, "with every other field's error too", http.MethodPost, reportsURL,
			strings.Replace(blankReport, "%s", `"not_a_category"`, 1), nil, 400,
			[]string{`"description":{"code":"validation_required"`, `"category":{"code":"validation_invalid_value"`}},
		{fixtures.Volunteer, "an edit to spaces", http.MethodPatch, reportsURL + "/" + fixtures.ReportSubmitted,
			`{"description":"   "}`, nil, 400, []string{`"description":{"code":"validation_required"`}},
		{fixtures.Editor, "an update with a blank body", http.MethodPost, updatesURL,
			`{"title":"Road closed","body":"  ","language":"en","status":"draft","author":"` + fixtures.Editor + `"}`, nil, 400,
			[]string{`"body":{"code":"validation_required"`}},
		{fixtures.Editor, "a fact-check with a blank claim", http.MethodPost, factsURL,
			`{"claim":" ","verdict":"false","explanation":"Because.","language":"en","status":"draft","author":"` + fixtures.Editor + `"}`, nil, 400,
			[]string{`"claim":{"code":"validation_required"`}},
		{fixtures.Coordinator, "a stored blank text does not block a review", http.MethodPatch, reportsURL + "/" + fixtures.ReportSubmitted,
			`{"status":"in_review"}`,
			func(t testing.TB, app *tests.TestApp, _ *core.ServeEvent) {
				setStored(t, app, fixtures.ReportSubmitted, map[string]any{"description": "   "})
			}, 200, []string{`"status":"in_review"`}},
		{fixtures.Volunteer, "text around spaces is text", http.MethodPatch, reportsURL + "/" + fixtures.ReportSubmitted,
			`{"description":"  Shots at dawn.  "}`, nil, 200, []string{`"description":"  Shots at dawn.  "`}},
	}
	runCases(t, "", scenarios)
}
