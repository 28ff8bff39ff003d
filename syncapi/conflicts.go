package syncapi

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/pocketbase/pocketbase/core"

	"aman/changelog"
)

// ConflictsCollection holds every conflict and rejection of a push, with
// what the client sent, for the reviewers of the record's collection to
// resolve (changelog.ReviewRule).
const ConflictsCollection = "sync_conflicts"

// resolvedBySuperuser is the conflicts' field that names the superuser who
// resolved one (pb_migrations/1795768330_conflicts_resolved_by_superuser.js):
// a superuser is no users record, so resolved_by cannot.
const resolvedBySuperuser = "resolved_by_superuser"

// bindConflictResolution names the reviewer who resolves a conflict: a
// user's request that changes its status or resolution sets resolved_by
// to that user (the update rule lets them name nobody else), and reopening
// it clears resolved_by, so the next reviewer may take it; an open
// conflict names nobody, so no one locks others out by naming themselves
// without resolving it.
//
// A superuser's request that resolves or rewords a conflict names them in
// resolved_by_superuser (and nobody in resolved_by: the words are theirs),
// which leaves it to superusers (the update rule); a superuser may instead
// name a reviewer as resolved_by, which makes it that reviewer's, and
// reopening clears it. Nobody else writes the field (the update rule),
// and a superuser's request body does not either: the hook sets it.
func bindConflictResolution(app core.App) {
	app.OnRecordUpdateRequest(ConflictsCollection).BindFunc(func(e *core.RecordRequestEvent) error {
		switch {
		case e.Auth == nil:
		case !e.Auth.IsSuperuser():
			e.Record.Set(resolvedBySuperuser, "")
			switch {
			case e.Record.GetString("status") != "resolved":
				e.Record.Set("resolved_by", "") // an open conflict is nobody's
			case resolutionChanged(e.Record) || resolverChanged(e.Record):
				e.Record.Set("resolved_by", e.Auth.Id)
			}
		default:
			e.Record.Set(resolvedBySuperuser, e.Record.Original().GetString(resolvedBySuperuser))
			switch {
			case e.Record.GetString("status") != "resolved":
				e.Record.Set(resolvedBySuperuser, "")
			case resolverChanged(e.Record) && e.Record.GetString("resolved_by") != "":
				e.Record.Set(resolvedBySuperuser, "") // a reviewer named: theirs
			case resolutionChanged(e.Record) || resolverChanged(e.Record):
				e.Record.Set("resolved_by", "")
				e.Record.Set(resolvedBySuperuser, e.Auth.Id)
			}
		}
		return e.Next()
	})
}

func resolverChanged(r *core.Record) bool {
	return r.GetString("resolved_by") != r.Original().GetString("resolved_by")
}

func resolutionChanged(r *core.Record) bool {
	before := r.Original()
	return before.GetString("status") != r.GetString("status") ||
		before.GetString("resolution") != r.GetString("resolution")
}

// saveConflict keeps the evidence of a conflict or rejection in tx and
// returns the sync_conflicts record id.
func saveConflict(tx core.App, auth *core.Record, client string, m mutation, o outcome) (string, error) {
	c, err := tx.FindCachedCollectionByNameOrId(ConflictsCollection)
	if err != nil {
		return "", fmt.Errorf("find %s: %w", ConflictsCollection, err)
	}
	r := core.NewRecord(c)
	kind := "rejected"
	if o.res.Status == StatusConflict {
		kind = "conflict"
	}
	data := m.Data
	if data == nil {
		data = map[string]any{}
	}
	base := int64(0)
	if m.BaseRev != nil {
		base = *m.BaseRev
	}
	r.Set("client", client)
	r.Set("mutation_id", m.ID)
	// the collection's own name, not the client's spelling of it (push
	// finds collections by id too, and by name in any case): the review
	// rule reads this field to tell whose the conflict is, and the privacy
	// redaction which fields to hide. A mutation refused before it was
	// dispatched (a modifier key) has no context: its collection is looked
	// up again; an unknown name stays as sent, and matches no reviewer.
	var known *core.Collection
	if o.mc != nil {
		known = o.mc.c
	} else if c, err := tx.FindCachedCollectionByNameOrId(m.Collection); err == nil {
		known = c
	}
	name := m.Collection
	if known != nil {
		name = known.Name
		data = withoutSecrets(known, data)
	}
	r.Set("collection", evidenceText(name, "-"))
	r.Set("record_id", evidenceText(o.res.RecordID, ""))
	r.Set("life", lifeOf(tx, known, o.res.RecordID, base, o.mc))
	if auth.Collection().Name == "users" {
		r.Set("user", auth.Id)
	}
	r.Set("kind", kind)
	r.Set("delete", m.Delete)
	r.Set("base_rev", base)
	r.Set("server_rev", o.keep.serverRev)
	r.Set("data", evidenceJSON(data))
	r.Set("server_state", jsonValue(o.keep.serverState))
	r.Set("fields", jsonValue(o.keep.fields))
	r.Set("error", evidenceError(o.res.Error))
	r.Set("status", "open")
	if err := tx.Save(r); err != nil {
		return "", fmt.Errorf("save conflict: %w", err)
	}
	return r.Id, nil
}

