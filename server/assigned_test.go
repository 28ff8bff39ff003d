package server_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
	"github.com/pocketbase/pocketbase/tools/types"

	"aman/internal/testapp"
)

// The organization's side of aid requests: its aid workers, users whose
// role is aid_worker and whose organization is the request's assigned_org
// ("members" below; a volunteer of the organization is none).
const (
	orgSecond  = "orgsecond000001"
	memberA    = "orgmembera00001" // an aid worker of orgActive
	memberB    = "orgmemberb00001" // an aid worker of orgSecond
	orgVolunt  = "orgvolunteer001" // a volunteer of orgActive: no aid worker
	aidClosed  = "aidaclosed00001" // volunteerA's, assigned to orgActive, closed
	aidWorking = aidAAcknowledged  // volunteerA's, assigned to orgActive, acknowledged

	secretBenefWorking = "SECRET-BENEFICIARY-WORKING"
	secretPhoneWorking = "+992900000077"
	secretBenefClosed  = "SECRET-BENEFICIARY-CLOSED"
	secretPhoneClosed  = "+992900000088"
	memberNote         = "Handed over at the clinic."
)

var memberUsers = []fixtureUser{
	{memberA, "users", "member.a@example.org", "aid_worker", "Member A"},
	{memberB, "users", "member.b@example.org", "aid_worker", "Member B"},
	{orgVolunt, "users", "org.volunteer@example.org", "volunteer", "Volunteer of the organization"},
}

// newAssignedApp is the fixture plus two organizations' aid workers and a
// volunteer of the first, the acknowledged request assigned to orgActive
// (linked to volunteerA's anonymous verified report) and a closed one
// assigned to it too.
func newAssignedApp(t testing.TB) *tests.TestApp {
	app := testapp.New(t)
	if err := seedAssigned(app); err != nil {
		t.Fatalf("seed: %v", err)
	}
	return app
}

func seedAssigned(app core.App) error {
	if err := seedFixture(app); err != nil {
		return err
	}
	return app.RunInTransaction(func(tx core.App) error {
		if err := saveRecord(tx, fixtureRecord{"organizations", orgSecond,
			map[string]any{"name": "Second Group", "active": true}}); err != nil {
			return err
		}
		orgs := map[string]string{memberA: orgActive, memberB: orgSecond, orgVolunt: orgActive}
		for _, u := range memberUsers {
			if err := saveUser(tx, u); err != nil {
				return err
			}
			record, err := tx.FindRecordById("users", u.id)
			if err != nil {
				return err
			}
			record.Set("organization", orgs[u.id])
			if err := tx.SaveNoValidate(record); err != nil {
				return err
			}
		}
		working, err := tx.FindRecordById("aid_requests", aidWorking)
		if err != nil {
			return err
		}
		working.Load(map[string]any{
			"assigned_org": orgActive, "beneficiary_name": secretBenefWorking, "contact_phone": secretPhoneWorking,
			"location": types.GeoPoint{Lon: 70.11111, Lat: 40.22222}, "related_incident": reportAVerified,
		})
		if err := tx.SaveNoValidate(working); err != nil {
			return err
		}
		return saveRecord(tx, fixtureRecord{"aid_requests", aidClosed, map[string]any{
			"requester": volunteerA, "beneficiary_name": secretBenefClosed, "contact_phone": secretPhoneClosed,
			"location": types.GeoPoint{Lon: 70.33333, Lat: 40.44444}, "region": "sughd", "needs": []string{"water"},
			"urgency": "high", "status": "closed", "acknowledged_at": "2026-11-20 08:30:00.000Z",
			"assigned_org": orgActive,
		}})
	})
}

var (
	memberTokensOnce sync.Once
	memberTokens     map[string]string
	memberTokensErr  error
)

