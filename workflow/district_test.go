package workflow_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/tests"

	"aman/internal/fixtures"
)

// Seeded districts (docs/data-model.md, Reference data).
const (
	isfara = "tjsughdisfara00" // Sughd, Tajikistan
	batken = "kgbatkenbatken0" // Batken, Kyrgyzstan
)

// A report or an aid request names a region and, optionally, a district or
// city. A district of the other side of the border was accepted, and a
// verified report went out in public_incidents placed in both countries;
// coordinators, who may not change content, could not correct it.
func TestDistrictWithinRegion(t *testing.T) {
	report := func(region, district string) string {
		return fmt.Sprintf(`{"reporter":%q,"occurred_at":"2026-11-25 06:00:00.000Z","region":%q,"district":%q,`+
			`"category":"gunfire","description":"Shots heard at night"}`, fixtures.Volunteer, region, district)
	}
	aid := func(region, district string) string {
		return fmt.Sprintf(`{"requester":%q,"region":%q,"district":%q,"needs":["water"],"urgency":"high"}`,
			fixtures.Volunteer, region, district)
	}
	scenarios := []struct {
		as string
		s  tests.ApiScenario
	}{
		{fixtures.Volunteer, tests.ApiScenario{
			Name:   "a report in Sughd placed in a Batken district is refused",
			Method: http.MethodPost, URL: reportsURL, Body: strings.NewReader(report("sughd", batken)),
			ExpectedStatus: 400,
			ExpectedContent: []string{`"district":{"code":"workflow_district_outside_region"`,
				`"message":"This district or city is not in the chosen region."`},
		}},
		{fixtures.Volunteer, tests.ApiScenario{
			Name:   "the refusal is localized",
			Method: http.MethodPost, URL: reportsURL, Body: strings.NewReader(report("other", isfara)),
			Headers:        map[string]string{"Accept-Language": "ru"},
			ExpectedStatus: 400,
			ExpectedContent: []string{`"district":{"code":"workflow_district_outside_region"`,
				`"message":"Этот район или город не входит в выбранную область."`},
		}},
		{fixtures.Volunteer, tests.ApiScenario{
			Name:   "a district of the region is accepted",
			Method: http.MethodPost, URL: reportsURL, Body: strings.NewReader(report("sughd", isfara)),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"district":"` + isfara + `"`},
		}},
		{fixtures.Volunteer, tests.ApiScenario{
			Name:   "and no district at all",
			Method: http.MethodPost, URL: reportsURL, Body: strings.NewReader(report("other", "")),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"region":"other"`},
		}},
		{fixtures.Volunteer, tests.ApiScenario{
			Name:   "a submitted report gets a district of its region",
			Method: http.MethodPatch, URL: reportsURL + "/" + fixtures.ReportSubmitted, Body: strings.NewReader(`{"district":"` + batken + `"}`),
			ExpectedStatus:  200, // the fixture's reports are in Batken
			ExpectedContent: []string{`"district":"` + batken + `"`},
		}},
		{fixtures.Volunteer, tests.ApiScenario{
			Name:   "an aid request is held to it too",
			Method: http.MethodPost, URL: aidURL, Body: strings.NewReader(aid("batken", isfara)),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"district":{"code":"workflow_district_outside_region"`},
		}},
		{fixtures.Volunteer, tests.ApiScenario{
			Name:   "an aid request in its district's region is accepted",
			Method: http.MethodPost, URL: aidURL, Body: strings.NewReader(aid("batken", batken)),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"district":"` + batken + `"`},
		}},
		{fixtures.Volunteer, tests.ApiScenario{
			Name:   "an edit that moves the region away from the district is refused",
			Method: http.MethodPatch, URL: aidURL + "/" + fixtures.AidOpen, Body: strings.NewReader(`{"district":"` + batken + `"}`),
			ExpectedStatus:  400, // the fixture's aid requests are in Sughd
			ExpectedContent: []string{`"district":{"code":"workflow_district_outside_region"`},
			AfterTestFunc:   expectField("aid_requests", fixtures.AidOpen, "district", ""),
		}},
	}
	for i, sc := range scenarios {
		sc.s.Name = fmt.Sprintf("%d_%s_%s", i, fixtures.Role(sc.as), sc.s.Name)
		scenario := fixtures.Scenario(sc.as, sc.s)
		scenario.Test(t)
	}
}
