package locale

import "github.com/nicksnyder/go-i18n/v2/i18n"

// apiMessages are the English sources of the top-level `message` of the
// error responses PocketBase v0.40.4 writes (apis/, tools/router), found
// with grep on the module source. PocketBase gives these messages no code,
// so the error localizer finds the message by its English text (after
// inflector.Sentenize, as router.NewApiError applies it). Messages built at
// runtime ("Raw error: …", provider names) cannot be matched and stay as
// they are, except 5xx, 413 and 429 ones (see statusMessage).
//
// The Other text must stay byte-identical to PocketBase's: a test checks
// that each one still occurs in the PocketBase source.
var apiMessages = []*i18n.Message{
	// router defaults
	{ID: "api_not_found", Other: "The requested resource wasn't found."},
	{ID: "api_bad_request", Other: "Something went wrong while processing your request."},
	{ID: "api_forbidden", Other: "You are not allowed to perform this request."},
	{ID: "api_unauthorized", Other: "Missing or invalid authentication."},
	{ID: "api_too_many_requests", Other: "Too Many Requests."},
	{ID: "api_request_too_large", Other: "Request entity too large."},
	{ID: "api_unsupported_content_type", Other: "Unsupported Content-Type."},

	// the health check's answer (apis/health.go), no error: healthMiddleware
	{ID: "api_healthy", Other: "API is healthy."},

	// submitted data
	{ID: "api_validation_failed", Other: "An error occurred while validating the submitted data."},
	{ID: "api_load_failed", Other: "An error occurred while loading the submitted data."},
	{ID: "api_read_failed", Other: "Failed to read the submitted data."},
	{ID: "api_invalid_formatting", Other: "Failed to load the submitted data due to invalid formatting."},
	{ID: "api_invalid_filter", Other: "Invalid filter format."},
	{ID: "api_request_info_failed", Other: "Failed to load request info."},

	// records
	{ID: "api_record_create_failed", Other: "Failed to create record."},
	{ID: "api_record_update_failed", Other: "Failed to update record."},
	{ID: "api_record_delete_failed", Other: "Failed to delete record. Make sure that the record is not part of a required relation reference."},
	{ID: "api_record_enrich_failed", Other: "Failed to enrich record."},
	{ID: "api_records_enrich_failed", Other: "Failed to enrich records."},
	{ID: "api_missing_collection", Other: "Missing collection context."},
	{ID: "api_invalid_collection", Other: "Missing or invalid collection context."},
	{ID: "api_unsupported_collection_type", Other: "Unsupported collection type."},
	{ID: "api_insufficient_permissions", Other: "Insufficient permissions to access the resource."},
	{ID: "api_superusers_only", Other: "Only superusers can perform this action."},
	{ID: "api_file_not_found", Other: "File not found."},
	{ID: "api_file_token_failed", Other: "Failed to generate file token."},

	// batch
	{ID: "api_batch_disabled", Other: "Batch requests are not allowed."},
	{ID: "api_batch_read_failed", Other: "Failed to read the submitted batch data."},
	{ID: "api_batch_files_read_failed", Other: "Failed to read the submitted batch files data."},
	{ID: "api_batch_invalid", Other: "Invalid batch request data."},
	{ID: "api_batch_failed", Other: "Batch transaction failed."},

	// authentication
	{ID: "api_auth_failed", Other: "Failed to authenticate."},
	{ID: "api_auth_token_failed", Other: "Failed to create auth token."},
	{ID: "api_auth_refresh_failed", Other: "Failed to refresh auth token."},
	{ID: "api_auth_required", Other: "The request requires valid record authorization token."},
	{ID: "api_auth_record_required", Other: "The request requires valid auth record."},
	{ID: "api_auth_superuser_or_owner", Other: "The request requires superuser or record authorization token."},
	{ID: "api_auth_not_allowed", Other: "The authorized record is not allowed to perform this action."},
	{ID: "api_guests_only", Other: "The request can be accessed only by guests."},
	{ID: "api_auth_requirements", Other: "The request doesn't satisfy the collection requirements to authenticate."},
	{ID: "api_auth_mismatch", Other: "The current and the previous request authorization don't match."},
	{ID: "api_auth_method_required", Other: "A different authentication method is required."},
	{ID: "api_missing_auth", Other: "Missing auth context."},
	{ID: "api_missing_auth_record", Other: "Missing auth record context."},
	{ID: "api_invalid_auth_collection", Other: "Missing or invalid auth collection context."},
	{ID: "api_password_auth_disabled", Other: "The collection is not configured to allow password authentication."},
	{ID: "api_otp_auth_disabled", Other: "The collection is not configured to allow OTP authentication."},
	{ID: "api_oauth2_auth_disabled", Other: "The collection is not configured to allow OAuth2 authentication."},
	{ID: "api_otp_invalid", Other: "Invalid or expired OTP."},
	{ID: "api_otp_too_many_attempts", Other: "Too many attempts, please try again later with a new OTP."},
	{ID: "api_otp_send_failed", Other: "Failed to send OTP email."},
	{ID: "api_otp_fetch_failed", Other: "Failed to fetch previous record OTPs."},
	{ID: "api_otp_delete_failed", Other: "Failed to delete used OTP."},
	{ID: "api_otp_verify_failed", Other: "Failed to update record verified state after successful OTP validation."},
	{ID: "api_mfa_invalid", Other: "Invalid MFA session."},
	{ID: "api_mfa_expired", Other: "Invalid or expired MFA session."},
	{ID: "api_mfa_read_failed", Other: "Failed to read MFA Id."},
	{ID: "api_mfa_create_failed", Other: "Failed to create MFA record."},
	{ID: "api_oauth2_token_failed", Other: "Failed to fetch OAuth2 token."},
	{ID: "api_oauth2_user_failed", Other: "Failed to fetch OAuth2 user."},
	{ID: "api_oauth2_record_check_failed", Other: "Failed OAuth2 auth record check."},
	{ID: "api_oauth2_relation_check_failed", Other: "Failed OAuth2 relation check."},
	{ID: "api_provider_config", Other: "Missing or invalid provider config."},
	{ID: "api_client_id", Other: "Missing or invalid client id."},
	{ID: "api_client_secret", Other: "Invalid client secret data."},
	{ID: "api_static_token_failed", Other: "Failed to generate static auth token."},
	{ID: "api_token_invalid", Other: "Invalid or expired token."},
	{ID: "api_verification_token_invalid", Other: "Invalid or expired verification token."},
	{ID: "api_verification_send_failed", Other: "Failed to send verification email."},
	{ID: "api_verified_save_failed", Other: "An error occurred while saving the verified state."},
	{ID: "api_password_reset_token_invalid", Other: "Invalid or expired password reset token."},
	{ID: "api_password_reset_send_failed", Other: "Failed to send password reset email."},
	{ID: "api_password_set_failed", Other: "Failed to set new password."},
	{ID: "api_email_change_request_failed", Other: "Failed to request email change."},
	{ID: "api_email_change_confirm_failed", Other: "Failed to confirm email change."},
	{ID: "api_superusers_verified", Other: "All superusers are verified by default."},
	{ID: "api_superusers_email", Other: "All superusers can change their emails directly."},
	{ID: "api_last_superuser", Other: "You can't delete the only existing superuser."},

	// realtime
	{ID: "api_realtime_client_invalid", Other: "Invalid realtime client."},
	{ID: "api_realtime_init_failed", Other: "Failed to initialize SSE connection."},

	// dashboard: collections, settings, logs, backups, crons
	{ID: "api_collection_create_failed", Other: "Failed to create collection."},
	{ID: "api_collection_update_failed", Other: "Failed to update collection."},
	{ID: "api_collection_type_formatting", Other: "Failed to load the collection type data due to invalid formatting."},
	{ID: "api_collections_import_failed", Other: "Failed to import collections."},
	{ID: "api_truncate_view", Other: "View collections cannot be truncated since they don't store their own records."},
	{ID: "api_truncate_failed", Other: "Failed to truncate collection (most likely due to required cascade delete record references)."},
	{ID: "api_rule_expression", Other: "Manage rule build expression error."},
	{ID: "api_settings_clone_failed", Other: "Failed to clone app settings."},
	{ID: "api_settings_save_failed", Other: "An error occurred while saving the new settings."},
	{ID: "api_test_email_failed", Other: "Failed to send the test email."},
	{ID: "api_s3_test_failed", Other: "Failed to test the S3 filesystem."},
	{ID: "api_filesystem_init_failed", Other: "Filesystem initialization failure."},
	{ID: "api_logs_stats_failed", Other: "Failed to generate logs stats."},
	{ID: "api_logs_truncate_failed", Other: "Failed to truncate all logs."},
	{ID: "api_backups_fs_failed", Other: "Failed to load backups filesystem."},
	{ID: "api_backup_create_failed", Other: "Failed to create backup."},
	{ID: "api_backup_upload_failed", Other: "Failed to upload backup."},
	{ID: "api_backup_restore_failed", Other: "Failed to restore backup."},
	{ID: "api_backup_invalid", Other: "Missing or invalid backup file."},
	{ID: "api_backup_in_use", Other: "The backup is currently being used and cannot be deleted."},
	{ID: "api_backup_busy", Other: "Try again later - another backup/restore process has already been started."},
	{ID: "api_cron_invalid", Other: "Missing or invalid cron job."},
	{ID: "api_jsvm_types_failed", Other: "An error occurred while generating the main.js extension file."},
	{ID: "api_redirect_status", Other: "Invalid redirect status code."},
}

// apiPrefixMessages are top-level messages PocketBase builds at runtime
// around one word: a fixed prefix, the word, a fixed suffix. The localizer
// passes the word as {{.field}}. Each prefix and suffix must stay
// PocketBase's (tested):
//   - apis/record_helpers.go: "Only superusers can filter by "+field, field
//     being "@collection." or "@request." (the suffix is its final dot);
//   - apis/middlewares.go (RequireSameCollectionContextAuth, on auth-refresh
//     and request-email-change): fmt.Sprintf("The request requires auth
//     record from %s collection.", name), name being the collection of the
//     caller's token.
var apiPrefixMessages = []struct {
	Prefix, Suffix string
	*i18n.Message
}{
	{"Only superusers can filter by ", ".", &i18n.Message{ID: "api_superusers_filter_only", Other: "Only superusers can filter by {{.field}}."}},
	{"The request requires auth record from ", " collection.", &i18n.Message{ID: "api_auth_collection_required", Other: "The request requires auth record from {{.field}} collection."}},
}

// apiInternal is the message of every 5xx response whose message is unknown:
// what went wrong internally is for the logs, not for the reader.
const apiInternal = "api_bad_request"
