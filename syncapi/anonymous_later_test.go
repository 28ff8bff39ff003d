package syncapi_test

import (
	"encoding/json"
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
