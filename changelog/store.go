package changelog

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"aman/internal/jsonenc"
	"aman/internal/txstmt"
)

// Table names. They start with "_" so PocketBase treats them as internal.
const (
	changesTable = "_aman_changes"
	headsTable   = "_aman_heads"
	metaTable    = "_aman_sync_meta"
)

// stmts holds the log's statements prepared in the write transaction in
// progress (see package txstmt).
var stmts txstmt.Cache

// Actor is who made a write: an auth record, or nobody (system: Go code,
// migrations, JS hooks outside a request), and the sync client (device)
// when the write came from a sync push.
type Actor struct {
	Collection string // auth collection name, "" for system
	ID         string
	Client     string
}

// ClientKey is the RequestEvent store key under which a sync push puts the
// pushing client's id, so that the log records which device wrote.
const ClientKey = "aman.sync.client"

// FieldChange is one field's value before and after a write.
type FieldChange struct {
	Old any `json:"old"`
	New any `json:"new"`
}

// Head is a record's latest position in the log.
type Head struct {
	Collection string `db:"collection"`
	RecordID   string `db:"record_id"`
	Rev        int64  `db:"rev"`
	Seq        int64  `db:"seq"`
	Deleted    bool   `db:"deleted"`
}

// entry is one write about to be logged.
type entry struct {
	collection string
	recordID   string
	deleted    bool
	actor      Actor
	diff       map[string]FieldChange
}

// appendChange logs e and moves the record's head; it must run in the
// transaction of the write so that seq order is commit order.
func appendChange(tx core.App, e entry) (Head, error) {
	fields, diff, err := encodeDiff(e.diff)
	if err != nil {
		return Head{}, err
	}
	now := types.NowDateTime().String()
	params := dbx.Params{
		"collection": e.collection, "record_id": e.recordID, "deleted": e.deleted, "at": now,
		"actor": e.actor.ID, "actor_collection": e.actor.Collection, "client": e.actor.Client,
		"fields": fields, "diff": diff,
	}
	// the record's next rev is read in the insert itself: one statement
	next := Head{Collection: e.collection, RecordID: e.recordID, Deleted: e.deleted}
	err = stmts.Run(tx.DB(), insertChangeSQL, func(q *dbx.Query) error {
		return q.Bind(params).Row(&next.Seq, &next.Rev)
	})
	if err != nil {
		return Head{}, fmt.Errorf("insert change: %w", err)
	}
	err = stmts.Run(tx.DB(), upsertHeadSQL, func(q *dbx.Query) error {
		_, err := q.Bind(dbx.Params{
			"collection": next.Collection, "record_id": next.RecordID, "rev": next.Rev,
			"seq": next.Seq, "deleted": next.Deleted, "at": now,
		}).Execute()
		return err
	})
	if err != nil {
		return Head{}, fmt.Errorf("upsert head: %w", err)
	}
	return next, nil
}

// The statements of every logged write, prepared once per transaction.
const (
	insertChangeSQL = `INSERT INTO ` + changesTable + `
		(collection, record_id, rev, deleted, at, actor, actor_collection, client, fields, diff)
		VALUES ({:collection}, {:record_id},
		  COALESCE((SELECT rev FROM ` + headsTable + ` WHERE collection = {:collection} AND record_id = {:record_id}), 0) + 1,
		  {:deleted}, {:at}, {:actor}, {:actor_collection}, {:client}, {:fields}, {:diff})
		RETURNING seq, rev`
	upsertHeadSQL = `INSERT INTO ` + headsTable + ` (collection, record_id, rev, seq, deleted, at)
		VALUES ({:collection}, {:record_id}, {:rev}, {:seq}, {:deleted}, {:at})
		ON CONFLICT (collection, record_id) DO UPDATE SET
		rev = excluded.rev, seq = excluded.seq, deleted = excluded.deleted, at = excluded.at`
	headOfSQL = `SELECT collection, record_id, rev, seq, deleted FROM ` + headsTable + `
		WHERE collection = {:collection} AND record_id = {:record_id} LIMIT 1`
)

