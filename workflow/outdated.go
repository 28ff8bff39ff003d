package workflow

import (
	"context"

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
// outdated, each translation saved once through every model hook; and a
// change of its related_unverified mark is passed on (settleTranslationsMark).
func followOriginal(e *core.RecordEvent) error {
	r := e.Record
	if !hasField(r, fieldTranslationOf) || r.GetString(fieldTranslationOf) != "" {
		return e.Next()
	}
	verdict, carry := carryVerdict(r)
	mark := hasField(r, fieldOutdated) && (carry || anyChanged(r, translated[r.Collection().Name]))
	// the original's related_unverified is the group's (groupRestsOnUnverified)
	rests := hasField(r, fieldRelatedUnverified) && fieldChanged(r, fieldRelatedUnverified)
	var which []dbx.Expression
	if carry {
		which = append(which, dbx.Not(dbx.HashExp{fieldVerdict: verdict}))
	}
	if mark {
		which = append(which, dbx.HashExp{fieldOutdated: false})
	}
	if len(which) == 0 && !rests {
		return e.Next()
	}
	return thenInTransaction(e, func(tx core.App) error {
		if len(which) > 0 {
			err := saveTranslations(tx, r, dbx.Or(which...), func(translation *core.Record) {
				if carry {
					translation.Set(fieldVerdict, verdict)
				}
				if mark {
					translation.Set(fieldOutdated, true)
				}
			})
			if err != nil {
				return err
			}
		}
		if rests {
			return settleTranslationsMark(tx, r)
		}
		return nil
	})
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
