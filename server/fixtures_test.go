package server_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
	"github.com/pocketbase/pocketbase/tools/types"

	"aman/internal/testapp"
)

// Fixture ids. They are fixed (15 chars [a-z0-9], PocketBase's default id
// format, as offline clients generate them) so that table rows can name them
// before the app exists.
const (
	volunteerA  = "volunteera00001"
	volunteerB  = "volunteerb00001"
	coordinator = "coordinator0001"
	editor      = "editor000000001"
	superuser   = "superuser000001"

	reportASubmitted = "repasubmitted01"
	reportAInReview  = "repainreview001"
	reportAVerified  = "repaverified001"
	reportBSubmitted = "repbsubmitted01"

	aidAOpen         = "aidaopen0000001"
	aidAAcknowledged = "aidaacknowledg1"
	aidBOpen         = "aidbopen0000001"

	updatePublished = "updpublished001"
	updateDraft     = "upddraft0000001"
	factPublished   = "fcpublished0001"
	factDraft       = "fcdraft00000001"

	orgActive   = "orgactive000001"
	orgInactive = "orginactive0001"
	appealDraft = "appealdraft0001"
)

// Secrets planted in fixture records: a response that contains one of them
// leaked what it must not.
const (
	secretDescription = "SECRET-DESCRIPTION-VERIFIED"
	secretPlace       = "SECRET-PLACE-VERIFIED"
	secretNote        = "SECRET-VERIFICATION-NOTE"
	secretPhoneA      = "+992900000001"
	secretPhoneB      = "+996700000002"
	secretBenefA      = "SECRET-BENEFICIARY-A"
	draftUpdateTitle  = "DRAFT-UPDATE-TITLE"
	draftFactClaim    = "DRAFT-FACT-CLAIM"
	draftAppealTitle  = "DRAFT-APPEAL-TITLE"
	inactiveOrgName   = "INACTIVE-ORG-NAME"
)

// fixturePasswordHash is bcrypt (cost 4) of "fixture-password-1": hashing at
// the default cost for every user of every scenario would dominate the run.
const fixturePasswordHash = "$2a$04$onjlV/Hc.5fxDf6Jh/lAFeJ6G9C1v58DYUvnXHNWfzywgdzgIVNRC"

type fixtureUser struct {
	id, collection, email, role, name string
}

var fixtureUsers = []fixtureUser{
	{volunteerA, "users", "volunteer.a@example.org", "volunteer", "Volunteer A"},
	{volunteerB, "users", "volunteer.b@example.org", "volunteer", "Volunteer B"},
	{coordinator, "users", "coordinator@example.org", "coordinator", "Coordinator C"},
	{editor, "users", "editor@example.org", "editor", "Editor E"},
	{superuser, core.CollectionNameSuperusers, "root@example.org", "", ""},
}

// fixtureRecord is one non-user record of the fixture, written around the
// hooks (the workflow hook would not let a record be born verified).
type fixtureRecord struct {
	collection, id string
	fields         map[string]any
}

