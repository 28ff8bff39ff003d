package syncapi

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/pocketbase/pocketbase/core"

	"aman/changelog"
	"aman/privacy"
)

// replay is the answer to a mutation that ran before: its stored result,
// in the form this push asks for (a brief answer leaves out the record of
// an applied or merged mutation), holding of its record only what the
// caller may see now. What is stored is always the full result, whatever
// the push that stored it asked for; it is kept for the tombstone
// retention (90 days), and the caller may since have lost the right to see
// the record or some of its fields (a coordinator made a volunteer again,
// a report made anonymous). Unless something must go, the answer is the
// stored bytes, byte for byte.
func replay(e *core.RequestEvent, tx core.App, m mutation, stored json.RawMessage, brief bool) (json.RawMessage, error) {
	var r result
	if err := json.Unmarshal(stored, &r); err != nil {
		return nil, fmt.Errorf("decode stored result: %w", err)
	}
	relocalized := relocalize(e, r.Error)
	if r.Record == nil {
		if !relocalized {
			return stored, nil
		}
		return encodeResult(r)
	}
	if brief && leavesOutRecord(r) {
		r.Record = nil
		return encodeResult(r)
	}
	record, cut, err := seenNow(e, tx, storedCollection(r.Record, m.Collection), r.RecordID, r.Record)
	if err != nil {
		return stored, err
	}
	if !cut && !relocalized {
		return stored, nil
	}
	if cut {
		r.Record = record
	}
	return encodeResult(r)
}

// storedCollection is the collection of the record in a stored result, as
// its JSON names it, else fallback (the replayed mutation's). The record is
// judged as the one it is: a mutation id sent again under another
// collection, where the caller holds a record with the same id, must not
// have an aid request judged as that record.
func storedCollection(raw json.RawMessage, fallback string) string {
	var named struct {
		ID string `json:"collectionId"`
	}
	if json.Unmarshal(raw, &named) != nil || named.ID == "" {
		return fallback
	}
	return named.ID
}

// seenNow is raw, a record's JSON in a stored result, without what the
// caller may not see of the record now; cut tells whether anything went:
// the whole record when the caller may not see it (or it is gone), else
// the fields hidden from the caller on it now and the stored values hidden
// on their own (privacy.HiddenValue).
func seenNow(e *core.RequestEvent, tx core.App, collection, id string, raw json.RawMessage) (json.RawMessage, bool, error) {
	c, err := tx.FindCachedCollectionByNameOrId(collection)
	if err != nil {
		return nil, true, nil
	}
	rec, err := tx.FindRecordById(c, id)
	if err != nil || !sameLife(rec, raw) {
		return nil, true, nil
	}
	ev, err := internalEvent(e, tx, http.MethodGet, recordsURL(c, id), map[string]any{})
	if err != nil {
		return nil, false, err
	}
	info, err := ev.RequestInfo()
	if err != nil {
		return nil, false, err
	}
	if visible, err := canSee(tx, info, rec); err != nil || !visible {
		return nil, err == nil, err
	}
	viewer := privacy.ViewerOf(e.Auth)
	hidden := privacy.RecordHiddenFields(tx, viewer, rec)
	if !viewer.Superuser {
		// fields an operator marked hidden since the result was stored
		hidden = append(hidden, privacy.SchemaHidden(c)...)
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return nil, false, fmt.Errorf("decode stored record: %w", err)
	}
	n := len(fields)
	for _, f := range hidden {
		delete(fields, f)
	}
	// a value hidden on its own, although its field is not now (an old
	// link to a report since made anonymous), as history and conflicts
	// hide it
	for f, v := range fields {
		var value any
		if json.Unmarshal(v, &value) == nil && privacy.HiddenValue(tx, viewer, rec, f, value) {
			delete(fields, f)
		}
	}
	if len(fields) == n {
		return raw, false, nil
	}
	out, err := json.Marshal(fields)
	return out, true, err
}

// sameLife reports whether raw, a stored record's JSON, is of rec's life:
// an id deleted and created again (ids are the client's to choose) holds
// another record, with another creation time, and the stored one is gone.
// A collection without a created autodate cannot tell and keeps the
// record; every synced collection has one.
func sameLife(rec *core.Record, raw json.RawMessage) bool {
	created, ok := changelog.CreatedAt(rec)
	if !ok {
		return true
	}
	var stored struct {
		Created string `json:"created"`
	}
	if json.Unmarshal(raw, &stored) != nil || stored.Created == "" {
		return true
	}
	return stored.Created == created
}
