package privacy_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"aman/internal/fixtures"
	"aman/internal/testapp"
	"aman/privacy"
)

func TestHiddenFields(t *testing.T) {
	app := testapp.New(t)
	if err := fixtures.Seed(app); err != nil {
		t.Fatal(err)
	}
	var (
		volunteer   = privacy.Viewer{ID: fixtures.Volunteer, Role: "volunteer"}
		volunteer2  = privacy.Viewer{ID: fixtures.Volunteer2, Role: "volunteer"}
		noRole      = privacy.Viewer{ID: fixtures.Volunteer2}
		coordinator = privacy.Viewer{ID: fixtures.Coordinator, Role: "coordinator"}
		editor      = privacy.Viewer{ID: fixtures.Editor, Role: "editor"}
		superuser   = privacy.Viewer{ID: fixtures.Superuser, Superuser: true}
		anonymous   = privacy.Viewer{}
	)
	scenarios := []struct {
		name       string
		viewer     privacy.Viewer
		collection string
		id         string
		want       string // comma-separated hidden fields
	}{
		{"reporter sees own report but not verifier", volunteer, "incident_reports", fixtures.ReportVerified, "verified_by"},
		{"reporter sees own anonymous report", volunteer, "incident_reports", fixtures.ReportAnonymous, "verified_by"},
		{"another volunteer sees nothing private", volunteer2, "incident_reports", fixtures.ReportVerified, "reporter,location,verified_by"},
		{"empty role is a volunteer", noRole, "incident_reports", fixtures.ReportVerified, "reporter,location,verified_by"},
		{"coordinator sees everything", coordinator, "incident_reports", fixtures.ReportVerified, ""},
		{"coordinator does not see an anonymous reporter", coordinator, "incident_reports", fixtures.ReportAnonymous, "reporter"},
		{"editor sees only the verifier", editor, "incident_reports", fixtures.ReportVerified, "reporter,location"},
		{"superuser sees an anonymous reporter", superuser, "incident_reports", fixtures.ReportAnonymous, ""},
		{"anonymous sees nothing private", anonymous, "incident_reports", fixtures.ReportVerified, "reporter,location,verified_by"},
		{"requester sees the contact", volunteer, "aid_requests", fixtures.AidOpen, ""},
		{"coordinator sees the contact", coordinator, "aid_requests", fixtures.AidOpen, ""},
		{"editor does not see the contact", editor, "aid_requests", fixtures.AidOpen, "beneficiary_name,contact_phone,location"},
		{"another volunteer does not", volunteer2, "aid_requests", fixtures.AidOpen, "beneficiary_name,contact_phone,location"},
		{"other collections are untouched", editor, "users", fixtures.Volunteer, ""},
	}
	for i, s := range scenarios {
		t.Run(fmt.Sprintf("%d_%s", i, s.name), func(t *testing.T) {
			record, err := app.FindRecordById(s.collection, s.id)
			if err != nil {
				t.Fatal(err)
			}
			got := strings.Join(privacy.HiddenFields(s.viewer, record), ",")
			if got != s.want {
				t.Fatalf("hidden %q, want %q", got, s.want)
			}
		})
	}
}

