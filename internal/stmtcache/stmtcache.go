// Package stmtcache keeps each SQLite connection's prepared statements, by
// SQL text, so that a statement run again on the same connection is not
// parsed again.
//
// dbx and PocketBase hand database/sql the SQL text of every query, and
// database/sql passes it to the driver, which parses it each time: the
// insert of every record save, the relation check of every validation, the
// rule queries. A CPU profile of 500 report saves put SQLite's parser at a
// tenth of the time. The connections this package makes answer each
// database/sql Prepare from a per-connection cache of recently used
// statements (SQLite resets a statement after each run, and prepares it
// again by itself when the schema changed).
//
// Invariants:
//   - database/sql uses a driver connection from one goroutine at a time;
//     the mutex only guards against a misuse, it is never contended.
//   - A cached statement runs one query at a time. While its rows are
//     open (a caller iterating a result while it runs the same SQL on the
//     same connection, in a transaction) the second run gets a statement of
//     its own, closed after use.
//   - A statement evicted from the cache while a caller still holds it
//     (database/sql's Stmt, the txstmt cache) is closed when that caller
//     closes it, not before.
//   - The connection closes every statement it prepared and still holds
//     (cached, or evicted but held) before it closes; a closed connection
//     answers driver.ErrBadConn.
//   - The driver's own connection (its backup and hook methods) is
//     reached through Unwrap, for database/sql's Conn.Raw.
package stmtcache

import (
	"container/list"
	"context"
	"database/sql/driver"
	"errors"
	"reflect"
	"strings"
	"sync"
)

// MaxSQLBytes is the longest SQL text that is cached: longer ones
// (migrations, generated scripts) run once and would only evict others.
const MaxSQLBytes = 8 << 10

// Connector opens connections with the driver drv and the data source
// name dsn, each caching up to size statements. It is meant for
// sql.OpenDB.
type Connector struct {
	drv  driver.Driver
	dsn  string
	size int
}

// New returns a connector of drv for dsn whose connections cache up to
// size statements each.
func New(drv driver.Driver, dsn string, size int) *Connector {
	return &Connector{drv: drv, dsn: dsn, size: size}
}

// Connect opens a connection.
func (c *Connector) Connect(ctx context.Context) (driver.Conn, error) {
	base, err := c.drv.Open(c.dsn)
	if err != nil {
		return nil, err
	}
	return &conn{base: base, size: c.size, byText: map[string]*list.Element{}, held: map[*entry]bool{}}, nil
}

// Driver returns the underlying driver.
func (c *Connector) Driver() driver.Driver { return c.drv }

// conn is a driver connection with a statement cache. It implements
// neither ExecerContext nor QueryerContext, so that database/sql prepares
// every statement (through the cache) and closes it after the run.
type conn struct {
	base driver.Conn
	size int

	mu     sync.Mutex
	lru    list.List // of *entry, most recently used first
	byText map[string]*list.Element
	held   map[*entry]bool // evicted, still held: closed by their last holder
	closed bool
}

// Unwrap returns the driver's own connection.
func (c *conn) Unwrap() driver.Conn { return c.base }

// entry is one cached statement.
type entry struct {
	text    string
	stmt    driver.Stmt
	holders int  // handles not yet closed
	busy    bool // its rows are open
	evicted bool // out of the cache: closed when the last handle is
	done    bool // closed
}

// close closes e's statement once.
func (e *entry) close() error {
	if e.done {
		return nil
	}
	e.done = true
	return e.stmt.Close()
}

var (
	_ driver.Conn               = (*conn)(nil)
	_ driver.ConnPrepareContext = (*conn)(nil)
	_ driver.ConnBeginTx        = (*conn)(nil)
	_ driver.SessionResetter    = (*conn)(nil)
	_ driver.Validator          = (*conn)(nil)
	_ driver.Pinger             = (*conn)(nil)
)

