package syncapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"slices"
	"testing"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/archive"

	"aman/changelog"
	"aman/syncapi/wire"
)

// A checkpoint names a position in the log's history. These tests restart
// the server, restore it from a backup and point a device at another
// server, and check that a device goes on where its position still names
// the same writes, and resets where it does not.

// reports pushes n new reports by volunteer A, with ids prefix0..prefixN-1.
func (en *env) reports(client, prefix string, n int) []string {
	en.t.Helper()
	ids := make([]string, n)
	muts := make([]mut, n)
	for i := range ids {
		ids[i] = pad(prefix, i)
		muts[i] = createReport(ids[i], volunteerA, nil)
	}
	for i, r := range en.push(volunteerA, client, muts...) {
		if r.Status != "applied" {
			en.t.Fatalf("create %s: %+v", ids[i], r)
		}
	}
	return ids
}

func changeIDs(changes []change) []string {
	ids := make([]string, 0, len(changes))
	for _, c := range changes {
		ids = append(ids, c.ID)
	}
	slices.Sort(ids)
	return ids
}

// backupFiles makes a backup the way the dashboard does and returns a dir
// holding its files, as a restore puts them in place.
func backupFiles(t *testing.T, app core.App) string {
	t.Helper()
	if err := app.CreateBackup(context.Background(), "nightly.zip"); err != nil {
		t.Fatalf("backup: %v", err)
	}
	dir := t.TempDir()
	if err := archive.Extract(filepath.Join(app.DataDir(), core.LocalBackupsDirName, "nightly.zip"), dir); err != nil {
		t.Fatalf("extract backup: %v", err)
	}
	return dir
}

// TestPull_RestoredBackup: a server restored from a backup goes on from
// the backup's last seq, so its next writes take positions that a device
// which pulled after the backup has already passed. That device must
// reset, even once the restored log has grown past its checkpoint: going
// on, it would miss the restored server's first writes and keep the
// reports the restore lost. A device whose checkpoint the backup covers
// goes on with no reset.
func TestPull_RestoredBackup(t *testing.T) {
	en := newEnv(t)
	kept := en.reports("device-a", "kept", 2)
	_, early := en.pullAll(volunteerA, "incident_reports", "")
	dir := backupFiles(t, en.app)

	lost := en.reports("device-a", "lost", 3)
	changes, late := en.pullAll(volunteerA, "incident_reports", early)
	if got := changeIDs(changes); !slices.Equal(got, lost) {
		t.Fatalf("before the restore the device pulled %v, want %v", got, lost)
	}

	restored := en.bootFrom(dir)
	fresh := restored.reports("device-b", "fresh", 6) // past late's position
	if p := restored.pull(volunteerA, "incident_reports", late, 0); !p.Reset || p.Reason != "history" || len(p.Changes) != 0 || p.Checkpoint != "" {
		t.Fatalf("a checkpoint past the backup must reset (history), got %d changes (reset %v, %q)", len(p.Changes), p.Reset, p.Reason)
	}
	changes, _ = restored.pullAll(volunteerA, "incident_reports", early)
	if got := changeIDs(changes); !slices.Equal(got, fresh) {
		t.Fatalf("a checkpoint the backup covers must go on: got %v, want %v", got, fresh)
	}
	all, _ := restored.pullAll(volunteerA, "incident_reports", "")
	if got, want := changeIDs(all), slices.Sorted(slices.Values(append(kept, fresh...))); !slices.Equal(got, want) {
		t.Fatalf("after its reset the device holds %v, want %v", got, want)
	}
}

// TestPull_RestartKeepsCheckpoints: a plain restart begins a new epoch
// exactly where the log is, so no device resets (an initial sync of
// everything over 2G after every restart would be a disaster).
func TestPull_RestartKeepsCheckpoints(t *testing.T) {
	en := newEnv(t)
	en.reports("device-a", "first", 2)
	_, cp := en.pullAll(volunteerA, "incident_reports", "")
	if _, err := en.app.DB().NewQuery("PRAGMA wal_checkpoint(TRUNCATE)").Execute(); err != nil {
		t.Fatal(err)
	}

	again := en.bootFrom(en.app.DataDir())
	if p := again.pull(volunteerA, "incident_reports", cp, 0); p.Reset || len(p.Changes) != 0 || p.HasMore {
		t.Fatalf("after a restart: %+v", p)
	}
	next := again.reports("device-a", "second", 2)
	changes, cp2 := again.pullAll(volunteerA, "incident_reports", cp)
	if got := changeIDs(changes); !slices.Equal(got, next) {
		t.Fatalf("after a restart the device pulled %v, want %v", got, next)
	}
	w1, _ := wire.DecodeCheckpoint(cp)
	w2, _ := wire.DecodeCheckpoint(cp2)
	if w1.Epoch == "" || w2.Epoch == "" || w1.Epoch == w2.Epoch {
		t.Fatalf("the restart must begin a new epoch: %q, then %q", w1.Epoch, w2.Epoch)
	}
}

