package syncapi_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"aman/changelog"
	"aman/internal/testapp"
	"aman/server"
)

// Benchmarks run on the real app (SQLite in a temp dir, every hook bound).
// Rate limits are off: they would measure the limiter, not the engine.
//
//	go test ./syncapi -run '^$' -bench . -benchtime 5x

func benchEnv(b *testing.B) *env {
	en := newEnv(b)
	en.app.Settings().RateLimits.Enabled = false
	return en
}

// cpuTime is the process's user+system CPU time. The machine these run on
// is shared, so wall time (ns/op) varies with its load; CPU time per op is
// the steadier figure.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU reports the CPU milliseconds per op since start.
func reportCPU(b *testing.B, start time.Duration) {
	reportSpent(b, cpuTime()-start)
}

// reportSpent reports spent CPU time as milliseconds per op.
func reportSpent(b *testing.B, spent time.Duration) {
	b.ReportMetric(float64(spent.Microseconds())/1000/float64(b.N), "cpu-ms/op")
}

// meter adds up the CPU time of the parts of a benchmark's ops that the
// server does: the write benchmarks build each op's input (500 reports, a
// JSON body) outside it, so that Push500, Batch500 and Save500 compare the
// server's work alone, as amanload's figures of server CPU do.
type meter struct{ spent time.Duration }

func (m *meter) run(fn func()) {
	start := cpuTime()
	fn()
	m.spent += cpuTime() - start
}

var benchExtra = map[string]any{"description": strings.Repeat("Стрельба у канала, две семьи ушли в школу. ", 14)}

func reportMutations(prefix string, n int) []mut {
	muts := make([]mut, n)
	for i := range muts {
		id := fmt.Sprintf("%s%09d", prefix, i)
		muts[i] = mut{"id": "m-" + id, "collection": "incident_reports", "recordId": id, "data": report(volunteerA, benchExtra)}
	}
	return muts
}

// BenchmarkPush500: one push of 500 new incident reports by a volunteer
// (create rule, validation, hooks, log, stored results).
func BenchmarkPush500(b *testing.B) {
	pushCreates500(b, benchEnv(b), "p")
}

// pushCreates500 times pushes of 500 new reports on en, their record ids
// starting with prefix, and reports mutations/s and the CPU they took.
func pushCreates500(b *testing.B, en *env, prefix string) {
	var m meter
	i := 0
	for b.Loop() {
		i++
		body := map[string]any{"client": "bench-device", "mutations": reportMutations(fmt.Sprintf("%s%05d", prefix, i), 500)}
		rec := en.serve(&m, en.request(volunteerA, http.MethodPost, "/api/sync/v1/push", body))
		if rec.Code != 200 {
			b.Fatalf("push: %d %.300s", rec.Code, rec.Body.String())
		}
	}
	b.ReportMetric(float64(500*b.N)/b.Elapsed().Seconds(), "mutations/s")
	reportSpent(b, m.spent)
}

// serve serves req as the server would, its CPU time counted in m.
func (en *env) serve(m *meter, req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	m.run(func() { en.mux.ServeHTTP(rec, req) })
	return rec
}

// BenchmarkBatch500: the same 500 creates through /api/batch, as PocketBase
// is best at them: one request of 500 (the batch limit raised to 500 for
// the benchmark, as amanload does), for comparison with push.
func BenchmarkBatch500(b *testing.B) {
	en := benchEnv(b)
	en.app.Settings().Batch.MaxRequests = 500
	var m meter
	i := 0
	for b.Loop() {
		i++
		muts := reportMutations(fmt.Sprintf("b%05d", i), 500)
		reqs := make([]map[string]any, 0, len(muts))
		for _, m := range muts {
			data := m["data"].(map[string]any)
			data["id"] = m["recordId"]
			reqs = append(reqs, map[string]any{"method": "POST", "url": "/api/collections/incident_reports/records", "body": data})
		}
		rec := en.serve(&m, en.request(volunteerA, http.MethodPost, "/api/batch", map[string]any{"requests": reqs}))
		if rec.Code != 200 {
			b.Fatalf("batch: %d %.300s", rec.Code, rec.Body.String())
		}
	}
	b.ReportMetric(float64(500*b.N)/b.Elapsed().Seconds(), "mutations/s")
	reportSpent(b, m.spent)
}

// BenchmarkSave500: the same 500 reports through app.Save in one
// transaction, with every hook bound (workflow, photos, locale, privacy,
// change log), and no request, rule, form or result around it: the ceiling
// of any write path that saves through PocketBase's record save.
func BenchmarkSave500(b *testing.B) {
	en := benchEnv(b)
	benchSave500(b, en.app)
}

