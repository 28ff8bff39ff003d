package privacy_test

import (
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"aman/internal/fixtures"
)

// hiddenAddresses gives the volunteers addresses that sort unlike their
// ids, both hidden (emailVisibility false, as on sign-up).
func hiddenAddresses(t testing.TB, app *tests.TestApp, _ *core.ServeEvent) {
	// written past the record's save, which would end the account's
	// sessions (a new token key) and refuse the scenarios' tokens
	for id, email := range map[string]string{fixtures.Volunteer: "zeta@example.org", fixtures.Volunteer2: "alpha@example.org"} {
		_, err := app.DB().NewQuery("UPDATE users SET email = {:email}, emailVisibility = FALSE WHERE id = {:id}").
			Bind(dbx.Params{"email": email, "id": id}).Execute()
		if err != nil {
			t.Fatal(err)
		}
	}
}

// PocketBase keeps an address its owner did not make visible out of
// filters, but not out of sorts: a coordinator listing users by email saw
// them in the order of their hidden addresses, and could bisect one by
// creating accounts with addresses of their choosing.
func TestQueryGuard_SortByEmail(t *testing.T) {
	volunteers := usersURL + "?fields=id&filter=" + "role%3D'volunteer'"
	forbidden := []string{`"sort":{"code":"privacy_forbidden_query_field"`}
	getAfter(t, hiddenAddresses, []scenario{
		{fixtures.Coordinator, "users by their hidden addresses", volunteers + "&sort=email", 400, forbidden, []string{`"items"`}},
		{fixtures.Coordinator, "descending", volunteers + "&sort=-email", 400, forbidden, []string{`"items"`}},
		{fixtures.Coordinator, "with a modifier", volunteers + "&sort=email:lower", 400, forbidden, []string{`"items"`}},
		{fixtures.Coordinator, "reports by their reporters' addresses", "/api/collections/incident_reports/records?sort=reporter.email", 400, forbidden, nil},
		{fixtures.Volunteer, "even one's own list", usersURL + "?sort=email", 400, forbidden, nil},
		{fixtures.Coordinator, "other fields still sort", volunteers + "&sort=name,-created", 200, []string{`"items":[{"id":`}, nil},
		{fixtures.Coordinator, "and a filter by a visible address still works", usersURL + "?filter=" + "email%3D'x%40example.org'", 200, []string{`"totalItems":0`}, nil},
		{fixtures.Superuser, "superusers sort by anything", volunteers + "&sort=email", 200, []string{`"items":[{"id":"volunteer000002"},{"id":"volunteer000001"}]`}, nil},
	})
}
