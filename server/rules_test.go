package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
)

// The access matrix of issue 2, "Who may do what": every collection ×
// list/view/create/update/delete × anonymous, volunteer, other volunteer,
// coordinator, editor and superuser, against the real migrations and hooks.
//
// PocketBase's answers, asserted as they are:
//   - a null rule (superusers only): 403 for everyone else;
//   - a list whose rule matches no row: 200 with no items;
//   - view, update or delete of a row the rule hides: 404;
//   - a create the rule refuses: 400.

func body(fields map[string]any) string {
	raw, err := json.Marshal(fields)
	if err != nil {
		panic(err)
	}
	return string(raw)
}

func listTotal(n int) string { return `"totalItems":` + itoa(n) }

func itoa(n int) string {
	raw, _ := json.Marshal(n)
	return string(raw)
}

const emptyList = `"items":[]`

// forbiddenQuery is the privacy package's refusal of a filter or sort on a
// field hidden from the caller.
const forbiddenQuery = `"code":"privacy_forbidden_query_field"`

func TestRules_IncidentReports(t *testing.T) {
	const c = "incident_reports"
	list, one := recordsURL(c), recordURL(c, reportASubmitted)
	newReport := func(reporter string, extra map[string]any) string {
		fields := map[string]any{
			"reporter": reporter, "occurred_at": "2026-11-25 10:00:00.000Z", "region": "sughd",
			"category": "gunfire", "description": "Shots heard at dawn.",
		}
		for k, v := range extra {
			fields[k] = v
		}
		return body(fields)
	}
	patch := func(field string, value any) string { return body(map[string]any{field: value}) }
	allReports := []string{reportASubmitted, reportAInReview, reportAVerified, reportBSubmitted}

	cases := []accessCase{
		// list
		{name: "list", as: "", method: http.MethodGet, url: list, status: 200,
			want: []string{listTotal(0), emptyList}},
		{name: "list_own_only", as: volunteerA, method: http.MethodGet, url: list, status: 200,
			want:  []string{listTotal(3), reportASubmitted, reportAInReview, reportAVerified},
			never: []string{reportBSubmitted, "Report B"}},
		{name: "list_own_only", as: volunteerB, method: http.MethodGet, url: list, status: 200,
			want:  []string{listTotal(1), reportBSubmitted},
			never: []string{reportASubmitted, reportAVerified, secretDescription}},
		{name: "list_all", as: coordinator, method: http.MethodGet, url: list, status: 200,
			want: append([]string{listTotal(4)}, allReports...)},
		{name: "list_verified_only", as: editor, method: http.MethodGet, url: list, status: 200,
			want:  []string{listTotal(1), reportAVerified},
			never: []string{reportASubmitted, reportAInReview, reportBSubmitted}},
		{name: "list_all", as: superuser, method: http.MethodGet, url: list, status: 200,
			want: append([]string{listTotal(4)}, allReports...)},
		{name: "filter_cannot_widen", as: volunteerB, method: http.MethodGet,
			url: list + "?filter=" + urlQuery("reporter='"+volunteerA+"'"), status: 200,
			want: []string{listTotal(0)}},

		// view
		{name: "view", as: "", method: http.MethodGet, url: one, status: 404},
		{name: "view_own", as: volunteerA, method: http.MethodGet, url: one, status: 200,
			want: []string{`"id":"` + reportASubmitted + `"`, `"description":"Report A, submitted"`}},
		{name: "view_others", as: volunteerB, method: http.MethodGet, url: one, status: 404},
		{name: "view", as: coordinator, method: http.MethodGet, url: one, status: 200,
			want: []string{`"description":"Report A, submitted"`}},
		{name: "view_unverified", as: editor, method: http.MethodGet, url: one, status: 404},
		{name: "view_verified", as: editor, method: http.MethodGet, url: recordURL(c, reportAVerified), status: 200,
			want: []string{`"status":"verified"`}},
		{name: "view_verified", as: "", method: http.MethodGet, url: recordURL(c, reportAVerified), status: 404,
			never: []string{secretDescription}},
		{name: "view_verified_of_other", as: volunteerB, method: http.MethodGet, url: recordURL(c, reportAVerified),
			status: 404, never: []string{secretDescription}},
		{name: "view", as: superuser, method: http.MethodGet, url: one, status: 200,
			want: []string{`"reporter":"` + volunteerA + `"`}},

		// create
		{name: "create", as: "", method: http.MethodPost, url: list, body: newReport("", nil), status: 400},
		{name: "create_as_self", as: volunteerA, method: http.MethodPost, url: list,
			body: newReport(volunteerA, nil), status: 200,
			want: []string{`"reporter":"` + volunteerA + `"`, `"description":"Shots heard at dawn."`,
				`"status":"submitted"`}},
		{name: "create_as_self_submitted", as: volunteerA, method: http.MethodPost, url: list,
			body: newReport(volunteerA, map[string]any{"status": "submitted"}), status: 200,
			want: []string{`"status":"submitted"`}},
		{name: "create_offline_id", as: volunteerA, method: http.MethodPost, url: list,
			body: newReport(volunteerA, map[string]any{"id": "offline00000001"}), status: 200,
			want:  []string{`"id":"offline00000001"`},
			after: stored(c, "offline00000001", "reporter", volunteerA)},
		{name: "create_bad_id", as: volunteerA, method: http.MethodPost, url: list,
			body: newReport(volunteerA, map[string]any{"id": "Not-A-Valid-Id!"}), status: 400,
			want: []string{`"id":{"code":"validation_invalid_format"`}},
		{name: "create_duplicate_id", as: volunteerA, method: http.MethodPost, url: list,
			body: newReport(volunteerA, map[string]any{"id": reportBSubmitted}), status: 400,
			want: []string{`"id":{"code":"validation_not_unique"`}, never: []string{"Report B"},
			after: stored(c, reportBSubmitted, "reporter", volunteerB)},
		{name: "create_forged_reporter", as: volunteerA, method: http.MethodPost, url: list,
			body: newReport(volunteerB, nil), status: 400},
		{name: "create_no_reporter", as: volunteerA, method: http.MethodPost, url: list,
			body: newReport("", nil), status: 400},
		{name: "create_status_verified", as: volunteerA, method: http.MethodPost, url: list,
			body: newReport(volunteerA, map[string]any{"status": "verified"}), status: 400},
		{name: "create_status_in_review", as: volunteerA, method: http.MethodPost, url: list,
			body: newReport(volunteerA, map[string]any{"status": "in_review"}), status: 400},
		{name: "create_verification_note", as: volunteerA, method: http.MethodPost, url: list,
			body: newReport(volunteerA, map[string]any{"verification_note": "I checked"}), status: 400},
		{name: "create_verified_by", as: volunteerA, method: http.MethodPost, url: list,
			body: newReport(volunteerA, map[string]any{"verified_by": coordinator}), status: 400},
		{name: "create_verified_at", as: volunteerA, method: http.MethodPost, url: list,
			body: newReport(volunteerA, map[string]any{"verified_at": "2026-11-25 10:00:00.000Z"}), status: 400},
		{name: "create_sources", as: volunteerA, method: http.MethodPost, url: list,
			body: newReport(volunteerA, map[string]any{"sources": "me"}), status: 400},
		{name: "create_public_summary", as: volunteerA, method: http.MethodPost, url: list,
			body: newReport(volunteerA, map[string]any{"public_summary": "publish me"}), status: 400},
		{name: "create_negative_killed", as: volunteerA, method: http.MethodPost, url: list,
			body: newReport(volunteerA, map[string]any{"killed": -1}), status: 400,
			want: []string{`"killed":{"code":`}},
		{name: "create_unknown_category", as: volunteerA, method: http.MethodPost, url: list,
			body: newReport(volunteerA, map[string]any{"category": "riot"}), status: 400,
			want: []string{`"category":{"code":`}},
		{name: "create_description_too_long", as: volunteerA, method: http.MethodPost, url: list,
			body: newReport(volunteerA, map[string]any{"description": strings.Repeat("x", 5001)}), status: 400,
			want: []string{`"description":{"code":`}},
		{name: "create_as_self", as: coordinator, method: http.MethodPost, url: list,
			body: newReport(coordinator, nil), status: 200},
		{name: "create_as_self", as: editor, method: http.MethodPost, url: list,
			body: newReport(editor, nil), status: 200},
		{name: "create_for_volunteer", as: superuser, method: http.MethodPost, url: list,
			body: newReport(volunteerA, nil), status: 200},

		// update: the reporter edits content while submitted, nothing else
		{name: "update", as: "", method: http.MethodPatch, url: one, body: patch("description", "x"), status: 404},
		{name: "update_own_description", as: volunteerA, method: http.MethodPatch, url: one,
			body: patch("description", "Corrected: shots at 6am."), status: 200,
			after: stored(c, reportASubmitted, "description", "Corrected: shots at 6am.")},
		{name: "update_own_unchanged_reporter", as: volunteerA, method: http.MethodPatch, url: one,
			body: body(map[string]any{"reporter": volunteerA, "killed": 1}), status: 200,
			after: stored(c, reportASubmitted, "killed", "1")},
		{name: "update_own_status", as: volunteerA, method: http.MethodPatch, url: one,
			body: patch("status", "in_review"), status: 404},
		{name: "update_own_reporter", as: volunteerA, method: http.MethodPatch, url: one,
			body: patch("reporter", volunteerB), status: 404},
		{name: "update_own_verified_by", as: volunteerA, method: http.MethodPatch, url: one,
			body: patch("verified_by", volunteerA), status: 404},
		{name: "update_own_verified_at", as: volunteerA, method: http.MethodPatch, url: one,
			body: patch("verified_at", "2026-11-25 10:00:00.000Z"), status: 404},
		{name: "update_own_verification_note", as: volunteerA, method: http.MethodPatch, url: one,
			body: patch("verification_note", "trust me"), status: 404},
		{name: "update_own_public_summary", as: volunteerA, method: http.MethodPatch, url: one,
			body: patch("public_summary", "publish me"), status: 404},
		{name: "update_own_sources", as: volunteerA, method: http.MethodPatch, url: one,
			body: patch("sources", "me"), status: 404},
		{name: "update_own_in_review", as: volunteerA, method: http.MethodPatch, url: recordURL(c, reportAInReview),
			body: patch("description", "late edit"), status: 404},
		{name: "update_own_verified", as: volunteerA, method: http.MethodPatch, url: recordURL(c, reportAVerified),
			body: patch("description", "late edit"), status: 404},
		{name: "update_others", as: volunteerB, method: http.MethodPatch, url: one,
			body: patch("description", "x"), status: 404},
		// update: the coordinator reviews, never rewrites what was reported
		{name: "update_status", as: coordinator, method: http.MethodPatch, url: one,
			body: patch("status", "in_review"), status: 200,
			after: stored(c, reportASubmitted, "status", "in_review")},
		{name: "update_review_fields", as: coordinator, method: http.MethodPatch, url: recordURL(c, reportAInReview),
			body: body(map[string]any{
				"status": "verified", "verified_by": coordinator, "verified_at": "2026-11-25 10:00:00.000Z",
				"verification_note": "Two sources.", "sources": "a\nb", "public_summary": "Gunfire near X.",
			}), status: 200,
			after: verifiedWithoutPoint},
		// a coordinator verifies as themselves, never naming a colleague
		// (whose anonymous reports workflow_verifier_is_reporter would out)
		{name: "update_verify_naming_another", as: coordinator, method: http.MethodPatch, url: recordURL(c, reportAInReview),
			body: body(map[string]any{
				"status": "verified", "verified_by": editor, "verified_at": "2026-11-25 10:00:00.000Z",
				"verification_note": "Two sources.",
			}), status: 404, after: stored(c, reportAInReview, "status", "in_review")},
		{name: "update_verify_without_naming_self", as: coordinator, method: http.MethodPatch, url: recordURL(c, reportAInReview),
			body: body(map[string]any{
				"status": "verified", "verified_at": "2026-11-25 10:00:00.000Z", "verification_note": "Two sources.",
			}), status: 404, after: stored(c, reportAInReview, "status", "in_review")},
		{name: "update_verified_by_another", as: coordinator, method: http.MethodPatch, url: recordURL(c, reportAVerified),
			body: patch("verified_by", volunteerB), status: 404, after: stored(c, reportAVerified, "verified_by", coordinator)},
		{name: "update_verified_by_resent", as: coordinator, method: http.MethodPatch, url: recordURL(c, reportAVerified),
			body:   body(map[string]any{"verified_by": coordinator, "status": "in_review", "public_summary": "Resent whole."}),
			status: 200, after: stored(c, reportAVerified, "public_summary", "Resent whole.")},
		// what was verified stays as verified until the report is reopened
		// (workflow_verified_fixed), whoever asks; the others may not
		// update the report at all
		{name: "update_verified_summary", as: coordinator, method: http.MethodPatch, url: recordURL(c, reportAVerified),
			body: patch("public_summary", "Rewritten."), status: 400,
			after: stored(c, reportAVerified, "public_summary", "Shelling near a village; two injured.")},
		{name: "update_verified_summary", as: superuser, method: http.MethodPatch, url: recordURL(c, reportAVerified),
			body: patch("public_summary", "Rewritten."), status: 400,
			after: stored(c, reportAVerified, "public_summary", "Shelling near a village; two injured.")},
		{name: "update_verified_summary", as: volunteerA, method: http.MethodPatch, url: recordURL(c, reportAVerified),
			body: patch("public_summary", "Rewritten."), status: 404},
		{name: "update_verified_summary", as: volunteerB, method: http.MethodPatch, url: recordURL(c, reportAVerified),
			body: patch("public_summary", "Rewritten."), status: 404},
		{name: "update_verified_summary", as: "", method: http.MethodPatch, url: recordURL(c, reportAVerified),
			body: patch("public_summary", "Rewritten."), status: 404},
		{name: "update_verify_naming_coordinator", as: superuser, method: http.MethodPatch, url: recordURL(c, reportAInReview),
			body: body(map[string]any{
				"status": "verified", "verified_by": coordinator, "verified_at": "2026-11-25 10:00:00.000Z",
				"verification_note": "Two sources.",
			}), status: 200, after: stored(c, reportAInReview, "verified_by", coordinator)},
		{name: "update_description", as: coordinator, method: http.MethodPatch, url: one,
			body: patch("description", "rewritten"), status: 404},
		{name: "update_reporter", as: coordinator, method: http.MethodPatch, url: one,
			body: patch("reporter", coordinator), status: 404},
		{name: "update_killed", as: coordinator, method: http.MethodPatch, url: one,
			body: patch("killed", 9), status: 404},
		{name: "update_category", as: coordinator, method: http.MethodPatch, url: one,
			body: patch("category", "other"), status: 404},
		{name: "update_anonymous", as: coordinator, method: http.MethodPatch, url: one,
			body: patch("anonymous", true), status: 404},
		{name: "update_location", as: coordinator, method: http.MethodPatch, url: one,
			body: patch("location", map[string]any{"lon": 1, "lat": 1}), status: 404},
		{name: "update_occurred_at", as: coordinator, method: http.MethodPatch, url: one,
			body: patch("occurred_at", "2020-01-01 00:00:00.000Z"), status: 404},
		{name: "update_unchanged_location_with_review", as: coordinator, method: http.MethodPatch, url: one,
			body:   body(map[string]any{"location": map[string]any{"lon": 70.98765, "lat": 40.12345}, "status": "in_review"}),
			status: 200},
		{name: "update_full_document_resent", as: coordinator, method: http.MethodPatch, url: one,
			body: body(map[string]any{
				"reporter": volunteerA, "anonymous": false, "occurred_at": "2026-11-20 08:30:00.000Z",
				"region": "sughd", "district": "", "place": "", "location": map[string]any{"lon": 70.98765, "lat": 40.12345},
				"location_precision": "", "category": "shelling", "description": "Report A, submitted",
				"killed": 0, "injured": 0, "source_type": "", "photos": []string{}, "language": "",
				"status": "in_review", "verification_note": "Taking it.",
			}), status: 200, after: stored(c, reportASubmitted, "status", "in_review")},
		{name: "update_date_other_format", as: coordinator, method: http.MethodPatch, url: one,
			body: body(map[string]any{"occurred_at": "2026-11-20T08:30:00Z", "status": "in_review"}), status: 200},
		{name: "update_unchanged_content_with_review", as: coordinator, method: http.MethodPatch, url: one,
			body: body(map[string]any{"description": "Report A, submitted", "status": "in_review"}), status: 200},
		{name: "update", as: editor, method: http.MethodPatch, url: recordURL(c, reportAVerified),
			body: patch("public_summary", "x"), status: 404},
		{name: "update_description", as: superuser, method: http.MethodPatch, url: one,
			body: patch("description", "fixed by admin"), status: 200,
			after: stored(c, reportASubmitted, "description", "fixed by admin")},
	}
	// delete: nobody but a superuser (a coordinator archives instead)
	for _, as := range []string{"", volunteerA, volunteerB, coordinator, editor} {
		cases = append(cases, accessCase{name: "delete", as: as, method: http.MethodDelete, url: one, status: 403})
	}
	cases = append(cases, accessCase{name: "delete", as: superuser, method: http.MethodDelete, url: one, status: 204})
	runAccess(t, cases)
}

