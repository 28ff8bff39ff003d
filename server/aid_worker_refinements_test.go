package server_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
)

// The aid workers' refinements (pb_migrations/1795767800_aid_worker_refinements.js
// and privacy.HiddenFields): a retired organization's aid workers read and
// write nothing of its requests; a request assigned while open is
// acknowledged, and its notes written, by them; a closed or cancelled one
// no longer shows them its notes and place.
const (
	aidOpenAssigned      = "aidaopenassign1" // volunteerA's, assigned to orgActive, open
	aidCancelledAssigned = "aidacancelled01" // volunteerA's, assigned to orgActive, cancelled

	secretPlaceOpen      = "SECRET-PLACE-OPEN"
	secretPlaceWorking   = "SECRET-PLACE-WORKING"
	secretNoteWorking    = "SECRET-NOTE-WORKING"
	secretPlaceClosed    = "SECRET-PLACE-CLOSED"
	secretNoteClosed     = "SECRET-NOTE-CLOSED call +992 900 000 099"
	secretPlaceCancelled = "SECRET-PLACE-CANCELLED"
	secretNoteCancelled  = "SECRET-NOTE-CANCELLED"
)

// newRefinedApp is newAssignedApp plus an open and a cancelled request
// assigned to orgActive, and places and notes on its requests.
func newRefinedApp(t testing.TB) *tests.TestApp {
	app := newAssignedApp(t)
	if err := seedRefined(app); err != nil {
		t.Fatalf("seed: %v", err)
	}
	return app
}

func seedRefined(app core.App) error {
	return app.RunInTransaction(func(tx core.App) error {
		for _, r := range []fixtureRecord{
			{"aid_requests", aidOpenAssigned, map[string]any{
				"requester": volunteerA, "beneficiary_name": "Open beneficiary", "contact_phone": "+992900000055",
				"region": "sughd", "place": secretPlaceOpen, "needs": []string{"food"}, "urgency": "critical",
				"status": "open", "assigned_org": orgActive,
			}},
			{"aid_requests", aidCancelledAssigned, map[string]any{
				"requester": volunteerA, "region": "sughd", "place": secretPlaceCancelled, "notes": secretNoteCancelled,
				"needs": []string{"shelter"}, "urgency": "normal", "status": "cancelled",
				"acknowledged_at": "2026-11-20 08:30:00.000Z", "assigned_org": orgActive,
			}},
		} {
			if err := saveRecord(tx, r); err != nil {
				return err
			}
		}
		// recorded before the acknowledgement an aid worker makes offline
		// (an earlier one is raised to the creation)
		if _, err := tx.DB().NewQuery("UPDATE aid_requests SET created = '2026-10-30 08:00:00.000Z' WHERE id = {:id}").
			Bind(map[string]any{"id": aidOpenAssigned}).Execute(); err != nil {
			return err
		}
		for id, fields := range map[string]map[string]any{
			aidWorking: {"place": secretPlaceWorking, "notes": secretNoteWorking},
			aidClosed:  {"place": secretPlaceClosed, "notes": secretNoteClosed, "people_count": 7},
		} {
			r, err := tx.FindRecordById("aid_requests", id)
			if err != nil {
				return err
			}
			r.Load(fields)
			if err := tx.SaveNoValidate(r); err != nil {
				return err
			}
		}
		return nil
	})
}

// setOrgActive retires (false) or re-activates orgActive as a coordinator
// or an operator would, through the workflow's checks.
func setOrgActive(t testing.TB, app core.App, active bool) {
	t.Helper()
	org, err := app.FindRecordById("organizations", orgActive)
	if err != nil {
		t.Fatal(err)
	}
	org.Set("active", active)
	if err := app.Save(org); err != nil {
		t.Fatalf("organization active=%v: %v", active, err)
	}
}

// newRetiredApp retires orgActive, which releases its requests in service
// (workflow/release_test.go), and then assigns them to it again as they
// were, around the hooks, as a row written by hand (or left by a retirement
// before releases existed) would be: the rules keep a retired
// organization's aid workers off every request that names it, whatever its
// status.
func newRetiredApp(t testing.TB) *tests.TestApp {
	app := newRefinedApp(t)
	inService, err := app.FindAllRecords("aid_requests", dbx.HashExp{"assigned_org": orgActive,
		"status": []any{"open", "acknowledged", "in_progress"}})
	if err != nil {
		t.Fatal(err)
	}
	setOrgActive(t, app, false)
	for _, r := range inService {
		if err := app.SaveNoValidate(r); err != nil {
			t.Fatal(err)
		}
	}
	return app
}

func newReactivatedApp(t testing.TB) *tests.TestApp {
	app := newRetiredApp(t)
	setOrgActive(t, app, true)
	return app
}

