package syncapi_test

import (
	"net/http"
	"testing"
)

// TestPush_EditOfADeletedRecordNeverShown: an edit naming the id of a
// record the caller was never shown, deleted since, is answered as one of
// an id never used: "conflict, deleted at rev N" would tell that the
// record existed and how often it was written. Its reporter's edit, and
// a coordinator's, are still conflicts of a deleted record.
func TestPush_EditOfADeletedRecordNeverShown(t *testing.T) {
	en := newEnv(t)
	en.push(volunteerA, "device-a", createReport(reportA, volunteerA, nil))
	if code, b := en.do(coordinator, http.MethodPatch, "/api/collections/incident_reports/records/"+reportA,
		map[string]any{"verification_note": "Called the district office."}); code != 200 {
		t.Fatalf("coordinator patch: %d %v", code, b)
	}
	if code, b := en.do(superuser, http.MethodDelete, "/api/collections/incident_reports/records/"+reportA, nil); code != 204 {
		t.Fatalf("delete: %d %v", code, b)
	}
	edit := func(id, recordID string) mut {
		return mut{"id": id, "collection": "incident_reports", "recordId": recordID, "baseRev": 1,
			"data": map[string]any{"description": "Shots at dawn; two houses hit."}}
	}
	deleted := en.push(volunteerB, "device-b", edit("b1", reportA))[0]
	never := en.push(volunteerB, "device-b", edit("b2", "neverexisted123"))[0]
	if deleted.Status != "rejected" || deleted.Error == nil || deleted.Error.Code != "sync_not_found" ||
		deleted.Rev != never.Rev || deleted.Deleted != never.Deleted || deleted.Error.Code != never.Error.Code {
		t.Fatalf("a deleted record never shown is told from an id never used:\n%+v\n%+v", deleted, never)
	}
	for _, who := range []string{volunteerA, coordinator} {
		r := en.push(who, "device-"+who, edit("e-"+who, reportA))[0]
		if r.Status != "conflict" || !r.Deleted || r.Rev != 3 || r.Conflict == "" {
			t.Fatalf("%s's edit of the deleted report: %+v", who, r)
		}
	}
}
