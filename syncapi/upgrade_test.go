package syncapi_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"aman/changelog"
)

// TestUpgrade_ResultsTable: a data dir whose stored push results are in
// the first layout (a WITHOUT ROWID table) is moved to the rowid table on
// upgrade, and every stored result survives: a push replayed after the
// upgrade gets the same answer and writes nothing.
func TestUpgrade_ResultsTable(t *testing.T) {
	en := newEnv(t)
	muts := []mut{
		createReport(reportA, volunteerA, nil),
		{"id": "edit-1", "collection": "incident_reports", "recordId": reportA, "baseRev": 1,
			"data": map[string]any{"injured": 2}},
	}
	body := map[string]any{"client": "device-a", "mutations": muts}
	first := en.raw(volunteerA, http.MethodPost, "/api/sync/v1/push", body)
	if first.Code != 200 {
		t.Fatalf("push: %d %s", first.Code, first.Body.String())
	}
	// the data dir as the first layout left it
	en.exec(
		"ALTER TABLE _aman_mutations RENAME TO _aman_mutations_new",
		"DROP INDEX idx_aman_mutations_at",
		`CREATE TABLE _aman_mutations (client TEXT NOT NULL, mutation_id TEXT NOT NULL, result JSON NOT NULL,
		  at TEXT NOT NULL, PRIMARY KEY (client, mutation_id)) WITHOUT ROWID`,
		"CREATE INDEX idx_aman_mutations_at ON _aman_mutations (at)",
		"INSERT INTO _aman_mutations SELECT client, mutation_id, result, at FROM _aman_mutations_new",
		"DROP TABLE _aman_mutations_new",
		"DELETE FROM _migrations WHERE file = '1795766940_aman_sync_results_rowid.go'",
		"PRAGMA wal_checkpoint(TRUNCATE)",
	)

	upgraded := en.bootFrom(en.app.DataDir())
	var ddl string
	if err := upgraded.app.DB().NewQuery("SELECT sql FROM sqlite_master WHERE name = '_aman_mutations'").Row(&ddl); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(strings.ToUpper(ddl), "WITHOUT ROWID") {
		t.Fatalf("the results table was not rebuilt: %s", ddl)
	}
	if n := upgraded.countRows("_aman_mutations", "client = {:c}", dbx.Params{"c": "device-a"}); n != 2 {
		t.Fatalf("stored results after the upgrade: %d, want 2", n)
	}
	var indexes []string
	err := upgraded.app.DB().NewQuery("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = '_aman_mutations' ORDER BY name").Column(&indexes)
	if err != nil || len(indexes) != 2 || indexes[0] != "idx_aman_mutations_at" || !strings.HasPrefix(indexes[1], "sqlite_autoindex_") {
		t.Fatalf("indexes of the results table: %v %v", indexes, err)
	}
	again := upgraded.raw(volunteerA, http.MethodPost, "/api/sync/v1/push", body)
	// the same results; the position names the upgraded server's epoch
	if again.Code != 200 || !bytes.Equal(resultsOf(t, again.Body.Bytes()), resultsOf(t, first.Body.Bytes())) {
		t.Fatalf("a replay after the upgrade:\n%s\nwant\n%s", again.Body.String(), first.Body.String())
	}
	if n := upgraded.countRows("_aman_changes", "record_id = {:id}", dbx.Params{"id": reportA}); n != 2 {
		t.Fatalf("writes logged: %d, want 2 (a replay writes nothing)", n)
	}
}

func resultsOf(t *testing.T, body []byte) []byte {
	var out struct {
		Results json.RawMessage `json:"results"`
	}
	if err := json.Unmarshal(body, &out); err != nil || len(out.Results) < 3 {
		t.Fatalf("push answer %s: %v", body, err)
	}
	return out.Results
}

