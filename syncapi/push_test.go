package syncapi_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

const reportA = "reportaaaaaaaa1"

func (en *env) countRows(table, where string, params dbx.Params) int {
	en.t.Helper()
	var n int
	q := "SELECT COUNT(*) FROM " + table
	if where != "" {
		q += " WHERE " + where
	}
	if err := en.app.DB().NewQuery(q).Bind(params).Row(&n); err != nil {
		en.t.Fatalf("count %s: %v", table, err)
	}
	return n
}

func (en *env) field(collection, id, field string) any {
	en.t.Helper()
	r, err := en.app.FindRecordById(collection, id)
	if err != nil {
		en.t.Fatalf("find %s/%s: %v", collection, id, err)
	}
	return r.Get(field)
}

// setField saves value into a record's field as Go code would (no rules).
func (en *env) setField(collection, id, field string, value any) {
	en.t.Helper()
	r, err := en.app.FindRecordById(collection, id)
	if err != nil {
		en.t.Fatalf("find %s/%s: %v", collection, id, err)
	}
	r.Set(field, value)
	if err := en.app.Save(r); err != nil {
		en.t.Fatalf("save %s/%s: %v", collection, id, err)
	}
}

// TestPush_Statuses walks one report through every status: created
// (applied), edited by the volunteer after a coordinator's review note
// (merged), edited on a field a superuser changed meanwhile (conflict, the
// volunteer's value in sync_conflicts), and refused by a rule and by
// validation (rejected, the data in sync_conflicts).
func TestPush_Statuses(t *testing.T) {
	en := newEnv(t)

	// applied
	res := en.push(volunteerA, "device-a", createReport(reportA, volunteerA, nil))[0]
	if res.Status != "applied" || res.Rev != 1 || res.Record["id"] != reportA || res.Record["rev"] != float64(1) {
		t.Fatalf("create: %+v", res)
	}

	// the coordinator reviews (rev 2) while the volunteer edits offline from rev 1
	if code, body := en.do(coordinator, http.MethodPatch, "/api/collections/incident_reports/records/"+reportA,
		map[string]any{"verification_note": "Called the district office."}); code != 200 {
		t.Fatalf("coordinator patch: %d %v", code, body)
	}
	res = en.push(volunteerA, "device-a", mut{"id": "m2", "collection": "incident_reports", "recordId": reportA,
		"baseRev": 1, "data": map[string]any{"description": "Shots heard at dawn; two houses hit."}})[0]
	if res.Status != "merged" || res.Rev != 3 {
		t.Fatalf("merge: %+v", res)
	}
	if got := en.field("incident_reports", reportA, "verification_note"); got != "Called the district office." {
		t.Fatalf("merge lost the server's field: %v", got)
	}
	if got := en.field("incident_reports", reportA, "description"); got != "Shots heard at dawn; two houses hit." {
		t.Fatalf("merge lost the client's field: %v", got)
	}

	// a superuser corrects the description (rev 4); the volunteer edits it
	// and the place from rev 3
	if code, body := en.do(superuser, http.MethodPatch, "/api/collections/incident_reports/records/"+reportA,
		map[string]any{"description": "Corrected by the desk."}); code != 200 {
		t.Fatalf("superuser patch: %d %v", code, body)
	}
	res = en.push(volunteerA, "device-a", mut{"id": "m3", "collection": "incident_reports", "recordId": reportA,
		"baseRev": 3, "data": map[string]any{"description": "My offline wording.", "place": "Canal bridge"}})[0]
	if res.Status != "conflict" || res.Record["description"] != "Corrected by the desk." ||
		res.Record["place"] != "Canal bridge" || len(res.Fields) != 1 || res.Fields[0] != "description" || res.Conflict == "" {
		t.Fatalf("conflict: %+v", res)
	}
	kept, err := en.app.FindRecordById("sync_conflicts", res.Conflict)
	if err != nil {
		t.Fatal(err)
	}
	if kept.GetString("kind") != "conflict" || kept.GetString("user") != volunteerA || kept.GetString("status") != "open" ||
		!bytes.Contains([]byte(kept.GetString("data")), []byte("My offline wording.")) ||
		!bytes.Contains([]byte(kept.GetString("server_state")), []byte("Corrected by the desk.")) ||
		kept.GetInt("base_rev") != 3 {
		t.Fatalf("sync_conflicts: %v", kept.FieldsData())
	}

	// rejected by a rule: another volunteer may not edit A's report
	res = en.push(volunteerB, "device-b", mut{"id": "b1", "collection": "incident_reports", "recordId": reportA,
		"baseRev": 5, "data": map[string]any{"description": "hijack"}})[0]
	if res.Status != "rejected" || res.Error == nil || res.Error.Code != "sync_forbidden" || res.Record != nil || res.Error.Message == "" {
		t.Fatalf("forbidden: %+v", res)
	}
	// rejected by validation: no category
	bad := report(volunteerA, map[string]any{"category": "not-a-category"})
	res = en.push(volunteerA, "device-a", mut{"id": "m4", "collection": "incident_reports", "recordId": "reportinvalid01",
		"data": bad})[0]
	if res.Status != "rejected" || res.Error.Code != "sync_validation_failed" || res.Error.Fields["category"] == nil {
		t.Fatalf("validation: %+v", res)
	}
	if n := en.countRows("sync_conflicts", "kind = 'rejected'", nil); n != 2 {
		t.Fatalf("rejected kept: %d, want 2", n)
	}
	if got := en.field("incident_reports", reportA, "description"); got != "Corrected by the desk." {
		t.Fatalf("a rejected or conflicting edit was written: %v", got)
	}
}

