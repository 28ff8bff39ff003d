package changelog_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/logger"

	"aman/changelog"
	"aman/internal/testapp"
)

func TestMain(m *testing.M) { os.Exit(testapp.Run(m)) }

func newUpdate(t *testing.T, app core.App, id, title string) *core.Record {
	t.Helper()
	author := core.NewRecord(mustCollection(t, app, "users"))
	author.Id = "author" + id[:9]
	author.SetEmail(author.Id + "@example.org")
	author.SetPassword("1234567890")
	author.Set("role", "editor")
	if err := app.Save(author); err != nil {
		t.Fatal(err)
	}
	r := core.NewRecord(mustCollection(t, app, "updates"))
	r.Id = id
	r.Load(map[string]any{"title": title, "body": "b", "language": "en", "status": "published", "author": author.Id})
	return r
}

func mustCollection(t *testing.T, app core.App, name string) *core.Collection {
	t.Helper()
	c, err := app.FindCollectionByNameOrId(name)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func count(t *testing.T, app core.App, q string, p dbx.Params) int {
	t.Helper()
	var n int
	if err := app.DB().NewQuery(q).Bind(p).Row(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestLog_GoSaveIsAtomic: a plain app.Save outside any transaction writes
// the record and its change together, or neither.
func TestLog_GoSaveIsAtomic(t *testing.T) {
	app := testapp.New(t)
	_, err := app.DB().NewQuery(`CREATE TRIGGER boom BEFORE INSERT ON _aman_changes
		WHEN NEW.record_id = 'boomboomboom001' BEGIN SELECT RAISE(ABORT, 'boom'); END`).Execute()
	if err != nil {
		t.Fatal(err)
	}
	if err := app.Save(newUpdate(t, app, "boomboomboom001", "never")); err == nil {
		t.Fatal("save succeeded although its log entry failed")
	}
	if n := count(t, app, "SELECT COUNT(*) FROM updates WHERE id = 'boomboomboom001'", nil); n != 0 {
		t.Fatal("record written without its log entry")
	}
	r := newUpdate(t, app, "okokokokokok001", "fine")
	if err := app.Save(r); err != nil {
		t.Fatal(err)
	}
	h, err := changelog.HeadOf(app, "updates", r.Id)
	if err != nil || h.Rev != 1 || h.Deleted {
		t.Fatalf("head: %+v %v", h, err)
	}
}

// TestLog_HistoryAndRevs: every write bumps rev and records the changed
// fields old → new; a delete leaves a tombstone head.
func TestLog_HistoryAndRevs(t *testing.T) {
	app := testapp.New(t)
	r := newUpdate(t, app, "histhisthist001", "v1")
	if err := app.Save(r); err != nil {
		t.Fatal(err)
	}
	r.Set("title", "v2")
	if err := app.Save(r); err != nil {
		t.Fatal(err)
	}
	fields, complete, err := changelog.ChangedSince(app, "updates", r.Id, "", 1, 2)
	if err != nil || !complete || len(fields) != 1 || !fields["title"] {
		t.Fatalf("changed since 1: %v %v %v", fields, complete, err)
	}
	var diff string
	if err := app.DB().NewQuery("SELECT diff FROM _aman_changes WHERE record_id = {:id} AND rev = 2").
		Bind(dbx.Params{"id": r.Id}).Row(&diff); err != nil {
		t.Fatal(err)
	}
	if diff != `{"title":{"old":"v1","new":"v2"}}` {
		t.Fatalf("diff: %s", diff)
	}
	if err := app.Delete(r); err != nil {
		t.Fatal(err)
	}
	h, _ := changelog.HeadOf(app, "updates", r.Id)
	if h.Rev != 3 || !h.Deleted {
		t.Fatalf("tombstone: %+v", h)
	}
}

// TestLog_DiffEncoding: the stored diff is exactly what json.Marshal
// writes for it (HTML characters, line breaks, quotes, U+2028 and
// numbers included), so readers of old and new rows see one format.
func TestLog_DiffEncoding(t *testing.T) {
	app := testapp.New(t)
	title := "<b>\"Ворух\"</b> & Исфара\nline\u2028sep\ttab \\ end"
	r := newUpdate(t, app, "encodeencode001", title)
	if err := app.Save(r); err != nil {
		t.Fatal(err)
	}
	var diff, fields string
	if err := app.DB().NewQuery("SELECT diff, fields FROM _aman_changes WHERE record_id = {:id} AND rev = 1").
		Bind(dbx.Params{"id": r.Id}).Row(&diff, &fields); err != nil {
		t.Fatal(err)
	}
	var decoded map[string]changelog.FieldChange
	if err := json.Unmarshal([]byte(diff), &decoded); err != nil {
		t.Fatalf("diff %s: %v", diff, err)
	}
	if decoded["title"].New != title || decoded["title"].Old != nil || decoded["status"].New != "published" {
		t.Fatalf("decoded diff: %+v", decoded)
	}
	again, _ := json.Marshal(decoded)
	if string(again) != diff {
		t.Fatalf("stored diff is not json.Marshal's:\n%s\n%s", diff, again)
	}
	var names []string
	if err := json.Unmarshal([]byte(fields), &names); err != nil || len(names) != len(decoded) {
		t.Fatalf("fields %s: %v (diff has %d)", fields, err, len(decoded))
	}
	for i := 1; i < len(names); i++ {
		if names[i-1] >= names[i] {
			t.Fatalf("fields out of order: %s", fields)
		}
	}
}

// TestBackfill: a record written around PocketBase gets a head with an
// unknown history, which merge treats as "anything may have changed".
func TestBackfill(t *testing.T) {
	app := testapp.New(t)
	_, err := app.DB().NewQuery(`INSERT INTO districts (id, code, region, kind, country, name_en, name_ru, name_local)
		VALUES ('rawrawrawraw001', 'raw', 'sughd', 'district', 'tj', 'Raw', 'Raw', 'Raw')`).Execute()
	if err != nil {
		t.Fatal(err)
	}
	if err := changelog.Backfill(app, changelog.DefaultConfig()); err != nil {
		t.Fatal(err)
	}
	h, err := changelog.HeadOf(app, "districts", "rawrawrawraw001")
	if err != nil || h.Rev != 1 {
		t.Fatalf("head: %+v %v", h, err)
	}
	if _, complete, _ := changelog.ChangedSince(app, "districts", "rawrawrawraw001", "", 0, 1); complete {
		t.Fatal("a backfilled history must count as incomplete")
	}
	// seeded reference data has heads too (the migration backfills)
	if n := count(t, app, "SELECT COUNT(*) FROM districts WHERE id NOT IN (SELECT record_id FROM _aman_heads WHERE collection = 'districts')", nil); n != 0 {
		t.Fatalf("%d districts without a head", n)
	}
}

// TestPrune: tombstones older than the retention go and raise the reset
// horizon; live records' heads stay whatever their age; old history goes.
func TestPrune(t *testing.T) {
	app := testapp.New(t)
	live, gone := newUpdate(t, app, "livelivelive001", "live"), newUpdate(t, app, "gonegonegone001", "gone")
	for _, r := range []*core.Record{live, gone} {
		if err := app.Save(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := app.Delete(gone); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-400 * 24 * time.Hour).UTC().Format("2006-01-02 15:04:05.000Z")
	for _, table := range []string{"_aman_heads", "_aman_changes"} {
		if _, err := app.DB().NewQuery("UPDATE " + table + " SET at = {:at}").Bind(dbx.Params{"at": old}).Execute(); err != nil {
			t.Fatal(err)
		}
	}
	tomb, _ := changelog.HeadOf(app, "updates", gone.Id)
	res, err := changelog.Prune(app, changelog.DefaultConfig(), time.Now())
	if err != nil || res.Tombstones != 1 || res.PrunedSeq != tomb.Seq || res.History == 0 {
		t.Fatalf("prune: %+v %v", res, err)
	}
	if _, err := changelog.HeadOf(app, "updates", live.Id); err != nil {
		t.Fatal("a live record's head was pruned")
	}
	if seq, _ := changelog.PrunedSeq(app); seq != tomb.Seq {
		t.Fatalf("pruned seq %d, want %d", seq, tomb.Seq)
	}
}

// TestBornAfterAndWrittenBySince: the page-wide answers agree with
// StateAt's "did not exist, known" and with who wrote since a position.
func TestBornAfterAndWrittenBySince(t *testing.T) {
	app := testapp.New(t)
	old := newUpdate(t, app, "oldrecord000001", "old")
	gone := newUpdate(t, app, "goneafter000001", "gone")
	for _, r := range []*core.Record{old, gone} {
		if err := app.Save(r); err != nil {
			t.Fatal(err)
		}
	}
	cp, err := changelog.LastSeq(app)
	if err != nil {
		t.Fatal(err)
	}
	old.Set("title", "old, edited")
	born := newUpdate(t, app, "bornafter000001", "born")
	brief := newUpdate(t, app, "briefrecord0001", "brief")
	for _, r := range []*core.Record{old, born, brief} {
		if err := app.Save(r); err != nil {
			t.Fatal(err)
		}
	}
	for _, r := range []*core.Record{gone, brief} {
		if err := app.Delete(r); err != nil {
			t.Fatal(err)
		}
	}
	ids := []string{"oldrecord000001", "goneafter000001", "bornafter000001", "briefrecord0001", "neverexisted001"}
	got, err := changelog.BornAfter(app, "updates", ids, cp)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		want := id == "bornafter000001" || id == "briefrecord0001"
		if got[id] != want {
			t.Errorf("BornAfter %s = %v, want %v", id, got[id], want)
		}
		_, existed, known, err := changelog.StateAt(app, "updates", id, cp, nil)
		if err != nil {
			t.Fatal(err)
		}
		if want && (existed || !known) {
			t.Errorf("StateAt %s: existed %v known %v, BornAfter says created since", id, existed, known)
		}
	}
	// app.Save outside a request is the system actor
	wrote, err := changelog.WrittenBySince(app, "updates", ids, cp, changelog.Actor{})
	if err != nil {
		t.Fatal(err)
	}
	if len(wrote) != 4 || wrote["neverexisted001"] {
		t.Errorf("WrittenBySince system: %v", wrote)
	}
	if wrote, _ = changelog.WrittenBySince(app, "updates", ids, cp, changelog.Actor{Collection: "users", ID: "someone"}); len(wrote) != 0 {
		t.Errorf("WrittenBySince someone: %v", wrote)
	}
}

// TestEpoch_AheadWarning: a start whose log is more than an hour of seqs
// ahead of the clock's floor (the clock was set back, or ran ahead at an
// earlier start) warns the operator in the logs; a normal start and a
// small lead do not.
func TestEpoch_AheadWarning(t *testing.T) {
	app := testapp.New(t)
	app.Settings().Logs.MaxDays = 1 // the test data dir keeps no logs
	if err := app.Save(newUpdate(t, app, "aheadahead00001", "t")); err != nil {
		t.Fatal(err)
	}
	warnings := func() int {
		t.Helper()
		h, ok := app.Logger().Handler().(*logger.BatchHandler)
		if !ok {
			t.Fatalf("logger handler %T", app.Logger().Handler())
		}
		if err := h.WriteAll(context.WithValue(context.Background(), logger.BlockKey, true)); err != nil {
			t.Fatal(err)
		}
		var n int
		err := app.AuxDB().NewQuery("SELECT COUNT(*) FROM _logs WHERE level = {:warn} AND message LIKE '%ahead of the clock%'").
			Bind(dbx.Params{"warn": int(slog.LevelWarn)}).Row(&n)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	setLead := func(lead time.Duration) {
		t.Helper()
		_, err := app.DB().NewQuery("UPDATE sqlite_sequence SET seq = {:seq} WHERE name = '_aman_changes'").
			Bind(dbx.Params{"seq": changelog.SeqFloor(time.Now().Add(lead))}).Execute()
		if err != nil {
			t.Fatal(err)
		}
	}
	steps := []struct {
		name string
		lead time.Duration // how far the log is set ahead of the clock; 0: left as it is
		want int           // warnings so far
	}{
		{"a normal start", 0, 0},
		{"half an hour ahead", 30 * time.Minute, 0},
		{"two hours ahead", 2 * time.Hour, 1},
	}
	for _, s := range steps {
		if s.lead > 0 {
			setLead(s.lead)
		}
		if _, err := changelog.StartEpoch(app); err != nil {
			t.Fatal(err)
		}
		if got := warnings(); got != s.want {
			t.Fatalf("%s: %d warnings, want %d", s.name, got, s.want)
		}
	}
}

// TestEpoch_SeqFloor: every epoch's writes begin at least at the wall
// clock's floor (SeqFloor), so that positions grow across a restore, while
// the epoch before still ends where the log ended (a restart resets
// nobody); RevAt reads a record's rev as of a position.
func TestEpoch_SeqFloor(t *testing.T) {
	app := testapp.New(t)
	booted := time.Now()
	if _, err := changelog.StartEpoch(app); err != nil { // as serving does
		t.Fatal(err)
	}
	r := newUpdate(t, app, "floorfloor00001", "first")
	if err := app.Save(r); err != nil {
		t.Fatal(err)
	}
	first, err := changelog.HeadOf(app, "updates", r.Id)
	if err != nil || first.Seq < changelog.SeqFloor(booted) || first.Rev != 1 {
		t.Fatalf("the first write of a served app: %+v (%v), want seq >= %d", first, err, changelog.SeqFloor(booted))
	}
	before, err := changelog.CurrentEpoch(app)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(5 * time.Millisecond)
	restarted := time.Now()
	if _, err := changelog.StartEpoch(app); err != nil {
		t.Fatal(err)
	}
	last, err := changelog.LastSeq(app)
	if err != nil || last < changelog.SeqFloor(restarted)-1 {
		t.Fatalf("after a new epoch the log's next seq is past the clock's floor: last %d (%v), floor %d", last, err, changelog.SeqFloor(restarted))
	}
	if end, err := changelog.EpochEnd(app, before, last); err != nil || end != first.Seq {
		t.Fatalf("the epoch before ends where the log ended: %d (%v), want %d", end, err, first.Seq)
	}
	r.Set("title", "second")
	if err := app.Save(r); err != nil {
		t.Fatal(err)
	}
	second, err := changelog.HeadOf(app, "updates", r.Id)
	if err != nil || second.Seq != last+1 || second.Rev != 2 {
		t.Fatalf("the next write: %+v (%v), want seq %d", second, err, last+1)
	}
	for _, c := range []struct {
		seq  int64
		want int64
	}{
		{first.Seq - 1, 0}, {first.Seq, 1}, {second.Seq - 1, 1}, {second.Seq, 2}, {second.Seq + 100, 2},
	} {
		if got, err := changelog.RevAt(app, "updates", r.Id, c.seq); err != nil || got != c.want {
			t.Errorf("RevAt(%d) = %d (%v), want %d", c.seq, got, err, c.want)
		}
	}
	// the first write's history pruned: the writes after a position still tell
	if _, err := app.DB().NewQuery("DELETE FROM _aman_changes WHERE seq = {:seq}").Bind(dbx.Params{"seq": first.Seq}).Execute(); err != nil {
		t.Fatal(err)
	}
	if got, err := changelog.RevAt(app, "updates", r.Id, first.Seq); err != nil || got != 1 {
		t.Errorf("RevAt(%d) with rev 1 pruned = %d (%v), want 1", first.Seq, got, err)
	}
}

// TestPrune_ReadsTheTombstoneIndex: pruning finds old tombstones through
// the partial index of tombstones, not by scanning every head (a live
// record's head is most of the table). The statements checked are those
// Prune runs, as dbx logs them, planned on a table of 5,000 heads of which
// 1 in 100 is a tombstone, with its statistics.
func TestPrune_ReadsTheTombstoneIndex(t *testing.T) {
	app := testapp.New(t)
	_, err := app.DB().NewQuery(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000)
		INSERT INTO _aman_heads (collection, record_id, rev, seq, deleted, at)
		SELECT 'updates', printf('bulk%011d', i), 1, 1000000 + i, i % 100 = 0, '2020-01-01 00:00:00.000Z' FROM n`).Execute()
	if err == nil {
		_, err = app.DB().NewQuery("ANALYZE").Execute()
	}
	if err != nil {
		t.Fatal(err)
	}
	db := app.NonconcurrentDB().(*dbx.DB)
	var pruning []string
	keep := func(sql string) {
		if strings.Contains(sql, "_aman_heads") && strings.Contains(sql, "deleted = 1") {
			pruning = append(pruning, sql)
		}
	}
	db.QueryLogFunc = func(_ context.Context, _ time.Duration, sql string, _ *sql.Rows, _ error) { keep(sql) }
	db.ExecLogFunc = func(_ context.Context, _ time.Duration, sql string, _ sql.Result, _ error) { keep(sql) }
	res, err := changelog.Prune(app, changelog.DefaultConfig(), time.Now())
	db.QueryLogFunc, db.ExecLogFunc = nil, nil
	if err != nil || res.Tombstones != 50 {
		t.Fatalf("prune: %+v %v", res, err)
	}
	if len(pruning) != 2 {
		t.Fatalf("statements on tombstones: %q, want the lookup and the delete", pruning)
	}
	for _, q := range pruning {
		var plan []struct {
			ID     int    `db:"id"`
			Parent int    `db:"parent"`
			Unused int    `db:"notused"`
			Detail string `db:"detail"`
		}
		if err := app.DB().NewQuery("EXPLAIN QUERY PLAN " + q).All(&plan); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		details := make([]string, len(plan))
		for i, p := range plan {
			details[i] = p.Detail
		}
		if !strings.Contains(strings.Join(details, "; "), "USING INDEX idx_aman_heads_tombstones_at") {
			t.Errorf("%s\nplanned as %q: not through the index of tombstones", q, details)
		}
	}
}

// TestLifeStart: a record's life begins at its first change after its last
// delete (LastDelete), so an id deleted and created again starts over.
func TestLifeStart(t *testing.T) {
	app := testapp.New(t)
	if _, found, err := changelog.LifeStart(app, "updates", "neverexisted001"); err != nil || found {
		t.Fatalf("an id never written: found %v, %v", found, err)
	}
	if last, rev, err := changelog.LastDelete(app, "updates", "neverexisted001"); err != nil || last != 0 || rev != 0 {
		t.Fatalf("an id never written: last delete %d/%d, %v", last, rev, err)
	}
	first := newUpdate(t, app, "reborn000000001", "first")
	if err := app.Save(first); err != nil {
		t.Fatal(err)
	}
	born, _ := changelog.HeadOf(app, "updates", first.Id)
	first.Set("title", "first, edited")
	if err := app.Save(first); err != nil {
		t.Fatal(err)
	}
	if start, found, err := changelog.LifeStart(app, "updates", first.Id); err != nil || !found || start.Seq != born.Seq || start.At == "" {
		t.Fatalf("first life: %+v %v %v, want seq %d", start, found, err, born.Seq)
	}
	if err := app.Delete(first); err != nil {
		t.Fatal(err)
	}
	if _, found, _ := changelog.LifeStart(app, "updates", first.Id); found {
		t.Fatal("a deleted record has no life")
	}
	gone, _ := changelog.HeadOf(app, "updates", first.Id)
	if last, rev, err := changelog.LastDelete(app, "updates", first.Id); err != nil || last != gone.Seq || last <= born.Seq || rev != gone.Rev || rev != 3 {
		t.Fatalf("last delete %d/%d, %v, want seq %d, rev 3 (%d)", last, rev, err, gone.Seq, gone.Rev)
	}
	second := core.NewRecord(first.Collection())
	second.Id = first.Id
	second.Load(map[string]any{"title": "second", "body": "b", "language": "en", "status": "published",
		"author": first.GetString("author")})
	if err := app.Save(second); err != nil {
		t.Fatal(err)
	}
	reborn, _ := changelog.HeadOf(app, "updates", first.Id)
	if start, found, _ := changelog.LifeStart(app, "updates", first.Id); !found || start.Seq != reborn.Seq || start.Seq <= born.Seq {
		t.Fatalf("second life: %+v, want seq %d", start, reborn.Seq)
	}
	if last, rev, _ := changelog.LastDelete(app, "updates", first.Id); last != gone.Seq || last >= reborn.Seq || rev >= reborn.Rev {
		t.Fatalf("second life: last delete %d/%d, want seq %d below rev %d", last, rev, gone.Seq, reborn.Rev)
	}
}

// TestRegister_RetentionEnv: a retention variable that is set but is not a
// whole number of days stops the server at start, naming it. It used to
// fall back to the default silently: "30d" (an operator shortening what a
// seized server gives away) kept a year of history, and so did "0" meant as
// "for ever".
func TestRegister_RetentionEnv(t *testing.T) {
	app := testapp.New(t) // registered before the variables are set
	for _, tc := range []struct {
		name, value string
		want        time.Duration // 0: refused
	}{
		{changelog.EnvHistoryRetentionDays, "30", 30 * 24 * time.Hour},
		{changelog.EnvRetentionDays, "120", 120 * 24 * time.Hour},
		{changelog.EnvHistoryRetentionDays, "30d", 0},
		{changelog.EnvHistoryRetentionDays, "0", 0},
		{changelog.EnvRetentionDays, "-7", 0},
		{changelog.EnvRetentionDays, "ninety", 0},
		// "keep for ever": days × 24 h overflowed time.Duration into a
		// negative retention, and the nightly prune dropped every
		// tombstone and history row
		{changelog.EnvHistoryRetentionDays, "1000000", 0},
		{changelog.EnvRetentionDays, "36501", 0},
		{changelog.EnvRetentionDays, "36500", 36500 * 24 * time.Hour},
	} {
		t.Run(tc.name+"="+tc.value, func(t *testing.T) {
			t.Setenv(tc.name, tc.value)
			if tc.want == 0 {
				err := changelog.Register(app)
				if err == nil || !strings.Contains(err.Error(), tc.name) {
					t.Fatalf("Register: %v, want an error naming %s", err, tc.name)
				}
				if cfg := changelog.DefaultConfig(); cfg.Retention <= 0 || cfg.HistoryRetention <= 0 {
					t.Fatalf("retention %v, history %v: a prune would drop everything", cfg.Retention, cfg.HistoryRetention)
				}
				return
			}
			cfg := changelog.DefaultConfig()
			got := cfg.Retention
			if tc.name == changelog.EnvHistoryRetentionDays {
				got = cfg.HistoryRetention
			}
			if got != tc.want {
				t.Fatalf("retention %v, want %v", got, tc.want)
			}
		})
	}
}
