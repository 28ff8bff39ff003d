package changelog

import (
	"fmt"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

// The log tables must exist before the first seeded record is saved, so
// their migration sorts before the schema's; the history view and the
// backfill of records written before the log need the schema, so they sort
// after it.
func init() {
	core.AppMigrations.Register(createTables, dropTables, "1795766100_aman_sync_log.go")
	core.AppMigrations.Register(createHistoryAndBackfill, dropHistory, "1795766900_aman_sync_history.go")
	// for data dirs migrated before the index and the client column
	// joined tableDDL
	core.AppMigrations.Register(upgradeTables, nil, "1795766920_aman_sync_heads_index.go")
	// fewer index writes per logged write (docs/benchmarks.md)
	core.AppMigrations.Register(trimHeadIndexes, nil, "1795766950_aman_sync_head_indexes.go")
	core.AppMigrations.Register(createEpochs, dropEpochs, "1795766930_aman_sync_epochs.go")
	// history redaction asks each row's record where its life began
	core.AppMigrations.Register(createTables, nil, "1795767200_aman_sync_changes_deletes_index.go")
	// and who was ever its submitter (RedactHistory)
	core.AppMigrations.Register(createTables, nil, "1795768300_aman_sync_changes_owners_index.go")
}

var tableDDL = []string{
	`CREATE TABLE IF NOT EXISTS ` + changesTable + ` (
		seq              INTEGER PRIMARY KEY AUTOINCREMENT,
		collection       TEXT    NOT NULL,
		record_id        TEXT    NOT NULL,
		rev              INTEGER NOT NULL,
		deleted          BOOLEAN NOT NULL DEFAULT FALSE,
		at               TEXT    NOT NULL,
		actor            TEXT    NOT NULL DEFAULT '',
		actor_collection TEXT    NOT NULL DEFAULT '',
		client           TEXT    NOT NULL DEFAULT '',
		fields           JSON    DEFAULT NULL,
		diff             JSON    NOT NULL DEFAULT '{}'
	)`,
	`CREATE INDEX IF NOT EXISTS idx_aman_changes_record ON ` + changesTable + ` (collection, record_id, rev)`,
	`CREATE INDEX IF NOT EXISTS idx_aman_changes_at ON ` + changesTable + ` (at)`,
	// deletes only: where a record's current life begins (LastDelete)
	`CREATE INDEX IF NOT EXISTS idx_aman_changes_deletes ON ` + changesTable + ` (collection, record_id) WHERE deleted = 1`,
	// changes of a submitter field only: who was ever a record's
	// submitter (RedactHistory), read without its whole history
	`CREATE INDEX IF NOT EXISTS idx_aman_changes_owners ON ` + changesTable + ` (collection, record_id, seq) WHERE ` + ownerChanged,
	`CREATE TABLE IF NOT EXISTS ` + headsTable + ` (
		collection TEXT    NOT NULL,
		record_id  TEXT    NOT NULL,
		rev        INTEGER NOT NULL,
		seq        INTEGER NOT NULL,
		deleted    BOOLEAN NOT NULL DEFAULT FALSE,
		at         TEXT    NOT NULL,
		PRIMARY KEY (collection, record_id)
	) WITHOUT ROWID`,
	`CREATE INDEX IF NOT EXISTS idx_aman_heads_collection_seq ON ` + headsTable + ` (collection, seq)`,
	// tombstones only: a live record's head leaves it alone when it moves
	`CREATE INDEX IF NOT EXISTS idx_aman_heads_tombstones_at ON ` + headsTable + ` (at) WHERE deleted = 1`,
	`CREATE TABLE IF NOT EXISTS ` + metaTable + ` (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL)`,
}

func createTables(tx core.App) error {
	for _, q := range tableDDL {
		if _, err := tx.DB().NewQuery(q).Execute(); err != nil {
			return fmt.Errorf("create sync log: %w", err)
		}
	}
	return nil
}

func upgradeTables(tx core.App) error {
	var n int
	err := tx.DB().NewQuery("SELECT COUNT(*) FROM pragma_table_info('" + changesTable + "') WHERE name = 'client'").Row(&n)
	if err != nil {
		return fmt.Errorf("inspect sync log: %w", err)
	}
	if n == 0 {
		q := "ALTER TABLE " + changesTable + " ADD COLUMN client TEXT NOT NULL DEFAULT ''"
		if _, err := tx.DB().NewQuery(q).Execute(); err != nil {
			return fmt.Errorf("add client column: %w", err)
		}
	}
	return createTables(tx)
}

// trimHeadIndexes drops two indexes of the heads that every logged write
// updated: a unique index on seq (seq comes from the change log's own key,
// unique already, and every read of heads by seq names the collection) and
// an index of every head by (deleted, at), which only the pruning of
// tombstones reads; tableDDL now has a partial index of tombstones instead.
func trimHeadIndexes(tx core.App) error {
	for _, q := range []string{"DROP INDEX IF EXISTS idx_aman_heads_seq", "DROP INDEX IF EXISTS idx_aman_heads_tombstones"} {
		if _, err := tx.DB().NewQuery(q).Execute(); err != nil {
			return fmt.Errorf("trim head indexes: %w", err)
		}
	}
	return createTables(tx)
}

func dropTables(tx core.App) error {
	for _, t := range []string{changesTable, headsTable, metaTable} {
		if _, err := tx.DB().NewQuery("DROP TABLE IF EXISTS " + t).Execute(); err != nil {
			return fmt.Errorf("drop %s: %w", t, err)
		}
	}
	return nil
}

// historyQuery exposes the log in the dashboard. The casts make PocketBase
// infer typed fields instead of json for the plain columns.
const historyQuery = `SELECT
  CAST(seq AS TEXT) AS id,
  CAST(seq AS INTEGER) AS seq,
  CAST(collection AS TEXT) AS collection,
  CAST(record_id AS TEXT) AS record_id,
  CAST(rev AS INTEGER) AS rev,
  CAST(deleted AS BOOLEAN) AS deleted,
  CAST(at AS TEXT) AS at,
  CAST(actor_collection AS TEXT) AS actor_collection,
  CAST(actor AS TEXT) AS actor,
  fields,
  diff
FROM ` + changesTable

// ReviewRule is who reviews the audit trail of a record, its history and
// its sync conflicts, by the record's collection (the row's collection
// field): coordinators the field work (reports, aid requests, the
// organizations and districts they serve), editors the newsroom's updates
// and fact-checks. It lists each domain's collections rather than
// excluding the others': what a client pushed anywhere else (an unknown
// name, the users, the appeals, the public_incidents view, which takes no
// writes and whose evidence would not be redacted as a report's is, a
// collection added later) is read by superusers alone until an operator
// gives it reviewers. The newsroom's drafts and the appeals' are read by no
// one else, so neither are the values they went through: a draft's
// unverified wording stays with its editors. Superusers pass every rule.
const ReviewRule = "(@request.auth.role = 'coordinator' && (collection = 'incident_reports' || " +
	"collection = 'aid_requests' || collection = 'districts' || collection = 'organizations')) || " +
	"(@request.auth.role = 'editor' && (collection = 'updates' || collection = 'fact_checks'))"

// DenyListReviewRule is ReviewRule as data dirs migrated before
// 1795766970_aman_review_allow_list.go hold it: coordinators read every
// collection's but the newsroom's and the appeals', an unknown one's too.
const DenyListReviewRule = "(@request.auth.role = 'coordinator' && collection != 'updates' && " +
	"collection != 'fact_checks' && collection != 'appeals') || " +
	"(@request.auth.role = 'editor' && (collection = 'updates' || collection = 'fact_checks'))"

func createHistoryAndBackfill(tx core.App) error {
	view := core.NewViewCollection("record_history")
	view.ViewQuery = historyQuery
	view.ListRule = types.Pointer(ReviewRule)
	view.ViewRule = types.Pointer(ReviewRule)
	if err := tx.Save(view); err != nil {
		return fmt.Errorf("create record_history: %w", err)
	}
	return Backfill(tx, DefaultConfig())
}

func dropHistory(tx core.App) error {
	view, err := tx.FindCollectionByNameOrId("record_history")
	if err != nil {
		return nil
	}
	return tx.Delete(view)
}

// Backfill gives a head to every record of a synced collection (or derived
// view) that has none: records written before the log existed or by raw
// SQL. Their history is unknown (fields NULL), which merge treats as "any
// field may have changed".
func Backfill(tx core.App, cfg Config) error {
	for _, name := range cfg.Synced() {
		if _, err := tx.FindCollectionByNameOrId(name); err != nil {
			continue // not (yet) in the schema
		}
		if err := backfillCollection(tx, name); err != nil {
			return fmt.Errorf("backfill %s: %w", name, err)
		}
	}
	return nil
}

func backfillCollection(tx core.App, name string) error {
	var ids []string
	err := tx.DB().NewQuery(`SELECT id FROM {{` + name + `}} WHERE id NOT IN
		(SELECT record_id FROM ` + headsTable + ` WHERE collection = {:c})`).
		Bind(dbx.Params{"c": name}).Column(&ids)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := backfillOne(tx, name, id); err != nil {
			return err
		}
	}
	return nil
}

func backfillOne(tx core.App, name, id string) error {
	_, err := appendChange(tx, entry{collection: name, recordID: id})
	if err != nil {
		return err
	}
	// unknown history: see ChangedSince
	_, err = tx.DB().NewQuery("UPDATE " + changesTable + " SET fields = NULL WHERE collection = {:c} AND record_id = {:id}").
		Bind(dbx.Params{"c": name, "id": id}).Execute()
	return err
}