// TestPush_ReplayIsExactlyOnce sends the same mutations three times, as a
// client does after lost responses: one write, three identical results.
func TestPush_ReplayIsExactlyOnce(t *testing.T) {
	en := newEnv(t)
	muts := []mut{
		createReport(reportA, volunteerA, nil),
		{"id": "edit-1", "collection": "incident_reports", "recordId": reportA, "baseRev": 1,
			"data": map[string]any{"injured": 2}},
		{"id": "bad-1", "collection": "incident_reports", "recordId": "reportinvalid01",
			"data": map[string]any{"reporter": volunteerA}},
	}
	var bodies [][]byte
	for range 3 {
		rec := en.raw(volunteerA, http.MethodPost, "/api/sync/v1/push", map[string]any{"client": "device-a", "mutations": muts})
		if rec.Code != 200 {
			t.Fatalf("push: %d %s", rec.Code, rec.Body.String())
		}
		bodies = append(bodies, rec.Body.Bytes())
	}
	if !bytes.Equal(bodies[0], bodies[1]) || !bytes.Equal(bodies[0], bodies[2]) {
		t.Fatalf("replays differ:\n%s\n%s\n%s", bodies[0], bodies[1], bodies[2])
	}
	if n := en.countRows("_aman_changes", "record_id = {:id}", dbx.Params{"id": reportA}); n != 2 {
		t.Fatalf("writes logged: %d, want 2 (create and edit once)", n)
	}
	if n := en.countRows("sync_conflicts", "", nil); n != 1 {
		t.Fatalf("sync_conflicts rows: %d, want 1", n)
	}
	if got := en.field("incident_reports", reportA, "injured"); got != float64(2) {
		t.Fatalf("injured: %v", got)
	}
	// a create of an existing id with the same content (a lost response
	// with a different mutation id) is applied, not duplicated
	again := createReport(reportA, volunteerA, map[string]any{"injured": 2})
	again["id"] = "create-again"
	res := en.push(volunteerA, "device-a", again)[0]
	if res.Status != "applied" || res.Rev != 2 {
		t.Fatalf("same-content create: %+v", res)
	}
}

// TestPush_OneBadMutationBlocksNothing: 1 invalid among 100 → 99 written,
// results in order.
func TestPush_OneBadMutationBlocksNothing(t *testing.T) {
	en := newEnv(t)
	var muts []mut
	for i := range 100 {
		id := fmt.Sprintf("bulkreport%05d", i)
		data := report(volunteerA, nil)
		if i == 37 {
			data["killed"] = -3
		}
		muts = append(muts, mut{"id": "bulk-" + id, "collection": "incident_reports", "recordId": id, "data": data})
	}
	results := en.push(volunteerA, "device-a", muts...)
	for i, r := range results {
		want := "applied"
		if i == 37 {
			want = "rejected"
		}
		if r.Status != want || r.ID != muts[i]["id"] {
			t.Fatalf("result %d: %+v, want %s", i, r, want)
		}
	}
	if n := en.countRows("incident_reports", "", nil); n != 99 {
		t.Fatalf("written: %d, want 99", n)
	}
}

// TestPush_OversizedValueIsRejectedAlone: PocketBase's field errors echo a
// refused select value in their params, so a megabyte-long value made the
// conflict evidence's error too large to save, and the whole push answered
// 500 on every retry: a queue that never drains, and the valid mutations of
// its chunk lost with it. The oversized mutation must be rejected alone, its
// evidence kept, and a retry must answer the same.
func TestPush_OversizedValueIsRejectedAlone(t *testing.T) {
	big := strings.Repeat("x", 1100000)
	for _, field := range []string{"category", "region"} {
		t.Run(field, func(t *testing.T) {
			en := newEnv(t)
			muts := []mut{
				createReport("smallreport0001", volunteerA, nil),
				{"id": "big", "collection": "incident_reports", "recordId": "bigreport000001",
					"data": report(volunteerA, map[string]any{field: big})},
			}
			for attempt := range 2 {
				res := en.push(volunteerA, "device-a", muts...)
				if res[0].Status != "applied" {
					t.Fatalf("attempt %d, valid create: %+v", attempt, res[0])
				}
				if res[1].Status != "rejected" || res[1].Error == nil || res[1].Error.Code != "sync_validation_failed" || res[1].Conflict == "" {
					t.Fatalf("attempt %d, oversized %s: %s %+v", attempt, field, res[1].Status, res[1].Error)
				}
				if _, ok := res[1].Error.Fields[field]; !ok {
					t.Fatalf("attempt %d: no %s error in %+v", attempt, field, res[1].Error.Fields)
				}
				c, err := en.app.FindRecordById("sync_conflicts", res[1].Conflict)
				if err != nil {
					t.Fatalf("evidence: %v", err)
				}
				if e := c.GetString("error"); !strings.Contains(e, "sync_validation_failed") || !strings.Contains(e, field) {
					t.Fatalf("evidence error %.300s", e)
				}
			}
			if _, err := en.app.FindRecordById("incident_reports", "bigreport000001"); err == nil {
				t.Fatal("the refused report was written")
			}
			if n := en.countRows("incident_reports", "", nil); n != 1 {
				t.Fatalf("reports: %d, want 1", n)
			}
			if n := en.countRows("sync_conflicts", "", nil); n != 1 {
				t.Fatalf("evidence rows: %d, want 1", n)
			}
		})
	}
}

