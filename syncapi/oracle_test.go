package syncapi_test

import (
	"fmt"
	"testing"
)

// Records of the oracle tests: volunteerA's anonymous report, a named one,
// and an aid request of volunteerA linked to the anonymous report.
const (
	anonReport  = "anonrep00000001"
	namedReport = "namedrep0000001"
	linkedAid   = "aidreq000000001"
)

// oracleEnv is an env holding volunteerA's anonymous report, named report
// and an aid request linked to the anonymous one.
func oracleEnv(t *testing.T) *env {
	en := newEnv(t)
	res := en.push(volunteerA, "device-a",
		createReport(anonReport, volunteerA, map[string]any{"anonymous": true}),
		createReport(namedReport, volunteerA, nil),
		mut{"id": "create-aid", "collection": "aid_requests", "recordId": linkedAid, "baseRev": nil,
			"data": map[string]any{"requester": volunteerA, "region": "sughd", "needs": []string{"food"}, "urgency": "high",
				"beneficiary_name": "Gulnora", "contact_phone": "+992 900 111 222", "related_incident": anonReport}})
	for _, r := range res {
		if r.Status != "applied" {
			t.Fatalf("setup: %+v", r)
		}
	}
	return en
}

// An edit that names a field hidden from the caller is refused whatever
// its value: answering a right guess "applied" (nothing to write) and a
// wrong one "rejected" or "conflict" would let a coordinator test, 500 a
// push, who filed an anonymous report or which report an aid request's
// hidden link names. Fields the caller sees merge as ever.
func TestPush_HiddenFieldsAnswerAlike(t *testing.T) {
	// baseRev 0: an edit of a record the device never pulled, compared
	// field by field with the record (createExisting)
	edit := func(collection, id string, data map[string]any) mut {
		return mut{"collection": collection, "recordId": id, "baseRev": 0, "data": data}
	}
	editAt1 := func(collection, id string, data map[string]any) mut {
		m := edit(collection, id, data)
		m["baseRev"] = 1
		return m
	}
	scenarios := []struct {
		name    string
		as      string
		muts    []mut
		status  string // every result's
		code    string
		wantRev int64 // the record's rev after, from a superuser's view
	}{
		{"coordinator guesses an anonymous reporter", coordinator, []mut{
			edit("incident_reports", anonReport, map[string]any{"reporter": volunteerB}),
			edit("incident_reports", anonReport, map[string]any{"reporter": editor}),
			edit("incident_reports", anonReport, map[string]any{"reporter": volunteerA}),
			editAt1("incident_reports", anonReport, map[string]any{"reporter": volunteerA, "status": "in_review"}),
		}, "rejected", "sync_forbidden", 1},
		{"coordinator guesses a hidden link", coordinator, []mut{
			edit("aid_requests", linkedAid, map[string]any{"related_incident": namedReport}),
			edit("aid_requests", linkedAid, map[string]any{"related_incident": anonReport}),
			edit("aid_requests", linkedAid, map[string]any{"related_incident": ""}),
			editAt1("aid_requests", linkedAid, map[string]any{"related_incident": anonReport, "notes": "call first"}),
		}, "rejected", "sync_forbidden", 1},
		{"volunteer guesses who verified its report", volunteerA, []mut{
			edit("incident_reports", namedReport, map[string]any{"verified_by": ""}),
			edit("incident_reports", namedReport, map[string]any{"verified_by": coordinator}),
		}, "rejected", "sync_forbidden", 1},
		{"the reporter names itself on its anonymous report", volunteerA, []mut{
			editAt1("incident_reports", anonReport, map[string]any{"reporter": volunteerA}),
		}, "applied", "", 2},
		{"a coordinator names the reporter it sees", coordinator, []mut{
			editAt1("incident_reports", namedReport, map[string]any{"reporter": volunteerA, "status": "in_review"}),
		}, "applied", "", 2},
	}
	for i, s := range scenarios {
		t.Run(fmt.Sprintf("%d_%s", i, s.name), func(t *testing.T) {
			en := oracleEnv(t)
			for j := range s.muts {
				s.muts[j]["id"] = fmt.Sprintf("guess-%d", j)
			}
			res := en.push(s.as, "device-"+s.as, s.muts...)
			for j, r := range res {
				code := ""
				if r.Error != nil {
					code = r.Error.Code
				}
				if r.Status != s.status || code != s.code {
					t.Fatalf("mutation %d (%v): %s %s, want %s %s", j, s.muts[j]["data"], r.Status, code, s.status, s.code)
				}
			}
			collection, id := s.muts[0]["collection"].(string), s.muts[0]["recordId"].(string)
			changes, _ := en.pullAll(superuser, collection, "")
			if c := findChange(changes, collection, id); c == nil || c.Rev != s.wantRev {
				t.Fatalf("%s after the guesses: %+v, want rev %d", id, c, s.wantRev)
			}
		})
	}
}
