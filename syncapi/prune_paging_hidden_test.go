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
	cp := ""
	for i := 0; i < 10; i++ {
		p := en.pull(volunteerA, "incident_reports", cp, 2)
		if p.Reset {
			t.Fatalf("page %d of the initial sync reset (%s)", i+1, p.Reason)
		}
		for _, c := range p.Changes {
			if c.ID == hidden {
				t.Fatalf("page %d told volunteer A of volunteer B's report: %+v", i+1, c)
			}
			got[c.ID] = true
		}
		cp = p.Checkpoint
		if !p.HasMore {
			break
		}
	}
	if len(got) != 3 {
		t.Fatalf("initial sync got %v", got)
	}
}