// lifeOf is the life of the record a conflict is about, as the conflict
// keeps it (lifeField): the created time of the record that holds the id,
// or "-" when the mutation is about no record there:
//   - none holds the id;
//   - an edit based on a rev of an earlier record under the id, deleted and
//     created again since (revs go on across lives): a phone's queued edit
//     of an anonymous report is not about the report someone created since
//     under its id;
//   - a create, or a delete, from rev 0 whose id is held by a record the
//     pusher may not see: it is about the record it meant to create (one
//     lost in a restore, or one whose id someone took after reading its
//     refused create's evidence), which a phone discarding that refused
//     create deletes from rev 0 too.
func lifeOf(tx core.App, c *core.Collection, id string, base int64, mc *mutationContext) string {
	if c == nil || id == "" {
		return "-"
	}
	r, err := tx.FindRecordById(c, id)
	if err != nil {
		return "-"
	}
	if base > 0 {
		if _, deletedAt, err := changelog.LastDelete(tx, c.Name, id); err != nil || base <= deletedAt {
			return "-"
		}
	}
	if base == 0 && mc != nil && mc.existing != nil {
		if visible, err := mc.canSee(); err != nil || !visible {
			return "-"
		}
	}
	created, _ := changelog.CreatedAt(r)
	return created
}

// Limits of sync_conflicts' fields (see its migration). A mutation refused
// for an empty or oversized collection name or record id, or for data over
// the limit, is still kept, cut to fit: evidence that does not fit must not
// fail the whole push. (The client id and the mutation id are within the
// limits: package wire checks them.)
const (
	evidenceTextMax = 200
	evidenceDataMax = 1 << 20
)

// withoutSecrets is data without the keys that would set a secret of c:
// a password field, its confirmation and the old password, in any case
// and with modifiers (push finds fields by name only, but the evidence
// keeps keys as sent), and for an auth collection its hidden fields too
// (the token key). Push never writes those collections, so such a mutation
// is refused and kept as evidence, and a secret must not be kept in plain
// text for whoever reviews it.
func withoutSecrets(c *core.Collection, data map[string]any) map[string]any {
	secret := secretKeys(c)
	if len(secret) == 0 {
		return data
	}
	out := make(map[string]any, len(data))
	for k, v := range data {
		if !secret[strings.ToLower(strings.Trim(strings.TrimSpace(k), "+-"))] {
			out[k] = v
		}
	}
	return out
}

// secretKeys are the keys withoutSecrets drops from data for c, lower case.
func secretKeys(c *core.Collection) map[string]bool {
	secret := map[string]bool{}
	for _, f := range c.Fields {
		name := strings.ToLower(f.GetName())
		switch {
		case f.Type() == core.FieldTypePassword:
			secret[name], secret[name+"confirm"], secret["old"+name] = true, true, true
		case c.IsAuth() && f.GetHidden():
			secret[name] = true
		}
	}
	return secret
}

// evidenceText is s cut to evidenceTextMax bytes on a character boundary,
// or empty when s is empty (for a required field).
func evidenceText(s, empty string) string {
	if s == "" {
		return empty
	}
	n := min(len(s), evidenceTextMax)
	for n < len(s) && n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// evidenceJSON is data for the data field, or only its size when it is
// over evidenceDataMax.
func evidenceJSON(data map[string]any) any {
	v := jsonValue(data)
	if s, ok := v.(string); ok && len(s) > evidenceDataMax {
		return jsonValue(map[string]any{"truncated": true, "bytes": len(s)})
	}
	return v
}

// evidenceError is e for the error field, limited like data: PocketBase's
// field errors echo the refused value in their message and params (a
// select's "Invalid value …"), so an oversized value would make the evidence
// fail to save and the whole push with it. Over the limit the fields keep
// their codes, with messages cut and params dropped; if that is still too
// much, the fields are dropped and the error keeps its code.
func evidenceError(e *resultError) any {
	v := jsonValue(e)
	s, ok := v.(string)
	if !ok || len(s) <= evidenceDataMax {
		return v
	}
	var generic map[string]any
	if json.Unmarshal([]byte(s), &generic) == nil {
		if v, ok := jsonValue(shortened(generic)).(string); ok && len(v) <= evidenceDataMax {
			return v
		}
	}
	return jsonValue(&resultError{Code: e.Code, Message: e.Message, Fields: map[string]any{}, Retry: e.Retry})
}

// shortened is v with every "params" key of its objects removed and every
// "message" cut to evidenceTextMax bytes.
func shortened(v any) any {
	switch x := v.(type) {
	case map[string]any:
		delete(x, "params")
		for k, item := range x {
			if m, ok := item.(string); ok && k == "message" {
				x[k] = evidenceText(m, "")
				continue
			}
			x[k] = shortened(item)
		}
	case []any:
		for i, item := range x {
			x[i] = shortened(item)
		}
	}
	return v
}

// jsonValue encodes v for a json field (null stays null).
func jsonValue(v any) any {
	raw, err := json.Marshal(v)
	if err != nil || string(raw) == "null" {
		return nil
	}
	return string(raw)
}
