package syncapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"

	"aman/changelog"
	"aman/internal/txstmt"
	"aman/syncapi/wire"
)

// Result statuses.
const (
	StatusApplied  = "applied"
	StatusMerged   = "merged"
	StatusConflict = "conflict"
	StatusRejected = "rejected"
)

type mutation = wire.Mutation

type result struct {
	ID       string          `json:"id"`
	Status   string          `json:"status"`
	RecordID string          `json:"recordId,omitempty"`
	Rev      int64           `json:"rev"`
	Deleted  bool            `json:"deleted,omitempty"`
	Record   json.RawMessage `json:"record,omitempty"`
	Fields   []string        `json:"fields,omitempty"`
	Conflict string          `json:"conflict,omitempty"`
	Error    *resultError    `json:"error,omitempty"`
}

type resultError struct {
	Code    string         `json:"code"`
	Message string         `json:"message"`
	Fields  map[string]any `json:"fields"`
	Retry   bool           `json:"retry,omitempty"`
}

// outcome is a mutation's result plus what to keep in sync_conflicts.
type outcome struct {
	res     result
	keep    *kept // non-nil for conflict and rejected
	retry   bool  // transient failure: nothing stored, the client retries
	written bool  // the savepoint holds a write to keep
	// mc is the mutation's context, once it got one: a rejection adds the
	// server's state after its savepoint is rolled back (withServerState)
	mc *mutationContext
}

// kept is the sync_conflicts evidence of a conflict or a rejection.
type kept struct {
	serverRev   int64
	serverState map[string]any
	fields      []string
}

// chunkResults holds the results of one chunk's transaction: those stored
// by earlier pushes (loaded at the chunk's start) and those this chunk
// produced, which are stored at its end, in the same transaction as the
// writes; and the chunk's memoized create-rule answers.
type chunkResults struct {
	stored   map[string]json.RawMessage
	fresh    []storedRow
	rules    *ruleMemo
	isolated bool // each mutation in a savepoint (see runChunk)
}

// applyOne runs one mutation: its stored result if it ran before (in an
// earlier push or earlier in this one), else the mutation in a savepoint
// and its evidence in sync_conflicts, all in tx.
func (s *service) applyOne(e *core.RequestEvent, tx core.App, dev device, d decodedMutation, cr *chunkResults) (json.RawMessage, error) {
	m := d.m
	if !d.ok {
		// not identifiable: answered, never stored
		return encodeResult(invalid(e, idOf(d.raw)))
	}
	if stored, ok := cr.stored[m.ID]; ok {
		return replay(e, tx, m, stored, dev.brief)
	}
	run := s.checkedForTraces
	if cr.isolated {
		run = s.inSavepoint
	}
	o, err := run(tx, func() outcome { return s.execute(e, tx, dev, m, cr.rules) })
	if err != nil {
		return nil, err
	}
	if o.res.Status == StatusRejected && !o.retry && o.mc != nil {
		o = o.mc.withServerState(o)
	}
	o.res.ID = m.ID
	if o.retry {
		return encodeResult(o.res)
	}
	if o.keep != nil {
		id, err := saveConflict(tx, e.Auth, dev.client, m, o)
		if err != nil {
			return nil, err
		}
		o.res.Conflict = id
	}
	out, err := encodeResult(o.res)
	if err != nil {
		return nil, err
	}
	cr.stored[m.ID] = out
	cr.fresh = append(cr.fresh, storedRow{mutationID: m.ID, result: out})
	if dev.brief && leavesOutRecord(o.res) {
		o.res.Record = nil
		return encodeResult(o.res)
	}
	return out, nil
}

// leavesOutRecord reports whether a brief answer gives r without its
// record: an applied or merged mutation's record holds what the device
// sent (merged: with others' changes, which its next pull brings). A
// conflict's or a rejection's record is the server's state the device
// rolls back to, and stays.
func leavesOutRecord(r result) bool {
	return r.Record != nil && (r.Status == StatusApplied || r.Status == StatusMerged)
}

// decodedMutation is a mutation as sent and as decoded (ok is false when
// it is not a well-formed mutation); a chunk decodes each one once.
type decodedMutation struct {
	raw json.RawMessage
	m   mutation
	ok  bool
}

func decodeMutation(raw json.RawMessage) (mutation, bool) {
	return wire.DecodeMutation(raw)
}

// inSavepoint runs fn inside a SQLite savepoint and rolls it back unless
// fn's outcome wrote something to keep, so a refused mutation leaves no
// trace but its evidence. A panic becomes a retryable outcome.
func (s *service) inSavepoint(tx core.App, fn func() outcome) (o outcome, err error) {
	if err := execStmt(tx, "SAVEPOINT aman_mutation"); err != nil {
		return o, fmt.Errorf("savepoint: %w", err)
	}
	defer func() {
		if r := recover(); r != nil {
			tx.Logger().Error("sync mutation panic", "panic", fmt.Sprint(r))
			o = outcome{res: result{Status: StatusRejected}, retry: true}
			o.res.Error = &resultError{Code: CodeRetryLater, Fields: map[string]any{}, Retry: true}
		}
		steps := []string{"RELEASE aman_mutation"}
		if !o.written {
			steps = []string{"ROLLBACK TO aman_mutation", "RELEASE aman_mutation"}
		}
		for _, q := range steps {
			if rerr := execStmt(tx, q); rerr != nil && err == nil {
				err = fmt.Errorf("end savepoint: %w", rerr)
			}
		}
	}()
	return fn(), nil
}