// TestPush_FailureAfterTheWriteLeavesNoTrace: a hook that fails after the
// record's insert (and its change-log row) leaves a half-done mutation in
// the chunk's transaction. The push must roll exactly that mutation back
// and keep the others of the chunk: the record, its log row and its head
// are gone, the mutations around it are applied once, and a retry of the
// push changes nothing.
func TestPush_FailureAfterTheWriteLeavesNoTrace(t *testing.T) {
	en := newEnvWith(t, func(app core.App) {
		app.OnRecordCreateExecute("incident_reports").BindFunc(func(e *core.RecordEvent) error {
			if err := e.Next(); err != nil {
				return err
			}
			if e.Record.GetString("place") == "fails after the write" {
				return errors.New("hook failed after the insert")
			}
			return nil
		})
	})
	muts := []mut{
		createReport("aftertrace00001", volunteerA, nil),
		createReport("aftertrace00002", volunteerA, map[string]any{"place": "fails after the write"}),
		createReport("aftertrace00003", volunteerA, nil),
	}
	for round := range 2 {
		res := en.push(volunteerA, "device-a", muts...)
		if res[0].Status != "applied" || res[1].Status != "rejected" || res[2].Status != "applied" {
			t.Fatalf("round %d: %s %s %s", round, res[0].Status, res[1].Status, res[2].Status)
		}
		for id, want := range map[string]int{"aftertrace00001": 1, "aftertrace00002": 0, "aftertrace00003": 1} {
			p := dbx.Params{"id": id}
			got := []int{
				en.countRows("incident_reports", "id = {:id}", p),
				en.countRows("_aman_changes", "record_id = {:id}", p),
				en.countRows("_aman_heads", "record_id = {:id}", p),
			}
			if got[0] != want || got[1] != want || got[2] != want {
				t.Fatalf("round %d: %s record/log/head rows %v, want %d each", round, id, got, want)
			}
		}
	}
}

// TestPush_Deletes: a delete is applied (a tombstone), a repeated delete
// of a gone record is applied, and a delete against a stale rev of a
// record the server changed since is a conflict that keeps the record.
func TestPush_Deletes(t *testing.T) {
	en := newEnv(t)
	create := mut{"id": "u1", "collection": "updates", "recordId": "updateaaaaaaaa1", "data": map[string]any{
		"title": "Road closed", "body": "The road to Vorukh is closed.", "language": "en",
		"status": "draft", "author": editor,
	}}
	if r := en.push(editor, "device-e", create)[0]; r.Status != "applied" {
		t.Fatalf("create: %+v", r)
	}
	if code, _ := en.do(superuser, http.MethodPatch, "/api/collections/updates/records/updateaaaaaaaa1",
		map[string]any{"title": "Road to Vorukh closed"}); code != 200 {
		t.Fatal("superuser patch")
	}
	stale := mut{"id": "u2", "collection": "updates", "recordId": "updateaaaaaaaa1", "baseRev": 1, "delete": true}
	r := en.push(editor, "device-e", stale)[0]
	if r.Status != "conflict" || r.Record["title"] != "Road to Vorukh closed" || r.Conflict == "" {
		t.Fatalf("stale delete: %+v", r)
	}
	del := mut{"id": "u3", "collection": "updates", "recordId": "updateaaaaaaaa1", "baseRev": 2, "delete": true}
	if r := en.push(editor, "device-e", del)[0]; r.Status != "applied" || !r.Deleted || r.Rev != 3 {
		t.Fatalf("delete: %+v", r)
	}
	again := mut{"id": "u4", "collection": "updates", "recordId": "updateaaaaaaaa1", "baseRev": 2, "delete": true}
	if r := en.push(editor, "device-e", again)[0]; r.Status != "applied" || !r.Deleted {
		t.Fatalf("delete again: %+v", r)
	}
	// an edit of the deleted record is a conflict kept for a coordinator
	edit := mut{"id": "u5", "collection": "updates", "recordId": "updateaaaaaaaa1", "baseRev": 2,
		"data": map[string]any{"body": "Reopened."}}
	if r := en.push(editor, "device-e", edit)[0]; r.Status != "conflict" || !r.Deleted || r.Conflict == "" {
		t.Fatalf("edit of deleted: %+v", r)
	}
}

func decode(t testing.TB, raw []byte) map[string]any {
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("decode %s: %v", raw, err)
	}
	return out
}

// TestPush_OwnEditsAreNotConflicts: a device that edits again from a base
// older than its own last write (its result was lost) is not in conflict
// with itself; another device's edit of the same field is.
func TestPush_OwnEditsAreNotConflicts(t *testing.T) {
	en := newEnv(t)
	en.push(volunteerA, "phone", createReport(reportA, volunteerA, nil))
	edit := func(client, id string, base int, description string) pushResult {
		return en.push(volunteerA, client, mut{"id": id, "collection": "incident_reports", "recordId": reportA,
			"baseRev": base, "data": map[string]any{"description": description}})[0]
	}
	if r := edit("phone", "e1", 1, "first"); r.Status != "applied" || r.Rev != 2 {
		t.Fatalf("first edit: %+v", r)
	}
	if r := edit("phone", "e2", 1, "second"); r.Status != "applied" || r.Record["description"] != "second" {
		t.Fatalf("own second edit from the old base: %+v", r)
	}
	if r := edit("tablet", "e3", 1, "from the tablet"); r.Status != "conflict" || r.Record["description"] != "second" {
		t.Fatalf("another device's edit: %+v", r)
	}
}

