package workflow_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"aman/internal/fixtures"
	"aman/workflow"
)

// Retiring an organization releases its requests in service
// (workflow/release.go, docs/workflow.md, Aid requests).
const (
	orgGoing    = "orggoing0000001" // every fixture request is assigned to it
	orgStaying  = "orgstaying00001" // active, one request in progress
	orgUnused   = "orgunused000001" // no request names it
	aidOther    = "aidotherorg0001" // in progress, assigned to orgStaying
	aidWorker   = "aidworker000001" // aid worker of orgGoing
	orgsURL     = "/api/collections/organizations/records"
	fixtureAck  = "2026-11-22 09:00:00.000Z"
	storedPhone = "12" // too short: written around the hooks
)

// inService and kept are the fixture's requests by what a retirement does
// to them.
var (
	inService = []string{fixtures.AidOpen, fixtures.AidAcknowledged, fixtures.AidInProgress}
	kept      = map[string]string{
		fixtures.AidFulfilled: "fulfilled", fixtures.AidClosed: "closed", fixtures.AidCancelled: "cancelled",
	}
)

// seedRelease adds the three organizations, assigns every fixture request
// to orgGoing (around the hooks: the fixture states the world), gives the
// in-progress one a stored phone the workflow would refuse now, and adds an
// aid worker of orgGoing and a request of orgStaying.
func seedRelease(t testing.TB, app *tests.TestApp, _ *core.ServeEvent) {
	t.Helper()
	orgs, err := app.FindCollectionByNameOrId("organizations")
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{orgGoing, orgStaying, orgUnused} {
		org := core.NewRecord(orgs)
		org.Id = id
		org.Load(map[string]any{"name": "Group " + id, "active": true})
		if err := app.Save(org); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range append(append([]string{}, inService...), fixtures.AidFulfilled, fixtures.AidClosed, fixtures.AidCancelled) {
		r, err := app.FindRecordById("aid_requests", id)
		if err != nil {
			t.Fatal(err)
		}
		r.Set("assigned_org", orgGoing)
		if id == fixtures.AidInProgress {
			r.Set("contact_phone", storedPhone)
		}
		if err := app.SaveNoValidate(r); err != nil {
			t.Fatal(err)
		}
	}
	other, err := app.FindRecordById("aid_requests", fixtures.AidInProgress)
	if err != nil {
		t.Fatal(err)
	}
	twin := other.Fresh()
	twin.Id = aidOther
	twin.MarkAsNew()
	twin.Set("assigned_org", orgStaying)
	twin.Set("contact_phone", fixtures.Phone)
	if err := app.SaveNoValidate(twin); err != nil {
		t.Fatal(err)
	}
	users, err := app.FindCollectionByNameOrId("users")
	if err != nil {
		t.Fatal(err)
	}
	worker := core.NewRecord(users)
	worker.Id = aidWorker
	worker.SetEmail(aidWorker + "@example.org")
	worker.SetPassword(fixtures.Password)
	worker.Load(map[string]any{"name": "Aid worker", "role": "aid_worker", "organization": orgGoing})
	if err := app.Save(worker); err != nil {
		t.Fatal(err)
	}
}

// expectReleased checks that the requests in service of orgGoing are open,
// unassigned and unacknowledged, that those it handled to the end keep it,
// their status and time, and that orgStaying's request is untouched.
func expectReleased(t testing.TB, app core.App) {
	t.Helper()
	for _, id := range inService {
		r, err := app.FindRecordById("aid_requests", id)
		if err != nil {
			t.Fatal(err)
		}
		if r.GetString("assigned_org") != "" || r.GetString("status") != "open" || !r.GetDateTime("acknowledged_at").IsZero() {
			t.Fatalf("%s not released: assigned_org %q, status %q, acknowledged_at %q", id,
				r.GetString("assigned_org"), r.GetString("status"), r.GetString("acknowledged_at"))
		}
	}
	if r, _ := app.FindRecordById("aid_requests", fixtures.AidInProgress); r.GetString("contact_phone") != storedPhone {
		t.Fatalf("the release changed a stored phone: %q", r.GetString("contact_phone"))
	}
	for id, status := range kept {
		expectRequest(t, app, id, orgGoing, status, fixtureAck)
	}
	expectRequest(t, app, aidOther, orgStaying, "in_progress", fixtureAck)
	if n := countAssigned(t, app, orgGoing); n != len(kept) {
		t.Fatalf("%d requests still name %s, want %d", n, orgGoing, len(kept))
	}
}

// expectUntouched checks that nothing of the seed changed: orgGoing is
// active and every request keeps it.
func expectUntouched(t testing.TB, app core.App) {
	t.Helper()
	org, err := app.FindRecordById("organizations", orgGoing)
	if err != nil {
		t.Fatal(err)
	}
	if !org.GetBool("active") {
		t.Fatalf("%s was retired", orgGoing)
	}
	expectRequest(t, app, fixtures.AidOpen, orgGoing, "open", "")
	expectRequest(t, app, fixtures.AidAcknowledged, orgGoing, "acknowledged", fixtureAck)
	expectRequest(t, app, fixtures.AidInProgress, orgGoing, "in_progress", fixtureAck)
	for id, status := range kept {
		expectRequest(t, app, id, orgGoing, status, fixtureAck)
	}
	expectRequest(t, app, aidOther, orgStaying, "in_progress", fixtureAck)
}

func expectRequest(t testing.TB, app core.App, id, org, status, acknowledged string) {
	t.Helper()
	r, err := app.FindRecordById("aid_requests", id)
	if err != nil {
		t.Fatal(err)
	}
	if r.GetString("assigned_org") != org || r.GetString("status") != status || r.GetString("acknowledged_at") != acknowledged {
		t.Fatalf("%s: assigned_org %q, status %q, acknowledged_at %q; want %q, %q, %q", id,
			r.GetString("assigned_org"), r.GetString("status"), r.GetString("acknowledged_at"), org, status, acknowledged)
	}
}

func countAssigned(t testing.TB, app core.App, org string) int {
	t.Helper()
	records, err := app.FindAllRecords("aid_requests", dbx.HashExp{"assigned_org": org})
	if err != nil {
		t.Fatal(err)
	}
	return len(records)
}

// expectActor checks who the history of each released request names: the
// latest change row of the request, the one that released it.
func expectActor(collection, id string) func(testing.TB, core.App) {
	return func(t testing.TB, app core.App) {
		t.Helper()
		for _, request := range inService {
			var row struct {
				Actor      string `db:"actor"`
				Collection string `db:"actor_collection"`
				Client     string `db:"client"`
				Fields     string `db:"fields"`
			}
			err := app.DB().NewQuery(`SELECT actor, actor_collection, client, fields FROM _aman_changes
				WHERE collection = 'aid_requests' AND record_id = {:id} ORDER BY seq DESC LIMIT 1`).
				Bind(dbx.Params{"id": request}).One(&row)
			if err != nil {
				t.Fatal(err)
			}
			if row.Actor != id || row.Collection != collection || row.Client != "" ||
				!strings.Contains(row.Fields, `"assigned_org"`) {
				t.Fatalf("history of the release of %s: %+v, want actor %s/%s", request, row, collection, id)
			}
		}
	}
}

func after(checks ...func(testing.TB, core.App)) func(testing.TB, *tests.TestApp, *http.Response) {
	return func(t testing.TB, app *tests.TestApp, _ *http.Response) {
		for _, check := range checks {
			check(t, app)
		}
	}
}

// TestRelease_RetiringOrganization: a superuser's retirement (REST, as the
// dashboard does, and /api/batch) releases exactly the requests in service
// of the organization, in its transaction, and the history of each names
// the superuser; nobody else may retire one (organizations are the
// superusers' reference data), and a refused retirement releases nothing.
func TestRelease_RetiringOrganization(t *testing.T) {
	retire := `{"active":false}`
	for _, as := range []string{fixtures.Anonymous, fixtures.Volunteer, aidWorker, fixtures.Coordinator, fixtures.Editor} {
		role := fixtures.Role(as)
		if as == aidWorker {
			role = "aid_worker"
		}
		headers, who := map[string]string{}, as
		if as == aidWorker {
			who = fixtures.Anonymous // seeded below, then signed in
		}
		runScenario(t, who, tests.ApiScenario{
			Name:   "REST: " + role + " may not retire an organization",
			Method: http.MethodPatch, URL: orgsURL + "/" + orgGoing, Body: strings.NewReader(retire),
			Headers: headers,
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				seedRelease(t, app, e)
				if as == aidWorker {
					fixtures.As(aidWorker, headers)(t, app, e)
				}
			},
			ExpectedStatus: 403, ExpectedContent: []string{`"data":{}`},
			AfterTestFunc: after(expectUntouched),
		})
	}
	runScenario(t, fixtures.Superuser, tests.ApiScenario{
		Name:   "REST: a superuser's retirement releases the requests in service",
		Method: http.MethodPatch, URL: orgsURL + "/" + orgGoing, Body: strings.NewReader(retire),
		BeforeTestFunc:  seedRelease,
		ExpectedStatus:  200,
		ExpectedContent: []string{`"active":false`},
		AfterTestFunc:   after(expectReleased, expectActor(core.CollectionNameSuperusers, fixtures.Superuser)),
	})
	runScenario(t, fixtures.Superuser, tests.ApiScenario{
		Name:   "/api/batch: a superuser's retirement releases the requests in service",
		Method: http.MethodPost, URL: "/api/batch",
		Body:            strings.NewReader(`{"requests":[{"method":"PATCH","url":"` + orgsURL + "/" + orgGoing + `","body":` + retire + `}]}`),
		BeforeTestFunc:  seedRelease,
		ExpectedStatus:  200,
		ExpectedContent: []string{`"active":false`},
		AfterTestFunc:   after(expectReleased, expectActor(core.CollectionNameSuperusers, fixtures.Superuser)),
	})
	runScenario(t, fixtures.Superuser, tests.ApiScenario{
		Name:   "REST: re-activating assigns nothing again",
		Method: http.MethodPatch, URL: orgsURL + "/" + orgGoing, Body: strings.NewReader(`{"active":true}`),
		BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
			seedRelease(t, app, e)
			setActive(t, app, orgGoing, false)
		},
		ExpectedStatus:  200,
		ExpectedContent: []string{`"active":true`},
		AfterTestFunc:   after(expectReleased),
	})
	runScenario(t, fixtures.Superuser, tests.ApiScenario{
		Name:   "REST: renaming an active organization releases nothing",
		Method: http.MethodPatch, URL: orgsURL + "/" + orgGoing, Body: strings.NewReader(`{"name":"Renamed"}`),
		BeforeTestFunc:  seedRelease,
		ExpectedStatus:  200,
		ExpectedContent: []string{`"name":"Renamed"`},
		AfterTestFunc:   after(expectUntouched),
	})
}

