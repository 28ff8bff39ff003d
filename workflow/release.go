package workflow

import (
	"context"
	"fmt"

	"github.com/pocketbase/dbx"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"

	"aman/changelog"
)

// inService are the statuses of an aid request that still waits for its
// organization: released when the organization retires.
var inService = []any{AidOpen, AidAcknowledged, AidInProgress}

// releaseKey is the context key of a release (releaseRequests): the id of
// the retired organization whose requests are being released.
type releaseKey struct{}

// releaseRequests gives back to the coordinators every aid request still in
// service (open, acknowledged, in progress) that names a retired
// organization, in the transaction of the organization's save: its aid
// workers reach the request no more (the API rules), so a request left
// assigned to it waited for nobody until a coordinator happened to notice.
// Each one loses its organization and its acknowledgement (status open,
// acknowledged_at cleared: the organization that acknowledged is gone, and
// the next one to acknowledge stamps its own time) and is saved through
// every model hook, so the change log, its history (naming who retired the
// organization) and realtime see it. Requests fulfilled, closed or
// cancelled keep the organization as their history. It runs on every save
// of a retired organization, so a request left assigned to one (a row
// written around the hooks, a retirement made before this rule) is released
// by the next save; re-activating an organization assigns nothing.
func releaseRequests(e *core.RecordEvent) error {
	org := e.Record
	if org.GetBool(fieldActive) {
		return e.Next()
	}
	return thenInTransaction(e, func(tx core.App) error {
		requests, err := tx.FindAllRecords(AidRequestsCollection,
			dbx.HashExp{fieldAssignedOrg: org.Id, AidRequests.Field: inService})
		if err != nil {
			return fmt.Errorf("find aid requests of organization %s: %w", org.Id, err)
		}
		ctx := context.WithValue(changelog.OnBehalfOf(e.Context, org), releaseKey{}, org.Id)
		for _, request := range requests {
			request.Set(fieldAssignedOrg, "")
			request.Set(AidRequests.Field, AidOpen)
			request.Set(fieldAcknowledgedAt, "")
			if err := tx.SaveWithContext(ctx, request); err != nil {
				return fmt.Errorf("release aid request %s of organization %s: %w", request.Id, org.Id, err)
			}
		}
		return nil
	})
}

// released reports whether e is the save of releaseRequests giving back a
// request of the retired organization: the one move back to open that the
// table does not offer from in_progress (a coordinator steps back through
// acknowledged), since without its organization the progress means nothing.
func released(e *core.RecordEvent) bool {
	if e.Context == nil {
		return false
	}
	org, _ := e.Context.Value(releaseKey{}).(string)
	r := e.Record
	return org != "" && !r.IsNew() &&
		r.Original().GetString(fieldAssignedOrg) == org && r.GetString(fieldAssignedOrg) == "" &&
		r.GetString(AidRequests.Field) == AidOpen
}

// keepAssignedOrganizations refuses deleting an organization that an aid
// request names, in any status, or that a user still belongs to.
// PocketBase would empty the relations (both optional, without cascade):
// requests still in service stranded, as a retirement did, the fulfilled
// and closed ones no longer saying who helped, and its aid workers losing
// their organization, and with it their access, without anyone deciding
// it. An organization that stops working is retired (active = false),
// which releases its requests in service (releaseRequests); its aid
// workers are moved to another organization, or keep the retired one; one
// that nothing names may be deleted. The refusal is a validation error on
// id with the count (workflow_organization_assigned,
// workflow_organization_has_members), which the locale middleware also
// gives as the delete's top-level message.
func keepAssignedOrganizations(e *core.RecordEvent) error {
	n, err := countNaming(e.App, AidRequestsCollection, fieldAssignedOrg, e.Record.Id)
	if err != nil {
		return fmt.Errorf("count aid requests of organization %s: %w", e.Record.Id, err)
	}
	if n > 0 {
		return validation.Errors{core.FieldNameId: errOrganizationAssigned(n)}
	}
	n, err = countNaming(e.App, UsersCollection, fieldOrganization, e.Record.Id)
	if err != nil {
		return fmt.Errorf("count users of organization %s: %w", e.Record.Id, err)
	}
	if n > 0 {
		return validation.Errors{core.FieldNameId: errOrganizationHasMembers(n)}
	}
	return e.Next()
}
