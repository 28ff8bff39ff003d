package syncapi_test

import (
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/plugins/jsvm"

	"aman/changelog"
)

func publishedUpdate(id, title string) mut {
	return mut{"id": "create-" + id, "collection": "updates", "recordId": id, "data": map[string]any{
		"title": title, "body": "Body of " + title, "language": "en", "status": "published", "author": editor,
	}}
}

// TestPull_EveryWritePathFeedsTheLog writes through REST, /api/batch, a
// superuser (the dashboard's REST calls), Go's app.Save, a JS hook and a
// push, then checks that one pull sees every write, in commit order, with
// revs that count every write.
func TestPull_EveryWritePathFeedsTheLog(t *testing.T) {
	en := newEnvWith(t, func(app core.App) {
		err := jsvm.Register(app, jsvm.Config{
			HooksDir:               filepath.Join("testdata", "pb_hooks"),
			MigrationsDir:          filepath.Join("testdata", "pb_migrations"),
			MigrationsFilesPattern: `^$`,
		})
		if err != nil {
			t.Fatal(err)
		}
	})
	_, start := en.pullAll(editor, "updates", "")

	post := func(as, url string, body any) map[string]any {
		rec := en.raw(as, http.MethodPost, url, body)
		if rec.Code != 200 {
			t.Fatalf("POST %s: %d %s", url, rec.Code, rec.Body.String())
		}
		var out map[string]any
		_ = json.Unmarshal(rec.Body.Bytes(), &out)
		return out
	}
	fields := func(id, title string) map[string]any {
		return map[string]any{"id": id, "title": title, "body": "b", "language": "en", "status": "published", "author": editor}
	}
	post(editor, "/api/collections/updates/records", fields("viarestaaaaaaa1", "REST"))
	post(editor, "/api/batch", map[string]any{"requests": []map[string]any{
		{"method": "POST", "url": "/api/collections/updates/records", "body": fields("viabatchaaaaaa1", "batch")},
		{"method": "PATCH", "url": "/api/collections/updates/records/viarestaaaaaaa1", "body": map[string]any{"title": "REST, edited in a batch"}},
	}})
	post(superuser, "/api/collections/updates/records", fields("viadashboarda01", "dashboard"))
	rec := core.NewRecord(mustCollection(t, en.app, "updates"))
	for k, v := range fields("viagoaaaaaaaaa1", "Go") {
		rec.Set(k, v)
	}
	if err := en.app.Save(rec); err != nil {
		t.Fatal(err)
	}
	jsID := post(anonymous, "/test/js-write", map[string]any{"author": editor})["id"].(string)
	if r := en.push(editor, "device-e", publishedUpdate("viapushaaaaaaa1", "push"))[0]; r.Status != "applied" {
		t.Fatalf("push: %+v", r)
	}

	changes, _ := en.pullAll(editor, "updates", start)
	want := []struct {
		id  string
		rev int64
	}{{"viabatchaaaaaa1", 1}, {"viarestaaaaaaa1", 2}, {"viadashboarda01", 1}, {"viagoaaaaaaaaa1", 1}, {jsID, 1}, {"viapushaaaaaaa1", 1}}
	if len(changes) != len(want) {
		t.Fatalf("changes: %+v", changes)
	}
	for i, w := range want {
		if changes[i].ID != w.id || changes[i].Rev != w.rev || changes[i].Deleted || changes[i].Record["id"] != w.id {
			t.Fatalf("change %d: %+v, want %s rev %d", i, changes[i], w.id, w.rev)
		}
	}
	// the history knows who wrote what
	var actors []string
	err := en.app.DB().NewQuery("SELECT actor_collection || ':' || actor FROM _aman_changes WHERE collection = 'updates' ORDER BY seq").Column(&actors)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(actors, ",")
	wantActors := "users:" + editor + ",users:" + editor + ",users:" + editor
	if !strings.HasPrefix(got, wantActors) || !strings.Contains(got, "_superusers:") || !strings.Contains(got, ":,") {
		t.Fatalf("actors: %s", got)
	}
}

