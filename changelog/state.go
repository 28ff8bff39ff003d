package changelog

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

type historyRow struct {
	Seq     int64          `db:"seq"`
	Rev     int64          `db:"rev"`
	Deleted bool           `db:"deleted"`
	Fields  sql.NullString `db:"fields"`
	Diff    string         `db:"diff"`
}

// StateAt reconstructs a record's field values as they were right after
// the change with the highest seq <= atSeq, by undoing the later changes
// on current (the record's values now; nil if it is deleted). existed is
// false when the record did not exist at that point. known is false when
// the history cannot tell (written before the log, or an id deleted and
// re-created since): the caller must then assume the worst. atSeq must be
// above the reset horizon (PrunedSeq): the history after it is whole.
func StateAt(app core.App, collection, id string, atSeq int64, current map[string]any) (state map[string]any, existed, known bool, err error) {
	before, found, err := lastChangeAt(app, collection, id, atSeq)
	if err != nil {
		return nil, false, false, err
	}
	if found && before.Deleted {
		return nil, false, true, nil
	}
	var after []historyRow
	err = app.DB().Select("seq", "rev", "deleted", "fields", "diff").From(changesTable).
		Where(dbx.HashExp{"collection": collection, "record_id": id}).
		AndWhere(dbx.NewExp("seq > {:at}", dbx.Params{"at": atSeq})).
		OrderBy("seq DESC").All(&after)
	if err != nil {
		return nil, false, false, fmt.Errorf("read history: %w", err)
	}
	if !found {
		return stateBeforeKept(after, current)
	}
	state, known, err = undo(after, current)
	return state, known, known, err
}

// stateBeforeKept answers StateAt for a record with no change at or before
// atSeq: after holds its changes after atSeq, newest first. Either it was
// created since (its oldest change is its create, rev 1: it did not exist),
// or its changes up to atSeq were pruned. Pruning raises the reset horizon
// past every row it removes (Prune), and a caller asks only for positions
// above the horizon (a pull resets an older checkpoint), so every change
// after atSeq is here: the record existed at atSeq, in the state those
// changes undone from current give. (If the first of them re-created an
// id deleted before atSeq, the undone state is empty, as the record was.)
func stateBeforeKept(after []historyRow, current map[string]any) (map[string]any, bool, bool, error) {
	switch {
	case len(after) == 0:
		return nil, false, false, nil // no history at all: nothing to tell
	case after[len(after)-1].Rev == 1:
		return nil, false, true, nil
	}
	state, known, err := undo(after, current)
	return state, known, known, err
}

func lastChangeAt(app core.App, collection, id string, atSeq int64) (historyRow, bool, error) {
	var row historyRow
	err := app.DB().Select("seq", "rev", "deleted", "fields", "diff").From(changesTable).
		Where(dbx.HashExp{"collection": collection, "record_id": id}).
		AndWhere(dbx.NewExp("seq <= {:at}", dbx.Params{"at": atSeq})).
		OrderBy("seq DESC").Limit(1).One(&row)
	if errors.Is(err, sql.ErrNoRows) {
		return row, false, nil
	}
	if err != nil {
		return row, false, fmt.Errorf("read history: %w", err)
	}
	return row, true, nil
}

// undo applies the old values of rows (newest first) to current. A delete
// row holds the whole state before the delete. Any row of unknown content,
// or a delete followed by a re-create, makes the result unknown.
func undo(rows []historyRow, current map[string]any) (map[string]any, bool, error) {
	state := maps.Clone(current)
	if state == nil {
		state = map[string]any{}
	}
	for i, r := range rows {
		if !r.Fields.Valid || (i > 0 && !rows[i-1].Deleted && r.Deleted) {
			return nil, false, nil // unknown content, or deleted then re-created
		}
		var diff map[string]FieldChange
		if err := json.Unmarshal([]byte(r.Diff), &diff); err != nil {
			return nil, false, fmt.Errorf("decode diff: %w", err)
		}
		if r.Deleted {
			state = map[string]any{}
		}
		for f, c := range diff {
			state[f] = c.Old
		}
	}
	return state, true, nil
}

// BornAfter returns those of ids (records of one collection) that did not
// exist at afterSeq and were created since: their oldest change in the
// history is after afterSeq and is a create (rev 1). For these StateAt
// answers "did not exist, known"; one query answers it for a whole page.
func BornAfter(app core.App, collection string, ids []string, afterSeq int64) (map[string]bool, error) {
	return idSet(app, `SELECT c.record_id FROM `+changesTable+` c
		WHERE c.collection = {:collection} AND c.record_id IN (SELECT value FROM json_each({:ids}))
		AND c.rev = 1 AND c.seq > {:after}
		AND c.seq = (SELECT MIN(o.seq) FROM `+changesTable+` o WHERE o.collection = c.collection AND o.record_id = c.record_id)`,
		dbx.Params{"collection": collection, "after": afterSeq}, ids)
}

// WrittenBySince returns those of ids (records of one collection) that the
// auth record actor wrote after afterSeq: a device of that user may hold
// them (it created or edited them, and learned the result from its push)
// without ever having pulled them. One query for a whole page.
func WrittenBySince(app core.App, collection string, ids []string, afterSeq int64, actor Actor) (map[string]bool, error) {
	return idSet(app, `SELECT DISTINCT record_id FROM `+changesTable+`
		WHERE collection = {:collection} AND record_id IN (SELECT value FROM json_each({:ids}))
		AND actor = {:actor} AND actor_collection = {:actor_collection} AND seq > {:after}`,
		dbx.Params{"collection": collection, "after": afterSeq, "actor": actor.ID, "actor_collection": actor.Collection}, ids)
}

// idSet runs a query of record ids with ids bound as one JSON array.
func idSet(app core.App, query string, params dbx.Params, ids []string) (map[string]bool, error) {
	out := map[string]bool{}
	if len(ids) == 0 {
		return out, nil
	}
	raw, err := json.Marshal(ids)
	if err != nil {
		return nil, fmt.Errorf("encode ids: %w", err)
	}
	params["ids"] = string(raw)
	var found []string
	if err := app.DB().NewQuery(query).Bind(params).Column(&found); err != nil {
		return nil, fmt.Errorf("read history: %w", err)
	}
	for _, id := range found {
		out[id] = true
	}
	return out, nil
}
