package server_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase"
	"github.com/pocketbase/pocketbase/core"

	"aman/internal/testapp"
	"aman/server"
)

// pragma reads one PRAGMA's value on a connection of db.
func pragma(t *testing.T, db dbx.Builder, name string) string {
	t.Helper()
	var v string
	if err := db.NewQuery("PRAGMA " + name).Row(&v); err != nil {
		t.Fatalf("PRAGMA %s: %v", name, err)
	}
	return v
}

// TestDBConnect_PragmasAsPocketBase: every pragma PocketBase sets is set
// the same way, except the page cache, which is CacheKiB. A PocketBase
// upgrade that changes its connection string fails here.
func TestDBConnect_PragmasAsPocketBase(t *testing.T) {
	dir := t.TempDir()
	ours, err := server.DBConnect(filepath.Join(dir, "ours.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer ours.Close()
	theirs, err := core.DefaultDBConnect(filepath.Join(dir, "theirs.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer theirs.Close()
	same := []string{"busy_timeout", "journal_mode", "journal_size_limit", "synchronous", "foreign_keys", "temp_store", "cell_size_check", "trusted_schema"}
	for i, name := range same {
		t.Run(fmt.Sprintf("%d_%s", i, name), func(t *testing.T) {
			if got, want := pragma(t, ours, name), pragma(t, theirs, name); got != want {
				t.Fatalf("PRAGMA %s = %s, PocketBase's = %s", name, got, want)
			}
		})
	}
	if got, want := pragma(t, ours, "cache_size"), fmt.Sprint(-server.CacheKiB); got != want {
		t.Fatalf("cache_size = %s, want %s", got, want)
	}
	if pragma(t, theirs, "cache_size") == pragma(t, ours, "cache_size") {
		t.Fatal("cache_size is PocketBase's: the setting has no effect")
	}
}

// TestConfig_NoSQLLogUnlessAsked: the README's bin/serve is `go run`, and
// PocketBase's dev mode, its default under go run (and under go test),
// prints every SQL statement with its bound values to stdout, where logs
// are kept and shipped: a beneficiary's phone, an exact location, the
// reporter of an anonymous report. The app main.go builds is not in dev
// mode unless `--dev` is given.
func TestConfig_NoSQLLogUnlessAsked(t *testing.T) {
	cfg := server.Config()
	cfg.DefaultDataDir = t.TempDir()
	app := pocketbase.NewWithConfig(cfg)
	if app.IsDev() {
		t.Fatal("server.Config() starts PocketBase in dev mode: every SQL statement and its values go to stdout")
	}
}

// TestConfig_AppAsMainOpensIt opens the app from server.Config, as main.go
// does, and checks every database connection's cache and the idle bound.
func TestConfig_AppAsMainOpensIt(t *testing.T) {
	cfg := server.Config()
	cfg.DefaultDataDir = t.TempDir()
	cfg.DefaultDev = false // no SQL log
	app := pocketbase.NewWithConfig(cfg)
	if err := app.Bootstrap(); err != nil {
		t.Fatal(err)
	}
	defer app.ResetBootstrapState()
	dbs := []struct {
		name string
		db   dbx.Builder
	}{
		{"data concurrent", app.ConcurrentDB()},
		{"data nonconcurrent", app.NonconcurrentDB()},
		{"auxiliary", app.AuxConcurrentDB()},
	}
	for i, d := range dbs {
		t.Run(fmt.Sprintf("%d_%s", i, d.name), func(t *testing.T) {
			if got, want := pragma(t, d.db, "cache_size"), fmt.Sprint(-server.CacheKiB); got != want {
				t.Fatalf("cache_size = %s, want %s", got, want)
			}
		})
	}
	if idle := idleAfterBurst(t, app.ConcurrentDB().(*dbx.DB), 3*server.DataMaxIdleConns); idle != server.DataMaxIdleConns {
		t.Fatalf("idle data connections after a burst = %d, want %d", idle, server.DataMaxIdleConns)
	}
}

// idleAfterBurst opens n connections at once, returns them all and reports
// how many database/sql kept open.
func idleAfterBurst(t *testing.T, db *dbx.DB, n int) int {
	t.Helper()
	conns := make([]*sql.Conn, n)
	for i := range conns {
		conn, err := db.DB().Conn(context.Background())
		if err != nil {
			t.Fatalf("conn %d: %v", i, err)
		}
		conns[i] = conn
	}
	for _, c := range conns {
		c.Close()
	}
	return db.DB().Stats().Idle
}

// TestTestApp_OpensAsMain: the test apps use the same connection settings,
// so what the tests and the in-process benchmarks measure is what runs.
func TestTestApp_OpensAsMain(t *testing.T) {
	app := testapp.New(t)
	if got, want := pragma(t, app.DB(), "cache_size"), fmt.Sprint(-server.CacheKiB); got != want {
		t.Fatalf("test app cache_size = %s, want %s", got, want)
	}
}
