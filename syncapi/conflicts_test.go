package syncapi_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/subscriptions"

	"aman/changelog"
)

// TestConflicts_Access: coordinators and superusers list and resolve the
// sync_conflicts of reports; volunteers and editors see none; the evidence cannot be
// rewritten and nobody creates or deletes them through the API.
func TestConflicts_Access(t *testing.T) {
	en := newEnv(t)
	en.push(volunteerA, "device-a", createReport(reportA, volunteerA, nil))
	res := en.push(volunteerB, "device-b", mut{"id": "b1", "collection": "incident_reports", "recordId": reportA,
		"baseRev": 1, "data": map[string]any{"description": "hijack"}})[0]
	if res.Status != "rejected" || res.Conflict == "" {
		t.Fatalf("%+v", res)
	}
	list := "/api/collections/sync_conflicts/records"
	one := list + "/" + res.Conflict
	for _, as := range []string{volunteerA, volunteerB, editor, anonymous} {
		if code, body := en.do(as, http.MethodGet, list, nil); code != 200 || body["totalItems"] != float64(0) {
			t.Fatalf("list as %q: %d %v", as, code, body)
		}
		if code, _ := en.do(as, http.MethodPatch, one, map[string]any{"status": "resolved"}); code != 404 {
			t.Fatalf("resolve as %q: %d", as, code)
		}
	}
	for _, as := range []string{coordinator, superuser} {
		code, body := en.do(as, http.MethodGet, list, nil)
		if code != 200 || body["totalItems"] != float64(1) {
			t.Fatalf("list as %s: %d %v", as, code, body)
		}
	}
	if code, _ := en.do(coordinator, http.MethodPatch, one, map[string]any{"data": map[string]any{"x": 1}}); code != 404 {
		t.Fatalf("evidence rewritten: %d", code)
	}
	if code, _ := en.do(coordinator, http.MethodPatch, one, map[string]any{"resolved_by": editor}); code != 404 {
		t.Fatalf("resolved_by someone else: %d", code)
	}
	code, body := en.do(coordinator, http.MethodPatch, one, map[string]any{
		"status": "resolved", "resolution": "Not B's report; ignored.", "resolved_by": coordinator})
	if code != 200 || body["status"] != "resolved" || !strings.Contains(body["data"].(map[string]any)["description"].(string), "hijack") {
		t.Fatalf("resolve: %d %v", code, body)
	}
	if code, _ := en.do(coordinator, http.MethodPost, list, map[string]any{"client": "x", "mutation_id": "y",
		"collection": "updates", "kind": "conflict", "status": "open"}); code != 403 {
		t.Fatalf("create: %d", code)
	}
	if code, _ := en.do(coordinator, http.MethodDelete, one, nil); code != 403 {
		t.Fatalf("delete: %d", code)
	}
}

