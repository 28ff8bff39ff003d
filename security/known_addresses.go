package security

import (
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// The addresses known to each account live in a table the app owns, not
// a collection: a restart (a deploy, a crash) must not forget them, or the
// owner of a locked account could not sign in from their own phone while
// an attacker keeps spending its budget. A row is one (account, address
// block) pair that signed in, as digests (accountKey, knownKey):
//
//	_aman_known_addresses  pair, account, at (unix seconds of the last
//	                       sign-in written)
//
// A successful password login writes its pair only when it is new or its
// last write is older than knownWriteStep, so that signing in again adds
// no write each time (after a start, a read tells); a lookup reads it only while the account's budget
// of failed logins is spent. Rows older than the period go: an account's
// own at its next write, all of them daily (knownPruneSchedule).
const (
	knownTable         = "_aman_known_addresses"
	knownWriteStep     = 24 * time.Hour
	knownPruneSchedule = "41 3 * * *"

	// KnownAddressesPerAccount bounds the addresses one account keeps:
	// past it, its own oldest go, never another account's. Only the
	// account's own sign-ins add to it.
	KnownAddressesPerAccount = 100
)

func init() {
	core.AppMigrations.Register(createKnownTable, dropKnownTable, "1795768420_aman_known_addresses.go")
}

var knownDDL = []string{
	`CREATE TABLE IF NOT EXISTS ` + knownTable + ` (
		pair    TEXT    PRIMARY KEY NOT NULL,
		account TEXT    NOT NULL,
		at      INTEGER NOT NULL
	) WITHOUT ROWID`,
	`CREATE INDEX IF NOT EXISTS idx_aman_known_addresses_account ON ` + knownTable + ` (account, at)`,
	`CREATE INDEX IF NOT EXISTS idx_aman_known_addresses_at ON ` + knownTable + ` (at)`,
}

func createKnownTable(tx core.App) error {
	for _, q := range knownDDL {
		if _, err := tx.DB().NewQuery(q).Execute(); err != nil {
			return fmt.Errorf("create known addresses: %w", err)
		}
	}
	return nil
}

func dropKnownTable(tx core.App) error {
	_, err := tx.DB().NewQuery("DROP TABLE IF EXISTS " + knownTable).Execute()
	return err
}

// knownAddresses tells which address blocks signed in to which account in
// the last ttl. The table is what counts; memory only remembers which
// pairs this process wrote lately (at most capacity of them), to spare the
// writes and reads: forgetting one costs a write or a read, never a known
// address.
type knownAddresses struct {
	app      core.App
	ttl      time.Duration
	capacity int
	secret   []byte // keys the pairs' digests (knownKey); nil: none

	mu      sync.Mutex
	written map[string]time.Time // pair digest → when this process last wrote it
}

func newKnownAddresses(app core.App, ttl time.Duration, capacity int) *knownAddresses {
	return &knownAddresses{app: app, ttl: ttl, capacity: capacity, secret: knownSecret(app), written: map[string]time.Time{}}
}

// knownSecret is the app's encryption key (PocketBase's --encryptionEnv:
// the variable it names, which also encrypts the settings), or nil when it
// has none. It lives outside the data dir and its backups, so a copy of
// the database does not tell which addresses an account signed in from;
// changing it makes every address unknown to every account.
func knownSecret(app core.App) []byte {
	if name := app.EncryptionEnv(); name != "" {
		if v := os.Getenv(name); v != "" {
			return []byte(v)
		}
	}
	return nil
}

// add records that the address block bucket signed in to account at now.
func (k *knownAddresses) add(account, bucket string, now time.Time) error {
	pair := knownKey(k.secret, account, bucket)
	k.mu.Lock()
	last, ok := k.written[pair]
	k.mu.Unlock()
	if ok && now.Sub(last) < knownWriteStep {
		return nil
	}
	if !ok { // after a start: the table may have it, written lately
		at, found, err := k.read(pair)
		if err != nil {
			return err
		}
		if found && now.Sub(at) < knownWriteStep && !at.After(now) {
			k.remember(pair, at, now)
			return nil
		}
	}
	acc := hex.EncodeToString([]byte(accountKey(account)))
	err := k.app.RunInTransaction(func(tx core.App) error {
		_, err := tx.DB().NewQuery(`INSERT INTO ` + knownTable + ` (pair, account, at) VALUES ({:pair}, {:account}, {:at})
			ON CONFLICT (pair) DO UPDATE SET at = excluded.at`).
			Bind(dbx.Params{"pair": hex.EncodeToString([]byte(pair)), "account": acc, "at": now.Unix()}).Execute()
		if err != nil {
			return err
		}
		// the account's own expired pairs, and its oldest past the bound
		_, err = tx.DB().NewQuery(`DELETE FROM ` + knownTable + ` WHERE account = {:account} AND (at <= {:expired}
			OR pair IN (SELECT pair FROM ` + knownTable + ` WHERE account = {:account} ORDER BY at DESC, pair LIMIT -1 OFFSET {:keep}))`).
			Bind(dbx.Params{"account": acc, "expired": now.Add(-k.ttl).Unix(), "keep": KnownAddressesPerAccount}).Execute()
		return err
	})
	if err != nil {
		return fmt.Errorf("known addresses: %w", err)
	}
	k.remember(pair, now, now)
	return nil
}

// remember notes that pair was written at at.
func (k *knownAddresses) remember(pair string, at, now time.Time) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if _, ok := k.written[pair]; !ok && len(k.written) >= k.capacity {
		k.evict(now)
	}
	k.written[pair] = at
}