// verifiedWithoutPoint checks what the public view makes of a report that a
// coordinator verified and that has no point: the incident appears, dated
// by day, with a null location rather than 0,0.
func verifiedWithoutPoint(t testing.TB, app *tests.TestApp) {
	t.Helper()
	public, err := app.FindRecordById("public_incidents", reportAInReview)
	if err != nil {
		t.Fatalf("verified report missing from public_incidents: %v", err)
	}
	if got := public.GetString("occurred_on"); got != "2026-11-20" {
		t.Errorf("occurred_on = %q, want 2026-11-20", got)
	}
	if got := public.GetString("location"); got != "null" && got != "" {
		t.Errorf("location = %q, want null", got)
	}
	if got := public.GetString("public_summary"); got != "Gunfire near X." {
		t.Errorf("public_summary = %q", got)
	}
}

func TestRules_AidRequests(t *testing.T) {
	const c = "aid_requests"
	list, one := recordsURL(c), recordURL(c, aidAOpen)
	newRequest := func(requester string, extra map[string]any) string {
		fields := map[string]any{
			"requester": requester, "region": "batken", "needs": []string{"water", "food"},
			"people_count": 5, "urgency": "high", "contact_phone": "+996 555 123 456",
		}
		for k, v := range extra {
			fields[k] = v
		}
		return body(fields)
	}
	patch := func(field string, value any) string { return body(map[string]any{field: value}) }

	cases := []accessCase{
		// list
		{name: "list", as: "", method: http.MethodGet, url: list, status: 200,
			want: []string{listTotal(0), emptyList}, never: []string{secretPhoneA, secretPhoneB}},
		{name: "list_own_only", as: volunteerA, method: http.MethodGet, url: list, status: 200,
			want: []string{listTotal(2), aidAOpen, aidAAcknowledged}, never: []string{aidBOpen, secretPhoneB}},
		{name: "list_own_only", as: volunteerB, method: http.MethodGet, url: list, status: 200,
			want: []string{listTotal(1), aidBOpen}, never: []string{aidAOpen, secretPhoneA, secretBenefA}},
		{name: "list_all", as: coordinator, method: http.MethodGet, url: list, status: 200,
			want: []string{listTotal(3), aidAOpen, aidAAcknowledged, aidBOpen}},
		{name: "list", as: editor, method: http.MethodGet, url: list, status: 200,
			want: []string{listTotal(0)}, never: []string{secretPhoneA, secretPhoneB}},
		{name: "list_all", as: superuser, method: http.MethodGet, url: list, status: 200,
			want: []string{listTotal(3)}},

		// view
		{name: "view", as: "", method: http.MethodGet, url: one, status: 404, never: []string{secretPhoneA}},
		{name: "view_own", as: volunteerA, method: http.MethodGet, url: one, status: 200,
			want: []string{`"id":"` + aidAOpen + `"`}},
		{name: "view_others", as: volunteerB, method: http.MethodGet, url: one, status: 404,
			never: []string{secretPhoneA, secretBenefA}},
		{name: "view", as: coordinator, method: http.MethodGet, url: one, status: 200,
			want: []string{`"id":"` + aidAOpen + `"`}},
		{name: "view", as: editor, method: http.MethodGet, url: one, status: 404, never: []string{secretPhoneA}},
		{name: "view", as: superuser, method: http.MethodGet, url: one, status: 200,
			want: []string{secretPhoneA}},

		// create
		{name: "create", as: "", method: http.MethodPost, url: list, body: newRequest("", nil), status: 400},
		{name: "create_as_self", as: volunteerA, method: http.MethodPost, url: list,
			body: newRequest(volunteerA, nil), status: 200,
			want: []string{`"requester":"` + volunteerA + `"`, `"needs":["water","food"]`, `"status":"open"`}},
		{name: "create_as_self_open", as: volunteerA, method: http.MethodPost, url: list,
			body: newRequest(volunteerA, map[string]any{"status": "open", "id": "offlineaid00001"}), status: 200,
			want: []string{`"id":"offlineaid00001"`, `"status":"open"`}},
		{name: "create_linked_to_incident", as: volunteerA, method: http.MethodPost, url: list,
			body: newRequest(volunteerA, map[string]any{"related_incident": reportASubmitted}), status: 200},
		{name: "create_forged_requester", as: volunteerA, method: http.MethodPost, url: list,
			body: newRequest(volunteerB, nil), status: 400},
		{name: "create_status_acknowledged", as: volunteerA, method: http.MethodPost, url: list,
			body: newRequest(volunteerA, map[string]any{"status": "acknowledged"}), status: 400},
		{name: "create_assigned_org", as: volunteerA, method: http.MethodPost, url: list,
			body: newRequest(volunteerA, map[string]any{"assigned_org": orgActive}), status: 400},
		{name: "create_notes", as: volunteerA, method: http.MethodPost, url: list,
			body: newRequest(volunteerA, map[string]any{"notes": "VIP"}), status: 400},
		{name: "create_acknowledged_at", as: volunteerA, method: http.MethodPost, url: list,
			body: newRequest(volunteerA, map[string]any{"acknowledged_at": "2026-11-25 10:00:00.000Z"}), status: 400},
		{name: "create_unknown_need", as: volunteerA, method: http.MethodPost, url: list,
			body: newRequest(volunteerA, map[string]any{"needs": []string{"money"}}), status: 400,
			want: []string{`"needs":{"code":`}},
		{name: "create_negative_people", as: volunteerA, method: http.MethodPost, url: list,
			body: newRequest(volunteerA, map[string]any{"people_count": -3}), status: 400,
			want: []string{`"people_count":{"code":`}},
		{name: "create_as_self", as: coordinator, method: http.MethodPost, url: list,
			body: newRequest(coordinator, nil), status: 200},
		{name: "create_as_self", as: editor, method: http.MethodPost, url: list,
			body: newRequest(editor, nil), status: 200},
		{name: "create_for_volunteer", as: superuser, method: http.MethodPost, url: list,
			body: newRequest(volunteerA, nil), status: 200},

		// update: the requester edits content while open
		{name: "update", as: "", method: http.MethodPatch, url: one, body: patch("people_count", 2), status: 404},
		{name: "update_own_content", as: volunteerA, method: http.MethodPatch, url: one,
			body: body(map[string]any{"people_count": 7, "contact_phone": "+992 900 000 009"}), status: 200,
			after: stored(c, aidAOpen, "people_count", "7")},
		{name: "update_own_status", as: volunteerA, method: http.MethodPatch, url: one,
			body: patch("status", "cancelled"), status: 404},
		{name: "update_own_requester", as: volunteerA, method: http.MethodPatch, url: one,
			body: patch("requester", volunteerB), status: 404},
		{name: "update_own_assigned_org", as: volunteerA, method: http.MethodPatch, url: one,
			body: patch("assigned_org", orgActive), status: 404},
		{name: "update_own_notes", as: volunteerA, method: http.MethodPatch, url: one,
			body: patch("notes", "urgent!"), status: 404},
		{name: "update_own_acknowledged", as: volunteerA, method: http.MethodPatch, url: recordURL(c, aidAAcknowledged),
			body: patch("people_count", 3), status: 404},
		{name: "update_others", as: volunteerB, method: http.MethodPatch, url: one,
			body: patch("people_count", 2), status: 404},
		// update: the coordinator handles, never rewrites the request
		{name: "update_acknowledge_assign", as: coordinator, method: http.MethodPatch, url: one,
			body:   body(map[string]any{"status": "acknowledged", "assigned_org": orgActive, "notes": "Called back."}),
			status: 200, want: []string{`"assigned_org":"` + orgActive + `"`},
			after: stored(c, aidAOpen, "status", "acknowledged")},
		{name: "update_link_incident", as: coordinator, method: http.MethodPatch, url: one,
			body: patch("related_incident", reportBSubmitted), status: 200},
		{name: "update_contact_phone", as: coordinator, method: http.MethodPatch, url: one,
			body: patch("contact_phone", "+992 000"), status: 404},
		{name: "update_beneficiary_name", as: coordinator, method: http.MethodPatch, url: one,
			body: patch("beneficiary_name", "someone else"), status: 404},
		{name: "update_needs", as: coordinator, method: http.MethodPatch, url: one,
			body: patch("needs", []string{"legal"}), status: 404},
		{name: "update_urgency", as: coordinator, method: http.MethodPatch, url: one,
			body: patch("urgency", "normal"), status: 404},
		{name: "update_requester", as: coordinator, method: http.MethodPatch, url: one,
			body: patch("requester", coordinator), status: 404},
		{name: "update", as: editor, method: http.MethodPatch, url: one, body: patch("notes", "x"), status: 404},
		{name: "update_content", as: superuser, method: http.MethodPatch, url: one,
			body: patch("people_count", 11), status: 200, after: stored(c, aidAOpen, "people_count", "11")},
	}
	for _, as := range []string{"", volunteerA, volunteerB, coordinator, editor} {
		cases = append(cases, accessCase{name: "delete", as: as, method: http.MethodDelete, url: one, status: 403})
	}
	cases = append(cases, accessCase{name: "delete", as: superuser, method: http.MethodDelete, url: one, status: 204})
	runAccess(t, cases)
}

