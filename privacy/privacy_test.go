package privacy_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
	"github.com/pocketbase/pocketbase/tools/subscriptions"

	"aman/internal/fixtures"
)

const (
	reportsURL = "/api/collections/incident_reports/records"
	aidURL     = "/api/collections/aid_requests/records"
	usersURL   = "/api/collections/users/records"
)

// Fragments of a response that disclose a protected value.
var (
	reporterID    = `"reporter":"` + fixtures.Volunteer + `"`
	anyReporter   = `"reporter":`
	exactLocation = fixtures.LatText
	verifier      = `"verified_by":"` + fixtures.Coordinator + `"`
	anyVerifier   = `"verified_by":`
	phone         = fixtures.PhoneText
	beneficiary   = fixtures.BeneficiaryName
	volunteerUser = `"name":"Test volunteer"`
	// reporterRequester is the fixture volunteer as an aid request's requester.
	reporterRequester = `"requester":"` + fixtures.Volunteer + `"`
)

type scenario struct {
	as   string
	name string
	url  string
	// status defaults to 200.
	status  int
	want    []string
	notWant []string
}

func get(t *testing.T, scenarios []scenario) { getAfter(t, nil, scenarios) }

// getAfter runs scenarios on an app that before prepared (nil: the fixtures).
func getAfter(t *testing.T, before func(testing.TB, *tests.TestApp, *core.ServeEvent), scenarios []scenario) {
	t.Helper()
	for i, s := range scenarios {
		if s.status == 0 {
			s.status = http.StatusOK
		}
		sc := fixtures.Scenario(s.as, tests.ApiScenario{
			Name:               fmt.Sprintf("%d_%s_%s", i, fixtures.Role(s.as), s.name),
			Method:             http.MethodGet,
			URL:                s.url,
			ExpectedStatus:     s.status,
			ExpectedContent:    s.want,
			NotExpectedContent: s.notWant,
			BeforeTestFunc:     before,
		})
		sc.Test(t)
	}
}

func filter(base, expr string) string { return base + "?filter=" + url.QueryEscape(expr) }

// TestReportFields_View is the field × role matrix of incident_reports.
func TestReportFields_View(t *testing.T) {
	verified := reportsURL + "/" + fixtures.ReportVerified
	anonymous := reportsURL + "/" + fixtures.ReportAnonymous
	get(t, []scenario{
		{fixtures.Volunteer, "reporter sees own report, not who verified it", verified,
			0, []string{reporterID, exactLocation}, []string{anyVerifier}},
		{fixtures.Volunteer, "reporter sees themselves on an anonymous report", anonymous,
			0, []string{reporterID, exactLocation}, []string{anyVerifier}},
		{fixtures.Volunteer2, "another volunteer cannot read it at all", verified, 404, nil, []string{reporterID}},
		{fixtures.Anonymous, "the public cannot read it at all", verified, 404, nil, []string{reporterID}},
		{fixtures.Coordinator, "coordinator sees reporter, location, verifier", verified,
			0, []string{reporterID, exactLocation, verifier}, nil},
		{fixtures.Coordinator, "coordinator does not see an anonymous reporter", anonymous,
			0, []string{exactLocation, verifier, `"anonymous":true`}, []string{anyReporter, fixtures.Volunteer}},
		{fixtures.Editor, "editor sees neither reporter nor exact location", verified,
			0, []string{verifier, `"public_summary":`}, []string{anyReporter, fixtures.Volunteer, exactLocation, `"location":`}},
		{fixtures.Editor, "editor on an anonymous report", anonymous,
			0, []string{verifier}, []string{anyReporter, fixtures.Volunteer, exactLocation}},
		{fixtures.Superuser, "superuser sees an anonymous reporter", anonymous,
			0, []string{reporterID, exactLocation, verifier}, nil},
	})
}