func runScenario(t *testing.T, as string, s tests.ApiScenario) {
	t.Helper()
	scenario := fixtures.Scenario(as, s)
	scenario.Test(t)
}

func setActive(t testing.TB, app core.App, id string, active bool) {
	t.Helper()
	org, err := app.FindRecordById("organizations", id)
	if err != nil {
		t.Fatal(err)
	}
	org.Set("active", active)
	if err := app.Save(org); err != nil {
		t.Fatal(err)
	}
}

// TestRelease_GoCode: app.Save of a retired organization (Go code, a
// hook) releases too, logged as the system's; and so does any later save
// of a retired organization that a request in service still names (a row
// written around the hooks, a retirement made before releases existed).
func TestRelease_GoCode(t *testing.T) {
	app := fixtures.Factory(t)
	seedRelease(t, app, nil)
	setActive(t, app, orgGoing, false)
	expectReleased(t, app)
	expectActor("", "")(t, app)

	stranded, err := app.FindRecordById("aid_requests", fixtures.AidInProgress)
	if err != nil {
		t.Fatal(err)
	}
	stranded.Load(map[string]any{"assigned_org": orgGoing, "status": "in_progress", "acknowledged_at": fixtureAck})
	if err := app.SaveNoValidate(stranded); err != nil {
		t.Fatal(err)
	}
	org, err := app.FindRecordById("organizations", orgGoing)
	if err != nil {
		t.Fatal(err)
	}
	org.Set("contact", "+992 3422 0 00 00")
	if err := app.Save(org); err != nil {
		t.Fatal(err)
	}
	expectReleased(t, app)
}

