package workflow

import (
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

// carryVerdict returns the new verdict of an original fact-check that
// changed it, which followOriginal gives its translations, whatever their
// status: readers in every language are told the same about a claim, and a
// draft translation is published with it. The translations are marked
// outdated with it: an editor then brings their explanations in line.
func carryVerdict(original *core.Record) (string, bool) {
	if !hasField(original, fieldVerdict) || !fieldChanged(original, fieldVerdict) {
		return "", false
	}
	return original.GetString(fieldVerdict), true
}
