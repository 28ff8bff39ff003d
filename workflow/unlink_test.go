package workflow_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/tests"

	"aman/internal/fixtures"
)

// A report that a published update relates to is not deleted: PocketBase
// dropped its id from the update's related_incidents in the same delete,
// and readers lost the link without any editor knowing. Only superusers
// delete reports; they retract the update or take the report out of it
// first, in the same /api/batch if they must. Drafts and retracted updates
// just lose the link.
//
// The refusal's top-level message is its reason, in the caller's language
// (PocketBase's own blames "a required relation reference"), on REST and
// for the failing request of a batch and the batch itself:
// `"message":…,"status":400` is the end of an error object, not of its
// data.id.
func TestKeepPublishedLinks(t *testing.T) {
	const refused = `"id":{"code":"workflow_report_in_published_update"`
	reason := map[string]string{
		"en": "Published updates relate to this report (" + updPublished + "): retract them or remove the report from them first.",
		"ru": "На это сообщение опираются опубликованные новости (" + updPublished + "): сначала отзовите их или уберите из них это сообщение.",
		"tg": "Хабарҳои нашршуда ба ин гузориш такя мекунанд (" + updPublished + "): аввал онҳоро бозхонед ё ин гузоришро аз онҳо хориҷ кунед.",
	}
	onTop := func(lang string) string { return `"message":"` + reason[lang] + `","status":400` }
	verified := reportsURL + "/" + fixtures.ReportVerified
	deleteVerified := `{"method":"DELETE","url":"` + verified + `"}`
	patchPublished := func(body string) string {
		return `{"method":"PATCH","url":"` + updatesURL + "/" + updPublished + `","body":` + body + `}`
	}
	batch := func(requests ...string) *strings.Reader {
		return strings.NewReader(`{"requests":[` + strings.Join(requests, ",") + `]}`)
	}
	kept := func(t testing.TB, app *tests.TestApp, res *http.Response) {
		expectExists("incident_reports", fixtures.ReportVerified)(t, app, res)
		expectRelated(updPublished, fixtures.ReportVerified)(t, app, res)
	}
	gone := func(t testing.TB, app *tests.TestApp, _ *http.Response) {
		if _, err := app.FindRecordById("incident_reports", fixtures.ReportVerified); err == nil {
			t.Fatal("the report is still there")
		}
	}
	type scenario struct {
		as string
		s  tests.ApiScenario
	}
	scenarios := []scenario{
		{fixtures.Superuser, tests.ApiScenario{
			Name:   "superuser deletes a report a published update relates to",
			Method: http.MethodDelete, URL: verified,
			ExpectedStatus:     400,
			ExpectedContent:    []string{refused, `"params":{"updates":"` + updPublished + `"}`, onTop("en")},
			NotExpectedContent: []string{"required relation reference"},
			AfterTestFunc:      kept,
		}},
		{fixtures.Superuser, tests.ApiScenario{
			Name:   "the refusal is localized (Accept-Language)",
			Method: http.MethodDelete, URL: verified,
			Headers:         map[string]string{"Accept-Language": "ru"},
			ExpectedStatus:  400,
			ExpectedContent: []string{refused, onTop("ru")},
			AfterTestFunc:   kept,
		}},
		{fixtures.Superuser, tests.ApiScenario{
			Name:   "the refusal is localized (?lang)",
			Method: http.MethodDelete, URL: verified + "?lang=tg",
			ExpectedStatus:  400,
			ExpectedContent: []string{refused, onTop("tg")},
			AfterTestFunc:   kept,
		}},
		{fixtures.Superuser, tests.ApiScenario{
			Name:   "batch: a delete alone fails",
			Method: http.MethodPost, URL: "/api/batch", Body: batch(deleteVerified),
			ExpectedStatus:     400,
			ExpectedContent:    []string{`"code":"workflow_report_in_published_update"`, onTop("en"), `"status":400}}}},` + onTop("en") + `}`},
			NotExpectedContent: []string{"required relation reference", "Batch transaction failed."},
			AfterTestFunc:      kept,
		}},
		{fixtures.Superuser, tests.ApiScenario{
			Name:   "batch: the refusal is localized",
			Method: http.MethodPost, URL: "/api/batch", Body: batch(deleteVerified),
			Headers:         map[string]string{"Accept-Language": "ru"},
			ExpectedStatus:  400,
			ExpectedContent: []string{`"code":"workflow_report_in_published_update"`, onTop("ru")},
			AfterTestFunc:   kept,
		}},
		{fixtures.Superuser, tests.ApiScenario{
			Name:   "batch: the report taken out of the update, then deleted",
			Method: http.MethodPost, URL: "/api/batch",
			Body:            batch(patchPublished(`{"related_incidents-":["`+fixtures.ReportVerified+`"]}`), deleteVerified),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"status":204`},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				gone(t, app, res)
				expectField("updates", updPublished, "status", "published")(t, app, res)
				expectRelated(updPublished)(t, app, res)
				// the retracted update just lost it
				expectRelated(updRetracted)(t, app, res)
			},
		}},
		{fixtures.Superuser, tests.ApiScenario{
			Name:   "batch: the update retracted, then the report deleted",
			Method: http.MethodPost, URL: "/api/batch",
			Body:            batch(patchPublished(`{"status":"retracted"}`), deleteVerified),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"status":204`},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				gone(t, app, res)
				expectField("updates", updPublished, "status", "retracted")(t, app, res)
			},
		}},
		{fixtures.Superuser, tests.ApiScenario{
			Name:   "push: the delete is rejected with the code",
			Method: http.MethodPost, URL: "/api/sync/v1/push",
			Body:            onePush("device-unlink", "incident_reports", fixtures.ReportVerified, "1", ""),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"status":"rejected"`, `"code":"sync_validation_failed"`, refused},
			AfterTestFunc:   kept,
		}},
		{fixtures.Superuser, tests.ApiScenario{
			Name:   "a report only a draft relates to is deleted, the draft loses the link",
			Method: http.MethodDelete, URL: reportsURL + "/" + fixtures.ReportInReview,
			ExpectedStatus: 204,
			AfterTestFunc:  expectRelated(updDraft),
		}},
		// nobody else deletes reports at all
		{fixtures.Coordinator, tests.ApiScenario{
			Name:   "coordinator deletes the report",
			Method: http.MethodDelete, URL: verified,
			ExpectedStatus:  403,
			ExpectedContent: []string{`"data":{}`},
			AfterTestFunc:   kept,
		}},
		{fixtures.Editor, tests.ApiScenario{
			Name:   "editor deletes the report",
			Method: http.MethodDelete, URL: verified,
			ExpectedStatus:  403,
			ExpectedContent: []string{`"data":{}`},
			AfterTestFunc:   kept,
		}},
		{fixtures.Volunteer, tests.ApiScenario{
			Name:   "its reporter deletes the report",
			Method: http.MethodDelete, URL: verified,
			ExpectedStatus:  403,
			ExpectedContent: []string{`"data":{}`},
			AfterTestFunc:   kept,
		}},
	}
	for _, sc := range scenarios {
		sc.s.BeforeTestFunc = seedEditorial
		s := fixtures.Scenario(sc.as, sc.s)
		s.Test(t)
	}
}

// expectRelated checks the stored related_incidents of the update id.
func expectRelated(id string, want ...string) func(testing.TB, *tests.TestApp, *http.Response) {
	return func(t testing.TB, app *tests.TestApp, _ *http.Response) {
		record, err := app.FindRecordById("updates", id)
		if err != nil {
			t.Fatal(err)
		}
		if got := record.GetStringSlice("related_incidents"); !slices.Equal(got, want) && len(got)+len(want) > 0 {
			t.Fatalf("%s.related_incidents = %q, want %q", id, got, want)
		}
	}
}

// The dashboard and Go code delete through app.Delete: the same refusal.
func TestKeepPublishedLinks_GoDelete(t *testing.T) {
	app := fixtures.Factory(t)
	seedEditorial(t, app, nil)
	report, err := app.FindRecordById("incident_reports", fixtures.ReportVerified)
	if err != nil {
		t.Fatal(err)
	}
	if got := errorCode(app.Delete(report)); got != "workflow_report_in_published_update" {
		t.Fatalf("error code = %q, want workflow_report_in_published_update", got)
	}
}