func (c *conn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

// PrepareContext returns the cached statement for query, preparing and
// caching it on a miss. A statement whose rows are open is not shared: the
// caller gets one of its own.
func (c *conn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil, driver.ErrBadConn
	}
	if el, ok := c.byText[query]; ok {
		e := el.Value.(*entry)
		c.lru.MoveToFront(el)
		e.holders++
		return &handle{c: c, e: e}, nil
	}
	s, err := c.prepare(ctx, query)
	if err != nil || !cacheable(query) || c.size <= 0 {
		return s, err
	}
	e := &entry{text: query, stmt: s, holders: 1}
	c.byText[query] = c.lru.PushFront(e)
	c.evict()
	return &handle{c: c, e: e}, nil
}

func (c *conn) prepare(ctx context.Context, query string) (driver.Stmt, error) {
	if p, ok := c.base.(driver.ConnPrepareContext); ok {
		return p.PrepareContext(ctx, query)
	}
	return c.base.Prepare(query)
}

// cacheable reports whether query is worth a place in the cache: not too
// long, and one statement (the driver parses a script's statements again
// on every run anyway). A ";" inside a string literal merely leaves a
// statement uncached.
func cacheable(query string) bool {
	return len(query) <= MaxSQLBytes && !strings.Contains(strings.TrimRight(query, " \t\r\n;"), ";")
}

// evict drops the least recently used statements beyond size.
func (c *conn) evict() {
	for c.lru.Len() > c.size {
		el := c.lru.Back()
		e := el.Value.(*entry)
		c.lru.Remove(el)
		delete(c.byText, e.text)
		e.evicted = true
		if e.holders == 0 && !e.busy {
			_ = e.close()
		} else {
			c.held[e] = true
		}
	}
}

// Close closes every cached statement, then the connection.
func (c *conn) Close() error {
	c.mu.Lock()
	var errs []error
	for el := c.lru.Front(); el != nil; el = el.Next() {
		e := el.Value.(*entry)
		e.evicted = true
		errs = append(errs, e.close())
	}
	for e := range c.held {
		errs = append(errs, e.close())
	}
	c.held = map[*entry]bool{}
	c.lru.Init()
	c.byText = map[string]*list.Element{}
	c.closed = true
	c.mu.Unlock()
	errs = append(errs, c.base.Close())
	return errors.Join(errs...)
}

func (c *conn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

func (c *conn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if b, ok := c.base.(driver.ConnBeginTx); ok {
		return b.BeginTx(ctx, opts)
	}
	//nolint:staticcheck // the fallback database/sql itself uses
	return c.base.Begin()
}

func (c *conn) ResetSession(ctx context.Context) error {
	if r, ok := c.base.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

func (c *conn) IsValid() bool {
	if v, ok := c.base.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}

func (c *conn) Ping(ctx context.Context) error {
	if p, ok := c.base.(driver.Pinger); ok {
		return p.Ping(ctx)
	}
	return nil
}

// handle is a caller's use of a cached statement. Close releases it; the
// statement stays in the cache.
type handle struct {
	c      *conn
	e      *entry
	closed bool
}

var (
	_ driver.StmtExecContext  = (*handle)(nil)
	_ driver.StmtQueryContext = (*handle)(nil)
)

func (h *handle) Close() error {
	h.c.mu.Lock()
	defer h.c.mu.Unlock()
	if h.closed {
		return nil
	}
	h.closed = true
	h.e.holders--
	if h.e.evicted && h.e.holders == 0 && !h.e.busy {
		delete(h.c.held, h.e)
		return h.e.close()
	}
	return nil
}

func (h *handle) NumInput() int { return h.e.stmt.NumInput() }

func (h *handle) Exec(args []driver.Value) (driver.Result, error) {
	return h.ExecContext(context.Background(), named(args))
}

func (h *handle) Query(args []driver.Value) (driver.Rows, error) {
	return h.QueryContext(context.Background(), named(args))
}

// ExecContext runs the cached statement, or a statement of its own while
// the cached one's rows are open.
func (h *handle) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	s, done, err := h.acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer done()
	return execStmt(ctx, s, args)
}

// QueryContext runs the cached statement, marking it busy until its rows
// are closed, or a statement of its own while the cached one is busy.
func (h *handle) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	s, done, err := h.acquire(ctx)
	if err != nil {
		return nil, err
	}
	r, err := queryStmt(ctx, s, args)
	if err != nil {
		done()
		return nil, err
	}
	return &rows{Rows: r, done: done}, nil
}