// editorial are updates and fact_checks: public when published, written by
// editors as themselves, deleted only as drafts.
type editorial struct {
	collection, published, draft, draftText string
	newRecord                               func(author string) string
}

func TestRules_UpdatesAndFactChecks(t *testing.T) {
	kinds := []editorial{
		{"updates", updatePublished, updateDraft, draftUpdateTitle, func(author string) string {
			return body(map[string]any{"title": "New", "body": "Text", "language": "ky", "status": "draft", "author": author})
		}},
		{"fact_checks", factPublished, factDraft, draftFactClaim, func(author string) string {
			return body(map[string]any{
				"claim": "New", "verdict": "misleading", "explanation": "Because.", "language": "tg",
				"status": "draft", "author": author, "platform": "telegram",
			})
		}},
	}
	for _, k := range kinds {
		t.Run(k.collection, func(t *testing.T) { runAccess(t, editorialCases(k)) })
	}
}

func editorialCases(k editorial) []accessCase {
	list := recordsURL(k.collection)
	pub, draft := recordURL(k.collection, k.published), recordURL(k.collection, k.draft)
	retitle := body(map[string]any{"status": "retracted"})
	var cases []accessCase
	for _, as := range everyone {
		sees := as == editor || as == superuser
		c := accessCase{name: "list", as: as, method: http.MethodGet, url: list, status: 200,
			want: []string{listTotal(1), k.published}, never: []string{k.draftText}}
		if sees {
			c.want, c.never = []string{listTotal(2), k.published, k.draftText}, nil
		}
		cases = append(cases,
			c,
			accessCase{name: "view_published", as: as, method: http.MethodGet, url: pub, status: 200,
				want: []string{`"id":"` + k.published + `"`}},
			accessCase{name: "view_draft", as: as, method: http.MethodGet, url: draft, status: statusIf(sees, 200, 404)},
		)
	}
	for _, as := range []string{"", volunteerA, volunteerB, coordinator} {
		cases = append(cases,
			accessCase{name: "create", as: as, method: http.MethodPost, url: list, body: k.newRecord(as), status: 400},
			accessCase{name: "update", as: as, method: http.MethodPatch, url: pub, body: retitle, status: 404},
			accessCase{name: "unpublish", as: as, method: http.MethodPatch, url: pub,
				body: body(map[string]any{"status": "draft"}), status: 404},
			accessCase{name: "delete_draft", as: as, method: http.MethodDelete, url: draft, status: 404},
		)
	}
	return append(cases,
		accessCase{name: "create_as_self", as: editor, method: http.MethodPost, url: list,
			body: k.newRecord(editor), status: 200, want: []string{`"author":"` + editor + `"`}},
		accessCase{name: "create_as_other", as: editor, method: http.MethodPost, url: list,
			body: k.newRecord(coordinator), status: 400},
		accessCase{name: "create_without_author", as: editor, method: http.MethodPost, url: list,
			body: k.newRecord(""), status: 400},
		accessCase{name: "create_for_editor", as: superuser, method: http.MethodPost, url: list,
			body: k.newRecord(editor), status: 200},
		accessCase{name: "update_retract", as: editor, method: http.MethodPatch, url: pub, body: retitle, status: 200,
			after: stored(k.collection, k.published, "status", "retracted")},
		accessCase{name: "update_publish_draft", as: editor, method: http.MethodPatch, url: draft,
			body: body(map[string]any{"status": "published", "published_at": "2026-11-26 09:00:00.000Z"}), status: 200,
			after: stored(k.collection, k.draft, "status", "published")},
		accessCase{name: "update_author", as: editor, method: http.MethodPatch, url: pub,
			body: body(map[string]any{"author": coordinator}), status: 404},
		accessCase{name: "update_author", as: superuser, method: http.MethodPatch, url: pub,
			body: body(map[string]any{"author": coordinator}), status: 200},
		accessCase{name: "delete_published", as: editor, method: http.MethodDelete, url: pub, status: 404},
		// A published text is retracted, never unpublished into a deletable draft.
		accessCase{name: "unpublish", as: editor, method: http.MethodPatch, url: pub,
			body: body(map[string]any{"status": "draft"}), status: 400,
			want:  []string{`"code":"workflow_invalid_transition"`},
			after: stored(k.collection, k.published, "status", "published")},
		accessCase{name: "unpublish", as: superuser, method: http.MethodPatch, url: pub,
			body: body(map[string]any{"status": "draft"}), status: 400,
			after: stored(k.collection, k.published, "status", "published")},
		accessCase{name: "delete_draft", as: editor, method: http.MethodDelete, url: draft, status: 204},
		accessCase{name: "delete_published", as: superuser, method: http.MethodDelete, url: pub, status: 204},
	)
}