// TestUpgrade_HeadIndexes: the heads lose the two indexes every logged
// write paid for and get a partial index of tombstones for pruning.
func TestUpgrade_HeadIndexes(t *testing.T) {
	en := newEnv(t)
	en.exec(
		"CREATE UNIQUE INDEX idx_aman_heads_seq ON _aman_heads (seq)",
		"CREATE INDEX idx_aman_heads_tombstones ON _aman_heads (deleted, at)",
		"DROP INDEX idx_aman_heads_tombstones_at",
		"DELETE FROM _migrations WHERE file = '1795766950_aman_sync_head_indexes.go'",
		"PRAGMA wal_checkpoint(TRUNCATE)",
	)
	upgraded := en.bootFrom(en.app.DataDir())
	var indexes []string
	err := upgraded.app.DB().NewQuery("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = '_aman_heads' AND sql IS NOT NULL ORDER BY name").Column(&indexes)
	if err != nil || strings.Join(indexes, " ") != "idx_aman_heads_collection_seq idx_aman_heads_tombstones_at" {
		t.Fatalf("indexes of the heads: %v %v", indexes, err)
	}
	// a partial index of tombstones, which pruning's WHERE deleted = 1 AND
	// at < cutoff reads (changelog's TestPrune_ReadsTheTombstoneIndex
	// checks the plan on a table of realistic shape)
	var ddl string
	err = upgraded.app.DB().NewQuery("SELECT sql FROM sqlite_master WHERE name = 'idx_aman_heads_tombstones_at'").Row(&ddl)
	if err != nil || !strings.Contains(ddl, "(at) WHERE deleted = 1") {
		t.Fatalf("the index of tombstones: %q %v", ddl, err)
	}
}

// TestUpgrade_OwnersIndex: a data dir from before it gets the partial
// index of the changes that write a submitter field, which the history's
// redaction reads (TestHistory_SubmittersReadThroughTheirIndex).
func TestUpgrade_OwnersIndex(t *testing.T) {
	en := newEnv(t)
	en.exec(
		"DROP INDEX idx_aman_changes_owners",
		"DELETE FROM _migrations WHERE file = '1795768300_aman_sync_changes_owners_index.go'",
		"PRAGMA wal_checkpoint(TRUNCATE)",
	)
	upgraded := en.bootFrom(en.app.DataDir())
	var ddl string
	err := upgraded.app.DB().NewQuery("SELECT sql FROM sqlite_master WHERE name = 'idx_aman_changes_owners'").Row(&ddl)
	if err != nil || !strings.Contains(ddl, "(collection, record_id, seq) WHERE (json_extract(diff, '$.reporter') IS NOT NULL") {
		t.Fatalf("the index of submitter changes: %q %v", ddl, err)
	}
}

// TestUpgrade_ReviewDomains: a data dir from before the review domains,
// where coordinators read every collection's conflicts and history, gets
// changelog.ReviewRule on both.
func TestUpgrade_ReviewDomains(t *testing.T) {
	en := newEnv(t)
	res := en.push(editor, "device-e", mut{"id": "x", "collection": "updates", "recordId": "updatenotthere1",
		"baseRev": 1, "data": map[string]any{"title": "Draft"}})[0]
	if res.Status != "rejected" || res.Conflict == "" {
		t.Fatalf("setup: %+v", res)
	}
	const old = "@request.auth.role = ''coordinator''"
	en.exec(
		"UPDATE _collections SET listRule = '"+old+"', viewRule = '"+old+"' WHERE name = 'record_history'",
		"UPDATE _collections SET listRule = '"+old+"', viewRule = '"+old+"', updateRule = '"+old+"' WHERE name = 'sync_conflicts'",
		// kept as the client spelled the collection: its id
		"UPDATE sync_conflicts SET collection = 'aman_updates'",
		"DELETE FROM _migrations WHERE file = '1795766960_aman_review_domains.go'",
		"PRAGMA wal_checkpoint(TRUNCATE)",
	)
	upgraded := en.bootFrom(en.app.DataDir())
	for _, name := range []string{"sync_conflicts", "record_history"} {
		c, err := upgraded.app.FindCollectionByNameOrId(name)
		if err != nil {
			t.Fatal(err)
		}
		rules := []*string{c.ListRule, c.ViewRule}
		if name == "sync_conflicts" {
			rules = append(rules, c.UpdateRule)
		}
		for _, r := range rules {
			if r == nil || !strings.HasPrefix(*r, "("+changelog.ReviewRule) && *r != changelog.ReviewRule {
				t.Fatalf("%s rules after the upgrade: %v %v %v", name, c.ListRule, c.ViewRule, c.UpdateRule)
			}
		}
	}
	if _, body := upgraded.do(superuser, http.MethodGet, "/api/collections/sync_conflicts/records/"+res.Conflict, nil); body["collection"] != "updates" {
		t.Fatalf("the collection of a kept conflict after the upgrade: %v", body["collection"])
	}
	if code, _ := upgraded.do(coordinator, http.MethodGet, "/api/collections/sync_conflicts/records/"+res.Conflict, nil); code != 404 {
		t.Fatalf("a coordinator reads an update's conflict after the upgrade: %d", code)
	}
}