// TestPull_Visibility: a volunteer's pull holds their own records only,
// another volunteer's change arrives as an id-only tombstone at most, and
// a field hidden from the caller never leaves the server.
func TestPull_Visibility(t *testing.T) {
	en := newEnv(t)
	secret := "Secret details only A may read"
	en.push(volunteerA, "device-a", createReport(reportA, volunteerA, map[string]any{"description": secret}))

	// hide a field from everyone but superusers (a checkpoint issued
	// before resets: TestPull_HidingAFieldResets)
	c := mustCollection(t, en.app, "incident_reports")
	c.Fields.GetByName("place").SetHidden(true)
	if err := en.app.Save(c); err != nil {
		t.Fatal(err)
	}
	_, cpB := en.pullAll(volunteerB, "incident_reports", "")
	en.push(volunteerB, "device-b", createReport("reportbbbbbbbb1", volunteerB, nil))
	r, _ := en.app.FindRecordById("incident_reports", reportA)
	r.Set("place", "Exact house 12")
	if err := en.app.Save(r); err != nil {
		t.Fatal(err)
	}

	rec := en.raw(volunteerB, http.MethodGet, "/api/sync/v1/pull?collections=incident_reports&checkpoint="+cpB, nil)
	if strings.Contains(rec.Body.String(), reportA) {
		t.Fatalf("B's pull names A's report: %s", rec.Body.String())
	}
	var p pullPage
	_ = json.Unmarshal(rec.Body.Bytes(), &p)
	if ch := findChange(p.Changes, "incident_reports", "reportbbbbbbbb1"); ch == nil || ch.Deleted || ch.Record["place"] != nil {
		t.Fatalf("B's own report: %+v", ch)
	}
	// from the start B gets no tombstones at all
	initial, _ := en.pullAll(volunteerB, "incident_reports", "")
	if len(initial) != 1 || initial[0].ID != "reportbbbbbbbb1" {
		t.Fatalf("B's initial pull: %+v", initial)
	}
	mine, _ := en.pullAll(volunteerA, "incident_reports", "")
	if len(mine) != 1 || mine[0].Record["description"] != secret || mine[0].Record["place"] != nil || mine[0].Rev != 2 {
		t.Fatalf("A's pull: %+v", mine)
	}
	all, _ := en.pullAll(superuser, "incident_reports", "")
	if len(all) != 2 || findChange(all, "incident_reports", reportA).Record["place"] != "Exact house 12" {
		t.Fatalf("superuser's pull: %+v", all)
	}
	// anonymous readers get nothing of the reports
	if anon, _ := en.pullAll(anonymous, "incident_reports", ""); len(anon) != 0 {
		t.Fatalf("anonymous pull: %+v", anon)
	}
	// a delete reaches the device that held the record, and only it, even
	// when the device learned of the record from its own push
	_, cpA := en.pullAll(volunteerA, "incident_reports", "")
	_, cpB = en.pullAll(volunteerB, "incident_reports", "")
	en.push(volunteerB, "device-b", createReport("reportbbbbbbbb2", volunteerB, nil))
	if code, _ := en.do(superuser, http.MethodDelete, "/api/collections/incident_reports/records/reportbbbbbbbb2", nil); code != 204 {
		t.Fatal("delete")
	}
	if code, _ := en.do(superuser, http.MethodDelete, "/api/collections/incident_reports/records/reportbbbbbbbb1", nil); code != 204 {
		t.Fatal("delete")
	}
	if got, _ := en.pullAll(volunteerA, "incident_reports", cpA); len(got) != 0 {
		t.Fatalf("A hears of B's deleted report: %+v", got)
	}
	if got, _ := en.pullAll(volunteerB, "incident_reports", cpB); len(got) != 2 || !got[0].Deleted || !got[1].Deleted ||
		findChange(got, "incident_reports", "reportbbbbbbbb1") == nil || findChange(got, "incident_reports", "reportbbbbbbbb2") == nil {
		t.Fatalf("B's tombstones: %+v", got)
	}
}

