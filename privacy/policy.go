package privacy

import (
	"slices"

	"github.com/pocketbase/pocketbase/core"
)

// Roles of users.role that widen what a viewer sees. Any other role
// (volunteer, empty) sees only what it owns.
const (
	RoleCoordinator = "coordinator"
	RoleEditor      = "editor"
	// RoleAidWorker is a person of an aid organization: with
	// users.organization set, they handle the aid requests assigned to it.
	RoleAidWorker = "aid_worker"
)

// Collections and fields the policy protects.
const (
	reports          = "incident_reports"
	aidRequests      = "aid_requests"
	fieldReporter    = "reporter"
	fieldAnonymous   = "anonymous"
	fieldLocation    = "location"
	fieldVerifiedBy  = "verified_by"
	fieldRequester   = "requester"
	fieldBeneficiary = "beneficiary_name"
	fieldPhone       = "contact_phone"
	fieldAssignedOrg = "assigned_org"
	fieldNotes       = "notes"
	fieldPlace       = "place"
	fieldStatus      = "status"
	fieldOrg         = "organization"
)

// Viewer is who reads a record: a users record (with its role and
// organization), a superuser, or nobody (ID "").
type Viewer struct {
	ID        string
	Role      string
	Org       string // users.organization: its aid workers handle the aid requests assigned to it
	Superuser bool
}

// ViewerOf returns the viewer for a request's auth record (nil: anonymous).
//
// It does not read whether the viewer's organization is active. The API
// rules give the aid workers of a retired organization
// (organizations.active = false) nothing of the requests assigned to it,
// and HiddenFields is reached only for records the rules let through: what
// they still read (their own requests) they see as the requester. The
// per-collection QueryHiddenFields treats them as aid workers still, which
// is stricter than they need (they may not filter their own requests by
// the contact), never laxer; and an organization looked up for every
// record serialized would cost a query each.
func ViewerOf(auth *core.Record) Viewer {
	switch {
	case auth == nil:
		return Viewer{}
	case auth.IsSuperuser():
		return Viewer{ID: auth.Id, Superuser: true}
	case auth.Collection().Name != "users":
		// Another auth collection has no role here: it owns nothing.
		return Viewer{}
	default:
		return Viewer{ID: auth.Id, Role: auth.GetString("role"), Org: auth.GetString(fieldOrg)}
	}
}

func (v Viewer) is(role string) bool { return !v.Superuser && v.Role == role }

// aidWorker reports whether v handles the aid requests assigned to an
// organization: an aid worker with one.
func (v Viewer) aidWorker() bool { return v.ID != "" && v.is(RoleAidWorker) && v.Org != "" }

// ownsOnly reports whether the API rules let v list only its own reports
// and aid requests (volunteers, users with an empty role, and aid workers,
// who list the aid requests assigned to their organization too: see
// QueryHiddenFields).
func (v Viewer) ownsOnly() bool {
	return v.ID != "" && !v.Superuser && !v.is(RoleCoordinator) && !v.is(RoleEditor)
}

// HiddenFields returns the fields of record that v must not see. Superusers
// see everything. The table is in docs/workflow.md ("Field privacy").
func HiddenFields(v Viewer, record *core.Record) []string {
	if v.Superuser {
		return nil
	}
	switch record.Collection().Name {
	case reports:
		own := v.ID != "" && record.GetString(fieldReporter) == v.ID
		return reportHidden(v, own, record.GetBool(fieldAnonymous))
	case aidRequests:
		own := v.ID != "" && record.GetString(fieldRequester) == v.ID
		if !own && assignedTo(v, record) && !handles(v, record) {
			return aidHiddenDone(v)
		}
		return aidHidden(v, own || handles(v, record))
	default:
		return nil
	}
}

