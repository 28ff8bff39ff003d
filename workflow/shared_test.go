package workflow_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"aman/internal/fixtures"
	"aman/workflow"
)

// Translations of updPublished (a Russian original in Sughd relating
// ReportVerified), one published and one draft, and a published
// translation of updDraft (which relates ReportInReview).
const (
	updSharedTG = "updsharedtg0001"
	updSharedKY = "updsharedky0001"
	updDraftTG  = "upddrafttg00001"
)

// seedShared writes the group. The translations of updPublished are saved
// through the hooks, sending no region and no reports, as a translator
// would; with legacy, they are written around them, in Batken and relating
// nothing, as translations were before they followed their original, and
// so is updDraftTG always (the hooks would refuse it today).
func seedShared(legacy bool) func(testing.TB, *tests.TestApp, *core.ServeEvent) {
	return func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
		t.Helper()
		seedEditorial(t, app, e)
		original, err := app.FindRecordById("updates", updPublished)
		if err != nil {
			t.Fatal(err)
		}
		original.Set("region", "sughd")
		if err := app.SaveNoValidate(original); err != nil {
			t.Fatal(err)
		}
		for _, v := range []struct{ id, lang, of, status string }{
			{updSharedTG, "tg", updPublished, "published"},
			{updSharedKY, "ky", updPublished, "draft"},
			{updDraftTG, "tg", updDraft, "published"},
		} {
			r := core.NewRecord(original.Collection())
			r.Id = v.id
			r.Load(map[string]any{"title": "Title " + v.lang, "body": "Text", "language": v.lang, "status": v.status,
				"translation_of": v.of, "author": fixtures.Editor})
			save := app.Save
			if legacy || v.id == updDraftTG {
				r.Set("region", "batken")
				save = app.SaveNoValidate
			}
			if err := save(r); err != nil {
				t.Fatalf("seed %s: %v", v.id, err)
			}
		}
	}
}

// expectShared checks the region and reports of updates.
func expectShared(region string, related []string, ids ...string) func(testing.TB, *tests.TestApp, *http.Response) {
	return func(t testing.TB, app *tests.TestApp, _ *http.Response) {
		t.Helper()
		for _, id := range ids {
			r, err := app.FindRecordById("updates", id)
			if err != nil {
				t.Fatal(err)
			}
			if got := r.GetString("region"); got != region {
				t.Errorf("%s.region = %q, want %q", id, got, region)
			}
			if got := r.GetStringSlice("related_incidents"); strings.Join(got, ",") != strings.Join(related, ",") {
				t.Errorf("%s relates %q, want %q", id, got, related)
			}
		}
	}
}

// expectLogged checks that the change log carried a change of each record
// after its seed, so phones pull it.
func expectLogged(ids ...string) func(testing.TB, *tests.TestApp, *http.Response) {
	return func(t testing.TB, app *tests.TestApp, _ *http.Response) {
		t.Helper()
		for _, id := range ids {
			var n int
			err := app.DB().NewQuery("SELECT COUNT(*) FROM _aman_changes WHERE record_id = {:id} AND rev > 1").
				Bind(map[string]any{"id": id}).Row(&n)
			if err != nil || n == 0 {
				t.Errorf("%s: no change logged after its seed (%v)", id, err)
			}
		}
	}
}

func checks(fns ...func(testing.TB, *tests.TestApp, *http.Response)) func(testing.TB, *tests.TestApp, *http.Response) {
	return func(t testing.TB, app *tests.TestApp, res *http.Response) {
		for _, fn := range fns {
			fn(t, app, res)
		}
	}
}

