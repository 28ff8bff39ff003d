package syncapi_test

import (
	"net/http"
	"testing"
)

// The aid workers' refinements over sync
// (pb_migrations/1795767800_aid_worker_refinements.js, privacy.HiddenFields):
// a retired organization's aid workers' phones reset and lose its requests,
// an open request is acknowledged from the field, and a closed one is
// pulled without its notes and place.

// TestSync_RetiredOrganization: retiring an organization releases its
// requests in service (workflow/release.go): the coordinators' phones pull
// them open and unassigned, with no reset, and its aid workers' phones
// reset (view: the checkpoint's fingerprint resolves
// `@request.auth.organization.active`) and lose them. Nobody else's
// checkpoint resets. Re-activating gives the aid workers nothing back: the
// request is no longer assigned to them.
func TestSync_RetiredOrganization(t *testing.T) {
	en := assignedEnv(t)
	got, cpA := en.pullAll(memberA, "aid_requests", "")
	if len(got) != 1 || got[0].ID != assigned {
		t.Fatalf("member's pull: %+v", got)
	}
	rev := got[0].Rev
	_, cpB := en.pullAll(memberB, "aid_requests", "")
	_, cpV := en.pullAll(volunteerA, "aid_requests", "")
	_, cpC := en.pullAll(coordinator, "aid_requests", "")

	if code, body := en.do(superuser, http.MethodPatch, "/api/collections/organizations/records/"+orgOne,
		map[string]any{"active": false}); code != 200 {
		t.Fatalf("retire: %d %v", code, body)
	}
	if p := en.pull(memberA, "aid_requests", cpA, 0); !p.Reset || p.Reason != "view" || len(p.Changes) != 0 {
		t.Fatalf("a retired organization's member's pull: %+v", p)
	}
	got, cpRetired := en.pullAll(memberA, "aid_requests", "")
	if len(got) != 0 {
		t.Fatalf("a retired organization's member's fresh pull: %+v", got)
	}
	for who, cp := range map[string]string{memberB: cpB, volunteerA: cpV, coordinator: cpC} {
		if p := en.pull(who, "aid_requests", cp, 0); p.Reset {
			t.Fatalf("%s's view did not change, yet their pull reset: %+v", who, p)
		}
	}
	got, _ = en.pullAll(coordinator, "aid_requests", cpC)
	c := findChange(got, "aid_requests", assigned)
	if c == nil || c.Deleted || c.Rev != rev+1 || c.Record["status"] != "open" ||
		c.Record["assigned_org"] != "" || c.Record["acknowledged_at"] != "" {
		t.Fatalf("the coordinator's pull after the retirement: %+v", got)
	}
	res := en.push(memberA, "phone-m", mut{"id": "retired-1", "collection": "aid_requests", "recordId": assigned,
		"baseRev": rev, "data": map[string]any{"status": "in_progress"}})
	if res[0].Status != "rejected" || res[0].Error == nil || res[0].Error.Code != "sync_forbidden" {
		t.Fatalf("a retired organization's member's push: %+v", res[0])
	}

	en.setField("organizations", orgOne, "active", true)
	if p := en.pull(memberA, "aid_requests", cpRetired, 0); !p.Reset || p.Reason != "view" {
		t.Fatalf("a re-activated organization's member's pull: %+v", p)
	}
	if got, _ = en.pullAll(memberA, "aid_requests", ""); len(got) != 0 {
		t.Fatalf("a re-activated organization's member's fresh pull: %+v", got)
	}
	if r, err := en.app.FindRecordById("aid_requests", assigned); err != nil ||
		r.GetString("assigned_org") != "" || r.GetString("status") != "open" {
		t.Fatalf("re-activating assigned the request again: %v %v", r, err)
	}
}