// TestPush_OwnEditsBeforeDelete: a delete from a base older than the
// device's own edits since is applied (they are no news to it); another
// device's edit since makes it a conflict, and the record stays.
func TestPush_OwnEditsBeforeDelete(t *testing.T) {
	en := newEnv(t)
	draft := func(id string) mut {
		return mut{"id": "create-" + id, "collection": "updates", "recordId": id, "data": map[string]any{
			"title": "Draft", "body": "Draft body", "language": "en", "status": "draft", "author": editor}}
	}
	write := func(client, id, record string, base int, data map[string]any) pushResult {
		m := mut{"id": id, "collection": "updates", "recordId": record, "baseRev": base, "data": data}
		if data == nil {
			m["delete"] = true
		}
		return en.push(editor, client, m)[0]
	}
	en.push(editor, "phone", draft("draftown0000001"), draft("draftother00001"))
	write("phone", "e1", "draftown0000001", 1, map[string]any{"title": "Mine"})
	if r := write("phone", "d1", "draftown0000001", 1, nil); r.Status != "applied" || !r.Deleted {
		t.Fatalf("a delete after the device's own edit, from the base before it: %+v", r)
	}
	write("tablet", "e2", "draftother00001", 1, map[string]any{"title": "The tablet's"})
	r := write("phone", "d2", "draftother00001", 1, nil)
	if r.Status != "conflict" || r.Deleted || r.Conflict == "" || !slices.Equal(r.Fields, []string{"title"}) {
		t.Fatalf("a delete after another device's edit: %+v", r)
	}
	if _, err := en.app.FindRecordById("updates", "draftother00001"); err != nil {
		t.Fatalf("the draft another device edited must stay: %v", err)
	}
}

// TestPush_CreateRules: a push is held to the collection's create rule both
// when the rule reads only @request.* (evaluated without the record's
// one-row CTE) and when it joins other records through the body (the full
// recordCreate path); what REST refuses, push refuses.
func TestPush_CreateRules(t *testing.T) {
	en := newEnv(t)
	en.push(volunteerA, "device-a", createReport("verifiedreport1", volunteerA, nil), createReport("pendingreport01", volunteerA, nil))
	verify(t, en, "verifiedreport1")
	update := func(id string, related ...string) mut {
		m := publishedUpdate(id, "Update "+id)
		m["data"].(map[string]any)["related_incidents"] = related
		return m
	}
	cases := []struct {
		name   string
		as     string
		m      mut
		status string
		code   string
	}{
		{"own report", volunteerA, createReport("createrule00001", volunteerA, nil), "applied", ""},
		{"forged reporter", volunteerA, createReport("createrule00002", volunteerB, nil), "rejected", "sync_forbidden"},
		{"born verified", volunteerA, createReport("createrule00003", volunteerA, map[string]any{"status": "verified"}), "rejected", "sync_forbidden"},
		{"review field set", volunteerA, createReport("createrule00004", volunteerA, map[string]any{"public_summary": "x"}), "rejected", "sync_forbidden"},
		{"volunteer writes an update", volunteerA, update("createrule00005"), "rejected", "sync_forbidden"},
		{"update citing a verified report", editor, update("createrule00006", "verifiedreport1"), "applied", ""},
		{"update citing an unverified report", editor, update("createrule00007", "pendingreport01"), "rejected", "sync_forbidden"},
		{"update by someone else", editor, mut{"id": "create-createrule00008", "collection": "updates", "recordId": "createrule00008",
			"data": map[string]any{"title": "T", "body": "B", "language": "en", "status": "published", "author": coordinator}}, "rejected", "sync_forbidden"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := en.push(tc.as, "device-"+tc.as, tc.m)[0]
			code := ""
			if res.Error != nil {
				code = res.Error.Code
			}
			if res.Status != tc.status || code != tc.code {
				t.Fatalf("got %s %s, want %s %s: %+v", res.Status, code, tc.status, tc.code, res)
			}
			exists := en.countRows(tc.m["collection"].(string), "id = {:id}", dbx.Params{"id": tc.m["recordId"]}) == 1
			if exists != (tc.status == "applied") {
				t.Fatalf("record written: %v, status %s", exists, res.Status)
			}
		})
	}
}

