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
	addAidWorker(t, app, aidWorker, orgGoing)
}

// addAidWorker adds the aid worker id of org.
func addAidWorker(t testing.TB, app core.App, id, org string) {
	t.Helper()
	users, err := app.FindCollectionByNameOrId("users")
	if err != nil {
		t.Fatal(err)
	}
	worker := core.NewRecord(users)
	worker.Id = id
	worker.SetEmail(id + "@example.org")
	worker.SetPassword(fixtures.Password)
	worker.Load(map[string]any{"name": "Aid worker " + id, "role": "aid_worker", "organization": org})
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
// closed would forget who helped); it is retired instead. Nor is one that
// a user still belongs to (PocketBase would empty users.organization: its
// aid workers silently losing their organization and their access); its
// aid workers are moved first, or it is retired. One that nothing names is
// deleted. Only superusers delete organizations. The refusal's code is on
// id with the count, and its reason is the top-level message too, in the
// caller's language.
func TestRelease_Deleting(t *testing.T) {
	assigned := func(n string) string {
		return `"id":{"code":"workflow_organization_assigned","message":"Aid requests name this organization (count: ` + n +
			`): retire it (make it inactive) instead of deleting it.","params":{"requests":` + n + `}}`
	}
	reason := map[string]string{
		"assigned en":  "Aid requests name this organization (count: 6): retire it (make it inactive) instead of deleting it.",
		"assigned tg":  "Ба ин созмон дархостҳои кӯмак ишора мекунанд (шумора: 6): онро нест накунед, балки ғайрифаъол гардонед.",
		"assigned ru3": "На эту организацию ссылаются запросы о помощи (количество: 3): не удаляйте её, а сделайте неактивной.",
		"members en":   "Accounts belong to this organization (count: 1): retire it (make it inactive), or move its aid workers to another organization first.",
		"members ru":   "К этой организации относятся учётные записи (количество: 1): сделайте её неактивной или сначала переведите её сотрудников в другую организацию.",
	}
	onTop := func(key string) string { return `"message":"` + reason[key] + `","status":400` }
	members := `"id":{"code":"workflow_organization_has_members"`
	// a second aid worker, of orgUnused, whom no request concerns
	const member = "aidworkerunus01"
	withMember := func(t testing.TB, app *tests.TestApp, _ *core.ServeEvent) { addAidWorker(t, app, member, orgUnused) }
	memberOf := func(org string) func(testing.TB, core.App) {
		return func(t testing.TB, app core.App) {
			user, err := app.FindRecordById("users", member)
			if err != nil {
				t.Fatal(err)
			}
			if got := user.GetString("organization"); got != org {
				t.Fatalf("the aid worker's organization is %q, want %q", got, org)
			}
		}
	}
	exists := func(id string) func(testing.TB, core.App) {
		return func(t testing.TB, app core.App) {
			if _, err := app.FindRecordById("organizations", id); err != nil {
				t.Fatalf("organization %s: %v", id, err)
			}
		}
	}
	deleted := func(t testing.TB, app core.App) {
		if _, err := app.FindRecordById("organizations", orgUnused); err == nil {
			t.Fatal("not deleted")
		}
	}
	batch := func(requests ...string) *strings.Reader {
		return strings.NewReader(`{"requests":[` + strings.Join(requests, ",") + `]}`)
	}
	deleteUnused := `{"method":"DELETE","url":"` + orgsURL + "/" + orgUnused + `"}`
	type scenario struct {
		name, as, method, url string
		body                  *strings.Reader
		lang                  string
		before                func(testing.TB, *tests.TestApp, *core.ServeEvent)
		status                int
		want, notWant         []string
		after                 []func(testing.TB, core.App)
	}
	del := func(org string) (string, string) { return http.MethodDelete, orgsURL + "/" + org }
	scenarios := []scenario{
		{name: "an organization with requests in service", as: fixtures.Superuser, method: http.MethodDelete, url: orgsURL + "/" + orgGoing,
			status: 400, want: []string{assigned("6"), onTop("assigned en")}, notWant: []string{"required relation reference"},
			after: []func(testing.TB, core.App){expectUntouched}},
		{name: "an organization with requests in service (?lang=tg)", as: fixtures.Superuser, method: http.MethodDelete, url: orgsURL + "/" + orgGoing + "?lang=tg",
			status: 400, want: []string{`"code":"workflow_organization_assigned"`, onTop("assigned tg")},
			after: []func(testing.TB, core.App){expectUntouched}},
		{name: "a retired organization whose closed requests name it (Accept-Language: ru)", as: fixtures.Superuser, method: http.MethodDelete, url: orgsURL + "/" + orgGoing,
			lang:   "ru",
			before: func(t testing.TB, app *tests.TestApp, _ *core.ServeEvent) { setActive(t, app, orgGoing, false) },
			status: 400, want: []string{`"code":"workflow_organization_assigned"`, `"params":{"requests":3}`, onTop("assigned ru3")},
			after: []func(testing.TB, core.App){expectReleased}},
		{name: "an organization an aid worker belongs to", as: fixtures.Superuser, method: http.MethodDelete, url: orgsURL + "/" + orgUnused,
			before: withMember,
			status: 400, want: []string{members, `"params":{"users":1}`, onTop("members en")}, notWant: []string{"required relation reference"},
			after: []func(testing.TB, core.App){exists(orgUnused), memberOf(orgUnused), expectUntouched}},
		{name: "an organization an aid worker belongs to (Accept-Language: ru)", as: fixtures.Superuser, method: http.MethodDelete, url: orgsURL + "/" + orgUnused,
			lang: "ru", before: withMember,
			status: 400, want: []string{members, onTop("members ru")},
			after: []func(testing.TB, core.App){exists(orgUnused), memberOf(orgUnused)}},
		{name: "batch: an organization an aid worker belongs to (Accept-Language: ru)", as: fixtures.Superuser, method: http.MethodPost, url: "/api/batch",
			body: batch(deleteUnused), lang: "ru", before: withMember,
			status: 400, want: []string{members, onTop("members ru")},
			after: []func(testing.TB, core.App){exists(orgUnused), memberOf(orgUnused)}},
		{name: "batch: its aid worker moved to another organization, then it is deleted", as: fixtures.Superuser, method: http.MethodPost, url: "/api/batch",
			body:   batch(`{"method":"PATCH","url":"/api/collections/users/records/`+member+`","body":{"organization":"`+orgStaying+`"}}`, deleteUnused),
			before: withMember,
			status: 200, want: []string{`"status":204`},
			after: []func(testing.TB, core.App){deleted, memberOf(orgStaying), expectUntouched}},
		{name: "an organization nothing names", as: fixtures.Superuser, method: http.MethodDelete, url: orgsURL + "/" + orgUnused,
			status: 204, after: []func(testing.TB, core.App){deleted, expectUntouched}},
	}
	// nobody else deletes one, even one that nothing names
	for _, as := range []string{fixtures.Anonymous, fixtures.Volunteer, fixtures.Coordinator, fixtures.Editor} {
		method, url := del(orgUnused)
		scenarios = append(scenarios, scenario{name: "deletes none", as: as, method: method, url: url,
			status: 403, want: []string{`"data":{}`}, after: []func(testing.TB, core.App){exists(orgUnused), expectUntouched}})
	}
	for _, s := range scenarios {
		before := s.before
		headers := map[string]string{}
		if s.lang != "" {
			headers["Accept-Language"] = s.lang
		}
		sc := tests.ApiScenario{
			Name:   s.method + " " + s.url + " as " + fixtures.Role(s.as) + ": " + s.name,
			Method: s.method, URL: s.url, Headers: headers,
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				seedRelease(t, app, e)
				if before != nil {
					before(t, app, e)
				}
			},
			ExpectedStatus:     s.status,
			ExpectedContent:    s.want,
			NotExpectedContent: s.notWant,
			AfterTestFunc:      after(s.after...),
		}
		if s.body != nil {
			sc.Body = s.body
		}
		runScenario(t, s.as, sc)
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
