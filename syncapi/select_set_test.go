package syncapi_test

import (
	"net/http"
	"testing"
)

// TestPush_MultipleSelectIsASet: an edit setting a multiple select to the
// values the server holds, in another order, is not a conflict (docs: a
// field both sides set to the same value is not one); other values are.
func TestPush_MultipleSelectIsASet(t *testing.T) {
	en := newEnv(t)
	const id = "aidrequestaaaa1"
	create := mut{"id": "a1", "collection": "aid_requests", "recordId": id, "data": map[string]any{
		"requester": volunteerA, "region": "sughd", "needs": []string{"food", "water"}, "urgency": "high"}}
	if r := en.push(volunteerA, "device-a", create)[0]; r.Status != "applied" {
		t.Fatalf("create: %+v", r)
	}
	// the requester adds shelter from the web app (rev 2)
	if code, b := en.do(volunteerA, http.MethodPatch, "/api/collections/aid_requests/records/"+id,
		map[string]any{"needs": []string{"food", "water", "shelter"}}); code != 200 {
		t.Fatalf("patch: %d %v", code, b)
	}
	// the phone, from rev 1, ticks shelter too, in another order
	r := en.push(volunteerA, "device-a", mut{"id": "a2", "collection": "aid_requests", "recordId": id, "baseRev": 1,
		"data": map[string]any{"needs": []string{"shelter", "water", "food"}, "people_count": 4}})[0]
	if r.Status != "merged" || r.Conflict != "" || en.countRows("sync_conflicts", "", nil) != 0 {
		t.Fatalf("the same needs in another order: %+v", r)
	}
	// other needs than the server's are a conflict
	r = en.push(volunteerA, "device-a", mut{"id": "a3", "collection": "aid_requests", "recordId": id, "baseRev": 1,
		"data": map[string]any{"needs": []string{"water", "food"}}})[0]
	if r.Status != "conflict" || len(r.Fields) != 1 || r.Fields[0] != "needs" {
		t.Fatalf("other needs: %+v", r)
	}
}
