package syncapi_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"

	"aman/changelog"
	"aman/syncapi/wire"
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
			editAt1("aid_requests", linkedAid, map[string]any{"related_incident": anonReport, "notes": "call first"}),
		}, "rejected", "sync_forbidden", 1},
		{"volunteer guesses who verified its report", volunteerA, []mut{
			edit("incident_reports", namedReport, map[string]any{"verified_by": ""}),
			edit("incident_reports", namedReport, map[string]any{"verified_by": coordinator}),
		}, "rejected", "sync_forbidden", 1},
		{"a coordinator clears a link it may not see", coordinator, []mut{
			editAt1("aid_requests", linkedAid, map[string]any{"related_incident": ""}),
		}, "applied", "", 2},
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

// The history and the sync conflicts of an aid request hide a link to an
// anonymous report by its value, not by the request's link now: once the
// requester changed the link, the old value must stay hidden from a
// coordinator, in every history row, and in a conflict's data and
// server_state, whether the conflict was filed before or after.
func TestHistoryAndConflicts_HideOldLinks(t *testing.T) {
	en := oracleEnv(t)
	// a coordinator's refused edit files a conflict while the link stands
	before := en.push(coordinator, "device-c", mut{"id": "c1", "collection": "aid_requests", "recordId": linkedAid,
		"baseRev": 1, "data": map[string]any{"related_incident": namedReport}})[0]
	// a rejected edit of the requester names the anonymous report in its data
	rejected := en.push(volunteerA, "device-a", mut{"id": "a2", "collection": "aid_requests", "recordId": linkedAid,
		"baseRev": 1, "data": map[string]any{"related_incident": anonReport, "contact_phone": "call me"}})[0]
	// the requester unlinks: the link is no longer hidden on the record
	unlink := en.push(volunteerA, "device-a", mut{"id": "a3", "collection": "aid_requests", "recordId": linkedAid,
		"baseRev": 1, "data": map[string]any{"related_incident": ""}})[0]
	if before.Conflict == "" || rejected.Status != "rejected" || rejected.Conflict == "" || unlink.Status != "applied" {
		t.Fatalf("setup: %+v / %+v / %+v", before, rejected, unlink)
	}
	code, hist := en.do(coordinator, "GET", "/api/collections/record_history/records?filter=record_id='"+linkedAid+"'&sort=rev", nil)
	items, _ := hist["items"].([]any)
	if code != 200 || len(items) != 2 {
		t.Fatalf("history: %d %v", code, hist)
	}
	for _, it := range items {
		diff, _ := it.(map[string]any)["diff"].(map[string]any)
		if fmt.Sprint(diff["related_incident"]) != "map[hidden:true]" {
			t.Errorf("rev %v shows the old link to a coordinator: %v", it.(map[string]any)["rev"], diff["related_incident"])
		}
	}
	for _, id := range []string{before.Conflict, rejected.Conflict} {
		code, row := en.do(coordinator, "GET", "/api/collections/sync_conflicts/records/"+id, nil)
		if code != 200 {
			t.Fatalf("conflict %s: %d %v", id, code, row)
		}
		for _, col := range []string{"data", "server_state"} {
			m, _ := row[col].(map[string]any)
			if m["related_incident"] == anonReport {
				t.Errorf("conflict %s: %s.related_incident = %v shown to a coordinator", id, col, anonReport)
			}
		}
	}
	// a superuser still sees it
	_, all := en.do(superuser, "GET", "/api/collections/record_history/records?filter=record_id='"+linkedAid+"'&sort=rev", nil)
	if items, _ := all["items"].([]any); len(items) != 2 || fmt.Sprint(items[1].(map[string]any)["diff"]) != "map[related_incident:map[new: old:"+anonReport+"]]" {
		t.Errorf("a superuser's history: %v", all["items"])
	}
}

