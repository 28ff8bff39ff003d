package syncapi_test

import (
	"net/http"
	"testing"

	"github.com/pocketbase/pocketbase/core"
)

// The organization an aid request is assigned to, over sync: its aid
// workers' phones (role aid_worker; "members" below) pull the request with
// the contact while it is handled, push its progress, and lose it when it
// is reassigned or they move to another organization.
const (
	orgOne   = "orgone000000001"
	orgTwo   = "orgtwo000000001"
	memberA  = "membera00000001"
	memberB  = "memberb00000001"
	assigned = "aidassigned0001"
)

// assignedEnv: one aid worker in each of two organizations, and volunteerA's
// acknowledged aid request, linked to volunteerA's anonymous report, assigned
// to orgOne.
func assignedEnv(t *testing.T) *env {
	en := oracleEnv(t) // anonReport, namedReport, linkedAid of volunteerA
	for _, id := range []string{orgOne, orgTwo} {
		org := core.NewRecord(mustCollection(t, en.app, "organizations"))
		org.Id = id
		org.Set("name", id)
		org.Set("active", true)
		if err := en.app.Save(org); err != nil {
			t.Fatal(err)
		}
	}
	en.tokens[memberA] = en.saveUser(memberA, "aid_worker")
	en.tokens[memberB] = en.saveUser(memberB, "aid_worker")
	en.setField("users", memberA, "organization", orgOne)
	en.setField("users", memberB, "organization", orgTwo)
	acknowledgedAid(en, assigned)
	for field, value := range map[string]any{"assigned_org": orgOne, "related_incident": anonReport} {
		if code, body := en.do(coordinator, http.MethodPatch, "/api/collections/aid_requests/records/"+assigned,
			map[string]any{field: value}); code != 200 {
			t.Fatalf("assign: %d %v", code, body)
		}
	}
	return en
}

func TestSync_AssignedOrganization(t *testing.T) {
	en := assignedEnv(t)

	// the member's phone gets the request, with whom to call, never the link
	got, cpA := en.pullAll(memberA, "aid_requests", "")
	if len(got) != 1 || got[0].ID != assigned {
		t.Fatalf("member's pull: %+v", got)
	}
	if r := got[0].Record; r["contact_phone"] != "+992 900 555 666" || r["beneficiary_name"] != "Zarina" || r["related_incident"] != nil {
		t.Fatalf("member's copy: %v", r)
	}
	if other, _ := en.pullAll(memberB, "aid_requests", ""); len(other) != 0 {
		t.Fatalf("other organization's pull: %+v", other)
	}
	_, cpB := en.pullAll(memberB, "aid_requests", "")

	// progress from the field
	rev := got[0].Rev
	res := en.push(memberA, "phone-m", mut{"id": "m-1", "collection": "aid_requests", "recordId": assigned, "baseRev": rev,
		"data": map[string]any{"status": "in_progress", "notes": "On our way."}})
	if res[0].Status != "applied" || res[0].Record["status"] != "in_progress" || res[0].Record["related_incident"] != nil {
		t.Fatalf("member's progress: %+v", res[0])
	}
	// closing stays the coordinators'; naming the hidden link is refused,
	// right guess or wrong, alike
	for i, data := range []map[string]any{
		{"status": "closed"},
		{"related_incident": anonReport},
		{"related_incident": namedReport},
		{"assigned_org": orgTwo},
	} {
		res := en.push(memberA, "phone-m", mut{"id": "m-refused-" + itoa(i), "collection": "aid_requests", "recordId": assigned,
			"baseRev": res[0].Rev, "data": data})
		if res[0].Status != "rejected" || res[0].Error == nil || res[0].Error.Code != "sync_forbidden" ||
			res[0].Record["related_incident"] != nil {
			t.Fatalf("refused %v: %+v %+v", data, res[0], res[0].Error)
		}
	}

	// reassigned: a tombstone for the first organization, the record for the second
	if code, body := en.do(coordinator, http.MethodPatch, "/api/collections/aid_requests/records/"+assigned,
		map[string]any{"assigned_org": orgTwo}); code != 200 {
		t.Fatalf("reassign: %d %v", code, body)
	}
	if got, _ := en.pullAll(memberA, "aid_requests", cpA); len(got) != 1 || !got[0].Deleted || got[0].Record != nil {
		t.Fatalf("member A after reassigning: %+v", got)
	}
	if got, _ := en.pullAll(memberB, "aid_requests", cpB); len(got) != 1 || got[0].Deleted || got[0].Record["contact_phone"] != "+992 900 555 666" {
		t.Fatalf("member B after reassigning: %+v", got)
	}

	// closed: the second organization keeps the record, not the contact
	if code, body := en.do(coordinator, http.MethodPatch, "/api/collections/aid_requests/records/"+assigned,
		map[string]any{"status": "fulfilled"}); code != 200 {
		t.Fatalf("fulfil: %d %v", code, body)
	}
	if code, body := en.do(coordinator, http.MethodPatch, "/api/collections/aid_requests/records/"+assigned,
		map[string]any{"status": "closed"}); code != 200 {
		t.Fatalf("close: %d %v", code, body)
	}
	got, cpB = en.pullAll(memberB, "aid_requests", "")
	if len(got) != 1 || got[0].Record["status"] != "closed" || got[0].Record["contact_phone"] != nil || got[0].Record["beneficiary_name"] != nil {
		t.Fatalf("member B after closing: %+v", got)
	}

	// leaving the organization resets the phone's view
	if code, body := en.do(coordinator, http.MethodPatch, "/api/collections/users/records/"+memberB,
		map[string]any{"organization": orgOne}); code != 200 {
		t.Fatalf("move member: %d %v", code, body)
	}
	u, err := en.app.FindRecordById("users", memberB)
	if err != nil {
		t.Fatal(err)
	}
	if en.tokens[memberB], err = u.NewAuthToken(); err != nil {
		t.Fatal(err)
	}
	if p := en.pull(memberB, "aid_requests", cpB, 0); !p.Reset || p.Reason != "view" || len(p.Changes) != 0 {
		t.Fatalf("moved member's pull: %+v", p)
	}
	if got, _ := en.pullAll(memberB, "aid_requests", ""); len(got) != 0 {
		t.Fatalf("moved member's fresh pull: %+v", got)
	}
}
