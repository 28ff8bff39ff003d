package locale_test

import (
	"net/http"
	"testing"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"aman/internal/fixtures"
)

// Notices of an update resting on a report that is being checked again, as
// the content endpoint words them.
const (
	enRelatedNotice = `"relatedUnverifiedNotice":"A report this update relies on is being checked again; parts of it may change."`
	ruRelatedNotice = `"relatedUnverifiedNotice":"Сообщение, на котором основана эта новость, проверяется заново; часть её может измениться."`
	tgRelatedNotice = `"relatedUnverifiedNotice":"Гузорише, ки ин хабар ба он такя мекунад, аз нав санҷида мешавад; қисме аз он метавонад тағйир ёбад."`
	kyRelatedNotice = `"relatedUnverifiedNotice":"Бул жаңылык таянган билдирүү кайра текшерилүүдө; анын айрым бөлүктөрү өзгөрүшү мүмкүн."`
	uzRelatedNotice = `"relatedUnverifiedNotice":"Бу янгилик таянган хабар қайта текширилмоқда; унинг айрим қисмлари ўзгариши мумкин."`
)

// relate makes the update id relate the verified fixture report, as an
// editor would.
func relate(t testing.TB, app *tests.TestApp, id string) {
	t.Helper()
	update, err := app.FindRecordById("updates", id)
	if err != nil {
		t.Fatal(err)
	}
	update.Set("related_incidents", []string{fixtures.ReportVerified})
	if err := app.Save(update); err != nil {
		t.Fatalf("relate %s: %v", id, err)
	}
}

// setReport moves the verified fixture report to status, as a coordinator
// would (the workflow marks the published updates that relate it).
func setReport(t testing.TB, app *tests.TestApp, status string) {
	t.Helper()
	report, err := app.FindRecordById("incident_reports", fixtures.ReportVerified)
	if err != nil {
		t.Fatal(err)
	}
	report.Set("status", status)
	if status == "verified" {
		report.Set("verified_by", fixtures.Coordinator)
	}
	if err := app.Save(report); err != nil {
		t.Fatalf("report to %s: %v", status, err)
	}
}

// steps runs each step before the request.
func steps(fs ...func(testing.TB, *tests.TestApp)) func(testing.TB, *tests.TestApp, *core.ServeEvent) {
	return func(t testing.TB, app *tests.TestApp, _ *core.ServeEvent) {
		for _, f := range fs {
			f(t, app)
		}
	}
}

func relating(id string) func(testing.TB, *tests.TestApp) {
	return func(t testing.TB, app *tests.TestApp) { relate(t, app, id) }
}

func reportTo(status string) func(testing.TB, *tests.TestApp) {
	return func(t testing.TB, app *tests.TestApp) { setReport(t, app, status) }
}

// expectRelatedUnverified decodes a content page and checks which items
// (by record id) say their update rests on a report checked again.
func expectRelatedUnverified(want map[string]bool) func(testing.TB, *tests.TestApp, *http.Response) {
	return func(t testing.TB, _ *tests.TestApp, res *http.Response) {
		got := map[string]bool{}
		for _, it := range listedItems(t, res) {
			got[it.Record.Id] = it.RelatedUnverified
		}
		for id, w := range want {
			if g, ok := got[id]; !ok || g != w {
				t.Errorf("item %s: relatedUnverified = %v (listed %v), want %v", id, g, ok, w)
			}
		}
	}
}