// An update's region and related reports, and a fact-check's platform, are
// facts about what the text says, the same in every language: a
// translation has its original's. When an editor corrected the original's
// region, its translations kept the old one, and a reader filtering by
// region in Tajik found the translation under it. A translation now takes
// its original's values when created and on every save, and a change of
// the original is given to its translations in the same transaction, saved
// through the hooks so the change log carries it to phones.
func TestTranslations_FollowOriginal(t *testing.T) {
	verified := []string{fixtures.ReportVerified}
	both := []string{fixtures.ReportVerified, fixtures.ReportAnonymous}
	group := []string{updPublished, updSharedTG, updSharedKY}
	original := updatesURL + "/" + updPublished
	push := func(record, baseRev, data string) *strings.Reader {
		return onePush("device-editor", "updates", record, baseRev, data)
	}
	type scenario struct {
		as string
		s  tests.ApiScenario
	}
	scenarios := []scenario{
		{fixtures.Editor, tests.ApiScenario{
			Name:   "a translation created without them takes its original's region and reports",
			Method: http.MethodGet, URL: updatesURL + "/" + updSharedTG,
			BeforeTestFunc: seedShared(false),
			ExpectedStatus: 200,
			ExpectedContent: []string{`"region":"sughd"`, `"related_incidents":["` + fixtures.ReportVerified + `"]`,
				`"related_unverified":false`},
		}},
		{fixtures.Editor, tests.ApiScenario{
			Name:   "and so does one created with others",
			Method: http.MethodPost, URL: updatesURL,
			Body: strings.NewReader(`{"title":"Title","body":"Text","language":"en","status":"draft","region":"other",` +
				`"related_incidents":[],"translation_of":"` + updPublished + `","author":"` + fixtures.Editor + `"}`),
			BeforeTestFunc:  seedShared(false),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"region":"sughd"`, `"related_incidents":["` + fixtures.ReportVerified + `"]`},
		}},
		{fixtures.Editor, tests.ApiScenario{
			Name:   "editor corrects the original's region: its translations follow, logged",
			Method: http.MethodPatch, URL: original, Body: strings.NewReader(`{"region":"batken"}`),
			BeforeTestFunc:  seedShared(false),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"region":"batken"`},
			AfterTestFunc:   checks(expectShared("batken", verified, group...), expectLogged(updSharedTG, updSharedKY)),
		}},
		{fixtures.Anonymous, tests.ApiScenario{
			Name:   "readers filtering by the corrected region find the translation",
			Method: http.MethodGet, URL: updatesURL + "?filter=" + url.QueryEscape("region='batken' && translation_of='"+updPublished+"'"),
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				seedShared(false)(t, app, e)
				r, err := app.FindRecordById("updates", updPublished)
				if err != nil {
					t.Fatal(err)
				}
				r.Set("region", "batken")
				if err := app.Save(r); err != nil {
					t.Fatal(err)
				}
			},
			ExpectedStatus:  200,
			ExpectedContent: []string{`"totalItems":1`, `"id":"` + updSharedTG + `"`},
		}},
		{fixtures.Editor, tests.ApiScenario{
			Name:   "editor relates another report to the original: its translations follow",
			Method: http.MethodPatch, URL: original, Body: strings.NewReader(`{"related_incidents":["` + strings.Join(both, `","`) + `"]}`),
			BeforeTestFunc:  seedShared(false),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"related_unverified":false`},
			AfterTestFunc:   expectShared("sughd", both, group...),
		}},
		{fixtures.Editor, tests.ApiScenario{
			Name:   "editor sets another region on a translation: the original's is kept",
			Method: http.MethodPatch, URL: updatesURL + "/" + updSharedTG,
			Body:            strings.NewReader(`{"region":"other","related_incidents":[],"title":"Title, edited"}`),
			BeforeTestFunc:  seedShared(false),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"region":"sughd"`, `"title":"Title, edited"`},
			AfterTestFunc:   expectShared("sughd", verified, group...),
		}},
		{fixtures.Superuser, tests.ApiScenario{
			Name:   "superuser corrects the original's region: its translations follow",
			Method: http.MethodPatch, URL: original, Body: strings.NewReader(`{"region":"other"}`),
			BeforeTestFunc:  seedShared(false),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"region":"other"`},
			AfterTestFunc:   expectShared("other", verified, group...),
		}},
		{fixtures.Superuser, tests.ApiScenario{
			Name:   "superuser sets another region on a translation: the original's is kept",
			Method: http.MethodPatch, URL: updatesURL + "/" + updSharedKY, Body: strings.NewReader(`{"region":"other"}`),
			BeforeTestFunc:  seedShared(false),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"region":"sughd"`},
		}},
		{fixtures.Editor, tests.ApiScenario{
			Name:   "push: a correction of the original made offline reaches its translations",
			Method: http.MethodPost, URL: "/api/sync/v1/push", Body: push(updPublished, "2", `{"region":"batken"}`),
			BeforeTestFunc:  seedShared(false),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"status":"applied"`},
			AfterTestFunc:   checks(expectShared("batken", verified, group...), expectLogged(updSharedTG, updSharedKY)),
		}},
		{fixtures.Editor, tests.ApiScenario{
			Name:   "push: another region sent for a translation is replaced by the original's",
			Method: http.MethodPost, URL: "/api/sync/v1/push", Body: push(updSharedTG, "1", `{"region":"other"}`),
			BeforeTestFunc:  seedShared(false),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"status":"applied"`, `"region":"sughd"`},
			AfterTestFunc:   expectShared("sughd", verified, group...),
		}},
		{fixtures.Editor, tests.ApiScenario{
			Name:   "a fact-check's platform: the original's correction reaches its translations",
			Method: http.MethodPatch, URL: factsURL + "/" + factOrigRU, Body: strings.NewReader(`{"platform":"telegram"}`),
			BeforeTestFunc:  seedFactGroup("published"),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"platform":"telegram"`},
			AfterTestFunc: checks(expectField("fact_checks", factTransTG, "platform", "telegram"),
				expectField("fact_checks", factDraftKY, "platform", "telegram")),
		}},
		{fixtures.Editor, tests.ApiScenario{
			Name:   "and one set on a translation is replaced by the original's",
			Method: http.MethodPatch, URL: factsURL + "/" + factTransTG, Body: strings.NewReader(`{"platform":"facebook"}`),
			BeforeTestFunc:  seedFactGroup("published"),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"platform":""`},
		}},
	}
	for _, sc := range scenarios {
		s := fixtures.Scenario(sc.as, sc.s)
		s.Test(t)
	}
}

