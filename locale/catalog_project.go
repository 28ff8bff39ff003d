package locale

import "github.com/nicksnyder/go-i18n/v2/i18n"

// mailMessages are the English sources of the e-mails sent to users (see
// mail.go). Placeholders: {{.AppName}}.
var mailMessages = []*i18n.Message{
	{ID: "mail_greeting", Other: "Hello,"},
	{ID: "mail_thanks", Other: "Thanks,"},
	{ID: "mail_team", Other: "{{.AppName}} team"},

	{ID: "mail_verification_subject", Other: "Verify your {{.AppName}} email"},
	{ID: "mail_verification_intro", Other: "Thank you for joining us at {{.AppName}}."},
	{ID: "mail_verification_action", Other: "Click on the button below to verify your email address."},
	{ID: "mail_verification_button", Other: "Verify"},
	{ID: "mail_verification_ignore", Other: "If you didn't recently register, please ignore this email."},

	{ID: "mail_password_reset_subject", Other: "Reset your {{.AppName}} password"},
	{ID: "mail_password_reset_action", Other: "Click on the button below to reset your password."},
	{ID: "mail_password_reset_button", Other: "Reset password"},
	{ID: "mail_password_reset_ignore", Other: "If you didn't ask to reset your password, please ignore this email."},

	{ID: "mail_email_change_subject", Other: "Confirm your new {{.AppName}} email address"},
	{ID: "mail_email_change_action", Other: "Click on the button below to confirm your new email address."},
	{ID: "mail_email_change_button", Other: "Confirm new email"},
	{ID: "mail_email_change_ignore", Other: "If you didn't ask to change your email address, please ignore this email."},

	{ID: "mail_otp_subject", Other: "Your {{.AppName}} one-time password"},
	{ID: "mail_otp_action", Other: "Your one-time password is:"},
	{ID: "mail_otp_ignore", Other: "If you didn't ask for the one-time password, you can ignore this email."},

	{ID: "mail_login_alert_subject", Other: "Login from a new location"},
	{ID: "mail_login_alert_action", Other: "We noticed a login to your {{.AppName}} account from a new location:"},
	{ID: "mail_login_alert_warning", Other: "If this wasn't you, change your {{.AppName}} password now: that signs out every other device."},
	{ID: "mail_login_alert_ignore", Other: "If this was you, you may disregard this email."},
}

// countMessages are counts people read in notifications and summaries.
// Use them with Plural.
var countMessages = []*i18n.Message{
	{
		ID:          "reports_count",
		Description: "A number of incident reports, e.g. in a coordinator's summary.",
		One:         "{{.Count}} report",
		Other:       "{{.Count}} reports",
	},
	{
		ID:          "reports_awaiting_review",
		Description: "Notification to coordinators: how many reports wait for review.",
		One:         "{{.Count}} report is waiting for review.",
		Other:       "{{.Count}} reports are waiting for review.",
	},
	{
		ID:          "aid_requests_open",
		Description: "Notification to coordinators: how many aid requests are open.",
		One:         "{{.Count}} aid request is open.",
		Other:       "{{.Count}} aid requests are open.",
	},
}

// contentMessages go with multilingual content (content.go).
var contentMessages = []*i18n.Message{
	{
		ID:          "content_fallback_notice",
		Description: "Shown above a text served in another language than the reader asked for. Requested and Language are language names (label.language.*).",
		Other:       "This text is not available in {{.Requested}}. It is shown in {{.Language}}.",
	},
	{
		ID:          "content_outdated_notice",
		Description: "Shown above a translation whose original was changed after it was translated (the record's outdated field).",
		Other:       "This translation may be out of date: the original was changed after it was translated.",
	},
	{
		ID:          "content_related_unverified_notice",
		Description: "Shown above a published update that relates an incident report which is being checked again (reopened or archived after publication; the update's related_unverified field).",
		Other:       "A report this update relies on is being checked again; parts of it may change.",
	},
}

