package workflow

import (
	"slices"

	"github.com/pocketbase/pocketbase/core"
)

// shared are the fields of a version that are facts about what the text
// says, not its wording: a translation has its original's. An update's
// region and related reports, a fact-check's platform (where the claim
// circulates). The verdict is shared too, but refused when a translation
// sends another (checkVerdictOfOriginal, carryVerdict): it is a finding an
// editor writes on purpose, while these come back whole from every form and
// phone that edits a translation's text.
var shared = map[string][]string{
	UpdatesCollection:    {"region", fieldRelatedIncidents},
	FactChecksCollection: {"platform"},
}

// takeShared gives a translation its original's shared fields, whatever the
// write sent: on create (a translator starts from the original's region and
// reports), and on every later save, so a value a form or a phone sends
// back from an older copy, or an editor sets on one language alone, never
// makes the group disagree. A correction is made on the original, which
// passes it on (followShared). A reader filtering by region in Tajik found
// a translation under the region its original had before a correction.
//
// Overwriting rather than refusing: the review screen's form sends every
// field of a translation it edits, and its list of related reports holds
// only the verified ones an editor may read, so a translation of an update
// on a reopened report could not have had its text corrected; and a phone's
// whole-document edit would be refused for a field its translator never
// touched. The answer, like the change log, shows what was kept.
func takeShared(app core.App, record *core.Record) {
	fields := sharedFields(record)
	of := record.GetString(fieldTranslationOf)
	if len(fields) == 0 || of == "" {
		return
	}
	original, err := app.FindRecordById(record.Collection(), of)
	if err != nil {
		return // the relation field reports a missing original
	}
	copyShared(original, record, fields)
}

// sharedFields are the shared fields record's collection has.
func sharedFields(record *core.Record) []string {
	if !hasField(record, fieldTranslationOf) {
		return nil
	}
	var fields []string
	for _, f := range shared[record.Collection().Name] {
		if hasField(record, f) {
			fields = append(fields, f)
		}
	}
	return fields
}

// copyShared sets fields of translation to original's values and reports
// whether any differed.
func copyShared(original, translation *core.Record, fields []string) bool {
	changed := false
	for _, f := range fields {
		if f == fieldRelatedIncidents {
			from := original.GetStringSlice(f)
			if slices.Equal(from, translation.GetStringSlice(f)) {
				continue
			}
			translation.Set(f, from)
		} else {
			if original.GetString(f) == translation.GetString(f) {
				continue
			}
			translation.Set(f, original.Get(f))
		}
		changed = true
	}
	return changed
}

// publishedOriginalRelates returns the reports that the published original
// of a translation relates now: the translation takes them (takeShared),
// and they are no new publication of its own (checkRelatedVerified).
func publishedOriginalRelates(app core.App, record *core.Record) []string {
	of := record.GetString(fieldTranslationOf)
	if of == "" || !hasField(record, fieldTranslationOf) {
		return nil
	}
	original, err := app.FindRecordById(record.Collection(), of)
	if err != nil || original.GetString(Editorial.Field) != EditorialPublished {
		return nil
	}
	return original.GetStringSlice(fieldRelatedIncidents)
}