// A translation's reports become public with it when it is published, so
// following the original must not publish a report that is not verified
// now: a published translation of a draft original does not take a report
// in review (the original's change is refused), and a draft translation is
// not published on one. A report its published original already relates is
// not new to it: a translation edited after that report was reopened takes
// it, marked.
func TestTranslations_FollowOriginal_PublishedOnVerifiedOnly(t *testing.T) {
	refused := []string{`"related_incidents":{"code":"workflow_related_not_verified"`}
	reopened := func(legacy bool) func(testing.TB, *tests.TestApp, *core.ServeEvent) {
		return func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
			seedShared(legacy)(t, app, e)
			setReportStatus(t, app, fixtures.ReportVerified, "in_review")
		}
	}
	type scenario struct {
		as string
		s  tests.ApiScenario
	}
	scenarios := []scenario{
		{fixtures.Editor, tests.ApiScenario{
			Name:   "a draft original relating another report, while its published translation would take one in review: refused",
			Method: http.MethodPatch, URL: updatesURL + "/" + updDraft,
			Body:            strings.NewReader(`{"related_incidents":["` + fixtures.ReportInReview + `","` + fixtures.ReportAnonymous + `"]}`),
			BeforeTestFunc:  seedShared(false),
			ExpectedStatus:  400,
			ExpectedContent: refused,
			AfterTestFunc:   expectShared("batken", nil, updDraftTG),
		}},
		{fixtures.Superuser, tests.ApiScenario{
			Name:   "for a superuser too",
			Method: http.MethodPatch, URL: updatesURL + "/" + updDraft,
			Body:            strings.NewReader(`{"related_incidents":["` + fixtures.ReportInReview + `","` + fixtures.ReportAnonymous + `"]}`),
			BeforeTestFunc:  seedShared(false),
			ExpectedStatus:  400,
			ExpectedContent: refused,
		}},
		{fixtures.Superuser, tests.ApiScenario{
			Name:   "taking the report in review out of the draft original: its translation follows",
			Method: http.MethodPatch, URL: updatesURL + "/" + updDraft,
			Body:            strings.NewReader(`{"related_incidents":["` + fixtures.ReportAnonymous + `"]}`),
			BeforeTestFunc:  seedShared(false),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"related_incidents":["` + fixtures.ReportAnonymous + `"]`},
			AfterTestFunc:   expectShared("", []string{fixtures.ReportAnonymous}, updDraft, updDraftTG),
		}},
		{fixtures.Editor, tests.ApiScenario{
			Name:   "a draft translation is not published on its original's reopened report",
			Method: http.MethodPatch, URL: updatesURL + "/" + updSharedKY, Body: strings.NewReader(`{"status":"published"}`),
			BeforeTestFunc:  reopened(false),
			ExpectedStatus:  400,
			ExpectedContent: refused,
		}},
		{fixtures.Editor, tests.ApiScenario{
			Name:   "a published translation edited after its published original's report was reopened takes it, marked",
			Method: http.MethodPatch, URL: updatesURL + "/" + updSharedTG, Body: strings.NewReader(`{"body":"Text, edited"}`),
			BeforeTestFunc:  reopened(true),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"related_incidents":["` + fixtures.ReportVerified + `"]`, `"related_unverified":true`},
		}},
		{fixtures.Editor, tests.ApiScenario{
			Name:   "taking the reopened report out of the published original: its translations follow, cleared",
			Method: http.MethodPatch, URL: updatesURL + "/" + updPublished, Body: strings.NewReader(`{"related_incidents":[]}`),
			BeforeTestFunc:  reopened(false),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"related_unverified":false`},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				expectShared("sughd", nil, updPublished, updSharedTG, updSharedKY)(t, app, res)
				expectRelation(updSharedTG, false)(t, app, res)
			},
		}},
	}
	for _, sc := range scenarios {
		s := fixtures.Scenario(sc.as, sc.s)
		s.Test(t)
	}
}

// Translations written before they followed their original are aligned by
// a migration, through the hooks; one that would publish a report not
// verified now keeps what it has.
func TestAlignTranslations(t *testing.T) {
	app := fixtures.Factory(t)
	seedShared(true)(t, app, nil)
	expectShared("batken", nil, updSharedTG, updSharedKY, updDraftTG)(t, app, nil)
	if err := workflow.AlignTranslations(app); err != nil {
		t.Fatal(err)
	}
	expectShared("sughd", []string{fixtures.ReportVerified}, updSharedTG, updSharedKY)(t, app, nil)
	expectLogged(updSharedTG, updSharedKY)(t, app, nil)
	expectShared("batken", nil, updDraftTG)(t, app, nil)
}
