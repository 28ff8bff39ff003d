package changelog

import (
	"encoding/json"
	"slices"
	"strings"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/search"

	"aman/privacy"
)

// HistoryCollection is the view over the change log.
const HistoryCollection = "record_history"

// hiddenMarker replaces an old/new pair the viewer may not see.
var hiddenMarker = map[string]any{"hidden": true}

// historyAuditColumns carry values or actors: only superusers filter or
// sort by them.
var historyAuditColumns = []string{"diff", "actor", "actor_collection"}

// OwnerFields are the fields that name who submitted a record: when one is
// hidden from a viewer, so is the actor of that record's history, which
// would name them too.
var OwnerFields = []string{"reporter", "requester"}

// bindRedaction applies the privacy policy to the history: the values of
// a field hidden from the viewer on the record (see HiddenOf) are replaced
// by {"hidden": true}, and the actor is blanked when the record's submitter
// is hidden. Filters and sorts
// on the columns that carry values or actors are for superusers only, so
// nothing hidden can be found by elimination.
func bindRedaction(app core.App) {
	app.OnRecordEnrich(HistoryCollection).BindFunc(func(e *core.RecordEnrichEvent) error {
		if err := e.Next(); err != nil {
			return err
		}
		RedactHistory(e.App, viewerOf(e.RequestInfo), e.Record)
		return nil
	})
	app.OnRecordsListRequest(HistoryCollection).BindFunc(func(e *core.RecordsListRequestEvent) error {
		return GuardAuditQuery(e, historyAuditColumns...)
	})
	app.OnRealtimeSubscribeRequest().BindFunc(func(e *core.RealtimeSubscribeRequestEvent) error {
		return GuardAuditSubscriptions(e, HistoryCollection, historyAuditColumns...)
	})
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
	hidden, _ := Hiding(app, v, collection, id)
	return hidden
}

// Hiding returns what v may not see of a record's past values, as kept in
// its history or in a sync conflict: the fields hidden from v (HiddenOf),
// and valueHidden, which reports whether a value the record once held is
// hidden on its own although its field is not hidden now
// (privacy.HiddenValue: an aid request's old link to an anonymous report,
// after a coordinator unlinked it). The record is read once.
func Hiding(app core.App, v privacy.Viewer, collection, id string) (hidden []string, valueHidden func(field string, value any) bool) {
	r, err := app.FindRecordById(collection, id)
	if err != nil {
		return privacy.QueryHiddenFields(v, collection), func(string, any) bool { return false }
	}
	return privacy.RecordHiddenFields(app, v, r), func(field string, value any) bool {
		return privacy.HiddenValue(app, v, r, field, value)
	}
}

// RedactHistory redacts one record_history record for v.
func RedactHistory(app core.App, v privacy.Viewer, r *core.Record) {
	if v.Superuser {
		return
	}
	hidden, valueHidden := Hiding(app, v, r.GetString("collection"), r.GetString("record_id"))
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

// GuardAuditQuery refuses, for anyone but a superuser, a list filter or
// sort that names one of the given columns, or a path into one
// (diff.reporter.new, user.id), anywhere in the expression: 400 with the
// localized privacy_forbidden_query_field, as for hidden fields.
func GuardAuditQuery(e *core.RecordsListRequestEvent, columns ...string) error {
	if e.HasSuperuserAuth() {
		return e.Next()
	}
	query := e.Request.URL.Query()
	if id := namesColumn(privacy.FilterIdentifiers(query.Get(search.FilterQueryParam)), columns); id != "" {
		return e.BadRequestError("Invalid filter.", validation.Errors{search.FilterQueryParam: privacy.ForbiddenFieldError(id)})
	}
	var sorted []string
	for _, f := range search.ParseSortFromString(query.Get(search.SortQueryParam)) {
		sorted = append(sorted, f.Name)
	}
	if id := namesColumn(sorted, columns); id != "" {
		return e.BadRequestError("Invalid sort.", validation.Errors{search.SortQueryParam: privacy.ForbiddenFieldError(id)})
	}
	return e.Next()
}

// GuardAuditSubscriptions refuses, for anyone but a superuser, a realtime
// subscription to collection whose filter names one of the given columns:
// the events it lets through would answer the question GuardAuditQuery
// refuses.
func GuardAuditSubscriptions(e *core.RealtimeSubscribeRequestEvent, collection string, columns ...string) error {
	if e.Auth != nil && e.Auth.IsSuperuser() {
		return e.Next()
	}
	for _, sub := range e.Subscriptions {
		name, filter := privacy.SubscriptionFilter(sub)
		c, err := e.App.FindCachedCollectionByNameOrId(name)
		if err != nil || c.Name != collection {
			continue
		}
		if id := namesColumn(privacy.FilterIdentifiers(filter), columns); id != "" {
			return e.BadRequestError("Invalid subscription filter.", validation.Errors{"subscriptions": privacy.ForbiddenFieldError(id)})
		}
	}
	return e.Next()
}

// namesColumn returns the first identifier whose first segment (before a
// dot or a modifier) is one of columns, or "".
func namesColumn(ids, columns []string) string {
	for _, id := range ids {
		head, _, _ := strings.Cut(id, ".")
		head, _, _ = strings.Cut(head, ":")
		if slices.Contains(columns, head) {
			return id
		}
	}
	return ""
}
