package syncapi

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"aman/changelog"
)

// The push tables and sync_conflicts need the users collection's role
// field, so they sort after the schema migrations.
func init() {
	core.AppMigrations.Register(createPushTables, dropPushTables, "1795766910_aman_sync_push.go")
	core.AppMigrations.Register(rebuildResultsTable, nil, "1795766940_aman_sync_results_rowid.go")
	core.AppMigrations.Register(splitReview, nil, "1795766960_aman_review_domains.go")
	core.AppMigrations.Register(reviewAllowList, nil, "1795766970_aman_review_allow_list.go")
	core.AppMigrations.Register(scrubSecrets, nil, "1795766980_aman_conflicts_without_secrets.go")
	core.AppMigrations.Register(resolverOnly, nil, "1795766990_aman_conflicts_resolver_only.go")
	core.AppMigrations.Register(openConflictsNobodys, nil, "1795767210_aman_open_conflicts_nobodys.go")
	core.AppMigrations.Register(addConflictLife, nil, "1795767220_aman_conflicts_life.go")
	core.AppMigrations.Register(addClientsLastSeen, nil, "1795767850_aman_clients_last_seen.go")
}

var pushDDL = []string{
	`CREATE TABLE IF NOT EXISTS ` + mutationsTable + ` (
		client      TEXT NOT NULL,
		mutation_id TEXT NOT NULL,
		result      JSON NOT NULL,
		at          TEXT NOT NULL,
		UNIQUE (client, mutation_id)
	)`,
	`CREATE INDEX IF NOT EXISTS idx_aman_mutations_at ON ` + mutationsTable + ` (at)`,
	`CREATE TABLE IF NOT EXISTS ` + clientsTable + ` (
		client          TEXT PRIMARY KEY NOT NULL,
		auth_collection TEXT NOT NULL,
		auth_id         TEXT NOT NULL,
		created         TEXT NOT NULL
	) WITHOUT ROWID`,
}

// addClientsLastSeen gives device bindings the time their account last
// pushed through them, so that bindings no device uses any more can be
// pruned (PruneClients). Bindings made before it count as seen at the
// upgrade: they are kept a whole retention from then.
func addClientsLastSeen(tx core.App) error {
	var n int
	err := tx.DB().NewQuery("SELECT COUNT(*) FROM pragma_table_info('" + clientsTable + "') WHERE name = 'last_seen'").Row(&n)
	if err != nil {
		return fmt.Errorf("clients last seen: %w", err)
	}
	if n > 0 {
		return nil
	}
	for _, q := range []string{
		"ALTER TABLE " + clientsTable + " ADD COLUMN last_seen TEXT NOT NULL DEFAULT ''",
		"UPDATE " + clientsTable + " SET last_seen = {:now}",
		"CREATE INDEX IF NOT EXISTS idx_aman_clients_last_seen ON " + clientsTable + " (last_seen)",
	} {
		_, err := tx.DB().NewQuery(q).Bind(dbx.Params{"now": types.NowDateTime().String()}).Execute()
		if err != nil {
			return fmt.Errorf("clients last seen: %w", err)
		}
	}
	return nil
}

func createPushTables(tx core.App) error {
	for _, q := range pushDDL {
		if _, err := tx.DB().NewQuery(q).Execute(); err != nil {
			return fmt.Errorf("create push tables: %w", err)
		}
	}
	return tx.Save(conflictsCollection())
}

// setConflictRules sets who reads and resolves sync conflicts: the
// reviewers of the record's collection. Resolving changes status,
// resolution and resolved_by (themselves) only: the evidence stays as the
// client sent it. A conflict another reviewer resolved is theirs: only
// they (or a superuser) change its resolution, so resolved_by never names
// someone for words they did not write.
func setConflictRules(c *core.Collection) {
	review := "(" + changelog.ReviewRule + ")"
	c.ListRule = types.Pointer(review)
	c.ViewRule = types.Pointer(review)
	c.UpdateRule = types.Pointer(review + conflictEvidenceKept() + conflictResolverOnly)
}

// conflictEvidenceKept is the part of the update rule that keeps what the
// client sent.
func conflictEvidenceKept() string {
	evidence := ""
	for _, f := range []string{"client", "mutation_id", "collection", "record_id", "user", "kind", "delete",
		"base_rev", "server_rev", "data", "server_state", "fields", "error"} {
		evidence += " && @request.body." + f + ":isset = false"
	}
	return evidence
}