// TestUpgrade_ReviewAllowList: a data dir whose review rules exclude the
// newsroom's collections (changelog.DenyListReviewRule) gets the
// allow-list on upgrade, where a rule still holds the old text, with an
// operator's additions around it kept; a rule the operator rewrote stays.
// Before it, a coordinator read the password an editor's app pushed to the
// users collection.
func TestUpgrade_ReviewAllowList(t *testing.T) {
	en := newEnv(t)
	res := en.push(editor, "device-e", mut{"id": "x", "collection": "users", "recordId": "profile00000001",
		"baseRev": nil, "data": map[string]any{"name": "Editor", "email": "e@example.org"}})[0]
	if res.Status != "rejected" || res.Conflict == "" {
		t.Fatalf("setup: %+v", res)
	}
	const operators = " || @request.auth.id = 'operator0000001'"
	const rewritten = "@request.auth.role = 'coordinator'"
	old := func(r *string) *string {
		s := strings.ReplaceAll(*r, changelog.ReviewRule, changelog.DenyListReviewRule)
		return &s
	}
	conflicts := mustCollection(t, en.app, "sync_conflicts")
	conflicts.ListRule = types.Pointer(*old(conflicts.ListRule) + operators)
	conflicts.ViewRule = old(conflicts.ViewRule)
	conflicts.UpdateRule = old(conflicts.UpdateRule)
	history := mustCollection(t, en.app, "record_history")
	history.ListRule = old(history.ListRule)
	history.ViewRule = types.Pointer(rewritten)
	for _, c := range []*core.Collection{conflicts, history} {
		if err := en.app.Save(c); err != nil {
			t.Fatal(err)
		}
	}
	if code, _ := en.do(coordinator, http.MethodGet, "/api/collections/sync_conflicts/records/"+res.Conflict, nil); code != 200 {
		t.Fatalf("setup: the deny-list shows a coordinator the users' conflict: %d", code)
	}
	en.exec("DELETE FROM _migrations WHERE file = '1795766970_aman_review_allow_list.go'", "PRAGMA wal_checkpoint(TRUNCATE)")

	upgraded := en.bootFrom(en.app.DataDir())
	conflicts = mustCollection(t, upgraded.app, "sync_conflicts")
	history = mustCollection(t, upgraded.app, "record_history")
	want := []struct {
		name      string
		got, want *string
	}{
		{"conflicts list", conflicts.ListRule, types.Pointer("(" + changelog.ReviewRule + ")" + operators)},
		{"conflicts view", conflicts.ViewRule, types.Pointer("(" + changelog.ReviewRule + ")")},
		{"history list", history.ListRule, types.Pointer(changelog.ReviewRule)},
		{"history view (rewritten by the operator)", history.ViewRule, types.Pointer(rewritten)},
	}
	for _, w := range want {
		if w.got == nil || *w.got != *w.want {
			t.Errorf("%s after the upgrade: %s, want %q", w.name, ruleText(w.got), *w.want)
		}
	}
	if conflicts.UpdateRule == nil || strings.Contains(*conflicts.UpdateRule, changelog.DenyListReviewRule) ||
		!strings.Contains(*conflicts.UpdateRule, "("+changelog.ReviewRule+") && ") {
		t.Errorf("conflicts update after the upgrade: %s", ruleText(conflicts.UpdateRule))
	}
	for _, as := range []string{coordinator, editor} {
		if code, _ := upgraded.do(as, http.MethodGet, "/api/collections/sync_conflicts/records/"+res.Conflict, nil); code != 404 {
			t.Errorf("%s reads the users' conflict after the upgrade: %d", as, code)
		}
	}
	if code, _ := upgraded.do(superuser, http.MethodGet, "/api/collections/sync_conflicts/records/"+res.Conflict, nil); code != 200 {
		t.Errorf("a superuser reads the users' conflict after the upgrade: %d", code)
	}
}