func TestReportFields_List(t *testing.T) {
	get(t, []scenario{
		{fixtures.Editor, "editor lists verified reports without reporters or locations", reportsURL,
			0, []string{fixtures.ReportVerified, fixtures.ReportAnonymous}, []string{anyReporter, fixtures.Volunteer, exactLocation}},
		{fixtures.Coordinator, "coordinator list: anonymous reports have no reporter", filter(reportsURL, "anonymous = true"),
			0, []string{fixtures.ReportAnonymous, fixtures.ReportAnonymous2, `"totalItems":2`}, []string{anyReporter, fixtures.Volunteer, fixtures.Volunteer2}},
		{fixtures.Coordinator, "coordinator list: named reports keep theirs", filter(reportsURL, "anonymous = false && status = 'verified'"),
			0, []string{fixtures.ReportVerified, reporterID}, nil},
		{fixtures.Volunteer, "volunteer lists own reports with locations, no verifiers", reportsURL,
			0, []string{fixtures.ReportSubmitted, reporterID, exactLocation}, []string{anyVerifier, fixtures.ReportOther}},
	})
}

func TestReportFields_Expand(t *testing.T) {
	get(t, []scenario{
		{fixtures.Coordinator, "expand=reporter of an anonymous report", reportsURL + "/" + fixtures.ReportAnonymous + "?expand=reporter,verified_by",
			0, []string{`"expand":{"verified_by":`}, []string{volunteerUser, fixtures.Volunteer}},
		{fixtures.Coordinator, "expand=reporter of a named report works", reportsURL + "/" + fixtures.ReportVerified + "?expand=reporter",
			0, []string{`"expand":{"reporter":`, volunteerUser}, nil},
		{fixtures.Editor, "editor expand=reporter", reportsURL + "?expand=reporter,verified_by",
			0, []string{fixtures.ReportVerified}, []string{volunteerUser, fixtures.Volunteer}},
		{fixtures.Coordinator, "nested: aid request -> named incident -> reporter", aidURL + "/" + fixtures.AidOpen + "?expand=related_incident.reporter",
			0, []string{`"related_incident":{`, fixtures.ReportVerified, volunteerUser}, nil},
		{fixtures.Coordinator, "nested: aid request -> anonymous incident", aidURL + "/" + fixtures.AidAcknowledged + "?expand=related_incident.reporter",
			0, []string{fixtures.AidAcknowledged}, []string{`"related_incident"`, volunteerUser, anyReporter}},
		{fixtures.Coordinator, "back-relation: a user's reports leave out anonymous ones", usersURL + "/" + fixtures.Volunteer + "?expand=incident_reports_via_reporter",
			0, []string{`"incident_reports_via_reporter":[`, fixtures.ReportVerified}, []string{fixtures.ReportAnonymous}},
		{fixtures.Superuser, "superuser back-relation keeps anonymous ones", usersURL + "/" + fixtures.Volunteer + "?expand=incident_reports_via_reporter",
			0, []string{fixtures.ReportAnonymous}, nil},
	})
}

func TestAidFields(t *testing.T) {
	open := aidURL + "/" + fixtures.AidOpen
	get(t, []scenario{
		{fixtures.Volunteer, "requester sees the contact", open, 0, []string{phone, beneficiary, exactLocation}, nil},
		{fixtures.Coordinator, "coordinator sees the contact", open, 0, []string{phone, beneficiary, exactLocation}, nil},
		{fixtures.Volunteer2, "another volunteer cannot read it", open, 404, nil, []string{phone}},
		{fixtures.Editor, "editor cannot read it", open, 404, nil, []string{phone}},
		{fixtures.Anonymous, "the public cannot read it", aidURL, 200, []string{`"totalItems":0`}, []string{phone, beneficiary}},
		{fixtures.Coordinator, "a named report expanded from an aid request keeps its reporter and verifier for staff", open + "?expand=related_incident",
			0, []string{verifier, phone, reporterID}, nil},
	})
}

