package workflow

import (
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
)

// reviewFields are what a review writes on a report: its status and what
// the verification rests on and shows the public.
var reviewFields = []string{
	Reports.Field, fieldVerificationNote, "public_summary", "sources", fieldVerifiedBy, fieldVerifiedAt,
}

// checkNotOwnReview refuses a write by a report's reporter that changes its
// review (workflow_reviewer_is_reporter, under each field): a coordinator
// who filed a report does not take it into review, send it back, verify,
// dispute, reject, archive or reopen it, nor write its note, summary or
// sources. Verifying was already refused (checkVerification); the other
// moves are a second pair of eyes' too. And on an anonymous report they
// would give the reporter away: its history names the coordinators who
// review it and blanks its reporter's rows (changelog.RedactHistory), so a
// blank row with a move only a coordinator makes told colleagues that a
// coordinator filed it. The refusal is told only to the reporter, who
// knows.
//
// A request hook, as only the request knows who writes (REST, /api/batch
// and the sync push run it; superusers and Go code are not judged). It
// judges the reporter as stored, so a write cannot step around it by
// naming another reporter in the same request (a superuser's to change).
func checkNotOwnReview(e *core.RecordRequestEvent) error {
	r := e.Record
	if r.IsNew() {
		return e.Next()
	}
	info, err := e.RequestInfo()
	if err != nil {
		return err
	}
	if info.Auth == nil || info.HasSuperuserAuth() || r.Original().GetString(fieldReporter) != info.Auth.Id {
		return e.Next()
	}
	errs := validation.Errors{}
	for _, field := range reviewFields {
		if hasField(r, field) && fieldChanged(r, field) {
			errs[field] = errReviewerIsReporter()
		}
	}
	if len(errs) > 0 {
		return e.BadRequestError("Failed to update record.", errs)
	}
	return e.Next()
}
