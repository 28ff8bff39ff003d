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

// queryLinkHidden reports whether a query path step from collection
// through field is the aid request → incident link, which v may not query
// when it may not query reporters: "aid requests linked to this anonymous
// report" lists their requesters, often the reporter.
func queryLinkHidden(v Viewer, collection, field string) bool {
	return collection == aidRequests && field == fieldRelatedIncident &&
		slices.Contains(QueryHiddenFields(v, reports), fieldReporter)
}
