package changelog

import (
	"context"
	"fmt"
	"sync"

	"github.com/pocketbase/dbx"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"

	"aman/internal/jsonenc"
)

// logger holds the hooks' state for one app.
type logger struct {
	cfg   Config
	nudge *nudger
	// actors maps a *core.Record that a REST request (incl. batch, the
	// dashboard and sync push) is about to write to a *requestWrite.
	// Writes outside a request (Go code, migrations, cron) have no entry
	// and are logged with the system actor.
	actors sync.Map
}

// requestWrite is a record write by an authenticated request: who, and the
// head the write produced (set by append).
type requestWrite struct {
	actor Actor
	head  *Head
	// written is the record as this request last wrote it (nil before its
	// first write): the state a second save of it must find (checkFresh)
	written map[string]any
}

func (l *logger) bind(app core.App) {
	tags := l.cfg.Collections

	app.OnRecordCreateRequest(tags...).BindFunc(l.rememberActor)
	app.OnRecordUpdateRequest(tags...).BindFunc(l.rememberActor)
	app.OnRecordDeleteRequest(tags...).BindFunc(l.rememberActor)

	app.OnRecordCreateExecute(tags...).BindFunc(l.logWrite(false))
	app.OnRecordUpdateExecute(tags...).BindFunc(l.logWrite(false))
	app.OnRecordDeleteExecute(tags...).BindFunc(l.logWrite(true))

	nudge := func(e *core.RecordEvent) error {
		l.nudge.signal()
		return e.Next()
	}
	app.OnRecordAfterCreateSuccess(tags...).BindFunc(nudge)
	app.OnRecordAfterUpdateSuccess(tags...).BindFunc(nudge)
	app.OnRecordAfterDeleteSuccess(tags...).BindFunc(nudge)
}

// behalfKey is the context key of the record whose write causes others
// (OnBehalfOf).
type behalfKey struct{}

// OnBehalfOf returns ctx for the writes that a write of record causes in
// its transaction (Go code saving other records from a hook of record's
// write, with app.SaveWithContext): they are logged with the actor of the
// request writing record, so their history names who caused them (the aid
// requests released when a superuser retires their organization name that
// superuser, not the system). The device is left out: it did not write
// them, and its next push must take them as news (ChangedSince).
func OnBehalfOf(ctx context.Context, record *core.Record) context.Context {
	if ctx == nil {
		ctx = context.Background()
	}
	return context.WithValue(ctx, behalfKey{}, record)
}

// behalfOf is the actor of the request write named by OnBehalfOf in ctx,
// without its device; the system actor when there is none.
func (l *logger) behalfOf(ctx context.Context) Actor {
	if ctx == nil {
		return Actor{}
	}
	cause, _ := ctx.Value(behalfKey{}).(*core.Record)
	if cause == nil {
		return Actor{}
	}
	w, ok := l.actors.Load(cause)
	if !ok {
		return Actor{}
	}
	a := w.(*requestWrite).actor
	return Actor{Collection: a.Collection, ID: a.ID}
}

// headKey is the RequestEvent store key of the head written by the request.
const headKey = "aman.sync.head"

func (l *logger) rememberActor(e *core.RecordRequestEvent) error {
	if e.Auth == nil {
		return e.Next()
	}
	client, _ := e.Get(ClientKey).(string)
	w := &requestWrite{actor: Actor{Collection: e.Auth.Collection().Name, ID: e.Auth.Id, Client: client}}
	l.actors.Store(e.Record, w)
	defer l.actors.Delete(e.Record)
	err := e.Next()
	if w.head != nil {
		e.Set(headKey, *w.head)
	}
	return err
}

// WrittenHead returns the head that the record write of request e
// produced, when e wrote one record of a synced collection.
func WrittenHead(e *core.RequestEvent) (Head, bool) {
	h, ok := e.Get(headKey).(Head)
	return h, ok
}

func (l *logger) writeOf(r *core.Record) *requestWrite {
	if w, ok := l.actors.Load(r); ok {
		return w.(*requestWrite)
	}
	return &requestWrite{}
}

// logWrite wraps the record's db write and its log entry in one
// transaction. Save outside a transaction (a plain app.Save from Go) is not
// transactional in PocketBase, so the wrapper opens one; inside an existing
// transaction RunInTransaction reuses it.
func (l *logger) logWrite(deleted bool) func(e *core.RecordEvent) error {
	return func(e *core.RecordEvent) error {
		orig := e.App
		defer func() { e.App = orig }()
		return orig.RunInTransaction(func(tx core.App) error {
			e.App = tx
			stored, err := storedOf(tx, e.Record)
			if err != nil {
				return err
			}
			if err := l.checkFresh(e.Record, stored); err != nil {
				return err
			}
			diff := diffOf(e.Record, stored, deleted)
			if err := e.Next(); err != nil {
				return err
			}
			if w, ok := l.actors.Load(e.Record); ok {
				w.(*requestWrite).written = e.Record.FieldsData()
			}
			return l.append(tx, e, stored == nil, deleted, diff)
		})
	}
}