// BenchmarkSave500Parts splits BenchmarkSave500's cost: the same saves on
// an app with Aman's schema and none of the project's packages bound
// (PocketBase's save by itself on these collections), with only the change
// log bound, and with every package bound as main.go binds them.
func BenchmarkSave500Parts(b *testing.B) {
	for _, tc := range []struct {
		name     string
		register []func(core.App) error
	}{
		{"schema only", nil},
		{"change log only", []func(core.App) error{changelog.Register}},
		{"every package", []func(core.App) error{server.Register}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			app := testapp.NewSchemaOnly(b, tc.register...)
			u := core.NewRecord(mustCollection(b, app, "users"))
			u.Id = volunteerA
			u.SetEmail(volunteerA + "@example.org")
			u.SetPassword("1234567890")
			u.Set("role", "volunteer")
			if err := app.Save(u); err != nil {
				b.Fatal(err)
			}
			benchSave500(b, app)
		})
	}
}

// benchSave500 saves 500 new reports by volunteer A per op, through
// app.Save in one transaction.
func benchSave500(b *testing.B, app core.App) {
	c := mustCollection(b, app, "incident_reports")
	var m meter
	i := 0
	for b.Loop() {
		i++
		muts := reportMutations(fmt.Sprintf("s%05d", i), 500)
		var err error
		m.run(func() { err = save500(app, c, muts) })
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(500*b.N)/b.Elapsed().Seconds(), "mutations/s")
	reportSpent(b, m.spent)
}

// save500 saves muts' reports through app.Save in one transaction.
func save500(app core.App, c *core.Collection, muts []mut) error {
	return app.RunInTransaction(func(tx core.App) error {
		for _, m := range muts {
			r := core.NewRecord(c)
			r.Id = m["recordId"].(string)
			r.Load(m["data"].(map[string]any))
			if err := tx.Save(r); err != nil {
				return err
			}
		}
		return nil
	})
}