// TestReview_Domains: the conflicts and the history of a record go to the
// reviewers of its collection. A draft update's wording, refused or
// overwritten, reaches editors and superusers, never a coordinator (who
// may not read drafts); a report's reaches coordinators and superusers,
// never an editor. Volunteers and anonymous callers see neither.
func TestReview_Domains(t *testing.T) {
	en := newEnv(t)
	const update = "updateaaaaaaaa1"
	draft := publishedUpdate(update, "Draft: shelling reported in Vorukh")
	draft["data"].(map[string]any)["status"] = "draft"
	en.push(editor, "device-e", draft)
	if code, _ := en.do(superuser, http.MethodPatch, "/api/collections/updates/records/"+update,
		map[string]any{"title": "Draft: unconfirmed reports from Vorukh"}); code != 200 {
		t.Fatal("superuser patch")
	}
	// the collection as the client spells it: push finds it in any case
	upd := en.push(editor, "device-e", mut{"id": "u1", "collection": "UPDATES", "recordId": update, "baseRev": 1,
		"data": map[string]any{"title": "Draft: unverified rumour of shelling"}})[0]
	en.push(volunteerA, "device-a", createReport(reportA, volunteerA, nil))
	rep := en.push(volunteerB, "device-b", mut{"id": "b1", "collection": "incident_reports", "recordId": reportA,
		"baseRev": 1, "data": map[string]any{"description": "hijack"}})[0]
	if upd.Status != "conflict" || upd.Conflict == "" || rep.Status != "rejected" || rep.Conflict == "" {
		t.Fatalf("setup: %+v %+v", upd, rep)
	}

	conflicts := "/api/collections/sync_conflicts/records"
	if _, body := en.do(superuser, http.MethodGet, conflicts+"/"+upd.Conflict, nil); body["collection"] != "updates" {
		t.Fatalf("a conflict keeps the collection's own name: %v", body["collection"])
	}
	history := "/api/collections/record_history/records"
	scenarios := []struct {
		as                 string
		conflictsOf        []string // record ids whose conflicts the caller lists
		historyOf          []string // record ids whose history the caller lists
		resolves, resolveN int      // status of resolving the update's and the report's conflict
	}{
		{anonymous, nil, nil, 404, 404},
		{volunteerA, nil, nil, 404, 404},
		{volunteerB, nil, nil, 404, 404},
		{coordinator, []string{reportA}, []string{reportA}, 404, 200},
		{editor, []string{update}, []string{update}, 200, 404},
		{superuser, []string{reportA, update}, []string{reportA, update}, 200, 200},
	}
	for _, s := range scenarios {
		for _, l := range []struct {
			url  string
			want []string
		}{{conflicts, s.conflictsOf}, {history, s.historyOf}} {
			rec := en.raw(s.as, http.MethodGet, l.url+"?perPage=200", nil)
			body := rec.Body.String()
			if rec.Code != 200 {
				t.Fatalf("%s as %q: %d %s", l.url, s.as, rec.Code, body)
			}
			for _, id := range []string{reportA, update} {
				if want := slices.Contains(l.want, id); strings.Contains(body, id) != want {
					t.Fatalf("%s as %q: lists %s = %v, want %v: %s", l.url, s.as, id, !want, want, body)
				}
			}
			if slices.Contains(l.want, update) != strings.Contains(body, "unverified rumour") && l.url == conflicts {
				t.Fatalf("%s as %q: the refused draft wording: %s", l.url, s.as, body)
			}
		}
	}
	// each domain's reviewers resolve its conflicts; the others cannot
	for _, s := range scenarios {
		for _, c := range []struct {
			id   string
			want int
		}{{upd.Conflict, s.resolves}, {rep.Conflict, s.resolveN}} {
			body := map[string]any{"status": "open"}
			if s.as != anonymous && s.as != superuser {
				body["resolved_by"] = s.as
			}
			if code, _ := en.do(s.as, http.MethodPatch, conflicts+"/"+c.id, body); code != c.want {
				t.Fatalf("resolve %s as %q: %d, want %d", c.id, s.as, code, c.want)
			}
		}
	}
}

// TestHistory: record_history shows who changed which field from what to
// what, to coordinators (all) and editors (updates and fact-checks only).
func TestHistory(t *testing.T) {
	en := newEnv(t)
	en.push(volunteerA, "device-a", createReport(reportA, volunteerA, nil))
	en.push(volunteerA, "device-a", mut{"id": "e", "collection": "incident_reports", "recordId": reportA, "baseRev": 1,
		"data": map[string]any{"injured": 4}})
	en.push(editor, "device-e", publishedUpdate("updateaaaaaaaa1", "Checked"))

	url := "/api/collections/record_history/records?sort=seq&filter=" + "record_id%3D%27" + reportA + "%27"
	code, body := en.do(coordinator, http.MethodGet, url, nil)
	items, _ := body["items"].([]any)
	if code != 200 || len(items) != 2 {
		t.Fatalf("coordinator: %d %v", code, body)
	}
	edit := items[1].(map[string]any)
	diff, _ := edit["diff"].(map[string]any)
	injured, _ := diff["injured"].(map[string]any)
	if edit["rev"] != float64(2) || edit["actor"] != volunteerA ||
		injured["old"] != float64(0) || injured["new"] != float64(4) || len(diff) != 1 {
		t.Fatalf("edit entry: %v", edit)
	}
	_, body = en.do(superuser, http.MethodGet, url, nil)
	if items, _ := body["items"].([]any); len(items) != 2 || items[1].(map[string]any)["actor"] != volunteerA ||
		items[1].(map[string]any)["actor_collection"] != "users" {
		t.Fatalf("superuser: %v", body)
	}
	_, body = en.do(editor, http.MethodGet, "/api/collections/record_history/records", nil)
	if items, _ := body["items"].([]any); body["totalItems"] != float64(1) || items[0].(map[string]any)["actor"] != editor {
		t.Fatalf("editor sees: %v", body)
	}
	for _, as := range []string{volunteerA, anonymous} {
		if _, body := en.do(as, http.MethodGet, "/api/collections/record_history/records", nil); body["totalItems"] != float64(0) {
			t.Fatalf("%q sees history: %v", as, body)
		}
	}
}