func statusIf(cond bool, yes, no int) int {
	if cond {
		return yes
	}
	return no
}

// referenceCases covers a collection only superusers write.
func referenceCases(collection, id, create, update string) []accessCase {
	var cases []accessCase
	for _, as := range everyone[:5] {
		cases = append(cases,
			accessCase{name: "create", as: as, method: http.MethodPost, url: recordsURL(collection), body: create, status: 403},
			accessCase{name: "update", as: as, method: http.MethodPatch, url: recordURL(collection, id), body: update, status: 403},
			accessCase{name: "delete", as: as, method: http.MethodDelete, url: recordURL(collection, id), status: 403},
		)
	}
	return append(cases,
		accessCase{name: "create", as: superuser, method: http.MethodPost, url: recordsURL(collection), body: create, status: 200},
		accessCase{name: "update", as: superuser, method: http.MethodPatch, url: recordURL(collection, id), body: update, status: 200},
	)
}

func TestRules_Organizations(t *testing.T) {
	const c = "organizations"
	var cases []accessCase
	for _, as := range everyone {
		sees := as == coordinator || as == superuser
		l := accessCase{name: "list_active", as: as, method: http.MethodGet, url: recordsURL(c), status: 200,
			want: []string{listTotal(1), orgActive}, never: []string{inactiveOrgName}}
		if sees {
			l.name, l.want, l.never = "list_all", []string{listTotal(2), orgActive, inactiveOrgName}, nil
		}
		cases = append(cases, l,
			accessCase{name: "view_active", as: as, method: http.MethodGet, url: recordURL(c, orgActive), status: 200},
			accessCase{name: "view_inactive", as: as, method: http.MethodGet, url: recordURL(c, orgInactive),
				status: statusIf(sees, 200, 404)},
		)
	}
	cases = append(cases, referenceCases(c, orgActive,
		body(map[string]any{"name": "New group", "active": true}), body(map[string]any{"active": false}))...)
	cases = append(cases, accessCase{name: "delete_inactive", as: superuser, method: http.MethodDelete,
		url: recordURL(c, orgInactive), status: 204})
	runAccess(t, cases)
}