// TestRelease_AllOrNothing: a request that cannot be released (a hook
// refuses it here) refuses the retirement, and the requests released
// before it in the transaction are put back: no organization is retired
// with requests left waiting for it.
func TestRelease_AllOrNothing(t *testing.T) {
	refuse := func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
		seedRelease(t, app, e)
		app.OnRecordValidate("aid_requests").BindFunc(func(e *core.RecordEvent) error {
			if e.Record.Id == fixtures.AidInProgress {
				return errors.New("refused by the test")
			}
			return e.Next()
		})
	}
	runScenario(t, fixtures.Superuser, tests.ApiScenario{
		Name:   "REST: a release refused refuses the retirement",
		Method: http.MethodPatch, URL: orgsURL + "/" + orgGoing, Body: strings.NewReader(`{"active":false}`),
		BeforeTestFunc: refuse,
		ExpectedStatus: 400, ExpectedContent: []string{`"message":"Failed to update record."`},
		AfterTestFunc: after(expectUntouched),
	})
	runScenario(t, fixtures.Superuser, tests.ApiScenario{
		Name:   "/api/batch: a release refused refuses the batch",
		Method: http.MethodPost, URL: "/api/batch",
		Body: strings.NewReader(`{"requests":[` +
			`{"method":"PATCH","url":"` + orgsURL + "/" + orgStaying + `","body":{"name":"Renamed"}},` +
			`{"method":"PATCH","url":"` + orgsURL + "/" + orgGoing + `","body":{"active":false}}]}`),
		BeforeTestFunc:  refuse,
		ExpectedStatus:  400,
		ExpectedContent: []string{`"status":400`},
		AfterTestFunc: after(expectUntouched, func(t testing.TB, app core.App) {
			if org, _ := app.FindRecordById("organizations", orgStaying); org.GetString("name") == "Renamed" {
				t.Fatal("the batch was not rolled back")
			}
		}),
	})

	app := fixtures.Factory(t)
	refuse(t, app, nil)
	org, err := app.FindRecordById("organizations", orgGoing)
	if err != nil {
		t.Fatal(err)
	}
	org.Set("active", false)
	if err := app.Save(org); err == nil || !strings.Contains(err.Error(), fixtures.AidInProgress) {
		t.Fatalf("app.Save of the retirement: %v, want the refused release of %s", err, fixtures.AidInProgress)
	}
	expectUntouched(t, app)
}

