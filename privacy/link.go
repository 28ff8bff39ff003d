package privacy

import (
	"slices"

	"github.com/pocketbase/pocketbase/core"
)

// fieldRelatedIncident links an aid request to the incident report behind it.
const fieldRelatedIncident = "related_incident"

// linkHidden returns the extra fields to hide that need a database lookup:
// the related_incident of an aid request (see LinkHidden).
func linkHidden(app core.App, v Viewer) func(*core.Record) []string {
	return func(record *core.Record) []string {
		if record.Collection().Name != aidRequests {
			return nil
		}
		if LinkHidden(app, v, record.GetString(fieldRequester), record.GetString(fieldRelatedIncident)) {
			return []string{fieldRelatedIncident}
		}
		return nil
	}
}

// LinkHidden reports whether v may not see that an aid request of requester
// relates to the incident report incidentID: v is not the requester and may
// not see that report's reporter (an anonymous report, for a coordinator).
// Requester plus link could name the reporter of an anonymous report.
//
// Whether the link is hidden depends on the linked report alone, never on
// who the requester is: hiding only the links whose requester is the
// report's reporter would itself tell a coordinator, who may set a link
// and read the answer, who filed a report anonymously.
func LinkHidden(app core.App, v Viewer, requester, incidentID string) bool {
	if v.Superuser || incidentID == "" || (v.ID != "" && requester == v.ID) {
		return false
	}
	incident, err := app.FindRecordById(reports, incidentID)
	if err != nil {
		return false // a dangling link names nobody
	}
	return slices.Contains(HiddenFields(v, incident), fieldReporter)
}

// ClearsLink reports whether value, sent for field in an update, clears an
// aid request's link. An update may name a field hidden from the caller
// only to do this: a hidden link is never empty, so clearing it tells
// nothing of its value, and a coordinator who linked the wrong anonymous
// report must be able to undo it.
func ClearsLink(field string, value any) bool {
	if field != fieldRelatedIncident {
		return false
	}
	s, isString := value.(string)
	return value == nil || (isString && s == "")
}

// HiddenValue reports whether value, held by field of record at some time
// (in its history, or in a sync conflict about it), is hidden from v even
// where the field is not hidden on the record now: an aid request's link
// to a report whose reporter v may not see (LinkHidden) stays hidden after
// the link is changed. The other fields are hidden by role and ownership
// alone, which RecordHiddenFields answers.
func HiddenValue(app core.App, v Viewer, record *core.Record, field string, value any) bool {
	if record.Collection().Name != aidRequests || field != fieldRelatedIncident {
		return false
	}
	id, _ := value.(string)
	return LinkHidden(app, v, record.GetString(fieldRequester), id)
}

// RecordHiddenFields is HiddenFields plus the rules that need the database
// (an aid request's link to an incident its requester reported
// anonymously). Prefer it wherever an app is at hand: the enrich hook
// applies exactly this set.
func RecordHiddenFields(app core.App, v Viewer, record *core.Record) []string {
	return append(HiddenFields(v, record), linkHidden(app, v)(record)...)
}
