package workflow_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"aman/internal/fixtures"
)

// A published update whose report is reopened (or archived) after
// publication is marked related_unverified, in the report's transaction,
// so its editors see it on the review screen and its readers get it with
// the update through the change log; it was served on as if nothing had
// changed. Verifying the report again clears the mark; so do taking the
// report out of the update and retracting it. Drafts and retracted updates
// are never marked. The mark is a fact: a written value is replaced.
func TestRelatedUnverified(t *testing.T) {
	verified := reportsURL + "/" + fixtures.ReportVerified
	published := updatesURL + "/" + updPublished
	marked := func(id string, want bool) func(testing.TB, *tests.TestApp, *http.Response) {
		return func(t testing.TB, app *tests.TestApp, _ *http.Response) {
			t.Helper()
			record, err := app.FindRecordById("updates", id)
			if err != nil {
				t.Fatal(err)
			}
			if got := record.GetBool("related_unverified"); got != want {
				t.Fatalf("%s.related_unverified = %v, want %v", id, got, want)
			}
		}
	}
	all := func(checks ...func(testing.TB, *tests.TestApp, *http.Response)) func(testing.TB, *tests.TestApp, *http.Response) {
		return func(t testing.TB, app *tests.TestApp, res *http.Response) {
			for _, check := range checks {
				check(t, app, res)
			}
		}
	}
	onlyPublishedMarked := all(marked(updPublished, true), marked(updRetracted, false), marked(updDraft, false))
	type scenario struct {
		as     string
		before func(testing.TB, *tests.TestApp, *core.ServeEvent)
		s      tests.ApiScenario
	}
	scenarios := []scenario{
		{fixtures.Coordinator, seedEditorial, tests.ApiScenario{
			Name:   "coordinator reopens the report: the published update is marked",
			Method: http.MethodPatch, URL: verified, Body: strings.NewReader(`{"status":"in_review"}`),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"status":"in_review"`},
			AfterTestFunc:   onlyPublishedMarked,
		}},
		{fixtures.Coordinator, seedEditorial, tests.ApiScenario{
			Name:   "coordinator archives the report: marked too",
			Method: http.MethodPatch, URL: verified, Body: strings.NewReader(`{"status":"archived"}`),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"status":"archived"`},
			AfterTestFunc:   onlyPublishedMarked,
		}},
		{fixtures.Coordinator, seedEditorial, tests.ApiScenario{
			Name:   "push: a reopening made offline marks it",
			Method: http.MethodPost, URL: "/api/sync/v1/push",
			Body:            onePush("device-reopen", "incident_reports", fixtures.ReportVerified, "1", `{"status":"in_review"}`),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"status":"applied"`},
			AfterTestFunc:   onlyPublishedMarked,
		}},
		{fixtures.Coordinator, seedEditorial, tests.ApiScenario{
			Name:   "a change that keeps the report verified marks nothing",
			Method: http.MethodPatch, URL: verified, Body: strings.NewReader(`{"status":"verified"}`),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"status":"verified"`},
			AfterTestFunc:   marked(updPublished, false),
		}},
		{fixtures.Coordinator, reopen, tests.ApiScenario{
			Name:   "coordinator verifies it again: the mark is cleared",
			Method: http.MethodPatch, URL: verified,
			Body:            strings.NewReader(`{"status":"verified","verified_by":"` + fixtures.Coordinator + `"}`),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"status":"verified"`},
			AfterTestFunc:   marked(updPublished, false),
		}},
		{fixtures.Anonymous, reopen, tests.ApiScenario{
			Name:   "readers read the mark",
			Method: http.MethodGet, URL: published,
			ExpectedStatus:  200,
			ExpectedContent: []string{`"related_unverified":true`},
		}},
		{fixtures.Volunteer, reopen, tests.ApiScenario{
			// the mark was written to the change log: the update's second
			// rev, the seed's first
			Name:   "readers' phones pull it",
			Method: http.MethodGet, URL: "/api/sync/v1/pull?collections=updates",
			ExpectedStatus:  200,
			ExpectedContent: []string{`"id":"` + updPublished + `","rev":2`, `"related_unverified":true`},
		}},
		{fixtures.Editor, reopen, tests.ApiScenario{
			Name:   "editor edits the text: still marked",
			Method: http.MethodPatch, URL: published, Body: strings.NewReader(`{"title":"Published, corrected"}`),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"related_unverified":true`},
			AfterTestFunc:   marked(updPublished, true),
		}},
		{fixtures.Editor, reopen, tests.ApiScenario{
			Name:   "editor clears the mark by hand: it stays",
			Method: http.MethodPatch, URL: published, Body: strings.NewReader(`{"related_unverified":false}`),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"related_unverified":true`},
			AfterTestFunc:   marked(updPublished, true),
		}},
		{fixtures.Editor, reopen, tests.ApiScenario{
			Name:   "editor takes the report out of the update: cleared",
			Method: http.MethodPatch, URL: published, Body: strings.NewReader(`{"related_incidents":[]}`),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"related_unverified":false`},
			AfterTestFunc:   marked(updPublished, false),
		}},
		{fixtures.Editor, reopen, tests.ApiScenario{
			Name:   "editor retracts the update: cleared",
			Method: http.MethodPatch, URL: published, Body: strings.NewReader(`{"status":"retracted"}`),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"related_unverified":false`},
			AfterTestFunc:   marked(updPublished, false),
		}},
		{fixtures.Editor, seedEditorial, tests.ApiScenario{
			Name:   "editor marks a sound update: not marked",
			Method: http.MethodPatch, URL: published, Body: strings.NewReader(`{"related_unverified":true}`),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"related_unverified":false`},
			AfterTestFunc:   marked(updPublished, false),
		}},
		{fixtures.Superuser, seedEditorial, tests.ApiScenario{
			Name:   "superuser reopens the report: marked",
			Method: http.MethodPatch, URL: verified, Body: strings.NewReader(`{"status":"in_review"}`),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"status":"in_review"`},
			AfterTestFunc:   onlyPublishedMarked,
		}},
	}
	for _, sc := range scenarios {
		sc.s.BeforeTestFunc = sc.before
		s := fixtures.Scenario(sc.as, sc.s)
		s.Test(t)
	}
}

// An update that relates two reports stays marked until both are verified
// again; Go code (the dashboard) moves reports through the same hook.
func TestRelatedUnverified_TwoReports(t *testing.T) {
	app := fixtures.Factory(t)
	seedEditorial(t, app, nil)
	update, err := app.FindRecordById("updates", updPublished)
	if err != nil {
		t.Fatal(err)
	}
	update.Set("related_incidents", []string{fixtures.ReportVerified, fixtures.ReportAnonymous})
	if err := app.Save(update); err != nil {
		t.Fatal(err)
	}
	setStatus := func(id, status string) { t.Helper(); setReportStatus(t, app, id, status) }
	expect := func(step string, want bool) {
		t.Helper()
		got, err := app.FindRecordById("updates", updPublished)
		if err != nil {
			t.Fatal(err)
		}
		if got.GetBool("related_unverified") != want {
			t.Fatalf("%s: related_unverified = %v, want %v", step, !want, want)
		}
	}
	expect("both verified", false)
	setStatus(fixtures.ReportVerified, "in_review")
	expect("one reopened", true)
	setStatus(fixtures.ReportAnonymous, "in_review")
	expect("both reopened", true)
	setStatus(fixtures.ReportVerified, "verified")
	expect("one verified again", true)
	setStatus(fixtures.ReportAnonymous, "verified")
	expect("both verified again", false)
}

// A translation is read in its own language, on phones through the change
// log, and its text is its original's: it rests on the reports its
// original relates, though it usually relates none itself. A reopening
// marked the original alone, so a reader in Tajik was never told. The
// original's mark now passes to its translations in the same transaction
// (published ones; a draft translation is not read), and goes with it.
func TestRelatedUnverified_Translations(t *testing.T) {
	const tg, ky = "updtranslattg01", "updtranslatky01"
	app := fixtures.Factory(t)
	seedEditorial(t, app, nil)
	updates, err := app.FindCollectionByNameOrId("updates")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []struct{ id, lang, status string }{{tg, "tg", "published"}, {ky, "ky", "draft"}} {
		r := core.NewRecord(updates)
		r.Id = v.id
		r.Load(map[string]any{"title": "Title " + v.lang, "body": "Text", "language": v.lang, "status": v.status,
			"translation_of": updPublished, "author": fixtures.Editor})
		if err := app.Save(r); err != nil {
			t.Fatalf("translation %s: %v", v.id, err)
		}
	}
	setStatus := func(status string) { t.Helper(); setReportStatus(t, app, fixtures.ReportVerified, status) }
	expect := func(step string, want map[string]bool) {
		t.Helper()
		for id, w := range want {
			got, err := app.FindRecordById("updates", id)
			if err != nil {
				t.Fatal(err)
			}
			if got.GetBool("related_unverified") != w {
				t.Errorf("%s: %s.related_unverified = %v, want %v", step, id, !w, w)
			}
		}
	}
	expect("verified", map[string]bool{updPublished: false, tg: false, ky: false})
	setStatus("in_review")
	expect("reopened", map[string]bool{updPublished: true, tg: true, ky: false})

	// the translation's own save keeps it: a written false is replaced
	translation, err := app.FindRecordById("updates", tg)
	if err != nil {
		t.Fatal(err)
	}
	translation.Set("related_unverified", false)
	translation.Set("body", "Text, edited")
	if err := app.Save(translation); err != nil {
		t.Fatal(err)
	}
	expect("translation edited", map[string]bool{tg: true})

	setStatus("verified")
	expect("verified again", map[string]bool{updPublished: false, tg: false, ky: false})
}

// setReportStatus moves a report through the hooks, naming the fixture
// coordinator as the verifier of a verification.
func setReportStatus(t testing.TB, app core.App, id, status string) {
	t.Helper()
	report, err := app.FindRecordById("incident_reports", id)
	if err != nil {
		t.Fatal(err)
	}
	report.Set("status", status)
	if status == "verified" {
		report.Set("verified_by", fixtures.Coordinator)
	}
	if err := app.Save(report); err != nil {
		t.Fatalf("%s to %s: %v", id, status, err)
	}
}
