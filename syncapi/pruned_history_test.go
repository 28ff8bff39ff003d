package syncapi_test

import (
	"testing"
	"time"

	"aman/changelog"
)

// TestPush_PrunedHistoryIsAConflict: once the change log's history since a
// mutation's base rev is pruned (365 days), the server can no longer tell
// which fields others changed since: an edit from that base is a conflict,
// never merged over what others wrote meanwhile.
func TestPush_PrunedHistoryIsAConflict(t *testing.T) {
	en := newEnv(t)
	en.push(volunteerA, "phone", createReport(reportA, volunteerA, nil))
	edit := func(client, id, description string) pushResult {
		return en.push(volunteerA, client, mut{"id": id, "collection": "incident_reports", "recordId": reportA,
			"baseRev": 1, "data": map[string]any{"description": description}})[0]
	}
	if r := edit("phone", "e1", "Edited on the phone."); r.Status != "applied" || r.Rev != 2 {
		t.Fatalf("setup: %+v", r)
	}
	cfg := changelog.DefaultConfig()
	if res, err := changelog.Prune(en.app, cfg, time.Now().Add(cfg.HistoryRetention+24*time.Hour)); err != nil || res.History == 0 {
		t.Fatalf("prune: %+v %v", res, err)
	}
	r := edit("tablet", "e2", "Edited on the tablet, from rev 1.")
	if r.Status != "conflict" || r.Record["description"] != "Edited on the phone." {
		t.Fatalf("an edit from a base whose history is pruned: %+v", r)
	}
	if rec, err := en.app.FindRecordById("incident_reports", reportA); err != nil || rec.GetString("description") != "Edited on the phone." {
		t.Fatalf("the phone's edit was overwritten: %v %v", rec.GetString("description"), err)
	}
}

// TestPush_PrunedHistoryDeleteIsAConflict: a delete from a base whose
// history since is pruned may drop edits its device never saw: the record
// stays, and the delete is a conflict on every field ("*").
func TestPush_PrunedHistoryDeleteIsAConflict(t *testing.T) {
	en := newEnv(t)
	const id = "prunedraft00001"
	write := func(client, mid string, data map[string]any) pushResult {
		m := mut{"id": mid, "collection": "updates", "recordId": id, "baseRev": 1, "data": data}
		if data == nil {
			m["delete"] = true
		}
		return en.push(editor, client, m)[0]
	}
	en.push(editor, "phone", mut{"id": "create-" + id, "collection": "updates", "recordId": id, "data": map[string]any{
		"title": "Draft", "body": "Draft body", "language": "en", "status": "draft", "author": editor}})
	if r := write("tablet", "e1", map[string]any{"title": "The tablet's"}); r.Status != "applied" || r.Rev != 2 {
		t.Fatalf("setup: %+v", r)
	}
	cfg := changelog.DefaultConfig()
	if res, err := changelog.Prune(en.app, cfg, time.Now().Add(cfg.HistoryRetention+24*time.Hour)); err != nil || res.History == 0 {
		t.Fatalf("prune: %+v %v", res, err)
	}
	r := write("phone", "d1", nil)
	if r.Status != "conflict" || len(r.Fields) != 1 || r.Fields[0] != "*" {
		t.Fatalf("a delete from a base whose history is pruned: %+v", r)
	}
	if _, err := en.app.FindRecordById("updates", id); err != nil {
		t.Fatalf("the record others edited was deleted: %v", err)
	}
}
