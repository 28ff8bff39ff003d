package workflow

import (
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"

	"aman/workflow/publictext"
)

// fieldPublicSummary is the one text of a report the public reads
// (public_incidents).
const fieldPublicSummary = "public_summary"

// checkPublicSummary refuses a public summary that carries a phone number,
// an e-mail address or exact coordinates, when it is written and when the
// report becomes verified (which publishes it): a text written before this
// check, or around it, is judged before the public reads it.
func checkPublicSummary(record *core.Record, status string, errs validation.Errors) {
	if !fieldChanged(record, fieldPublicSummary) &&
		(status != ReportVerified || !statusChanged(Reports, record)) {
		return
	}
	if found := publictext.Leak(record.GetString(fieldPublicSummary)); found != "" {
		errs[fieldPublicSummary] = errPublicSummaryPrivate(found)
	}
}