// TestUpgrade_ConflictsWithoutSecrets: the evidence a data dir kept
// before pushes to auth collections were stored without their secrets
// loses them on upgrade; the rest of it, and other conflicts, stay.
func TestUpgrade_ConflictsWithoutSecrets(t *testing.T) {
	en := newEnv(t)
	users := en.push(editor, "device-e", mut{"id": "x", "collection": "users", "recordId": "profile00000001",
		"baseRev": nil, "data": map[string]any{"name": "Editor"}})[0]
	report := en.push(volunteerB, "device-b", mut{"id": "y", "collection": "incident_reports", "recordId": "notmine00000001",
		"baseRev": 1, "data": map[string]any{"password": "a report's field named so stays"}})[0]
	if users.Conflict == "" || report.Conflict == "" {
		t.Fatalf("setup: %+v %+v", users, report)
	}
	en.exec(
		`UPDATE sync_conflicts SET data = '{"name":"Editor","password":"hunter2-kept","Password+":"hunter2-kept","tokenKey":"k-kept"}' WHERE id = '`+users.Conflict+`'`,
		"DELETE FROM _migrations WHERE file = '1795766980_aman_conflicts_without_secrets.go'",
		"PRAGMA wal_checkpoint(TRUNCATE)",
	)
	upgraded := en.bootFrom(en.app.DataDir())
	for _, c := range []struct{ id, want string }{
		{users.Conflict, `{"name":"Editor"}`},
		{report.Conflict, `{"password":"a report's field named so stays"}`},
	} {
		var data string
		if err := upgraded.app.DB().NewQuery("SELECT data FROM sync_conflicts WHERE id = {:id}").
			Bind(dbx.Params{"id": c.id}).Row(&data); err != nil || data != c.want {
			t.Errorf("conflict %s after the upgrade: %s %v, want %s", c.id, data, err, c.want)
		}
	}
}

// TestUpgrade_ConflictsResolverOnly: a data dir whose conflicts let any
// reviewer rewrite another's resolution gets the rule that leaves it to
// its resolver, and one that left an open conflict naming someone to them
// alone gets the rule under which an open conflict is nobody's; a rule an
// operator rewrote stays.
func TestUpgrade_ConflictsResolverOnly(t *testing.T) {
	const (
		resolverOnly   = "1795766990_aman_conflicts_resolver_only.go"
		nobodys        = "1795767210_aman_open_conflicts_nobodys.go"
		currentCheck   = " && (status != 'resolved' || resolved_by = '' || resolved_by = @request.auth.id)"
		resolverOnlyV1 = " && (resolved_by = '' || resolved_by = @request.auth.id)"
	)
	for _, s := range []struct {
		name      string
		forget    []string
		before    func(current string) string
		wantAfter func(current string) string
	}{
		{"before the resolver check", []string{resolverOnly, nobodys}, func(cur string) string {
			return strings.Replace(cur, currentCheck, "", 1)
		}, func(cur string) string { return cur }},
		{"as the resolver check first was", []string{nobodys}, func(cur string) string {
			return strings.Replace(cur, currentCheck, resolverOnlyV1, 1)
		}, func(cur string) string { return cur }},
		{"rewritten by an operator", []string{resolverOnly, nobodys}, func(string) string { return "@request.auth.role = 'coordinator'" },
			func(string) string { return "@request.auth.role = 'coordinator'" }},
	} {
		t.Run(s.name, func(t *testing.T) {
			en := newEnv(t)
			beforeSuperusersResolution(t, en)
			conflicts := mustCollection(t, en.app, "sync_conflicts")
			current := *conflicts.UpdateRule
			old := s.before(current)
			if old == current {
				t.Fatalf("setup: the current rule has no resolver check: %s", current)
			}
			conflicts.UpdateRule = types.Pointer(old)
			if err := en.app.Save(conflicts); err != nil {
				t.Fatal(err)
			}
			for _, file := range s.forget {
				en.exec("DELETE FROM _migrations WHERE file = '" + file + "'")
			}
			en.exec("PRAGMA wal_checkpoint(TRUNCATE)")
			upgraded := en.bootFrom(en.app.DataDir())
			got := mustCollection(t, upgraded.app, "sync_conflicts").UpdateRule
			// and 1795768330 adds its clause to whatever rule it finds
			if want := "(" + s.wantAfter(current) + ")" + superusersResolution; got == nil || *got != want {
				t.Fatalf("update rule after the upgrade: %s, want %q", ruleText(got), want)
			}
		})
	}
}