// TestHistory_RowCostDoesNotGrowWithItsRecordsHistory: each history row
// is redacted by the life of its record, which once meant reading every
// change of the record per row shown (500 rows of a record with 2,500
// changes: 6 to 20 times as long as of one with 500). A row must cost the
// same whatever the length of its record's history (best of 5 each, ratio
// in one run; docs/benchmarks.md has the figures). The reports are
// anonymous and the edits a coordinator's, so that each row also asks
// whether its actor ever was the reporter (changelog.RedactHistory).
func TestHistory_RowCostDoesNotGrowWithItsRecordsHistory(t *testing.T) {
	if testing.Short() {
		t.Skip("builds 3,000 changes")
	}
	en := newEnv(t)
	const short, long = "historyshort001", "historylong0001"
	anon := map[string]any{"anonymous": true}
	en.push(volunteerA, "phone-a", createReport(short, volunteerA, anon), createReport(long, volunteerA, anon))
	for i := range 2500 {
		if i < 500 {
			en.setField("incident_reports", short, "public_summary", "edit "+itoa(i))
		}
		en.setField("incident_reports", long, "public_summary", "edit "+itoa(i))
	}
	// as a coordinator's edits
	en.exec(`UPDATE _aman_changes SET actor = '` + coordinator + `', actor_collection = 'users'
		WHERE actor = '' AND record_id IN ('` + short + `', '` + long + `')`)
	list := func(id string) time.Duration {
		u := "/api/collections/record_history/records?perPage=500&sort=-seq&skipTotal=1&filter=" +
			url.QueryEscape("record_id='"+id+"'")
		var best time.Duration
		for range 5 {
			start := time.Now()
			rec := en.raw(coordinator, http.MethodGet, u, nil)
			d := time.Since(start)
			var page struct{ Items []map[string]any }
			if err := json.Unmarshal(rec.Body.Bytes(), &page); rec.Code != 200 || err != nil || len(page.Items) != 500 {
				t.Fatalf("history of %s: %d, %d rows", id, rec.Code, len(page.Items))
			}
			if page.Items[0]["actor"] != coordinator || page.Items[499]["record_id"] != id {
				t.Fatalf("history of %s: %v … %v", id, page.Items[0], page.Items[499])
			}
			if best == 0 || d < best {
				best = d
			}
		}
		return best
	}
	a, b := list(short), list(long)
	t.Logf("500 history rows of a record with 500 changes: %v; with 2,500: %v", a, b)
	if b > 3*a {
		t.Fatalf("500 history rows cost %v for a record with 2,500 changes, %v with 500: each row reads its record's whole history", b, a)
	}
}

