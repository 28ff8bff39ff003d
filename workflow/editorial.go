package workflow

import (
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

// fieldRelatedIncidents is the updates relation to the reports an update
// rests on.
const fieldRelatedIncidents = "related_incidents"

func validateEditorial(e *core.RecordEvent) error {
	errs := validation.Errors{}
	status, err := Transition(Editorial, e.Record)
	if err != nil {
		errs[Editorial.Field] = err
		return result(e, errs)
	}
	stampPublished(e.Record, status)
	settleOutdated(e.Context, e.Record)
	takeShared(e.App, e.Record)
	if err := checkRelatedVerified(e.App, e.Record, status); err != nil {
		errs[fieldRelatedIncidents] = err
	}
	if err := settleRelatedUnverified(e.App, e.Record, status); err != nil {
		return err
	}
	if err := checkOriginalNotRetracted(e.App, e.Record, status); err != nil {
		errs[fieldTranslationOf] = err
	}
	if err := checkVerdictOfOriginal(e.App, e.Record); err != nil {
		errs[fieldVerdict] = err
	}
	return result(e, errs)
}

// fieldPublishedAt is when a text was published: readers' lists are newest
// first by it.
const fieldPublishedAt = "published_at"

// stampPublished gives a text that becomes published (created published,
// a draft published, a retracted text reinstated) the current time as
// published_at unless the write or an earlier publication set one, as an
// aid request's acknowledged_at is stamped. Without it the newest text
// sorted below every other, as a draft does.
//
// Once a text is out of draft, a write that clears published_at keeps the
// one it had: a phone that sends its whole document sends the empty
// published_at it held when it published offline, in every edit queued
// after, and those are merged as no news to it (its own device wrote the
// stamp).
//
// A time later than now, written or kept from the draft, is lowered to now
// when the text is published or its time changes: there is no scheduling,
// and a time in 2099 pinned a text above every other in readers' lists.
func stampPublished(record *core.Record, status string) {
	if status == EditorialDraft || record.Collection().Fields.GetByName(fieldPublishedAt) == nil {
		return
	}
	if at := record.GetDateTime(fieldPublishedAt); !at.IsZero() {
		now := types.NowDateTime()
		if at.After(now) && (fieldChanged(record, fieldPublishedAt) || statusChanged(Editorial, record)) {
			record.Set(fieldPublishedAt, now)
		}
		return
	}
	if had := record.Original().GetDateTime(fieldPublishedAt); !had.IsZero() {
		record.Set(fieldPublishedAt, had)
		return
	}
	if status == EditorialPublished && statusChanged(Editorial, record) {
		record.Set(fieldPublishedAt, types.NowDateTime())
	}
}

// checkRelatedVerified refuses publishing an update that relates a report
// which is not verified (now), and relating one to a published update. The
// ids of related reports become public with the update. The API rules check
// only the reports a request names, so an update drafted on a report that
// was reopened since, or a superuser's draft, would otherwise be published
// on an unverified report. A published update is not judged again when
// neither its status nor its relation changes: a report reopened after
// publication is the reviewers' news, and retracting must stay possible:
// the update is marked related_unverified instead (reopened.go).
//
// A change of the relation of a published update is judged by what it
// adds: each added report must be verified now, while taking reports out
// is always allowed, since it only narrows what the text rests on. An
// update on two reopened reports was otherwise stuck with both: taking one
// out was refused because the other was still unverified. A translation
// takes its original's relation (shared.go), so the reports its published
// original relates are not new to it either: they were published with the
// original.
func checkRelatedVerified(app core.App, record *core.Record, status string) error {
	if status != EditorialPublished || record.Collection().Fields.GetByName(fieldRelatedIncidents) == nil {
		return nil
	}
	ids := record.GetStringSlice(fieldRelatedIncidents)
	if !statusChanged(Editorial, record) {
		if !relationChanged(record, fieldRelatedIncidents) {
			return nil
		}
		had := record.Original().GetStringSlice(fieldRelatedIncidents)
		had = append(had, publishedOriginalRelates(app, record)...)
		ids = added(had, ids)
	}
	return allVerified(app, ids)
}

// allVerified refuses ids unless each names a report that is verified now.
func allVerified(app core.App, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	reports, err := app.FindRecordsByIds(ReportsCollection, ids)
	if err != nil {
		return err
	}
	if len(reports) < len(ids) {
		return errRelatedNotVerified() // the relation validator names missing ones too
	}
	for _, report := range reports {
		if report.GetString(Reports.Field) != ReportVerified {
			return errRelatedNotVerified()
		}
	}
	return nil
}

// added returns the ids of after that before lacks, each once.
func added(before, after []string) []string {
	seen := make(map[string]bool, len(before)+len(after))
	for _, id := range before {
		seen[id] = true
	}
	var out []string
	for _, id := range after {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

func relationChanged(record *core.Record, field string) bool {
	if record.IsNew() {
		return true
	}
	before := record.Original().GetStringSlice(field)
	after := record.GetStringSlice(field)
	if len(before) != len(after) {
		return true
	}
	seen := make(map[string]bool, len(before))
	for _, id := range before {
		seen[id] = true
	}
	for _, id := range after {
		if !seen[id] {
			return true
		}
	}
	return false
}
