package workflow

import (
	"fmt"
	"strings"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

// Report fields the workflow reads or writes.
const (
	fieldVerifiedBy       = "verified_by"
	fieldVerifiedAt       = "verified_at"
	fieldVerificationNote = "verification_note"
	fieldReporter         = "reporter"
	fieldOccurredAt       = "occurred_at"
)

// verifierRole is the users.role a report's verified_by must have.
const verifierRole = "coordinator"

func validateReport(e *core.RecordEvent) error {
	errs := validation.Errors{}
	if err := checkDistrict(e.App, e.Record); err != nil {
		errs[fieldDistrict] = err
	}
	lowerOccurredAt(e.Record)
	status, err := Transition(Reports, e.Record)
	if err != nil {
		errs[Reports.Field] = err
		return result(e, errs)
	}
	reopenVerified(e.Record, status)
	if status == ReportVerified {
		checkVerification(e.App, e.Record, errs)
	}
	// after the requirements: a verified report's note cleared is refused
	// as a change of what was verified, since no other note would pass
	checkVerifiedFixed(e.Record, status, errs)
	checkPhotosKept(e.Record, status, errs)
	if errs[fieldPublicSummary] == nil {
		checkPublicSummary(e.Record, status, errs)
	}
	return result(e, errs)
}

// lowerOccurredAt lowers an occurred_at later than now to now when a report
// is created or its occurred_at is written, as an update's published_at is
// lowered: nothing is reported before it happens, and a phone with a wrong
// clock (or a typo) would otherwise file an incident in the future, where it
// sorts above every other. It is not refused: a phone offline for days would
// be left with a report it cannot send, and a volunteer far from the
// network cannot fix it. No clock skew is allowed, as for published_at: a
// phone whose clock runs a few minutes fast loses only those minutes, and
// now is nearer the truth than its time. A stored time is not judged again
// when other fields change.
func lowerOccurredAt(record *core.Record) {
	if !fieldChanged(record, fieldOccurredAt) {
		return
	}
	now := types.NowDateTime()
	if record.GetDateTime(fieldOccurredAt).After(now) {
		record.Set(fieldOccurredAt, now)
	}
}

// reopenVerified clears who and when verified a report that comes back to
// in_review (reopened from verified, or restored from archived, which keeps
// them), so that verifying it again needs a fresh verifier and time: a
// verified_by left behind would be checked against the next decision. The
// note stays: it explains why the report was reopened.
func reopenVerified(record *core.Record, status string) {
	if record.IsNew() || status != ReportInReview ||
		record.Original().GetString(Reports.Field) == ReportInReview {
		return
	}
	record.Set(fieldVerifiedBy, "")
	record.Set(fieldVerifiedAt, "")
}

// checkVerification adds to errs what a verified report lacks: a
// coordinator other than the reporter as verified_by (checked when the
// status or the verifier changes, and the reporter too when the reporter
// changes: a verifier who later lost the role does not unverify the
// report), verified_at (stamped when the report becomes
// verified without one) and a non-blank note. A report is
// verified by a second pair of eyes: a coordinator who reported an
// incident does not verify it.
func checkVerification(app core.App, record *core.Record, errs validation.Errors) {
	verifier := record.GetString(fieldVerifiedBy)
	judged := statusChanged(Reports, record) || fieldChanged(record, fieldVerifiedBy)
	switch {
	case verifier == "":
		errs[fieldVerifiedBy] = errRequiredForStatus(ReportVerified)
	case verifier == record.GetString(fieldReporter) && (judged || fieldChanged(record, fieldReporter)):
		// a superuser who names the verifier as the reporter of a verified
		// report makes it one its reporter verified
		errs[fieldVerifiedBy] = errVerifierIsReporter()
	case judged && !isCoordinator(app, verifier):
		errs[fieldVerifiedBy] = errVerifierNotCoordinator()
	}
	if record.GetDateTime(fieldVerifiedAt).IsZero() {
		if statusChanged(Reports, record) {
			// becoming verified stamps the time, as acknowledged_at and
			// published_at are stamped, unless the write sets it
			record.Set(fieldVerifiedAt, types.NowDateTime())
		} else {
			errs[fieldVerifiedAt] = errRequiredForStatus(ReportVerified)
		}
	}
	if strings.TrimSpace(record.GetString(fieldVerificationNote)) == "" {
		errs[fieldVerificationNote] = errRequiredForStatus(ReportVerified)
	}
}

// isCoordinator reports whether userID is a user with the verifier role. A
// missing user is not one (the relation validator reports it as well).
func isCoordinator(app core.App, userID string) bool {
	user, err := app.FindRecordById("users", userID)
	return err == nil && user.GetString("role") == verifierRole
}

// keepVerifiers refuses deleting a user whom a report names as its
// verifier, as the required reporter relation refuses deleting a reporter.
// PocketBase would empty verified_by instead: a verified report would stay
// public verified by nobody, and every later save of it would be refused
// for lacking the verifier it lost. The refusal is a validation error on
// id with the count (workflow_user_verified_reports), which the locale
// middleware also gives as the delete's top-level message: PocketBase's
// own blames "a required relation reference".
func keepVerifiers(e *core.RecordEvent) error {
	n, err := countNaming(e.App, ReportsCollection, fieldVerifiedBy, e.Record.Id)
	if err != nil {
		return fmt.Errorf("count reports verified by %s: %w", e.Record.Id, err)
	}
	if n > 0 {
		return validation.Errors{core.FieldNameId: errUserVerifiedReports(n)}
	}
	return keepAuthors(e)
}

// authorFields are the required relations to users, which PocketBase
// itself refuses to leave empty by deleting the user they name.
var authorFields = []struct{ collection, field string }{
	{ReportsCollection, fieldReporter},
	{AidRequestsCollection, "requester"},
	{UpdatesCollection, "author"},
	{FactChecksCollection, "author"},
}

// keepAuthors refuses deleting a user whom records name in a required
// relation (authorFields) before PocketBase does: its refusal is a 400
// with empty data and "a required relation reference", which tells the
// superuser neither which records hold the account nor what to do. The
// refusal is workflow_user_has_records on id with the count of each,
// given as the top-level message too, as keepVerifiers's.
func keepAuthors(e *core.RecordEvent) error {
	counts := make([]int, len(authorFields))
	total := 0
	for i, f := range authorFields {
		n, err := countNaming(e.App, f.collection, f.field, e.Record.Id)
		if err != nil {
			return fmt.Errorf("count %s naming %s as %s: %w", f.collection, e.Record.Id, f.field, err)
		}
		counts[i] = n
		total += n
	}
	if total > 0 {
		return validation.Errors{core.FieldNameId: errUserHasRecords(counts[0], counts[1], counts[2], counts[3])}
	}
	return e.Next()
}
