package workflow

import (
	"context"
	"fmt"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"aman/changelog"
)

// fieldOutdated marks a translation written from an earlier text of its
// original (pb_migrations/1795767950_outdated_translations.js).
const fieldOutdated = "outdated"

// translated are the fields of a version that its translator writes from
// the original's: a change of one in the original leaves its translations
// behind, and an edit of one in a translation is its translator bringing
// it in line. A fact-check's verdict is not among them: it is the group's,
// carried to the translations (carryVerdict), whose explanations then lag
// behind it.
var translated = map[string][]string{
	UpdatesCollection:    {"title", "body", "sources"},
	FactChecksCollection: {"claim", "claim_source", "explanation", "evidence"},
}

// followOriginal passes a change of an original to its translations, in
// the same transaction: a new verdict is carried (carryVerdict), a change
// of its translated text or of its verdict marks every translation
// outdated, a change of a shared field (region, related reports, platform)
// is given to every translation (takeShared), each translation saved once
// through every model hook, so the change log carries it to phones; and a
// change of its related_unverified mark is passed on (settleTranslationsMark).
// A translation's save is judged like any: a draft original that would give
// a published translation a report not verified now is refused with it
// (checkRelatedVerified), so following publishes no such report.
func followOriginal(e *core.RecordEvent) error {
	r := e.Record
	if !hasField(r, fieldTranslationOf) || r.GetString(fieldTranslationOf) != "" {
		return e.Next()
	}
	verdict, carry := carryVerdict(r)
	mark := hasField(r, fieldOutdated) && (carry || anyChanged(r, translated[r.Collection().Name]))
	fields := sharedFields(r)
	share := sharedChanged(r, fields)
	// the original's related_unverified is the group's (groupRestsOnUnverified)
	rests := hasField(r, fieldRelatedUnverified) && fieldChanged(r, fieldRelatedUnverified)
	var which []dbx.Expression
	if carry {
		which = append(which, dbx.Not(dbx.HashExp{fieldVerdict: verdict}))
	}
	if mark {
		which = append(which, dbx.HashExp{fieldOutdated: false})
	}
	if len(which) == 0 && !share && !rests {
		return e.Next()
	}
	return thenInTransaction(e, func(tx core.App) error {
		if len(which) > 0 || share {
			where := dbx.HashExp{fieldTranslationOf: r.Id}
			var translations []*core.Record
			var err error
			if share {
				translations, err = tx.FindAllRecords(r.Collection(), where)
			} else {
				translations, err = tx.FindAllRecords(r.Collection(), where, dbx.Or(which...))
			}
			if err != nil {
				return fmt.Errorf("find translations of %s: %w", r.Id, err)
			}
			for _, translation := range translations {
				changed := false
				if carry && translation.GetString(fieldVerdict) != verdict {
					translation.Set(fieldVerdict, verdict)
					changed = true
				}
				if mark && !translation.GetBool(fieldOutdated) {
					translation.Set(fieldOutdated, true)
					changed = true
				}
				if share && copyShared(r, translation, fields) {
					changed = true
				}
				if !changed {
					continue
				}
				if err := tx.Save(translation); err != nil {
					return fmt.Errorf("save translation %s of %s: %w", translation.Id, r.Id, err)
				}
			}
		}
		if rests {
			return settleTranslationsMark(tx, r)
		}
		return nil
	})
}

// sharedChanged reports whether a write of an original changes one of its
// shared fields.
func sharedChanged(r *core.Record, fields []string) bool {
	for _, f := range fields {
		if f == fieldRelatedIncidents {
			if relationChanged(r, f) {
				return true
			}
		} else if fieldChanged(r, f) {
			return true
		}
	}
	return false
}

// settleOutdated keeps outdated true only on a translation that has not
// been brought in line: an original is never outdated, and a write that
// edits a translation's translated text clears it, unless the write sets it
// itself (followOriginal does, an editor may) or was written before the
// mark (a phone's edit pushed from a base older than the mark,
// changelog.Unseen: its translator did not know the original had moved).
// An editor who finds the original's change does not touch the
// translation clears it by hand.
func settleOutdated(ctx context.Context, record *core.Record) {
	if !hasField(record, fieldOutdated) || !record.GetBool(fieldOutdated) {
		return
	}
	switch {
	case record.GetString(fieldTranslationOf) == "":
		record.Set(fieldOutdated, false)
	case record.IsNew() || record.Original().GetBool(fieldOutdated) != record.GetBool(fieldOutdated):
		// set by this write
	case changelog.Unseen(ctx, fieldOutdated):
		// an edit of the text as it was before the mark
	case anyChanged(record, translated[record.Collection().Name]):
		record.Set(fieldOutdated, false)
	}
}

func hasField(record *core.Record, name string) bool {
	return record.Collection().Fields.GetByName(name) != nil
}

func anyChanged(record *core.Record, fields []string) bool {
	for _, f := range fields {
		if hasField(record, f) && fieldChanged(record, f) {
			return true
		}
	}
	return false
}