// TestPull_LeavingTheView: a record that was in the device's view when it
// last pulled and is no longer (a volunteer's report once a coordinator
// takes it into review and the editor's read rule stops matching, an
// update retracted) arrives as a tombstone; a record that entered and left
// the view between two pulls is never mentioned.
func TestPull_LeavingTheView(t *testing.T) {
	en := newEnv(t)
	en.push(volunteerA, "device-a", createReport(reportA, volunteerA, nil), createReport("reportaaaaaaaa2", volunteerA, nil))
	verify(t, en, reportA)
	_, cp := en.pullAll(editor, "incident_reports", "")
	// reportA leaves the editor's view (verified only); report 2 enters and
	// leaves it before the editor pulls again
	reopen := func(id string) {
		if code, body := en.do(coordinator, http.MethodPatch, "/api/collections/incident_reports/records/"+id,
			map[string]any{"status": "in_review"}); code != 200 {
			t.Fatalf("reopen: %d %v", code, body)
		}
	}
	reopen(reportA)
	verify(t, en, "reportaaaaaaaa2")
	reopen("reportaaaaaaaa2")
	got, _ := en.pullAll(editor, "incident_reports", cp)
	if len(got) != 1 || got[0].ID != reportA || !got[0].Deleted || got[0].Record != nil {
		t.Fatalf("editor's pull: %+v", got)
	}
}

// TestPull_Tombstones: deletes, an update retracted out of a reader's
// view, and a report leaving the public_incidents view all arrive as
// deleted:true without a body.
func TestPull_Tombstones(t *testing.T) {
	en := newEnv(t)
	en.push(editor, "device-e", publishedUpdate("updateaaaaaaaa1", "Ceasefire holds"), publishedUpdate("updateaaaaaaaa2", "Draft soon"))
	en.push(volunteerA, "device-a", createReport(reportA, volunteerA, nil), createReport("reportaaaaaaaa2", volunteerA, nil))
	reader, cpReader := en.pullAll(anonymous, "updates,public_incidents", "")
	if len(reader) != 2 {
		t.Fatalf("reader's initial pull: %+v", reader)
	}
	// the public never hears of an unverified report
	if n := en.countRows("_aman_heads", "collection = 'public_incidents'", nil); n != 0 {
		t.Fatalf("unverified reports in public_incidents' log: %d", n)
	}

	// retract one update, delete the other (drafts only: a superuser then)
	en.push(editor, "device-e", mut{"id": "r1", "collection": "updates", "recordId": "updateaaaaaaaa1", "baseRev": 1,
		"data": map[string]any{"status": "retracted"}})
	if code, _ := en.do(superuser, http.MethodDelete, "/api/collections/updates/records/updateaaaaaaaa2", nil); code != 204 {
		t.Fatal("delete")
	}
	// verify a report: it enters public_incidents
	verify(t, en, reportA)

	changes, cp2 := en.pullAll(anonymous, "updates,public_incidents", cpReader)
	ret := findChange(changes, "updates", "updateaaaaaaaa1")
	del := findChange(changes, "updates", "updateaaaaaaaa2")
	pub := findChange(changes, "public_incidents", reportA)
	if ret == nil || !ret.Deleted || ret.Record != nil || ret.Rev != 2 {
		t.Fatalf("retracted: %+v", ret)
	}
	if del == nil || !del.Deleted || del.Record != nil || del.Rev != 2 {
		t.Fatalf("deleted: %+v", del)
	}
	if pub == nil || pub.Deleted || pub.Record["category"] != "gunfire" || pub.Record["reporter"] != nil {
		t.Fatalf("public incident: %+v", pub)
	}
	if loc, _ := pub.Record["location"].(map[string]any); loc["lon"] != 70.61 {
		t.Fatalf("public location not rounded: %v", pub.Record["location"])
	}
	// the coordinator reopens it: it leaves the public view
	if code, body := en.do(coordinator, http.MethodPatch, "/api/collections/incident_reports/records/"+reportA,
		map[string]any{"status": "in_review"}); code != 200 {
		t.Fatalf("reopen: %d %v", code, body)
	}
	changes, _ = en.pullAll(anonymous, "updates,public_incidents", cp2)
	if len(changes) != 1 || changes[0].ID != reportA || !changes[0].Deleted || changes[0].Record != nil {
		t.Fatalf("reopened report: %+v", changes)
	}
}

