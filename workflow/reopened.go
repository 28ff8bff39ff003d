package workflow

import (
	"fmt"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// fieldRelatedUnverified marks a published update that relates a report
// which is not verified now
// (pb_migrations/1795768200_related_unverified.js).
const fieldRelatedUnverified = "related_unverified"

// settleRelatedUnverified gives an update's related_unverified the value
// the world has: true while it is published and relates a report that is
// not verified now (reopened or archived after publication, or missing),
// false otherwise. It is a fact, not an editor's judgment: a written value
// is replaced. An editor answers it by taking the report out of the
// update, by retracting the update, or by waiting for the report to be
// verified again; publishing, and changing the relation of a published
// update, need every related report verified (checkRelatedVerified), so
// those writes leave it false.
func settleRelatedUnverified(app core.App, record *core.Record, status string) error {
	if !hasField(record, fieldRelatedUnverified) {
		return nil
	}
	mark, err := groupRestsOnUnverified(app, record, status)
	if err != nil {
		return err
	}
	record.Set(fieldRelatedUnverified, mark)
	return nil
}

// groupRestsOnUnverified is restsOnUnverified for a version of an update:
// a translation, published, also rests on what its original rests on, as
// its text is the original's (a translation usually relates no report of
// its own). It reads the original's mark, which the original's own saves
// keep (settleRelatedUnverified) and pass on to its translations
// (settleTranslationsMark): phones read the translation in their
// language, and would otherwise never be told.
func groupRestsOnUnverified(app core.App, update *core.Record, status string) (bool, error) {
	mark, err := restsOnUnverified(app, update, status)
	of := update.GetString(fieldTranslationOf)
	if err != nil || mark || status != EditorialPublished || of == "" {
		return mark, err
	}
	original, err := app.FindRecordById(update.Collection(), of)
	if err != nil {
		return false, nil // the relation field reports a missing original
	}
	return original.GetString(Editorial.Field) == EditorialPublished && original.GetBool(fieldRelatedUnverified), nil
}

// settleTranslationsMark gives each translation of original the mark
// groupRestsOnUnverified finds, in original's transaction, saving only
// those that change, without validation, as markRelatedUpdates saves
// updates: a reopening is never refused for an old translation.
func settleTranslationsMark(tx core.App, original *core.Record) error {
	translations, err := tx.FindAllRecords(original.Collection(), dbx.HashExp{fieldTranslationOf: original.Id})
	if err != nil {
		return fmt.Errorf("find translations of %s: %w", original.Id, err)
	}
	for _, t := range translations {
		mark, err := groupRestsOnUnverified(tx, t, t.GetString(Editorial.Field))
		if err != nil {
			return err
		}
		if mark == t.GetBool(fieldRelatedUnverified) {
			continue
		}
		t.Set(fieldRelatedUnverified, mark)
		if err := tx.SaveNoValidate(t); err != nil {
			return fmt.Errorf("mark translation %s of %s: %w", t.Id, original.Id, err)
		}
	}
	return nil
}

// restsOnUnverified reports whether an update of status relates a report
// that is not verified now, when it is published.
func restsOnUnverified(app core.App, update *core.Record, status string) (bool, error) {
	ids := update.GetStringSlice(fieldRelatedIncidents)
	if status != EditorialPublished || len(ids) == 0 {
		return false, nil
	}
	wanted := make([]any, len(ids))
	for i, id := range ids {
		wanted[i] = id
	}
	var verified int
	err := app.RecordQuery(ReportsCollection).
		Select("count(*)").
		AndWhere(dbx.In(ReportsCollection+".id", wanted...)).
		AndWhere(dbx.HashExp{Reports.Field: ReportVerified}).
		Row(&verified)
	if err != nil {
		return false, fmt.Errorf("count verified reports of update %s: %w", update.Id, err)
	}
	return verified < len(ids), nil
}

// markRelatedUpdates settles related_unverified on every published update
// that relates a report whose status leaves or comes back to verified, in
// the report's transaction: a report reopened (or archived) after an
// update was published on it marks the update, for its editors (the
// review screen's badge) and its readers, and verifying it again clears
// the mark unless another related report is still not verified. Each
// update changed is saved, so the change log carries it to readers'
// phones. It is saved without validation: a reopening must never be
// refused because an old update would not pass a check of today.
func markRelatedUpdates(e *core.RecordEvent) error {
	r := e.Record
	if (r.Original().GetString(Reports.Field) == ReportVerified) == (r.GetString(Reports.Field) == ReportVerified) {
		return e.Next()
	}
	return thenInTransaction(e, func(tx core.App) error {
		ids, err := publishedUpdatesOf(tx, r.Id)
		if err != nil || len(ids) == 0 {
			return err
		}
		updates, err := tx.FindRecordsByIds(UpdatesCollection, ids)
		if err != nil {
			return fmt.Errorf("find updates relating report %s: %w", r.Id, err)
		}
		if len(updates) == 0 || !hasField(updates[0], fieldRelatedUnverified) {
			return nil // a schema without the mark (its migration reverted)
		}
		for _, update := range updates {
			mark, err := groupRestsOnUnverified(tx, update, EditorialPublished)
			if err != nil {
				return err
			}
			if mark == update.GetBool(fieldRelatedUnverified) {
				continue
			}
			update.Set(fieldRelatedUnverified, mark)
			if err := tx.SaveNoValidate(update); err != nil {
				return fmt.Errorf("mark update %s relating report %s: %w", update.Id, r.Id, err)
			}
		}
		return nil
	})
}