// A mutation refused before it was dispatched (a modifier key) is filed
// under its collection's own name, however the client spelled it: the
// review rule and the privacy redaction read that name.
func TestConflicts_FiledUnderTheCollectionsName(t *testing.T) {
	scenarios := []struct {
		name, as, collection, want string
		data                       map[string]any
		coordinatorSees            bool
	}{
		{"an editor's draft, upper case", editor, "UPDATES", "updates",
			map[string]any{"title": "Draft: unconfirmed casualties", "body": "x", "language": "en", "status": "draft", "author": editor, "related_incidents+": []string{}}, false},
		{"an anonymous report, mixed case", volunteerA, "Incident_Reports", "incident_reports",
			report(volunteerA, map[string]any{"anonymous": true, "photos+": []string{}}), true},
		{"a collection by id", volunteerA, "aman_incident_reports", "incident_reports",
			report(volunteerA, map[string]any{"photos+": []string{}}), true},
		// the review rule lists the field work's collections: whatever else a
		// client pushes to is kept for superusers alone
		{"an unknown collection", volunteerA, "no_such_things", "no_such_things", map[string]any{"x+": 1}, false},
		{"the users, as an editor's app might", editor, "Users", "users",
			map[string]any{"email": "editor@example.org", "password": "not-kept-1", "passwordConfirm": "not-kept-1",
				"oldPassword": "not-kept-2", "tokenKey": "not-kept-3", "PASSWORD": "not-kept-4", "Password+": "not-kept-5",
				"TOKENKEY": "not-kept-6"}, false},
		{"the one-time passwords", volunteerA, "_otps", "_otps", map[string]any{"password": "not-kept-1", "recordRef": "x"}, false},
		// a view takes no writes, and its evidence is not redacted as a report's
		{"the public incidents", volunteerA, "public_incidents", "public_incidents",
			map[string]any{"reporter": volunteerA, "anonymous": true}, false},
		{"the superusers", volunteerA, "_superusers", "_superusers",
			map[string]any{"email": "x@example.org", "password+": "not-kept-1"}, false},
		{"an appeal", volunteerA, "appeals", "appeals", map[string]any{"title": "x"}, false},
		{"an organization", volunteerA, "organizations", "organizations", map[string]any{"name": "x"}, true},
	}
	for i, s := range scenarios {
		t.Run(fmt.Sprintf("%d_%s", i, s.name), func(t *testing.T) {
			en := newEnv(t)
			r := en.push(s.as, "device-x", mut{"id": "m1", "collection": s.collection, "recordId": "refused00000001", "baseRev": nil, "data": s.data})[0]
			if r.Status != "rejected" || r.Conflict == "" {
				t.Fatalf("result %+v, want a rejection on file", r)
			}
			_, row := en.do(superuser, "GET", "/api/collections/sync_conflicts/records/"+r.Conflict, nil)
			if row["collection"] != s.want {
				t.Fatalf("filed under %v, want %s", row["collection"], s.want)
			}
			// an auth collection's secrets are not kept, even for superusers
			if kept := fmt.Sprint(row["data"]); strings.Contains(kept, "not-kept") ||
				(s.data["email"] != nil && !strings.Contains(kept, fmt.Sprint(s.data["email"]))) {
				t.Fatalf("the evidence kept: %s", kept)
			}
			code, row := en.do(coordinator, "GET", "/api/collections/sync_conflicts/records/"+r.Conflict, nil)
			if (code == 200) != s.coordinatorSees {
				t.Fatalf("a coordinator reads it: %d, want visible %v", code, s.coordinatorSees)
			}
			if data, _ := row["data"].(map[string]any); code == 200 && s.data["anonymous"] == true && (data["reporter"] != nil || row["user"] != "") {
				t.Fatalf("an anonymous report's refused create names its reporter: user %v, data %v", row["user"], data)
			}
		})
	}
}