// TestAudit_Privacy: a coordinator may not learn from sync_conflicts or
// record_history who reported an anonymous report (reporters are hidden
// from coordinators on anonymous reports), nor find it by filtering.
func TestAudit_Privacy(t *testing.T) {
	en := newEnv(t)
	en.push(volunteerA, "device-a", createReport(reportA, volunteerA, map[string]any{"anonymous": true}))
	if code, _ := en.do(superuser, http.MethodPatch, "/api/collections/incident_reports/records/"+reportA,
		map[string]any{"description": "Desk wording."}); code != 200 {
		t.Fatal("superuser patch")
	}
	res := en.push(volunteerA, "device-a", mut{"id": "c", "collection": "incident_reports", "recordId": reportA,
		"baseRev": 1, "data": map[string]any{"description": "Mine.", "reporter": volunteerA}})[0]
	if res.Status != "conflict" {
		t.Fatalf("%+v", res)
	}
	for _, url := range []string{"/api/collections/sync_conflicts/records", "/api/collections/record_history/records"} {
		rec := en.raw(coordinator, http.MethodGet, url, nil)
		if rec.Code != 200 || strings.Contains(rec.Body.String(), volunteerA) {
			t.Fatalf("%s leaks the anonymous reporter to a coordinator: %d %s", url, rec.Code, rec.Body.String())
		}
		if !strings.Contains(rec.Body.String(), reportA) {
			t.Fatalf("%s: the record itself must stay listed: %s", url, rec.Body.String())
		}
		if rec := en.raw(superuser, http.MethodGet, url, nil); !strings.Contains(rec.Body.String(), volunteerA) {
			t.Fatalf("%s: superusers see everything: %s", url, rec.Body.String())
		}
	}
	probes := []string{
		"/api/collections/sync_conflicts/records?filter=" + "user%3D%27" + volunteerA + "%27",
		"/api/collections/sync_conflicts/records?filter=" + "data~%27" + volunteerA + "%27",
		"/api/collections/record_history/records?filter=" + "actor%3D%27" + volunteerA + "%27",
		"/api/collections/record_history/records?sort=diff",
		// paths into a column, groups, sorts
		"/api/collections/sync_conflicts/records?filter=" + url.QueryEscape("user.id='"+volunteerA+"'"),
		"/api/collections/sync_conflicts/records?filter=" + url.QueryEscape("server_state.reporter='"+volunteerA+"'"),
		"/api/collections/sync_conflicts/records?filter=" + url.QueryEscape("record_id!='' && (client:lower='device-a')"),
		"/api/collections/record_history/records?filter=" + url.QueryEscape("record_id='"+reportA+"' && diff.reporter.new='"+volunteerA+"'"),
		"/api/collections/record_history/records?filter=" + url.QueryEscape("(actor_collection='users')"),
		"/api/collections/record_history/records?sort=-diff.reporter.new",
		// a back-relation into the conflicts through a column lists who pushed
		"/api/collections/users/records?filter=" + url.QueryEscape("sync_conflicts_via_user.record_id ?= '"+reportA+"'"),
		"/api/collections/users/records?filter=" + url.QueryEscape("(sync_conflicts_via_user.client ?= 'device-a')"),
		"/api/collections/users/records?sort=-sync_conflicts_via_user.record_id",
	}
	for _, url := range probes {
		if code, _ := en.do(coordinator, http.MethodGet, url, nil); code != 400 {
			t.Fatalf("%s: %d, want 400", url, code)
		}
	}
	// what names a column only in a string, or other columns, passes
	for _, ok := range []string{
		"/api/collections/record_history/records?filter=" + url.QueryEscape("collection='diff' || record_id='"+reportA+"'"),
		"/api/collections/sync_conflicts/records?filter=" + url.QueryEscape("(record_id='"+reportA+"' && kind='conflict')"),
	} {
		if code, body := en.do(coordinator, http.MethodGet, ok, nil); code != 200 || !strings.Contains(fmt.Sprint(body["items"]), reportA) {
			t.Fatalf("%s: %d %v, want 200 listing %s", ok, code, body, reportA)
		}
	}
	// an expanded pusher is blanked with the pusher
	rec := en.raw(coordinator, http.MethodGet, "/api/collections/sync_conflicts/records?expand=user", nil)
	if rec.Code != 200 || strings.Contains(rec.Body.String(), volunteerA) || !strings.Contains(rec.Body.String(), reportA) {
		t.Fatalf("expand=user shows the anonymous reporter: %d %s", rec.Code, rec.Body.String())
	}
	// and a user's conflicts are not expanded from the user
	rec = en.raw(coordinator, http.MethodGet, "/api/collections/users/records/"+volunteerA+"?expand=sync_conflicts_via_user", nil)
	if rec.Code != 200 || strings.Contains(rec.Body.String(), reportA) {
		t.Fatalf("expand=sync_conflicts_via_user shows the anonymous report's pusher: %d %s", rec.Code, rec.Body.String())
	}
	if rec := en.raw(superuser, http.MethodGet, "/api/collections/users/records/"+volunteerA+"?expand=sync_conflicts_via_user", nil); !strings.Contains(rec.Body.String(), reportA) {
		t.Fatalf("a superuser expands a user's conflicts: %d %s", rec.Code, rec.Body.String())
	}
}

// TestAudit_SubscriptionsGuarded: a realtime subscription to the conflicts
// or the history may not filter by the columns a list may not (its events
// would answer the same question), in any form a list filter is refused.
func TestAudit_SubscriptionsGuarded(t *testing.T) {
	en := newEnv(t)
	topic := func(collection, filter string) string {
		return collection + "?options=" + url.QueryEscape(`{"query":{"filter":"`+filter+`"}}`)
	}
	scenarios := []struct {
		as, topic string
		want      int
	}{
		{coordinator, topic("sync_conflicts", "user.id='"+volunteerA+"'"), 400},
		{coordinator, topic("sync_conflicts", "(server_state.reporter!='')"), 400},
		{coordinator, topic("aman_sync_conflicts", "client='device-a'"), 400},
		{editor, topic("record_history", "diff.reporter.new='"+volunteerA+"'"), 400},
		{coordinator, topic("users", "sync_conflicts_via_user.record_id ?= 'x'"), 400},
		{coordinator, topic("sync_conflicts", "kind='conflict' && (collection='incident_reports')"), 204},
		{coordinator, "sync_conflicts", 204},
		{superuser, topic("sync_conflicts", "user.id='"+volunteerA+"'"), 204},
	}
	for _, s := range scenarios {
		collection := "users"
		if s.as == superuser {
			collection = core.CollectionNameSuperusers
		}
		var auth *core.Record
		if s.as == superuser {
			auth, _ = en.app.FindAuthRecordByEmail(collection, "root@example.org")
		} else {
			auth, _ = en.app.FindRecordById(collection, s.as)
		}
		client := subscriptions.NewDefaultClient()
		client.Set(apis.RealtimeClientAuthKey, auth)
		en.app.SubscriptionsBroker().Register(client)
		rec := en.raw(s.as, http.MethodPost, "/api/realtime", map[string]any{"clientId": client.Id(), "subscriptions": []string{s.topic}})
		if rec.Code != s.want || (s.want == 400 && !strings.Contains(rec.Body.String(), `"code":"privacy_forbidden_query_field"`)) {
			t.Errorf("%s subscribes to %s: %d %s, want %d", s.as, s.topic, rec.Code, rec.Body.String(), s.want)
		}
	}
}

