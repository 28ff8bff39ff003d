package workflow

import (
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
)

// Fields that name an organization, and its flag of being in service.
const (
	OrganizationsCollection = "organizations"
	fieldAssignedOrg        = "assigned_org"
	fieldOrganization       = "organization"
	fieldActive             = "active"
)

// checkActiveOrganization refuses naming in field an organization that is
// not active (docs/data-model.md: only active organizations are public and
// can be assigned): an aid request handed to an organization that stopped
// working waits for help that never comes. It runs when the field changes,
// so an organization retired later does not block the records that name
// it; a missing one is the relation field's to report.
func checkActiveOrganization(app core.App, record *core.Record, field string) error {
	id := record.GetString(field)
	if id == "" || !fieldChanged(record, field) {
		return nil
	}
	org, err := app.FindRecordById(OrganizationsCollection, id)
	if err != nil || org.GetBool(fieldActive) {
		return nil
	}
	return errOrganizationInactive()
}

// validateUser refuses giving a user an organization that is not active.
func validateUser(e *core.RecordEvent) error {
	if err := checkActiveOrganization(e.App, e.Record, fieldOrganization); err != nil {
		return validation.Errors{fieldOrganization: err}
	}
	return e.Next()
}