// The ends of the conflicts' update rule: before
// 1795766990_aman_conflicts_resolver_only.go, as it left it, and since
// 1795767210_aman_open_conflicts_nobodys.go (an open conflict is nobody's,
// whatever resolved_by holds: a claim kept from before, a superuser's
// choice; any reviewer may resolve it).
const (
	conflictResolverSelf   = " && (@request.body.resolved_by:isset = false || @request.body.resolved_by = @request.auth.id)"
	conflictResolverOnlyV1 = " && (resolved_by = '' || resolved_by = @request.auth.id)" + conflictResolverSelf
	conflictResolverOnly   = " && (status != 'resolved' || resolved_by = '' || resolved_by = @request.auth.id)" + conflictResolverSelf
)

// resolverOnly gives data dirs created before it the conflicts' update
// rule that leaves a resolution to its resolver. It appends to the rule
// that ends as this project wrote it; a rule an operator rewrote is left
// as it is.
func resolverOnly(tx core.App) error {
	c, err := tx.FindCollectionByNameOrId(ConflictsCollection)
	if err != nil {
		return fmt.Errorf("resolver only: %w", err)
	}
	rule := c.UpdateRule
	if rule == nil || !strings.HasSuffix(*rule, conflictResolverSelf) ||
		strings.HasSuffix(*rule, conflictResolverOnly) || strings.HasSuffix(*rule, conflictResolverOnlyV1) {
		return nil
	}
	c.UpdateRule = types.Pointer(strings.TrimSuffix(*rule, conflictResolverSelf) + conflictResolverOnly)
	if err := tx.Save(c); err != nil {
		return fmt.Errorf("resolver only: %w", err)
	}
	return nil
}

// openConflictsNobodys gives data dirs that resolverOnly left with its
// rule the one under which an open conflict naming someone is not theirs
// alone. A rule an operator rewrote is left as it is.
func openConflictsNobodys(tx core.App) error {
	c, err := tx.FindCollectionByNameOrId(ConflictsCollection)
	if err != nil {
		return fmt.Errorf("open conflicts nobody's: %w", err)
	}
	rule := c.UpdateRule
	if rule == nil || !strings.HasSuffix(*rule, conflictResolverOnlyV1) {
		return nil
	}
	c.UpdateRule = types.Pointer(strings.TrimSuffix(*rule, conflictResolverOnlyV1) + conflictResolverOnly)
	if err := tx.Save(c); err != nil {
		return fmt.Errorf("open conflicts nobody's: %w", err)
	}
	return nil
}

// lifeField is the conflicts' life: the created time of the record the
// conflict is about when it was written, "-" when there was none (a
// rejected create), empty on conflicts written before 1795767220. Hidden:
// PocketBase drops it from every other user's request body and response,
// and the redaction alone reads it (changelog.Moment.Life).
func lifeField() *core.TextField {
	return &core.TextField{Name: "life", Max: 40, Hidden: true}
}

// addConflictLife gives data dirs created before it the conflicts' life
// field. Conflicts written before keep an empty one and are judged by
// their time.
func addConflictLife(tx core.App) error {
	c, err := tx.FindCollectionByNameOrId(ConflictsCollection)
	if err != nil {
		return fmt.Errorf("conflict life: %w", err)
	}
	if c.Fields.GetByName("life") != nil {
		return nil
	}
	c.Fields.Add(lifeField())
	if err := tx.Save(c); err != nil {
		return fmt.Errorf("conflict life: %w", err)
	}
	return nil
}

// splitReview gives data dirs created before changelog.ReviewRule its
// rules: coordinators used to read the history and the conflicts of every
// collection, the newsroom's drafts included, and editors no conflicts.
func splitReview(tx core.App) error {
	conflicts, err := tx.FindCollectionByNameOrId(ConflictsCollection)
	if err != nil {
		return fmt.Errorf("split review: %w", err)
	}
	setConflictRules(conflicts)
	if err := tx.Save(conflicts); err != nil {
		return fmt.Errorf("split review: %w", err)
	}
	// rows kept before saveConflict stored the collection's own name may
	// name it as the client spelled it (its id, or another case)
	t := ConflictsCollection
	match := "(c.id = " + t + ".collection OR LOWER(c.name) = LOWER(" + t + ".collection))"
	_, err = tx.DB().NewQuery(`UPDATE ` + t + `
		SET collection = (SELECT c.name FROM _collections c WHERE ` + match + ` LIMIT 1)
		WHERE collection NOT IN (SELECT name FROM _collections)
		  AND EXISTS (SELECT 1 FROM _collections c WHERE ` + match + `)`).Execute()
	if err != nil {
		return fmt.Errorf("split review: names of collections: %w", err)
	}
	history, err := tx.FindCollectionByNameOrId(changelog.HistoryCollection)
	if err != nil {
		return fmt.Errorf("split review: %w", err)
	}
	history.ListRule = types.Pointer(changelog.ReviewRule)
	history.ViewRule = types.Pointer(changelog.ReviewRule)
	if err := tx.Save(history); err != nil {
		return fmt.Errorf("split review: %w", err)
	}
	return nil
}

