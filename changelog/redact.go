package changelog

import (
	"encoding/json"
	"slices"

	"github.com/pocketbase/pocketbase/core"

	"aman/privacy"
)

// HistoryCollection is the view over the change log.
const HistoryCollection = "record_history"

// hiddenMarker replaces an old/new pair the viewer may not see.
var hiddenMarker = map[string]any{"hidden": true}

// OwnerFields are the fields that name who submitted a record: when one is
// hidden from a viewer, so is the actor of that record's history, which
// would name them too.
var OwnerFields = []string{"reporter", "requester"}

// bindRedaction applies the privacy policy to the history: the values of
// a field hidden from the viewer on the record (see HiddenOf) are replaced
// by {"hidden": true}, and the actor is blanked when the record's submitter
// is hidden. Filters, sorts and realtime filters on the columns that carry
// values or actors are for superusers only (privacy.AuditColumns: the
// privacy query guard refuses them), so nothing hidden can be found by
// elimination.
func bindRedaction(app core.App) {
	app.OnRecordEnrich(HistoryCollection).BindFunc(func(e *core.RecordEnrichEvent) error {
		if err := e.Next(); err != nil {
			return err
		}
		RedactHistory(e.App, viewerOf(e.RequestInfo), e.Record)
		return nil
	})
	privacy.AuditColumns(HistoryCollection, "diff", "actor", "actor_collection")
}

func viewerOf(info *core.RequestInfo) privacy.Viewer {
	if info == nil {
		return privacy.Viewer{}
	}
	return privacy.ViewerOf(info.Auth)
}

// HiddenOf returns the fields of a record that v may not see, by the
// privacy policy applied to the record as it is now; for a record that no
// longer exists, the fields hidden from v on any record of its collection.
func HiddenOf(app core.App, v privacy.Viewer, collection, id string) []string {
	hidden, _ := Hiding(app, v, collection, id, Moment{})
	return hidden
}

// Moment is when something was written: its position in the log (a
// change, a history row), or, for a sync conflict, which is not in the
// log, the life of the record it is about as the conflict kept it and its
// time. The zero Moment means now.
type Moment struct {
	Seq int64
	// Life is the created time of the record when the conflict was
	// written, "-" if there was none; empty when not kept.
	Life string
	At   string
}

// Hiding returns what v may not see of a record's past values, as kept in
// its history or in a sync conflict written at w: the fields hidden from v
// (HiddenOf), and valueHidden, which reports whether a value the record
// once held is hidden on its own although its field is not hidden now
// (privacy.HiddenValue: an aid request's old link to an anonymous report,
// after a coordinator unlinked it). The record is read once.
//
// A row is judged by the record that holds the id now only if it was
// written in that record's life (writtenInLife). A row from before, about an
// earlier record deleted under the same id or a create that was rejected,
// is judged as one about a record that no longer exists: otherwise whoever
// creates a record under that id (ids are the client's to choose) would
// have the evidence of someone else's anonymous report judged as their
// own.
func Hiding(app core.App, v privacy.Viewer, collection, id string, w Moment) (hidden []string, valueHidden func(field string, value any) bool) {
	schema := schemaHidden(app, v, collection)
	gone := func() ([]string, func(string, any) bool) {
		return append(privacy.QueryHiddenFields(v, collection), schema...), func(string, any) bool { return false }
	}
	r, err := app.FindRecordById(collection, id)
	if err != nil {
		return gone()
	}
	if w != (Moment{}) && !writtenInLife(app, r, w) {
		return gone()
	}
	return append(privacy.RecordHiddenFields(app, v, r), schema...), func(field string, value any) bool {
		return privacy.HiddenValue(app, v, r, field, value)
	}
}

// schemaHidden are the fields of collection an operator marked hidden in
// its schema: the record API leaves them out for everyone but superusers,
// so its history and sync conflicts must too.
func schemaHidden(app core.App, v privacy.Viewer, collection string) []string {
	if v.Superuser {
		return nil
	}
	c, err := app.FindCachedCollectionByNameOrId(collection)
	if err != nil {
		return nil
	}
	return privacy.SchemaHidden(c)
}

// writtenInLife reports whether w falls in the life of r, the record that
// holds the id now. A change of the log (a history row) does when it comes
// after the record's last delete (LastDelete: one indexed read, whatever
// the length of the record's history). A sync conflict does when the life
// it kept is r's creation time: an autodate no client sets, renewed when a
// record is created again under the id, and compared whole, so neither a
// pruned log nor a clock set back can confuse two lives. A conflict that
// kept none (written before it kept lives) is compared by its time with
// r's creation, else with the log's (LifeStart); when neither can tell,
// the answer is no: the caller then hides the most.
func writtenInLife(app core.App, r *core.Record, w Moment) bool {
	if w.Seq > 0 {
		last, _, err := LastDelete(app, r.Collection().Name, r.Id)
		return err == nil && w.Seq > last
	}
	created, ok := CreatedAt(r)
	switch {
	case w.Life != "":
		return ok && w.Life == created
	case ok:
		return w.At >= created
	}
	start, found, err := LifeStart(app, r.Collection().Name, r.Id)
	return err == nil && found && w.At >= start.At
}

// CreatedAt is r's creation time, if its collection keeps one (an
// autodate set on create).
func CreatedAt(r *core.Record) (string, bool) {
	f, ok := r.Collection().Fields.GetByName("created").(*core.AutodateField)
	if !ok || !f.OnCreate {
		return "", false
	}
	created := r.GetDateTime("created")
	return created.String(), !created.IsZero()
}

// RedactHistory redacts one record_history record for v.
func RedactHistory(app core.App, v privacy.Viewer, r *core.Record) {
	if v.Superuser {
		return
	}
	hidden, valueHidden := Hiding(app, v, r.GetString("collection"), r.GetString("record_id"),
		Moment{Seq: int64(r.GetInt("seq"))})
	var diff map[string]any
	if raw, err := json.Marshal(r.Get("diff")); err == nil {
		_ = json.Unmarshal(raw, &diff)
	}
	for f, pair := range diff {
		p, _ := pair.(map[string]any)
		if slices.Contains(hidden, f) || valueHidden(f, p["old"]) || valueHidden(f, p["new"]) {
			diff[f] = hiddenMarker
		}
	}
	r.Set("diff", diff)
	if slices.ContainsFunc(OwnerFields, func(f string) bool { return slices.Contains(hidden, f) }) {
		r.Set("actor", "")
		r.Set("actor_collection", "")
	}
}