// errNeedsIsolation aborts a chunk run without savepoints: a mutation
// whose outcome keeps nothing changed rows (or panicked), so the chunk must
// run again with a savepoint per mutation (see runChunk).
var errNeedsIsolation = errors.New("sync: mutation left changes to roll back")

// checkedForTraces runs fn without a savepoint and fails with
// errNeedsIsolation if its outcome keeps nothing but rows changed, or if
// it panicked, so that the caller rolls the transaction back.
// sqlite's total_changes() counts every row inserted, updated or deleted on
// the connection, triggers included; the transaction holds its connection.
func (s *service) checkedForTraces(tx core.App, fn func() outcome) (o outcome, err error) {
	before, err := totalChanges(tx)
	if err != nil {
		return o, err
	}
	defer func() {
		if r := recover(); r != nil {
			err = errNeedsIsolation
		}
	}()
	o = fn()
	if o.written {
		return o, nil
	}
	after, err := totalChanges(tx)
	if err != nil {
		return o, err
	}
	if after != before {
		return o, errNeedsIsolation
	}
	return o, nil
}

func totalChanges(tx core.App) (int64, error) {
	var n int64
	err := stmts.Run(tx.DB(), "SELECT total_changes()", func(q *dbx.Query) error {
		return q.Row(&n)
	})
	if err != nil {
		return 0, fmt.Errorf("total changes: %w", err)
	}
	return n, nil
}

// stmts holds the push's fixed statements (savepoints) prepared in the
// chunk's transaction (see package txstmt).
var stmts txstmt.Cache

// execStmt executes a parameterless statement of a fixed text in tx,
// prepared once per transaction.
func execStmt(tx core.App, sql string) error {
	return stmts.Run(tx.DB(), sql, func(q *dbx.Query) error {
		_, err := q.Execute()
		return err
	})
}

func idOf(raw json.RawMessage) string {
	var v struct {
		ID any `json:"id"`
	}
	_ = json.Unmarshal(raw, &v)
	s, _ := v.ID.(string)
	return s
}

func encodeResult(r result) (json.RawMessage, error) {
	raw, err := json.Marshal(r)
	if err != nil {
		return nil, fmt.Errorf("encode result: %w", err)
	}
	return raw, nil
}

// execute decides what a mutation is and runs it.
func (s *service) execute(e *core.RequestEvent, tx core.App, dev device, m mutation, rules *ruleMemo) outcome {
	c, err := tx.FindCachedCollectionByNameOrId(m.Collection)
	if err != nil || c.IsView() || !contains(s.cfg.Collections, c.Name) {
		return rejectedCode(e, m, CodeUnknownCollection, nil)
	}
	base := int64(0)
	if m.BaseRev != nil {
		base = *m.BaseRev
	}
	data, ok := cleanData(c, m.Data, e.Auth != nil && e.Auth.IsSuperuser())
	if m.Delete {
		data, ok = map[string]any{}, true // a delete's data is ignored (docs/sync.md)
	}
	if !ok || base < 0 || (m.RecordID == "" && (m.Delete || base > 0)) {
		return rejectedCode(e, m, CodeInvalidMutation, nil)
	}
	head, err := changelog.HeadOf(tx, c.Name, m.RecordID)
	if err != nil && !errors.Is(err, changelog.ErrNoHead) {
		return retryLater(e, m, err)
	}
	// Every record of a synced collection has a head (the log's hooks and
	// the backfill see to it), so a record without a live head is absent.
	// A row written around PocketBase (raw SQL) would still be caught by
	// the id's unique index on create.
	var existing *core.Record
	if m.RecordID != "" && err == nil && !head.Deleted {
		existing, _ = tx.FindRecordById(c, m.RecordID)
	}
	known, err := knownBase(tx, dev, c.Name, m.RecordID, base, head, existing != nil)
	if err != nil {
		return retryLater(e, m, err)
	}
	mc := &mutationContext{s: s, e: e, tx: tx, client: dev.client, m: m, c: c, data: data, base: base, known: known, existing: existing, head: head, rules: rules}
	o := mc.run()
	o.mc = mc
	return o
}