// reviewAllowList gives data dirs migrated with changelog.DenyListReviewRule
// the allow-list: a coordinator read what any client pushed to an unknown
// collection or to the users (an editor's app pushing a profile, password
// and all). It replaces the old rule's text where a rule holds it, so
// whatever an operator added around it stays; a rule an operator rewrote
// is left as it is.
func reviewAllowList(tx core.App) error {
	for _, name := range []string{ConflictsCollection, changelog.HistoryCollection} {
		c, err := tx.FindCollectionByNameOrId(name)
		if err != nil {
			return fmt.Errorf("review allow-list: %w", err)
		}
		changed := false
		for _, r := range []**string{&c.ListRule, &c.ViewRule, &c.UpdateRule} {
			if *r == nil || !strings.Contains(**r, changelog.DenyListReviewRule) {
				continue
			}
			*r = types.Pointer(strings.ReplaceAll(**r, changelog.DenyListReviewRule, changelog.ReviewRule))
			changed = true
		}
		if !changed {
			continue
		}
		if err := tx.Save(c); err != nil {
			return fmt.Errorf("review allow-list: %w", err)
		}
	}
	return nil
}

// scrubSecrets takes out of the sync conflicts kept before saveConflict
// dropped them the secrets clients pushed (withoutSecrets): an editor's app
// pushing a profile to users left its password in plain text, in the
// database and in every backup since.
func scrubSecrets(tx core.App) error {
	collections, err := tx.FindAllCollections()
	if err != nil {
		return fmt.Errorf("scrub secrets: %w", err)
	}
	for _, c := range collections {
		if len(secretKeys(c)) == 0 {
			continue
		}
		var rows []struct {
			ID   string `db:"id"`
			Data string `db:"data"`
		}
		err := tx.DB().NewQuery("SELECT id, data FROM " + ConflictsCollection + " WHERE collection = {:c}").
			Bind(dbx.Params{"c": c.Name}).All(&rows)
		if err != nil {
			return fmt.Errorf("scrub secrets of %s: %w", c.Name, err)
		}
		for _, r := range rows {
			var data map[string]any
			if json.Unmarshal([]byte(r.Data), &data) != nil {
				continue // not an object: holds no key
			}
			kept := withoutSecrets(c, data)
			if len(kept) == len(data) {
				continue
			}
			_, err := tx.DB().NewQuery("UPDATE " + ConflictsCollection + " SET data = {:d} WHERE id = {:id}").
				Bind(dbx.Params{"d": jsonValue(kept), "id": r.ID}).Execute()
			if err != nil {
				return fmt.Errorf("scrub secrets of %s: %w", r.ID, err)
			}
		}
	}
	return nil
}

// rebuildResultsTable moves the stored results of a data dir migrated
// before they left a WITHOUT ROWID table. Such a table keeps each ~1.5 KB
// result inside its primary key's B-tree, which SQLite advises against for
// rows that large: a push spent a tenth of its time looking up and
// inserting there (docs/benchmarks.md). A rowid table with a unique index
// on (client, mutation_id) keeps the lookups in a small index.
func rebuildResultsTable(tx core.App) error {
	var ddl string
	err := tx.DB().NewQuery("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = {:t}").
		Bind(dbx.Params{"t": mutationsTable}).Row(&ddl)
	if err != nil {
		return fmt.Errorf("inspect %s: %w", mutationsTable, err)
	}
	if !strings.Contains(strings.ToUpper(ddl), "WITHOUT ROWID") {
		return nil
	}
	steps := []string{
		"ALTER TABLE " + mutationsTable + " RENAME TO " + mutationsTable + "_old",
		"DROP INDEX IF EXISTS idx_aman_mutations_at",
		pushDDL[0],
		pushDDL[1],
		"INSERT INTO " + mutationsTable + " (client, mutation_id, result, at) SELECT client, mutation_id, result, at FROM " + mutationsTable + "_old",
		"DROP TABLE " + mutationsTable + "_old",
	}
	for _, q := range steps {
		if _, err := tx.DB().NewQuery(q).Execute(); err != nil {
			return fmt.Errorf("rebuild %s: %w", mutationsTable, err)
		}
	}
	return nil
}

