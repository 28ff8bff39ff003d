// Package privacy hides, per viewer, the fields that API rules cannot: the
// reporter of a report, exact locations, a beneficiary's name and phone, and
// who verified a report. API rules decide which records a role reads; this
// package decides which fields of those records it sees.
//
// It hooks OnRecordEnrich for every collection, so every record serialized
// by PocketBase's REST list/view/create/update, /api/batch, realtime events
// and any route that calls apis.EnrichRecord(s) (the sync engine does) is
// redacted, including records nested in ?expand. It also refuses list
// filters, sorts and realtime subscription filters that name a field hidden
// from the viewer, which would otherwise disclose it by elimination.
package privacy

import (
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
)

// Register binds the privacy hooks to app.
func Register(app core.App) error {
	app.OnRecordEnrich().Bind(&hook.Handler[*core.RecordEnrichEvent]{
		Id:   "amanPrivacyRedact",
		Func: redactEnriched,
		// First in the chain, so its code after e.Next() runs last and no
		// other enrich handler can add back what it hides.
		Priority: -1000,
	})
	app.OnRecordsListRequest().Bind(&hook.Handler[*core.RecordsListRequestEvent]{
		Id:   "amanPrivacyListQuery",
		Func: guardListQuery,
	})
	app.OnRealtimeSubscribeRequest().Bind(&hook.Handler[*core.RealtimeSubscribeRequestEvent]{
		Id:   "amanPrivacySubscriptions",
		Func: guardSubscriptions,
	})
	app.OnRecordAfterUpdateSuccess("users").Bind(&hook.Handler[*core.RecordEvent]{
		Id:   "amanPrivacyOutgrownSubscriptions",
		Func: dropOutgrownSubscriptions,
	})
	app.OnRealtimeMessageSend().Bind(&hook.Handler[*core.RealtimeMessageEvent]{
		Id:   "amanPrivacyRealtimeMessage",
		Func: guardRealtimeMessage,
	})
	return nil
}

// redactEnriched redacts after the rest of the chain: PocketBase builds the
// expand (and unhides everything for superusers) in the chain's finalizer,
// so only then is the whole tree there to redact.
func redactEnriched(e *core.RecordEnrichEvent) error {
	if err := e.Next(); err != nil {
		return err
	}
	var auth *core.Record
	if e.RequestInfo != nil {
		auth = e.RequestInfo.Auth
	}
	v := ViewerOf(auth)
	redact(v, e.Record, linkHidden(e.App, v))
	return nil
}