// seedReports saves n reports by volunteer A through app.Save (so the log
// is filled by its hooks), in one transaction.
func seedReports(b *testing.B, en *env, n int) {
	c := mustCollection(b, en.app, "incident_reports")
	err := en.app.RunInTransaction(func(tx core.App) error {
		for i := range n {
			r := core.NewRecord(c)
			r.Id = fmt.Sprintf("seed%011d", i)
			// varied text and numbers: identical records would make gzip's
			// bytes per record meaninglessly small
			r.Load(report(volunteerA, map[string]any{
				"description": fmt.Sprintf("Report %d: gunfire heard for %d minutes near the canal at %02d:%02d; %d families moved to the school in %s.",
					i, 3+i%41, i%24, (i*7)%60, 1+i%13, []string{"Isfara", "Vorukh", "Kok-Tash", "Ak-Sai", "Chorku"}[i%5]),
				"injured": i % 4, "place": fmt.Sprintf("Street %d, house %d", i%97, i%211),
			}))
			if err := tx.Save(r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

// BenchmarkPullInitial: a coordinator's first sync of 5,000 reports, in
// pages of 1,000 with gzip, as a phone pulls (rules, enrich hooks, JSON).
// bytes/record is what crosses the network.
func BenchmarkPullInitial(b *testing.B) {
	en := benchEnv(b)
	seedReports(b, en, 5000)
	var bytes int
	start := cpuTime()
	for b.Loop() {
		n, size := en.pullAllGzip(coordinator, "incident_reports")
		if n != 5000 {
			b.Fatalf("pulled %d", n)
		}
		bytes += size
	}
	b.ReportMetric(float64(5000*b.N)/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(float64(bytes)/float64(5000*b.N), "bytes/record")
	reportCPU(b, start)
}

// BenchmarkListPaging: the same 5,000 reports read by the same coordinator
// through PocketBase's list API, 500 a page (its maximum) with skipTotal,
// for comparison with the initial pull. PocketBase never gzips /api/.
func BenchmarkListPaging(b *testing.B) {
	en := benchEnv(b)
	seedReports(b, en, 5000)
	var bytes int
	start := cpuTime()
	for b.Loop() {
		n := 0
		for page := 1; ; page++ {
			rec := en.raw(coordinator, http.MethodGet,
				fmt.Sprintf("/api/collections/incident_reports/records?perPage=500&skipTotal=1&page=%d", page), nil)
			var res struct {
				Items []json.RawMessage `json:"items"`
			}
			if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &res) != nil {
				b.Fatalf("list: %d %.300s", rec.Code, rec.Body.String())
			}
			n += len(res.Items)
			bytes += rec.Body.Len()
			if len(res.Items) < 500 {
				break
			}
		}
		if n != 5000 {
			b.Fatalf("listed %d", n)
		}
	}
	b.ReportMetric(float64(5000*b.N)/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(float64(bytes)/float64(5000*b.N), "bytes/record")
	reportCPU(b, start)
}

// pullAllGzip pulls collections from the start in pages of 1,000 with
// gzip, decoding each page as a client does, and returns the number of
// changes and the compressed bytes received.
func (en *env) pullAllGzip(as, collections string) (n, size int) {
	cp := ""
	for range 1000 {
		rec := en.raw(as, http.MethodGet, "/api/sync/v1/pull?limit=1000&collections="+collections+"&checkpoint="+cp, nil,
			"Accept-Encoding", "gzip")
		if rec.Code != http.StatusOK {
			en.t.Fatalf("pull: %d %.300s", rec.Code, rec.Body.String())
		}
		size += rec.Body.Len()
		var p struct {
			Changes    []json.RawMessage `json:"changes"`
			Checkpoint string            `json:"checkpoint"`
			HasMore    bool              `json:"hasMore"`
		}
		if err := json.Unmarshal(gunzip(en.t, rec.Body.Bytes()), &p); err != nil {
			en.t.Fatalf("decode pull: %v", err)
		}
		n += len(p.Changes)
		if cp = p.Checkpoint; !p.HasMore {
			return n, size
		}
	}
	en.t.Fatal("pull never finished")
	return 0, 0
}

// fillLog appends n change rows (and heads) of another collection with
// plain SQL: the log's size is what matters, not the records.
func fillLog(b *testing.B, en *env, n int) {
	_, err := en.app.DB().NewQuery(`WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {:n})
		INSERT INTO _aman_changes (collection, record_id, rev, deleted, at, fields, diff)
		SELECT 'filler', printf('filler%09d', i), 1, 0, '2026-01-01 00:00:00.000Z', '[]', '{}' FROM s`).
		Bind(dbx.Params{"n": n}).Execute()
	if err != nil {
		b.Fatal(err)
	}
	_, err = en.app.DB().NewQuery(`INSERT INTO _aman_heads (collection, record_id, rev, seq, deleted, at)
		SELECT collection, record_id, rev, seq, deleted, at FROM _aman_changes WHERE record_id LIKE 'filler%'`).Execute()
	if err != nil {
		b.Fatal(err)
	}
}

// BenchmarkPullEmptyIncremental: a volunteer who is up to date pulls
// again, on a log of 1,000 and of 1,000,000 changes: the cost must not
// grow with the log.
func BenchmarkPullEmptyIncremental(b *testing.B) {
	for _, size := range []int{1_000, 1_000_000} {
		b.Run(fmt.Sprintf("log=%d", size), func(b *testing.B) {
			en := benchEnv(b)
			fillLog(b, en, size)
			seedReports(b, en, 10)
			_, cp := en.pullAll(volunteerA, "incident_reports,public_incidents,updates,fact_checks,appeals,districts,organizations", "")
			start := cpuTime()
			for b.Loop() {
				p := en.pull(volunteerA, "incident_reports,public_incidents,updates,fact_checks,appeals,districts,organizations", cp, 0)
				if len(p.Changes) != 0 || p.Reset {
					b.Fatalf("not empty: %d", len(p.Changes))
				}
			}
			reportCPU(b, start)
		})
	}
}

// BenchmarkPullIncrementalOthers: volunteer A pulls after volunteer B
// changed 500 reports: each change is checked against what A's device may
// hold (history and rules) and none is sent.
func BenchmarkPullIncrementalOthers(b *testing.B) {
	en := benchEnv(b)
	_, cp := en.pullAll(volunteerA, "incident_reports", "")
	muts := reportMutations("others", 500)
	for _, m := range muts {
		m["data"].(map[string]any)["reporter"] = volunteerB
	}
	en.raw(volunteerB, http.MethodPost, "/api/sync/v1/push", map[string]any{"client": "device-b", "mutations": muts})
	start := cpuTime()
	for b.Loop() {
		changes, _ := en.pullAll(volunteerA, "incident_reports", cp)
		if len(changes) != 0 {
			b.Fatalf("A heard of %d of B's reports", len(changes))
		}
	}
	b.ReportMetric(float64(500*b.N)/b.Elapsed().Seconds(), "changes/s")
	reportCPU(b, start)
}
