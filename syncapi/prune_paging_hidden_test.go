package syncapi_test

import (
	"testing"
	"time"

	"aman/changelog"
)

// TestPull_InitialSyncAfterHistoryPrune: the pages of an initial sync go
// on below the reset horizon (checkpoint version 3), where the history
// that would tell whether the device may hold a record it cannot see is
// pruned. A record it cannot see that was written before the sync began
// was never on the device: no page may tell it of the record, not even
// as an id-only tombstone (another volunteer's report, by its id and rev).
func TestPull_InitialSyncAfterHistoryPrune(t *testing.T) {
	en := newEnv(t)
	for _, id := range []string{"reportaaaaaaaa1", "reportaaaaaaaa2", "reportaaaaaaaa3"} {
		en.push(volunteerA, "device-a", createReport(id, volunteerA, nil))
	}
	const hidden = "reportbbbbbbbb1"
	en.push(volunteerB, "device-b", createReport(hidden, volunteerB, nil))
	cfg := changelog.DefaultConfig()
	if res, err := changelog.Prune(en.app, cfg, time.Now().Add(cfg.HistoryRetention+24*time.Hour)); err != nil || res.History == 0 {
		t.Fatalf("prune: %+v %v", res, err)
	}
	got := map[string]bool{}
	for _, c := range en.initialSync(t, volunteerA, "incident_reports", 2) {
		if c.ID == hidden {
			t.Fatalf("the initial sync told volunteer A of volunteer B's report: %+v", c)
		}
		got[c.ID] = true
	}
	if len(got) != 3 {
		t.Fatalf("initial sync got %v", got)
	}
}