// A reader of a published update whose related report was reopened (or
// archived) after publication is told so, in their language, beside
// `relatedUnverified`; the content endpoint served it without a word. The
// workflow marks each version by the reports it relates, and a translation
// relates its original's (docs/workflow.md, A translation has its
// original's facts): the mark is served with it, in every fallback. A
// report set on a translation alone is not kept, so it marks neither.
func TestContent_RelatedUnverified(t *testing.T) {
	url := "/api/aman/content/updates/"
	reopened := steps(relating(updateEN), reportTo("in_review"))
	scenarios := []struct {
		as string
		s  tests.ApiScenario
	}{
		{fixtures.Anonymous, tests.ApiScenario{
			Name:            "English asked: the original, marked itself",
			URL:             url + updateRU + "?lang=en",
			BeforeTestFunc:  reopened,
			ExpectedContent: []string{`"language":"en"`, `"id":"` + updateEN + `"`, `"relatedUnverified":true`, enRelatedNotice, `"related_unverified":true`},
		}},
		{fixtures.Anonymous, tests.ApiScenario{
			Name:            "Russian asked: the translation, which relates its original's reports, carries the mark",
			URL:             url + updateEN + "?lang=ru",
			BeforeTestFunc:  reopened,
			ExpectedContent: []string{`"language":"ru"`, `"id":"` + updateRU + `"`, `"fallback":false`, `"relatedUnverified":true`, ruRelatedNotice},
		}},
		{fixtures.Volunteer, tests.ApiScenario{
			Name:            "Tajik asked: the Russian fallback, told in Tajik",
			URL:             url + updateEN + "?lang=tg",
			BeforeTestFunc:  reopened,
			ExpectedContent: []string{`"language":"ru"`, `"fallback":true`, `"relatedUnverified":true`, tgRelatedNotice, `"notice":"Ин матн бо ин забон дастрас нест`},
		}},
		{fixtures.Anonymous, tests.ApiScenario{
			Name:               "Kyrgyz asked: the draft Kyrgyz translation is not served, the Russian one is, told in Kyrgyz",
			URL:                url + updateEN + "?lang=ky",
			BeforeTestFunc:     reopened,
			ExpectedContent:    []string{`"language":"ru"`, `"fallback":true`, `"relatedUnverified":true`, kyRelatedNotice},
			NotExpectedContent: []string{draftKyTitle},
		}},
		{fixtures.Editor, tests.ApiScenario{
			Name:            "an editor reading the Kyrgyz draft translation is told too",
			URL:             url + updateEN + "?lang=ky",
			BeforeTestFunc:  reopened,
			ExpectedContent: []string{`"language":"ky"`, `"status":"draft"`, `"relatedUnverified":true`, kyRelatedNotice},
		}},
		{fixtures.Anonymous, tests.ApiScenario{
			Name:               "the report still verified: nothing is said",
			URL:                url + updateEN + "?lang=ru",
			BeforeTestFunc:     steps(relating(updateEN)),
			ExpectedContent:    []string{`"language":"ru"`, `"related_unverified":false`},
			NotExpectedContent: []string{`"relatedUnverified":true`, `"relatedUnverifiedNotice"`},
		}},
		{fixtures.Anonymous, tests.ApiScenario{
			Name:               "the report verified again: nothing is said",
			URL:                url + updateEN + "?lang=ru",
			BeforeTestFunc:     steps(relating(updateEN), reportTo("in_review"), reportTo("verified")),
			ExpectedContent:    []string{`"language":"ru"`},
			NotExpectedContent: []string{`"relatedUnverified":true`, `"relatedUnverifiedNotice"`},
		}},
		{fixtures.Anonymous, tests.ApiScenario{
			Name:            "the report archived: the translation says so",
			URL:             url + updateEN + "?lang=ru",
			BeforeTestFunc:  steps(relating(updateEN), reportTo("archived")),
			ExpectedContent: []string{`"language":"ru"`, `"relatedUnverified":true`, ruRelatedNotice},
		}},
		{fixtures.Anonymous, tests.ApiScenario{
			Name:               "a report set on the translation alone is not kept: the translation is not marked",
			URL:                url + updateEN + "?lang=ru",
			BeforeTestFunc:     steps(relating(updateRU), reportTo("in_review")),
			ExpectedContent:    []string{`"language":"ru"`, `"related_incidents":[]`, `"related_unverified":false`},
			NotExpectedContent: []string{`"relatedUnverified":true`, `"relatedUnverifiedNotice"`},
		}},
		{fixtures.Anonymous, tests.ApiScenario{
			Name:               "... nor is its original",
			URL:                url + updateEN + "?lang=en",
			BeforeTestFunc:     steps(relating(updateRU), reportTo("in_review")),
			ExpectedContent:    []string{`"language":"en"`, `"related_unverified":false`},
			NotExpectedContent: []string{`"relatedUnverified":true`, `"relatedUnverifiedNotice"`},
		}},
		{fixtures.Anonymous, tests.ApiScenario{
			Name:           "the list marks the group, in the reader's language, and not the other group",
			URL:            "/api/aman/content/updates?lang=uz-Cyrl",
			BeforeTestFunc: reopened,
			ExpectedContent: []string{
				`"language":"ru"`, `"relatedUnverified":true`, uzRelatedNotice,
			},
			AfterTestFunc: expectRelatedUnverified(map[string]bool{updateRU: true, update2EN: false}),
		}},
		{fixtures.Anonymous, tests.ApiScenario{
			Name:               "fact-checks have no such mark",
			URL:                "/api/aman/content/fact_checks/" + factTG + "?lang=ru",
			BeforeTestFunc:     reopened,
			ExpectedContent:    []string{`"language":"ru"`},
			NotExpectedContent: []string{`"relatedUnverified":true`, `"relatedUnverifiedNotice"`},
		}},
	}
	for _, sc := range scenarios {
		s := groupScenario(sc.as, sc.s)
		s.Name = fixtures.Role(sc.as) + ": " + s.Name
		s.Test(t)
	}
}
