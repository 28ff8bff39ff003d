package syncapi_test

import (
	"net/http"
	"testing"
)

// TestPush_DeleteFromRevZeroKeepsOthersEdits: a delete sent without a base
// rev (its device never learned one: the create's answer was lost) of a
// draft another editor changed since is a conflict, as it is from rev 1;
// the device's own create alone is no news to it.
func TestPush_DeleteFromRevZeroKeepsOthersEdits(t *testing.T) {
	en := newEnv(t)
	en.tokens["editor2"] = en.saveUser("editor2eeeeeeee", "editor")
	draft := func(id string) mut {
		return mut{"id": "create-" + id, "collection": "updates", "recordId": id, "data": map[string]any{
			"title": "Road closed", "body": "The road to Vorukh is closed.", "language": "en",
			"status": "draft", "author": editor,
		}}
	}
	del := func(id string) mut {
		return mut{"id": "delete-" + id, "collection": "updates", "recordId": id, "baseRev": nil, "delete": true}
	}
	for _, id := range []string{"updateaaaaaaaa1", "updateaaaaaaaa2"} {
		if r := en.push(editor, "device-e", draft(id))[0]; r.Status != "applied" {
			t.Fatalf("create: %+v", r)
		}
	}
	if code, b := en.do("editor2", http.MethodPatch, "/api/collections/updates/records/updateaaaaaaaa1",
		map[string]any{"body": "The road to Vorukh is closed; detour via Ak-Sai."}); code != 200 {
		t.Fatalf("editor2 patch: %d %v", code, b)
	}
	r := en.push(editor, "device-e", del("updateaaaaaaaa1"))[0]
	if r.Status != "conflict" || r.Deleted || r.Conflict == "" || len(r.Fields) != 1 || r.Fields[0] != "body" ||
		en.countRows("updates", "id = 'updateaaaaaaaa1'", nil) != 1 {
		t.Fatalf("delete from rev 0 of a draft another editor changed: %+v", r)
	}
	// only this device wrote it: deleted
	r = en.push(editor, "device-e", del("updateaaaaaaaa2"))[0]
	if r.Status != "applied" || !r.Deleted || en.countRows("updates", "id = 'updateaaaaaaaa2'", nil) != 0 {
		t.Fatalf("delete from rev 0 of the device's own draft: %+v", r)
	}
}