var refinedSecrets = []string{
	secretBenefWorking, secretPhoneWorking, secretPlaceWorking, secretNoteWorking, secretPlaceOpen,
	secretBenefClosed, secretPhoneClosed, secretPlaceClosed, secretNoteClosed, secretPlaceCancelled, secretNoteCancelled,
}

// TestRules_RetiredOrganization: once its organization is retired
// (organizations.active = false), an aid worker reads and writes nothing of
// the requests assigned to it, as a volunteer; the requester and the
// coordinators keep theirs; re-activating gives the access back.
func TestRules_RetiredOrganization(t *testing.T) {
	const c = "aid_requests"
	list, working := recordsURL(c), recordURL(c, aidWorking)
	runAssignedOn(t, newRetiredApp, []accessCase{
		{name: "list", as: memberA, method: http.MethodGet, url: list, status: 200,
			want: []string{listTotal(0)}, never: refinedSecrets},
		{name: "view_working", as: memberA, method: http.MethodGet, url: working, status: 404, never: refinedSecrets},
		{name: "view_open", as: memberA, method: http.MethodGet, url: recordURL(c, aidOpenAssigned), status: 404},
		{name: "view_closed", as: memberA, method: http.MethodGet, url: recordURL(c, aidClosed), status: 404},
		{name: "start", as: memberA, method: http.MethodPatch, url: working,
			body: body(map[string]any{"status": "in_progress"}), status: 404, after: stored(c, aidWorking, "status", "acknowledged")},
		{name: "notes", as: memberA, method: http.MethodPatch, url: working,
			body: body(map[string]any{"notes": "still here"}), status: 404, after: stored(c, aidWorking, "notes", secretNoteWorking)},
		{name: "acknowledge_open", as: memberA, method: http.MethodPatch, url: recordURL(c, aidOpenAssigned),
			body: body(map[string]any{"status": "acknowledged"}), status: 404, after: stored(c, aidOpenAssigned, "status", "open")},
		// the rest of the organization's world is unchanged
		{name: "list", as: memberB, method: http.MethodGet, url: list, status: 200, want: []string{listTotal(0)}},
		{name: "view_working_own", as: volunteerA, method: http.MethodGet, url: working, status: 200,
			want: []string{secretPhoneWorking, secretNoteWorking}},
		{name: "view_working", as: coordinator, method: http.MethodGet, url: working, status: 200,
			want: []string{secretPhoneWorking, secretNoteWorking}},
		{name: "start", as: coordinator, method: http.MethodPatch, url: working,
			body: body(map[string]any{"status": "in_progress"}), status: 200, after: stored(c, aidWorking, "status", "in_progress")},
	})
	runAssignedOn(t, newReactivatedApp, []accessCase{
		{name: "list_reactivated", as: memberA, method: http.MethodGet, url: list, status: 200,
			want: []string{listTotal(4), aidWorking, aidOpenAssigned, aidClosed, aidCancelledAssigned, secretPhoneWorking}},
		{name: "start_reactivated", as: memberA, method: http.MethodPatch, url: working,
			body: body(map[string]any{"status": "in_progress"}), status: 200, after: stored(c, aidWorking, "status", "in_progress")},
	})
}

