package changelog

import (
	"fmt"
	"strconv"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

// PruneResult says what one pruning pass removed.
type PruneResult struct {
	Tombstones int64 // deleted heads removed
	History    int64 // change rows removed
	PrunedSeq  int64 // the reset horizon after the pass
}

func bindPrune(app core.App, cfg Config) error {
	return app.Cron().Add("aman_sync_prune", cfg.PruneSchedule, func() {
		res, err := Prune(app, cfg, time.Now())
		if err != nil {
			app.Logger().Error("sync prune", "error", err)
			return
		}
		app.Logger().Info("sync prune", "tombstones", res.Tombstones,
			"history", res.History, "prunedSeq", res.PrunedSeq)
	})
}

// Prune removes tombstones older than cfg.Retention and history older than
// cfg.HistoryRetention. Heads of live records are never removed: they are
// what an initial pull scans. The reset horizon (pruned_seq) rises to the
// seq of every row removed: a client whose checkpoint is below a removed
// tombstone could have missed a delete, and one below removed history
// could be told about a record the history no longer says it may hold
// (StateAt answers for positions above the horizon from the history
// alone). Such a client resets ("expired") and pulls from the start.
func Prune(app core.App, cfg Config, now time.Time) (PruneResult, error) {
	var res PruneResult
	err := app.RunInTransaction(func(tx core.App) error {
		prev, err := PrunedSeq(tx)
		if err != nil {
			return err
		}
		tombSeq, histSeq := int64(0), int64(0)
		if res.Tombstones, tombSeq, err = pruneTombstones(tx, now.Add(-cfg.Retention)); err != nil {
			return err
		}
		if res.History, histSeq, err = pruneHistory(tx, now.Add(-cfg.HistoryRetention)); err != nil {
			return err
		}
		res.PrunedSeq = max(prev, tombSeq, histSeq)
		if res.PrunedSeq == prev {
			return nil
		}
		return storePrunedSeq(tx, res.PrunedSeq)
	})
	return res, err
}

// pruneTombstones removes the tombstones older than cutoff and returns how
// many, and the highest seq among them (0 if none).
func pruneTombstones(tx core.App, cutoff time.Time) (int64, int64, error) {
	at := cutoffString(cutoff)
	var maxSeq int64
	err := tx.DB().NewQuery("SELECT COALESCE(MAX(seq), 0) FROM " + headsTable +
		" WHERE deleted = 1 AND at < {:at}").Bind(dbx.Params{"at": at}).Row(&maxSeq)
	if err != nil {
		return 0, 0, fmt.Errorf("find tombstones: %w", err)
	}
	if maxSeq == 0 {
		return 0, 0, nil
	}
	res, err := tx.DB().NewQuery("DELETE FROM " + headsTable + " WHERE deleted = 1 AND at < {:at}").
		Bind(dbx.Params{"at": at}).Execute()
	if err != nil {
		return 0, 0, fmt.Errorf("delete tombstones: %w", err)
	}
	n, _ := res.RowsAffected()
	return n, maxSeq, nil
}

// pruneHistory removes the change rows older than cutoff and returns how
// many, and the highest seq among them (0 if none).
func pruneHistory(tx core.App, cutoff time.Time) (int64, int64, error) {
	at := cutoffString(cutoff)
	var maxSeq int64
	err := tx.DB().NewQuery("SELECT COALESCE(MAX(seq), 0) FROM " + changesTable + " WHERE at < {:at}").
		Bind(dbx.Params{"at": at}).Row(&maxSeq)
	if err != nil {
		return 0, 0, fmt.Errorf("find old history: %w", err)
	}
	if maxSeq == 0 {
		return 0, 0, nil
	}
	n, err := deleteOlder(tx, changesTable, cutoff)
	return n, maxSeq, err
}

func storePrunedSeq(tx core.App, seq int64) error {
	_, err := tx.DB().NewQuery("INSERT INTO " + metaTable + " (key, value) VALUES ('pruned_seq', {:v})" +
		" ON CONFLICT (key) DO UPDATE SET value = excluded.value").
		Bind(dbx.Params{"v": strconv.FormatInt(seq, 10)}).Execute()
	if err != nil {
		return fmt.Errorf("store pruned seq: %w", err)
	}
	return nil
}

func deleteOlder(tx core.App, table string, cutoff time.Time) (int64, error) {
	res, err := tx.DB().NewQuery("DELETE FROM " + table + " WHERE at < {:at}").
		Bind(dbx.Params{"at": cutoffString(cutoff)}).Execute()
	if err != nil {
		return 0, fmt.Errorf("prune %s: %w", table, err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}

func cutoffString(t time.Time) string {
	dt, _ := types.ParseDateTime(t.UTC())
	return dt.String()
}