// encodeDiff returns the names of the changed fields as a JSON array and
// the diff as a JSON object ({"name":{"old":…,"new":…}} in name order),
// written as json.Marshal writes them, without its reflection (package
// jsonenc): every logged write encodes every field it sets.
func encodeDiff(diff map[string]FieldChange) (string, string, error) {
	names := make([]string, 0, len(diff))
	for name := range diff {
		names = append(names, name)
	}
	sort.Strings(names)
	fields := make([]byte, 0, 16*len(names)+2)
	raw := make([]byte, 0, 256)
	fields, raw = append(fields, '['), append(raw, '{')
	for i, name := range names {
		if i > 0 {
			fields, raw = append(fields, ','), append(raw, ',')
		}
		fields = jsonenc.AppendString(fields, name)
		raw = jsonenc.AppendString(raw, name)
		raw = append(raw, `:{"old":`...)
		var err error
		if raw, err = jsonenc.AppendValue(raw, diff[name].Old); err != nil {
			return "", "", fmt.Errorf("encode diff of %s: %w", name, err)
		}
		raw = append(raw, `,"new":`...)
		if raw, err = jsonenc.AppendValue(raw, diff[name].New); err != nil {
			return "", "", fmt.Errorf("encode diff of %s: %w", name, err)
		}
		raw = append(raw, '}')
	}
	return string(append(fields, ']')), string(append(raw, '}')), nil
}

// HeadOf returns the head of a record, or ErrNoHead.
func HeadOf(app core.App, collection, recordID string) (Head, error) {
	var h Head
	err := stmts.Run(app.DB(), headOfSQL, func(q *dbx.Query) error {
		return q.Bind(dbx.Params{"collection": collection, "record_id": recordID}).One(&h)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return Head{Collection: collection, RecordID: recordID}, ErrNoHead
	}
	if err != nil {
		return Head{}, fmt.Errorf("read head: %w", err)
	}
	return h, nil
}

// RevAt is the record's rev as of log position seq: one less than the
// first rev written after seq (the writes after a recent position are
// still in the history when older ones were pruned), else its last rev; 0
// if it had none. Positions grow across restores (SeqFloor), so a rev
// written since a restore is always "after" a position the server issued
// before it.
func RevAt(app core.App, collection, recordID string, seq int64) (int64, error) {
	var rev sql.NullInt64
	err := app.DB().NewQuery(`SELECT COALESCE(
		  (SELECT MIN(rev) - 1 FROM ` + changesTable + `
		    WHERE collection = {:collection} AND record_id = {:record_id} AND seq > {:seq}),
		  (SELECT MAX(rev) FROM ` + changesTable + `
		    WHERE collection = {:collection} AND record_id = {:record_id}))`).
		Bind(dbx.Params{"collection": collection, "record_id": recordID, "seq": seq}).Row(&rev)
	if err != nil {
		return 0, fmt.Errorf("rev at %d: %w", seq, err)
	}
	return rev.Int64, nil
}

// LifeStart returns the first change of the record's current life: its
// first change after its last delete (an id deleted and created again
// begins a new life; revs and history go on across). found is false when
// the log holds no change of that life: the record is older than the log,
// or its history was pruned.
func LifeStart(app core.App, collection, recordID string) (start Moment, found bool, err error) {
	err = app.DB().NewQuery(`SELECT seq, at FROM `+changesTable+`
		WHERE collection = {:collection} AND record_id = {:record_id}
		AND seq > COALESCE((SELECT MAX(seq) FROM `+changesTable+`
		  WHERE collection = {:collection} AND record_id = {:record_id} AND deleted = 1), 0)
		ORDER BY seq LIMIT 1`).
		Bind(dbx.Params{"collection": collection, "record_id": recordID}).Row(&start.Seq, &start.At)
	if errors.Is(err, sql.ErrNoRows) {
		return Moment{}, false, nil
	}
	if err != nil {
		return Moment{}, false, fmt.Errorf("life start of %s/%s: %w", collection, recordID, err)
	}
	return start, true, nil
}

// LastDelete returns the seq and rev of the record's last delete, zeros if
// the log holds none: every change after it is of the record's current
// life, and revs go on across lives, so an edit based on a rev up to it
// was based on an earlier record under the id (unless the tombstone was
// pruned before the id was used again, and revs began anew).
func LastDelete(app core.App, collection, recordID string) (seq, rev int64, err error) {
	err = app.DB().NewQuery(`SELECT seq, rev FROM `+changesTable+`
		WHERE collection = {:collection} AND record_id = {:record_id} AND deleted = 1
		ORDER BY seq DESC LIMIT 1`).
		Bind(dbx.Params{"collection": collection, "record_id": recordID}).Row(&seq, &rev)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, nil
	}
	if err != nil {
		return 0, 0, fmt.Errorf("last delete of %s/%s: %w", collection, recordID, err)
	}
	return seq, rev, nil
}