// assignedToken is the auth token of a fixture user or an organization's
// member ("" for anonymous).
func assignedToken(t testing.TB, id string) string {
	t.Helper()
	if id != memberA && id != memberB && id != orgVolunt {
		return tokenFor(t, id)
	}
	memberTokensOnce.Do(func() { memberTokens, memberTokensErr = mintTokensOf(seedAssigned, memberUsers) })
	if memberTokensErr != nil {
		t.Fatalf("member tokens: %v", memberTokensErr)
	}
	return memberTokens[id]
}

func runAssigned(t *testing.T, cases []accessCase) {
	runAssignedOn(t, newAssignedApp, cases)
}

// runAssignedOn runs cases on the apps factory makes (newAssignedApp and
// more: the members' tokens hold as long as it seeds seedAssigned's users).
func runAssignedOn(t *testing.T, factory func(testing.TB) *tests.TestApp, cases []accessCase) {
	for i, c := range cases {
		s := c.scenario(t, i)
		s.Name = strings.Replace(s.Name, "_as_"+c.as, "_as_"+memberName(c.as), 1)
		s.TestAppFactory = factory
		s.Headers = nil
		if token := assignedToken(t, c.as); token != "" {
			s.Headers = map[string]string{"Authorization": token}
		}
		s.Test(t)
	}
}

func memberName(id string) string {
	switch id {
	case memberA:
		return "member"
	case memberB:
		return "other_org_member"
	case orgVolunt:
		return "org_volunteer"
	}
	return roleName(id)
}