// TestRelease_Deleting: an organization that an aid request names, in any
// status, is not deleted (PocketBase would empty assigned_org: requests in
// service stranded as a retirement left them, and those fulfilled and
// closed would forget who helped); it is retired instead. One that no
// request names is deleted. Only superusers delete organizations.
func TestRelease_Deleting(t *testing.T) {
	refusedDelete := []string{`"message":"Failed to delete record. Make sure that the record is not part of a required relation reference."`}
	scenarios := []struct {
		name, as, org string
		before        func(testing.TB, *tests.TestApp, *core.ServeEvent)
		status        int
		want          []string
		after         func(testing.TB, core.App)
	}{
		{"an organization with requests in service", fixtures.Superuser, orgGoing, nil, 400, refusedDelete, expectUntouched},
		{"a retired organization whose closed requests name it", fixtures.Superuser, orgGoing,
			func(t testing.TB, app *tests.TestApp, _ *core.ServeEvent) { setActive(t, app, orgGoing, false) },
			400, refusedDelete, expectReleased},
		{"an organization no request names", fixtures.Superuser, orgUnused, nil, 204, nil, func(t testing.TB, app core.App) {
			if _, err := app.FindRecordById("organizations", orgUnused); err == nil {
				t.Fatal("not deleted")
			}
			expectUntouched(t, app)
		}},
		{"a coordinator deletes none", fixtures.Coordinator, orgUnused, nil, 403, []string{`"data":{}`}, expectUntouched},
	}
	for _, s := range scenarios {
		before, check := s.before, s.after
		runScenario(t, s.as, tests.ApiScenario{
			Name:   "DELETE as " + fixtures.Role(s.as) + ": " + s.name,
			Method: http.MethodDelete, URL: orgsURL + "/" + s.org,
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				seedRelease(t, app, e)
				if before != nil {
					before(t, app, e)
				}
			},
			ExpectedStatus:  s.status,
			ExpectedContent: s.want,
			AfterTestFunc:   after(check),
		})
	}
}

// Organizations retired before the release existed left their requests
// assigned; the upgrade's migration (ReleaseStranded) releases them at
// once, and only theirs.
func TestRelease_StrandedAtUpgrade(t *testing.T) {
	app := fixtures.Factory(t)
	seedRelease(t, app, nil)
	// retired before this version (around every hook)
	if _, err := app.DB().Update("organizations", dbx.Params{"active": false}, dbx.HashExp{"id": orgGoing}).Execute(); err != nil {
		t.Fatal(err)
	}
	if n := countAssigned(t, app, orgGoing); n != len(inService)+len(kept) {
		t.Fatalf("setup: %d requests name %s", n, orgGoing)
	}
	if err := workflow.ReleaseStranded(app); err != nil {
		t.Fatal(err)
	}
	expectReleased(t, app)
	if err := workflow.ReleaseStranded(app); err != nil { // nothing left: a no-op
		t.Fatal(err)
	}
	expectReleased(t, app)
}