func fixtureRecords() []fixtureRecord {
	occurred := "2026-11-20 08:30:00.000Z"
	point := types.GeoPoint{Lon: 70.98765, Lat: 40.12345}
	return []fixtureRecord{
		{"organizations", orgActive, map[string]any{"name": "Active Group", "active": true, "region": "batken"}},
		{"organizations", orgInactive, map[string]any{"name": inactiveOrgName, "active": false}},
		{"appeals", appealDraft, map[string]any{
			"slug": "draft-appeal", "title": draftAppealTitle, "body": "draft", "language": "ru",
			"adopted_on": "2021-04-30 00:00:00.000Z", "status": "draft",
		}},
		{"incident_reports", reportASubmitted, map[string]any{
			"reporter": volunteerA, "occurred_at": occurred, "region": "sughd", "category": "shelling",
			"description": "Report A, submitted", "status": "submitted", "location": point,
		}},
		{"incident_reports", reportAInReview, map[string]any{
			"reporter": volunteerA, "occurred_at": occurred, "region": "sughd", "category": "gunfire",
			"description": "Report A, in review", "status": "in_review",
		}},
		{"incident_reports", reportAVerified, map[string]any{
			"reporter": volunteerA, "anonymous": true, "occurred_at": occurred, "region": "batken",
			"place": secretPlace, "location": point, "location_precision": "exact",
			"category": "shelling", "description": secretDescription, "killed": 0, "injured": 2,
			"source_type": "eyewitness", "language": "ru", "status": "verified",
			"verification_note": secretNote, "verified_by": coordinator, "verified_at": occurred,
			"sources": "two eyewitnesses", "public_summary": "Shelling near a village; two injured.",
		}},
		{"incident_reports", reportBSubmitted, map[string]any{
			"reporter": volunteerB, "occurred_at": occurred, "region": "batken", "category": "detention",
			"description": "Report B, submitted", "status": "submitted",
		}},
		{"aid_requests", aidAOpen, map[string]any{
			"requester": volunteerA, "beneficiary_name": secretBenefA, "contact_phone": secretPhoneA,
			"region": "sughd", "needs": []string{"medical"}, "urgency": "high", "status": "open",
		}},
		{"aid_requests", aidAAcknowledged, map[string]any{
			"requester": volunteerA, "region": "sughd", "needs": []string{"food"}, "urgency": "normal",
			"status": "acknowledged", "acknowledged_at": occurred,
		}},
		{"aid_requests", aidBOpen, map[string]any{
			"requester": volunteerB, "contact_phone": secretPhoneB, "region": "batken",
			"needs": []string{"shelter"}, "urgency": "critical", "status": "open",
		}},
		{"updates", updatePublished, map[string]any{
			"title": "Published update", "body": "Calm since morning.", "language": "en",
			"status": "published", "published_at": occurred, "author": editor,
			"related_incidents": []string{reportAVerified},
		}},
		{"updates", updateDraft, map[string]any{
			"title": draftUpdateTitle, "body": "draft", "language": "en", "status": "draft", "author": editor,
		}},
		{"fact_checks", factPublished, map[string]any{
			"claim": "Published claim", "verdict": "false", "explanation": "No.", "language": "en",
			"status": "published", "published_at": occurred, "author": editor,
		}},
		{"fact_checks", factDraft, map[string]any{
			"claim": draftFactClaim, "verdict": "unverified", "explanation": "Checking.", "language": "en",
			"status": "draft", "author": editor,
		}},
	}
}

// newFixtureApp is a TestAppFactory: the real app with the fixture users and
// records above.
func newFixtureApp(t testing.TB) *tests.TestApp {
	app := testapp.New(t)
	if err := seedFixture(app); err != nil {
		t.Fatalf("seed fixture: %v", err)
	}
	return app
}

// seedFixture writes the fixture in one transaction: one commit instead of
// one per record keeps the few hundred scenarios fast.
func seedFixture(app core.App) error {
	return app.RunInTransaction(func(txApp core.App) error {
		for _, u := range fixtureUsers {
			if err := saveUser(txApp, u); err != nil {
				return err
			}
		}
		for _, r := range fixtureRecords() {
			if err := saveRecord(txApp, r); err != nil {
				return err
			}
		}
		return nil
	})
}

func saveUser(app core.App, u fixtureUser) error {
	collection, err := app.FindCollectionByNameOrId(u.collection)
	if err != nil {
		return fmt.Errorf("user %s: %w", u.id, err)
	}
	record := core.NewRecord(collection)
	record.Id = u.id
	record.SetEmail(u.email)
	record.SetRaw(core.FieldNamePassword, &core.PasswordFieldValue{Hash: fixturePasswordHash})
	// A fixed token key keeps tokens minted on one fixture app valid on the
	// next (the collection secret comes from the same template).
	record.SetTokenKey("fixture-token-key-" + u.id + "-0123456789")
	if u.collection == "users" {
		record.Set("role", u.role)
		record.Set("name", u.name)
	}
	if err := app.SaveNoValidate(record); err != nil {
		return fmt.Errorf("user %s: %w", u.id, err)
	}
	return nil
}

func saveRecord(app core.App, r fixtureRecord) error {
	collection, err := app.FindCollectionByNameOrId(r.collection)
	if err != nil {
		return fmt.Errorf("%s %s: %w", r.collection, r.id, err)
	}
	record := core.NewRecord(collection)
	record.Id = r.id
	record.Load(r.fields)
	if err := app.SaveNoValidate(record); err != nil {
		return fmt.Errorf("%s %s: %w", r.collection, r.id, err)
	}
	return nil
}

var (
	tokensOnce sync.Once
	tokens     map[string]string
	tokensErr  error
)

// tokenFor returns the auth token of a fixture user; "" is anonymous.
func tokenFor(t testing.TB, id string) string {
	t.Helper()
	if id == "" {
		return ""
	}
	tokensOnce.Do(func() { tokens, tokensErr = mintTokens() })
	if tokensErr != nil {
		t.Fatalf("mint tokens: %v", tokensErr)
	}
	return tokens[id]
}