// TestPush_CreateRuleInOnePush: within one push the create rule's answer is
// reused for mutations with the same values in the body fields the rule
// reads (see ruleMemo), so every mutation of a mixed queue must still get
// its own answer; and a rule that reads rows the push itself writes
// (@collection) is evaluated anew for each mutation.
func TestPush_CreateRuleInOnePush(t *testing.T) {
	t.Run("request-only rule", func(t *testing.T) {
		en := newEnv(t)
		muts := []mut{
			createReport("onepush00000001", volunteerA, nil),
			createReport("onepush00000002", volunteerB, nil),
			createReport("onepush00000003", volunteerA, map[string]any{"status": "verified"}),
			createReport("onepush00000004", volunteerA, map[string]any{"place": "Vorukh"}),
			createReport("onepush00000005", volunteerB, nil),
			createReport("onepush00000006", volunteerA, map[string]any{"public_summary": "x"}),
			createReport("onepush00000007", volunteerA, map[string]any{"status": "submitted"}),
			createReport("onepush00000008", volunteerA, map[string]any{"status": "verified"}),
		}
		want := []string{"applied", "rejected", "rejected", "applied", "rejected", "rejected", "applied", "rejected"}
		checkStatuses(t, en, en.push(volunteerA, "device-a", muts...), muts, want)
	})
	t.Run("rule reading the pushed rows", func(t *testing.T) {
		en := newEnv(t)
		c := mustCollection(t, en.app, "incident_reports")
		rule := *c.CreateRule + " && (@request.body.place = 'marker' || @collection.incident_reports.place ?= 'marker')"
		c.CreateRule = &rule
		if err := en.app.Save(c); err != nil {
			t.Fatal(err)
		}
		muts := []mut{
			createReport("onepush00000011", volunteerA, map[string]any{"place": "other"}),
			createReport("onepush00000012", volunteerA, map[string]any{"place": "marker"}),
			createReport("onepush00000013", volunteerA, map[string]any{"place": "other"}),
		}
		checkStatuses(t, en, en.push(volunteerA, "device-a", muts...), muts, []string{"rejected", "applied", "applied"})
	})
}

func checkStatuses(t *testing.T, en *env, results []pushResult, muts []mut, want []string) {
	t.Helper()
	for i, res := range results {
		exists := en.countRows("incident_reports", "id = {:id}", dbx.Params{"id": muts[i]["recordId"]}) == 1
		if res.Status != want[i] || exists != (want[i] == "applied") {
			t.Errorf("mutation %d: %s (record written: %v), want %s: %+v", i, res.Status, exists, want[i], res)
		}
	}
}

// TestPush_RejectedCarriesServerState: a refused mutation of an existing
// record answers with the record as the caller may see it and its rev, so
// the device rolls back to what the server holds (not to whatever it last
// pulled); a caller who may not see the record gets no record and rev 0,
// and a refused create has no server state. Each role's side.
func TestPush_RejectedCarriesServerState(t *testing.T) {
	en := newEnv(t)
	const pending, verified = "pendingreport01", "verifiedreport1"
	en.push(volunteerA, "device-a", createReport(pending, volunteerA, nil),
		createReport(verified, volunteerA, map[string]any{"anonymous": true}))
	verify(t, en, verified) // rev 3
	edit := func(id, recordID string, base int, data map[string]any) mut {
		return mut{"id": id, "collection": "incident_reports", "recordId": recordID, "baseRev": base, "data": data}
	}
	cases := []struct {
		name     string
		as       string
		m        mut
		code     string
		rev      int64  // 0: no record
		field    string // a field the record must hold as the server has it
		want     any
		reporter bool // the record shows its reporter
	}{
		{"volunteer edits own verified report", volunteerA, edit("a1", verified, 3, map[string]any{"description": "late edit"}),
			"sync_forbidden", 3, "status", "verified", true},
		{"volunteer sends an invalid value", volunteerA, edit("a2", pending, 1, map[string]any{"category": "nope"}),
			"sync_validation_failed", 1, "category", "gunfire", true},
		{"volunteer sends a value of the wrong type", volunteerA, edit("a4", pending, 1, map[string]any{"killed": "three"}),
			"sync_validation_failed", 1, "killed", float64(0), true},
		{"volunteer deletes own report", volunteerA, mut{"id": "a3", "collection": "incident_reports", "recordId": pending, "baseRev": 1, "delete": true},
			"sync_forbidden", 1, "description", "Shots heard at dawn near the canal.", true},
		{"volunteer creates as another", volunteerA, createReport("forgedreport001", volunteerB, nil),
			"sync_forbidden", 0, "", nil, false},
		{"other volunteer edits it", volunteerB, edit("b1", pending, 1, map[string]any{"description": "hijack"}),
			"sync_forbidden", 0, "", nil, false},
		{"editor edits a verified anonymous report", editor, edit("e1", verified, 3, map[string]any{"description": "edited"}),
			"sync_forbidden", 3, "description", "Shots heard at dawn near the canal.", false},
		{"coordinator edits content", coordinator, edit("c1", pending, 1, map[string]any{"description": "edited"}),
			"sync_forbidden", 1, "description", "Shots heard at dawn near the canal.", true},
		{"superuser sends an invalid value", superuser, edit("s1", verified, 3, map[string]any{"region": "nowhere"}),
			"sync_validation_failed", 3, "region", "sughd", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			first := en.push(tc.as, "device-"+tc.as, tc.m)[0]
			replay := en.push(tc.as, "device-"+tc.as, tc.m)[0]
			for _, res := range []pushResult{first, replay} {
				if res.Status != "rejected" || res.Error == nil || res.Error.Code != tc.code {
					t.Fatalf("result: %+v", res)
				}
				if res.Rev != tc.rev || (tc.rev == 0) != (res.Record == nil) {
					t.Fatalf("rev %d, record %v; want rev %d", res.Rev, res.Record, tc.rev)
				}
				if tc.rev == 0 {
					continue
				}
				if res.Record["id"] != tc.m["recordId"] || res.Record["rev"] != float64(tc.rev) || res.Record[tc.field] != tc.want {
					t.Fatalf("record %v: want %s = %v at rev %d", res.Record, tc.field, tc.want, tc.rev)
				}
				if shown := res.Record["reporter"] == volunteerA; shown != tc.reporter {
					t.Fatalf("reporter shown %v, want %v: %v", shown, tc.reporter, res.Record)
				}
			}
			kept, err := en.app.FindRecordById("sync_conflicts", first.Conflict)
			if err != nil {
				t.Fatal(err)
			}
			// coordinators read the evidence: it holds the record only for a
			// caller who may see it
			state := kept.GetString("server_state")
			if tc.rev > 0 && (kept.GetInt("server_rev") != int(tc.rev) || !strings.Contains(state, `"reporter":"`+volunteerA)) ||
				tc.rev == 0 && (strings.Contains(state, "reporter") || kept.GetInt("server_rev") != 0) {
				t.Fatalf("evidence: server_rev %d, server_state %s", kept.GetInt("server_rev"), state)
			}
		})
	}
	if got := en.field("incident_reports", pending, "description"); got != "Shots heard at dawn near the canal." {
		t.Fatalf("a refused edit was written: %v", got)
	}
	// an editor guessing the hidden reporter gets the same answer whether
	// the guess is right or wrong
	guess := func(id, reporter string) pushResult {
		return en.push(editor, "device-e", edit(id, verified, 3, map[string]any{"reporter": reporter}))[0]
	}
	right, wrong := guess("e2", volunteerA), guess("e3", volunteerB)
	right.ID, right.Conflict, wrong.ID, wrong.Conflict = "", "", "", ""
	r, _ := json.Marshal(right)
	w, _ := json.Marshal(wrong)
	if !bytes.Equal(r, w) || right.Record == nil {
		t.Fatalf("the answer depends on the guess:\nright %s\nwrong %s", r, w)
	}
}

