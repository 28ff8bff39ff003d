package syncapi

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"sort"

	"github.com/pocketbase/pocketbase/core"

	"aman/changelog"
	"aman/internal/jsonenc"
	"aman/privacy"
)

// mutationContext is one mutation being applied inside the push's
// transaction.
type mutationContext struct {
	s        *service
	e        *core.RequestEvent
	tx       core.App
	client   string // the pushing device
	m        mutation
	c        *core.Collection
	data     map[string]any  // the fields the client set
	base     int64           // the rev the client's edit started from
	known    int64           // the rev it is merged from (knownBase): base, or less
	existing *core.Record    // the record now, nil if absent
	head     changelog.Head  // the record's head now (Rev 0 if none)
	rules    *ruleMemo       // the chunk's create-rule answers
	unseen   context.Context // an edit's save context: what changed since its base (changelog.WithUnseen)
}

func (mc *mutationContext) event(method string, data map[string]any) (*core.RequestEvent, error) {
	id := mc.m.RecordID
	if method == http.MethodPost {
		id = ""
	}
	return internalEvent(mc.e, mc.tx, method, recordsURL(mc.c, id), data)
}

func (mc *mutationContext) create() outcome {
	data := maps.Clone(mc.data)
	if mc.m.RecordID != "" {
		data["id"] = mc.m.RecordID
	}
	ev, err := mc.event(http.MethodPost, data)
	if err != nil {
		return retryLater(mc.e, mc.m, err)
	}
	rec, err := createRecord(ev, mc.c, mc.rules)
	if err != nil {
		return mc.refused(err, false)
	}
	return mc.wrote(ev, StatusApplied, rec)
}

// createExisting is a create whose id exists: a retry of a create that
// reached the server (same content: applied, nothing written), or an
// edit against rev 0 (every field the server holds counts as changed).
// A caller who may not see the record learns only that the id is taken:
// answering "applied" when its data matched would let anyone who knows an
// id test, one field at a time, what the record holds (who reported it).
func (mc *mutationContext) createExisting() outcome {
	visible, err := mc.canSee()
	if err != nil {
		return retryLater(mc.e, mc.m, err)
	}
	if !visible {
		return mc.hiddenIDTaken()
	}
	if mc.sameContent() {
		return mc.unchanged(StatusApplied)
	}
	return mc.update()
}

// hiddenIDTaken answers a create whose id is a record the caller may not
// see as the REST API would: a create the collection's create rule refuses
// is forbidden whatever its id, so that the answer tells no caller whether
// an id it may not create is taken (a draft's, say); only a create the
// rule allows learns that its id is.
func (mc *mutationContext) hiddenIDTaken() outcome {
	ok, err := mc.mayCreate()
	if err != nil {
		return retryLater(mc.e, mc.m, err)
	}
	if !ok {
		return rejectedCode(mc.e, mc.m, CodeForbidden, nil)
	}
	return rejectedCode(mc.e, mc.m, CodeRecordExists, nil)
}

// mayCreate evaluates the collection's create rule on the mutation's data
// as createRecord does.
func (mc *mutationContext) mayCreate() (bool, error) {
	ev, err := mc.event(http.MethodPost, mc.data)
	if err != nil {
		return false, err
	}
	info, err := ev.RequestInfo()
	if err != nil {
		return false, err
	}
	switch {
	case info.HasSuperuserAuth():
		return true, nil
	case mc.c.CreateRule == nil:
		return false, nil
	case *mc.c.CreateRule == "":
		return true, nil
	}
	record := core.NewRecord(mc.c)
	record.Load(record.ReplaceModifiers(info.Body))
	return ruleMatches(mc.tx, info, record, mc.c, *mc.c.CreateRule)
}

func (mc *mutationContext) update() outcome {
	if mc.known >= mc.head.Rev {
		return mc.patch(mc.data, StatusApplied)
	}
	changed, complete, err := changelog.ChangedSince(mc.tx, mc.c.Name, mc.m.RecordID, mc.client, mc.known, mc.head.Rev)
	if err != nil {
		return retryLater(mc.e, mc.m, err)
	}
	if complete && len(changed) == 0 {
		// only this device wrote since its base: nothing to merge
		return mc.patch(mc.data, StatusApplied)
	}
	mc.unseen = changelog.WithUnseen(context.Background(), changed, complete)
	apply := map[string]any{}
	var conflicting []string
	for k, v := range mc.data {
		if sameValue(mc.existing, k, v) {
			continue // nothing to write, nothing to disagree on
		}
		if !complete || changed[k] {
			conflicting = append(conflicting, k)
			continue
		}
		apply[k] = v
	}
	sort.Strings(conflicting)
	switch {
	case len(conflicting) > 0:
		return mc.conflict(apply, conflicting)
	case len(apply) > 0:
		return mc.patch(apply, StatusMerged)
	}
	return mc.unchanged(StatusMerged)
}

