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
// the history cannot tell (pruned, written before the log, or an id
// deleted and re-created since): the caller must then assume the worst.
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
		// created after atSeq (its first write is rev 1), or the history
		// before it was pruned
		created := len(after) > 0 && after[len(after)-1].Rev == 1
		return nil, false, created, nil
	}
	state, known, err = undo(after, current)
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

// WrittenBy reports whether the auth record actor wrote the record after
// afterSeq: a device of that user may then hold it (it created or edited
// it, and learned the result from its push) without ever having pulled it.
func WrittenBy(app core.App, collection, id string, afterSeq int64, actor Actor) (bool, error) {
	var one int
	err := app.DB().Select("(1)").From(changesTable).
		Where(dbx.HashExp{"collection": collection, "record_id": id, "actor": actor.ID, "actor_collection": actor.Collection}).
		AndWhere(dbx.NewExp("seq > {:after}", dbx.Params{"after": afterSeq})).
		Limit(1).Row(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read history: %w", err)
	}
	return true, nil
}
