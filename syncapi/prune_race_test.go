package syncapi_test

import (
	"context"
	"database/sql"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"

	"aman/changelog"
)

// onQuery runs fn once, right after the app's next read query whose SQL
// contains marker: it lets a test commit a write between two reads of one
// request, as a concurrent request may.
func (en *env) onQuery(marker string, fn func()) {
	en.t.Helper()
	db, ok := en.app.ConcurrentDB().(*dbx.DB)
	if !ok {
		en.t.Fatal("concurrent db is not a *dbx.DB")
	}
	armed := true
	db.QueryLogFunc = func(_ context.Context, _ time.Duration, s string, _ *sql.Rows, _ error) {
		if armed && strings.Contains(s, marker) {
			armed = false
			fn()
		}
	}
	en.t.Cleanup(func() { db.QueryLogFunc = nil })
}

// TestPull_PruneDuringPull: a tombstone pruned while a pull is under way,
// after the pull read the reset horizon and before it scanned the log, is
// neither sent nor answered with a reset: the device keeps the deleted
// record for ever. The pull must notice the horizon it crossed.
func TestPull_PruneDuringPull(t *testing.T) {
	en := newEnv(t)
	en.push(volunteerA, "device-a", createReport(reportA, volunteerA, nil))
	_, cp := en.pullAll(superuser, "incident_reports", "")
	if code, _ := en.do(superuser, http.MethodDelete, "/api/collections/incident_reports/records/"+reportA, nil); code != 204 {
		t.Fatal("delete")
	}
	old := time.Now().Add(-100 * 24 * time.Hour).UTC().Format("2006-01-02 15:04:05.000Z")
	if _, err := en.app.DB().NewQuery("UPDATE _aman_heads SET at = {:at} WHERE deleted = 1").Bind(dbx.Params{"at": old}).Execute(); err != nil {
		t.Fatal(err)
	}
	// the nightly prune commits just after the pull read the horizon
	var pruned changelog.PruneResult
	en.onQuery("FROM _aman_epochs ORDER BY n DESC", func() {
		var err error
		if pruned, err = changelog.Prune(en.app, changelog.DefaultConfig(), time.Now()); err != nil {
			t.Error(err)
		}
	})
	p := en.pull(superuser, "incident_reports", cp, 0)
	if pruned.Tombstones != 1 {
		t.Fatalf("prune did not run during the pull: %+v", pruned)
	}
	if tomb := findChange(p.Changes, "incident_reports", reportA); tomb == nil && !(p.Reset && p.Reason == "expired") {
		t.Fatalf("the delete was neither sent nor reset (expired): %+v", p)
	}
}
