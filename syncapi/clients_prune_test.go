package syncapi_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/tools/types"

	"aman/changelog"
	"aman/syncapi"
)

// lastSeen is the stored last_seen of client's binding ("" if unbound).
func (en *env) lastSeen(client string) string {
	en.t.Helper()
	var at []string
	err := en.app.DB().NewQuery("SELECT last_seen FROM _aman_clients WHERE client = {:c}").
		Bind(dbx.Params{"c": client}).Column(&at)
	if err != nil {
		en.t.Fatal(err)
	}
	if len(at) == 0 {
		return ""
	}
	return at[0]
}

func (en *env) setLastSeen(client string, at time.Time) string {
	en.t.Helper()
	dt, _ := types.ParseDateTime(at.UTC())
	_, err := en.app.DB().NewQuery("UPDATE _aman_clients SET last_seen = {:at} WHERE client = {:c}").
		Bind(dbx.Params{"c": client, "at": dt.String()}).Execute()
	if err != nil {
		en.t.Fatal(err)
	}
	return dt.String()
}

// TestClients_LastSeen: a device's pushes keep its binding's last_seen
// within an hour of now, with one write an hour, not one a push; another
// account's pushes under the id (refused) do not keep it alive.
func TestClients_LastSeen(t *testing.T) {
	en := newEnv(t)
	en.push(volunteerA, "device-a")
	first := en.lastSeen("device-a")
	if first == "" {
		t.Fatal("the first push bound no client")
	}

	recent := en.setLastSeen("device-a", time.Now().Add(-10*time.Minute))
	en.push(volunteerA, "device-a")
	if got := en.lastSeen("device-a"); got != recent {
		t.Fatalf("a push 10 minutes after the last renewal wrote last_seen: %s, want %s kept", got, recent)
	}

	stale := en.setLastSeen("device-a", time.Now().Add(-2*time.Hour))
	rec := en.raw(volunteerB, http.MethodPost, "/api/sync/v1/push", map[string]any{"client": "device-a", "mutations": []mut{}})
	if rec.Code != http.StatusForbidden {
		t.Fatalf("another account's push under the id: %d %s", rec.Code, rec.Body.String())
	}
	if got := en.lastSeen("device-a"); got != stale {
		t.Fatalf("another account's push renewed the binding: %s, want %s", got, stale)
	}

	en.push(volunteerA, "device-a")
	got, err := types.ParseDateTime(en.lastSeen("device-a"))
	if err != nil || time.Since(got.Time()) > time.Minute {
		t.Fatalf("the owner's push after 2 hours left last_seen at %v (%v)", got, err)
	}
}

// TestClients_Prune: a binding its device has not used for longer than
// both retentions, and whose stored results are gone, is removed; a recent
// one, and an old one that still answers replays, stay. The device may
// come back: its next push binds the id again.
func TestClients_Prune(t *testing.T) {
	en := newEnv(t)
	cfg := changelog.DefaultConfig()
	now := time.Now()
	cutoff := syncapi.ClientsCutoff(cfg, now)
	if want := now.Add(-cfg.HistoryRetention - time.Hour); !cutoff.Equal(want) {
		t.Fatalf("cutoff %v, want the history retention and an hour before now, %v", cutoff, want)
	}

	en.push(volunteerA, "old-idle")
	en.push(volunteerA, "old-with-results", createReport("reportaaaaaaaa1", volunteerA, nil))
	en.push(volunteerB, "recent")
	en.push(volunteerB, "just-after-cutoff")
	en.setLastSeen("old-idle", cutoff.Add(-time.Minute))
	en.setLastSeen("old-with-results", cutoff.Add(-time.Minute))
	en.setLastSeen("just-after-cutoff", cutoff.Add(time.Minute))

	n, err := syncapi.PruneClients(en.app, cutoff)
	if err != nil || n != 1 {
		t.Fatalf("pruned %d (%v), want 1", n, err)
	}
	for client, want := range map[string]bool{
		"old-idle": false, "old-with-results": true, "recent": true, "just-after-cutoff": true,
	} {
		if got := en.lastSeen(client) != ""; got != want {
			t.Errorf("binding of %s kept: %v, want %v", client, got, want)
		}
	}

	// once its results are pruned too, the other old binding goes
	if _, err := syncapi.PruneMutations(en.app, now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if n, err := syncapi.PruneClients(en.app, cutoff); err != nil || n != 1 || en.lastSeen("old-with-results") != "" {
		t.Fatalf("second pass pruned %d (%v), binding left %q", n, err, en.lastSeen("old-with-results"))
	}

	// the idle device comes back after all: a new binding, to whoever pushes first
	en.push(volunteerA, "old-idle")
	if en.countRows("_aman_clients", "client = 'old-idle' AND auth_id = {:id}", dbx.Params{"id": volunteerA}) != 1 {
		t.Fatal("a pruned device's push did not bind it again")
	}
}

// TestUpgrade_ClientsLastSeen: bindings made before last_seen existed
// count as seen at the upgrade, so none is pruned on the first pass after
// it, however old.
func TestUpgrade_ClientsLastSeen(t *testing.T) {
	en := newEnv(t)
	en.push(volunteerA, "device-a")
	en.exec(
		"DROP INDEX idx_aman_clients_last_seen",
		"ALTER TABLE _aman_clients DROP COLUMN last_seen",
		"UPDATE _aman_clients SET created = '2020-01-01 00:00:00.000Z'",
		"DELETE FROM _migrations WHERE file = '1795767850_aman_clients_last_seen.go'",
		"PRAGMA wal_checkpoint(TRUNCATE)",
	)
	upgraded := en.bootFrom(en.app.DataDir())
	seen, err := types.ParseDateTime(upgraded.lastSeen("device-a"))
	if err != nil || time.Since(seen.Time()) > time.Minute {
		t.Fatalf("last_seen after the upgrade: %v (%v), want now", seen, err)
	}
	if n, err := syncapi.PruneClients(upgraded.app, syncapi.ClientsCutoff(changelog.DefaultConfig(), time.Now())); err != nil || n != 0 {
		t.Fatalf("the first prune after the upgrade removed %d (%v)", n, err)
	}
	upgraded.push(volunteerA, "device-a")
}
