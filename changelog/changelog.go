// Package changelog keeps the server-side change log that offline sync is
// built on: every write of a synced collection, from any path (REST,
// /api/batch, the dashboard, JS hooks, Go code, sync push), appends one
// change row with a server-assigned sequence number in the same SQLite
// transaction as the record write, and moves the record's head (its latest
// rev and seq). Because SQLite has a single writer, the order of seq is the
// order of commits.
//
// Tables (created by this package's migration, not PocketBase collections):
//
//	_aman_changes  one row per write: seq, collection, record_id, rev,
//	               deleted, at, actor, fields (changed names), diff
//	               (old → new): the history and audit trail.
//	_aman_heads    one row per record: its latest rev and seq and whether it
//	               is deleted (a tombstone). Pull scans this by seq.
//	_aman_sync_meta key/value: pruned_seq (highest seq of a pruned tombstone).
//
// The record_history view collection (coordinators and superusers only)
// exposes _aman_changes in the dashboard.
package changelog

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/pocketbase/pocketbase/core"
)

// ErrNoHead reports that a record was never written through the log.
var ErrNoHead = errors.New("changelog: record has no head")

// Topic is the realtime topic on which a content-free nudge is sent after
// a commit that changed a synced collection.
const Topic = "aman/sync"

// Env variables that configure retention, in days.
const (
	EnvRetentionDays        = "AMAN_SYNC_RETENTION_DAYS"
	EnvHistoryRetentionDays = "AMAN_SYNC_HISTORY_RETENTION_DAYS"
)

// Config says which collections are logged and how long history is kept.
type Config struct {
	// Collections are the synced base collections, by name.
	Collections []string
	// Derived maps a base collection to view collections whose record id is
	// the base record's id: a write of the base record is also a change of
	// the view record (for example incident_reports → public_incidents).
	Derived map[string][]string
	// Dependents maps a base collection to the records of other synced
	// collections whose visible fields depend on a field of its records
	// (see Dependent).
	Dependents map[string][]Dependent
	// Retention is how long tombstones (and stored push results) are kept.
	// A checkpoint from before a pruned tombstone gets a reset.
	Retention time.Duration
	// HistoryRetention is how long history rows are kept.
	HistoryRetention time.Duration
	// PruneSchedule is the cron expression of the pruning job.
	PruneSchedule string
}

// DefaultConfig is Aman's configuration: the synced collections, the
// public_incidents view derived from incident_reports, a 90-day tombstone
// retention and a 365-day history retention (both overridable by env).
func DefaultConfig() Config {
	return Config{
		Collections: []string{
			"incident_reports", "aid_requests", "updates", "fact_checks",
			"appeals", "districts", "organizations",
		},
		Derived: map[string][]string{"incident_reports": {"public_incidents"}},
		Dependents: map[string][]Dependent{"incident_reports": {{
			Fields: []string{"anonymous"}, Collection: "aid_requests", Link: "related_incident",
		}}},
		Retention:        envDays(EnvRetentionDays, 90),
		HistoryRetention: envDays(EnvHistoryRetentionDays, 365),
		PruneSchedule:    "17 3 * * *",
	}
}

// Synced lists every collection a client may pull: the base collections
// and the derived views.
func (c Config) Synced() []string {
	out := append([]string(nil), c.Collections...)
	for _, base := range c.Collections {
		out = append(out, c.Derived[base]...)
	}
	return out
}

// IsSynced reports whether name is a synced collection or derived view.
func (c Config) IsSynced(name string) bool {
	for _, s := range c.Synced() {
		if s == name {
			return true
		}
	}
	return false
}

// MaxRetentionDays is the longest retention a variable may set (100
// years): days beyond 106,751 overflow a time.Duration into a negative
// retention, which would prune every tombstone and history row.
const MaxRetentionDays = 36500

// CheckEnv refuses a retention variable that is set but is not a whole
// number of days from 1 to MaxRetentionDays. envDays would take the
// default for it silently: "30d" or "0" (meant as "keep for ever") kept a
// year of history where the operator had decided otherwise.
func CheckEnv() error {
	for _, name := range []string{EnvRetentionDays, EnvHistoryRetentionDays} {
		v := os.Getenv(name)
		if v == "" {
			continue
		}
		if n, err := strconv.Atoi(v); err != nil || n < 1 || n > MaxRetentionDays {
			return fmt.Errorf("%s=%q: want a whole number of days, from 1 to %d", name, v, MaxRetentionDays)
		}
	}
	return nil
}

func envDays(name string, def int) time.Duration {
	days := def
	if v := os.Getenv(name); v != "" {
		if n, err := strconv.Atoi(v); err == nil && n > 0 && n <= MaxRetentionDays {
			days = n
		}
	}
	return time.Duration(days) * 24 * time.Hour
}

// Register binds the log to app with DefaultConfig.
func Register(app core.App) error {
	if err := CheckEnv(); err != nil {
		return fmt.Errorf("changelog: %w", err)
	}
	return RegisterWithConfig(app, DefaultConfig())
}

// RegisterWithConfig binds the write hooks, the realtime nudge and the
// pruning job.
func RegisterWithConfig(app core.App, cfg Config) error {
	if len(cfg.Collections) == 0 {
		return errors.New("changelog: no collections")
	}
	l := &logger{cfg: cfg, nudge: newNudger(app)}
	l.bind(app)
	bindEpochs(app)
	bindRedaction(app)
	if err := bindPrune(app, cfg); err != nil {
		return fmt.Errorf("changelog: %w", err)
	}
	return nil
}