// TestAidIncidentLink: an aid request linked to an anonymous report must
// not show a coordinator that link, by field, expand, back-relation or
// filter: requester + link may name the reporter. Any anonymous report's
// links are hidden, not only those of its reporter (TestLinkHidden).
func TestAidIncidentLink(t *testing.T) {
	ownLinked := aidURL + "/" + fixtures.AidAcknowledged
	get(t, []scenario{
		{fixtures.Coordinator, "the link is hidden", ownLinked,
			0, []string{reporterRequester}, []string{`"related_incident":`, fixtures.ReportAnonymous}},
		{fixtures.Coordinator, "and cannot be expanded", ownLinked + "?expand=related_incident",
			0, []string{reporterRequester}, []string{fixtures.ReportAnonymous}},
		{fixtures.Coordinator, "a link to a named report stays", aidURL + "/" + fixtures.AidOpen,
			0, []string{`"related_incident":"` + fixtures.ReportVerified + `"`}, nil},
		{fixtures.Coordinator, "back-relation from the anonymous report leaves the requests out",
			reportsURL + "/" + fixtures.ReportAnonymous + "?expand=aid_requests_via_related_incident",
			0, []string{fixtures.ReportAnonymous}, []string{fixtures.AidAcknowledged, fixtures.AidClosed}},
		{fixtures.Coordinator, "back-relation from a named report keeps them",
			reportsURL + "/" + fixtures.ReportVerified + "?expand=aid_requests_via_related_incident",
			0, []string{fixtures.AidOpen}, nil},
		{fixtures.Coordinator, "filtering requests by incident is refused", filter(aidURL, "related_incident = '"+fixtures.ReportAnonymous+"'"),
			400, []string{`"filter":{"code":"privacy_forbidden_query_field"`}, nil},
		{fixtures.Coordinator, "so is the back-relation filter", filter(reportsURL, "aid_requests_via_related_incident.requester != ''"),
			400, []string{`"filter":{"code":"privacy_forbidden_query_field"`}, nil},
		{fixtures.Volunteer, "the requester sees the link", ownLinked,
			0, []string{`"related_incident":"` + fixtures.ReportAnonymous + `"`}, nil},
		{fixtures.Volunteer, "and may filter by it", filter(aidURL, "related_incident = '"+fixtures.ReportAnonymous+"'"),
			0, []string{fixtures.AidAcknowledged}, nil},
		{fixtures.Superuser, "superusers see it", ownLinked,
			0, []string{`"related_incident":"` + fixtures.ReportAnonymous + `"`}, nil},
	})
}

