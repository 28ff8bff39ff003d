package syncapi

import (
	"encoding/json"
	"slices"

	"github.com/pocketbase/pocketbase/core"

	"aman/changelog"
	"aman/privacy"
)

// bindConflictRedaction applies the privacy policy to sync_conflicts the
// way changelog does to record_history: the fields hidden from the viewer
// on the target record, and values hidden on their own (changelog.Hiding:
// an aid request's old link to an anonymous report), are removed from data
// and server_state, and the pushing user and device are blanked when the
// record's submitter is hidden (the pusher of an anonymous report is
// usually its reporter), with the mutation id the device chose. Filters,
// sorts, realtime filters and back-relations
// (users?filter=sync_conflicts_via_user…) through those columns are for
// superusers only (privacy.AuditColumns).
func bindConflictRedaction(app core.App) {
	app.OnRecordEnrich(ConflictsCollection).BindFunc(func(e *core.RecordEnrichEvent) error {
		if err := e.Next(); err != nil {
			return err
		}
		var auth *core.Record
		if e.RequestInfo != nil {
			auth = e.RequestInfo.Auth
		}
		redactConflict(e.App, privacy.ViewerOf(auth), e.Record)
		return nil
	})
	// what a client sent, the record's state and who sent it (the mutation
	// id is the client's, and may tell both)
	privacy.AuditColumns(ConflictsCollection, "data", "server_state", "user", "client", "mutation_id")
}

func redactConflict(app core.App, v privacy.Viewer, r *core.Record) {
	if v.Superuser {
		return
	}
	hidden, valueHidden := changelog.Hiding(app, v, r.GetString("collection"), r.GetString("record_id"),
		changelog.Moment{At: r.GetDateTime("created").String(), Life: r.GetString("life")})
	for _, col := range []string{"data", "server_state"} {
		var m map[string]any
		if raw, err := json.Marshal(r.Get(col)); err == nil {
			_ = json.Unmarshal(raw, &m)
		}
		if m == nil {
			continue
		}
		for f, value := range m {
			if slices.Contains(hidden, f) || valueHidden(f, value) {
				delete(m, f)
			}
		}
		r.Set(col, m)
	}
	if slices.ContainsFunc(changelog.OwnerFields, func(f string) bool { return slices.Contains(hidden, f) }) {
		r.Set("user", "")
		r.Set("client", "")
		// the client chooses its mutation ids: the reference adapter
		// (e2e/lib/rx-device.js) hashes the mutation, the reporter of a
		// create included, and others may number them per device
		r.Set("mutation_id", "")
		// and the pusher as ?expand=user built it
		if expand := r.Expand(); expand["user"] != nil {
			delete(expand, "user")
			r.SetExpand(expand)
		}
	}
}
