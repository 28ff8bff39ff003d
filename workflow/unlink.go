package workflow

import (
	"fmt"
	"strings"

	"github.com/pocketbase/dbx"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
)

// keepPublishedLinks refuses deleting a report that a published update
// relates to, for everyone (only superusers delete reports). PocketBase
// would drop the id from the update's related_incidents in the same
// delete: readers would lose the link and no editor would know. The
// superuser first retracts the update or takes the report out of its
// related_incidents (an editor's edit, or the superuser's, in the same
// /api/batch as the delete: docs/operations.md). Drafts and retracted
// updates just lose the link, as before: the public does not read them,
// and publishing one checks its reports again.
func keepPublishedLinks(e *core.RecordEvent) error {
	updates, err := publishedUpdatesOf(e.App, e.Record.Id)
	if err != nil {
		return err
	}
	if len(updates) > 0 {
		return validation.Errors{"id": errReportInPublishedUpdate(updates)}
	}
	return e.Next()
}

// publishedUpdatesOf returns the ids of the published updates whose
// related_incidents name the report id.
func publishedUpdatesOf(app core.App, id string) ([]string, error) {
	var ids []string
	err := app.RecordQuery(UpdatesCollection).
		Select(UpdatesCollection + ".id").
		AndWhere(dbx.HashExp{Editorial.Field: EditorialPublished}).
		AndWhere(relates(fieldRelatedIncidents, id)).
		OrderBy(UpdatesCollection + ".id").
		Column(&ids)
	if err != nil {
		return nil, fmt.Errorf("find published updates relating report %s: %w", id, err)
	}
	return ids, nil
}

// relates is true for an updates row whose multiple relation field names
// id (stored as a JSON array; a single id written around the hooks too).
func relates(field, id string) dbx.Expression {
	col := "[[" + UpdatesCollection + "." + field + "]]"
	return dbx.NewExp("EXISTS (SELECT 1 FROM json_each(CASE WHEN json_valid("+col+") THEN "+col+
		" ELSE json_array("+col+") END) WHERE [[value]] = {:reportId})", dbx.Params{"reportId": id})
}

func errReportInPublishedUpdate(updates []string) validation.Error {
	return validation.NewError(CodeReportInPublishedUpdate,
		"Published updates relate to this report ({{.updates}}): retract them or remove the report from them first.").
		SetParams(map[string]any{"updates": strings.Join(updates, ", ")})
}