// TestConflicts_ResolutionIsTheResolvers: resolving names the reviewer who
// did it, whatever the request says; another reviewer cannot rewrite,
// reopen or reassign that resolution (only its resolver and superusers
// can); reopening leaves it to the next reviewer, even when the open
// conflict still names someone.
func TestConflicts_ResolutionIsTheResolvers(t *testing.T) {
	en := newEnv(t)
	const coordinator2 = "coordinator2ccc"
	en.tokens[coordinator2] = en.saveUser(coordinator2, "coordinator")
	en.push(volunteerA, "device-a", createReport(reportA, volunteerA, nil))
	res := en.push(volunteerB, "device-b", mut{"id": "b1", "collection": "incident_reports", "recordId": reportA,
		"baseRev": 1, "data": map[string]any{"description": "hijack"}})[0]
	if res.Conflict == "" {
		t.Fatalf("setup: %+v", res)
	}
	// the stored status, resolution and resolved_by after each step
	steps := []patchStep{
		{"claiming an open conflict without resolving it names nobody", coordinator, map[string]any{"resolved_by": coordinator},
			200, []string{"open", "", ""}},
		{"resolving names the resolver", coordinator2, map[string]any{"status": "resolved", "resolution": "Ignored."},
			200, []string{"resolved", "Ignored.", coordinator2}},
		{"another reviewer cannot rewrite it", coordinator, map[string]any{"resolution": "Rewritten."},
			404, []string{"resolved", "Ignored.", coordinator2}},
		{"nor take it", coordinator, map[string]any{"resolution": "Mine.", "resolved_by": coordinator},
			404, []string{"resolved", "Ignored.", coordinator2}},
		{"nor reopen it", coordinator, map[string]any{"status": "open"},
			404, []string{"resolved", "Ignored.", coordinator2}},
		{"nor name the resolver of another", coordinator2, map[string]any{"resolved_by": coordinator},
			404, []string{"resolved", "Ignored.", coordinator2}},
		{"the resolver words it better", coordinator2, map[string]any{"resolution": "Ignored: not B's report."},
			200, []string{"resolved", "Ignored: not B's report.", coordinator2}},
		{"the resolver reopens it for others", coordinator2, map[string]any{"status": "open"},
			200, []string{"open", "Ignored: not B's report.", ""}},
		{"nobody cannot be named", coordinator, map[string]any{"status": "resolved", "resolved_by": ""},
			404, []string{"open", "Ignored: not B's report.", ""}},
		{"another reviewer resolves it", coordinator, map[string]any{"status": "resolved"},
			200, []string{"resolved", "Ignored: not B's report.", coordinator}},
		{"a superuser reassigns it", superuser, map[string]any{"resolved_by": coordinator2},
			200, []string{"resolved", "Ignored: not B's report.", coordinator2}},
		{"a volunteer cannot touch it", volunteerB, map[string]any{"status": "open"},
			404, []string{"resolved", "Ignored: not B's report.", coordinator2}},
		{"nor an editor", editor, map[string]any{"status": "open"},
			404, []string{"resolved", "Ignored: not B's report.", coordinator2}},
		{"a superuser reopens it naming someone", superuser, map[string]any{"status": "open"},
			200, []string{"open", "Ignored: not B's report.", coordinator2}},
		{"an open conflict is anyone's to resolve, whoever it names", coordinator, map[string]any{"status": "resolved", "resolution": "Checked."},
			200, []string{"resolved", "Checked.", coordinator}},
	}
	en.patchSteps(t, res.Conflict, []string{"status", "resolution", "resolved_by"}, steps, nil)
}