// reportHidden: the reporter is seen by themselves and, unless the report is
// anonymous, by coordinators; the exact location by the reporter and
// coordinators; who verified by staff.
func reportHidden(v Viewer, own, anonymous bool) []string {
	var hidden []string
	if !own && !(v.is(RoleCoordinator) && !anonymous) {
		hidden = append(hidden, fieldReporter)
	}
	if !own && !v.is(RoleCoordinator) {
		hidden = append(hidden, fieldLocation)
	}
	if !v.is(RoleCoordinator) && !v.is(RoleEditor) {
		hidden = append(hidden, fieldVerifiedBy)
	}
	return hidden
}

// aidHidden: who needs help, how to reach them and where they are is seen
// by the requester, coordinators and (see handles) the organization
// helping.
func aidHidden(v Viewer, mayContact bool) []string {
	if mayContact || v.is(RoleCoordinator) {
		return nil
	}
	return []string{fieldBeneficiary, fieldPhone, fieldLocation}
}

// aidHiddenDone: what the aid workers of the assigned organization no
// longer see once a request is closed or cancelled (see handles): the
// contact, and the notes (someone may have typed a phone or an address in
// them) and the place (where the person lives). They keep what was
// needed, for how many, how urgently, the status, region, district and
// dates: the record of what they did.
func aidHiddenDone(v Viewer) []string {
	return append(aidHidden(v, false), fieldNotes, fieldPlace)
}

// assignedTo reports whether v is an aid worker of the organization an aid
// request is assigned to (whatever its status). A volunteer of the
// organization is no aid worker: they see no one else's request.
func assignedTo(v Viewer, record *core.Record) bool {
	return v.aidWorker() && record.GetString(fieldAssignedOrg) == v.Org
}

// handles reports whether v is an aid worker of the organization an aid
// request is assigned to while the request is still being handled: they
// reach the person in need, so they see whom, how to call and where. The
// API rules let them read the requests assigned to their organization in
// any status (pb_migrations/1795767600_assigned_organization.js, while the
// organization is active: 1795767800_aid_worker_refinements.js); once a
// request is closed or cancelled they keep the record of what they did,
// not the person's contact, notes or place (aidHiddenDone).
func handles(v Viewer, record *core.Record) bool {
	if !assignedTo(v, record) {
		return false
	}
	status := record.GetString(fieldStatus)
	return status != "closed" && status != "cancelled"
}

// QueryHiddenFields returns the fields of collection that v may not use in
// a filter or sort: the fields hidden from v on some record v can list.
// Filtering on a field reveals it one bit at a time, so a field hidden on
// any listable record is out. Volunteers list only their own records (API
// rules), so the ownership-based fields stay usable for them. An audit
// collection's declared columns (AuditColumns) are out for everyone but
// superusers.
func QueryHiddenFields(v Viewer, collection string) []string {
	if v.Superuser {
		return nil
	}
	switch collection {
	case reports:
		return reportHidden(v, v.ownsOnly(), true)
	case aidRequests:
		// An aid worker lists the requests assigned to their organization
		// too: on some of them (closed, cancelled) the contact, notes and
		// place are hidden, and on every one the link to an incident
		// (LinkHidden).
		ownsOnly := v.ownsOnly() && !v.aidWorker()
		hidden := aidHidden(v, ownsOnly)
		if v.aidWorker() {
			hidden = aidHiddenDone(v)
		}
		if (!ownsOnly && !v.is(RoleCoordinator)) || slices.Contains(QueryHiddenFields(v, reports), fieldReporter) {
			// See linkHidden: on some requests the link names a reporter.
			hidden = append(hidden, fieldRelatedIncident)
		}
		return hidden
	default:
		return auditColumnsOf(collection)
	}
}

// SchemaHidden are the names of c's fields an operator marked hidden in
// its schema, in schema order: the record API leaves them out for everyone
// but superusers, so history, conflicts and checkpoints follow it.
func SchemaHidden(c *core.Collection) []string {
	var names []string
	for _, f := range c.Fields {
		if f.GetHidden() {
			names = append(names, f.GetName())
		}
	}
	return names
}