// superusersResolution is the clause that
// 1795768330_conflicts_resolved_by_superuser.js adds to the conflicts'
// update rule.
const superusersResolution = " && (status != 'resolved' || resolved_by_superuser = '')" +
	" && @request.body.resolved_by_superuser:isset = false"

// beforeSuperusersResolution makes en's data dir one from before
// 1795768330_conflicts_resolved_by_superuser.js: the conflicts' update rule
// without its clause, no resolved_by_superuser, the migration not applied
// (the next boot applies it, after the Go migrations before it).
func beforeSuperusersResolution(t *testing.T, en *env) {
	t.Helper()
	c := mustCollection(t, en.app, "sync_conflicts")
	rule := *c.UpdateRule
	if !strings.HasPrefix(rule, "(") || !strings.HasSuffix(rule, ")"+superusersResolution) {
		t.Fatalf("setup: the conflicts' update rule lacks the superusers' clause: %s", rule)
	}
	c.UpdateRule = types.Pointer(rule[1 : len(rule)-len(")"+superusersResolution)])
	c.Fields.RemoveByName("resolved_by_superuser")
	if err := en.app.Save(c); err != nil {
		t.Fatal(err)
	}
	en.exec("DELETE FROM _migrations WHERE file = '1795768330_conflicts_resolved_by_superuser.js'")
}

// TestUpgrade_ConflictLife: a data dir whose conflicts keep no life gets
// the hidden field; its old conflicts keep an empty one and are judged by
// their time (a coordinator still sees who pushed about a live,
// non-anonymous report), new ones keep their record's.
func TestUpgrade_ConflictLife(t *testing.T) {
	en := newEnv(t)
	en.push(volunteerA, "phone-a", createReport(reportA, volunteerA, nil))
	verify := func(id string) mut {
		return mut{"id": id, "collection": "incident_reports", "recordId": reportA, "baseRev": 1, "data": map[string]any{"status": "verified"}}
	}
	old := en.push(volunteerA, "phone-a", verify("verify-1"))[0]
	conflicts := mustCollection(t, en.app, "sync_conflicts")
	conflicts.Fields.RemoveByName("life")
	if err := en.app.Save(conflicts); err != nil {
		t.Fatal(err)
	}
	en.exec("DELETE FROM _migrations WHERE file = '1795767220_aman_conflicts_life.go'", "PRAGMA wal_checkpoint(TRUNCATE)")
	upgraded := en.bootFrom(en.app.DataDir())
	f, ok := mustCollection(t, upgraded.app, "sync_conflicts").Fields.GetByName("life").(*core.TextField)
	if !ok || !f.Hidden {
		t.Fatalf("life after the upgrade: %#v", f)
	}
	now := upgraded.push(volunteerA, "phone-a", verify("verify-2"))[0]
	report, _ := upgraded.app.FindRecordById("incident_reports", reportA)
	for _, c := range []struct{ id, want string }{{old.Conflict, ""}, {now.Conflict, report.GetDateTime("created").String()}} {
		r, err := upgraded.app.FindRecordById("sync_conflicts", c.id)
		if err != nil || r.GetString("life") != c.want {
			t.Fatalf("conflict %s: life %q, want %q (%v)", c.id, r.GetString("life"), c.want, err)
		}
		body := upgraded.raw(coordinator, http.MethodGet, "/api/collections/sync_conflicts/records/"+c.id, nil).Body.String()
		if !strings.Contains(body, `"user":"`+volunteerA+`"`) {
			t.Fatalf("conflict %s of a live named report: %.300s", c.id, body)
		}
	}
}

func ruleText(r *string) string {
	if r == nil {
		return "<nil>"
	}
	return *r
}

// exec runs statements on the env's database, failing the test on the
// first error.
func (en *env) exec(queries ...string) {
	en.t.Helper()
	for _, q := range queries {
		if _, err := en.app.DB().NewQuery(q).Execute(); err != nil {
			en.t.Fatalf("%s: %v", q, err)
		}
	}
}