// TestRules_AidWorkerOnOpenRequest: a request assigned while still open is
// acknowledged by the organization's aid workers (the workflow stamps
// acknowledged_at), who write its notes then too; never more.
func TestRules_AidWorkerOnOpenRequest(t *testing.T) {
	const c = "aid_requests"
	open := recordURL(c, aidOpenAssigned)
	patch := func(fields map[string]any) string { return body(fields) }
	acknowledged := func(t testing.TB, app *tests.TestApp) {
		t.Helper()
		stored(c, aidOpenAssigned, "status", "acknowledged")(t, app)
		if fieldOf(t, app, c, aidOpenAssigned, "acknowledged_at") == "" {
			t.Fatal("acknowledged_at was not stamped")
		}
	}
	stillOpen := stored(c, aidOpenAssigned, "status", "open")
	runAssignedOn(t, newRefinedApp, []accessCase{
		{name: "view_open", as: memberA, method: http.MethodGet, url: open, status: 200,
			want: []string{`"status":"open"`, "+992900000055", secretPlaceOpen}},
		{name: "acknowledge", as: memberA, method: http.MethodPatch, url: open,
			body: patch(map[string]any{"status": "acknowledged"}), status: 200,
			want: []string{`"status":"acknowledged"`}, after: acknowledged},
		{name: "acknowledge_with_notes", as: memberA, method: http.MethodPatch, url: open,
			body: patch(map[string]any{"status": "acknowledged", "notes": memberNote}), status: 200,
			after: func(t testing.TB, app *tests.TestApp) {
				acknowledged(t, app)
				stored(c, aidOpenAssigned, "notes", memberNote)(t, app)
			}},
		// a phone resends the empty acknowledged_at it read: the workflow stamps it
		{name: "acknowledge_resending_empty_time", as: memberA, method: http.MethodPatch, url: open,
			body: patch(map[string]any{"status": "acknowledged", "acknowledged_at": "", "place": secretPlaceOpen}), status: 200,
			after: acknowledged},
		{name: "notes_while_open", as: memberA, method: http.MethodPatch, url: open,
			body: patch(map[string]any{"notes": memberNote}), status: 200,
			after: func(t testing.TB, app *tests.TestApp) {
				stillOpen(t, app)
				stored(c, aidOpenAssigned, "notes", memberNote)(t, app)
			}},
		// the workflow: nothing is in progress or fulfilled before it was acknowledged
		{name: "start_from_open", as: memberA, method: http.MethodPatch, url: open,
			body: patch(map[string]any{"status": "in_progress"}), status: 400,
			want: []string{`"workflow_invalid_transition"`}, after: stillOpen},
		{name: "fulfil_from_open", as: memberA, method: http.MethodPatch, url: open,
			body: patch(map[string]any{"status": "fulfilled"}), status: 400, after: stillOpen},
		// what stays the coordinators'
		{name: "cancel", as: memberA, method: http.MethodPatch, url: open,
			body: patch(map[string]any{"status": "cancelled"}), status: 404, after: stillOpen},
		{name: "close", as: memberA, method: http.MethodPatch, url: open,
			body: patch(map[string]any{"status": "closed"}), status: 404, after: stillOpen},
		{name: "reassign", as: memberA, method: http.MethodPatch, url: open,
			body: patch(map[string]any{"assigned_org": orgSecond}), status: 404, after: stored(c, aidOpenAssigned, "assigned_org", orgActive)},
		{name: "unassign", as: memberA, method: http.MethodPatch, url: open,
			body: patch(map[string]any{"assigned_org": "", "status": "acknowledged"}), status: 404, after: stillOpen},
		// the acknowledgement carries the time it was made on a phone offline then
		{name: "acknowledge_offline_time", as: memberA, method: http.MethodPatch, url: open,
			body: patch(map[string]any{"status": "acknowledged", "acknowledged_at": "2026-11-01 08:00:00.000Z"}), status: 200,
			after: func(t testing.TB, app *tests.TestApp) {
				stored(c, aidOpenAssigned, "status", "acknowledged")(t, app)
				stored(c, aidOpenAssigned, "acknowledged_at", "2026-11-01 08:00:00.000Z")(t, app)
			}},
		// but no other write of theirs sets it
		{name: "acknowledged_at_without_acknowledging", as: memberA, method: http.MethodPatch, url: open,
			body: patch(map[string]any{"notes": memberNote, "acknowledged_at": "2026-11-01 08:00:00.000Z"}), status: 404,
			after: stored(c, aidOpenAssigned, "acknowledged_at", "")},
		{name: "content", as: memberA, method: http.MethodPatch, url: open,
			body: patch(map[string]any{"place": "elsewhere"}), status: 404, after: stored(c, aidOpenAssigned, "place", secretPlaceOpen)},
		// an open request not assigned to their organization
		{name: "acknowledge_unassigned", as: memberA, method: http.MethodPatch, url: recordURL(c, aidAOpen),
			body: patch(map[string]any{"status": "acknowledged"}), status: 404, after: stored(c, aidAOpen, "status", "open")},
		// nobody else gains anything
		{name: "acknowledge", as: memberB, method: http.MethodPatch, url: open,
			body: patch(map[string]any{"status": "acknowledged"}), status: 404, after: stillOpen},
		{name: "notes", as: memberB, method: http.MethodPatch, url: open,
			body: patch(map[string]any{"notes": "x"}), status: 404},
		{name: "acknowledge", as: orgVolunt, method: http.MethodPatch, url: open,
			body: patch(map[string]any{"status": "acknowledged"}), status: 404, after: stillOpen},
		{name: "acknowledge_own", as: volunteerA, method: http.MethodPatch, url: open,
			body: patch(map[string]any{"status": "acknowledged"}), status: 404, after: stillOpen},
		{name: "notes_own", as: volunteerA, method: http.MethodPatch, url: open,
			body: patch(map[string]any{"notes": "x"}), status: 404},
		{name: "acknowledge", as: volunteerB, method: http.MethodPatch, url: open,
			body: patch(map[string]any{"status": "acknowledged"}), status: 404},
		{name: "acknowledge", as: editor, method: http.MethodPatch, url: open,
			body: patch(map[string]any{"status": "acknowledged"}), status: 404},
		{name: "acknowledge", as: "", method: http.MethodPatch, url: open,
			body: patch(map[string]any{"status": "acknowledged"}), status: 404},
		{name: "acknowledge", as: coordinator, method: http.MethodPatch, url: open,
			body: patch(map[string]any{"status": "acknowledged"}), status: 200, after: acknowledged},
		{name: "cancel", as: coordinator, method: http.MethodPatch, url: open,
			body: patch(map[string]any{"status": "cancelled"}), status: 200, after: stored(c, aidOpenAssigned, "status", "cancelled")},
	})
}