// TestAudit_IDSquat: ids are the client's to choose, so a coordinator may
// create a report of their own under the id of someone else's anonymous
// report whose create was rejected, or that a superuser deleted. The
// evidence about that earlier report (a conflict, history rows) is still
// judged as about a report that no longer exists, never as about the
// coordinator's own: it does not start naming the anonymous reporter.
func TestAudit_IDSquat(t *testing.T) {
	en := newEnv(t)
	const rejected, deleted = "anonsquat000001", "anonsquat000002"
	// a create rejected (description too long), as any offline create can be
	res := en.push(volunteerA, "phone-a", createReport(rejected, volunteerA, map[string]any{
		"anonymous": true, "description": strings.Repeat("x", 5001)}))
	if res[0].Status != "rejected" || res[0].Conflict == "" {
		t.Fatalf("setup: %+v", res[0])
	}
	conflictURL := "/api/collections/sync_conflicts/records/" + res[0].Conflict
	if res := en.push(volunteerA, "phone-a", createReport(deleted, volunteerA, map[string]any{"anonymous": true})); res[0].Status != "applied" {
		t.Fatalf("setup: %+v", res[0])
	}
	if code, _ := en.do(superuser, http.MethodDelete, "/api/collections/incident_reports/records/"+deleted, nil); code != 204 {
		t.Fatalf("superuser delete: %d", code)
	}
	historyURL := "/api/collections/record_history/records?sort=seq&filter=" + url.QueryEscape("record_id='"+deleted+"'")

	for _, id := range []string{rejected, deleted} {
		coordinatorReportUnder(en, id)
	}
	rec := en.raw(coordinator, http.MethodGet, conflictURL, nil)
	if rec.Code != 200 || strings.Contains(rec.Body.String(), volunteerA) || strings.Contains(rec.Body.String(), "phone-a") {
		t.Fatalf("the rejected anonymous create's conflict names its pusher: %d %.300s", rec.Code, rec.Body.String())
	}
	code, body := en.do(coordinator, http.MethodGet, historyURL, nil)
	items, _ := body["items"].([]any)
	if code != 200 || len(items) != 3 {
		t.Fatalf("history of %s: %d %v", deleted, code, body)
	}
	for i, it := range items {
		row := it.(map[string]any)
		raw, _ := json.Marshal(row)
		earlier := i < 2 // the anonymous report's create and its delete
		if earlier && strings.Contains(string(raw), volunteerA) {
			t.Errorf("history row %d of the deleted anonymous report names its reporter: %s", i, raw)
		}
		// the coordinator's own report is judged as it is: their own name shows
		if !earlier && row["actor"] != coordinator {
			t.Errorf("history row %d of the coordinator's own report: %s", i, raw)
		}
	}
	if rec := en.raw(superuser, http.MethodGet, conflictURL, nil); !strings.Contains(rec.Body.String(), volunteerA) {
		t.Fatalf("superusers see everything: %.300s", rec.Body.String())
	}
}

// TestAudit_PrunedLogKeepsTheLiveRecordsConflicts: conflicts are kept
// after the change log's history is pruned (365 days). A conflict about the
// report that still holds its id is judged by that report's own creation
// time, not by a log that can no longer tell: pruning must not start
// hiding from a coordinator the pusher and reporter of a non-anonymous
// report they could see before.
func TestAudit_PrunedLogKeepsTheLiveRecordsConflicts(t *testing.T) {
	en := newEnv(t)
	const id = "prunedlife00001"
	if res := en.push(volunteerA, "phone-a", createReport(id, volunteerA, nil)); res[0].Status != "applied" {
		t.Fatalf("setup: %+v", res[0])
	}
	// a volunteer may not verify: rejected, kept as evidence with the
	// server's state, reporter included
	res := en.push(volunteerA, "phone-a", mut{"id": "verify-" + id, "collection": "incident_reports",
		"recordId": id, "baseRev": 1, "data": map[string]any{"status": "verified"}})
	if res[0].Status != "rejected" || res[0].Conflict == "" {
		t.Fatalf("setup: %+v", res[0])
	}
	conflictURL := "/api/collections/sync_conflicts/records/" + res[0].Conflict
	before := en.raw(coordinator, http.MethodGet, conflictURL, nil).Body.String()
	if !strings.Contains(before, `"user":"`+volunteerA+`"`) || !strings.Contains(before, `"reporter":"`+volunteerA+`"`) {
		t.Fatalf("setup: the coordinator sees who pushed about a non-anonymous report: %s", before)
	}
	cfg := changelog.DefaultConfig()
	pruned, err := changelog.Prune(en.app, cfg, time.Now().Add(cfg.HistoryRetention+24*time.Hour))
	if err != nil || pruned.History == 0 {
		t.Fatalf("prune: %+v %v", pruned, err)
	}
	if after := en.raw(coordinator, http.MethodGet, conflictURL, nil).Body.String(); after != before {
		t.Fatalf("pruning the log changed what the coordinator sees of a live report's conflict:\nbefore %s\nafter  %s", before, after)
	}
}

