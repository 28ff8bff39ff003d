package workflow

import (
	"fmt"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

func init() {
	core.AppMigrations.Register(ReleaseStranded, nil, "1795768150_aman_release_stranded_requests.go")
	core.AppMigrations.Register(AlignTranslations, nil, "1795768310_aman_translations_follow_original.go")
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

// AlignTranslations saves again every translation of an update or a
// fact-check whose shared fields (shared.go: an update's region and related
// reports, a fact-check's platform) differ from its original's, which gives
// it the original's (takeShared), through every hook, so the change log
// carries the change to phones. Translations written before this version
// kept the region and reports their translator set, often none, and a
// reader filtering by region in another language missed them.
//
// A published translation that would gain a report not verified now (its
// original a draft relating one) is refused by the workflow and left as it
// is, with a warning in the logs naming it: the migration publishes no
// report that was not published. An editor retracts that translation, or
// takes the report out of the original, and the translation's next save
// follows.
func AlignTranslations(app core.App) error {
	for collection := range shared {
		c, err := app.FindCollectionByNameOrId(collection)
		if err != nil || c.Fields.GetByName(fieldTranslationOf) == nil {
			continue
		}
		translations, err := app.FindAllRecords(c, dbx.Not(dbx.HashExp{fieldTranslationOf: ""}))
		if err != nil {
			return fmt.Errorf("find translations of %s: %w", collection, err)
		}
		for _, t := range translations {
			original, err := app.FindRecordById(c, t.GetString(fieldTranslationOf))
			if err != nil {
				continue // a dangling relation: nothing to follow
			}
			if !copyShared(original, t.Fresh(), sharedFields(t)) {
				continue
			}
			if err := app.Save(t); err != nil {
				app.Logger().Warn("a translation keeps fields its original does not have",
					"collection", collection, "id", t.Id, "original", original.Id, "error", err)
			}
		}
	}
	return nil
}
