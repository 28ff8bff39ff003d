package workflow_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"aman/internal/fixtures"
)

const (
	orgActive   = "orgactive000001"
	orgRetired  = "orgretired00001"
	usersURL    = "/api/collections/users/records"
	inactiveMsg = `{"code":"workflow_organization_inactive","message":"Эта организация не активна: выберите активную."}`
)

// seedOrganizations adds an active organization and a retired one.
func seedOrganizations(t testing.TB, app *tests.TestApp, _ *core.ServeEvent) {
	t.Helper()
	collection, err := app.FindCollectionByNameOrId("organizations")
	if err != nil {
		t.Fatal(err)
	}
	for id, active := range map[string]bool{orgActive: true, orgRetired: false} {
		org := core.NewRecord(collection)
		org.Id = id
		org.Load(map[string]any{"name": "Group " + id, "active": active})
		if err := app.Save(org); err != nil {
			t.Fatal(err)
		}
	}
}

// Only active organizations can be assigned (docs/data-model.md): an aid
// request handed to an organization that stopped working waits for help
// that never comes, and a coordinator could do it, retired ones being
// listed to them too.
func TestOrganization_OnlyActiveAssigned(t *testing.T) {
	scenarios := []struct {
		name, url, body string
		before          func(testing.TB, *tests.TestApp, *core.ServeEvent)
		status          int
		want            []string
	}{
		{"an aid request to a retired organization", aidURL + "/" + fixtures.AidOpen,
			`{"status":"acknowledged","assigned_org":"` + orgRetired + `"}`, nil, 400,
			[]string{`"assigned_org":` + inactiveMsg}},
		{"an aid request to an active one", aidURL + "/" + fixtures.AidOpen,
			`{"status":"acknowledged","assigned_org":"` + orgActive + `"}`, nil, 200,
			[]string{`"assigned_org":"` + orgActive + `"`}},
		{"a user into a retired organization", usersURL + "/" + fixtures.Volunteer2,
			`{"organization":"` + orgRetired + `"}`, nil, 400,
			[]string{`"organization":` + inactiveMsg}},
		{"a user into an active one", usersURL + "/" + fixtures.Volunteer2,
			`{"organization":"` + orgActive + `"}`, nil, 200,
			[]string{`"organization":"` + orgActive + `"`}},
		{"a request whose organization retired since is still reviewed", aidURL + "/" + fixtures.AidOpen,
			`{"status":"acknowledged"}`,
			func(t testing.TB, app *tests.TestApp, _ *core.ServeEvent) {
				aid, err := app.FindRecordById("aid_requests", fixtures.AidOpen)
				if err != nil {
					t.Fatal(err)
				}
				aid.Set("assigned_org", orgRetired)
				if err := app.SaveNoValidate(aid); err != nil {
					t.Fatal(err)
				}
			}, 200, []string{`"status":"acknowledged"`, `"assigned_org":"` + orgRetired + `"`}},
	}
	for _, s := range scenarios {
		before := s.before
		scenario := fixtures.Scenario(fixtures.Coordinator, tests.ApiScenario{
			Name:   strings.ReplaceAll(s.name, " ", "_"),
			Method: http.MethodPatch, URL: s.url, Body: strings.NewReader(s.body),
			Headers: map[string]string{"Accept-Language": "ru"},
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				seedOrganizations(t, app, e)
				if before != nil {
					before(t, app, e)
				}
			},
			ExpectedStatus:  s.status,
			ExpectedContent: s.want,
		})
		scenario.Test(t)
	}
}
