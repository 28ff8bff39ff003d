package privacy

import (
	"slices"
	"sync"
)

// auditColumns are, per audit collection (the change history, the sync
// conflicts), the columns that carry past values, actors or pushers: what
// the audit's own redaction hides row by row (the reporter of an anonymous
// report, its pusher) would come back by elimination from a filter or sort
// on them, or from a back-relation through them
// (users?filter=sync_conflicts_via_user.record_id='…' lists who pushed
// about a report). So only superusers filter, sort, subscribe or expand by
// them.
var (
	auditMu      sync.RWMutex
	auditColumns = map[string][]string{}
)

// AuditColumns declares the columns of an audit collection that only
// superusers may query by (see auditColumns). The packages that own such
// collections declare them when they register.
func AuditColumns(collection string, columns ...string) {
	auditMu.Lock()
	defer auditMu.Unlock()
	auditColumns[collection] = slices.Clone(columns)
}

func auditColumnsOf(collection string) []string {
	auditMu.RLock()
	defer auditMu.RUnlock()
	return slices.Clone(auditColumns[collection]) // callers may append
}
