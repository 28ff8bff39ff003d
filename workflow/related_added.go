package workflow

import (
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
)

// checkAddedVerified refuses an update request that adds to an update's
// related_incidents a report that is not verified now, whatever the
// update's status; taking reports out is always allowed. The update rule
// used to require every report the request names to be verified
// (pb_migrations/1795766260_create_updates.js), so an editor could not take
// one of two reopened reports out of an update: the other was named, and
// not verified (1795768300_related_removed_while_unverified.js took that
// clause off). Editors read verified reports only, and a missing report is
// refused alike, before the relation field would name it missing, so the
// answer tells no more about which ids exist than the rule did.
//
// A request hook, like checkLinkReadable: superusers may draft on any
// report (publishing checks the reports for everyone, checkRelatedVerified),
// and the sync push runs its mutations through it.
func checkAddedVerified(e *core.RecordRequestEvent) error {
	r := e.Record
	if !hasField(r, fieldRelatedIncidents) || !relationChanged(r, fieldRelatedIncidents) {
		return e.Next()
	}
	ids := added(r.Original().GetStringSlice(fieldRelatedIncidents), r.GetStringSlice(fieldRelatedIncidents))
	if len(ids) == 0 || e.HasSuperuserAuth() {
		return e.Next()
	}
	if err := allVerified(e.App, ids); err != nil {
		if verr, ok := err.(validation.Error); ok {
			return e.BadRequestError("Failed to update record.", validation.Errors{fieldRelatedIncidents: verr})
		}
		return err
	}
	return e.Next()
}