// read gives when pair was last written, if it is in the table.
func (k *knownAddresses) read(pair string) (time.Time, bool, error) {
	var at int64
	err := k.app.DB().Select("at").From(knownTable).
		Where(dbx.HashExp{"pair": hex.EncodeToString([]byte(pair))}).Row(&at)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, fmt.Errorf("known addresses: %w", err)
	}
	return time.Unix(at, 0), true, nil
}

// has tells whether bucket signed in to account within ttl before now.
func (k *knownAddresses) has(account, bucket string, now time.Time) (bool, error) {
	pair := knownKey(k.secret, account, bucket)
	k.mu.Lock()
	last, ok := k.written[pair]
	k.mu.Unlock()
	if ok && now.Sub(last) < k.ttl {
		return true, nil
	}
	at, found, err := k.read(pair)
	if err != nil || !found {
		return false, err
	}
	return now.Sub(at) < k.ttl, nil
}

// prune removes the pairs that signed in last more than ttl before now.
func (k *knownAddresses) prune(now time.Time) (int64, error) {
	res, err := k.app.DB().NewQuery("DELETE FROM " + knownTable + " WHERE at <= {:expired}").
		Bind(dbx.Params{"expired": now.Add(-k.ttl).Unix()}).Execute()
	if err != nil {
		return 0, fmt.Errorf("prune known addresses: %w", err)
	}
	return res.RowsAffected()
}

// evict drops the writes older than knownWriteStep (the next sign-in
// writes again anyway) and, while more than nine tenths of capacity
// remain, arbitrary ones. k.mu is held.
func (k *knownAddresses) evict(now time.Time) {
	for pair, t := range k.written {
		if now.Sub(t) >= knownWriteStep {
			delete(k.written, pair)
		}
	}
	for pair := range k.written {
		if len(k.written) <= k.capacity*9/10 {
			return
		}
		delete(k.written, pair)
	}
}

// bindKnownPrune prunes the table daily.
func bindKnownPrune(app core.App, k *knownAddresses) error {
	return app.Cron().Add("aman_known_addresses_prune", knownPruneSchedule, func() {
		n, err := k.prune(time.Now())
		if err != nil {
			app.Logger().Error("prune known addresses", "error", err)
			return
		}
		app.Logger().Debug("prune known addresses", "removed", n)
	})
}