// TestHiddenFields_AidWorker: the aid workers of the organization a request
// is assigned to see the contact, notes and place while it is handled, and
// only what was needed and done once it is closed or cancelled; an aid
// worker of another organization, or a volunteer of this one, is no one
// special.
func TestHiddenFields_AidWorker(t *testing.T) {
	app := testapp.New(t)
	if err := fixtures.Seed(app); err != nil {
		t.Fatal(err)
	}
	const org = "orgassigned0001"
	var (
		member   = privacy.Viewer{ID: "member000000001", Role: privacy.RoleAidWorker, Org: org}
		other    = privacy.Viewer{ID: "member000000002", Role: privacy.RoleAidWorker, Org: "orgother0000001"}
		orgVol   = privacy.Viewer{ID: "member000000003", Role: "volunteer", Org: org}
		noOrg    = privacy.Viewer{ID: "member000000004", Role: privacy.RoleAidWorker}
		contact  = "beneficiary_name,contact_phone,location"
		finished = contact + ",notes,place"
	)
	scenarios := []struct {
		viewer privacy.Viewer
		id     string
		want   string
	}{
		{member, fixtures.AidOpen, ""},
		{member, fixtures.AidAcknowledged, ""},
		{member, fixtures.AidInProgress, ""},
		{member, fixtures.AidFulfilled, ""},
		{member, fixtures.AidClosed, finished},
		{member, fixtures.AidCancelled, finished},
		{other, fixtures.AidOpen, contact},
		{other, fixtures.AidClosed, contact},
		{orgVol, fixtures.AidClosed, contact},
		{noOrg, fixtures.AidClosed, contact},
		// their own request they see as its requester, closed or not
		{privacy.Viewer{ID: fixtures.Volunteer, Role: privacy.RoleAidWorker, Org: org}, fixtures.AidClosed, ""},
	}
	for i, s := range scenarios {
		t.Run(fmt.Sprintf("%d_%s_%s", i, s.viewer.ID, s.id), func(t *testing.T) {
			record, err := app.FindRecordById("aid_requests", s.id)
			if err != nil {
				t.Fatal(err)
			}
			record.Set("assigned_org", org)
			if got := strings.Join(privacy.HiddenFields(s.viewer, record), ","); got != s.want {
				t.Fatalf("hidden %q, want %q", got, s.want)
			}
		})
	}
}

func TestQueryHiddenFields(t *testing.T) {
	scenarios := []struct {
		viewer     privacy.Viewer
		collection string
		want       []string
	}{
		{privacy.Viewer{ID: "v", Role: "volunteer"}, "incident_reports", []string{"verified_by"}},
		{privacy.Viewer{ID: "v", Role: "volunteer"}, "aid_requests", nil},
		{privacy.Viewer{ID: "c", Role: "coordinator"}, "incident_reports", []string{"reporter"}},
		{privacy.Viewer{ID: "c", Role: "coordinator"}, "aid_requests", []string{"related_incident"}},
		{privacy.Viewer{ID: "e", Role: "editor"}, "incident_reports", []string{"reporter", "location"}},
		{privacy.Viewer{ID: "e", Role: "editor"}, "aid_requests", []string{"beneficiary_name", "contact_phone", "location", "related_incident"}},
		{privacy.Viewer{ID: "a", Role: privacy.RoleAidWorker, Org: "o"}, "aid_requests",
			[]string{"beneficiary_name", "contact_phone", "location", "notes", "place", "related_incident"}},
		{privacy.Viewer{ID: "a", Role: privacy.RoleAidWorker}, "aid_requests", nil}, // no organization: a volunteer
		{privacy.Viewer{ID: "a", Role: privacy.RoleAidWorker, Org: "o"}, "incident_reports", []string{"verified_by"}},
		{privacy.Viewer{}, "incident_reports", []string{"reporter", "location", "verified_by"}},
		{privacy.Viewer{ID: "s", Superuser: true}, "incident_reports", nil},
	}
	for i, s := range scenarios {
		t.Run(fmt.Sprintf("%d_%s_%s", i, s.viewer.Role, s.collection), func(t *testing.T) {
			if got := privacy.QueryHiddenFields(s.viewer, s.collection); !slices.Equal(got, s.want) {
				t.Fatalf("got %v, want %v", got, s.want)
			}
		})
	}
}

