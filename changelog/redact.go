package changelog

import (
	"encoding/json"
	"slices"
	"strings"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"aman/privacy"
)

// HistoryCollection is the view over the change log.
const HistoryCollection = "record_history"

// hiddenMarker replaces an old/new pair the viewer may not see.
var hiddenMarker = map[string]any{"hidden": true}

// OwnerFields are the fields that name who submitted a record: when one is
// hidden from a viewer, so is the actor of every row of that record's
// history written by someone who is or ever was its submitter
// (RedactHistory), which would name them too.
var OwnerFields = []string{"reporter", "requester"}

// ownerChanged is the condition of the partial index of the changes that
// write a submitter field (idx_aman_changes_owners): the queries that use
// the index repeat it word for word, which is how SQLite matches them.
var ownerChanged = func() string {
	terms := make([]string, len(OwnerFields))
	for i, f := range OwnerFields {
		terms[i] = "json_extract(diff, '$." + f + "') IS NOT NULL"
	}
	return "(" + strings.Join(terms, " OR ") + ")"
}()

// bindRedaction applies the privacy policy to the history: the values of
// a field hidden from the viewer on the record (see HiddenOf) are replaced
// by {"hidden": true}, and, when the record's submitter is hidden, the
// actor of the rows its submitters wrote is blanked (RedactHistory).
// Filters, sorts and realtime filters on the columns that carry
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
	h := hiding(app, v, collection, id, w)
	return h.hidden, h.valueHidden
}

// Judgment is how a row about a record, written at a Moment, is judged
// for a viewer (Judge): what Hiding returns, and whether the row's actor,
// or a sync conflict's pusher, is hidden (ActorHidden).
type Judgment struct {
	app        core.App
	collection string
	id         string
	j          judged
}

// Judge judges a row about the record collection/id written at w for v,
// as Hiding does, reading the record once; a superuser is hidden nothing.
func Judge(app core.App, v privacy.Viewer, collection, id string, w Moment) Judgment {
	if v.Superuser {
		return Judgment{app: app, collection: collection, id: id,
			j: judged{valueHidden: func(string, any) bool { return false }}}
	}
	return Judgment{app: app, collection: collection, id: id, j: hiding(app, v, collection, id, w)}
}

// Hidden are the fields of the record hidden from the viewer (Hiding).
func (j Judgment) Hidden() []string { return j.j.hidden }

// ValueHidden reports whether a value the record once held is hidden on
// its own (Hiding).
func (j Judgment) ValueHidden(field string, value any) bool { return j.j.valueHidden(field, value) }

// ActorHidden reports whether user, who wrote the row (a history row's
// actor, a sync conflict's pusher), is hidden from the viewer: when the
// record's submitter is hidden, the rows of whoever is or ever was its
// submitter are, and no one else's (see RedactHistory). An empty user
// (the system, a superuser's push, a user deleted since) is hidden
// whenever the submitter is: it tells nothing either way, and what else
// the row holds about the writer (a conflict's device) must not name
// them.
func (j Judgment) ActorHidden(user string) bool {
	owners := j.hiddenOwners()
	if len(owners) == 0 {
		return false
	}
	return user == "" || wasSubmitter(j.app, j.collection, j.id, j.j, owners, user)
}

// SubmitterHidden reports whether the record's submitter is hidden from
// the viewer: the condition under which ActorHidden blanks anyone.
func (j Judgment) SubmitterHidden() bool { return len(j.hiddenOwners()) > 0 }

// FromBirth reports whether the log still holds the first write ever made
// under the record's id (its rev 1: revs go on across lives), so that
// ActorHidden can tell every submitter the id had. It does not once the
// history was pruned (sync conflicts outlive it) or for a record older
// than the log; nor when it cannot be read. One read of the index of
// changes by record.
func (j Judgment) FromBirth() bool {
	var n int
	err := j.app.DB().NewQuery(`SELECT COUNT(*) FROM ` + changesTable + `
		WHERE collection = {:collection} AND record_id = {:record_id} AND rev = 1`).
		Bind(dbx.Params{"collection": j.collection, "record_id": j.id}).Row(&n)
	return err == nil && n > 0
}

func (j Judgment) hiddenOwners() []string {
	var owners []string
	for _, f := range OwnerFields {
		if slices.Contains(j.j.hidden, f) {
			owners = append(owners, f)
		}
	}
	return owners
}

// judged is what hiding found: what Hiding returns, and the record the
// row was judged by with where its life began (nil when the row is
// judged as one about a record that no longer exists).
type judged struct {
	hidden      []string
	valueHidden func(field string, value any) bool
	record      *core.Record
	lifeAfter   int64 // the seq of the record's last delete
}