func TestRules_Appeals(t *testing.T) {
	const c = "appeals"
	var cases []accessCase
	for _, as := range everyone {
		l := accessCase{name: "list_published", as: as, method: http.MethodGet, url: recordsURL(c), status: 200,
			want: []string{listTotal(1), `"slug":"civil-society-appeal-2021-04-30"`}, never: []string{draftAppealTitle}}
		if as == superuser {
			l.name, l.want, l.never = "list_all", []string{listTotal(2), draftAppealTitle}, nil
		}
		cases = append(cases, l,
			accessCase{name: "view_draft", as: as, method: http.MethodGet, url: recordURL(c, appealDraft),
				status: statusIf(as == superuser, 200, 404)})
	}
	cases = append(cases, referenceCases(c, appealDraft,
		body(map[string]any{"slug": "civil-society-appeal-2021-04-30", "title": "Обращение", "body": "…",
			"language": "ru", "official": false, "translation_of": appealDraft,
			"adopted_on": "2021-04-30 00:00:00.000Z", "status": "draft"}),
		body(map[string]any{"title": "changed"}))...)
	runAccess(t, cases)
}

func TestRules_Districts(t *testing.T) {
	const c = "districts"
	var cases []accessCase
	for _, as := range everyone {
		cases = append(cases,
			accessCase{name: "list", as: as, method: http.MethodGet,
				url: recordsURL(c) + "?perPage=100", status: 200, want: []string{listTotal(24)}},
			accessCase{name: "view", as: as, method: http.MethodGet, url: recordURL(c, "kgbatkenleilek0"), status: 200,
				want: []string{`"code":"kg-batken-leilek"`, `"name_local":"Лейлек"`}})
	}
	cases = append(cases, referenceCases(c, "tjsughdisfara00",
		body(map[string]any{"code": "tj-sughd-test", "name_en": "Test", "name_ru": "Тест", "name_local": "Тест",
			"kind": "district", "region": "sughd", "country": "tj"}),
		body(map[string]any{"name_en": "Isfara"}))...)
	cases = append(cases, accessCase{name: "delete", as: superuser, method: http.MethodDelete,
		url: recordURL(c, "kgbatkenleilek0"), status: 204})
	runAccess(t, cases)
}

