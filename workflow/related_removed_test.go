package workflow_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"aman/internal/fixtures"
)

// bothReopened relates the published update (and the draft) to two
// reports, ReportVerified and ReportAnonymous, then reopens both, as a
// coordinator would on new evidence after publication.
func bothReopened(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
	t.Helper()
	seedEditorial(t, app, e)
	for _, id := range []string{updPublished, updDraft} {
		update, err := app.FindRecordById("updates", id)
		if err != nil {
			t.Fatal(err)
		}
		update.Set("related_incidents", []string{fixtures.ReportVerified, fixtures.ReportAnonymous})
		if err := app.SaveNoValidate(update); err != nil {
			t.Fatal(err)
		}
	}
	setReportStatus(t, app, fixtures.ReportVerified, "in_review")
	setReportStatus(t, app, fixtures.ReportAnonymous, "in_review")
}

// expectRelated checks what update id relates and its mark after a write.
func expectRelation(id string, mark bool, related ...string) func(testing.TB, *tests.TestApp, *http.Response) {
	return func(t testing.TB, app *tests.TestApp, _ *http.Response) {
		t.Helper()
		record, err := app.FindRecordById("updates", id)
		if err != nil {
			t.Fatal(err)
		}
		if got := record.GetStringSlice("related_incidents"); strings.Join(got, ",") != strings.Join(related, ",") {
			t.Fatalf("%s relates %q, want %q", id, got, related)
		}
		if got := record.GetBool("related_unverified"); got != mark {
			t.Fatalf("%s.related_unverified = %v, want %v", id, got, mark)
		}
	}
}

// Taking reports out of a published update only narrows what its text
// rests on: it is allowed whatever the other reports' status. Changing the
// relation checked that every remaining report was verified, so an update
// on two reopened reports could lose neither, one at a time, and an editor
// correcting in steps was refused. A report added must still be verified
// now, and the mark stays what the facts are.
func TestRelatedIncidents_RemovingIsAllowed(t *testing.T) {
	published := updatesURL + "/" + updPublished
	push := func(client, data string) *strings.Reader { return onePush(client, "updates", updPublished, "3", data) }
	type scenario struct {
		as string
		s  tests.ApiScenario
	}
	scenarios := []scenario{
		{fixtures.Editor, tests.ApiScenario{
			Name:   "editor takes one of two reopened reports out: allowed, still marked",
			Method: http.MethodPatch, URL: published,
			Body:            strings.NewReader(`{"related_incidents":["` + fixtures.ReportAnonymous + `"]}`),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"related_unverified":true`},
			AfterTestFunc:   expectRelation(updPublished, true, fixtures.ReportAnonymous),
		}},
		{fixtures.Editor, tests.ApiScenario{
			Name:   "editor takes out both: allowed, cleared",
			Method: http.MethodPatch, URL: published, Body: strings.NewReader(`{"related_incidents":[]}`),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"related_unverified":false`},
			AfterTestFunc:   expectRelation(updPublished, false),
		}},
		{fixtures.Editor, tests.ApiScenario{
			Name:   "editor swaps one for a verified report: allowed, still marked",
			Method: http.MethodPatch, URL: published,
			Body:            strings.NewReader(`{"related_incidents":["` + fixtures.ReportAnonymous + `","` + fixtures.ReportAnonymous2 + `"]}`),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"related_unverified":true`},
			AfterTestFunc:   expectRelation(updPublished, true, fixtures.ReportAnonymous, fixtures.ReportAnonymous2),
		}},
		{fixtures.Editor, tests.ApiScenario{
			Name:   "editor adds a report in review: refused",
			Method: http.MethodPatch, URL: published,
			Body:            strings.NewReader(`{"related_incidents":["` + fixtures.ReportAnonymous + `","` + fixtures.ReportInReview + `"]}`),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"related_incidents":{"code":"workflow_related_not_verified"`},
			AfterTestFunc:   expectRelation(updPublished, true, fixtures.ReportVerified, fixtures.ReportAnonymous),
		}},
		{fixtures.Editor, tests.ApiScenario{
			Name:   "editor takes one out of the draft: allowed",
			Method: http.MethodPatch, URL: updatesURL + "/" + updDraft,
			Body:            strings.NewReader(`{"related_incidents":["` + fixtures.ReportAnonymous + `"]}`),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"related_incidents":["` + fixtures.ReportAnonymous + `"]`},
			AfterTestFunc:   expectRelation(updDraft, false, fixtures.ReportAnonymous),
		}},
		{fixtures.Editor, tests.ApiScenario{
			Name:   "editor swaps one in the draft for a report in review: refused",
			Method: http.MethodPatch, URL: updatesURL + "/" + updDraft,
			Body:            strings.NewReader(`{"related_incidents":["` + fixtures.ReportAnonymous + `","` + fixtures.ReportInReview + `"]}`),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"related_incidents":{"code":"workflow_related_not_verified"`},
			AfterTestFunc:   expectRelation(updDraft, false, fixtures.ReportVerified, fixtures.ReportAnonymous),
		}},
		{fixtures.Editor, tests.ApiScenario{
			Name:   "editor republishing a retracted update on them: still refused",
			Method: http.MethodPatch, URL: updatesURL + "/" + updRetracted,
			Body:            strings.NewReader(`{"status":"published"}`),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"related_incidents":{"code":"workflow_related_not_verified"`},
		}},
		{fixtures.Superuser, tests.ApiScenario{
			Name:   "superuser takes one out: allowed, still marked",
			Method: http.MethodPatch, URL: published,
			Body:            strings.NewReader(`{"related_incidents":["` + fixtures.ReportVerified + `"]}`),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"related_unverified":true`},
			AfterTestFunc:   expectRelation(updPublished, true, fixtures.ReportVerified),
		}},
		{fixtures.Superuser, tests.ApiScenario{
			Name:   "superuser adds a report in review: refused",
			Method: http.MethodPatch, URL: published,
			Body:            strings.NewReader(`{"related_incidents":["` + fixtures.ReportVerified + `","` + fixtures.ReportInReview + `"]}`),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"related_incidents":{"code":"workflow_related_not_verified"`},
			AfterTestFunc:   expectRelation(updPublished, true, fixtures.ReportVerified, fixtures.ReportAnonymous),
		}},
		{fixtures.Editor, tests.ApiScenario{
			Name:   "push: an editor's phone takes one out",
			Method: http.MethodPost, URL: "/api/sync/v1/push",
			Body:            push("device-editor", `{"related_incidents":["`+fixtures.ReportAnonymous+`"]}`),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"status":"applied"`},
			AfterTestFunc:   expectRelation(updPublished, true, fixtures.ReportAnonymous),
		}},
		{fixtures.Editor, tests.ApiScenario{
			Name:   "push: adding a report in review is rejected",
			Method: http.MethodPost, URL: "/api/sync/v1/push",
			Body: push("device-editor",
				`{"related_incidents":["`+fixtures.ReportVerified+`","`+fixtures.ReportAnonymous+`","`+fixtures.ReportInReview+`"]}`),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"status":"rejected"`, `workflow_related_not_verified`},
			AfterTestFunc:   expectRelation(updPublished, true, fixtures.ReportVerified, fixtures.ReportAnonymous),
		}},
	}
	for _, sc := range scenarios {
		sc.s.BeforeTestFunc = bothReopened
		s := fixtures.Scenario(sc.as, sc.s)
		s.Test(t)
	}
}