// TestQueryGuard: filters and sorts that would disclose a hidden field by
// elimination are refused; harmless ones pass.
func TestQueryGuard(t *testing.T) {
	forbidden := func(param string) []string {
		return []string{`"` + param + `":{"code":"privacy_forbidden_query_field"`}
	}
	get(t, []scenario{
		{fixtures.Editor, "editor filters by reporter", filter(reportsURL, "reporter = '"+fixtures.Volunteer+"'"), 400, forbidden("filter"), nil},
		{fixtures.Editor, "editor filters by reporter name", filter(reportsURL, "reporter.name ~ 'Test'"), 400, forbidden("filter"), nil},
		{fixtures.Editor, "editor probes location with geoDistance", filter(reportsURL, "geoDistance(location.lon, location.lat, 70.65, 40.12) < 1"), 400, forbidden("filter"), nil},
		{fixtures.Editor, "editor sorts by reporter", reportsURL + "?sort=-reporter", 400, forbidden("sort"), nil},
		{fixtures.Editor, "a string that mentions reporter is fine", filter(reportsURL, "description ~ 'reporter = 1' // reporter"), 200, []string{`"items":[]`}, nil},
		{fixtures.Editor, "editor filters by status", filter(reportsURL, "status = 'verified'"), 200, []string{fixtures.ReportVerified}, nil},
		{fixtures.Coordinator, "coordinator filters by reporter (anonymous ones would leak)", filter(reportsURL, "reporter = '"+fixtures.Volunteer+"'"), 400, forbidden("filter"), nil},
		{fixtures.Coordinator, "coordinator filters by location", filter(reportsURL, "location.lat > 40"), 200, []string{fixtures.ReportAnonymous}, nil},
		{fixtures.Coordinator, "coordinator through aid request to reporter", filter(aidURL, "related_incident.reporter.name != ''"), 400, forbidden("filter"), nil},
		{fixtures.Coordinator, "coordinator finds users by their anonymous reports", filter(usersURL, "incident_reports_via_reporter.anonymous = true"), 400, forbidden("filter"), nil},
		{fixtures.Coordinator, "coordinator filters users by name", filter(usersURL, "name ~ 'volunteer'"), 200, []string{fixtures.Volunteer}, nil},
		{fixtures.Volunteer, "volunteer filters own reports by reporter", filter(reportsURL, "reporter = '"+fixtures.Volunteer+"'"), 200, []string{fixtures.ReportSubmitted}, nil},
		{fixtures.Volunteer, "volunteer filters by verifier", filter(reportsURL, "verified_by = '"+fixtures.Coordinator+"'"), 400, forbidden("filter"), nil},
		{fixtures.Volunteer, "volunteer filters own aid requests by phone", filter(aidURL, "contact_phone != ''"), 200, []string{fixtures.AidOpen}, nil},
		{fixtures.Superuser, "superuser filters by anything", filter(reportsURL, "reporter = '"+fixtures.Volunteer+"' && anonymous = true"), 200, []string{fixtures.ReportAnonymous}, nil},
		// a group is parsed as PocketBase parses it: what is inside counts
		{fixtures.Coordinator, "coordinator filters by reporter in parentheses", filter(reportsURL, "id = '"+fixtures.ReportAnonymous+"' && (reporter = '"+fixtures.Volunteer+"')"), 400, forbidden("filter"), nil},
		{fixtures.Coordinator, "coordinator, nested groups", filter(reportsURL, "((anonymous = true && (reporter.name = 'Test volunteer')))"), 400, forbidden("filter"), nil},
		{fixtures.Coordinator, "coordinator finds users by their anonymous reports, in parentheses", filter(usersURL, "(incident_reports_via_reporter.anonymous ?= true)"), 400, forbidden("filter"), nil},
		{fixtures.Coordinator, "coordinator finds requests linked to an anonymous report, in parentheses", filter(aidURL, "(related_incident = '"+fixtures.ReportAnonymous+"')"), 400, forbidden("filter"), nil},
		{fixtures.Editor, "editor narrows a location down, in parentheses", filter(reportsURL, "(location.lat > 40.12345 && location.lat < 40.12346)"), 400, forbidden("filter"), nil},
		{fixtures.Editor, "editor, a group on the right of a join", filter(reportsURL, "status = 'verified' || (status = 'x' && reporter != '')"), 400, forbidden("filter"), nil},
		{fixtures.Volunteer, "volunteer filters by verifier in parentheses", filter(reportsURL, "(verified_by = '"+fixtures.Coordinator+"')"), 400, forbidden("filter"), nil},
		{fixtures.Editor, "a harmless group passes", filter(reportsURL, "(status = 'verified' && region != '')"), 200, []string{fixtures.ReportVerified}, nil},
	})
}

// TestQueryGuard_Localized: a refused filter, sort or realtime filter is
// answered in the request's language, its top-level message included (it
// was English: "Invalid filter.", "Invalid sort.", "Invalid subscription
// filter.").
func TestQueryGuard_Localized(t *testing.T) {
	english := []string{`"message":"Invalid filter."`, `"message":"Invalid sort."`, `"message":"Invalid subscription filter."`}
	realtime := subscriptions.NewDefaultClient()
	body, _ := json.Marshal(map[string]any{"clientId": realtime.Id(), "subscriptions": []string{
		`incident_reports?options={"query":{"filter":"reporter='` + fixtures.Volunteer + `'"}}`}})
	for _, s := range []struct {
		name, method, url, body, param string
		want                           []string
		events                         map[string]int
	}{
		{"filter in Russian", http.MethodGet, filter(reportsURL, "reporter.name ~ 'a'") + "&lang=ru", "", "filter",
			[]string{`"message":"При обработке запроса что-то пошло не так."`, `"message":"Нельзя фильтровать или сортировать по полю reporter.name."`},
			map[string]int{"OnRecordsListRequest": 1}},
		{"sort in Russian", http.MethodGet, reportsURL + "?sort=reporter&lang=ru", "", "sort",
			[]string{`"message":"При обработке запроса что-то пошло не так."`, `"message":"Нельзя фильтровать или сортировать по полю reporter."`},
			map[string]int{"OnRecordsListRequest": 1}},
		{"realtime filter in Tajik", http.MethodPost, "/api/realtime?lang=tg", string(body), "subscriptions",
			[]string{`"message":"Ҳангоми коркарди дархост хатое рух дод."`, `"message":"Аз рӯйи майдони reporter филтр ё мураттаб кардан мумкин нест."`},
			map[string]int{"OnRealtimeSubscribeRequest": 1}},
	} {
		sc := fixtures.Scenario(fixtures.Editor, tests.ApiScenario{
			Name:               s.name,
			Method:             s.method,
			URL:                s.url,
			Body:               strings.NewReader(s.body),
			ExpectedStatus:     400,
			ExpectedContent:    append([]string{`"` + s.param + `":{"code":"privacy_forbidden_query_field"`}, s.want...),
			NotExpectedContent: english,
			ExpectedEvents:     s.events,
			BeforeTestFunc:     connected(realtime, fixtures.Editor),
		})
		sc.Test(t)
	}
}