func hiding(app core.App, v privacy.Viewer, collection, id string, w Moment) judged {
	schema := schemaHidden(app, v, collection)
	gone := judged{
		hidden:      append(privacy.QueryHiddenFields(v, collection), schema...),
		valueHidden: func(string, any) bool { return false },
	}
	r, err := app.FindRecordById(collection, id)
	if err != nil {
		return gone
	}
	var last int64
	if w != (Moment{}) {
		var in bool
		in, last = writtenInLife(app, r, w)
		if !in {
			return gone
		}
	}
	return judged{
		hidden: append(privacy.RecordHiddenFields(app, v, r), schema...),
		valueHidden: func(field string, value any) bool {
			return privacy.HiddenValue(app, v, r, field, value)
		},
		record:    r,
		lifeAfter: last,
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
// the answer is no: the caller then hides the most. last is the seq of
// the record's last delete, for a change of the log.
func writtenInLife(app core.App, r *core.Record, w Moment) (in bool, last int64) {
	if w.Seq > 0 {
		last, _, err := LastDelete(app, r.Collection().Name, r.Id)
		return err == nil && w.Seq > last, last
	}
	created, ok := CreatedAt(r)
	switch {
	case w.Life != "":
		return ok && w.Life == created, 0
	case ok:
		return w.At >= created, 0
	}
	start, found, err := LifeStart(app, r.Collection().Name, r.Id)
	return err == nil && found && w.At >= start.At, 0
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

// RedactHistory redacts one record_history record for v: the values v
// may not see (Hiding), and the actor when it is, or ever was, a submitter
// of the record whose submitter is hidden from v (Judgment.ActorHidden;
// the sync conflicts' pusher is judged by the same rule).
//
// Blanking every row's actor when the submitter is hidden, as it was,
// left coordinators unable to tell which of them took an anonymous report
// into review, disputed, reopened or archived it: the review went
// unaccounted for on exactly the sensitive reports. So only the rows of
// the people who are or were its submitter are blanked, and the others'
// actors are named. What a coordinator learns from that, and what not:
//
//   - A blank actor means "a submitter, or the system" (Go code, a
//     migration: rows with no actor). The create is blank, as it always
//     was, and so are the submitter's own edits; a named actor is someone
//     who never was the submitter, which the verifier (verified_by) told
//     already.
//   - Every user who was ever a submitter of the record stays blank, not
//     only the one it names now: a superuser who changed the reporter
//     left the former reporter's id in the diffs of the history (hidden
//     from coordinators, {"hidden": true}), and naming the former
//     reporter's rows would name them. The set is read from the
//     submitter fields' old and new values in the history of the
//     record's life, after its last delete (the row's own life; for a
//     row of an earlier life or of a record that no longer exists, the
//     id's whole history), plus the record's values now (its history may
//     be older than the log, or pruned).
//   - A coordinator can be a reporter (coordinators file reports as
//     themselves). Their rows on their own anonymous report are blank
//     too. If they took it into review, sent it back, disputed or
//     archived it, the blank row shows a change only a coordinator (or
//     Go code) makes, which tells their colleagues that a coordinator
//     filed it, though not which one: documented as a limit in
//     docs/workflow.md (What anonymous does not hide).
//   - Superusers' rows are named as superusers (actor_collection
//     "_superusers", shown as "an administrator"): no superuser is a
//     users record, so none is a submitter. Even so the comparison is by
//     id alone, whatever the actor's collection: an id matching a
//     submitter is blank.
//
// The history of a record is never read whole per row: the submitters are
// found through a partial index of the changes that write a submitter
// field (one indexed read, whatever the length of the record's history),
// and only when the submitter is hidden and the row has an actor.
func RedactHistory(app core.App, v privacy.Viewer, r *core.Record) {
	if v.Superuser {
		return
	}
	j := Judge(app, v, r.GetString("collection"), r.GetString("record_id"), Moment{Seq: int64(r.GetInt("seq"))})
	var diff map[string]any
	if raw, err := json.Marshal(r.Get("diff")); err == nil {
		_ = json.Unmarshal(raw, &diff)
	}
	for f, pair := range diff {
		p, _ := pair.(map[string]any)
		if slices.Contains(j.Hidden(), f) || j.ValueHidden(f, p["old"]) || j.ValueHidden(f, p["new"]) {
			diff[f] = hiddenMarker
		}
	}
	r.Set("diff", diff)
	if r.GetString("actor") != "" && j.ActorHidden(r.GetString("actor")) {
		r.Set("actor", "")
		r.Set("actor_collection", "")
	}
}

// wasSubmitter reports whether user is, or ever was, in one of fields of
// the record a row is about (see RedactHistory), in the life j judged the
// row by: the record's values now, and the old and new values of fields in
// the changes of that life that wrote them. When the log cannot be read
// the answer is yes: the caller then hides the most.
func wasSubmitter(app core.App, collection, id string, j judged, fields []string, user string) bool {
	if j.record != nil {
		for _, f := range fields {
			if slices.Contains(j.record.GetStringSlice(f), user) {
				return true
			}
		}
	}
	var diffs []string
	err := app.DB().NewQuery(`SELECT diff FROM ` + changesTable + `
		WHERE collection = {:collection} AND record_id = {:record_id} AND seq > {:after}
		AND ` + ownerChanged).
		Bind(dbx.Params{"collection": collection, "record_id": id, "after": j.lifeAfter}).Column(&diffs)
	if err != nil {
		return true
	}
	for _, raw := range diffs {
		var diff map[string]struct{ Old, New any }
		if json.Unmarshal([]byte(raw), &diff) != nil {
			return true
		}
		for _, f := range fields {
			c, ok := diff[f]
			if ok && (names(c.Old, user) || names(c.New, user)) {
				return true
			}
		}
	}
	return false
}

// names reports whether a relation's value, as the log keeps it (an id,
// or a list of ids), holds id.
func names(value any, id string) bool {
	switch v := value.(type) {
	case string:
		return v == id
	case []any:
		return slices.Contains(v, any(id))
	}
	return false
}