// Pruned history tells no ids. A checkpoint below pruned history resets
// ("expired"), a made-up one too; above it, a record whose changes before
// the checkpoint were pruned is judged on the state its later changes
// undone give, not taken for one the device may hold: volunteer B never
// saw A's report and hears nothing of A's edit.
func TestPull_PrunedHistoryTellsNoIDs(t *testing.T) {
	en := oracleEnv(t)
	first := en.pull(volunteerB, "incident_reports,aid_requests", "", 0)
	if len(first.Changes) != 0 || first.Checkpoint == "" {
		t.Fatalf("B's first pull: %+v", first)
	}
	// A's records were written a year and more ago; the history is pruned
	old := time.Now().Add(-400 * 24 * time.Hour).UTC().Format("2006-01-02 15:04:05.000Z")
	if _, err := en.app.DB().NewQuery("UPDATE _aman_changes SET at = {:at}").Bind(dbx.Params{"at": old}).Execute(); err != nil {
		t.Fatal(err)
	}
	res, err := changelog.Prune(en.app, changelog.DefaultConfig(), time.Now())
	if err != nil || res.History < 3 {
		t.Fatalf("prune: %+v %v", res, err)
	}
	edit := en.push(volunteerA, "device-a", mut{"id": "later", "collection": "incident_reports", "recordId": namedReport,
		"baseRev": 1, "data": map[string]any{"description": "Edited a year later."}})[0]
	if edit.Status != "applied" || edit.Rev != 2 {
		t.Fatalf("edit: %+v", edit)
	}
	if p := en.pull(volunteerB, "incident_reports,aid_requests", first.Checkpoint, 0); p.Reset || len(p.Changes) != 0 {
		t.Fatalf("B's pull from its checkpoint: %+v, want nothing", p)
	}
	cp, ok := wire.DecodeCheckpoint(first.Checkpoint)
	if !ok {
		t.Fatal("decode checkpoint")
	}
	cp.Seq = 1
	if p := en.pull(volunteerB, "incident_reports,aid_requests", cp.Encode(), 0); !p.Reset || p.Reason != "expired" || len(p.Changes) != 0 {
		t.Fatalf("B's pull from a made-up position: %+v, want reset expired", p)
	}
}

// A create the rules refuse is refused whatever its id: a volunteer may not
// tell a hidden draft's id from a free one (REST answers both 400 alike).
func TestPush_RefusedCreateTellsNoID(t *testing.T) {
	en := oracleEnv(t)
	draft := publishedUpdate("draftupd0000001", "Draft: unconfirmed")
	draft["data"].(map[string]any)["status"] = "draft"
	if r := en.push(editor, "device-e", draft)[0]; r.Status != "applied" {
		t.Fatalf("draft: %+v", r)
	}
	var codes []string
	for _, id := range []string{"draftupd0000001", "freeid000000001"} {
		r := en.push(volunteerA, "device-a", mut{"id": "p-" + id, "collection": "updates", "recordId": id, "baseRev": nil,
			"data": map[string]any{"title": "x", "body": "y", "language": "en", "author": volunteerA}})[0]
		if r.Status != "rejected" || r.Error == nil {
			t.Fatalf("%s: %+v", id, r)
		}
		codes = append(codes, r.Error.Code)
	}
	if codes[0] != codes[1] || codes[0] != "sync_forbidden" {
		t.Fatalf("a hidden draft's id answered %s, a free one %s; want sync_forbidden for both", codes[0], codes[1])
	}
}

// A replayed result holds of its record only what the caller may see now:
// results are kept 90 days, and a coordinator made a volunteer again, or a
// report made anonymous since, must not get back what it no longer sees.
// A replay that loses nothing is the stored bytes.
func TestPush_ReplayShowsWhatTheCallerSeesNow(t *testing.T) {
	en := oracleEnv(t)
	notes := mut{"id": "notes", "collection": "aid_requests", "recordId": linkedAid, "baseRev": 1, "data": map[string]any{"notes": "call first"}}
	review := mut{"id": "review", "collection": "incident_reports", "recordId": namedReport, "baseRev": 1, "data": map[string]any{"status": "in_review"}}
	first := en.raw(coordinator, "POST", "/api/sync/v1/push", pushOf("device-c", notes, review))
	again := en.raw(coordinator, "POST", "/api/sync/v1/push", pushOf("device-c", notes, review))
	if first.Code != 200 || !strings.Contains(first.Body.String(), "+992 900 111 222") || !strings.Contains(first.Body.String(), `"reporter":"`+volunteerA) {
		t.Fatalf("first push: %d %.500s", first.Code, first.Body.String())
	}
	if !bytes.Equal(resultsOf(t, again.Body.Bytes()), resultsOf(t, first.Body.Bytes())) {
		t.Fatalf("a replay that loses nothing differs:\n%s\n%s", first.Body.String(), again.Body.String())
	}
	en.setField("incident_reports", namedReport, "anonymous", true)
	res := en.push(coordinator, "device-c", notes, review)
	if res[0].Record == nil || res[1].Record == nil || res[1].Record["reporter"] != nil || res[1].Record["status"] != "in_review" {
		t.Fatalf("replay after the report turned anonymous: %+v / %+v", res[0], res[1])
	}
	en.setField("users", coordinator, "role", "volunteer")
	res = en.push(coordinator, "device-c", notes, review)
	for _, r := range res {
		if r.Status != "applied" || r.Record != nil {
			t.Fatalf("replay after the coordinator was made a volunteer: %+v", r)
		}
	}
}