func verify(t *testing.T, en *env, id string) {
	t.Helper()
	for _, status := range []string{"in_review", "verified"} {
		code, body := en.do(coordinator, http.MethodPatch, "/api/collections/incident_reports/records/"+id,
			map[string]any{"status": status, "public_summary": "Gunfire reported near the canal.",
				"verification_note": "Two witnesses.", "verified_by": coordinator, "verified_at": "2026-11-26 09:00:00.000Z"})
		if code != 200 {
			t.Fatalf("%s: %d %v", status, code, body)
		}
	}
}

// TestPull_Paging: pages in commit order, each record once at its latest
// state, nothing missed when records change between pages.
func TestPull_Paging(t *testing.T) {
	en := newEnv(t)
	var muts []mut
	for i := range 25 {
		muts = append(muts, publishedUpdate(pad("upd", i), "Update "+itoa(i)))
	}
	en.push(editor, "device-e", muts...)
	p1 := en.pull(anonymous, "updates", "", 10)
	if len(p1.Changes) != 10 || !p1.HasMore || p1.Changes[0].ID != pad("upd", 0) {
		t.Fatalf("page 1: %d %v", len(p1.Changes), p1.HasMore)
	}
	// edit a record already sent and one not yet sent
	en.push(editor, "device-e",
		mut{"id": "e1", "collection": "updates", "recordId": pad("upd", 3), "baseRev": 1, "data": map[string]any{"title": "edited 3"}},
		mut{"id": "e2", "collection": "updates", "recordId": pad("upd", 20), "baseRev": 1, "data": map[string]any{"title": "edited 20"}})
	seen := map[string]change{}
	for _, c := range p1.Changes {
		seen[c.ID] = c
	}
	cp := p1.Checkpoint
	for range 10 {
		p := en.pull(anonymous, "updates", cp, 10)
		ids := map[string]bool{}
		for _, c := range p.Changes {
			if ids[c.ID] {
				t.Fatalf("%s twice in one page", c.ID)
			}
			ids[c.ID] = true
			seen[c.ID] = c
		}
		cp = p.Checkpoint
		if !p.HasMore {
			break
		}
	}
	if len(seen) != 25 || seen[pad("upd", 3)].Record["title"] != "edited 3" || seen[pad("upd", 20)].Rev != 2 {
		t.Fatalf("after paging: %d records, 3=%v 20=%+v", len(seen), seen[pad("upd", 3)].Record["title"], seen[pad("upd", 20)])
	}
	if p := en.pull(anonymous, "updates", cp, 10); len(p.Changes) != 0 || p.HasMore || p.Checkpoint != cp {
		t.Fatalf("caught-up pull: %+v", p)
	}
}

func pad(prefix string, i int) string {
	s := itoa(i)
	return prefix + strings.Repeat("0", 15-len(prefix)-len(s)) + s
}

