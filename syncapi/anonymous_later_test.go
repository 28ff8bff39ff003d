package syncapi_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// A reporter who hides their name after review started (any status,
// pb_migrations/1795767420_anonymous_at_any_status.js) does it from the
// phone's queue too, and the coordinators' synced copies follow: their next
// pull carries the report without its reporter, and the reporter's own
// pull still names them.
func TestPush_AnonymousAfterReview(t *testing.T) {
	en := newEnv(t)
	en.push(volunteerA, "device-a", createReport(reportA, volunteerA, nil))
	verify(t, en, reportA)

	all, cp := en.pullAll(coordinator, "incident_reports", "")
	if ch := findChange(all, "incident_reports", reportA); ch == nil || ch.Record["reporter"] != volunteerA {
		t.Fatalf("coordinator's pull before: %+v", ch)
	}
	head := findChange(all, "incident_reports", reportA).Rev

	// back to false is refused once out of submitted, and so is another
	// field beside it
	res := en.push(volunteerA, "device-a",
		mut{"id": "anon-1", "collection": "incident_reports", "recordId": reportA, "baseRev": head,
			"data": map[string]any{"anonymous": true, "description": "Rewritten after review."}},
		mut{"id": "anon-2", "collection": "incident_reports", "recordId": reportA, "baseRev": head,
			"data": map[string]any{"anonymous": true}},
		mut{"id": "anon-3", "collection": "incident_reports", "recordId": reportA, "baseRev": head + 1,
			"data": map[string]any{"anonymous": false}},
	)
	if res[0].Status != "rejected" || res[0].Error == nil || res[0].Error.Code != "sync_forbidden" {
		t.Fatalf("anonymous with a description: %+v", res[0])
	}
	if res[1].Status != "applied" || res[1].Record["anonymous"] != true || res[1].Record["reporter"] != volunteerA {
		t.Fatalf("anonymous of a verified report: %+v", res[1])
	}
	if res[2].Status != "rejected" || res[2].Error == nil || res[2].Error.Code != "sync_forbidden" {
		t.Fatalf("back to false: %+v", res[2])
	}
	stored, err := en.app.FindRecordById("incident_reports", reportA)
	if err != nil {
		t.Fatal(err)
	}
	if !stored.GetBool("anonymous") || stored.GetString("description") == "Rewritten after review." {
		t.Fatalf("stored: anonymous %v, description %q", stored.GetBool("anonymous"), stored.GetString("description"))
	}

	changes, _ := en.pullAll(coordinator, "incident_reports", cp)
	ch := findChange(changes, "incident_reports", reportA)
	if ch == nil || ch.Deleted || ch.Record["anonymous"] != true {
		t.Fatalf("coordinator's pull after: %+v", ch)
	}
	if _, named := ch.Record["reporter"]; named {
		t.Fatalf("coordinator's pull names the reporter: %+v", ch.Record)
	}
	if initial, _ := en.pullAll(coordinator, "incident_reports", ""); findChange(initial, "incident_reports", reportA).Record["reporter"] != nil {
		t.Fatalf("coordinator's initial pull names the reporter")
	}
	if code, body := en.do(coordinator, http.MethodGet, "/api/collections/incident_reports/records/"+reportA, nil); code != 200 || body["reporter"] != nil {
		t.Fatalf("coordinator's view: %d %v", code, body)
	}
	// nor does the report's history (the create and the change were the
	// reporter's)
	code, hist := en.do(coordinator, http.MethodGet,
		"/api/collections/record_history/records?filter=record_id%3D%27"+reportA+"%27", nil)
	raw, _ := json.Marshal(hist)
	if code != 200 || hist["totalItems"] != float64(4) || strings.Contains(string(raw), volunteerA) {
		t.Fatalf("coordinator's history: %d %s", code, raw)
	}
	mine, _ := en.pullAll(volunteerA, "incident_reports", "")
	if ch := findChange(mine, "incident_reports", reportA); ch == nil || ch.Record["reporter"] != volunteerA {
		t.Fatalf("reporter's own pull: %+v", ch)
	}
}

// An aid request's link to a report is hidden from coordinators while the
// report is anonymous (privacy.LinkHidden): requester plus link name the
// reporter. A report made anonymous after the coordinators' phones pulled
// its aid requests left them holding the link, since nothing wrote the
// requests again. Making the report anonymous now logs every request that
// links it again, with no fields and no actor (the reporter's name beside
// them would say who filed the report), so the coordinators' next pull
// carries them without the link.
func TestPush_AnonymousLaterResendsLinkedAid(t *testing.T) {
	const aid, other = "aidlinkednamed1", "aidunlinked0001"
	en := newEnv(t)
	aidOf := func(id, linked string) mut {
		return mut{"id": "create-" + id, "collection": "aid_requests", "recordId": id, "baseRev": nil,
			"data": map[string]any{"requester": volunteerA, "region": "sughd", "needs": []string{"food"},
				"urgency": "high", "beneficiary_name": "Gulnora", "contact_phone": "+992 900 111 222",
				"related_incident": linked}}
	}
	for _, r := range en.push(volunteerA, "device-a", createReport(namedReport, volunteerA, nil),
		aidOf(aid, namedReport), aidOf(other, "")) {
		if r.Status != "applied" {
			t.Fatalf("setup: %+v", r)
		}
	}
	before, cp := en.pullAll(coordinator, "aid_requests", "")
	if ch := findChange(before, "aid_requests", aid); ch == nil || ch.Record["related_incident"] != namedReport {
		t.Fatalf("coordinator's pull before: %+v", ch)
	}
	_, mineCP := en.pullAll(volunteerA, "aid_requests", "")

	res := en.push(volunteerA, "device-a", mut{"id": "anon", "collection": "incident_reports",
		"recordId": namedReport, "baseRev": 1, "data": map[string]any{"anonymous": true}})
	if res[0].Status != "applied" {
		t.Fatalf("anonymous: %+v", res[0])
	}

	after, _ := en.pullAll(coordinator, "aid_requests", cp)
	ch := findChange(after, "aid_requests", aid)
	if ch == nil || ch.Deleted {
		t.Fatalf("the linked request was not sent again: %+v", after)
	}
	if _, linked := ch.Record["related_incident"]; linked || ch.Rev != 2 {
		t.Fatalf("coordinator's pull after: rev %d, %+v", ch.Rev, ch.Record)
	}
	if findChange(after, "aid_requests", other) != nil {
		t.Fatalf("a request that links nothing was sent again")
	}
	// its requester still reads the link
	mine, _ := en.pullAll(volunteerA, "aid_requests", mineCP)
	if ch := findChange(mine, "aid_requests", aid); ch == nil || ch.Record["related_incident"] != namedReport {
		t.Fatalf("requester's pull after: %+v", ch)
	}
	// the request's history names nobody for it
	code, hist := en.do(superuser, http.MethodGet,
		"/api/collections/record_history/records?sort=-seq&filter=record_id%3D%27"+aid+"%27", nil)
	items, _ := hist["items"].([]any)
	if code != 200 || len(items) != 2 {
		t.Fatalf("history: %d %v", code, hist)
	}
	last := items[0].(map[string]any)
	if last["actor"] != "" || last["rev"] != float64(2) || !strings.Contains(fmt.Sprint(last["fields"]), "[]") {
		t.Fatalf("the re-logged row: %v", last)
	}
}
