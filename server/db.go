package server

import (
	"database/sql"
	"fmt"
	"strconv"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase"

	"aman/internal/stmtcache"
)

// CacheKiB is the SQLite page cache of each database connection, in KiB.
//
// PocketBase gives each connection 32,000 KiB, and each connection fills
// its own cache: 20 devices running their initial sync at once kept ~20
// connections' caches full and the server peaked at 642 MiB with 22k
// records (docs/benchmarks.md, Peak memory). The kernel's page cache holds
// the database file once for the whole process (and does not count towards
// its RSS), so a page missing from a connection's cache costs a copy from
// the kernel, not a disk read. 2,000 KiB is SQLite's own default.
const CacheKiB = 2000

// DataMaxIdleConns bounds the idle connections to data.db that
// database/sql keeps open, each with its cache. PocketBase keeps 15; under
// a burst more connections open (up to PocketBase's 120) and those past
// this bound close when they are returned, freeing their cache.
const DataMaxIdleConns = 4

// DBConnect opens a SQLite database as core.DefaultDBConnect does, with
// the same pragmas, except for a CacheKiB page cache per connection. It
// has the signature of core.DBConnectFunc (pocketbase.Config.DBConnect),
// so main.go and internal/testapp open the databases the same way.
//
// Its connections keep up to StmtCacheSize prepared statements each
// (package stmtcache), so that a statement run again is not parsed again.
// It connects once before returning, and an error names dbPath.
func DBConnect(dbPath string) (*dbx.DB, error) {
	dsn := dbPath + "?" + dsnQuery()
	probe, err := sql.Open("sqlite", dsn) // connects to nothing: only names the driver
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", dbPath, err)
	}
	drv := probe.Driver()
	_ = probe.Close()
	db := sql.OpenDB(stmtcache.New(drv, dsn, StmtCacheSize))
	// connect now, so that a file SQLite cannot open (a data dir not
	// writable, a full disk) is named: SQLite's own "unable to open
	// database file (14)", which PocketBase's first query would return and
	// the server print at start, says not which
	if err := db.Ping(); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("open database %s: %w", dbPath, err)
	}
	return dbx.NewFromDB(db, "sqlite"), nil
}

// StmtCacheSize is how many prepared statements each database connection
// keeps. A record save runs a handful of distinct statements per
// collection, a pull or a rule check a few more; 128 cover every
// collection's writes and reads with room for the dashboard's queries.
// A statement takes about 5 KB of SQLite's memory (median over the test
// suite; 41 KB at most), so a full cache holds well under 2 MB, outside
// the Go heap and its limit, like the page cache.
const StmtCacheSize = 128

// dsnQuery is PocketBase's connection string (core/db_connect.go of
// v0.40.4) with cache_size changed. busy_timeout must stay first: a new
// connection has to wait on a busy database before it switches to WAL.
func dsnQuery() string {
	return "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=journal_size_limit(200000000)" +
		"&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(ON)&_pragma=temp_store(MEMORY)" +
		"&_pragma=cache_size(-" + strconv.Itoa(CacheKiB) + ")&_defensive=1"
}

// Config is the app's config for main.go: PocketBase's defaults (as
// pocketbase.New sets them) with this file's database settings, except dev
// mode: PocketBase turns it on under `go run` (which bin/serve is), and dev
// mode prints every SQL statement with its values to stdout: beneficiaries'
// names and phones, exact locations, the reporters of anonymous reports,
// password hashes. Only `serve --dev` turns it on.
func Config() pocketbase.Config {
	return pocketbase.Config{
		DefaultDev:       false,
		DBConnect:        DBConnect,
		DataMaxIdleConns: DataMaxIdleConns,
	}
}
