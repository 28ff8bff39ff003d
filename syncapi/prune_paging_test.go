package syncapi_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/pocketbase/dbx"

	"aman/changelog"
)

// TestPull_InitialSyncAfterPrune: once a tombstone was pruned, the reset
// horizon lies above the heads of every record not written since. An
// initial sync pages through those heads in log order; the checkpoint of
// its first page is below the horizon, and the next page must go on, not
// reset (expired) to the start, or a device with more of them than a page
// holds never finishes its first sync.
func TestPull_InitialSyncAfterPrune(t *testing.T) {
	en := newEnv(t)
	ids := []string{"reportaaaaaaaa1", "reportaaaaaaaa2", "reportaaaaaaaa3", "reportaaaaaaaa4"}
	for _, id := range ids {
		en.push(volunteerA, "device-a", createReport(id, volunteerA, nil))
	}
	en.push(volunteerA, "device-a", createReport("reportaaaaaaaa5", volunteerA, nil))
	if code, _ := en.do(superuser, http.MethodDelete, "/api/collections/incident_reports/records/reportaaaaaaaa5", nil); code != 204 {
		t.Fatal("delete")
	}
	old := time.Now().Add(-100 * 24 * time.Hour).UTC().Format("2006-01-02 15:04:05.000Z")
	if _, err := en.app.DB().NewQuery("UPDATE _aman_heads SET at = {:at} WHERE deleted = 1").Bind(dbx.Params{"at": old}).Execute(); err != nil {
		t.Fatal(err)
	}
	if res, err := changelog.Prune(en.app, changelog.DefaultConfig(), time.Now()); err != nil || res.Tombstones != 1 {
		t.Fatalf("prune: %+v %v", res, err)
	}
	got := map[string]bool{}
	for _, c := range en.initialSync(t, volunteerA, "incident_reports", 2) {
		got[c.ID] = true
	}
	if len(got) != len(ids) {
		t.Fatalf("initial sync got %v", got)
	}

	// a device whose initial sync got a record that was deleted after its
	// page, and whose tombstone was pruned before the next page, still resets
	first := en.pull(volunteerA, "incident_reports", "", 2)
	if first.Reset || !first.HasMore || len(first.Changes) != 2 {
		t.Fatalf("first page: %+v", first)
	}
	if code, _ := en.do(superuser, http.MethodDelete, "/api/collections/incident_reports/records/"+first.Changes[0].ID, nil); code != 204 {
		t.Fatal("delete")
	}
	if _, err := en.app.DB().NewQuery("UPDATE _aman_heads SET at = {:at} WHERE deleted = 1").Bind(dbx.Params{"at": old}).Execute(); err != nil {
		t.Fatal(err)
	}
	if res, err := changelog.Prune(en.app, changelog.DefaultConfig(), time.Now()); err != nil || res.Tombstones != 1 {
		t.Fatalf("prune: %+v %v", res, err)
	}
	if p := en.pull(volunteerA, "incident_reports", first.Checkpoint, 2); !p.Reset || p.Reason != "expired" {
		t.Fatalf("a delete the device missed must reset (expired): %+v", p)
	}
}

// initialSync pulls collections as `as` from the start, limit records a
// page, to the last page, and returns every page's changes; a page that
// resets fails the test.
func (en *env) initialSync(t testing.TB, as, collections string, limit int) []change {
	t.Helper()
	var changes []change
	cp := ""
	for i := 0; i < 100; i++ {
		p := en.pull(as, collections, cp, limit)
		if p.Reset {
			t.Fatalf("page %d of the initial sync reset (%s)", i+1, p.Reason)
		}
		changes = append(changes, p.Changes...)
		if cp = p.Checkpoint; !p.HasMore {
			return changes
		}
	}
	t.Fatal("the initial sync did not end in 100 pages")
	return nil
}