// TestPull_CheckpointOfAnotherServer: a phone pointed at another Aman
// server (a reinstall, staging) with the same user ids resets, even when
// that server's log is as long as the checkpoint's position.
func TestPull_CheckpointOfAnotherServer(t *testing.T) {
	en := newEnv(t)
	en.reports("device-a", "here", 2)
	_, cp := en.pullAll(volunteerA, "incident_reports", "")

	other := newEnv(t)
	other.reports("device-a", "there", 4)
	if p := other.pull(volunteerA, "incident_reports", cp, 0); !p.Reset || p.Reason != "history" {
		t.Fatalf("another server's checkpoint must reset (history), got %d changes (%q)", len(p.Changes), p.Reason)
	}
}

// TestPull_CheckpointBeforeEpochs: a server upgraded from before epochs
// keeps every checkpoint it issued then (version 1, no epoch) valid: they
// belong to the legacy epoch, which ends where the first epoch began at
// the upgrade. A version 1 checkpoint past that resets.
func TestPull_CheckpointBeforeEpochs(t *testing.T) {
	en := newEnv(t)
	en.reports("device-a", "old", 3)
	_, cp := en.pullAll(volunteerA, "incident_reports", "")
	w, ok := wire.DecodeCheckpoint(cp)
	if !ok || w.Epoch == "" {
		t.Fatalf("a checkpoint must name its epoch: %+v", w)
	}
	// the data dir as a server before epochs left it
	en.exec(
		"DROP TABLE _aman_epochs",
		"DELETE FROM _migrations WHERE file = '1795766930_aman_sync_epochs.go'",
		"PRAGMA wal_checkpoint(TRUNCATE)",
	)
	v1 := wire.Checkpoint{Seq: w.Seq, Fingerprint: w.Fingerprint}.Encode() // as the old server issued it

	upgraded := en.bootFrom(en.app.DataDir())
	if p := upgraded.pull(volunteerA, "incident_reports", v1, 0); p.Reset || len(p.Changes) != 0 {
		t.Fatalf("a version 1 checkpoint at the log's end when the server was upgraded: %+v", p)
	}
	ids := upgraded.reports("device-a", "new", 2)
	changes, next := upgraded.pullAll(volunteerA, "incident_reports", v1)
	if got := changeIDs(changes); !slices.Equal(got, ids) {
		t.Fatalf("a version 1 checkpoint goes on: got %v, want %v", got, ids)
	}
	if w, _ := wire.DecodeCheckpoint(next); w.Epoch == "" {
		t.Fatalf("the next checkpoint must name an epoch: %+v", w)
	}
	last, err := changelog.LastSeq(upgraded.app)
	if err != nil {
		t.Fatal(err)
	}
	past := wire.Checkpoint{Seq: last, Fingerprint: w.Fingerprint}.Encode()
	if p := upgraded.pull(volunteerA, "incident_reports", past, 0); !p.Reset || p.Reason != "history" {
		t.Fatalf("a version 1 checkpoint past the upgrade must reset (history): %+v", p)
	}
}

// TestPush_AgainAfterRestore: after a reset for "history", a device pushes
// again, with their ids, the mutations it sent recently (docs/sync.md,
// Reset). The restored server applies those the restore lost and writes
// nothing twice for those the backup kept (one change-log row per report):
// nothing a volunteer submitted is lost with a restore.
func TestPush_AgainAfterRestore(t *testing.T) {
	en := newEnv(t)
	var sent []mut
	for i := range 5 {
		sent = append(sent, createReport(pad("again", i), volunteerA, nil))
	}
	en.push(volunteerA, "device-a", sent[:2]...)
	_, early := en.pullAll(volunteerA, "incident_reports", "")
	dir := backupFiles(t, en.app)
	en.push(volunteerA, "device-a", sent[2:]...)
	_, late := en.pullAll(volunteerA, "incident_reports", early)

	restored := en.bootFrom(dir)
	if p := restored.pull(volunteerA, "incident_reports", late, 0); p.Reason != "history" {
		t.Fatalf("want a reset for history, got %+v", p)
	}
	again := restored.push(volunteerA, "device-a", sent...)
	for i, r := range again {
		if r.Status != "applied" || r.Rev != 1 || r.RecordID != sent[i]["recordId"] {
			t.Fatalf("push again, mutation %d: %+v", i, r)
		}
	}
	all, _ := restored.pullAll(volunteerA, "incident_reports", "")
	want := make([]string, len(sent))
	for i, m := range sent {
		want[i] = m["recordId"].(string)
	}
	if got := changeIDs(all); !slices.Equal(got, want) {
		t.Fatalf("after pushing again the server holds %v, want %v", got, want)
	}
	var rows int
	if err := restored.app.DB().NewQuery("SELECT COUNT(*) FROM _aman_changes WHERE record_id LIKE 'again%'").Row(&rows); err != nil || rows != len(sent) {
		t.Fatalf("change-log rows %d (%v), want one per report: %d", rows, err, len(sent))
	}
}

