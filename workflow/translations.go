package workflow

import (
	"fmt"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// fieldTranslationOf names the original a translation of an update or a
// fact-check translates (docs/data-model.md, Translations).
const fieldTranslationOf = "translation_of"

// checkOriginalNotRetracted refuses publishing a translation (on create,
// from draft, or reinstated) whose original is retracted, and making a
// published text a translation of a retracted original: a retraction
// withdraws the text in every language, and a translation published after
// it would put the withdrawn text back before the public.
func checkOriginalNotRetracted(app core.App, record *core.Record, status string) error {
	if status != EditorialPublished ||
		record.Collection().Fields.GetByName(fieldTranslationOf) == nil ||
		(!statusChanged(Editorial, record) && !fieldChanged(record, fieldTranslationOf)) {
		return nil
	}
	of := record.GetString(fieldTranslationOf)
	if of == "" {
		return nil
	}
	original, err := app.FindRecordById(record.Collection(), of)
	if err != nil {
		return nil // the relation field reports a missing record
	}
	if original.GetString(Editorial.Field) == EditorialRetracted {
		return errOriginalRetracted()
	}
	return nil
}

// retractTranslations makes retracting an original retract its published
// translations, in the same transaction, so the public (and the sync feed
// of offline readers) loses the text in every language at once. Until
// then, a fact-check retracted in Russian was still served in Tajik, and
// to Russian readers too, as a "not available in your language" fallback.
// Reinstating the original does not republish them: an editor publishes
// each translation again once it is checked against the corrected text.
func retractTranslations(e *core.RecordEvent) error {
	record := e.Record
	if record.Collection().Fields.GetByName(fieldTranslationOf) == nil ||
		record.GetString(fieldTranslationOf) != "" ||
		record.GetString(Editorial.Field) != EditorialRetracted ||
		record.Original().GetString(Editorial.Field) != EditorialPublished {
		return e.Next()
	}
	return withTranslations(e, dbx.HashExp{Editorial.Field: EditorialPublished}, func(translation *core.Record) {
		translation.Set(Editorial.Field, EditorialRetracted)
	})
}

// withTranslations saves the original of e and then, in the same
// transaction, applies change to each of its translations that which
// selects and saves it (through every model hook: the change log sees it).
func withTranslations(e *core.RecordEvent, which dbx.Expression, change func(*core.Record)) error {
	return thenInTransaction(e, func(tx core.App) error {
		return saveTranslations(tx, e.Record, which, change)
	})
}

// saveTranslations applies change to each translation of original that
// which selects and saves it, in tx.
func saveTranslations(tx core.App, original *core.Record, which dbx.Expression, change func(*core.Record)) error {
	id := original.Id
	translations, err := tx.FindAllRecords(original.Collection(), dbx.HashExp{fieldTranslationOf: id}, which)
	if err != nil {
		return fmt.Errorf("find translations of %s: %w", id, err)
	}
	for _, translation := range translations {
		change(translation)
		if err := tx.Save(translation); err != nil {
			return fmt.Errorf("save translation %s of %s: %w", translation.Id, id, err)
		}
	}
	return nil
}