// TestRules_AidWorkerAfterClosing: once a request is closed or cancelled,
// its organization's aid workers keep what was needed and done, not the
// notes (they may hold a phone someone typed) nor the place (where the
// person lives); nor may they filter or sort by them.
func TestRules_AidWorkerAfterClosing(t *testing.T) {
	const c = "aid_requests"
	list, closed, cancelled := recordsURL(c), recordURL(c, aidClosed), recordURL(c, aidCancelledAssigned)
	query := func(q string) string { return list + "?" + q }
	filtered := func(filter string) string { return query("filter=" + url.QueryEscape(filter)) }
	done := []string{secretPlaceClosed, secretNoteClosed, secretPlaceCancelled, secretNoteCancelled,
		secretBenefClosed, secretPhoneClosed}
	forbidden := []string{`"privacy_forbidden_query_field"`}
	runAssignedOn(t, newRefinedApp, []accessCase{
		{name: "view_closed", as: memberA, method: http.MethodGet, url: closed, status: 200,
			want:  []string{`"status":"closed"`, `"needs":["water"]`, `"people_count":7`, `"urgency":"high"`, `"region":"sughd"`, `"acknowledged_at":"2026-11-20`},
			never: append([]string{`"notes"`, `"place"`, `"location"`}, done...)},
		{name: "view_cancelled", as: memberA, method: http.MethodGet, url: cancelled, status: 200,
			want: []string{`"status":"cancelled"`, `"needs":["shelter"]`}, never: append([]string{`"notes"`, `"place"`}, done...)},
		{name: "list", as: memberA, method: http.MethodGet, url: list, status: 200,
			want:  []string{listTotal(4), secretPlaceWorking, secretNoteWorking, secretPlaceOpen},
			never: done},
		{name: "view_working", as: memberA, method: http.MethodGet, url: recordURL(c, aidWorking), status: 200,
			want: []string{secretPlaceWorking, secretNoteWorking}},
		{name: "filter_notes", as: memberA, method: http.MethodGet, url: filtered("notes ~ 'SECRET'"), status: 400, want: forbidden},
		{name: "filter_place", as: memberA, method: http.MethodGet, url: filtered("place = '" + secretPlaceClosed + "'"), status: 400, want: forbidden},
		{name: "filter_place_in_group", as: memberA, method: http.MethodGet, url: filtered("(status = 'closed' && place ~ 'CLOSED')"), status: 400, want: forbidden},
		{name: "sort_notes", as: memberA, method: http.MethodGet, url: query("sort=notes"), status: 400, want: forbidden},
		{name: "sort_place", as: memberA, method: http.MethodGet, url: query("sort=-place"), status: 400, want: forbidden},
		{name: "filter_needs", as: memberA, method: http.MethodGet, url: filtered("needs ~ 'water'"), status: 200,
			want: []string{aidClosed}, never: done},
		// everyone else sees what they saw
		{name: "view_closed_own", as: volunteerA, method: http.MethodGet, url: closed, status: 200,
			want: []string{secretPlaceClosed, secretNoteClosed, secretPhoneClosed}},
		{name: "filter_place_own", as: volunteerA, method: http.MethodGet, url: filtered("place = '" + secretPlaceClosed + "'"), status: 200,
			want: []string{listTotal(1), aidClosed}},
		{name: "view_closed", as: coordinator, method: http.MethodGet, url: closed, status: 200,
			want: []string{secretPlaceClosed, secretNoteClosed}},
		{name: "filter_notes", as: coordinator, method: http.MethodGet, url: filtered("notes ~ 'SECRET-NOTE-CLOSED'"), status: 200,
			want: []string{listTotal(1), aidClosed}},
		{name: "view_cancelled", as: superuser, method: http.MethodGet, url: cancelled, status: 200,
			want: []string{secretPlaceCancelled, secretNoteCancelled}},
		{name: "view_closed", as: memberB, method: http.MethodGet, url: closed, status: 404, never: done},
		{name: "view_closed", as: orgVolunt, method: http.MethodGet, url: closed, status: 404, never: done},
	})
}
