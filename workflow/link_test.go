package workflow_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"aman/internal/fixtures"
)

// An aid request links only a report its writer may view: a volunteer who
// saw or guessed another volunteer's report id linked their request to it,
// and the answers (the relation's "missing" for a wrong id, success for a
// right one) told which ids exist. A missing report and one the writer may
// not view are refused alike, over REST, /api/batch and the sync push;
// superusers are not judged.
func TestLinkReadable(t *testing.T) {
	const (
		unknown = `"related_incident":{"code":"workflow_related_incident_unknown","message":"There is no incident report with this id that you can see."`
		missing = "rmissing0000001"
		// aidOfOther is an open request of Volunteer2, linked to nothing
		aidOfOther = "aother000000001"
	)
	newAid := func(requester, link string) string {
		return fmt.Sprintf(`{"requester":%q,"region":"sughd","needs":["water"],"urgency":"high","related_incident":%q}`,
			requester, link)
	}
	withOthersRequest := func(t testing.TB, app *tests.TestApp, _ *core.ServeEvent) {
		t.Helper()
		c, err := app.FindCollectionByNameOrId("aid_requests")
		if err != nil {
			t.Fatal(err)
		}
		r := core.NewRecord(c)
		r.Id = aidOfOther
		r.Load(map[string]any{"requester": fixtures.Volunteer2, "region": "sughd", "needs": []string{"food"}, "urgency": "normal"})
		if err := app.Save(r); err != nil {
			t.Fatal(err)
		}
	}
	// linkedByCoordinator: a coordinator linked Volunteer's open request
	// to Volunteer2's report, which Volunteer may not view
	linkedByCoordinator := func(t testing.TB, app *tests.TestApp, _ *core.ServeEvent) {
		t.Helper()
		r, err := app.FindRecordById("aid_requests", fixtures.AidOpen)
		if err != nil {
			t.Fatal(err)
		}
		r.Set("related_incident", fixtures.ReportOther)
		if err := app.Save(r); err != nil {
			t.Fatal(err)
		}
	}
	noNewRequest := func(t testing.TB, app *tests.TestApp, _ *http.Response) {
		n, err := app.CountRecords("aid_requests")
		if err != nil {
			t.Fatal(err)
		}
		if n != 6 {
			t.Fatalf("%d aid requests, want the fixture's 6", n)
		}
	}
	pushCreate := func(requester, link string) string {
		return `{"client":"device-link","mutations":[{"id":"m1","collection":"aid_requests","recordId":"apushed00000001","baseRev":null,"data":` +
			newAid(requester, link) + `}]}`
	}
	type scenario struct {
		as string
		s  tests.ApiScenario
	}
	// create is a request created by as (a superuser's for Volunteer)
	// linking link: 200 with the link, or 400 with the one refusal
	create := func(as, name, link string, status int) scenario {
		requester := as
		if as == fixtures.Superuser {
			requester = fixtures.Volunteer
		}
		s := tests.ApiScenario{
			Name:   name,
			Method: http.MethodPost, URL: aidURL, Body: strings.NewReader(newAid(requester, link)),
			ExpectedStatus: status,
		}
		if status == http.StatusOK {
			s.ExpectedContent = []string{`"related_incident":"` + link + `"`}
		} else {
			s.ExpectedContent = []string{unknown}
			s.NotExpectedContent = []string{"validation_missing_rel_records"}
			s.AfterTestFunc = noNewRequest
		}
		return scenario{as, s}
	}
	scenarios := []scenario{
		// the volunteer
		create(fixtures.Volunteer, "volunteer links their own report", fixtures.ReportInReview, 200),
		create(fixtures.Volunteer, "volunteer links another volunteer's report", fixtures.ReportOther, 400),
		create(fixtures.Volunteer, "volunteer links a missing report: the same answer", missing, 400),
		{fixtures.Volunteer, tests.ApiScenario{
			Name:   "volunteer relinks their open request to another volunteer's report",
			Method: http.MethodPatch, URL: aidURL + "/" + fixtures.AidOpen,
			Body:            strings.NewReader(`{"related_incident":"` + fixtures.ReportOther + `"}`),
			ExpectedStatus:  400,
			ExpectedContent: []string{unknown},
			AfterTestFunc:   expectField("aid_requests", fixtures.AidOpen, "related_incident", fixtures.ReportVerified),
		}},
		{fixtures.Volunteer, tests.ApiScenario{
			Name:   "volunteer resends a link a coordinator set",
			Method: http.MethodPatch, URL: aidURL + "/" + fixtures.AidOpen,
			Body:            strings.NewReader(`{"related_incident":"` + fixtures.ReportOther + `","people_count":6}`),
			BeforeTestFunc:  linkedByCoordinator,
			ExpectedStatus:  200,
			ExpectedContent: []string{`"related_incident":"` + fixtures.ReportOther + `"`},
			AfterTestFunc:   expectField("aid_requests", fixtures.AidOpen, "people_count", "6"),
		}},
		{fixtures.Volunteer, tests.ApiScenario{
			Name:   "batch: the batch fails and creates nothing",
			Method: http.MethodPost, URL: "/api/batch",
			Body: strings.NewReader(`{"requests":[` +
				`{"method":"POST","url":"` + aidURL + `","body":` + newAid(fixtures.Volunteer, fixtures.ReportVerified) + `},` +
				`{"method":"POST","url":"` + aidURL + `","body":` + newAid(fixtures.Volunteer, fixtures.ReportOther) + `}]}`),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"code":"workflow_related_incident_unknown"`},
			AfterTestFunc:   noNewRequest,
		}},
		{fixtures.Volunteer, tests.ApiScenario{
			Name:   "the refusal is localized",
			Method: http.MethodPost, URL: aidURL, Body: strings.NewReader(newAid(fixtures.Volunteer, fixtures.ReportOther)),
			Headers:         map[string]string{"Accept-Language": "ru"},
			ExpectedStatus:  400,
			ExpectedContent: []string{`"code":"workflow_related_incident_unknown"`, "Сообщения о происшествии с таким идентификатором, доступного вам, нет."},
		}},

		// the other volunteer
		create(fixtures.Volunteer2, "other volunteer links the volunteer's report", fixtures.ReportVerified, 400),
		{fixtures.Volunteer2, tests.ApiScenario{
			Name:   "other volunteer links the volunteer's report to their own open request",
			Method: http.MethodPatch, URL: aidURL + "/" + aidOfOther,
			Body:            strings.NewReader(`{"related_incident":"` + fixtures.ReportAnonymous + `"}`),
			BeforeTestFunc:  withOthersRequest,
			ExpectedStatus:  400,
			ExpectedContent: []string{unknown},
			AfterTestFunc:   expectField("aid_requests", aidOfOther, "related_incident", ""),
		}},
		{fixtures.Volunteer2, tests.ApiScenario{
			Name:   "other volunteer links their own report",
			Method: http.MethodPatch, URL: aidURL + "/" + aidOfOther,
			Body:            strings.NewReader(`{"related_incident":"` + fixtures.ReportOther + `"}`),
			BeforeTestFunc:  withOthersRequest,
			ExpectedStatus:  200,
			ExpectedContent: []string{`"related_incident":"` + fixtures.ReportOther + `"`},
			AfterTestFunc:   expectField("aid_requests", aidOfOther, "related_incident", fixtures.ReportOther),
		}},
		{fixtures.Volunteer2, tests.ApiScenario{
			// a request recorded offline, linked to an id seen on a screen
			Name:   "push: rejected with the code",
			Method: http.MethodPost, URL: "/api/sync/v1/push", Body: strings.NewReader(pushCreate(fixtures.Volunteer2, fixtures.ReportVerified)),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"status":"rejected"`, `"code":"sync_validation_failed"`, `"related_incident":{"code":"workflow_related_incident_unknown"`},
			AfterTestFunc:   noNewRequest,
		}},
		{fixtures.Volunteer2, tests.ApiScenario{
			Name:   "push: a missing report, the same rejection",
			Method: http.MethodPost, URL: "/api/sync/v1/push", Body: strings.NewReader(pushCreate(fixtures.Volunteer2, missing)),
			ExpectedStatus:     200,
			ExpectedContent:    []string{`"status":"rejected"`, `"related_incident":{"code":"workflow_related_incident_unknown"`},
			NotExpectedContent: []string{"validation_missing_rel_records"},
			AfterTestFunc:      noNewRequest,
		}},
		{fixtures.Volunteer2, tests.ApiScenario{
			Name:   "push: their own report is linked",
			Method: http.MethodPost, URL: "/api/sync/v1/push", Body: strings.NewReader(pushCreate(fixtures.Volunteer2, fixtures.ReportOther)),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"status":"applied"`},
			AfterTestFunc:   expectField("aid_requests", "apushed00000001", "related_incident", fixtures.ReportOther),
		}},
		{fixtures.Volunteer2, tests.ApiScenario{
			// a report and the request for its victims, both made offline
			Name:   "push: a report and a request linking it, in one push",
			Method: http.MethodPost, URL: "/api/sync/v1/push",
			Body: strings.NewReader(`{"client":"device-link","mutations":[` +
				`{"id":"m0","collection":"incident_reports","recordId":"rpushed00000001","baseRev":null,"data":` +
				`{"reporter":"` + fixtures.Volunteer2 + `","occurred_at":"2026-11-25 10:00:00.000Z","region":"sughd","category":"gunfire","description":"Shots at dawn."}},` +
				`{"id":"m1","collection":"aid_requests","recordId":"apushed00000001","baseRev":null,"data":` +
				newAid(fixtures.Volunteer2, "rpushed00000001") + `}]}`),
			ExpectedStatus:     200,
			ExpectedContent:    []string{`"status":"applied"`},
			NotExpectedContent: []string{`"status":"rejected"`},
			AfterTestFunc:      expectField("aid_requests", "apushed00000001", "related_incident", "rpushed00000001"),
		}},

		// the coordinator reads every report
		{fixtures.Coordinator, tests.ApiScenario{
			Name:   "coordinator links another volunteer's report",
			Method: http.MethodPatch, URL: aidURL + "/" + fixtures.AidOpen,
			Body:            strings.NewReader(`{"related_incident":"` + fixtures.ReportOther + `"}`),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"related_incident":"` + fixtures.ReportOther + `"`},
			AfterTestFunc:   expectField("aid_requests", fixtures.AidOpen, "related_incident", fixtures.ReportOther),
		}},
		{fixtures.Coordinator, tests.ApiScenario{
			Name:   "coordinator links a missing report",
			Method: http.MethodPatch, URL: aidURL + "/" + fixtures.AidOpen,
			Body:            strings.NewReader(`{"related_incident":"` + missing + `"}`),
			ExpectedStatus:  400,
			ExpectedContent: []string{unknown},
			AfterTestFunc:   expectField("aid_requests", fixtures.AidOpen, "related_incident", fixtures.ReportVerified),
		}},

		// the editor reads verified reports only
		create(fixtures.Editor, "editor links a verified report", fixtures.ReportVerified, 200),
		create(fixtures.Editor, "editor links a report in review", fixtures.ReportInReview, 400),

		// superusers are not judged
		create(fixtures.Superuser, "superuser links any report", fixtures.ReportOther, 200),
		{fixtures.Superuser, tests.ApiScenario{
			Name:   "superuser links a missing report: the relation's own answer",
			Method: http.MethodPost, URL: aidURL, Body: strings.NewReader(newAid(fixtures.Volunteer, missing)),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"related_incident":{"code":"validation_missing_rel_records"`},
		}},
	}
	for _, sc := range scenarios {
		s := fixtures.Scenario(sc.as, sc.s)
		s.Test(t)
	}
}

// Go code has no request and no writer to judge: app.Save links as told.
func TestLinkReadable_GoSave(t *testing.T) {
	app := fixtures.Factory(t)
	r, err := app.FindRecordById("aid_requests", fixtures.AidOpen)
	if err != nil {
		t.Fatal(err)
	}
	r.Set("related_incident", fixtures.ReportOther)
	if err := app.Save(r); err != nil {
		t.Fatalf("app.Save: %v", err)
	}
}