// TestPush_Gzip: a push sent gzip-compressed (Content-Encoding: gzip) is
// applied exactly as the same push uncompressed, and its replay gets the
// stored answers.
func TestPush_Gzip(t *testing.T) {
	en := newEnv(t)
	muts := []mut{createReport("gzippedreport01", volunteerA, nil), createReport("gzippedreport02", volunteerA, nil)}
	raw, err := json.Marshal(map[string]any{"client": "device-a", "mutations": muts})
	if err != nil {
		t.Fatal(err)
	}
	var zipped bytes.Buffer
	zw := gzip.NewWriter(&zipped)
	_, _ = zw.Write(raw)
	_ = zw.Close()
	send := func() []pushResult {
		rec := en.raw(volunteerA, http.MethodPost, "/api/sync/v1/push", zipped.String(), "Content-Encoding", "gzip")
		var out struct{ Results []pushResult }
		if err := json.Unmarshal(rec.Body.Bytes(), &out); rec.Code != 200 || err != nil || len(out.Results) != 2 {
			t.Fatalf("gzip push: %d %.300s", rec.Code, rec.Body.String())
		}
		return out.Results
	}
	first, replay := send(), send()
	for i, res := range first {
		if res.Status != "applied" || res.Rev != 1 || res.Record["id"] != muts[i]["recordId"] || replay[i].Status != "applied" || replay[i].Rev != 1 {
			t.Fatalf("result %d: %+v, replay %+v", i, res, replay[i])
		}
	}
	if n := en.countRows("incident_reports", "id LIKE 'gzippedreport%'", nil); n != 2 {
		t.Fatalf("%d reports, want 2", n)
	}
}

// TestPush_BodyBudget: a push body is unpacked only once its size fits the
// budget of push bodies in flight; a client that leaves while it waits is
// answered 499 and nothing is written. Two Content-Encoding lines (gzip
// twice) are refused by name, not unpacked once.
func TestPush_BodyBudget(t *testing.T) {
	en := newEnv(t)
	body := map[string]any{"client": "device-a", "mutations": []mut{createReport("budgetreport001", volunteerA, nil)}}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rec := httptest.NewRecorder()
	en.mux.ServeHTTP(rec, en.request(volunteerA, http.MethodPost, "/api/sync/v1/push", body).WithContext(ctx))
	if rec.Code != 499 || !strings.Contains(rec.Body.String(), "sync_retry_later") {
		t.Fatalf("left while waiting: %d %s", rec.Code, rec.Body.String())
	}
	if n := en.countRows("incident_reports", "id = 'budgetreport001'", nil); n != 0 {
		t.Fatalf("%d reports written", n)
	}
	raw, _ := json.Marshal(body)
	var zipped bytes.Buffer
	zw := gzip.NewWriter(&zipped)
	_, _ = zw.Write(raw)
	_ = zw.Close()
	req := en.request(volunteerA, http.MethodPost, "/api/sync/v1/push", zipped.String())
	req.Header.Add("Content-Encoding", "gzip")
	req.Header.Add("Content-Encoding", "gzip")
	rec = httptest.NewRecorder()
	en.mux.ServeHTTP(rec, req)
	if rec.Code != http.StatusUnsupportedMediaType || !strings.Contains(rec.Body.String(), "sync_unsupported_encoding") {
		t.Fatalf("two encoding lines: %d %s", rec.Code, rec.Body.String())
	}
	if res := en.push(volunteerA, "device-a", body["mutations"].([]mut)...)[0]; res.Status != "applied" {
		t.Fatalf("the same push with room and one encoding: %+v", res)
	}
}

