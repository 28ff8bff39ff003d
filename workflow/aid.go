package workflow

import (
	"slices"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

// fieldAcknowledgedAt records when an aid request was first acknowledged.
const fieldAcknowledgedAt = "acknowledged_at"

func validateAidRequest(e *core.RecordEvent) error {
	errs := validation.Errors{}
	if err := checkDistrict(e.App, e.Record); err != nil {
		errs[fieldDistrict] = err
	}
	if err := checkActiveOrganization(e.App, e.Record, fieldAssignedOrg); err != nil {
		errs[fieldAssignedOrg] = err
	}
	if err := checkPhone(e.Record.GetString(fieldContactPhone), fieldChanged(e.Record, fieldContactPhone)); err != nil {
		errs[fieldContactPhone] = err
	}
	status, err := Transition(AidRequests, e.Record)
	if err != nil && !released(e) {
		errs[AidRequests.Field] = err
		return result(e, errs)
	}
	if err := checkAcknowledged(e.Record, status); err != nil {
		errs[fieldAcknowledgedAt] = err
	}
	return result(e, errs)
}

// checkAcknowledged keeps the invariant that every status from acknowledged
// on has acknowledged_at: it stamps the time when a request becomes
// acknowledged without one, and refuses clearing it afterwards. A written
// time is never later than now (boundAcknowledged).
func checkAcknowledged(record *core.Record, status string) error {
	boundAcknowledged(record)
	if !slices.Contains(acknowledgedStatuses, status) ||
		!record.GetDateTime(fieldAcknowledgedAt).IsZero() {
		return nil
	}
	if status == AidAcknowledged && statusChanged(AidRequests, record) {
		record.Set(fieldAcknowledgedAt, types.NowDateTime())
		return nil
	}
	return errRequiredForStatus(status)
}

// boundAcknowledged keeps a written acknowledged_at between the request's
// creation and now. A time later than now is lowered to now: an
// acknowledgement made on a phone that was offline carries the time it was
// made, and a phone whose clock runs fast would put it in the future,
// where it sorts first. A time before the request's created (a phone whose
// clock runs slow, a hand-edited value) is raised to created: a request
// acknowledged before it existed on the server reads as nonsense on the
// aid desk, and its time to acknowledgement would be negative. Even a
// request created and acknowledged on a phone offline is on the server
// from its created on, which is when anyone could first act on it. Both
// are corrected, not refused, as occurred_at is, so the phone's queue is
// not stuck on them. A new request (only superusers and Go code may write
// the field on create) has no created yet: its bound is now. A stored time
// is not judged again.
func boundAcknowledged(record *core.Record) {
	at := record.GetDateTime(fieldAcknowledgedAt)
	if at.IsZero() || !fieldChanged(record, fieldAcknowledgedAt) {
		return
	}
	now := types.NowDateTime()
	if at.After(now) {
		record.Set(fieldAcknowledgedAt, now)
		return
	}
	created := record.GetDateTime("created")
	if record.IsNew() || created.IsZero() {
		created = now
	}
	if at.Before(created) {
		record.Set(fieldAcknowledgedAt, created)
	}
}
