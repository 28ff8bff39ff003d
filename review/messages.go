package review

import (
	"net/http"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"github.com/pocketbase/pocketbase/core"

	"aman/locale"
)

// Messages are the English sources of the screen's own strings. Labels of
// collections, fields and select values come from GET /api/aman/labels;
// error messages come localized from the API itself. goi18n extract reads
// this file too (docs/localization.md), and TestMessages_EveryLanguage
// fails while one has no text in a supported language. No placeholders:
// the screen shows the strings as they are.
var Messages = []*i18n.Message{
	{ID: "review_title", Other: "Aman review"},
	{ID: "review_intro", Other: "For coordinators, editors and the aid workers of aid organizations. Sign in with the account you use in the app."},
	{ID: "review_email", Other: "Email"},
	{ID: "review_password", Other: "Password"},
	{ID: "review_sign_in", Other: "Sign in"},
	{ID: "review_sign_out", Other: "Sign out"},
	{ID: "review_language", Other: "Language"},
	{ID: "review_loading", Other: "Loading…"},
	{ID: "review_session_ended", Other: "Your session has ended: sign in again."},
	{ID: "review_account_gone", Other: "Your account was removed, or its session was ended on the server: sign in again, or ask an administrator."},
	{ID: "review_access_changed", Other: "Your access changed: the lists were refreshed."},
	{ID: "review_network_error", Other: "The server could not be reached. Check the connection and try again."},
	{ID: "review_volunteer_note", Other: "This screen is for coordinators, editors and the aid workers of aid organizations. Your own reports and aid requests are made in the phone app; here you can only read them."},
	{ID: "review_queue", Other: "To review"},
	{ID: "review_active", Other: "In progress"},
	{ID: "review_all", Other: "All"},
	{ID: "review_any_urgency", Other: "Any urgency"},
	{ID: "review_empty", Other: "Nothing here."},
	{ID: "review_more", Other: "Show more"},
	{ID: "review_back", Other: "Back to the list"},
	{ID: "review_refresh", Other: "Refresh"},
	{ID: "review_yes", Other: "Yes"},
	{ID: "review_no", Other: "No"},
	{ID: "review_saved", Other: "Saved."},
	{ID: "review_anonymous", Other: "Anonymous report: the reporter is hidden."},
	{ID: "review_change_status", Other: "Change status"},
	{ID: "review_take", Other: "Take into review"},
	{ID: "review_send_back", Other: "Send back to the reporter"},
	{ID: "review_verify", Other: "Verify"},
	{ID: "review_dispute", Other: "Mark disputed"},
	{ID: "review_mark_false", Other: "Mark false"},
	{ID: "review_archive", Other: "Archive"},
	{ID: "review_reopen", Other: "Reopen for review"},
	{ID: "review_restore", Other: "Restore to review"},
	{ID: "review_save", Other: "Save"},
	{ID: "review_decision", Other: "Review"},
	{ID: "review_verify_hint", Other: "Verifying needs a verification note. You are recorded as the verifier."},
	{ID: "review_assign", Other: "Assign"},
	{ID: "review_no_organization", Other: "No organization"},
	{ID: "review_new", Other: "New"},
	{ID: "review_edit", Other: "Edit"},
	{ID: "review_cancel", Other: "Cancel"},
	{ID: "review_publish", Other: "Publish"},
	{ID: "review_retract", Other: "Retract"},
	{ID: "review_reinstate", Other: "Reinstate"},
	{ID: "review_none_verified", Other: "No verified reports yet."},
	{ID: "review_related_kept", Other: "No longer verified, so you cannot read it: it stays related to this update unless you uncheck it, and once unchecked it can be added again only when it is verified."},
	{ID: "review_assigned_to_you", Other: "Requests assigned to your organization"},
	{ID: "review_field", Other: "Field"},
	{ID: "review_conflicting", Other: "(conflict)"},
	{ID: "review_hidden", Other: "(hidden)"},
	{ID: "review_record_unreadable", Other: "(gone, or not yours to read)"},
	{ID: "review_record_conflicts", Other: "Sync conflicts about one record"},
	{ID: "review_other_server_fields", Other: "Other fields on the server then"},
	{ID: "review_resolve", Other: "Resolve"},
	{ID: "review_resolve_hint", Other: "Say what you did about it: applied the phone's values, kept the server's, or asked the volunteer. You are recorded as the one who resolved it."},
	{ID: "review_reopen_conflict", Other: "Reopen"},
	{ID: "review_resolved_by_other", Other: "Another reviewer resolved this conflict: only they can change or reopen it."},
	{ID: "review_resolved_by_admin", Other: "An administrator resolved this conflict: only an administrator can change or reopen it."},
	{ID: "review_resolved_elsewhere", Other: "This conflict was resolved meanwhile, on another screen."},
	{ID: "review_own_report", Other: "You filed this report: another coordinator reviews it."},
	{ID: "review_open_conflicts", Other: "Open sync conflicts"},
	{ID: "review_history", Other: "History of changes"},
	{ID: "review_history_unknown", Other: "Which fields changed is not known (written before the history was kept)."},
	{ID: "review_no_actor", Other: "no account shown (the system, or hidden from you)"},
	{ID: "review_by_admin", Other: "an administrator"},
	{ID: "review_translations", Other: "Translations"},
	{ID: "review_original", Other: "original"},
	{ID: "review_translate_into", Other: "Translate into"},
	{ID: "review_translate", Other: "Translate"},
	{ID: "review_translate_hint", Other: "Creates a draft in that language with the original's text, for you to translate and publish."},
	{ID: "review_all_translated", Other: "There is a version in every language."},
	{ID: "review_follows_original", Other: "A translation has its original's value here, whatever the form sends: change it on the original."},
	{ID: "review_open_original", Other: "Open the original"},
	{ID: "review_outdated", Other: "Out of date"},
	{ID: "review_outdated_note", Other: "The original was changed after this translation was written. Edit the translation to bring it in line; if the change does not touch it, mark it up to date."},
	{ID: "review_mark_current", Other: "Mark up to date"},
	{ID: "review_related_unverified", Other: "Report no longer verified"},
	{ID: "review_related_unverified_note", Other: "A report this update relates to is no longer verified: it was reopened or archived after publication, and readers are told. Take it out of the update (Edit), retract the update, or wait until it is verified again."},
	{ID: "review_gone", Other: "This record is no longer available to you: it was deleted, or changed so that you may no longer see it (for example, a request given to another organization)."},
	{ID: "review_changed_elsewhere", Other: "This record was changed by someone else. What you typed is kept; Refresh shows the record as it is now."},
	{ID: "review_org_retired", Other: "organization retired"},
	{ID: "review_photo_too_large", Other: "Too large for a preview: open the original."},
	{ID: "review_photo_original", Other: "Open the original"},
	{ID: "review_photo_busy", Other: "The server is busy making previews: this photo is not shown yet."},
	{ID: "review_photo_retry", Other: "Try again"},
	// {n}, the seconds of a 429's Retry-After, is filled by the screen (app.js, fail)
	{ID: "review_try_again_in", Other: "Try again in {n} s."},
	{ID: "review_live_paused", Other: "Live refresh is paused: the server is busy. The list is up to date as of now."},
}

// messagesHandler serves GET /api/aman/review/messages[?lang=…]: the
// screen's strings in the request's language (?lang=, the signed-in user's
// language, Accept-Language, the region fallback; see locale.FromRequest).
func messagesHandler(e *core.RequestEvent) error {
	lang := locale.FromRequest(e)
	out := make(map[string]string, len(Messages))
	for _, m := range Messages {
		out[m.ID] = locale.T(lang, m.ID, nil)
	}
	h := e.Response.Header()
	h.Set("Content-Language", lang)
	h.Set("Cache-Control", "no-cache")
	h.Add("Vary", "Accept-Language, Authorization")
	return e.JSON(http.StatusOK, map[string]any{
		"language":  lang,
		"languages": locale.Languages,
		"messages":  out,
	})
}
