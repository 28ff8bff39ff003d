package workflow

import "slices"

// Machine is the status workflow of one collection: where new records start
// and which status may follow which. It is plain data so the rules can be
// read, documented and unit-tested without an app.
type Machine struct {
	// Field is the select field that holds the status.
	Field string
	// Initial is the status a new record without one starts in.
	Initial string
	// Starts are the other statuses a new record may be created in (none
	// for the review workflows: everything starts at Initial).
	Starts []string
	// Next maps a status to the statuses it may change to. Every known
	// status is a key, even terminal ones (with no successors).
	Next map[string][]string
}

// Known reports whether status is a status of m.
func (m Machine) Known(status string) bool {
	_, ok := m.Next[status]
	return ok
}

// MayStart reports whether a new record may be created in status.
func (m Machine) MayStart(status string) bool {
	return status == m.Initial || slices.Contains(m.Starts, status)
}

// Allows reports whether a record in status from may change to status to.
// Staying in the same status is always allowed (other fields change).
func (m Machine) Allows(from, to string) bool {
	if from == to {
		return m.Known(to)
	}
	return slices.Contains(m.Next[from], to)
}

// Report statuses (incident_reports.status).
const (
	ReportSubmitted = "submitted"
	ReportInReview  = "in_review"
	ReportVerified  = "verified"
	ReportDisputed  = "disputed"
	ReportFalse     = "false"
	ReportArchived  = "archived"
)

// Reports is the review workflow of incident_reports. A reviewer takes a
// submitted report in review and decides; a decision can be reopened (new
// evidence) only by going back to in_review, so every decision is made from
// in_review. Anything can be archived; an archived report can be restored
// to in_review only.
var Reports = Machine{
	Field:   "status",
	Initial: ReportSubmitted,
	Next: map[string][]string{
		ReportSubmitted: {ReportInReview, ReportArchived},
		ReportInReview:  {ReportVerified, ReportDisputed, ReportFalse, ReportSubmitted, ReportArchived},
		ReportVerified:  {ReportInReview, ReportArchived},
		ReportDisputed:  {ReportInReview, ReportArchived},
		ReportFalse:     {ReportInReview, ReportArchived},
		ReportArchived:  {ReportInReview},
	},
}

// Aid request statuses (aid_requests.status).
const (
	AidOpen         = "open"
	AidAcknowledged = "acknowledged"
	AidInProgress   = "in_progress"
	AidFulfilled    = "fulfilled"
	AidClosed       = "closed"
	AidCancelled    = "cancelled"
)

// AidRequests is the handling workflow of aid_requests. Nothing is
// fulfilled before someone acknowledged it; closed is final (a new need is
// a new request); a cancelled request can be reopened.
var AidRequests = Machine{
	Field:   "status",
	Initial: AidOpen,
	Next: map[string][]string{
		AidOpen:         {AidAcknowledged, AidCancelled},
		AidAcknowledged: {AidInProgress, AidFulfilled, AidCancelled, AidOpen},
		AidInProgress:   {AidFulfilled, AidCancelled, AidAcknowledged},
		AidFulfilled:    {AidClosed, AidInProgress},
		AidClosed:       {},
		AidCancelled:    {AidOpen},
	},
}

// acknowledgedStatuses are the aid request statuses that imply someone
// acknowledged the request, so acknowledged_at must be set.
var acknowledgedStatuses = []string{AidAcknowledged, AidInProgress, AidFulfilled, AidClosed}

// Editorial statuses (updates.status and fact_checks.status).
const (
	EditorialDraft     = "draft"
	EditorialPublished = "published"
	EditorialRetracted = "retracted"
)

// Editorial is the publishing workflow of updates and fact_checks. Once
// published, a text is retracted, never returned to draft: editors may
// delete drafts only, and a published text must stay on record (its
// offline readers learn of the retraction through sync). An editor may
// write and publish at once; a retraction may be undone by publishing
// again.
var Editorial = Machine{
	Field:   "status",
	Initial: EditorialDraft,
	Starts:  []string{EditorialPublished},
	Next: map[string][]string{
		EditorialDraft:     {EditorialPublished},
		EditorialPublished: {EditorialRetracted},
		EditorialRetracted: {EditorialPublished},
	},
}
