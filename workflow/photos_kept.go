package workflow

import (
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
)

// fieldPhotos is a report's evidence in pictures (docs/workflow.md, Photos).
const fieldPhotos = "photos"

// checkPhotosKept refuses a save that removes or replaces a photo of a
// report that is in review and stays so: evidence under review may grow
// (a phone on 2G uploads photos after a coordinator took the report into
// review, 1795767410_photos_while_in_review.js), never shrink, whatever
// the request's form (`photos-`, a full list without a stored name, a
// list of new files only). Everyone is held to it, superusers included; a
// superuser who must take out a photo that endangers someone (a face, a
// house number) sends the report back to submitted in the same save, so
// the coordinator reviews again what is left (docs/operations.md).
func checkPhotosKept(record *core.Record, status string, errs validation.Errors) {
	if record.IsNew() || status != ReportInReview ||
		record.Original().GetString(Reports.Field) != ReportInReview ||
		record.Collection().Fields.GetByName(fieldPhotos) == nil {
		return
	}
	kept := map[string]bool{}
	for _, name := range storedNames(record.GetRaw(fieldPhotos)) {
		kept[name] = true
	}
	for _, name := range record.Original().GetStringSlice(fieldPhotos) {
		if !kept[name] {
			errs[fieldPhotos] = errPhotosKeptInReview()
			return
		}
	}
}

// storedNames are the names of the already stored files in a file field's
// value; new uploads (*filesystem.File) are left out.
func storedNames(raw any) []string {
	switch v := raw.(type) {
	case string:
		if v == "" {
			return nil
		}
		return []string{v}
	case []string:
		return v
	case []any:
		var names []string
		for _, item := range v {
			if name, ok := item.(string); ok {
				names = append(names, name)
			}
		}
		return names
	default: // new uploads only (*filesystem.File), or nothing
		return nil
	}
}