// TestBatchResponses: records returned by /api/batch are redacted too.
func TestBatchResponses(t *testing.T) {
	body := `{"requests":[{"method":"PATCH","url":"` + reportsURL + "/" + fixtures.ReportAnonymous + `","body":{"status":"archived"}}]}`
	sc := fixtures.Scenario(fixtures.Coordinator, tests.ApiScenario{
		Name:   "coordinator archives an anonymous report through batch",
		Method: http.MethodPost, URL: "/api/batch", Body: strings.NewReader(body),
		ExpectedStatus:     200,
		ExpectedContent:    []string{`"status":"archived"`},
		NotExpectedContent: []string{anyReporter, fixtures.Volunteer},
	})
	sc.Test(t)
}

// TestRealtimeSubscriptionGuard: a subscription filter may not name a hidden
// field either (the events it lets through would answer the question).
func TestRealtimeSubscriptionGuard(t *testing.T) {
	scenarios := []struct {
		as, topic string
		status    int
	}{
		{fixtures.Editor, `incident_reports?options={"query":{"filter":"reporter='` + fixtures.Volunteer + `'"}}`, 400},
		{fixtures.Coordinator, `incident_reports/` + fixtures.ReportAnonymous + `?options={"query":{"filter":"reporter.name!=''"}}`, 400},
		{fixtures.Coordinator, `incident_reports/` + fixtures.ReportAnonymous + `?options={"query":{"filter":"(reporter='` + fixtures.Volunteer + `')"}}`, 400},
		{fixtures.Editor, `incident_reports?options=` + url.QueryEscape(`{"query":{"filter":"status='verified' && (location.lat>40)"}}`), 400},
		// PocketBase reads the options with encoding/json/v2, which stops at
		// a repeated key with what it read so far: the first filter applies
		{fixtures.Editor, `incident_reports?options={"query":{"filter":"reporter='` + fixtures.Volunteer + `'","filter":""}}`, 400},
		{fixtures.Editor, `incident_reports?options={"query":{"filter":"location.lat>40","filter":"status='verified'"}}`, 400},
		{fixtures.Coordinator, `incident_reports/` + fixtures.ReportAnonymous + `?options={"query":{"filter":"reporter.name!=''"},"query":{}}`, 400},
		{fixtures.Editor, `incident_reports?options={"query":{"filter":"status='verified'"}}`, 204},
		{fixtures.Editor, `incident_reports?options={"query":{"filter":"(status='verified')"}}`, 204},
		{fixtures.Editor, `incident_reports`, 204},
		{fixtures.Volunteer2, `districts/*?options=` + url.QueryEscape(`{"query":{"filter":"incident_reports_via_district.location.lat>40.12"}}`), 400},
		{fixtures.Coordinator, `districts/*?options=` + url.QueryEscape(`{"query":{"filter":"incident_reports_via_district.location.lat>40.12"}}`), 204},
	}
	for i, s := range scenarios {
		client := subscriptions.NewDefaultClient()
		body, _ := json.Marshal(map[string]any{"clientId": client.Id(), "subscriptions": []string{s.topic}})
		want := []string(nil)
		if s.status == 400 {
			want = []string{`"subscriptions":{"code":"privacy_forbidden_query_field"`}
		}
		sc := fixtures.Scenario(s.as, tests.ApiScenario{
			Name:   fmt.Sprintf("%d_%s_%s", i, fixtures.Role(s.as), s.topic),
			Method: http.MethodPost, URL: "/api/realtime", Body: strings.NewReader(string(body)),
			ExpectedStatus:  s.status,
			ExpectedContent: want,
			BeforeTestFunc:  connected(client, s.as),
		})
		sc.Test(t)
	}
}