// knownBase is the rev an edit of an existing record is merged from: its
// base rev, unless the device's mutations can know only of positions up to
// dev.knows (it pushes again after a restore, see lostPosition) and the
// record was written since. Its base may then name a rev of the history the
// server lost, whose number a write since the restore took again: it is
// merged from the rev the record had at dev.knows, so that the writes
// since are checked for conflicts and never silently overwritten. Rev 1 is
// always the create of the record's id, which the edit knew: a create
// pushed again since the restore is not news to it. (This holds while an
// id is created only by the device that made it up, as clients do; a
// different create of the same id since the restore would be taken for
// the lost one.)
func knownBase(tx core.App, dev device, collection, recordID string, base int64, head changelog.Head, exists bool) (int64, error) {
	if dev.knows < 0 || !exists || base == 0 || head.Seq <= dev.knows {
		return base, nil
	}
	rev, err := changelog.RevAt(tx, collection, recordID, dev.knows)
	if err != nil {
		return 0, err
	}
	return min(base, max(rev, 1)), nil
}

func (mc *mutationContext) run() outcome {
	if errs := typeErrors(mc.c, mc.data); len(errs) > 0 {
		re, _ := mutationError(mc.e, router.NewBadRequestError("", errs), false)
		return rejectedCode(mc.e, mc.m, CodeValidationFailed, re.Fields)
	}
	if o, refused := mc.namesHidden(); refused {
		return o
	}
	switch {
	case mc.m.Delete:
		return mc.delete()
	case mc.existing == nil && mc.base > 0 && mc.head.Deleted:
		return mc.deletedOnServer()
	case mc.existing == nil && mc.base > 0:
		return rejectedCode(mc.e, mc.m, CodeNotFound, nil)
	case mc.existing == nil:
		return mc.create()
	case mc.base == 0:
		return mc.createExisting()
	default:
		return mc.update()
	}
}

// systemKeys are record keys a client may echo back but never sets.
var systemKeys = map[string]bool{
	"id": true, "collectionId": true, "collectionName": true, "rev": true, "expand": true,
}

// cleanData keeps the keys that are fields of c and neither autodate nor
// file fields (a stale "photos": [] in a document sent whole would delete
// the photos uploaded since).
// Modifier keys ("field+", "+field", "field-") are refused: they are not
// idempotent and have no place in a replayed queue. Fields an operator
// marked hidden are left out unless a superuser pushes: the record API
// ignores them from anyone else (its form restores their value), and
// merging would compare a value sent for one with the hidden value, an
// answer (merged or conflict) that tells whether a guess is right.
func cleanData(c *core.Collection, data map[string]any, superuser bool) (map[string]any, bool) {
	out := make(map[string]any, len(data))
	for k, v := range data {
		if strings.HasPrefix(k, "+") || strings.HasSuffix(k, "+") || strings.HasSuffix(k, "-") {
			return nil, false
		}
		if systemKeys[k] {
			continue
		}
		f := c.Fields.GetByName(k)
		if f == nil || f.Type() == core.FieldTypeAutodate || f.Type() == core.FieldTypeFile || (f.GetHidden() && !superuser) {
			continue // files are uploaded and removed over REST, never by a replayed queue
		}
		out[k] = v
	}
	return out, true
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// mutationError maps a PocketBase API error of a write to a result error.
// Transient failures (rate limit, server error) are retryable.
func mutationError(e *core.RequestEvent, err error, exists bool) (*resultError, bool) {
	ae := router.ToApiError(err)
	fields := map[string]any{}
	for k, v := range ae.Data {
		fields[k] = v
	}
	code := CodeForbidden
	retry := false
	switch {
	case ae.Status == http.StatusTooManyRequests || ae.Status >= 500:
		code, retry = CodeRetryLater, true
	case len(fields) > 0:
		code = CodeValidationFailed
	case ae.Status == http.StatusNotFound && !exists:
		code = CodeNotFound
	}
	return &resultError{Code: code, Message: message(e, code), Fields: localizeFields(e, fields), Retry: retry}, retry
}

func invalid(e *core.RequestEvent, id string) result {
	return result{ID: id, Status: StatusRejected, Error: &resultError{
		Code: CodeInvalidMutation, Message: message(e, CodeInvalidMutation), Fields: map[string]any{},
	}}
}

// rejectedCode is a rejection by this package (not by a rule), kept in
// sync_conflicts.
func rejectedCode(e *core.RequestEvent, m mutation, code string, fields map[string]any) outcome {
	if fields == nil {
		fields = map[string]any{}
	}
	return outcome{
		res: result{ID: m.ID, Status: StatusRejected, RecordID: m.RecordID,
			Error: &resultError{Code: code, Message: message(e, code), Fields: fields}},
		keep: &kept{},
	}
}

func retryLater(e *core.RequestEvent, m mutation, err error) outcome {
	e.App.Logger().Error("sync mutation", "error", err, "mutation", m.ID)
	return outcome{
		res: result{ID: m.ID, Status: StatusRejected, RecordID: m.RecordID, Error: &resultError{
			Code: CodeRetryLater, Message: message(e, CodeRetryLater), Fields: map[string]any{}, Retry: true,
		}},
		retry: true,
	}
}
