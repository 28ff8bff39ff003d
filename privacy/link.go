package privacy

import (
	"slices"

	"github.com/pocketbase/pocketbase/core"
)

// fieldRelatedIncident links an aid request to the incident report behind it.
const fieldRelatedIncident = "related_incident"

// linkHidden returns the extra fields to hide that need a database lookup:
// the related_incident of an aid request whose requester is the reporter of
// that incident, when v may not see that reporter. The pair (requester,
// related_incident) would otherwise name the reporter of an anonymous
// report to a coordinator.
func linkHidden(app core.App, v Viewer) func(*core.Record) []string {
	return func(record *core.Record) []string {
		if v.Superuser || record.Collection().Name != aidRequests {
			return nil
		}
		incidentID := record.GetString(fieldRelatedIncident)
		if incidentID == "" {
			return nil
		}
		incident, err := app.FindRecordById(reports, incidentID)
		if err != nil {
			return nil // a dangling link names nobody
		}
		if incident.GetString(fieldReporter) == record.GetString(fieldRequester) &&
			slices.Contains(HiddenFields(v, incident), fieldReporter) {
			return []string{fieldRelatedIncident}
		}
		return nil
	}
}

// RecordHiddenFields is HiddenFields plus the rules that need the database
// (an aid request's link to an incident its requester reported
// anonymously). Prefer it wherever an app is at hand: the enrich hook
// applies exactly this set.
func RecordHiddenFields(app core.App, v Viewer, record *core.Record) []string {
	return append(HiddenFields(v, record), linkHidden(app, v)(record)...)
}