func TestRules_PublicIncidents(t *testing.T) {
	const c = "public_incidents"
	leaks := []string{secretDescription, secretPlace, secretNote, volunteerA, coordinator,
		`"reporter"`, `"description"`, `"verified_by"`, `"photos"`, "70.98765", "40.12345", "08:30"}
	var cases []accessCase
	for _, as := range everyone {
		cases = append(cases,
			accessCase{name: "list_verified_only", as: as, method: http.MethodGet, url: recordsURL(c), status: 200,
				want:  []string{listTotal(1), `"id":"` + reportAVerified + `"`},
				never: append([]string{reportASubmitted, reportBSubmitted}, leaks...)},
			accessCase{name: "view", as: as, method: http.MethodGet, url: recordURL(c, reportAVerified), status: 200,
				want: []string{`"occurred_on":"2026-11-20"`, `"location":{"lon":70.99,"lat":40.12}`,
					`"public_summary":"Shelling near a village; two injured."`, `"injured":2`, `"category":"shelling"`},
				never: leaks},
			accessCase{name: "view_unverified", as: as, method: http.MethodGet, url: recordURL(c, reportASubmitted), status: 404},
			accessCase{name: "create", as: as, method: http.MethodPost, url: recordsURL(c), body: "{}", status: 400},
			accessCase{name: "update", as: as, method: http.MethodPatch, url: recordURL(c, reportAVerified), body: "{}", status: 400},
			accessCase{name: "delete", as: as, method: http.MethodDelete, url: recordURL(c, reportAVerified), status: 400},
		)
	}
	runAccess(t, cases)
}

func TestRules_Users(t *testing.T) {
	const c = "users"
	list := recordsURL(c)
	signup := func(email string, extra map[string]any) string {
		fields := map[string]any{"email": email, "password": "long-enough-1", "passwordConfirm": "long-enough-1"}
		for k, v := range extra {
			fields[k] = v
		}
		return body(fields)
	}
	patch := func(field string, value any) string { return body(map[string]any{field: value}) }
	cases := []accessCase{
		{name: "list", as: "", method: http.MethodGet, url: list, status: 200, want: []string{listTotal(0)}},
		{name: "list_self_only", as: volunteerA, method: http.MethodGet, url: list, status: 200,
			want: []string{listTotal(1), volunteerA}, never: []string{volunteerB, coordinator}},
		{name: "list_self_only", as: editor, method: http.MethodGet, url: list, status: 200,
			want: []string{listTotal(1), editor}, never: []string{volunteerA}},
		{name: "list_all", as: coordinator, method: http.MethodGet, url: list, status: 200,
			want: []string{listTotal(4), volunteerA, volunteerB, editor}},
		{name: "list_all", as: superuser, method: http.MethodGet, url: list, status: 200, want: []string{listTotal(4)}},
		{name: "view_other", as: "", method: http.MethodGet, url: recordURL(c, volunteerA), status: 404},
		{name: "view_other", as: volunteerB, method: http.MethodGet, url: recordURL(c, volunteerA), status: 404},
		{name: "view_other", as: editor, method: http.MethodGet, url: recordURL(c, volunteerA), status: 404},
		{name: "view_self", as: volunteerA, method: http.MethodGet, url: recordURL(c, volunteerA), status: 200,
			want: []string{`"role":"volunteer"`}},
		{name: "view_other", as: coordinator, method: http.MethodGet, url: recordURL(c, volunteerA), status: 200,
			want: []string{`"role":"volunteer"`}},

		// signup
		{name: "signup", as: "", method: http.MethodPost, url: list, body: signup("new1@example.org", nil), status: 200,
			want: []string{`"role":"volunteer"`}},
		{name: "signup_volunteer", as: "", method: http.MethodPost, url: list,
			body:   signup("new2@example.org", map[string]any{"role": "volunteer", "language": "ky", "region": "batken"}),
			status: 200, want: []string{`"role":"volunteer"`, `"language":"ky"`}},
		{name: "signup_coordinator", as: "", method: http.MethodPost, url: list,
			body: signup("new3@example.org", map[string]any{"role": "coordinator"}), status: 400},
		{name: "signup_editor", as: "", method: http.MethodPost, url: list,
			body: signup("new4@example.org", map[string]any{"role": "editor"}), status: 400},
		{name: "signup_aid_worker", as: "", method: http.MethodPost, url: list,
			body: signup("new8@example.org", map[string]any{"role": "aid_worker"}), status: 400},
		{name: "signup_with_organization", as: "", method: http.MethodPost, url: list,
			body: signup("new5@example.org", map[string]any{"organization": orgActive}), status: 400},
		{name: "create_editor", as: volunteerA, method: http.MethodPost, url: list,
			body: signup("new6@example.org", map[string]any{"role": "editor"}), status: 400},
		// staff accounts are the superusers' to make (1795768000)
		{name: "create_editor", as: coordinator, method: http.MethodPost, url: list,
			body: signup("new7@example.org", map[string]any{"role": "editor", "organization": orgActive}), status: 400},
		{name: "create_coordinator", as: coordinator, method: http.MethodPost, url: list,
			body: signup("new9@example.org", map[string]any{"role": "coordinator"}), status: 400},
		{name: "create_aid_worker", as: coordinator, method: http.MethodPost, url: list,
			body: signup("new10@example.org", map[string]any{"role": "aid_worker", "organization": orgActive}), status: 200,
			want: []string{`"role":"aid_worker"`}},
		{name: "create_volunteer", as: coordinator, method: http.MethodPost, url: list,
			body: signup("new11@example.org", map[string]any{"role": "volunteer"}), status: 200,
			want: []string{`"role":"volunteer"`}},
		{name: "create_coordinator", as: superuser, method: http.MethodPost, url: list,
			body: signup("new12@example.org", map[string]any{"role": "coordinator"}), status: 200,
			want: []string{`"role":"coordinator"`}},

		// update
		{name: "update_self_profile", as: volunteerA, method: http.MethodPatch, url: recordURL(c, volunteerA),
			body: body(map[string]any{"name": "A. Renamed", "language": "tg", "region": "sughd"}), status: 200,
			after: stored(c, volunteerA, "name", "A. Renamed")},
		{name: "update_self_same_role", as: volunteerA, method: http.MethodPatch, url: recordURL(c, volunteerA),
			body: body(map[string]any{"role": "volunteer", "name": "A"}), status: 200},
		{name: "update_self_role", as: volunteerA, method: http.MethodPatch, url: recordURL(c, volunteerA),
			body: patch("role", "coordinator"), status: 404, after: stored(c, volunteerA, "role", "volunteer")},
		{name: "update_self_role", as: editor, method: http.MethodPatch, url: recordURL(c, editor),
			body: patch("role", "coordinator"), status: 404},
		{name: "update_self_role", as: coordinator, method: http.MethodPatch, url: recordURL(c, coordinator),
			body: patch("role", "editor"), status: 404, after: stored(c, coordinator, "role", "coordinator")},
		{name: "update_self_organization", as: volunteerA, method: http.MethodPatch, url: recordURL(c, volunteerA),
			body: patch("organization", orgActive), status: 404},
		{name: "update_self_aid_worker", as: volunteerA, method: http.MethodPatch, url: recordURL(c, volunteerA),
			body: body(map[string]any{"role": "aid_worker", "organization": orgActive}), status: 404,
			after: stored(c, volunteerA, "role", "volunteer")},
		{name: "update_other", as: volunteerA, method: http.MethodPatch, url: recordURL(c, volunteerB),
			body: patch("name", "hacked"), status: 404},
		{name: "update_other", as: "", method: http.MethodPatch, url: recordURL(c, volunteerB),
			body: patch("name", "hacked"), status: 404},
		{name: "update_other_role", as: editor, method: http.MethodPatch, url: recordURL(c, volunteerB),
			body: patch("role", "editor"), status: 404},
		{name: "update_other_role", as: coordinator, method: http.MethodPatch, url: recordURL(c, volunteerB),
			body: body(map[string]any{"role": "editor", "organization": orgActive}), status: 404,
			after: stored(c, volunteerB, "role", "volunteer")},
		{name: "update_other_role_coordinator", as: coordinator, method: http.MethodPatch, url: recordURL(c, volunteerB),
			body: patch("role", "coordinator"), status: 404, after: stored(c, volunteerB, "role", "volunteer")},
		// nor does a coordinator demote, move or rename staff
		{name: "update_staff_role", as: coordinator, method: http.MethodPatch, url: recordURL(c, editor),
			body: patch("role", "volunteer"), status: 404, after: stored(c, editor, "role", "editor")},
		{name: "update_staff_organization", as: coordinator, method: http.MethodPatch, url: recordURL(c, editor),
			body: patch("organization", orgActive), status: 404, after: stored(c, editor, "organization", "")},
		{name: "update_staff_name", as: coordinator, method: http.MethodPatch, url: recordURL(c, editor),
			body: patch("name", "Renamed"), status: 404, after: stored(c, editor, "name", "Editor E")},
		{name: "update_staff_role", as: superuser, method: http.MethodPatch, url: recordURL(c, editor),
			body: patch("role", "volunteer"), status: 200, after: stored(c, editor, "role", "volunteer")},
		{name: "update_other_volunteer_organization", as: coordinator, method: http.MethodPatch, url: recordURL(c, volunteerB),
			body: body(map[string]any{"role": "volunteer", "organization": orgActive}), status: 200,
			after: stored(c, volunteerB, "organization", orgActive)},
		{name: "update_other_aid_worker", as: coordinator, method: http.MethodPatch, url: recordURL(c, volunteerB),
			body: body(map[string]any{"role": "aid_worker", "organization": orgActive}), status: 200,
			after: stored(c, volunteerB, "role", "aid_worker")},
		// a person's face and language are theirs
		{name: "update_other_language", as: coordinator, method: http.MethodPatch, url: recordURL(c, volunteerB),
			body: patch("language", "en"), status: 404, after: stored(c, volunteerB, "language", "")},
		{name: "update_other_name_same_language", as: coordinator, method: http.MethodPatch, url: recordURL(c, volunteerB),
			body: body(map[string]any{"name": "B. Renamed", "language": ""}), status: 200,
			after: stored(c, volunteerB, "name", "B. Renamed")},
		{name: "update_self_language", as: coordinator, method: http.MethodPatch, url: recordURL(c, coordinator),
			body: patch("language", "ky"), status: 200, after: stored(c, coordinator, "language", "ky")},
		{name: "update_other_language", as: superuser, method: http.MethodPatch, url: recordURL(c, volunteerB),
			body: patch("language", "en"), status: 200, after: stored(c, volunteerB, "language", "en")},
		{name: "update_other_email", as: coordinator, method: http.MethodPatch, url: recordURL(c, volunteerB),
			body: patch("email", "takeover@example.org"), status: 404},
		// the address is hidden from the coordinator: its right guess is
		// refused like a wrong one (it answered 200, telling whose it is)
		{name: "update_other_email_right_guess", as: coordinator, method: http.MethodPatch, url: recordURL(c, volunteerB),
			body: body(map[string]any{"name": "B", "email": "volunteer.b@example.org"}), status: 404,
			after: stored(c, volunteerB, "name", "Volunteer B")},
		{name: "update_self_email_unchanged", as: coordinator, method: http.MethodPatch, url: recordURL(c, coordinator),
			body: body(map[string]any{"name": "C", "email": "coordinator@example.org"}), status: 200,
			after: stored(c, coordinator, "name", "C")},
		{name: "update_other_password", as: coordinator, method: http.MethodPatch, url: recordURL(c, volunteerB),
			body: body(map[string]any{"password": "new-password-1", "passwordConfirm": "new-password-1"}), status: 404},
		{name: "update_other_verified", as: coordinator, method: http.MethodPatch, url: recordURL(c, volunteerB),
			body: patch("verified", true), status: 404},
		{name: "update_other_role", as: superuser, method: http.MethodPatch, url: recordURL(c, volunteerB),
			body: patch("role", "coordinator"), status: 200, after: stored(c, volunteerB, "role", "coordinator")},
	}
	for _, as := range []string{"", volunteerA, volunteerB, coordinator, editor} {
		cases = append(cases, accessCase{name: "delete", as: as, method: http.MethodDelete,
			url: recordURL(c, volunteerB), status: 403})
	}
	// A reporter cannot be deleted while their reports exist (the relation
	// is required and does not cascade): the reports are the record.
	cases = append(cases, accessCase{name: "delete_reporter", as: superuser, method: http.MethodDelete,
		url: recordURL(c, volunteerB), status: 400})
	runAccess(t, cases)
}

