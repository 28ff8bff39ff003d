package stmtcache_test

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	_ "modernc.org/sqlite"

	"aman/internal/stmtcache"
)

// counting wraps the real SQLite driver and counts the statements it
// prepares and closes, so that the tests see what the cache does.
type counting struct {
	driver.Driver
	prepared, closed atomic.Int64
}

func (d *counting) Open(name string) (driver.Conn, error) {
	c, err := d.Driver.Open(name)
	if err != nil {
		return nil, err
	}
	return &countingConn{Conn: c, d: d}, nil
}

type countingConn struct {
	driver.Conn
	d *counting
}

func (c *countingConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	s, err := c.Conn.(driver.ConnPrepareContext).PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	c.d.prepared.Add(1)
	return &countingStmt{Stmt: s, d: c.d}, nil
}

func (c *countingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	return c.Conn.(driver.ConnBeginTx).BeginTx(ctx, opts)
}

type countingStmt struct {
	driver.Stmt
	d *counting
}

func (s *countingStmt) Close() error {
	s.d.closed.Add(1)
	return s.Stmt.Close()
}

func (s *countingStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	return s.Stmt.(driver.StmtExecContext).ExecContext(ctx, args)
}

func (s *countingStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	return s.Stmt.(driver.StmtQueryContext).QueryContext(ctx, args)
}

// open opens a temp database through a cache of size statements per
// connection, on at most conns connections.
func open(t *testing.T, size, conns int) (*sql.DB, *counting) {
	t.Helper()
	probe, err := sql.Open("sqlite", "")
	if err != nil {
		t.Fatal(err)
	}
	d := &counting{Driver: probe.Driver()}
	_ = probe.Close()
	dsn := filepath.Join(t.TempDir(), "data.db") + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)"
	db := sql.OpenDB(stmtcache.New(d, dsn, size))
	db.SetMaxOpenConns(conns)
	db.SetMaxIdleConns(conns)
	t.Cleanup(func() { _ = db.Close() })
	mustExec(t, db, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
	for i := range 10 {
		mustExec(t, db, "INSERT INTO t (v) VALUES (?)", fmt.Sprint("v", i))
	}
	return db, d
}

