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
	if err != nil {
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
// acknowledged without one, and refuses clearing it afterwards.
func checkAcknowledged(record *core.Record, status string) error {
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