// TestSeen_AfterRestore: a device that pushed after the backup but did not
// pull before the restore has a checkpoint the backup covers; only the last
// position it was given (sent back as "seen") shows that it holds reports
// the restore lost. With it, a pull resets for history and a push is
// refused whole (409 sync_history_changed, nothing applied), so the device
// pushes its sent mutations again before its queue: an edit queued offline
// of a report the restore lost is not refused as not found. Without it the
// device cannot be told.
func TestSeen_AfterRestore(t *testing.T) {
	en := newEnv(t)
	en.reports("device-a", "kept", 1)
	_, early := en.pullAll(volunteerA, "incident_reports", "")
	dir := backupFiles(t, en.app)

	lost := createReport(pad("lost", 0), volunteerA, nil)
	rec := en.raw(volunteerA, http.MethodPost, "/api/sync/v1/push", map[string]any{"client": "device-a", "mutations": []mut{lost}})
	var answer struct {
		Results  []pushResult `json:"results"`
		Position string       `json:"position"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &answer); err != nil || rec.Code != 200 || len(answer.Results) != 1 {
		t.Fatalf("push: %d %s", rec.Code, rec.Body.String())
	}
	pos, ok := wire.DecodePosition(answer.Position)
	if !ok || pos.Epoch == "" || pos.Seq < 1 {
		t.Fatalf("the push answer's position %q decodes to %+v (ok %v)", answer.Position, pos, ok)
	}
	seen := "&seen=" + answer.Position
	if p := en.pull(volunteerA, "incident_reports"+seen, early, 0); p.Reset || len(p.Changes) != 1 {
		t.Fatalf("before any restore the position is in the history: %+v", p)
	}

	restored := en.bootFrom(dir)
	restored.reports("device-b", "fresh", 3)
	if p := restored.pull(volunteerA, "incident_reports"+seen, early, 0); !p.Reset || p.Reason != "history" {
		t.Fatalf("a push the restore lost must reset for history, got %+v", p)
	}
	if p := restored.pull(volunteerA, "incident_reports"+seen, "", 0); !p.Reset || p.Reason != "history" {
		t.Fatalf("even from the start, got %+v", p)
	}
	if p := restored.pull(volunteerA, "incident_reports&seen=bm90LWEtcG9zaXRpb24", early, 0); !p.Reset || p.Reason != "history" {
		t.Fatalf("a position the server never issued: %+v", p)
	}
	if p := restored.pull(volunteerA, "incident_reports", early, 0); p.Reset {
		t.Fatalf("without the position the checkpoint alone is in the history: %+v", p)
	}

	edit := mut{"id": "edit-lost", "collection": "incident_reports", "recordId": lost["recordId"], "baseRev": 1,
		"data": map[string]any{"injured": 2}}
	code, body := restored.do(volunteerA, http.MethodPost, "/api/sync/v1/push?seen="+answer.Position,
		map[string]any{"client": "device-a", "mutations": []mut{edit}})
	if code != http.StatusConflict || body["code"] != "sync_history_changed" || body["message"] == "" {
		t.Fatalf("a push after a restore that lost what the device saw: %d %v", code, body)
	}
	// as the client does then: its sent mutations first, then its queue
	res := restored.push(volunteerA, "device-a", lost, edit)
	if res[0].Status != "applied" || res[1].Status != "applied" || res[1].Rev != 2 {
		t.Fatalf("pushed again: %+v", res)
	}
}

// pushQuery pushes muts with the query string q and returns their results
// and the answer's position.
func (en *env) pushQuery(as, client, q string, muts ...mut) ([]pushResult, string) {
	en.t.Helper()
	rec := en.raw(as, http.MethodPost, "/api/sync/v1/push"+q, map[string]any{"client": client, "mutations": muts})
	var out struct {
		Results  []pushResult `json:"results"`
		Position string       `json:"position"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil || rec.Code != http.StatusOK || len(out.Results) != len(muts) {
		en.t.Fatalf("push%s: %d %s", q, rec.Code, rec.Body.String())
	}
	return out.Results, out.Position
}

func editOf(id, recordID string, base int64, data map[string]any) mut {
	return mut{"id": id, "collection": "incident_reports", "recordId": recordID, "baseRev": base, "data": data}
}

// TestPush_LostBase: after a restore, a device pushes again edits whose
// base rev it reached in the history the server lost, while a write made
// since the restore took that rev's number again. Sent with "lost" (the
// position its push was refused for), such an edit is merged from the rev
// the record had at that position: the write since the restore is kept and
// the edit becomes a conflict on the field both wrote, with its evidence,
// instead of overwriting it unseen.
func TestPush_LostBase(t *testing.T) {
	en := newEnv(t)
	shared, solo := pad("shared", 0), pad("solo", 0)
	en.push(volunteerA, "device-a", createReport(shared, volunteerA, nil), createReport(solo, volunteerA, nil))
	dir := backupFiles(t, en.app) // both reports at rev 1

	// the history the restore loses: device-a edits both
	lost := []mut{
		editOf("e1", shared, 1, map[string]any{"injured": 2}),
		editOf("e2", shared, 2, map[string]any{"description": "Two hurt, taken to Isfara."}),
		editOf("e3", solo, 1, map[string]any{"injured": 1}),
	}
	res, position := en.pushQuery(volunteerA, "device-a", "", lost...)
	if res[1].Status != "applied" || res[1].Rev != 3 {
		t.Fatalf("before the restore: %+v", res)
	}
	pos, _ := wire.DecodePosition(position)

	restored := en.bootFrom(dir)
	// since the restore, the volunteer's other phone rewrote the shared
	// report's description from rev 1: its rev 2 is not the lost rev 2
	since := restored.push(volunteerA, "device-b", editOf("b1", shared, 1, map[string]any{"description": "Shots at dawn; nobody hurt."}))
	if since[0].Status != "applied" || since[0].Rev != 2 {
		t.Fatalf("the edit since the restore: %+v", since)
	}
	if h, err := changelog.HeadOf(restored.app, "incident_reports", shared); err != nil || h.Seq <= pos.Seq {
		t.Fatalf("a write since the restore must take a position past every one issued before it: %d <= %d (%v)", h.Seq, pos.Seq, err)
	}

	code, body := restored.do(volunteerA, http.MethodPost, "/api/sync/v1/push?seen="+position,
		map[string]any{"client": "device-a", "mutations": []mut{}})
	if code != http.StatusConflict || body["code"] != "sync_history_changed" {
		t.Fatalf("the device learns of the restore: %d %v", code, body)
	}
	again, _ := restored.pushQuery(volunteerA, "device-a", "?lost="+position, lost...)
	if again[0].Status != "merged" {
		t.Fatalf("e1 touches a field nobody wrote since: %+v", again[0])
	}
	if again[1].Status != "conflict" || !slices.Equal(again[1].Fields, []string{"description"}) || again[1].Conflict == "" {
		t.Fatalf("e2's base is the lost rev 2, not the rev 2 written since: want a conflict on description, got %+v", again[1])
	}
	if again[2].Status != "applied" || again[2].Rev != 2 {
		t.Fatalf("a report nobody wrote since the restore takes the edit as before: %+v", again[2])
	}
	rec, err := restored.app.FindRecordById("incident_reports", shared)
	if err != nil || rec.GetString("description") != "Shots at dawn; nobody hurt." || rec.GetInt("injured") != 2 {
		t.Fatalf("the shared report must keep the description written since the restore and take e1: %v %v", rec, err)
	}
	evidence, err := restored.app.FindRecordById("sync_conflicts", again[1].Conflict)
	if err != nil || evidence.GetString("mutation_id") != "e2" || evidence.GetInt("base_rev") != 2 {
		t.Fatalf("the conflict's evidence: %v %v", evidence, err)
	}

	code, body = restored.do(volunteerA, http.MethodPost, "/api/sync/v1/push?lost=3.",
		map[string]any{"client": "device-a", "mutations": []mut{}})
	if code != http.StatusBadRequest || body["code"] != "sync_invalid_position" || body["message"] == "" {
		t.Fatalf("a malformed lost position: %d %v", code, body)
	}
}

// TestPush_LostBaseDelete: a delete pushed again whose base rev is a rev of
// the lost history (another phone's edit the device had pulled) must not
// take away an edit made since the restore under the same rev number:
// with "lost" it is a conflict and the record stays. (Editors may delete
// their drafts.)
func TestPush_LostBaseDelete(t *testing.T) {
	en := newEnv(t)
	draft := pad("draft", 0)
	en.push(editor, "device-a", mut{"id": "create-draft", "collection": "updates", "recordId": draft, "data": map[string]any{
		"title": "Draft", "body": "Draft body", "language": "en", "status": "draft", "author": editor,
	}})
	dir := backupFiles(t, en.app)

	edit := func(id, device string, base int64, data map[string]any) []pushResult {
		return en.push(editor, device, mut{"id": id, "collection": "updates", "recordId": draft, "baseRev": base, "data": data})
	}
	// lost: the other phone edits (rev 2), this one deletes from rev 2
	if res := edit("c1", "device-c", 1, map[string]any{"title": "Draft, retitled"}); res[0].Rev != 2 {
		t.Fatalf("the lost edit: %+v", res)
	}
	del := mut{"id": "d1", "collection": "updates", "recordId": draft, "baseRev": 2, "delete": true}
	res, position := en.pushQuery(editor, "device-a", "", del)
	if res[0].Status != "applied" || !res[0].Deleted {
		t.Fatalf("before the restore: %+v", res)
	}

	restored := en.bootFrom(dir)
	en = restored
	if since := edit("b1", "device-b", 1, map[string]any{"body": "Written since the restore."}); since[0].Status != "applied" || since[0].Rev != 2 {
		t.Fatalf("the edit since the restore: %+v", since)
	}
	again, _ := restored.pushQuery(editor, "device-a", "?lost="+position, del)
	if r := again[0]; r.Status != "conflict" || r.Deleted || r.Conflict == "" || !slices.Equal(r.Fields, []string{"body"}) {
		t.Fatalf("a delete from the lost rev 2 against the rev 2 written since: want a conflict on body, got %+v", r)
	}
	if rec, err := restored.app.FindRecordById("updates", draft); err != nil || rec.GetString("body") != "Written since the restore." {
		t.Fatalf("the draft and the edit since the restore must stay: %v %v", rec, err)
	}
}

// TestPush_LostReplayed: what a restore lost and devices push again with
// "lost" is not a conflict with itself: a device's own edit then delete of
// its draft, and another device's edit of a report whose create its
// reporter's phone pushed again first.
func TestPush_LostReplayed(t *testing.T) {
	en := newEnv(t)
	en.reports("device-a", "kept", 1)
	dir := backupFiles(t, en.app)

	draft := pad("draft", 1)
	ownMuts := []mut{
		{"id": "create-draft", "collection": "updates", "recordId": draft, "data": map[string]any{
			"title": "Draft", "body": "Draft body", "language": "en", "status": "draft", "author": editor}},
		{"id": "e1", "collection": "updates", "recordId": draft, "baseRev": 1, "data": map[string]any{"title": "Draft, retitled"}},
		{"id": "d1", "collection": "updates", "recordId": draft, "baseRev": 2, "delete": true},
	}
	_, editorLost := en.pushQuery(editor, "device-e", "", ownMuts...)
	report := pad("report", 1)
	create := createReport(report, volunteerA, nil)
	en.push(volunteerA, "device-a", create)
	otherEdit := editOf("c1", report, 1, map[string]any{"injured": 3})
	_, otherLost := en.pushQuery(volunteerA, "device-c", "", otherEdit)

	restored := en.bootFrom(dir)
	own, _ := restored.pushQuery(editor, "device-e", "?lost="+editorLost, ownMuts...)
	for i, r := range own {
		if r.Status != "applied" {
			t.Fatalf("the editor's own mutation %d pushed again: %+v", i, r)
		}
	}
	if _, err := restored.app.FindRecordById("updates", draft); err == nil {
		t.Fatal("the draft its editor deleted must be deleted again")
	}
	restored.pushQuery(volunteerA, "device-a", "?lost="+otherLost, create)
	again, _ := restored.pushQuery(volunteerA, "device-c", "?lost="+otherLost, otherEdit)
	if again[0].Status != "applied" || again[0].Rev != 2 {
		t.Fatalf("an edit of a report whose create was pushed again: %+v", again[0])
	}
}