// projectErrorMessages are the English sources of the error codes this
// project's packages emit (workflow, syncapi, photos, privacy, security,
// locale's content and list limits). The ID is the code.
// TestMessages_ProjectCodes greps the project for `NewError("…"` and
// `Code… = "…"` literals and fails when one has no message here.
// Params named from, to, status and initial are status values; the
// localizer shows their labels (label.status.*) instead of the raw values.
var projectErrorMessages = []*i18n.Message{
	{ID: "workflow_invalid_transition", Other: "Cannot change status from {{.from}} to {{.to}}."},
	{ID: "workflow_district_outside_region", Other: "This district or city is not in the chosen region."},
	{ID: "workflow_organization_inactive", Other: "This organization is not active: choose an active one."},
	{ID: "workflow_phone_invalid", Other: "Enter a phone number of 5 to 15 digits, such as +992 92 123 4567."},
	{ID: "workflow_invalid_initial_status", Other: "New records start as {{.initial}}, not {{.status}}."},
	{ID: "workflow_required_for_status", Other: "Required when the status is {{.status}}."},
	{ID: "workflow_verifier_not_coordinator", Other: "The verifier must be a coordinator."},
	{ID: "workflow_verdict_of_original", Other: "A translation has the verdict of its original: change the verdict there."},
	{ID: "workflow_verifier_is_reporter", Other: "A report must be verified by someone other than its reporter."},
	{ID: "workflow_original_retracted", Other: "The original of this text was retracted: publish it again before its translations."},
	{ID: "workflow_related_not_verified", Other: "A published update can rest on verified reports only."},
	{ID: "workflow_verified_fixed", Other: "A verified report cannot be changed: reopen it for review first."},
	{ID: "workflow_photos_kept_in_review", Other: "Photos of a report in review can be added, not removed or replaced."},
	{ID: "workflow_reviewer_is_reporter", Other: "You filed this report: another coordinator reviews it."},
	{ID: "workflow_public_summary_private", Other: "Everyone can read the public summary: take out phone numbers, e-mail addresses and exact coordinates."},
	{ID: "workflow_report_in_published_update", Other: "Published updates relate to this report ({{.updates}}): retract them or remove the report from them first."},
	{ID: "workflow_related_incident_unknown", Other: "There is no incident report with this id that you can see."},
	{ID: "workflow_organization_assigned", Other: "Aid requests name this organization (count: {{.requests}}): retire it (make it inactive) instead of deleting it."},
	{ID: "workflow_user_verified_reports", Other: "Incident reports name this user as their verifier (count: {{.reports}}): the account stays while they do. To end its access, change its role or password instead."},
	{ID: "workflow_user_has_records", Other: "Records name this user as the one who filed or wrote them (incident reports: {{.reports}}, aid requests: {{.requests}}, updates: {{.updates}}, fact checks: {{.fact_checks}}): they stay, and the account with them. To end its access, change its role or password instead."},
	{ID: "workflow_organization_has_members", Other: "Accounts belong to this organization (count: {{.users}}): retire it (make it inactive), or move its aid workers to another organization first."},

	{ID: "photos_unsupported_type", Other: "{{.name}} is {{.type}}; only JPEG, PNG and WebP images are accepted."},
	{ID: "photos_invalid_image", Other: "{{.name}} is not a readable {{.type}} image."},
	{ID: "photos_too_many_pixels", Other: "{{.name}} is {{.width}}×{{.height}} pixels; photos of up to 50 megapixels are accepted."},
	{ID: "photos_too_large", One: "{{.name}} is larger than {{.maxSize}} byte.", Other: "{{.name}} is larger than {{.maxSize}} bytes."},
	{ID: "photos_uploads_busy", Other: "The server is busy receiving other uploads. Try again shortly."},
	{ID: "photos_uploads_caller_busy", Other: "Your other uploads are still being received. Try again when they have finished."},
	{ID: "photos_busy", Other: "The server is busy making other thumbnails. Try again shortly."},
	{ID: "photos_thumb_too_many_pixels", Other: "This photo is {{.width}}×{{.height}} pixels, over 50 megapixels: it has no thumbnail. Download the original."},

	{ID: "content_translation_of_itself", Other: "A text cannot be a translation of itself."},
	{ID: "content_translation_of_translation", Other: "Point at the original text, not at one of its translations."},
	{ID: "content_translation_has_translations", Other: "This text has translations of its own, so it cannot be a translation."},
	{ID: "content_translation_same_language", Other: "There is already a version of this text in this language."},
	{ID: "content_invalid_page", Other: "Must be a whole number from 1."},
	{ID: "content_invalid_per_page", Other: "Must be a whole number from 1 to {{.max}}."},

	{ID: "changelog_changed_meanwhile", Other: "Someone else changed this record while you were editing it. Reload it and make your change again."},

	{ID: "privacy_forbidden_query_field", Other: "You cannot filter or sort by {{.field}}."},

	{ID: "list_filter_too_complex", Other: "The filter is too complex: it may have at most {{.max}} conditions."},
	{ID: "list_filter_too_long", Other: "The filter is too long: it may have at most {{.max}} characters."},
	{ID: "list_sort_too_many", Other: "Sort by at most {{.max}} fields."},
	{ID: "list_sort_field_too_long", Other: "A sort field is too long: it may have at most {{.max}} characters."},

	{ID: "realtime_too_many_subscriptions", Other: "At most {{.max}} realtime subscriptions to records are allowed at once."},
	{ID: "realtime_server_busy", Other: "The server has too many realtime subscriptions open. Wait a minute and try again."},
	// Not codes: the top-level message of PocketBase's own refusal of a
	// subscribe request, whose field error keeps PocketBase's code
	// (subscribeReason).
	{ID: "realtime_subscribe_too_many_topics", Other: "A realtime connection may subscribe to at most {{.max}} topics at once."},
	{ID: "realtime_subscribe_topic_too_long", Other: "A realtime subscription topic may have at most {{.max}} characters."},

	{ID: "login_account_locked", Other: "There were too many failed sign-ins to this account. Sign in from a network you signed in to it from before, or try again later."},
	{ID: "login_too_many_attempts", Other: "There were too many sign-in attempts from your network. Wait a little and try again."},
	{ID: "rate_limited", Other: "There were too many requests. Wait a little and try again."},

	{ID: "body_too_large", One: "The request body is larger than {{.limit}} byte.", Other: "The request body is larger than {{.limit}} bytes."},

	{ID: "sync_auth_required", Other: "Sign in to push changes."},
	{ID: "sync_invalid_token", Other: "Your session has expired or is invalid. Sign in again."},
	{ID: "sync_unsupported_protocol", Other: "This app version uses a sync protocol the server does not support. Update the app."},
	{ID: "sync_malformed_body", Other: "The sync request could not be read."},
	{ID: "sync_body_too_large", Other: "The sync request is too large. Send fewer changes at once."},
	{ID: "sync_unsupported_encoding", Other: "The sync request is compressed in a way the server does not accept. Send it uncompressed or with gzip."},
	{ID: "sync_too_many_mutations", Other: "Too many changes in one request: send at most 500."},
	{ID: "sync_invalid_client", Other: "The device id is missing or invalid."},
	{ID: "sync_client_taken", Other: "This device id belongs to another user. Sign in as that user or reinstall the app."},
	{ID: "sync_unknown_collection", Other: "This kind of data cannot be synced."},
	{ID: "sync_invalid_limit", Other: "The page size must be a whole number of 1 or more; a page holds at most 1000 records."},
	{ID: "sync_history_changed", Other: "The server was restored to an earlier state. Send again the changes you sent recently, then these."},
	{ID: "sync_invalid_position", Other: "The position sent is malformed. Send it as the server gave it."},
	{ID: "sync_invalid_parameter", Other: "A parameter of the sync request has a value the server does not accept. Update the app."},
	{ID: "sync_internal_error", Other: "The server could not complete the sync. Try again later."},
	{ID: "sync_invalid_mutation", Other: "This change is malformed and was not applied."},
	{ID: "sync_forbidden", Other: "You are not allowed to make this change."},
	{ID: "sync_validation_failed", Other: "Some fields are invalid."},
	{ID: "sync_not_found", Other: "The record does not exist."},
	{ID: "sync_record_exists", Other: "A different record with this id already exists."},
	{ID: "sync_retry_later", Other: "The server could not apply this change now. It will be sent again."},
}
