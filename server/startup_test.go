package server_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"aman/server"
)

// TestStart_DiskErrorsNameThePath: a server that cannot start on its data
// dir (not writable, a full disk) printed SQLite's "unable to open
// database file (14)" or "database or disk is full (13)", naming no path:
// the operator did not know which disk to look at. DBConnect names the
// database file it cannot open, and StartError, what main.go prints, names
// the data dir for a disk's error that does not name it; other errors are
// left as they are.
func TestStart_DiskErrorsNameThePath(t *testing.T) {
	dir := t.TempDir()

	t.Run("a database file SQLite cannot open", func(t *testing.T) {
		path := filepath.Join(dir, "data.db")
		if err := os.Mkdir(path, 0o755); err != nil { // works as root too, unlike a read-only dir
			t.Fatal(err)
		}
		db, err := server.DBConnect(path)
		if err == nil {
			db.Close()
			t.Fatal("DBConnect opened a directory as a database")
		}
		if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "unable to open database file") {
			t.Fatalf("the error does not name %s: %v", path, err)
		}
		if got := server.StartError(dir, err); got != err {
			t.Fatalf("an error naming the path was changed: %v", got)
		}
	})

	t.Run("a full disk", func(t *testing.T) {
		db, err := server.DBConnect(filepath.Join(dir, "full.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		db.DB().SetMaxOpenConns(1) // max_page_count is the connection's
		for _, q := range []string{"PRAGMA journal_mode=DELETE", "CREATE TABLE t (b BLOB)", "PRAGMA max_page_count=3"} {
			if _, err := db.NewQuery(q).Execute(); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		_, full := db.NewQuery("INSERT INTO t VALUES (zeroblob(100000))").Execute()
		if full == nil || !strings.Contains(full.Error(), "(13)") {
			t.Fatalf("want SQLite's full database, got %v", full)
		}
		err = server.StartError(dir, full)
		if !strings.Contains(err.Error(), "data directory "+dir+": ") || !errors.Is(err, full) {
			t.Fatalf("StartError = %v, want the data dir named and %v wrapped", err, full)
		}
	})

	t.Run("other errors", func(t *testing.T) {
		for _, err := range []error{nil, errors.New("listen tcp 127.0.0.1:8090: bind: address already in use")} {
			if got := server.StartError(dir, err); got != err {
				t.Fatalf("StartError(%v) = %v, want it unchanged", err, got)
			}
		}
	})
}