func mustExec(t *testing.T, db interface {
	Exec(string, ...any) (sql.Result, error)
}, q string, args ...any) {
	t.Helper()
	if _, err := db.Exec(q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func count(t *testing.T, db interface {
	QueryRow(string, ...any) *sql.Row
}, q string, args ...any) int {
	t.Helper()
	var n int
	if err := db.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func TestCache_ReusesStatements(t *testing.T) {
	db, d := open(t, 16, 1)
	before := d.prepared.Load()
	for i := range 100 {
		if n := count(t, db, "SELECT COUNT(*) FROM t WHERE id > ?", i%10); n != 10-i%10 {
			t.Fatalf("run %d: %d rows, want %d", i, n, 10-i%10)
		}
		mustExec(t, db, "UPDATE t SET v = ? WHERE id = ?", fmt.Sprint("w", i), 1+i%10)
	}
	if got := d.prepared.Load() - before; got != 2 {
		t.Fatalf("200 runs of 2 statements prepared %d statements, want 2", got)
	}
	var v string
	if err := db.QueryRow("SELECT v FROM t WHERE id = 10").Scan(&v); err != nil || v != "w99" {
		t.Fatalf("last update: %q, %v; want w99", v, err)
	}
}

// A result still being read while the same statement runs again on the
// same connection (a transaction) must not be disturbed.
func TestCache_SameStatementWhileRowsOpen(t *testing.T) {
	db, _ := open(t, 16, 1)
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	const q = "SELECT id FROM t WHERE id >= ? ORDER BY id"
	rows, err := tx.Query(q, 1)
	if err != nil {
		t.Fatal(err)
	}
	var outer, inner int
	for rows.Next() {
		var id int
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		outer++
		if id != outer {
			t.Fatalf("outer row %d has id %d", outer, id)
		}
		inside, err := tx.Query(q, id)
		if err != nil {
			t.Fatal(err)
		}
		for inside.Next() {
			inner++
		}
		if err := inside.Close(); err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Exec("UPDATE t SET v = 'x' WHERE id = ?", id); err != nil {
			t.Fatal(err)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	_ = rows.Close()
	if outer != 10 || inner != 55 {
		t.Fatalf("outer %d rows, inner %d; want 10 and 55", outer, inner)
	}
}

// A statement held by its caller (database/sql's Stmt) keeps working when
// the cache evicts it, and every statement is closed by the end.
func TestCache_EvictedWhileHeld(t *testing.T) {
	db, d := open(t, 2, 1)
	held, err := db.Prepare("SELECT v FROM t WHERE id = ?")
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		count(t, db, fmt.Sprintf("SELECT COUNT(*) + %d FROM t", i))
	}
	before := d.prepared.Load()
	var v string
	if err := held.QueryRow(3).Scan(&v); err != nil || v != "v2" {
		t.Fatalf("held statement after eviction: %q, %v; want v2", v, err)
	}
	if got := d.prepared.Load() - before; got != 0 {
		t.Fatalf("the held statement was prepared again (%d): eviction closed it under its holder", got)
	}
	if err := held.Close(); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if p, c := d.prepared.Load(), d.closed.Load(); p != c {
		t.Fatalf("prepared %d statements, closed %d", p, c)
	}
}

// SQLite prepares a cached statement again after the schema changed.
func TestCache_SchemaChange(t *testing.T) {
	db, _ := open(t, 16, 1)
	cols := func() int {
		rows, err := db.Query("SELECT * FROM t LIMIT 1")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		names, err := rows.Columns()
		if err != nil {
			t.Fatal(err)
		}
		return len(names)
	}
	if n := cols(); n != 2 {
		t.Fatalf("%d columns, want 2", n)
	}
	mustExec(t, db, "ALTER TABLE t ADD COLUMN w TEXT DEFAULT 'new'")
	if n := cols(); n != 3 {
		t.Fatalf("after ALTER TABLE: %d columns, want 3", n)
	}
	mustExec(t, db, "DROP TABLE t")
	if _, err := db.Query("SELECT * FROM t LIMIT 1"); err == nil {
		t.Fatal("query of a dropped table: no error")
	}
}

func TestCache_BadSQLIsNotCached(t *testing.T) {
	db, d := open(t, 16, 1)
	for range 3 {
		if _, err := db.Exec("SELEC 1"); err == nil {
			t.Fatal("syntax error: no error")
		}
	}
	before := d.prepared.Load()
	if n := count(t, db, "SELECT COUNT(*) FROM t"); n != 10 {
		t.Fatalf("%d rows, want 10", n)
	}
	if got := d.prepared.Load() - before; got != 1 {
		t.Fatalf("prepared %d, want 1", got)
	}
}

// Many goroutines on several connections, each connection with its cache.
func TestCache_Concurrent(t *testing.T) {
	db, d := open(t, 4, 4)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 50 {
				if _, err := db.Exec("INSERT INTO t (v) VALUES (?)", fmt.Sprintf("g%d-%d", g, i)); err != nil {
					t.Error(err)
					return
				}
				var n int
				if err := db.QueryRow("SELECT COUNT(*) FROM t WHERE v LIKE ?", fmt.Sprintf("g%d-%%", g)).Scan(&n); err != nil || n != i+1 {
					t.Errorf("goroutine %d run %d: %d rows, %v", g, i, n, err)
					return
				}
			}
		})
	}
	wg.Wait()
	if n := count(t, db, "SELECT COUNT(*) FROM t"); n != 410 {
		t.Fatalf("%d rows, want 410", n)
	}
	if p := d.prepared.Load(); p > 40 {
		t.Fatalf("800 runs of 2 statements on at most 4 connections prepared %d statements", p)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if p, c := d.prepared.Load(), d.closed.Load(); p != c {
		t.Fatalf("prepared %d statements, closed %d", p, c)
	}
}

// A script of several statements runs whole every time and takes no place
// in the cache (the driver parses its statements anew on each run).
func TestCache_ScriptsAreNotCached(t *testing.T) {
	db, d := open(t, 16, 1)
	const script = "INSERT INTO t (v) VALUES ('a'); INSERT INTO t (v) VALUES ('b');"
	before := d.prepared.Load()
	for range 3 {
		mustExec(t, db, script)
	}
	if got := d.prepared.Load() - before; got != 3 {
		t.Fatalf("3 runs of a script prepared %d statements, want 3 (one per run, none cached)", got)
	}
	if n := count(t, db, "SELECT COUNT(*) FROM t WHERE v IN ('a', 'b')"); n != 6 {
		t.Fatalf("%d rows from the scripts, want 6", n)
	}
}

// The driver's own connection (here the counting wrapper of SQLite's)
// stays reachable through Conn.Raw.
func TestCache_Unwrap(t *testing.T) {
	db, _ := open(t, 16, 1)
	c, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	err = c.Raw(func(dc any) error {
		u, ok := dc.(interface{ Unwrap() driver.Conn })
		if !ok {
			return fmt.Errorf("%T has no Unwrap", dc)
		}
		if _, ok := u.Unwrap().(*countingConn); !ok {
			return fmt.Errorf("Unwrap gave %T, not the driver's connection", u.Unwrap())
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
