package workflow

import (
	"fmt"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

func init() {
	core.AppMigrations.Register(ReleaseStranded, nil, "1795768150_aman_release_stranded_requests.go")
}

// ReleaseStranded saves again every retired organization that an aid
// request in service still names, which releases those requests
// (releaseRequests). Organizations retired before this version left their
// requests waiting for nobody; the upgrade gives them back to the
// coordinators at once instead of at the organization's next save. It runs
// with the app's hooks, as migrations do at start; without the collections
// (a database they were never created in) it does nothing.
func ReleaseStranded(app core.App) error {
	if _, err := app.FindCollectionByNameOrId(AidRequestsCollection); err != nil {
		return nil
	}
	var ids []string
	err := app.DB().Select("o.id").Distinct(true).From(OrganizationsCollection+" o").
		InnerJoin(AidRequestsCollection+" r", dbx.NewExp("r."+fieldAssignedOrg+" = o.id")).
		Where(dbx.HashExp{"o." + fieldActive: false, "r." + AidRequests.Field: inService}).
		OrderBy("o.id").Column(&ids)
	if err != nil {
		return fmt.Errorf("find retired organizations with requests in service: %w", err)
	}
	for _, id := range ids {
		org, err := app.FindRecordById(OrganizationsCollection, id)
		if err != nil {
			return fmt.Errorf("organization %s: %w", id, err)
		}
		if err := app.Save(org); err != nil {
			return fmt.Errorf("release the requests of organization %s: %w", id, err)
		}
	}
	return nil
}