func mintTokens() (map[string]string, error) { return mintTokensOf(seedFixture, fixtureUsers) }

// mintTokensOf seeds a throwaway app with seed and returns the auth tokens
// of users, by id: they stay valid on every app seeded the same way (fixed
// token keys, one collection secret).
func mintTokensOf(seed func(core.App) error, users []fixtureUser) (map[string]string, error) {
	app, err := testapp.NewApp()
	if err != nil {
		return nil, err
	}
	defer app.Cleanup()
	if err := seed(app); err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, u := range users {
		record, err := app.FindAuthRecordByEmail(u.collection, u.email)
		if err != nil {
			return nil, fmt.Errorf("find %s: %w", u.id, err)
		}
		if out[u.id], err = record.NewAuthToken(); err != nil {
			return nil, fmt.Errorf("token %s: %w", u.id, err)
		}
	}
	return out, nil
}

// accessCase is one row of an access matrix: who does what, and what must
// and must not come back.
type accessCase struct {
	name   string
	as     string // fixture user id; "" is anonymous
	method string
	url    string
	body   string
	status int
	want   []string
	never  []string
	after  func(t testing.TB, app *tests.TestApp)
}

func (c accessCase) scenario(t *testing.T, i int) tests.ApiScenario {
	s := tests.ApiScenario{
		Name:               fmt.Sprintf("%03d_%s_as_%s", i, c.name, roleName(c.as)),
		Method:             c.method,
		URL:                c.url,
		ExpectedStatus:     c.status,
		ExpectedContent:    c.want,
		NotExpectedContent: c.never,
		TestAppFactory:     newFixtureApp,
		AfterTestFunc: func(t testing.TB, app *tests.TestApp, _ *http.Response) {
			if c.after != nil {
				c.after(t, app)
			}
		},
	}
	if len(c.want) == 0 && c.status != http.StatusNoContent {
		s.ExpectedContent = []string{defaultContent(c.status)}
	}
	if c.body != "" {
		s.Body = strings.NewReader(c.body)
	}
	if token := tokenFor(t, c.as); token != "" {
		s.Headers = map[string]string{"Authorization": token}
	}
	if c.status >= 400 {
		// A refused request must not have written anything.
		s.ExpectedEvents = map[string]int{
			"OnRecordAfterCreateSuccess": 0, "OnRecordAfterUpdateSuccess": 0, "OnRecordAfterDeleteSuccess": 0,
		}
	}
	return s
}

// defaultContent is what every answer with this status carries: PocketBase's
// error envelope, or a record.
func defaultContent(status int) string {
	if status >= 400 {
		return fmt.Sprintf(`"status":%d`, status)
	}
	return `"collectionName":"`
}

func roleName(id string) string {
	switch id {
	case "":
		return "anonymous"
	case volunteerA:
		return "volunteer"
	case volunteerB:
		return "other_volunteer"
	case coordinator:
		return "coordinator"
	case editor:
		return "editor"
	case superuser:
		return "superuser"
	}
	return id
}

// runAccess runs the cases in order, each on a fresh fixture app, so no
// case depends on another. (One app cannot serve several ApiScenarios:
// each scenario binds the router's routes to the app again.)
func runAccess(t *testing.T, cases []accessCase) {
	for i, c := range cases {
		s := c.scenario(t, i)
		s.Test(t)
	}
}

// everyone lists the callers of the matrix, anonymous first.
var everyone = []string{"", volunteerA, volunteerB, coordinator, editor, superuser}

// fieldOf reads one stored field, for AfterTestFunc checks.
func fieldOf(t testing.TB, app core.App, collection, id, field string) string {
	t.Helper()
	record, err := app.FindRecordById(collection, id)
	if err != nil {
		t.Fatalf("find %s/%s: %v", collection, id, err)
	}
	return record.GetString(field)
}

// stored asserts that a field holds want after the request.
func stored(collection, id, field, want string) func(testing.TB, *tests.TestApp) {
	return func(t testing.TB, app *tests.TestApp) {
		t.Helper()
		if got := fieldOf(t, app, collection, id, field); got != want {
			t.Fatalf("%s/%s.%s = %q, want %q", collection, id, field, got, want)
		}
	}
}

func recordsURL(collection string) string {
	return "/api/collections/" + collection + "/records"
}

func recordURL(collection, id string) string {
	return recordsURL(collection) + "/" + id
}
