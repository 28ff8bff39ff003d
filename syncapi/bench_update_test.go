package syncapi_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"
)

// BenchmarkUpdate500 compares the cost of 500 updates of existing reports
// (a new description each, as amanload rtcost's pushed updates) on three
// paths, each on its own app seeded alike with 500 reports pushed by
// volunteer A:
//
//   - push: one push of 500 edits by their reporter, each with its base rev
//
//   - push-same: the same with one body for every edit (anonymous set)
//
//   - batch: the same 500 PATCHes through /api/batch in one request
//
//   - save: app.FindRecordById + app.Save of the same 500 in one
//     transaction, every hook bound (PocketBase's floor for an update)
//
//   - push-create: one push of 500 new reports, for the update/create ratio
//
//     go test ./syncapi -run '^$' -bench Update500 -benchtime 5x -cpuprofile /tmp/upd.out -o /tmp/sync.test
func BenchmarkUpdate500(b *testing.B) {
	b.Run("push", func(b *testing.B) {
		benchPushUpdates(b, func(i, j int) map[string]any { return map[string]any{"description": updateText(i, j)} })
	})
	// the same edit of every record (an operator's or a coordinator's
	// bulk change): the body values repeat within the push
	b.Run("push-same", func(b *testing.B) {
		benchPushUpdates(b, func(i, _ int) map[string]any { return map[string]any{"anonymous": i%2 == 1} })
	})
	b.Run("batch", func(b *testing.B) {
		en, ids, _ := updateEnv(b)
		en.app.Settings().Batch.MaxRequests = 500
		var m meter
		i := 0
		for b.Loop() {
			i++
			reqs := make([]map[string]any, len(ids))
			for j, id := range ids {
				reqs[j] = map[string]any{"method": "PATCH", "url": "/api/collections/incident_reports/records/" + id,
					"body": map[string]any{"description": updateText(i, j)}}
			}
			rec := en.serve(&m, en.request(volunteerA, http.MethodPost, "/api/batch", map[string]any{"requests": reqs}))
			if rec.Code != 200 {
				b.Fatalf("batch: %d %.300s", rec.Code, rec.Body.String())
			}
		}
		b.ReportMetric(float64(500*b.N)/b.Elapsed().Seconds(), "mutations/s")
		reportSpent(b, m.spent)
	})
	b.Run("save", func(b *testing.B) {
		en, ids, _ := updateEnv(b)
		c := mustCollection(b, en.app, "incident_reports")
		var m meter
		i := 0
		for b.Loop() {
			i++
			var err error
			m.run(func() {
				err = en.app.RunInTransaction(func(tx core.App) error {
					for j, id := range ids {
						r, err := tx.FindRecordById(c, id)
						if err != nil {
							return err
						}
						r.Set("description", updateText(i, j))
						if err := tx.Save(r); err != nil {
							return err
						}
					}
					return nil
				})
			})
			if err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(500*b.N)/b.Elapsed().Seconds(), "mutations/s")
		reportSpent(b, m.spent)
	})
	b.Run("push-create", func(b *testing.B) {
		en, _, _ := updateEnv(b)
		pushCreates500(b, en, "c")
	})
}

// updateEnv is an app holding 500 reports by volunteer A, pushed as a
// phone would, with their ids and revs.
func updateEnv(b *testing.B) (*env, []string, []any) {
	en := benchEnv(b)
	muts := reportMutations("upd000", 500) // ids of 15 characters
	res := en.push(volunteerA, "bench-device", muts...)
	ids := make([]string, len(res))
	revs := make([]any, len(res))
	for j, r := range res {
		if r.Status != "applied" {
			b.Fatalf("seed %d: %s %+v", j, r.Status, r.Error)
		}
		ids[j], revs[j] = r.RecordID, r.Rev
	}
	return en, ids, revs
}

// updateText is the j-th report's description in op i: 300 characters of
// Cyrillic, different from every op's before.
func updateText(i, j int) string {
	return fmt.Sprintf("Правка %d/%d: ", i, j) + strings.Repeat("Люди вернулись в дома у канала. ", 9)
}

// benchPushUpdates pushes 500 edits by their reporter per op, each with
// its base rev, data(op, record) as each edit's data.
func benchPushUpdates(b *testing.B, data func(i, j int) map[string]any) {
	en, ids, revs := updateEnv(b)
	var m meter
	i := 0
	for b.Loop() {
		i++
		muts := make([]mut, len(ids))
		for j, id := range ids {
			muts[j] = mut{"id": fmt.Sprintf("u%05d-%s", i, id), "collection": "incident_reports", "recordId": id,
				"baseRev": revs[j], "data": data(i, j)}
		}
		body := map[string]any{"client": "bench-device", "mutations": muts}
		rec := en.serve(&m, en.request(volunteerA, http.MethodPost, "/api/sync/v1/push", body))
		if rec.Code != 200 {
			b.Fatalf("push: %d %.300s", rec.Code, rec.Body.String())
		}
		var out struct{ Results []pushResult }
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			b.Fatal(err)
		}
		for j, r := range out.Results {
			if r.Status != "applied" {
				b.Fatalf("update %d: %s %+v", j, r.Status, r.Error)
			}
			revs[j] = r.Rev
		}
	}
	b.ReportMetric(float64(500*b.N)/b.Elapsed().Seconds(), "mutations/s")
	reportSpent(b, m.spent)
}