// TestRules_AssignedOrganization: the organization a request is assigned to
// reads it, reaches the person while it is handled, and reports progress;
// nobody else gains anything.
func TestRules_AssignedOrganization(t *testing.T) {
	const c = "aid_requests"
	list, working, closed := recordsURL(c), recordURL(c, aidWorking), recordURL(c, aidClosed)
	contacts := []string{secretBenefWorking, secretPhoneWorking, "70.11111", secretBenefClosed, secretPhoneClosed, "70.33333"}
	patch := func(fields map[string]any) string { return body(fields) }
	filtered := func(filter string) string { return list + "?filter=" + url.QueryEscape(filter) }

	cases := []accessCase{
		// read: members see their organization's requests, and the contact
		// only while the request is handled; never the incident link
		{name: "list_assigned", as: memberA, method: http.MethodGet, url: list, status: 200,
			want:  []string{listTotal(2), aidWorking, aidClosed, secretBenefWorking, secretPhoneWorking, "70.11111"},
			never: []string{aidAOpen, aidBOpen, secretBenefClosed, secretPhoneClosed, "70.33333", reportAVerified}},
		{name: "list_other_org", as: memberB, method: http.MethodGet, url: list, status: 200,
			want: []string{listTotal(0)}, never: contacts},
		{name: "view_working", as: memberA, method: http.MethodGet, url: working, status: 200,
			want:  []string{secretBenefWorking, secretPhoneWorking, `"assigned_org":"` + orgActive + `"`},
			never: []string{reportAVerified, `"related_incident"`}},
		{name: "view_closed", as: memberA, method: http.MethodGet, url: closed, status: 200,
			want: []string{`"status":"closed"`}, never: []string{secretBenefClosed, secretPhoneClosed, "70.33333", `"location"`}},
		{name: "view_working", as: memberB, method: http.MethodGet, url: working, status: 404, never: contacts},
		// a volunteer of the organization is no aid worker: nothing of
		// anyone else's request, whatever organization they belong to
		{name: "list_assigned", as: orgVolunt, method: http.MethodGet, url: list, status: 200,
			want: []string{listTotal(0)}, never: contacts},
		{name: "view_working", as: orgVolunt, method: http.MethodGet, url: working, status: 404, never: contacts},
		{name: "start", as: orgVolunt, method: http.MethodPatch, url: working,
			body: body(map[string]any{"status": "in_progress"}), status: 404, after: stored(c, aidWorking, "status", "acknowledged")},
		{name: "view_unassigned", as: memberA, method: http.MethodGet, url: recordURL(c, aidAOpen), status: 404,
			never: []string{secretBenefA, secretPhoneA}},
		{name: "view_working", as: volunteerB, method: http.MethodGet, url: working, status: 404, never: contacts},
		{name: "view_working", as: editor, method: http.MethodGet, url: working, status: 404, never: contacts},
		{name: "view_working", as: "", method: http.MethodGet, url: working, status: 404, never: contacts},
		{name: "view_working_own", as: volunteerA, method: http.MethodGet, url: working, status: 200,
			want: []string{secretPhoneWorking, reportAVerified}},
		{name: "view_closed_own", as: volunteerA, method: http.MethodGet, url: closed, status: 200,
			want: []string{secretPhoneClosed}},
		{name: "view_closed", as: coordinator, method: http.MethodGet, url: closed, status: 200,
			want: []string{secretPhoneClosed, secretBenefClosed}},
		{name: "view_closed", as: superuser, method: http.MethodGet, url: closed, status: 200,
			want: []string{secretPhoneClosed}},

		// filters: on some listed requests the contact and the link are
		// hidden from a member, so they filter by neither
		{name: "filter_beneficiary", as: memberA, method: http.MethodGet,
			url: filtered("beneficiary_name ~ 'SECRET'"), status: 400, want: []string{`"privacy_forbidden_query_field"`}},
		{name: "filter_phone", as: memberA, method: http.MethodGet,
			url: filtered("contact_phone ~ '88'"), status: 400, want: []string{`"privacy_forbidden_query_field"`}},
		{name: "filter_link", as: memberA, method: http.MethodGet,
			url: filtered("related_incident = '" + reportAVerified + "'"), status: 400, want: []string{`"privacy_forbidden_query_field"`}},
		{name: "filter_link_reporter", as: memberA, method: http.MethodGet,
			url: filtered("related_incident.reporter = '" + volunteerA + "'"), status: 400, want: []string{`"privacy_forbidden_query_field"`}},
		{name: "filter_status", as: memberA, method: http.MethodGet,
			url: filtered("status = 'acknowledged'"), status: 200, want: []string{listTotal(1), aidWorking}},
		// a volunteer of no organization lists only their own and keeps
		// filtering by them
		{name: "filter_beneficiary_own", as: volunteerA, method: http.MethodGet,
			url: filtered("beneficiary_name = '" + secretBenefWorking + "'"), status: 200, want: []string{listTotal(1), aidWorking}},

		// progress: acknowledged → in_progress → fulfilled, with notes
		{name: "start", as: memberA, method: http.MethodPatch, url: working,
			body: patch(map[string]any{"status": "in_progress", "notes": memberNote}), status: 200,
			want: []string{`"status":"in_progress"`, memberNote}, never: []string{reportAVerified},
			after: func(t testing.TB, app *tests.TestApp) {
				stored(c, aidWorking, "status", "in_progress")(t, app)
				stored(c, aidWorking, "notes", memberNote)(t, app)
			}},
		{name: "fulfil_from_acknowledged", as: memberA, method: http.MethodPatch, url: working,
			body: patch(map[string]any{"status": "fulfilled"}), status: 200,
			after: stored(c, aidWorking, "status", "fulfilled")},
		// what stays the coordinators'
		{name: "close", as: memberA, method: http.MethodPatch, url: working,
			body: patch(map[string]any{"status": "closed"}), status: 404, after: stored(c, aidWorking, "status", "acknowledged")},
		{name: "cancel", as: memberA, method: http.MethodPatch, url: working,
			body: patch(map[string]any{"status": "cancelled"}), status: 404},
		{name: "reopen", as: memberA, method: http.MethodPatch, url: working,
			body: patch(map[string]any{"status": "open"}), status: 404},
		{name: "reassign", as: memberA, method: http.MethodPatch, url: working,
			body: patch(map[string]any{"assigned_org": orgSecond}), status: 404, after: stored(c, aidWorking, "assigned_org", orgActive)},
		{name: "unassign", as: memberA, method: http.MethodPatch, url: working,
			body: patch(map[string]any{"assigned_org": ""}), status: 404},
		{name: "acknowledged_at", as: memberA, method: http.MethodPatch, url: working,
			body: patch(map[string]any{"acknowledged_at": "2026-11-01 08:00:00.000Z"}), status: 404},
		{name: "content", as: memberA, method: http.MethodPatch, url: working,
			body: patch(map[string]any{"people_count": 40}), status: 404},
		{name: "contact", as: memberA, method: http.MethodPatch, url: working,
			body: patch(map[string]any{"contact_phone": "+992 900 000 000"}), status: 404,
			after: stored(c, aidWorking, "contact_phone", secretPhoneWorking)},
		{name: "notes_when_closed", as: memberA, method: http.MethodPatch, url: closed,
			body: patch(map[string]any{"notes": "more"}), status: 404},
		{name: "notes_unassigned", as: memberA, method: http.MethodPatch, url: recordURL(c, aidAOpen),
			body: patch(map[string]any{"notes": "more"}), status: 404},
		{name: "start", as: memberB, method: http.MethodPatch, url: working,
			body: patch(map[string]any{"status": "in_progress"}), status: 404},
		{name: "start", as: volunteerB, method: http.MethodPatch, url: working,
			body: patch(map[string]any{"status": "in_progress"}), status: 404},
		// the requester still may not handle their own request
		{name: "start_own", as: volunteerA, method: http.MethodPatch, url: working,
			body: patch(map[string]any{"status": "in_progress"}), status: 404},
		// a hidden link answers alike, right guess or wrong
		{name: "link_right_guess", as: memberA, method: http.MethodPatch, url: working,
			body: patch(map[string]any{"related_incident": reportAVerified, "notes": "x"}), status: 404},
		{name: "link_wrong_guess", as: memberA, method: http.MethodPatch, url: working,
			body: patch(map[string]any{"related_incident": reportBSubmitted, "notes": "x"}), status: 404},
		// the dashboard says who sees the confidential fields, and who writes the notes
		{name: "dashboard_help", as: superuser, method: http.MethodGet, url: "/api/collections/aid_requests", status: 200,
			want: []string{"How to reach them. Confidential: the requester, coordinators and, until the request is closed or cancelled, the aid workers of the assigned organization.",
				"Handling notes of coordinators and of the aid workers of the assigned organization, who write them while the request is open or being handled and no longer see them once it is closed or cancelled."}},
		// an aid worker reads no one else's report: on reports they are volunteers
		{name: "list_reports", as: memberA, method: http.MethodGet, url: recordsURL("incident_reports"), status: 200,
			want: []string{listTotal(0)}, never: []string{reportAVerified}},
	}
	runAssigned(t, cases)
}