// connected registers client with the broker as signed in as user, as
// PocketBase does when a realtime connection opens.
func connected(client subscriptions.Client, user string) func(testing.TB, *tests.TestApp, *core.ServeEvent) {
	return func(t testing.TB, app *tests.TestApp, _ *core.ServeEvent) {
		auth, err := app.FindRecordById("users", user)
		if err != nil {
			t.Fatal(err)
		}
		client.Set(apis.RealtimeClientAuthKey, auth)
		app.SubscriptionsBroker().Register(client)
	}
}

// TestUpdatesExpand: an editor's (or the public's) expand from a public
// update into the reports behind it discloses no reporter or location.
func TestUpdatesExpand(t *testing.T) {
	const updateID = "update000000001"
	seedUpdate := func(t testing.TB, app *tests.TestApp, _ *core.ServeEvent) {
		collection, err := app.FindCollectionByNameOrId("updates")
		if err != nil {
			t.Fatal(err)
		}
		u := core.NewRecord(collection)
		u.Id = updateID
		u.Set("title", "Shelling in Batken")
		u.Set("body", "Verified reports of shelling.")
		u.Set("language", "en")
		u.Set("status", "published")
		u.Set("author", fixtures.Editor)
		u.Set("related_incidents", []string{fixtures.ReportVerified, fixtures.ReportAnonymous})
		if err := app.SaveNoValidate(u); err != nil {
			t.Fatal(err)
		}
	}
	url := "/api/collections/updates/records/" + updateID + "?expand=related_incidents.reporter,related_incidents.verified_by"
	scenarios := []struct {
		as            string
		want, notWant []string
	}{
		{fixtures.Editor, []string{`"related_incidents":[{`, verifier}, []string{anyReporter, volunteerUser, exactLocation}},
		{fixtures.Anonymous, []string{`"title":"Shelling in Batken"`}, []string{`"related_incidents":[{`, anyReporter, exactLocation, verifier}},
		{fixtures.Coordinator, []string{reporterID, exactLocation, volunteerUser}, nil},
	}
	for i, s := range scenarios {
		sc := fixtures.Scenario(s.as, tests.ApiScenario{
			Name:   fmt.Sprintf("%d_%s", i, fixtures.Role(s.as)),
			Method: http.MethodGet, URL: url,
			ExpectedStatus:     200,
			ExpectedContent:    s.want,
			NotExpectedContent: s.notWant,
			BeforeTestFunc:     seedUpdate,
		})
		sc.Test(t)
	}
}

// inBatken puts the fixture's reports in one district, the other
// volunteer's (ReportOther, ReportAnonymous2) at a point of their own.
func inBatken(t testing.TB, app *tests.TestApp, _ *core.ServeEvent) {
	for _, id := range []string{fixtures.ReportSubmitted, fixtures.ReportVerified, fixtures.ReportAnonymous, fixtures.ReportOther, fixtures.ReportAnonymous2} {
		r, err := app.FindRecordById("incident_reports", id)
		if err != nil {
			t.Fatal(err)
		}
		r.Set("district", batken)
		if r.GetString("reporter") == fixtures.Volunteer2 {
			r.Set("location", map[string]any{"lon": 70.5, "lat": 41.5})
		}
		if err := app.SaveNoValidate(r); err != nil {
			t.Fatal(err)
		}
	}
}

