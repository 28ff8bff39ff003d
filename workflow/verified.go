package workflow

import (
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
)

// verifiedFields are what a verification covers: the fields the public
// reads in public_incidents (occurred_at as occurred_on, region, district,
// location rounded, category, killed, injured, public_summary) and the
// review that stands behind them (the note, the sources, who verified and
// when). While a report is verified and stays verified none of them
// changes, for anyone, superusers included: the public would read as
// verified a text no second pair of eyes approved. A correction is made by
// reopening the report (verified → in_review, which also clears the
// verifier) and verifying it again; both moves may carry the new values.
//
// The other fields stay changeable at verified, as the API rules allow:
// `anonymous` (a reporter may hide their name at any status, and the public
// never reads the reporter); and description, place, photos,
// location_precision, source_type and language, which the public never
// reads and only a superuser may change past in_review, so that a name, a
// house number or a face that endangers someone is taken out without
// taking the verified incident off the public list. (`reporter`, which
// the public never reads either, is a superuser's to change; it is not
// judged here.)
var verifiedFields = []string{
	fieldOccurredAt, "region", fieldDistrict, "location", "category", "killed", "injured", "public_summary",
	fieldVerificationNote, "sources", fieldVerifiedBy, fieldVerifiedAt,
}

// checkVerifiedFixed adds to errs, under each field, a change of what the
// verification covers on a report that is verified and stays verified. It
// judges values, not what a write names: a client that resends the whole
// record it read changes nothing, and a stored value written around the
// hooks (an occurred_at later than now) is not lowered on such a save
// (lowerOccurredAt judges written times only).
func checkVerifiedFixed(record *core.Record, status string, errs validation.Errors) {
	if record.IsNew() || status != ReportVerified ||
		record.Original().GetString(Reports.Field) != ReportVerified {
		return
	}
	for _, field := range verifiedFields {
		if fieldChanged(record, field) {
			errs[field] = errVerifiedFixed()
		}
	}
}