// TestRules_AssignedOrganization_ResendsWhatItRead: a member's app sends
// back the whole record it read, with a new status, as phones do.
func TestRules_AssignedOrganization_ResendsWhatItRead(t *testing.T) {
	read := func() map[string]any {
		app := newAssignedApp(t)
		defer app.Cleanup()
		record, err := app.FindRecordById("aid_requests", aidWorking)
		if err != nil {
			t.Fatal(err)
		}
		record.Hide("related_incident") // hidden from the member
		raw, err := json.Marshal(record)
		if err != nil {
			t.Fatal(err)
		}
		var fields map[string]any
		if err := json.Unmarshal(raw, &fields); err != nil {
			t.Fatal(err)
		}
		return fields
	}()
	if read["contact_phone"] != secretPhoneWorking || read["location"] == nil {
		t.Fatalf("the record read lacks the contact: %v", read)
	}
	read["status"] = "in_progress"
	read["notes"] = memberNote
	runAssigned(t, []accessCase{
		{name: "resend_whole_record", as: memberA, method: http.MethodPatch, url: recordURL("aid_requests", aidWorking),
			body: body(read), status: 200, want: []string{`"status":"in_progress"`, secretPhoneWorking},
			after: stored("aid_requests", aidWorking, "notes", memberNote)},
	})
}