func dropPushTables(tx core.App) error {
	if c, err := tx.FindCollectionByNameOrId(ConflictsCollection); err == nil {
		if err := tx.Delete(c); err != nil {
			return err
		}
	}
	for _, t := range []string{mutationsTable, clientsTable} {
		if _, err := tx.DB().NewQuery("DROP TABLE IF EXISTS " + t).Execute(); err != nil {
			return fmt.Errorf("drop %s: %w", t, err)
		}
	}
	return nil
}

// conflictsCollection: the reviewers of the record's collection
// (changelog.ReviewRule) and superusers list, view and resolve; nobody
// creates or deletes through the API (push writes them).
func conflictsCollection() *core.Collection {
	c := core.NewBaseCollection(ConflictsCollection, "aman_sync_conflicts")
	setConflictRules(c)
	text := func(name string, required bool) *core.TextField {
		return &core.TextField{Name: name, Required: required, Max: 200}
	}
	c.Fields.Add(
		text("client", true),
		text("mutation_id", true),
		text("collection", true),
		text("record_id", false),
		&core.RelationField{Name: "user", CollectionId: "_pb_users_auth_", MaxSelect: 1},
		&core.SelectField{Name: "kind", Required: true, MaxSelect: 1, Values: []string{"conflict", "rejected"}},
		&core.BoolField{Name: "delete"},
		&core.NumberField{Name: "base_rev", OnlyInt: true},
		&core.NumberField{Name: "server_rev", OnlyInt: true},
		&core.JSONField{Name: "data", MaxSize: 1 << 20},
		&core.JSONField{Name: "server_state", MaxSize: 1 << 20},
		&core.JSONField{Name: "fields"},
		&core.JSONField{Name: "error"},
		&core.SelectField{Name: "status", Required: true, MaxSelect: 1, Values: []string{"open", "resolved"}},
		&core.TextField{Name: "resolution", Max: 5000},
		&core.RelationField{Name: "resolved_by", CollectionId: "_pb_users_auth_", MaxSelect: 1},
		lifeField(),
		&core.AutodateField{Name: "created", OnCreate: true},
		&core.AutodateField{Name: "updated", OnCreate: true, OnUpdate: true},
	)
	c.AddIndex("idx_sync_conflicts_status", false, "status, created", "")
	c.AddIndex("idx_sync_conflicts_mutation", true, "client, mutation_id", "")
	return c
}

// bindPrune prunes stored push results with the tombstone retention (a
// device offline longer than that resets anyway), then the device
// bindings no longer used (ClientsCutoff).
func bindPrune(app core.App, cfg changelog.Config) error {
	return app.Cron().Add("aman_sync_prune_mutations", cfg.PruneSchedule, func() {
		now := time.Now()
		if _, err := PruneMutations(app, now.Add(-cfg.Retention)); err != nil {
			app.Logger().Error("sync prune mutations", "error", err)
		}
		n, err := PruneClients(app, ClientsCutoff(cfg, now))
		if err != nil {
			app.Logger().Error("sync prune clients", "error", err)
			return
		}
		app.Logger().Info("sync prune clients", "clients", n)
	})
}

// ClientsCutoff is the last-seen time before which a device binding is
// pruned: the longer of the two retentions, and the step by which
// last_seen lags a push (lastSeenStep), before now. A binding is what
// tells one device's pushes from another's: the history names the device
// that wrote each change (changelog.ChangedSince leaves a device's own
// edits out of its conflicts), and a stored result answers its replays.
// Once both are pruned the id is free: another account that took it
// earlier could have had another device's edits taken for its own.
func ClientsCutoff(cfg changelog.Config, now time.Time) time.Time {
	return now.Add(-max(cfg.Retention, cfg.HistoryRetention) - lastSeenStep)
}

// PruneClients removes the device bindings last seen before cutoff that
// have no stored push result left, and returns how many.
func PruneClients(app core.App, cutoff time.Time) (int64, error) {
	dt, _ := types.ParseDateTime(cutoff.UTC())
	res, err := app.DB().NewQuery("DELETE FROM " + clientsTable + " WHERE last_seen < {:at}" +
		" AND NOT EXISTS (SELECT 1 FROM " + mutationsTable + " m WHERE m.client = " + clientsTable + ".client)").
		Bind(dbx.Params{"at": dt.String()}).Execute()
	if err != nil {
		return 0, fmt.Errorf("prune clients: %w", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}

// PruneMutations removes stored push results older than cutoff.
func PruneMutations(app core.App, cutoff time.Time) (int64, error) {
	dt, _ := types.ParseDateTime(cutoff.UTC())
	res, err := app.DB().NewQuery("DELETE FROM " + mutationsTable + " WHERE at < {:at}").
		Bind(dbx.Params{"at": dt.String()}).Execute()
	if err != nil {
		return 0, fmt.Errorf("prune mutations: %w", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}