// TestPull_Reset: a role change, a rule change and a checkpoint older than
// the pruned tombstones each answer reset.
func TestPull_Reset(t *testing.T) {
	en := newEnv(t)
	en.push(volunteerA, "device-a", createReport(reportA, volunteerA, nil))
	_, cp := en.pullAll(volunteerA, "incident_reports", "")
	if p := en.pull(volunteerA, "incident_reports", cp, 0); p.Reset {
		t.Fatal("reset without a reason")
	}
	if p := en.pull(volunteerB, "incident_reports", cp, 0); !p.Reset || p.Reason != "view" {
		t.Fatalf("another user's checkpoint must reset (view): %+v", p)
	}

	// role change
	u, _ := en.app.FindRecordById("users", volunteerA)
	u.Set("role", "coordinator")
	if err := en.app.Save(u); err != nil {
		t.Fatal(err)
	}
	tok, _ := u.NewAuthToken()
	en.tokens[volunteerA] = tok
	if p := en.pull(volunteerA, "incident_reports", cp, 0); !p.Reset || p.Reason != "view" || len(p.Changes) != 0 || p.Checkpoint != "" {
		t.Fatalf("role change: %+v", p)
	}
	_, cp = en.pullAll(volunteerA, "incident_reports", "")

	// rule change
	c := mustCollection(t, en.app, "incident_reports")
	rule := *c.ListRule + " || @request.auth.role = 'auditor'"
	c.ListRule = &rule
	if err := en.app.Save(c); err != nil {
		t.Fatal(err)
	}
	if p := en.pull(volunteerA, "incident_reports", cp, 0); !p.Reset || p.Reason != "view" {
		t.Fatalf("rule change must reset (view): %+v", p)
	}
	_, cp = en.pullAll(volunteerA, "incident_reports", "")

	// a garbage checkpoint resets too
	if p := en.pull(volunteerA, "incident_reports", "not-a-checkpoint", 0); !p.Reset || p.Reason != "invalid" {
		t.Fatalf("garbage checkpoint must reset (invalid): %+v", p)
	}

	// expired: a tombstone older than the retention is pruned
	if code, _ := en.do(superuser, http.MethodDelete, "/api/collections/incident_reports/records/"+reportA, nil); code != 204 {
		t.Fatal("delete")
	}
	old := time.Now().Add(-100 * 24 * time.Hour).UTC().Format("2006-01-02 15:04:05.000Z")
	if _, err := en.app.DB().NewQuery("UPDATE _aman_heads SET at = {:at} WHERE deleted = 1").Bind(dbx.Params{"at": old}).Execute(); err != nil {
		t.Fatal(err)
	}
	res, err := changelog.Prune(en.app, changelog.DefaultConfig(), time.Now())
	if err != nil || res.Tombstones != 1 {
		t.Fatalf("prune: %+v %v", res, err)
	}
	if p := en.pull(volunteerA, "incident_reports", cp, 0); !p.Reset || p.Reason != "expired" {
		t.Fatalf("checkpoint before a pruned tombstone must reset (expired): %+v", p)
	}
	_, fresh := en.pullAll(volunteerA, "incident_reports", "")
	if p := en.pull(volunteerA, "incident_reports", fresh, 0); p.Reset {
		t.Fatal("checkpoint after the prune horizon must not reset")
	}
}

// TestPull_RecordBytesAreREST: a pulled record is byte for byte what the
// record API answers the same user, with "rev" first, escaping included
// (HTML characters, non-Latin text, U+2028).
func TestPull_RecordBytesAreREST(t *testing.T) {
	en := newEnv(t)
	desc := "<b>Shots & smoke</b> near \"the canal\" — Хуҷанд, Баткен \u2028 end"
	en.push(volunteerA, "device-a", createReport("bytesreport0001", volunteerA, map[string]any{"description": desc}))
	for _, as := range []string{volunteerA, coordinator} {
		rec := en.raw(as, http.MethodGet, "/api/sync/v1/pull?collections=incident_reports", nil)
		var page struct {
			Changes []struct {
				Rev    int64           `json:"rev"`
				Record json.RawMessage `json:"record"`
			} `json:"changes"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &page); err != nil || len(page.Changes) != 1 {
			t.Fatalf("%s: pull %d %s", as, rec.Code, rec.Body.String())
		}
		rest := en.raw(as, http.MethodGet, "/api/collections/incident_reports/records/bytesreport0001", nil)
		want := "{\"rev\":" + itoa(int(page.Changes[0].Rev)) + "," + strings.TrimSpace(rest.Body.String())[1:]
		if got := string(page.Changes[0].Record); got != want {
			t.Fatalf("%s:\npull %s\nREST %s", as, got, want)
		}
	}
}

// TestPull_ConcurrentPullsAllAnswered: more pulls at once than pages built
// at once (the bound on concurrent pages) all get their full page; a
// waiting pull is served when a slot frees, none is refused or lost.
func TestPull_ConcurrentPullsAllAnswered(t *testing.T) {
	en := newEnv(t)
	var muts []mut
	for i := range 30 {
		muts = append(muts, publishedUpdate(pad("conc", i), "Update "+itoa(i)))
	}
	en.push(editor, "device-e", muts...)
	const pulls = 16
	got := make(chan string, pulls)
	for range pulls {
		go func() {
			rec := en.raw(anonymous, http.MethodGet, "/api/sync/v1/pull?collections=updates", nil)
			var p pullPage
			if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &p) != nil {
				got <- "status " + itoa(rec.Code)
				return
			}
			got <- itoa(len(p.Changes))
		}()
	}
	for range pulls {
		if g := <-got; g != "30" {
			t.Fatalf("a concurrent pull got %s, want 30 changes", g)
		}
	}
}