func (l *logger) append(tx core.App, e *core.RecordEvent, created, deleted bool, diff map[string]FieldChange) error {
	r := e.Record
	name := r.Collection().Name
	w := l.writeOf(r)
	actor := w.actor
	if _, ok := l.actors.Load(r); !ok {
		actor = l.behalfOf(e.Context)
	}
	h, err := appendChange(tx, entry{
		collection: name, recordID: r.Id, deleted: deleted,
		actor: actor, diff: diff,
	})
	if err != nil {
		return err
	}
	w.head = &h
	for _, view := range l.cfg.Derived[name] {
		if err := appendDerived(tx, view, r.Id); err != nil {
			return err
		}
	}
	if created || deleted {
		// nothing links a new record yet; a deleted one's links are
		// cleared by writes of their own
		return nil
	}
	return appendDependents(tx, l.cfg.Dependents[name], r.Id, diff)
}

// appendDerived logs a change of a view record whose id is the base
// record's id. Only records that are or were in the view are logged, so the
// view's readers never learn the ids of base records they cannot see (an
// unverified report never shows up in public_incidents' log).
func appendDerived(tx core.App, view, id string) error {
	// one statement: is the record in the view now, and was it (its view
	// head: -1 none, 0 live, 1 tombstone)
	var inView bool
	var head int
	err := stmts.Run(tx.DB(), `SELECT EXISTS (SELECT 1 FROM {{`+view+`}} WHERE [[id]] = {:id}),
		COALESCE((SELECT deleted FROM `+headsTable+` WHERE collection = {:view} AND record_id = {:id}), -1)`,
		func(q *dbx.Query) error {
			return q.Bind(dbx.Params{"id": id, "view": view}).Row(&inView, &head)
		})
	if err != nil {
		return fmt.Errorf("read %s: %w", view, err)
	}
	if !inView && head != 0 {
		return nil
	}
	_, err = appendChange(tx, entry{collection: view, recordID: id, deleted: !inView})
	return err
}

// storedOf reads the row a write of r replaces (nil for a create), in the
// write's transaction.
func storedOf(tx core.App, r *core.Record) (*core.Record, error) {
	if r.IsNew() {
		return nil, nil
	}
	stored, err := tx.FindRecordById(r.Collection(), r.Id)
	if err != nil {
		return nil, fmt.Errorf("read stored %s: %w", r.Collection().Name, err)
	}
	return stored, nil
}

// CodeChangedMeanwhile refuses a request's update or delete of a record
// that another write changed after the request read it.
const CodeChangedMeanwhile = "changelog_changed_meanwhile"

// checkFresh refuses a request's write of a record that changed since the
// request read it. PocketBase's REST update and delete read the record,
// check the API rules on it and validate the change (workflow's status
// rules) before they take SQLite's single writer, and an update writes
// every column: a write committed in between (a phone's push waiting for
// the same writer) was silently undone by the stale copy of the fields the
// request did not send, or the change was judged against a state the
// record no longer had (a reporter's edit allowed while submitted, applied
// to a report in review). Push and /api/batch read the record inside the
// write's transaction and are never refused. Only request writes are
// checked (Go code outside a request may save one record twice, and
// Original() stays what it was loaded as); a request's second save of its
// record is checked against what its first one wrote.
func (l *logger) checkFresh(r, stored *core.Record) error {
	if stored == nil {
		return nil
	}
	w, ok := l.actors.Load(r)
	if !ok {
		return nil
	}
	base := w.(*requestWrite).written
	if base == nil {
		base = r.Original().FieldsData()
	}
	for _, f := range r.Collection().Fields {
		if skipField(f) {
			continue
		}
		if name := f.GetName(); !jsonenc.Equal(base[name], stored.Get(name)) {
			return validation.Errors{core.FieldNameId: validation.NewError(CodeChangedMeanwhile,
				"Someone else changed this record while you were editing it. Reload it and make your change again.")}
		}
	}
	return nil
}

// diffOf is what a write changes, field by field, against stored (the
// row it replaces, nil for a create), not the record's Original(): a
// record saved twice keeps the Original() it was loaded with. Autodate
// fields (they change on every write) and passwords are left out.
func diffOf(r, stored *core.Record, deleted bool) map[string]FieldChange {
	diff := map[string]FieldChange{}
	for _, f := range r.Collection().Fields {
		name := f.GetName()
		if skipField(f) {
			continue
		}
		var c FieldChange
		switch {
		case deleted:
			c.Old = stored.Get(name)
		case stored == nil:
			c.New = r.Get(name)
		default:
			c.Old, c.New = stored.Get(name), r.Get(name)
			if jsonenc.Equal(c.Old, c.New) {
				continue
			}
		}
		diff[name] = c
	}
	return diff
}

func skipField(f core.Field) bool {
	switch f.Type() {
	case core.FieldTypeAutodate, core.FieldTypePassword:
		return true
	}
	return f.GetName() == core.FieldNameId
}