// TestAudit_ConflictsKeepTheirLife: a conflict keeps the life of the record
// it is about (its created time, "-" for none) in a hidden field that only
// the redaction reads. Times alone could not tell two lives apart after
// the server's clock was set back: a rejected anonymous create's evidence,
// written while the clock ran ahead, would look younger than a coordinator's
// own report created since under its id, and name its pusher to them.
func TestAudit_ConflictsKeepTheirLife(t *testing.T) {
	en := newEnv(t)
	const squatted, live = "clocksquat00001", "clocklive000001"
	rejected := en.push(volunteerA, "phone-a", createReport(squatted, volunteerA, map[string]any{
		"anonymous": true, "description": strings.Repeat("x", 5001)}))[0]
	en.push(volunteerA, "phone-a", createReport(live, volunteerA, nil))
	refused := en.push(volunteerA, "phone-a", mut{"id": "verify-" + live, "collection": "incident_reports",
		"recordId": live, "baseRev": 1, "data": map[string]any{"status": "verified"}})[0]
	if rejected.Conflict == "" || refused.Conflict == "" {
		t.Fatalf("setup: %+v %+v", rejected, refused)
	}
	report, err := en.app.FindRecordById("incident_reports", live)
	if err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]string{rejected.Conflict: "-", refused.Conflict: report.GetDateTime("created").String()} {
		if c, err := en.app.FindRecordById("sync_conflicts", id); err != nil || c.GetString("life") != want {
			t.Fatalf("conflict %s keeps life %q, want %q", id, c.GetString("life"), want)
		}
	}
	// the conflicts were written while the clock ran an hour ahead
	ahead := time.Now().UTC().Add(time.Hour).Format("2006-01-02 15:04:05.000Z")
	en.exec("UPDATE sync_conflicts SET created = '" + ahead + "'")
	coordinatorReportUnder(en, squatted)
	body := en.raw(coordinator, http.MethodGet, "/api/collections/sync_conflicts/records/"+rejected.Conflict, nil).Body.String()
	if strings.Contains(body, volunteerA) || strings.Contains(body, "phone-a") || strings.Contains(body, `"life"`) {
		t.Fatalf("after a clock set back, the rejected anonymous create names its pusher: %.400s", body)
	}
	// the live report's conflict is judged as its own, whatever the clock said
	body = en.raw(coordinator, http.MethodGet, "/api/collections/sync_conflicts/records/"+refused.Conflict, nil).Body.String()
	if !strings.Contains(body, `"user":"`+volunteerA+`"`) || strings.Contains(body, `"life"`) {
		t.Fatalf("the live report's conflict: %.400s", body)
	}
	// the life is the server's: a reviewer's request cannot set it
	if code, _ := en.do(coordinator, http.MethodPatch, "/api/collections/sync_conflicts/records/"+rejected.Conflict,
		map[string]any{"life": "", "status": "resolved"}); code != 200 {
		t.Fatalf("resolve: %d", code)
	}
	if c, _ := en.app.FindRecordById("sync_conflicts", rejected.Conflict); c.GetString("life") != "-" {
		t.Fatalf("a reviewer rewrote the life: %q", c.GetString("life"))
	}
}

// TestAudit_QueuedEditOfAnEarlierLife: a phone's queued edit of a record
// that was deleted and created again under its id since (ids are the
// client's to choose; revs go on across lives) is about the earlier
// record, which is gone. A coordinator who creates a report under the id
// of an anonymous report a superuser deleted must not learn, from the
// evidence of its reporter's queued edit, who filed it.
func TestAudit_QueuedEditOfAnEarlierLife(t *testing.T) {
	en := newEnv(t)
	const id = "squatlife000001"
	if res := en.push(volunteerA, "phone-a", createReport(id, volunteerA, map[string]any{"anonymous": true})); res[0].Status != "applied" {
		t.Fatalf("setup: %+v", res[0])
	}
	if code, _ := en.do(superuser, http.MethodDelete, "/api/collections/incident_reports/records/"+id, nil); code != 204 {
		t.Fatalf("superuser delete: %d", code)
	}
	coordinatorReportUnder(en, id)
	// the reporter's phone comes back online with an edit based on rev 1
	edit := en.push(volunteerA, "phone-a", mut{"id": "edit-1", "collection": "incident_reports", "recordId": id, "baseRev": 1,
		"data": map[string]any{"description": "What I saw, in more words."}})[0]
	if edit.Status != "rejected" || edit.Conflict == "" {
		t.Fatalf("setup: the queued edit %+v", edit)
	}
	body := en.raw(coordinator, http.MethodGet, "/api/collections/sync_conflicts/records/"+edit.Conflict, nil).Body.String()
	if strings.Contains(body, volunteerA) || strings.Contains(body, "phone-a") {
		t.Fatalf("the coordinator learns who filed the deleted anonymous report: %.500s", body)
	}
	// an edit of the coordinator's own report, based on its rev, stays theirs
	head, err := changelog.HeadOf(en.app, "incident_reports", id)
	if err != nil || head.Rev < 3 {
		t.Fatalf("head %+v %v", head, err)
	}
	mine := en.push(volunteerA, "phone-a", mut{"id": "edit-2", "collection": "incident_reports", "recordId": id,
		"baseRev": head.Rev, "data": map[string]any{"description": "Not mine."}})[0]
	if mine.Conflict == "" {
		t.Fatalf("setup: %+v", mine)
	}
	body = en.raw(coordinator, http.MethodGet, "/api/collections/sync_conflicts/records/"+mine.Conflict, nil).Body.String()
	if !strings.Contains(body, `"user":"`+volunteerA+`"`) {
		t.Fatalf("an edit based on the current record's rev: %.500s", body)
	}
}

