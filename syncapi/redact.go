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
// and server_state; when the record's submitter is hidden, the pushing
// user and device are blanked if the pusher is, or ever was, its
// submitter (changelog.Judgment.ActorHidden, the rule of the history's
// actors), pushed from rev 0 (a create), or when the log no longer tells
// (changelog.Judgment.FromBirth), and named otherwise, so that a
// coordinator's pushed edit of an anonymous report stays accountable; the
// mutation id the device chose is
// blanked with them, and whenever a value was removed from data (it may
// be a hash of what the device sent). Filters, sorts, realtime filters and
// back-relations (users?filter=sync_conflicts_via_user…) through those
// columns are for superusers only (privacy.AuditColumns): a filter by the
// pusher would still tell, by elimination, who pushed what is blanked.
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
	j := changelog.Judge(app, v, r.GetString("collection"), r.GetString("record_id"),
		changelog.Moment{At: r.GetDateTime("created").String(), Life: r.GetString("life")})
	// judged on the evidence as kept, before its hidden values are taken out
	// a mutation from rev 0 (a create, or the discard of one) is about
	// its pusher's own record to be, though a refused create left no
	// history; and where the log no longer holds the id's first write (it
	// was pruned: conflicts outlive it), who ever was a submitter cannot
	// be told
	pusherHidden := j.SubmitterHidden() && (r.GetInt("base_rev") == 0 ||
		!j.FromBirth() || j.ActorHidden(r.GetString("user")))
	removed := false
	for _, col := range []string{"data", "server_state"} {
		var m map[string]any
		if raw, err := json.Marshal(r.Get(col)); err == nil {
			_ = json.Unmarshal(raw, &m)
		}
		if m == nil {
			continue
		}
		for f, value := range m {
			if slices.Contains(j.Hidden(), f) || j.ValueHidden(f, value) {
				delete(m, f)
				removed = removed || col == "data"
			}
		}
		r.Set(col, m)
	}
	if pusherHidden || removed {
		// the client chooses its mutation ids: the reference adapter
		// (e2e/lib/rx-device.js) hashes the mutation, with what it sent
		// (the reporter of a create included): shown beside the rest of
		// the data, it would confirm a guess of what was removed
		r.Set("mutation_id", "")
	}
	if pusherHidden {
		r.Set("user", "")
		r.Set("client", "")
		// and the pusher as ?expand=user built it
		if expand := r.Expand(); expand["user"] != nil {
			delete(expand, "user")
			r.SetExpand(expand)
		}
	}
}