// A replay hides a value the caller may no longer see even where its field
// is not hidden now: the link a coordinator set to a named report, once
// that report turned anonymous and the link moved on, as history and
// conflicts hide it.
func TestPush_ReplayHidesOldLinks(t *testing.T) {
	en := oracleEnv(t)
	// from the anonymous report, whose link the coordinator may not change
	en.setField("aid_requests", linkedAid, "related_incident", "")
	link := mut{"id": "link", "collection": "aid_requests", "recordId": linkedAid, "baseRev": 2,
		"data": map[string]any{"related_incident": namedReport}}
	first := en.push(coordinator, "device-c", link)[0]
	if first.Status != "applied" || first.Record["related_incident"] != namedReport {
		t.Fatalf("setup: %+v", first)
	}
	en.setField("incident_reports", namedReport, "anonymous", true)
	en.setField("aid_requests", linkedAid, "related_incident", "")
	again := en.push(coordinator, "device-c", link)[0]
	if again.Status != "applied" || again.Rev != first.Rev || again.Record == nil {
		t.Fatalf("replay: %+v", again)
	}
	if v, ok := again.Record["related_incident"]; ok {
		t.Fatalf("the replay shows the old link to a report now anonymous: %v", v)
	}
	if again.Record["notes"] != first.Record["notes"] || again.Record["id"] != linkedAid {
		t.Fatalf("the replay lost what the coordinator still sees: %+v", again.Record)
	}
}

// A replay is judged on the record its stored result is about, not on the
// collection the replayed mutation names: a coordinator made a volunteer
// again, who owns a report with the same id as an aid request they once
// acknowledged, sends that mutation again under incident_reports and must
// not get back the beneficiary's name and phone.
func TestPush_ReplayUnderAnotherCollection(t *testing.T) {
	en := newEnv(t)
	const id = "aidswap00000001"
	acknowledgedAid(en, id)
	en.setField("users", coordinator, "role", "volunteer")
	if res := en.push(coordinator, "phone-c", createReport(id, coordinator, nil)); res[0].Status != "applied" {
		t.Fatalf("the ex-coordinator's own report under the same id: %+v", res[0])
	}
	for _, collection := range []string{"aid_requests", "incident_reports"} {
		swapped := mut{"id": "ack-1", "collection": collection, "recordId": id, "baseRev": 1, "data": map[string]any{"status": "acknowledged"}}
		res := en.push(coordinator, "phone-c", swapped)
		if res[0].Status != "applied" || res[0].Record != nil {
			t.Fatalf("replayed under %s, a volunteer gets the aid request back: %+v", collection, res[0])
		}
	}
}

// TestPush_ReplayOfAnEarlierLife: a replay is judged on the record of the
// stored result's own life. A coordinator acknowledged an aid request (the
// stored result holds the beneficiary's name and phone); a superuser
// deleted it and made them a volunteer again; they create an aid request of
// their own under its id (ids are the client's to choose) and send the old
// acknowledgement again: the stored record is gone, not theirs.
func TestPush_ReplayOfAnEarlierLife(t *testing.T) {
	en := newEnv(t)
	const id = "replaylife00001"
	ack := acknowledgedAid(en, id)
	if again := en.push(coordinator, "phone-c", ack); again[0].Record["contact_phone"] != "+992 900 555 666" {
		t.Fatalf("a replay in the same life keeps what the coordinator sees: %+v", again[0].Record)
	}
	if code, _ := en.do(superuser, "DELETE", "/api/collections/aid_requests/records/"+id, nil); code != 204 {
		t.Fatalf("superuser delete: %d", code)
	}
	en.setField("users", coordinator, "role", "volunteer")
	own := mut{"id": "aid-own", "collection": "aid_requests", "recordId": id, "baseRev": nil,
		"data": map[string]any{"requester": coordinator, "beneficiary_name": "Me", "contact_phone": "+992 000",
			"region": "sughd", "needs": []string{"food"}, "urgency": "high"}}
	if res := en.push(coordinator, "phone-c", own); res[0].Status != "applied" {
		t.Fatalf("the ex-coordinator's own aid request under the same id: %+v %+v", res[0], res[0].Error)
	}
	again := en.push(coordinator, "phone-c", ack)
	if again[0].ID != "ack-1" || again[0].Record["contact_phone"] == "+992 900 555 666" || again[0].Record["beneficiary_name"] == "Zarina" {
		t.Fatalf("a volunteer gets a deleted aid request's beneficiary back by replaying: %+v", again[0])
	}
}