// TestAudit_RevZeroUnderATakenIDIsAboutNoRecord: a mutation from rev 0
// refused because its id is held by a record the pusher may not see is
// about the record the pusher meant to create, not the one holding the
// id. A coordinator reads a rejected anonymous create's evidence (its id,
// not its pusher) and creates a report of their own under that id; the
// phone then sends the create again, corrected, or discards it with a
// delete from rev 0. Neither evidence may be judged as about the
// coordinator's own report, which would name its pusher.
func TestAudit_RevZeroUnderATakenIDIsAboutNoRecord(t *testing.T) {
	for _, s := range []struct {
		name string
		next func(id string) mut
	}{
		{"the create sent again, corrected", func(id string) mut {
			return mut{"id": "create-2", "collection": "incident_reports", "recordId": id,
				"data": report(volunteerA, map[string]any{"anonymous": true})}
		}},
		{"the create discarded", func(id string) mut {
			return mut{"id": "discard-1", "collection": "incident_reports", "recordId": id, "baseRev": nil, "delete": true}
		}},
	} {
		t.Run(s.name, func(t *testing.T) {
			en := newEnv(t)
			const id = "takenid00000001"
			first := en.push(volunteerA, "phone-a", mut{"id": "create-1", "collection": "incident_reports", "recordId": id,
				"data": report(volunteerA, map[string]any{"anonymous": true, "description": strings.Repeat("x", 5001)})})[0]
			if first.Status != "rejected" || first.Conflict == "" {
				t.Fatalf("setup: %+v", first)
			}
			body := en.raw(coordinator, http.MethodGet, "/api/collections/sync_conflicts/records/"+first.Conflict, nil).Body.String()
			if !strings.Contains(body, `"record_id":"`+id+`"`) || strings.Contains(body, volunteerA) {
				t.Fatalf("setup: the coordinator reads the id, not the pusher: %.400s", body)
			}
			coordinatorReportUnder(en, id)
			again := en.push(volunteerA, "phone-a", s.next(id))[0]
			if again.Status != "rejected" || again.Conflict == "" {
				t.Fatalf("setup: %+v", again)
			}
			body = en.raw(coordinator, http.MethodGet, "/api/collections/sync_conflicts/records/"+again.Conflict, nil).Body.String()
			if strings.Contains(body, volunteerA) || strings.Contains(body, "phone-a") {
				t.Fatalf("the coordinator learns who filed the anonymous report: %.500s", body)
			}
		})
	}
}

// coordinatorReportUnder has the coordinator create a report of their own
// under id, through REST: ids are the client's to choose.
func coordinatorReportUnder(en *env, id string) {
	en.t.Helper()
	if code, _ := en.do(coordinator, http.MethodPost, "/api/collections/incident_reports/records", map[string]any{
		"id": id, "reporter": coordinator, "occurred_at": "2026-11-25 10:00:00.000Z", "region": "sughd",
		"category": "other", "description": "Mine."}); code != 200 {
		en.t.Fatalf("the coordinator's own report under %s: %d", id, code)
	}
}

// patchStep is a PATCH of a conflict by as, the status it is answered
// with, and the values of the checked fields stored after it.
type patchStep struct {
	name   string
	as     string
	body   map[string]any
	status int
	want   []string
}

// patchSteps runs steps on the conflict id in order, checking each answer
// and the fields stored after it; after, if set, runs after each step.
func (en *env) patchSteps(t *testing.T, id string, fields []string, steps []patchStep, after func(i int, s patchStep)) {
	t.Helper()
	for i, s := range steps {
		code, body := en.do(s.as, http.MethodPatch, "/api/collections/sync_conflicts/records/"+id, s.body)
		if code != s.status {
			t.Fatalf("%d %s: %d %v, want %d", i, s.name, code, body, s.status)
		}
		r, err := en.app.FindRecordById("sync_conflicts", id)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, f := range fields {
			got = append(got, r.GetString(f))
		}
		if !slices.Equal(got, s.want) {
			t.Fatalf("%d %s: stored %q, want %q", i, s.name, got, s.want)
		}
		if after != nil {
			after(i, s)
		}
	}
}
