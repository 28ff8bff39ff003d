package workflow

import validation "github.com/pocketbase/ozzo-validation/v4"

// The error codes of this package. They are stable API: clients and the
// locale files key translations on them (see docs/workflow.md).
const (
	CodeInvalidTransition       = "workflow_invalid_transition"
	CodeInvalidInitialStatus    = "workflow_invalid_initial_status"
	CodeRequiredForStatus       = "workflow_required_for_status"
	CodeVerifierNotReviewer     = "workflow_verifier_not_coordinator"
	CodeRelatedNotVerified      = "workflow_related_not_verified"
	CodeVerifierIsReporter      = "workflow_verifier_is_reporter"
	CodeOriginalRetracted       = "workflow_original_retracted"
	CodeVerdictOfOriginal       = "workflow_verdict_of_original"
	CodeDistrictOutside         = "workflow_district_outside_region"
	CodeOrganizationInactive    = "workflow_organization_inactive"
	CodePhoneInvalid            = "workflow_phone_invalid"
	CodeVerifiedFixed           = "workflow_verified_fixed"
	CodePhotosKeptInReview      = "workflow_photos_kept_in_review"
	CodeRelatedIncidentUnknown  = "workflow_related_incident_unknown"
	CodeReportInPublishedUpdate = "workflow_report_in_published_update"
	CodePublicSummaryPrivate    = "workflow_public_summary_private"
	CodeReviewerIsReporter      = "workflow_reviewer_is_reporter"
	CodeOrganizationAssigned    = "workflow_organization_assigned"
	CodeOrganizationHasMembers  = "workflow_organization_has_members"
	CodeUserVerifiedReports     = "workflow_user_verified_reports"
	CodeUserHasRecords          = "workflow_user_has_records"
)

func errInvalidTransition(from, to string) validation.Error {
	return validation.NewError(CodeInvalidTransition, "Cannot change status from {{.from}} to {{.to}}.").
		SetParams(map[string]any{"from": from, "to": to})
}

func errInvalidInitialStatus(initial, status string) validation.Error {
	return validation.NewError(CodeInvalidInitialStatus, "New records start as {{.initial}}, not {{.status}}.").
		SetParams(map[string]any{"initial": initial, "status": status})
}

func errRequiredForStatus(status string) validation.Error {
	return validation.NewError(CodeRequiredForStatus, "Required when the status is {{.status}}.").
		SetParams(map[string]any{"status": status})
}

func errVerifierNotCoordinator() validation.Error {
	return validation.NewError(CodeVerifierNotReviewer, "The verifier must be a coordinator.")
}

func errRelatedNotVerified() validation.Error {
	return validation.NewError(CodeRelatedNotVerified, "A published update can rest on verified reports only.")
}

func errVerifierIsReporter() validation.Error {
	return validation.NewError(CodeVerifierIsReporter, "A report must be verified by someone other than its reporter.")
}

func errOriginalRetracted() validation.Error {
	return validation.NewError(CodeOriginalRetracted,
		"The original of this text was retracted: publish it again before its translations.")
}

func errVerdictOfOriginal() validation.Error {
	return validation.NewError(CodeVerdictOfOriginal,
		"A translation has the verdict of its original: change the verdict there.")
}

func errDistrictOutsideRegion() validation.Error {
	return validation.NewError(CodeDistrictOutside, "This district or city is not in the chosen region.")
}

func errOrganizationInactive() validation.Error {
	return validation.NewError(CodeOrganizationInactive, "This organization is not active: choose an active one.")
}

func errPhoneInvalid() validation.Error {
	return validation.NewError(CodePhoneInvalid, "Enter a phone number of 5 to 15 digits, such as +992 92 123 4567.")
}

func errVerifiedFixed() validation.Error {
	return validation.NewError(CodeVerifiedFixed, "A verified report cannot be changed: reopen it for review first.")
}

func errPhotosKeptInReview() validation.Error {
	return validation.NewError(CodePhotosKeptInReview,
		"Photos of a report in review can be added, not removed or replaced.")
}

func errPublicSummaryPrivate(found string) validation.Error {
	return validation.NewError(CodePublicSummaryPrivate,
		"Everyone can read the public summary: take out phone numbers, e-mail addresses and exact coordinates.").
		SetParams(map[string]any{"found": found})
}

func errRelatedIncidentUnknown() validation.Error {
	return validation.NewError(CodeRelatedIncidentUnknown, "There is no incident report with this id that you can see.")
}

func errReviewerIsReporter() validation.Error {
	return validation.NewError(CodeReviewerIsReporter, "You filed this report: another coordinator reviews it.")
}

// errOrganizationAssigned refuses deleting an organization that aid
// requests name. The count (params) is given as "count: n", which reads
// right in every language without plural forms.
func errOrganizationAssigned(requests int) validation.Error {
	return validation.NewError(CodeOrganizationAssigned,
		"Aid requests name this organization (count: {{.requests}}): retire it (make it inactive) instead of deleting it.").
		SetParams(map[string]any{"requests": requests})
}

// errOrganizationHasMembers refuses deleting an organization that user
// accounts still belong to (their users.organization).
func errOrganizationHasMembers(users int) validation.Error {
	return validation.NewError(CodeOrganizationHasMembers,
		"Accounts belong to this organization (count: {{.users}}): retire it (make it inactive), or move its aid workers to another organization first.").
		SetParams(map[string]any{"users": users})
}

// errUserVerifiedReports refuses deleting a user whom incident reports name
// as their verifier (verified_by).
func errUserVerifiedReports(reports int) validation.Error {
	return validation.NewError(CodeUserVerifiedReports,
		"Incident reports name this user as their verifier (count: {{.reports}}): the account stays while they do. To end its access, change its role or password instead.").
		SetParams(map[string]any{"reports": reports})
}

// errUserHasRecords refuses deleting a user whom records name in a required
// relation: as the reporter of incident reports, the requester of aid
// requests, the author of updates or fact checks.
func errUserHasRecords(reports, requests, updates, factChecks int) validation.Error {
	return validation.NewError(CodeUserHasRecords,
		"Records name this user as the one who filed or wrote them (incident reports: {{.reports}}, aid requests: {{.requests}}, updates: {{.updates}}, fact checks: {{.fact_checks}}): they stay, and the account with them. To end its access, change its role or password instead.").
		SetParams(map[string]any{"reports": reports, "requests": requests, "updates": updates, "fact_checks": factChecks})
}