const (
	batken       = "kgbatkenbatken0"
	districtsURL = "/api/collections/districts/records"
	updatesURL   = "/api/collections/updates/records"
	updateOrig   = "updoriginal0001"
)

// withTranslations adds a published update with a published translation
// and a draft one, whose title only editors may read.
func withTranslations(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
	inBatken(t, app, e)
	col, err := app.FindCollectionByNameOrId("updates")
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []struct{ id, language, status, title, of string }{
		{updateOrig, "en", "published", "Shelling in Batken", ""},
		{"updtranslated01", "ru", "published", "Обстрел в Баткене", updateOrig},
		{"upddrafttrans01", "ky", "draft", "DRAFT SECRET", updateOrig},
	} {
		r := core.NewRecord(col)
		r.Id = u.id
		r.Set("title", u.title)
		r.Set("body", "Body.")
		r.Set("language", u.language)
		r.Set("status", u.status)
		r.Set("translation_of", u.of)
		r.Set("author", fixtures.Editor)
		if u.status == "published" {
			r.Set("published_at", "2026-11-25 10:00:00.000Z")
		}
		if err := app.SaveNoValidate(r); err != nil {
			t.Fatal(err)
		}
	}
}

// TestQueryGuard_FanOut: a filter or sort that fans out from a record to
// many (a back-relation, a multiple relation) is refused where it reaches
// records the caller may not all list. PocketBase applies the list rule to
// the main query's join only: the "every one matches" subquery of = or >
// read every related record, so the other volunteer, with a report of
// their own in the district, learnt the exact latitude of volunteer A's
// reports (> 40.12 matched, > 40.124 did not) and that A reported there,
// anonymously too; the public read a draft translation's title letter by
// letter; and the rule on the join dropped the districts whose reports
// were all hidden, which told the public where reports were filed.
func TestQueryGuard_FanOut(t *testing.T) {
	forbidden := []string{`"filter":{"code":"privacy_forbidden_query_field"`}
	inDistrict := func(expr string) string {
		return filter(districtsURL, "id = '"+batken+"' && "+expr) + "&fields=id"
	}
	scenarios := []scenario{
		{fixtures.Volunteer2, "another's latitude, from below", inDistrict("incident_reports_via_district.location.lat > 40.12"), 400, forbidden, []string{batken}},
		{fixtures.Volunteer2, "another's latitude, from above", inDistrict("incident_reports_via_district.location.lat > 40.124"), 400, forbidden, []string{batken}},
		{fixtures.Volunteer2, "who reported there", inDistrict("incident_reports_via_district.reporter != '" + fixtures.Volunteer + "'"), 400, forbidden, []string{batken}},
		{fixtures.Volunteer2, "others' descriptions", inDistrict("incident_reports_via_district.description !~ 'school'"), 400, forbidden, []string{batken}},
		{fixtures.Volunteer2, "the any-operators too", inDistrict("incident_reports_via_district.id ?!= ''"), 400, forbidden, []string{batken}},
		{fixtures.Volunteer, "aid requests fan out too", inDistrict("aid_requests_via_district.beneficiary_name > 'A'"), 400, forbidden, []string{batken}},
		{fixtures.Anonymous, "the public: districts with reports", inDistrict("incident_reports_via_district.id ?!= 'x'"), 400, forbidden, []string{batken}},
		{fixtures.Anonymous, "the public: by sort", districtsURL + "?sort=incident_reports_via_district.id", 400,
			[]string{`"sort":{"code":"privacy_forbidden_query_field"`}, []string{batken}},
		{fixtures.Editor, "an editor into unverified reports", inDistrict("incident_reports_via_district.description ~ 'report'"), 400, forbidden, []string{batken}},
		{fixtures.Anonymous, "the public reads a draft translation's title", filter(updatesURL, "id = '"+updateOrig+"' && updates_via_translation_of.title > 'DRAFT S'"), 400, forbidden, []string{updateOrig}},
		{fixtures.Editor, "editors read every update", filter(updatesURL, "id = '"+updateOrig+"' && updates_via_translation_of.title > 'DRAFT S'"), 200, []string{updateOrig}, nil},
		{fixtures.Volunteer2, "a multiple relation", filter("/api/collections/updates/records", "related_incidents.reporter != ''"), 400, forbidden, nil},
		// what the caller lists in full stays usable
		{fixtures.Coordinator, "a coordinator lists every report", inDistrict("incident_reports_via_district.status != 'x'"), 200, []string{batken}, nil},
		{fixtures.Coordinator, "and every user", filter(usersURL, "verified = false && organization.users_via_organization.id != ''"), 200, []string{`"items":`}, nil},
		{fixtures.Anonymous, "the public view is public", inDistrict("public_incidents_via_district.category ?= 'shelling'"), 200, []string{batken}, nil},
		{fixtures.Volunteer2, "the own side of a relation is not a fan-out", filter("/api/collections/updates/records", "related_incidents ?= '"+fixtures.ReportVerified+"'"), 200, []string{`"items":`}, nil},
		{fixtures.Superuser, "superusers query anything", inDistrict("incident_reports_via_district.location.lat > 40.12"), 200, []string{batken}, nil},
	}
	getAfter(t, withTranslations, scenarios)
}