// acquire returns the statement to run and the function that releases it:
// the cached statement, marked busy, or a new one when it is busy already.
func (h *handle) acquire(ctx context.Context) (driver.Stmt, func(), error) {
	c := h.c
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil, nil, driver.ErrBadConn
	}
	if !h.e.busy && !h.e.done {
		e := h.e
		e.busy = true
		return e.stmt, func() { c.release(e) }, nil
	}
	s, err := c.prepare(ctx, h.e.text)
	if err != nil {
		return nil, nil, err
	}
	return s, func() { _ = s.Close() }, nil
}

// release marks e idle again, closing it if it left the cache meanwhile
// and nobody holds it.
func (c *conn) release(e *entry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e.busy = false
	if e.evicted && e.holders == 0 {
		delete(c.held, e)
		_ = e.close()
	}
}

func execStmt(ctx context.Context, s driver.Stmt, args []driver.NamedValue) (driver.Result, error) {
	if x, ok := s.(driver.StmtExecContext); ok {
		return x.ExecContext(ctx, args)
	}
	vals, err := values(args)
	if err != nil {
		return nil, err
	}
	//nolint:staticcheck // the fallback database/sql itself uses
	return s.Exec(vals)
}

func queryStmt(ctx context.Context, s driver.Stmt, args []driver.NamedValue) (driver.Rows, error) {
	if q, ok := s.(driver.StmtQueryContext); ok {
		return q.QueryContext(ctx, args)
	}
	vals, err := values(args)
	if err != nil {
		return nil, err
	}
	//nolint:staticcheck // the fallback database/sql itself uses
	return s.Query(vals)
}

func named(args []driver.Value) []driver.NamedValue {
	out := make([]driver.NamedValue, len(args))
	for i, v := range args {
		out[i] = driver.NamedValue{Ordinal: i + 1, Value: v}
	}
	return out
}

func values(args []driver.NamedValue) ([]driver.Value, error) {
	out := make([]driver.Value, len(args))
	for i, a := range args {
		if a.Name != "" {
			return nil, errors.New("stmtcache: the driver does not support named parameters")
		}
		out[i] = a.Value
	}
	return out, nil
}

// rows are a statement's open result; Close releases the statement.
// The column type methods answer as database/sql does for drivers that
// lack them.
type rows struct {
	driver.Rows
	done   func()
	closed bool
}

func (r *rows) Close() error {
	err := r.Rows.Close()
	if !r.closed {
		r.closed = true
		r.done()
	}
	return err
}

func (r *rows) ColumnTypeDatabaseTypeName(i int) string {
	if t, ok := r.Rows.(driver.RowsColumnTypeDatabaseTypeName); ok {
		return t.ColumnTypeDatabaseTypeName(i)
	}
	return ""
}

func (r *rows) ColumnTypeLength(i int) (int64, bool) {
	if t, ok := r.Rows.(driver.RowsColumnTypeLength); ok {
		return t.ColumnTypeLength(i)
	}
	return 0, false
}

func (r *rows) ColumnTypeNullable(i int) (bool, bool) {
	if t, ok := r.Rows.(driver.RowsColumnTypeNullable); ok {
		return t.ColumnTypeNullable(i)
	}
	return false, false
}

func (r *rows) ColumnTypePrecisionScale(i int) (int64, int64, bool) {
	if t, ok := r.Rows.(driver.RowsColumnTypePrecisionScale); ok {
		return t.ColumnTypePrecisionScale(i)
	}
	return 0, 0, false
}

var anyType = reflect.TypeFor[any]()

func (r *rows) ColumnTypeScanType(i int) reflect.Type {
	if t, ok := r.Rows.(driver.RowsColumnTypeScanType); ok {
		return t.ColumnTypeScanType(i)
	}
	return anyType
}