// TestPush_Brief: with brief=true, applied and merged results leave out the
// record (the device sent it; its next pull brings it), and keep their rev;
// a conflict and a rejection keep the server's state the device rolls back
// to. What is stored is the full result, so a replay answers in the form
// its own push asks for, and every replay of a brief push is identical.
func TestPush_Brief(t *testing.T) {
	en := newEnv(t)
	const other = "otherreport0001"
	en.push(volunteerA, "device-a", createReport(other, volunteerA, nil))
	if code, body := en.do(coordinator, http.MethodPatch, "/api/collections/incident_reports/records/"+other,
		map[string]any{"verification_note": "Called the district office."}); code != 200 {
		t.Fatalf("coordinator patch: %d %v", code, body)
	}
	if code, body := en.do(superuser, http.MethodPatch, "/api/collections/incident_reports/records/"+other,
		map[string]any{"description": "Corrected by the desk."}); code != 200 {
		t.Fatalf("superuser patch: %d %v", code, body)
	}
	muts := []mut{
		createReport(reportA, volunteerA, nil),
		{"id": "merge-1", "collection": "incident_reports", "recordId": other, "baseRev": 1,
			"data": map[string]any{"place": "Canal bridge"}},
		{"id": "conflict-1", "collection": "incident_reports", "recordId": other, "baseRev": 1,
			"data": map[string]any{"description": "My offline wording."}},
		{"id": "invalid-1", "collection": "incident_reports", "recordId": other, "baseRev": 3,
			"data": map[string]any{"category": "not-a-category"}},
	}
	push := func(query string) ([]pushResult, []byte) {
		t.Helper()
		rec := en.raw(volunteerA, http.MethodPost, "/api/sync/v1/push"+query, map[string]any{"client": "device-a", "mutations": muts})
		if rec.Code != http.StatusOK {
			t.Fatalf("push%s: %d %s", query, rec.Code, rec.Body.String())
		}
		var out struct {
			Results []pushResult `json:"results"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil || len(out.Results) != len(muts) {
			t.Fatalf("push%s: %s (%v)", query, rec.Body.String(), err)
		}
		return out.Results, rec.Body.Bytes()
	}
	want := []struct {
		status string
		rev    int64
		record bool
	}{{"applied", 1, false}, {"merged", 4, false}, {"conflict", 4, true}, {"rejected", 4, true}}
	check := func(query string, res []pushResult, brief bool) {
		t.Helper()
		for i, w := range want {
			r := res[i]
			hasRecord := r.Record != nil
			if r.Status != w.status || r.Rev != w.rev || r.RecordID != muts[i]["recordId"] || hasRecord != (w.record || !brief) {
				t.Fatalf("push%s, %s: %+v, want %s rev %d, a record: %v", query, muts[i]["id"], r, w.status, w.rev, w.record || !brief)
			}
			if hasRecord && r.Record["rev"] != float64(r.Rev) {
				t.Fatalf("push%s, %s: record of rev %v, result rev %d", query, muts[i]["id"], r.Record["rev"], r.Rev)
			}
		}
	}
	first, firstBody := push("?brief=true")
	check("?brief=true", first, true)
	if first[2].Record["description"] != "Corrected by the desk." || first[3].Record["category"] != "gunfire" {
		t.Fatalf("brief conflict or rejection without the server's state: %+v %+v", first[2], first[3])
	}
	full, fullBody := push("")
	check("", full, false)
	if full[0].Record["description"] != "Shots heard at dawn near the canal." || full[1].Record["place"] != "Canal bridge" {
		t.Fatalf("replay without brief: the stored records are not whole: %+v %+v", full[0], full[1])
	}
	off, _ := push("?brief=0")
	check("?brief=0", off, false)
	_, againBody := push("?brief=1")
	if !bytes.Equal(firstBody, againBody) {
		t.Fatalf("brief replays differ:\n%s\n%s", firstBody, againBody)
	}
	left := 0
	for _, r := range full[:2] {
		raw, _ := json.Marshal(r.Record)
		left += len(raw)
	}
	if saved := len(fullBody) - len(firstBody); saved < left*9/10 {
		t.Fatalf("brief answer %d bytes, full %d: %d saved, the two records are %d", len(firstBody), len(fullBody), saved, left)
	}
	if n := en.countRows("_aman_changes", "record_id = {:id}", dbx.Params{"id": reportA}); n != 1 {
		t.Fatalf("writes of the create logged: %d, want 1", n)
	}

	// a mutation sent twice in one brief push is answered twice alike (the
	// second from the result stored a moment before); a delete's result
	// has no record either way
	const twice = "briefreporttwic"
	dup := createReport(twice, volunteerA, nil)
	rec := en.raw(volunteerA, http.MethodPost, "/api/sync/v1/push?brief=1", map[string]any{"client": "device-a", "mutations": []mut{dup, dup}})
	var raw struct {
		Results []json.RawMessage `json:"results"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &raw); err != nil || rec.Code != 200 || len(raw.Results) != 2 {
		t.Fatalf("push of one mutation twice: %d %s", rec.Code, rec.Body.String())
	}
	if !bytes.Equal(raw.Results[0], raw.Results[1]) || bytes.Contains(raw.Results[0], []byte(`"record"`)) ||
		!bytes.Contains(raw.Results[0], []byte(`"status":"applied"`)) {
		t.Fatalf("one mutation twice, brief: %s / %s", raw.Results[0], raw.Results[1])
	}
	del := mut{"id": "brief-delete", "collection": "incident_reports", "recordId": twice, "baseRev": 1, "delete": true}
	rec = en.raw(superuser, http.MethodPost, "/api/sync/v1/push?brief=true", map[string]any{"client": "device-s", "mutations": []mut{del}})
	if rec.Code != 200 || !bytes.Contains(rec.Body.Bytes(), []byte(`"status":"applied"`)) ||
		!bytes.Contains(rec.Body.Bytes(), []byte(`"deleted":true`)) || bytes.Contains(rec.Body.Bytes(), []byte(`"record"`)) {
		t.Fatalf("brief delete: %d %s", rec.Code, rec.Body.String())
	}
}

// TestPush_PublishedTextStaysOnRecord: the editorial workflow holds on the
// sync path too. An editor's phone cannot unpublish an update into a draft
// and delete it, in one push or two; the workflow's code reaches the phone
// under the status field, and the update stays published.
func TestPush_PublishedTextStaysOnRecord(t *testing.T) {
	en := newEnv(t)
	const id = "updatepublishd1"
	if r := en.push(editor, "device-e", publishedUpdate(id, "Road to Vorukh open"))[0]; r.Status != "applied" {
		t.Fatalf("setup: %+v", r)
	}
	res := en.push(editor, "device-e",
		mut{"id": "d1", "collection": "updates", "recordId": id, "baseRev": 1, "data": map[string]any{"status": "draft"}},
		mut{"id": "d2", "collection": "updates", "recordId": id, "baseRev": 2, "delete": true},
	)
	if r := res[0]; r.Status != "rejected" || r.Error == nil || r.Error.Fields["status"] == nil ||
		!strings.Contains(fmt.Sprint(r.Error.Fields["status"]), "workflow_invalid_transition") {
		t.Fatalf("unpublish: %+v %+v", r, r.Error)
	}
	if r := res[1]; r.Status == "applied" {
		t.Fatalf("delete of a published update applied: %+v", r)
	}
	stored, err := en.app.FindRecordById("updates", id)
	if err != nil || stored.GetString("status") != "published" {
		t.Fatalf("after the push: %v %v", stored, err)
	}
}

// TestPush_VerifierNamesThemselves: through push as through REST, whoever
// sets a report verified names themselves in the same mutation; a name a
// colleague left in verified_by does not complete it (docs/workflow.md).
func TestPush_VerifierNamesThemselves(t *testing.T) {
	en := newEnv(t)
	const id = "verifyself00001"
	en.push(volunteerA, "device-a", createReport(id, volunteerA, nil))
	en.setField("incident_reports", id, "status", "in_review")
	en.setField("incident_reports", id, "verified_by", editor) // rev 3
	verify := func(mutationID string, extra map[string]any) pushResult {
		data := map[string]any{"status": "verified", "verified_at": "2026-11-26 09:00:00.000Z", "verification_note": "Two witnesses."}
		for k, v := range extra {
			data[k] = v
		}
		return en.push(coordinator, "device-c", mut{"id": mutationID, "collection": "incident_reports", "recordId": id, "baseRev": 3, "data": data})[0]
	}
	if res := verify("v1", nil); res.Status != "rejected" || res.Error == nil || res.Error.Code != "sync_forbidden" {
		t.Fatalf("verified under a colleague's name: %+v", res)
	}
	if r, _ := en.app.FindRecordById("incident_reports", id); r.GetString("status") != "in_review" {
		t.Fatalf("stored status %q", r.GetString("status"))
	}
	if res := verify("v2", map[string]any{"verified_by": coordinator}); res.Status != "applied" || res.Record["verified_by"] != coordinator {
		t.Fatalf("verified as themselves: %+v", res)
	}
}

// TestPush_KeepsStampedPublishedAt: a phone that sends its whole document (docs/sync.md: "a client may send
// its whole document") queues, offline, the publication of its draft and a
// fix of its body: both carry the published_at it holds, empty. The server
// stamps published_at on the publication (workflow), and the fix, from the
// same device and so merged as no news to it, must not clear the stamp:
// an empty published_at sorts the text below every other, as a draft.
func TestPush_KeepsStampedPublishedAt(t *testing.T) {
	en := newEnv(t)
	doc := func(status, body string) map[string]any {
		return map[string]any{"title": "Checkpoint closed", "body": body, "language": "en",
			"status": status, "published_at": "", "author": editor}
	}
	const id = "offlinepublish1"
	if r := en.push(editor, "device-e", mut{"id": "create", "collection": "updates", "recordId": id,
		"data": doc("draft", "Draft")})[0]; r.Status != "applied" {
		t.Fatalf("create: %+v", r)
	}
	res := en.push(editor, "device-e",
		mut{"id": "publish", "collection": "updates", "recordId": id, "baseRev": 1, "data": doc("published", "Draft")},
		mut{"id": "fix", "collection": "updates", "recordId": id, "baseRev": 1, "data": doc("published", "Fixed")})
	for _, r := range res {
		if r.Status != "applied" && r.Status != "merged" {
			t.Fatalf("push: %+v", r)
		}
	}
	rec, err := en.app.FindRecordById("updates", id)
	if err != nil {
		t.Fatal(err)
	}
	if rec.GetString("status") != "published" || rec.GetString("body") != "Fixed" || rec.GetDateTime("published_at").IsZero() {
		t.Fatalf("status %q, body %q, published_at %q: the later edit cleared the stamp",
			rec.GetString("status"), rec.GetString("body"), rec.GetString("published_at"))
	}
}
