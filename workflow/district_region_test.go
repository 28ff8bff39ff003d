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

// TestDistrictWithinRegion_RegionEdit: the district is checked when the
// region changes too: an edit of the region alone must not leave a record
// in one region placed in a district of the other side of the border.
func TestDistrictWithinRegion_RegionEdit(t *testing.T) {
	inIsfara := func(t testing.TB, app *tests.TestApp, _ *core.ServeEvent) {
		r, err := app.FindRecordById("aid_requests", fixtures.AidOpen)
		if err != nil {
			t.Fatal(err)
		}
		r.Set("district", isfara) // the fixture's aid requests are in Sughd
		if err := app.Save(r); err != nil {
			t.Fatal(err)
		}
	}
	scenarios := []tests.ApiScenario{
		{
			Name:   "moving the region away from the district is refused",
			Method: http.MethodPatch, URL: aidURL + "/" + fixtures.AidOpen, Body: strings.NewReader(`{"region":"batken"}`),
			BeforeTestFunc:  inIsfara,
			ExpectedStatus:  400,
			ExpectedContent: []string{`"district":{"code":"workflow_district_outside_region"`},
			AfterTestFunc:   expectField("aid_requests", fixtures.AidOpen, "region", "sughd"),
		},
		{
			Name:   "moving both together is accepted",
			Method: http.MethodPatch, URL: aidURL + "/" + fixtures.AidOpen, Body: strings.NewReader(`{"region":"batken","district":"` + batken + `"}`),
			BeforeTestFunc:  inIsfara,
			ExpectedStatus:  200,
			ExpectedContent: []string{`"region":"batken"`, `"district":"` + batken + `"`},
		},
	}
	for i, s := range scenarios {
		s.Name = fmt.Sprintf("%d_%s", i, s.Name)
		scenario := fixtures.Scenario(fixtures.Volunteer, s)
		scenario.Test(t)
	}
}