// namesHidden refuses an edit of a record the caller sees that names a
// field hidden from the caller on it (privacy.RecordHiddenFields: the
// reporter of an anonymous report, for a coordinator), whatever the value.
// Merging compares each value sent with the record's: an edit that changes
// nothing is applied, one that does is refused or conflicts, so answering
// by the value would tell the caller whether a guess is the hidden value,
// up to 500 guesses a push. An edit of a record the caller cannot see goes
// the usual way, which answers it alike for every value. Clearing a hidden
// link is allowed (privacy.ClearsLink).
func (mc *mutationContext) namesHidden() (outcome, bool) {
	if mc.existing == nil || len(mc.data) == 0 {
		return outcome{}, false
	}
	hidden := privacy.RecordHiddenFields(mc.tx, privacy.ViewerOf(mc.e.Auth), mc.existing)
	names := func(f string) bool { v, named := mc.data[f]; return named && !privacy.ClearsLink(f, v) }
	if !slices.ContainsFunc(hidden, names) {
		return outcome{}, false
	}
	visible, err := mc.canSee()
	if err != nil {
		return retryLater(mc.e, mc.m, err), true
	}
	if !visible {
		return outcome{}, false
	}
	return rejectedCode(mc.e, mc.m, CodeForbidden, nil), true
}

// unchanged is the outcome of an edit that writes nothing because the
// record already holds every value sent. The caller must still be allowed
// to make it: otherwise the answer (applied or merged, against forbidden
// for any other value) would tell whether a guessed value of a field
// hidden from the caller, such as the reporter of an anonymous report,
// is the record's.
func (mc *mutationContext) unchanged(status string) outcome {
	ok, err := mc.allowed(http.MethodPatch, mc.c.UpdateRule)
	if err != nil {
		return retryLater(mc.e, mc.m, err)
	}
	if !ok {
		return rejectedCode(mc.e, mc.m, CodeForbidden, nil)
	}
	visible, err := mc.canSee()
	if err != nil {
		return retryLater(mc.e, mc.m, err)
	}
	return mc.current(status, visible, false)
}

func (mc *mutationContext) patch(data map[string]any, status string) outcome {
	ev, err := mc.event(http.MethodPatch, data)
	if err != nil {
		return retryLater(mc.e, mc.m, err)
	}
	rec, err := updateRecord(ev, mc.c, mc.m.RecordID, mc.unseen)
	if err != nil {
		return mc.refused(err, true)
	}
	return mc.wrote(ev, status, rec)
}

// conflict keeps the server's values of the conflicting fields, writes the
// client's other changes, and keeps the client's data in sync_conflicts.
// The client must be allowed to make the edit it sent: a refused edit is a
// rejection, not a conflict.
func (mc *mutationContext) conflict(apply map[string]any, conflicting []string) outcome {
	wrote := false
	if len(apply) > 0 {
		o := mc.patch(apply, StatusConflict)
		if o.res.Status == StatusRejected {
			return o
		}
		wrote = true
	} else if ok, err := mc.allowed(http.MethodPatch, mc.c.UpdateRule); err != nil {
		return retryLater(mc.e, mc.m, err)
	} else if !ok {
		return rejectedCode(mc.e, mc.m, CodeForbidden, nil)
	}
	return mc.conflictOutcome(conflicting, wrote)
}

func (mc *mutationContext) conflictOutcome(fields []string, wrote bool) outcome {
	if err := mc.reload(); err != nil {
		return retryLater(mc.e, mc.m, err)
	}
	visible, err := mc.canSee()
	if err != nil {
		return retryLater(mc.e, mc.m, err)
	}
	o := mc.current(StatusConflict, visible, wrote)
	o.res.Fields = fields
	o.keep = &kept{serverRev: mc.head.Rev, serverState: mc.existing.FieldsData(), fields: fields}
	return o
}

// delete removes the record unless others changed it since the client's
// base rev: then their edits would be lost, so it is a conflict and the
// record stays. Writes of this device since its base are no news to it
// (its own edit, then its delete), as for an edit (update). A delete from
// rev 0 (the device never learned a rev of the record: its create's
// answer was lost) is judged like a create of an existing id, from rev 0:
// every write of another since the create is news to it.
func (mc *mutationContext) delete() outcome {
	if mc.existing == nil {
		return outcome{res: result{Status: StatusApplied, RecordID: mc.m.RecordID, Rev: mc.head.Rev, Deleted: true}}
	}
	if mc.head.Rev > mc.known {
		changed, complete, err := changelog.ChangedSince(mc.tx, mc.c.Name, mc.m.RecordID, mc.client, mc.known, mc.head.Rev)
		if err != nil {
			return retryLater(mc.e, mc.m, err)
		}
		if !complete || len(changed) > 0 {
			return mc.deleteConflict(changed, complete)
		}
	}
	ev, err := mc.event(http.MethodDelete, map[string]any{})
	if err != nil {
		return retryLater(mc.e, mc.m, err)
	}
	if err := deleteRecord(ev, mc.c, mc.m.RecordID); err != nil {
		return mc.refused(err, true)
	}
	h, err := changelog.HeadOf(mc.tx, mc.c.Name, mc.m.RecordID)
	if err != nil {
		return retryLater(mc.e, mc.m, err)
	}
	return outcome{res: result{Status: StatusApplied, RecordID: mc.m.RecordID, Rev: h.Rev, Deleted: true}, written: true}
}

