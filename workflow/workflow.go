// Package workflow enforces the status workflows of incident reports, aid
// requests, updates and fact-checks on every write path.
//
// The rules run in the OnRecordValidate model hook, so they hold for the
// REST API, /api/batch, the dashboard, the sync engine and any Go code that
// calls app.Save; only app.SaveNoValidate (deliberate imports) skips them.
// Violations are validation errors keyed by field with stable codes, which
// the API returns as 400 with data.<field>.code. Who may make a transition
// (a volunteer may not verify) is the API rules' job; this package decides
// which transitions exist and what a status requires, for everyone.
package workflow

import (
	"github.com/pocketbase/dbx"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
)

// Collection names this package guards.
const (
	ReportsCollection     = "incident_reports"
	AidRequestsCollection = "aid_requests"
	UpdatesCollection     = "updates"
	FactChecksCollection  = "fact_checks"
	// UsersCollection holds the verifiers named by verified_by.
	UsersCollection = "users"
)

// Register binds the workflow hooks to app.
func Register(app core.App) error {
	app.OnRecordValidate(ReportsCollection).Bind(&hook.Handler[*core.RecordEvent]{
		Id:   "amanWorkflowReports",
		Func: validateReport,
	})
	app.OnRecordValidate(AidRequestsCollection).Bind(&hook.Handler[*core.RecordEvent]{
		Id:   "amanWorkflowAidRequests",
		Func: validateAidRequest,
	})
	app.OnRecordValidate(UpdatesCollection, FactChecksCollection).Bind(&hook.Handler[*core.RecordEvent]{
		Id:   "amanWorkflowEditorial",
		Func: validateEditorial,
	})
	app.OnRecordValidate(ReportsCollection, AidRequestsCollection, UpdatesCollection, FactChecksCollection).Bind(&hook.Handler[*core.RecordEvent]{
		Id:   "amanWorkflowNotBlank",
		Func: requireNotBlank,
	})
	app.OnRecordUpdateExecute(UpdatesCollection, FactChecksCollection).Bind(&hook.Handler[*core.RecordEvent]{
		Id:   "amanWorkflowRetractTranslations",
		Func: retractTranslations,
	})
	app.OnRecordUpdateExecute(UpdatesCollection, FactChecksCollection).Bind(&hook.Handler[*core.RecordEvent]{
		Id:   "amanWorkflowFollowOriginal",
		Func: followOriginal,
	})
	app.OnRecordUpdateRequest(ReportsCollection).Bind(&hook.Handler[*core.RecordRequestEvent]{
		Id:   "amanWorkflowNotOwnReview",
		Func: checkNotOwnReview,
	})
	app.OnRecordUpdateRequest(UpdatesCollection).Bind(&hook.Handler[*core.RecordRequestEvent]{
		Id:   "amanWorkflowAddedVerified",
		Func: checkAddedVerified,
	})
	app.OnRecordCreateRequest(AidRequestsCollection).Bind(&hook.Handler[*core.RecordRequestEvent]{
		Id:   "amanWorkflowLinkReadableCreate",
		Func: checkLinkReadable,
	})
	app.OnRecordUpdateRequest(AidRequestsCollection).Bind(&hook.Handler[*core.RecordRequestEvent]{
		Id:   "amanWorkflowLinkReadableUpdate",
		Func: checkLinkReadable,
	})
	app.OnRecordValidate(UsersCollection).Bind(&hook.Handler[*core.RecordEvent]{
		Id:   "amanWorkflowUserOrganization",
		Func: validateUser,
	})
	app.OnRecordDelete(UsersCollection).Bind(&hook.Handler[*core.RecordEvent]{
		Id:   "amanWorkflowKeepVerifiers",
		Func: keepVerifiers,
	})
	app.OnRecordUpdateExecute(OrganizationsCollection).Bind(&hook.Handler[*core.RecordEvent]{
		Id:   "amanWorkflowReleaseRequests",
		Func: releaseRequests,
	})
	app.OnRecordDelete(OrganizationsCollection).Bind(&hook.Handler[*core.RecordEvent]{
		Id:   "amanWorkflowKeepAssignedOrganizations",
		Func: keepAssignedOrganizations,
	})
	app.OnRecordDelete(ReportsCollection).Bind(&hook.Handler[*core.RecordEvent]{
		Id:   "amanWorkflowKeepPublishedLinks",
		Func: keepPublishedLinks,
	})
	app.OnRecordUpdateExecute(ReportsCollection).Bind(&hook.Handler[*core.RecordEvent]{
		Id:   "amanWorkflowMarkRelatedUpdates",
		Func: markRelatedUpdates,
	})
	return nil
}

// Transition returns the status record is moving to under m, after giving a
// new record without status m.Initial. The error (nil if the move is
// allowed) is a validation error for m.Field. An unknown target status is
// not judged here: the select field's own validator reports it.
func Transition(m Machine, record *core.Record) (string, error) {
	to := record.GetString(m.Field)
	if record.IsNew() {
		return initialStatus(m, record, to)
	}
	if to == "" {
		return to, validation.ErrRequired
	}
	from := previousStatus(m, record)
	if !m.Known(to) || m.Allows(from, to) {
		return to, nil
	}
	return to, errInvalidTransition(from, to)
}

func initialStatus(m Machine, record *core.Record, status string) (string, error) {
	switch {
	case status == "":
		record.Set(m.Field, m.Initial)
		return m.Initial, nil
	case m.MayStart(status) || !m.Known(status):
		return status, nil
	default:
		return status, errInvalidInitialStatus(m.Initial, status)
	}
}

// previousStatus is the stored status, read as m.Initial when the stored
// value is empty or unknown (rows written around the hooks).
func previousStatus(m Machine, record *core.Record) string {
	from := record.Original().GetString(m.Field)
	if !m.Known(from) {
		return m.Initial
	}
	return from
}

// statusChanged reports whether record is new or its status differs from
// the stored one.
func statusChanged(m Machine, record *core.Record) bool {
	return record.IsNew() || record.Original().GetString(m.Field) != record.GetString(m.Field)
}

func fieldChanged(record *core.Record, field string) bool {
	return record.IsNew() || record.Original().GetString(field) != record.GetString(field)
}

// thenInTransaction saves the record of e (the rest of its execute hooks)
// and then runs then in the same transaction, with it: what then saves
// commits, or fails, with the record's own write.
func thenInTransaction(e *core.RecordEvent, then func(tx core.App) error) error {
	app := e.App
	defer func() { e.App = app }()
	return app.RunInTransaction(func(tx core.App) error {
		e.App = tx
		if err := e.Next(); err != nil {
			return err
		}
		return then(tx)
	})
}

// countNaming counts the records of collection whose relation field names
// id.
func countNaming(app core.App, collection, field, id string) (int, error) {
	var n int
	err := app.RecordQuery(collection).Select("count(*)").AndWhere(dbx.HashExp{field: id}).Row(&n)
	return n, err
}

func result(e *core.RecordEvent, errs validation.Errors) error {
	if len(errs) > 0 {
		return errs
	}
	return e.Next()
}