// Heads returns the heads of the given records of one collection, by id.
func Heads(app core.App, collection string, ids []string) (map[string]Head, error) {
	out := make(map[string]Head, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var rows []Head
	err := app.DB().Select("collection", "record_id", "rev", "seq", "deleted").
		From(headsTable).
		Where(dbx.HashExp{"collection": collection}).
		AndWhere(dbx.In("record_id", toAny(ids)...)).
		All(&rows)
	if err != nil {
		return nil, fmt.Errorf("read heads: %w", err)
	}
	for _, h := range rows {
		out[h.RecordID] = h
	}
	return out, nil
}

// Scan returns up to limit heads of the given collections with
// afterSeq < seq <= maxSeq, in seq (commit) order. Each record appears at
// most once, at its latest change, because a head holds only the latest seq.
// Each collection is read by its own range of the (collection, seq) index
// and the ranges are merged, so the cost is O(collections × limit) whatever
// the size of the log and of the other collections.
func Scan(app core.App, collections []string, afterSeq, maxSeq int64, limit int) ([]Head, error) {
	var all []Head
	for _, c := range collections {
		var rows []Head
		err := app.DB().Select("collection", "record_id", "rev", "seq", "deleted").
			From(headsTable).
			Where(dbx.NewExp("collection = {:c} AND seq > {:after} AND seq <= {:max}",
				dbx.Params{"c": c, "after": afterSeq, "max": maxSeq})).
			OrderBy("seq ASC").
			Limit(int64(limit)).
			All(&rows)
		if err != nil {
			return nil, fmt.Errorf("scan heads: %w", err)
		}
		all = append(all, rows...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Seq < all[j].Seq })
	if len(all) > limit {
		all = all[:limit]
	}
	return all, nil
}

// LastSeq is the highest seq ever assigned (0 for an empty log). It reads
// sqlite_sequence, so it stays correct after the newest rows are pruned.
func LastSeq(app core.App) (int64, error) {
	var seq sql.NullInt64
	err := app.DB().NewQuery("SELECT seq FROM sqlite_sequence WHERE name = {:name}").
		Bind(dbx.Params{"name": changesTable}).Row(&seq)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("last seq: %w", err)
	}
	return seq.Int64, nil
}

// PrunedSeq is the highest seq of a pruned tombstone: a client whose
// checkpoint is below it may have missed a delete and must reset.
func PrunedSeq(app core.App) (int64, error) {
	var v string
	err := app.DB().Select("value").From(metaTable).
		Where(dbx.HashExp{"key": "pruned_seq"}).Row(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("pruned seq: %w", err)
	}
	var n int64
	if _, err := fmt.Sscan(v, &n); err != nil {
		return 0, fmt.Errorf("pruned seq %q: %w", v, err)
	}
	return n, nil
}

// ChangedSince returns the names of the fields changed by the writes of a
// record with baseRev < rev <= uptoRev, leaving out the writes of the sync
// client exceptClient (a device's own earlier edits are not news to it).
// complete is false when some of those writes are no longer in the history
// (pruned, or written before the log existed): the caller must then assume
// that any field may have changed.
func ChangedSince(app core.App, collection, recordID, exceptClient string, baseRev, uptoRev int64) (fields map[string]bool, complete bool, err error) {
	var rows []struct {
		Rev    int64          `db:"rev"`
		Fields sql.NullString `db:"fields"`
		Client string         `db:"client"`
	}
	err = app.DB().Select("rev", "fields", "client").From(changesTable).
		Where(dbx.HashExp{"collection": collection, "record_id": recordID}).
		AndWhere(dbx.NewExp("rev > {:base} AND rev <= {:upto}", dbx.Params{"base": baseRev, "upto": uptoRev})).
		All(&rows)
	if err != nil {
		return nil, false, fmt.Errorf("read history: %w", err)
	}
	fields = map[string]bool{}
	complete = int64(len(rows)) == uptoRev-baseRev
	for _, r := range rows {
		if exceptClient != "" && r.Client == exceptClient {
			continue
		}
		if !r.Fields.Valid {
			complete = false // backfilled: what changed is unknown
			continue
		}
		var names []string
		if err := json.Unmarshal([]byte(r.Fields.String), &names); err != nil {
			return nil, false, fmt.Errorf("decode history fields: %w", err)
		}
		for _, n := range names {
			fields[n] = true
		}
	}
	return fields, complete, nil
}

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}
