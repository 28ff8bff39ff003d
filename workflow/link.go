package workflow

import (
	"database/sql"
	"errors"
	"net/http"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
)

// fieldRelatedIncident is an aid request's link to the incident report it
// answers.
const fieldRelatedIncident = "related_incident"

// checkLinkReadable refuses an aid request whose write sets related_incident
// to a report the writer may not view under the report's view rule: a
// volunteer who saw or guessed another volunteer's report id would
// otherwise link their request to it, and the link's answers (the
// relation's own "missing" for a wrong id, success for a right one) told
// them which ids exist. A report that is missing and one the writer may not
// view are refused alike (workflow_related_incident_unknown), before the
// relation field reports a missing one.
//
// It is a request hook, not a model hook: only the request knows who
// writes. Every request path triggers it (REST, /api/batch, and the sync
// push, which runs its mutations through OnRecordCreateRequest and
// OnRecordUpdateRequest); superusers and Go code (app.Save without a
// request) are not judged. A link the write keeps is not judged again: a
// requester resending the whole request keeps a link a coordinator set.
func checkLinkReadable(e *core.RecordRequestEvent) error {
	r := e.Record
	id := r.GetString(fieldRelatedIncident)
	if id == "" || (!r.IsNew() && r.Original().GetString(fieldRelatedIncident) == id) {
		return e.Next()
	}
	info, err := e.RequestInfo()
	if err != nil {
		return err
	}
	if info.HasSuperuserAuth() {
		return e.Next()
	}
	ok, err := canViewReport(e.App, info.Auth, id)
	if err != nil {
		return err
	}
	if !ok {
		message := "Failed to update record."
		if r.IsNew() {
			message = "Failed to create record."
		}
		return e.BadRequestError(message, validation.Errors{fieldRelatedIncident: errRelatedIncidentUnknown()})
	}
	return e.Next()
}

// canViewReport reports whether auth (nil for an anonymous caller) may view
// the report id as a plain GET of it would: the report's view rule, with no
// body or query of the write that asks.
func canViewReport(app core.App, auth *core.Record, id string) (bool, error) {
	report, err := app.FindRecordById(ReportsCollection, id)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	view := &core.RequestInfo{
		Auth:    auth,
		Context: core.RequestInfoContextDefault,
		Method:  http.MethodGet,
		Query:   map[string]string{},
		Headers: map[string]string{},
		Body:    map[string]any{},
	}
	return app.CanAccessRecord(report, view, report.Collection().ViewRule)
}