const fanOutOrg = "fanoutorg000001"

// fanOutOrgMembers puts the volunteer (address hidden) and the coordinator
// (address made visible, as anyone may for their own) in one organization.
func fanOutOrgMembers(t testing.TB, app *tests.TestApp, _ *core.ServeEvent) {
	col, err := app.FindCollectionByNameOrId("organizations")
	if err != nil {
		t.Fatal(err)
	}
	org := core.NewRecord(col)
	org.Id = fanOutOrg
	org.Set("name", "Fan-out")
	org.Set("active", true)
	if err := app.SaveNoValidate(org); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{fixtures.Volunteer, fixtures.Coordinator} {
		u, err := app.FindRecordById("users", id)
		if err != nil {
			t.Fatal(err)
		}
		u.Set("organization", fanOutOrg)
		u.Set("emailVisibility", id == fixtures.Coordinator)
		if err := app.SaveNoValidate(u); err != nil {
			t.Fatal(err)
		}
	}
}

// A coordinator lists every user, so a fan-out into users passes the
// list-rule guard; but PocketBase hides an address whose owner did not make
// it visible by a condition on the main query's join alone, and the "every
// one matches" subquery compared the hidden ones: the organization was
// listed for a wrong guess of a member's address and not for the right one.
func TestQueryGuard_FanOutEmail(t *testing.T) {
	orgs := "/api/collections/organizations/records"
	inOrg := func(expr string) string { return filter(orgs, "id = '"+fanOutOrg+"' && "+expr) }
	forbidden := []string{`"filter":{"code":"privacy_forbidden_query_field"`}
	getAfter(t, fanOutOrgMembers, []scenario{
		{fixtures.Coordinator, "the right guess", inOrg("users_via_organization.email != '" + fixtures.Volunteer + "@example.org'"), 400, forbidden, nil},
		{fixtures.Coordinator, "a wrong guess alike", inOrg("users_via_organization.email != 'nobody@example.org'"), 400, forbidden, nil},
		{fixtures.Coordinator, "with a modifier", inOrg("users_via_organization.email:lower != 'nobody@example.org'"), 400, forbidden, nil},
		{fixtures.Coordinator, "from a user through their organization", filter(usersURL, "organization.users_via_organization.email != 'x'"), 400, forbidden, nil},
		{fixtures.Coordinator, "the members' other fields still", inOrg("users_via_organization.role ?= 'volunteer'"), 200, []string{fanOutOrg}, nil},
		{fixtures.Coordinator, "and visible addresses without a fan-out", filter(usersURL, "email = '"+fixtures.Coordinator+"@example.org'"), 200, []string{`"totalItems":1`}, nil},
		{fixtures.Superuser, "superusers query anything", inOrg("users_via_organization.email != 'nobody@example.org'"), 200, []string{fanOutOrg}, nil},
	})
}
