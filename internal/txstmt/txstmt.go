// Package txstmt reuses prepared statements within one write transaction.
//
// For the small, fixed statements that run once or more per record write
// (the change log's insert and head upsert, a push's savepoints), a Cache
// prepares each statement once per transaction and reuses it for every
// later write in that transaction. Before package stmtcache kept each
// connection's statements, this spared SQLite's parsing (about a fifth of
// a sync push's CPU); with stmtcache below it, it still spares dbx's
// building of the query and database/sql's prepare and close on each run.
//
// Invariants:
//   - A statement is reused only on the *dbx.Tx that prepared it. The cache
//     holds that *dbx.Tx, so its address cannot be reused by a later
//     transaction while its entry exists.
//   - database/sql closes a transaction's statements when it commits or
//     rolls back; an entry of a finished transaction is never looked up
//     again (no later transaction has its address) and is simply dropped.
//   - Outside a transaction (a *dbx.DB builder) nothing is cached: a plain
//     query runs, as before.
package txstmt

import (
	"sync"

	"github.com/pocketbase/dbx"
)

// maxTxs bounds the transactions with cached statements. Writes to one
// SQLite database are serialized, so one is in progress at a time; a few
// more cover transactions on other databases. Evicting a live entry is
// harmless: its statements are prepared again.
const maxTxs = 4

// Cache holds prepared statements per transaction. The zero value is
// ready to use; a Cache must not be copied after first use.
type Cache struct {
	mu  sync.Mutex
	txs map[*dbx.Tx]*txStmts
}

// txStmts are one transaction's statements. Its lock is held while one of
// them runs: a dbx.Query carries its bound parameters, so it must not run
// twice at once (a transaction's statements run one at a time anyway).
type txStmts struct {
	mu    sync.Mutex
	stmts map[string]*dbx.Query
}

// Run calls fn with a query for sql on builder b: a statement prepared once
// per transaction when b is a transaction, else a new query. fn binds the
// parameters and executes the query; it must not keep it.
func (c *Cache) Run(b dbx.Builder, sql string, fn func(q *dbx.Query) error) error {
	tx, ok := b.(*dbx.Tx)
	if !ok {
		return fn(b.NewQuery(sql))
	}
	ts := c.of(tx)
	ts.mu.Lock()
	defer ts.mu.Unlock()
	q, ok := ts.stmts[sql]
	if !ok {
		q = tx.NewQuery(sql).Prepare()
		if q.LastError != nil {
			// not prepared (the error surfaces when fn runs it): run unprepared
			return fn(tx.NewQuery(sql))
		}
		ts.stmts[sql] = q
	}
	return fn(q)
}

// of returns the statements of tx, creating its entry.
func (c *Cache) of(tx *dbx.Tx) *txStmts {
	c.mu.Lock()
	defer c.mu.Unlock()
	if ts, ok := c.txs[tx]; ok {
		return ts
	}
	if c.txs == nil || len(c.txs) >= maxTxs {
		c.txs = map[*dbx.Tx]*txStmts{}
	}
	ts := &txStmts{stmts: map[string]*dbx.Query{}}
	c.txs[tx] = ts
	return ts
}