// TestRules_UsersVisibleEmail: a coordinator who reads a user's address
// (its owner made it visible) may send it back unchanged with the rest of
// the record, and still not change it.
func TestRules_UsersVisibleEmail(t *testing.T) {
	visible := func(t testing.TB, app *tests.TestApp, _ *core.ServeEvent) {
		u, err := app.FindRecordById("users", volunteerB)
		if err != nil {
			t.Fatal(err)
		}
		u.SetEmailVisibility(true)
		if err := app.SaveNoValidate(u); err != nil {
			t.Fatal(err)
		}
	}
	for i, s := range []struct {
		email  string
		status int
	}{
		{"volunteer.b@example.org", 200},
		{"takeover@example.org", 404},
	} {
		sc := tests.ApiScenario{
			Name:            fmt.Sprintf("%d_%s", i, s.email),
			Method:          http.MethodPatch,
			URL:             recordURL("users", volunteerB),
			Body:            strings.NewReader(body(map[string]any{"name": "B", "email": s.email})),
			Headers:         map[string]string{"Authorization": tokenFor(t, coordinator)},
			TestAppFactory:  newFixtureApp,
			BeforeTestFunc:  visible,
			ExpectedStatus:  s.status,
			ExpectedContent: []string{map[int]string{200: `"email":"volunteer.b@example.org"`, 404: `"status":404`}[s.status]},
		}
		sc.Test(t)
	}
}

func urlQuery(s string) string {
	r := strings.NewReplacer(" ", "%20", "'", "%27", "=", "%3D", "&", "%26", "?", "%3F")
	return r.Replace(s)
}