// deleteConflict keeps the record that others changed (changed, complete:
// changelog.ChangedSince the delete's base) if the caller may delete it.
func (mc *mutationContext) deleteConflict(changed map[string]bool, complete bool) outcome {
	ok, err := mc.allowed(http.MethodDelete, mc.c.DeleteRule)
	if err != nil {
		return retryLater(mc.e, mc.m, err)
	}
	if !ok {
		return rejectedCode(mc.e, mc.m, CodeForbidden, nil)
	}
	fields := []string{"*"}
	if complete {
		fields = sortedKeys(changed)
	}
	return mc.conflictOutcome(fields, false)
}

// deletedOnServer is an edit of a record deleted since the client's base
// rev: nothing to apply it to, so the edit is kept in sync_conflicts. An
// edit of a deleted record the caller can never have held is answered as
// one of an id never used (see mayHaveHeld).
func (mc *mutationContext) deletedOnServer() outcome {
	held, err := mc.mayHaveHeld()
	if err != nil {
		return retryLater(mc.e, mc.m, err)
	}
	if !held {
		return rejectedCode(mc.e, mc.m, CodeNotFound, nil)
	}
	return outcome{
		res:  result{Status: StatusConflict, RecordID: mc.m.RecordID, Rev: mc.head.Rev, Deleted: true, Fields: sortedKeys(mc.data)},
		keep: &kept{serverRev: mc.head.Rev, fields: sortedKeys(mc.data)},
	}
}

// mayHaveHeld reports whether the caller's device may have held the
// deleted record its edit names: the caller wrote it, or the record as it
// was just before its delete passed the caller's read rules (as a pull
// decides whether to send a tombstone, mayHold). Otherwise the id is all
// the caller knows of it, and "deleted, at rev N" would tell that a record
// it was never shown existed and how often it was written, where an id
// never used answers sync_not_found (and REST 404 for both). When the
// history cannot tell, it answers true.
func (mc *mutationContext) mayHaveHeld() (bool, error) {
	info, err := mc.readerInfo()
	if err != nil {
		return false, err
	}
	if info.HasSuperuserAuth() {
		return true, nil
	}
	id := mc.m.RecordID
	if a := mc.e.Auth; a != nil {
		mine, err := changelog.WrittenBySince(mc.tx, mc.c.Name, []string{id}, 0, changelog.Actor{Collection: a.Collection().Name, ID: a.Id})
		if err != nil || mine[id] {
			return true, err
		}
	}
	seq, _, err := changelog.LastDelete(mc.tx, mc.c.Name, id)
	if err != nil || seq == 0 {
		return true, err
	}
	state, existed, known, err := changelog.StateAt(mc.tx, mc.c.Name, id, seq-1, nil)
	switch {
	case err != nil:
		return false, err
	case !known:
		return true, nil
	case !existed, mc.c.ListRule == nil || mc.c.ViewRule == nil:
		return false, nil
	}
	past := core.NewRecord(mc.c)
	past.Load(state)
	past.Id = id
	for _, rule := range readRules(mc.c) {
		if rule == "" {
			continue
		}
		if ok, err := ruleMatches(mc.tx, info, past, mc.c, rule); err != nil || !ok {
			return false, err
		}
	}
	return true, nil
}

// wrote is the outcome of a write that succeeded: rec is enriched for the
// caller by the write path, ev is the write's request event.
func (mc *mutationContext) wrote(ev *core.RequestEvent, status string, rec *core.Record) outcome {
	h, ok := changelog.WrittenHead(ev)
	if !ok {
		var err error
		if h, err = changelog.HeadOf(mc.tx, mc.c.Name, rec.Id); err != nil {
			return retryLater(mc.e, mc.m, err)
		}
	}
	raw, err := recordJSON(rec, h.Rev)
	if err != nil {
		return retryLater(mc.e, mc.m, err)
	}
	return outcome{res: result{Status: status, RecordID: rec.Id, Rev: h.Rev, Record: raw}, written: true}
}