// acknowledgedAid has volunteerA's phone create aid request id (the
// beneficiary Zarina, +992 900 555 666) and the coordinator's phone
// acknowledge it; it returns the acknowledgement, to be sent again.
func acknowledgedAid(en *env, id string) mut {
	en.t.Helper()
	res := en.push(volunteerA, "phone-a", mut{"id": "aid-1", "collection": "aid_requests", "recordId": id, "baseRev": nil,
		"data": map[string]any{"requester": volunteerA, "beneficiary_name": "Zarina", "contact_phone": "+992 900 555 666",
			"region": "sughd", "needs": []string{"medical"}, "urgency": "high"}})
	if res[0].Status != "applied" {
		en.t.Fatalf("setup: %+v", res[0])
	}
	ack := mut{"id": "ack-1", "collection": "aid_requests", "recordId": id, "baseRev": 1, "data": map[string]any{"status": "acknowledged"}}
	if res := en.push(coordinator, "phone-c", ack); res[0].Status != "applied" || res[0].Record["contact_phone"] != "+992 900 555 666" {
		en.t.Fatalf("acknowledge: %+v", res[0])
	}
	return ack
}

// The mutation id of an anonymous report's refused create is not shown to
// a coordinator. Clients choose mutation ids, and the reference adapter
// (e2e/lib/rx-device.js, toMutation) takes the first 32 hex digits of the
// SHA-256 of the mutation's JSON, whose data holds the reporter: with the
// user and the reporter blanked, a coordinator still found the reporter by
// hashing the evidence they read with each user they list in turn.
func TestConflicts_AnonymousCreateKeepsItsMutationID(t *testing.T) {
	en := newEnv(t)
	const id = "anonrefused0001"
	// the adapter's JSON.stringify of {collection, recordId, baseRev, data, delete},
	// data in the app's field order
	mutationJSON := func(reporter string) string {
		return `{"collection":"incident_reports","recordId":"` + id + `","baseRev":null,"data":{"reporter":"` + reporter +
			`","anonymous":true,"occurred_at":"2026-11-25 10:00:00.000Z","region":"sughd","category":"not_a_category",` +
			`"description":"Shots heard at dawn near the canal."},"delete":false}`
	}
	hashID := func(reporter string) string {
		sum := sha256.Sum256([]byte(mutationJSON(reporter)))
		return hex.EncodeToString(sum[:])[:32]
	}
	var m mut
	if err := json.Unmarshal([]byte(mutationJSON(volunteerA)), &m); err != nil {
		t.Fatal(err)
	}
	m["id"] = hashID(volunteerA)
	r := en.push(volunteerA, "device-a", m)[0]
	if r.Status != "rejected" || r.Conflict == "" {
		t.Fatalf("result %+v, want a rejection on file", r)
	}
	code, row := en.do(coordinator, "GET", "/api/collections/sync_conflicts/records/"+r.Conflict, nil)
	if code != 200 || row["user"] != "" || row["client"] != "" {
		t.Fatalf("a coordinator's view: %d %v", code, row)
	}
	for _, candidate := range []string{volunteerA, volunteerB, coordinator, editor} {
		if row["mutation_id"] == hashID(candidate) {
			t.Fatalf("the mutation id names the reporter: %v is the hash of the evidence with %s", row["mutation_id"], candidate)
		}
	}
	if code, _ := en.do(coordinator, "GET", "/api/collections/sync_conflicts/records?filter="+
		url.QueryEscape("mutation_id = '"+hashID(volunteerA)+"'"), nil); code != 400 {
		t.Fatalf("a coordinator's filter by mutation id: %d, want 400", code)
	}
	if _, row := en.do(superuser, "GET", "/api/collections/sync_conflicts/records/"+r.Conflict, nil); row["mutation_id"] != hashID(volunteerA) {
		t.Fatalf("a superuser's view: %v", row["mutation_id"])
	}
}