// TestRules_NoLeaksThroughRelations: expand and filter follow relations into
// collections the caller may not read; PocketBase must apply the target's
// rules there too.
func TestRules_NoLeaksThroughRelations(t *testing.T) {
	userSecrets := []string{"@example.org", "Volunteer A", "Coordinator C", "Editor E"}
	reportSecrets := []string{secretDescription, secretPlace, secretNote}
	cases := []accessCase{
		{name: "expand_update_author_and_incidents", as: "", method: http.MethodGet,
			url: recordURL("updates", updatePublished) + "?expand=author,related_incidents", status: 200,
			want:  []string{`"related_incidents":["` + reportAVerified + `"]`},
			never: append(append([]string{`"expand":{"`}, userSecrets...), reportSecrets...)},
		{name: "expand_update_incidents", as: volunteerB, method: http.MethodGet,
			url: recordURL("updates", updatePublished) + "?expand=related_incidents", status: 200,
			never: reportSecrets},
		{name: "expand_fact_check_author", as: volunteerA, method: http.MethodGet,
			url: recordURL("fact_checks", factPublished) + "?expand=author", status: 200,
			never: userSecrets},
		{name: "expand_report_reporter", as: editor, method: http.MethodGet,
			url: recordURL("incident_reports", reportAVerified) + "?expand=reporter,verified_by", status: 200,
			never: userSecrets},
		// Queries that could link a report to its reporter are refused by
		// the privacy package for everyone but the reporter and superusers.
		{name: "filter_by_reporter_name", as: editor, method: http.MethodGet,
			url: recordsURL("incident_reports") + "?filter=" + urlQuery("reporter.name~'Volunteer A'"), status: 400,
			want: []string{forbiddenQuery}, never: []string{reportAVerified}},
		{name: "filter_by_reporter_name", as: coordinator, method: http.MethodGet,
			url:    recordsURL("incident_reports") + "?filter=" + urlQuery("anonymous=true && reporter.name~'Volunteer'"),
			status: 400, want: []string{forbiddenQuery}, never: []string{reportAVerified}},
		{name: "filter_by_reporter", as: coordinator, method: http.MethodGet,
			url: recordsURL("incident_reports") + "?filter=" + urlQuery("reporter='"+volunteerA+"'"), status: 400,
			want: []string{forbiddenQuery}, never: []string{reportAVerified}},
		{name: "sort_by_reporter", as: coordinator, method: http.MethodGet,
			url: recordsURL("incident_reports") + "?sort=reporter", status: 400,
			want: []string{forbiddenQuery}, never: []string{reportAVerified}},
		{name: "users_by_anonymous_reports", as: coordinator, method: http.MethodGet,
			url: recordsURL("users") + "?filter=" + urlQuery("incident_reports_via_reporter.anonymous?=true"), status: 400,
			want: []string{forbiddenQuery}, never: []string{volunteerA}},
		{name: "users_by_anonymous_reports", as: superuser, method: http.MethodGet,
			url: recordsURL("users") + "?filter=" + urlQuery("incident_reports_via_reporter.anonymous?=true"), status: 200,
			want: []string{listTotal(1), volunteerA}},
		{name: "users_expand_reports", as: coordinator, method: http.MethodGet,
			url: recordURL("users", volunteerA) + "?expand=incident_reports_via_reporter", status: 200,
			never: []string{reportAVerified, secretDescription}},
		{name: "unfiltered_list_keeps_anonymous", as: coordinator, method: http.MethodGet,
			url: recordsURL("incident_reports") + "?filter=" + urlQuery("anonymous=true"), status: 200,
			want: []string{listTotal(1), reportAVerified}, never: []string{`"reporter":"` + volunteerA}},
		{name: "own_anonymous_by_reporter", as: volunteerA, method: http.MethodGet,
			url: recordsURL("incident_reports") + "?filter=" + urlQuery("reporter='"+volunteerA+"'"), status: 200,
			want: []string{listTotal(3), reportAVerified}},
		{name: "expand_aid_request_related", as: volunteerB, method: http.MethodGet,
			url: recordURL("aid_requests", aidBOpen) + "?expand=requester,related_incident,assigned_org", status: 200,
			never: append([]string{"Volunteer A"}, reportSecrets...)},
	}
	runAccess(t, cases)
}

// TestRules_UpdatesRestOnVerifiedReports: an update may relate verified
// reports only (their ids become public with it).
func TestRules_UpdatesRestOnVerifiedReports(t *testing.T) {
	const c = "updates"
	newUpdate := func(related ...string) string {
		return body(map[string]any{"title": "New", "body": "Text", "language": "ru", "status": "draft",
			"author": editor, "related_incidents": related})
	}
	relate := func(related ...string) string { return body(map[string]any{"related_incidents": related}) }
	cases := []accessCase{
		{name: "create_verified", as: editor, method: http.MethodPost, url: recordsURL(c),
			body: newUpdate(reportAVerified), status: 200,
			want: []string{`"related_incidents":["` + reportAVerified + `"]`}},
		{name: "create_submitted", as: editor, method: http.MethodPost, url: recordsURL(c),
			body: newUpdate(reportASubmitted), status: 400},
		{name: "create_verified_and_submitted", as: editor, method: http.MethodPost, url: recordsURL(c),
			body: newUpdate(reportAVerified, reportBSubmitted), status: 400},
		{name: "create_submitted", as: superuser, method: http.MethodPost, url: recordsURL(c),
			body: newUpdate(reportASubmitted), status: 200},
		// judged by the workflow since 1795768300: what a write adds must
		// be verified, what it removes needs nothing
		{name: "update_add_submitted", as: editor, method: http.MethodPatch, url: recordURL(c, updatePublished),
			body: relate(reportAVerified, reportAInReview), status: 400,
			want: []string{`"related_incidents":{"code":"workflow_related_not_verified"`}},
		{name: "update_add_submitted_to_draft", as: editor, method: http.MethodPatch, url: recordURL(c, updateDraft),
			body: relate(reportAInReview), status: 400,
			want: []string{`"related_incidents":{"code":"workflow_related_not_verified"`}},
		{name: "update_add_missing", as: editor, method: http.MethodPatch, url: recordURL(c, updateDraft),
			body: relate("nosuchreport000"), status: 400,
			want: []string{`"related_incidents":{"code":"workflow_related_not_verified"`}},
		{name: "update_add_submitted_by_modifier", as: editor, method: http.MethodPatch, url: recordURL(c, updateDraft),
			body: body(map[string]any{"related_incidents+": []string{reportAInReview}}), status: 400,
			want: []string{`"related_incidents":{"code":"workflow_related_not_verified"`}},
		{name: "update_add_submitted_to_draft", as: superuser, method: http.MethodPatch, url: recordURL(c, updateDraft),
			body: relate(reportAInReview), status: 200},
		{name: "update_keep_verified", as: editor, method: http.MethodPatch, url: recordURL(c, updatePublished),
			body:   body(map[string]any{"title": "Retitled", "related_incidents": []string{reportAVerified}}),
			status: 200, after: stored(c, updatePublished, "title", "Retitled")},
		{name: "update_clear", as: editor, method: http.MethodPatch, url: recordURL(c, updatePublished),
			body: relate(), status: 200, want: []string{`"related_incidents":[]`}},
	}
	runAccess(t, cases)
}
