package workflow

import (
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// fieldVerdict is a fact-check's finding, one per translation group
// (docs/data-model.md).
const fieldVerdict = "verdict"

// checkVerdictOfOriginal refuses a translation of a fact-check whose
// verdict differs from its original's, when it is written with a verdict
// or a new original. A verdict is a finding about a claim, not a wording:
// the group has one, set on the original (carryVerdict).
func checkVerdictOfOriginal(app core.App, record *core.Record) error {
	fields := record.Collection().Fields
	if fields.GetByName(fieldVerdict) == nil || fields.GetByName(fieldTranslationOf) == nil {
		return nil
	}
	of := record.GetString(fieldTranslationOf)
	if of == "" || (!fieldChanged(record, fieldVerdict) && !fieldChanged(record, fieldTranslationOf)) {
		return nil
	}
	original, err := app.FindRecordById(record.Collection(), of)
	if err != nil {
		return nil // the relation field reports a missing record
	}
	if original.GetString(fieldVerdict) != record.GetString(fieldVerdict) {
		return errVerdictOfOriginal()
	}
	return nil
}

// carryVerdict gives an original's new verdict to its translations, in the
// same transaction, whatever their status: readers in every language are
// told the same about a claim, and a draft translation is published with
// it. An editor then brings their explanations in line.
func carryVerdict(e *core.RecordEvent) error {
	record := e.Record
	fields := record.Collection().Fields
	if fields.GetByName(fieldVerdict) == nil || fields.GetByName(fieldTranslationOf) == nil ||
		record.GetString(fieldTranslationOf) != "" || !fieldChanged(record, fieldVerdict) {
		return e.Next()
	}
	verdict := record.GetString(fieldVerdict)
	return withTranslations(e, dbx.Not(dbx.HashExp{fieldVerdict: verdict}), func(translation *core.Record) {
		translation.Set(fieldVerdict, verdict)
	})
}