// TestRedact_Expand checks the exported Redact on a hand-built expand tree,
// as a custom route or the sync engine would hold it.
func TestRedact_Expand(t *testing.T) {
	app := testapp.New(t)
	if err := fixtures.Seed(app); err != nil {
		t.Fatal(err)
	}
	find := func(collection, id string) *core.Record {
		r, err := app.FindRecordById(collection, id)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	user := find("users", fixtures.Volunteer)
	anonymousReport := find("incident_reports", fixtures.ReportAnonymous)
	anonymousReport.SetExpand(map[string]any{"reporter": find("users", fixtures.Volunteer)})
	user.SetExpand(map[string]any{"incident_reports_via_reporter": []*core.Record{
		find("incident_reports", fixtures.ReportVerified), anonymousReport,
	}})

	privacy.Redact(privacy.Viewer{ID: fixtures.Coordinator, Role: "coordinator"}, user)

	via, _ := user.Expand()["incident_reports_via_reporter"].([]*core.Record)
	if len(via) != 1 || via[0].Id != fixtures.ReportVerified {
		t.Fatalf("back-relation kept %v, want only %s", via, fixtures.ReportVerified)
	}

	// The same report on its own (e.g. aid_requests?expand=related_incident.reporter).
	privacy.Redact(privacy.Viewer{ID: fixtures.Coordinator, Role: "coordinator"}, anonymousReport)
	if _, ok := anonymousReport.Expand()["reporter"]; ok {
		t.Fatalf("anonymous report keeps its reporter expand")
	}
	if _, ok := anonymousReport.PublicExport()["reporter"]; ok {
		t.Fatalf("anonymous report exports reporter")
	}
}

func TestRecordHiddenFields(t *testing.T) {
	app := testapp.New(t)
	if err := fixtures.Seed(app); err != nil {
		t.Fatal(err)
	}
	coordinator := privacy.Viewer{ID: fixtures.Coordinator, Role: "coordinator"}
	scenarios := []struct {
		viewer privacy.Viewer
		id     string
		want   string
	}{
		{coordinator, fixtures.AidAcknowledged, "related_incident"}, // an anonymous report
		{coordinator, fixtures.AidOpen, ""},                         // a named report
		{privacy.Viewer{ID: fixtures.Volunteer, Role: "volunteer"}, fixtures.AidAcknowledged, ""},
		{privacy.Viewer{Superuser: true}, fixtures.AidAcknowledged, ""},
	}
	for i, s := range scenarios {
		t.Run(fmt.Sprintf("%d_%s_%s", i, s.viewer.Role, s.id), func(t *testing.T) {
			record, err := app.FindRecordById("aid_requests", s.id)
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(privacy.RecordHiddenFields(app, s.viewer, record), ","); got != s.want {
				t.Fatalf("hidden %q, want %q", got, s.want)
			}
		})
	}
}

// Whether a link is hidden depends on the linked report alone: hiding only
// the links of requesters who reported anonymously would tell a
// coordinator, who may set a link and read it back, who they are.
func TestLinkHidden(t *testing.T) {
	app := testapp.New(t)
	if err := fixtures.Seed(app); err != nil {
		t.Fatal(err)
	}
	coordinator := privacy.Viewer{ID: fixtures.Coordinator, Role: "coordinator"}
	scenarios := []struct {
		name      string
		viewer    privacy.Viewer
		requester string
		incident  string
		want      bool
	}{
		{"the requester's own anonymous report", coordinator, fixtures.Volunteer, fixtures.ReportAnonymous, true},
		{"someone else's anonymous report", coordinator, fixtures.Volunteer, fixtures.ReportAnonymous2, true},
		{"the same report, another requester", coordinator, fixtures.Volunteer2, fixtures.ReportAnonymous, true},
		{"a named report", coordinator, fixtures.Volunteer, fixtures.ReportVerified, false},
		{"no link", coordinator, fixtures.Volunteer, "", false},
		{"a dangling link", coordinator, fixtures.Volunteer, "nosuchreport000", false},
		{"the requester", privacy.Viewer{ID: fixtures.Volunteer, Role: "volunteer"}, fixtures.Volunteer, fixtures.ReportAnonymous2, false},
		{"a coordinator's own request", coordinator, fixtures.Coordinator, fixtures.ReportAnonymous, false},
		{"an editor, named report", privacy.Viewer{ID: fixtures.Editor, Role: "editor"}, fixtures.Volunteer, fixtures.ReportVerified, true},
		{"a superuser", privacy.Viewer{Superuser: true}, fixtures.Volunteer, fixtures.ReportAnonymous, false},
		{"nobody signed in", privacy.Viewer{}, fixtures.Volunteer, fixtures.ReportVerified, true},
	}
	for i, s := range scenarios {
		t.Run(fmt.Sprintf("%d_%s", i, s.name), func(t *testing.T) {
			if got := privacy.LinkHidden(app, s.viewer, s.requester, s.incident); got != s.want {
				t.Fatalf("LinkHidden = %v, want %v", got, s.want)
			}
		})
	}
}