// current is an outcome that returns the record's current state, if the
// caller may see it.
func (mc *mutationContext) current(status string, visible, wrote bool) outcome {
	o := outcome{res: result{Status: status, RecordID: mc.m.RecordID}, written: wrote}
	if !visible {
		return o
	}
	raw, err := mc.state()
	if err != nil {
		return retryLater(mc.e, mc.m, err)
	}
	o.res.Rev, o.res.Record = mc.head.Rev, raw
	return o
}

// state is the record as the caller's REST view shows it, plus its rev.
func (mc *mutationContext) state() ([]byte, error) {
	ev, err := mc.event(http.MethodGet, map[string]any{})
	if err == nil {
		err = enrich(ev, []*core.Record{mc.existing})
	}
	if err != nil {
		return nil, err
	}
	return recordJSON(mc.existing, mc.head.Rev)
}

// withServerState adds to a rejection of a mutation of an existing record
// the record's state and rev as of the refusal, when the caller may see it,
// so that the client rolls its copy back to what the server holds rather
// than to the last state it happened to pull; the sync_conflicts evidence
// keeps that state and rev too. A caller who may not see the record learns
// nothing (rev 0, no record), and the evidence of its mutation holds
// nothing of the record either (least data: it is filed under the caller).
// The state is a courtesy: if reading it fails or panics, the rejection
// stands without it rather than becoming a retry of a decided mutation.
func (mc *mutationContext) withServerState(o outcome) (out outcome) {
	if mc.existing == nil {
		return o
	}
	defer func() {
		if r := recover(); r != nil {
			mc.tx.Logger().Error("sync rejection state panic", "panic", fmt.Sprint(r), "mutation", mc.m.ID)
			out = o
		}
	}()
	visible, err := mc.canSee()
	var raw []byte
	if err == nil && visible {
		raw, err = mc.state()
	}
	if err != nil {
		mc.tx.Logger().Warn("sync rejection without server state", "error", err, "mutation", mc.m.ID)
		return o
	}
	if !visible {
		return o
	}
	o.res.Rev, o.res.Record = mc.head.Rev, raw
	if o.keep != nil {
		o.keep.serverRev, o.keep.serverState = mc.head.Rev, mc.existing.FieldsData()
	}
	return o
}

func (mc *mutationContext) refused(err error, exists bool) outcome {
	re, retry := mutationError(mc.e, err, exists)
	o := outcome{res: result{Status: StatusRejected, RecordID: mc.m.RecordID, Error: re}, retry: retry}
	if !retry {
		o.keep = &kept{} // the server's side, if the caller sees it: withServerState
	}
	return o
}

func (mc *mutationContext) reload() error {
	rec, err := mc.tx.FindRecordById(mc.c, mc.m.RecordID)
	if err != nil {
		return err
	}
	h, err := changelog.HeadOf(mc.tx, mc.c.Name, mc.m.RecordID)
	if err != nil {
		return err
	}
	mc.existing, mc.head = rec, h
	return nil
}

// canSee reports whether the caller may list and view the record.
func (mc *mutationContext) canSee() (bool, error) {
	info, err := mc.readerInfo()
	if err != nil {
		return false, err
	}
	return canSee(mc.tx, info, mc.existing)
}

// readerInfo is the request info of the caller reading the record (a GET
// without a body), for judging the read rules.
func (mc *mutationContext) readerInfo() (*core.RequestInfo, error) {
	ev, err := mc.event(http.MethodGet, map[string]any{})
	if err != nil {
		return nil, err
	}
	return ev.RequestInfo()
}

// allowed evaluates rule for the record with the mutation's data as the
// request body, as the REST handler of method would.
func (mc *mutationContext) allowed(method string, rule *string) (bool, error) {
	ev, err := mc.event(method, mc.data)
	if err != nil {
		return false, err
	}
	info, err := ev.RequestInfo()
	if err != nil {
		return false, err
	}
	return mc.tx.CanAccessRecord(mc.existing, info, rule)
}

func (mc *mutationContext) sameContent() bool {
	for k, v := range mc.data {
		if !sameValue(mc.existing, k, v) {
			return false
		}
	}
	return true
}

// sameValue reports whether setting field to v would leave r's value as
// it is, comparing the values as the field normalizes them.
// The values of a multiple select are a set (an aid request's needs): the
// same values in another order, as two devices' check boxes ticked in
// another order give, are the same value, not a conflict.
func sameValue(r *core.Record, field string, v any) bool {
	probe := r.Fresh()
	probe.Set(field, v)
	if f, ok := r.Collection().Fields.GetByName(field).(*core.SelectField); ok && f.IsMultiple() {
		a, b := probe.GetStringSlice(field), r.GetStringSlice(field)
		slices.Sort(a)
		slices.Sort(b)
		return slices.Equal(a, b)
	}
	return jsonenc.Equal(probe.Get(field), r.Get(field))
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