// TestSync_AidWorkerAcknowledgesOpen: a request assigned while open is
// acknowledged, and its notes written, by a push of its organization's aid
// worker; not by another organization's, nor by its requester.
func TestSync_AidWorkerAcknowledgesOpen(t *testing.T) {
	en := assignedEnv(t)
	open := func(id string) {
		res := en.push(volunteerA, "phone-a", mut{"id": "create-" + id, "collection": "aid_requests", "recordId": id, "baseRev": nil,
			"data": map[string]any{"requester": volunteerA, "beneficiary_name": "Dilnoza", "contact_phone": "+992 900 777 888",
				"region": "sughd", "needs": []string{"food"}, "urgency": "critical"}})
		if res[0].Status != "applied" {
			t.Fatalf("create %s: %+v", id, res[0])
		}
		if code, body := en.do(coordinator, http.MethodPatch, "/api/collections/aid_requests/records/"+id,
			map[string]any{"assigned_org": orgOne}); code != 200 {
			t.Fatalf("assign %s: %d %v", id, code, body)
		}
	}
	const first, second = "aidopenassign01", "aidopenassign02"
	open(first)
	open(second)
	got, _ := en.pullAll(memberA, "aid_requests", "")
	if c := findChange(got, "aid_requests", first); c == nil || c.Record["status"] != "open" || c.Record["contact_phone"] != "+992 900 777 888" {
		t.Fatalf("member's pull: %+v", got)
	}
	rev := findChange(got, "aid_requests", first).Rev
	for i, as := range []string{memberB, volunteerA} {
		res := en.push(as, "phone-x"+itoa(i), mut{"id": "refused-" + itoa(i), "collection": "aid_requests", "recordId": first,
			"baseRev": rev, "data": map[string]any{"status": "acknowledged", "notes": "x"}})
		if res[0].Status != "rejected" || res[0].Error == nil || res[0].Error.Code != "sync_forbidden" {
			t.Fatalf("%s acknowledging: %+v", as, res[0])
		}
	}
	res := en.push(memberA, "phone-m", mut{"id": "notes-open", "collection": "aid_requests", "recordId": first, "baseRev": rev,
		"data": map[string]any{"notes": "Calling the family tonight."}})
	if res[0].Status != "applied" || res[0].Record["status"] != "open" || res[0].Record["notes"] != "Calling the family tonight." {
		t.Fatalf("member's notes while open: %+v", res[0])
	}
	res = en.push(memberA, "phone-m", mut{"id": "ack-open", "collection": "aid_requests", "recordId": first, "baseRev": res[0].Rev,
		"data": map[string]any{"status": "acknowledged"}})
	if res[0].Status != "applied" || res[0].Record["status"] != "acknowledged" || res[0].Record["acknowledged_at"] == "" {
		t.Fatalf("member's acknowledging: %+v", res[0])
	}
	res = en.push(memberA, "phone-m", mut{"id": "cancel", "collection": "aid_requests", "recordId": first, "baseRev": res[0].Rev,
		"data": map[string]any{"status": "cancelled"}})
	if res[0].Status != "rejected" || res[0].Error == nil || res[0].Error.Code != "sync_forbidden" {
		t.Fatalf("member's cancelling: %+v", res[0])
	}
	// the coordinators still acknowledge too
	got, _ = en.pullAll(coordinator, "aid_requests", "")
	res = en.push(coordinator, "phone-c", mut{"id": "ack-coord", "collection": "aid_requests", "recordId": second,
		"baseRev": findChange(got, "aid_requests", second).Rev, "data": map[string]any{"status": "acknowledged"}})
	if res[0].Status != "applied" || res[0].Record["status"] != "acknowledged" {
		t.Fatalf("coordinator's acknowledging: %+v", res[0])
	}
}

// TestSync_ClosedRequestWithoutNotesAndPlace: the member's phone pulls a
// handled request with its notes and place, and the closed one without
// them (nor the contact), in the next pull and in a fresh one; the
// coordinator's with them.
func TestSync_ClosedRequestWithoutNotesAndPlace(t *testing.T) {
	en := assignedEnv(t)
	const place, note = "Vorukh, house by the mosque", "Her son's number: +992 900 123 000"
	en.setField("aid_requests", assigned, "place", place)
	if code, body := en.do(coordinator, http.MethodPatch, "/api/collections/aid_requests/records/"+assigned,
		map[string]any{"notes": note}); code != 200 {
		t.Fatalf("notes: %d %v", code, body)
	}
	got, cp := en.pullAll(memberA, "aid_requests", "")
	if len(got) != 1 || got[0].Record["place"] != place || got[0].Record["notes"] != note {
		t.Fatalf("member's pull while handled: %+v", got)
	}
	for _, status := range []string{"fulfilled", "closed"} {
		if code, body := en.do(coordinator, http.MethodPatch, "/api/collections/aid_requests/records/"+assigned,
			map[string]any{"status": status}); code != 200 {
			t.Fatalf("%s: %d %v", status, code, body)
		}
	}
	next, _ := en.pullAll(memberA, "aid_requests", cp)
	fresh, _ := en.pullAll(memberA, "aid_requests", "")
	for name, pulled := range map[string][]change{"next": next, "fresh": fresh} {
		if len(pulled) != 1 || pulled[0].Record["status"] != "closed" || pulled[0].Record["needs"] == nil {
			t.Fatalf("member's %s pull after closing: %+v", name, pulled)
		}
		for _, field := range []string{"notes", "place", "contact_phone", "beneficiary_name", "location"} {
			if v, ok := pulled[0].Record[field]; ok {
				t.Fatalf("member's %s pull of the closed request carries %s = %v", name, field, v)
			}
		}
	}
	got, _ = en.pullAll(coordinator, "aid_requests", "")
	if c := findChange(got, "aid_requests", assigned); c == nil || c.Record["place"] != place || c.Record["notes"] != note {
		t.Fatalf("coordinator's pull after closing: %+v", c)
	}
}
