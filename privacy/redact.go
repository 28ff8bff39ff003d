package privacy

import (
	"slices"
	"strings"

	"github.com/pocketbase/pocketbase/core"
)

// Redact hides from record's public export the fields v must not see, and
// removes from its expand tree (at every depth) what would disclose them:
// the expansion of a hidden relation field (?expand=reporter) and the
// records of a back-relation through a field hidden on them
// (users?expand=incident_reports_via_reporter). It must run after the
// expand is built; the enrich hook does so.
func Redact(v Viewer, record *core.Record) {
	redact(v, record, nil)
}

// redact is Redact with extra, if not nil, adding fields to hide per record
// (the enrich hook passes linkHidden, which needs the app).
func redact(v Viewer, record *core.Record, extra func(*core.Record) []string) {
	if v.Superuser || record == nil {
		return
	}
	hidden := HiddenFields(v, record)
	if extra != nil {
		hidden = append(hidden, extra(record)...)
	}
	if len(hidden) > 0 {
		record.Hide(hidden...)
	}
	expand := record.Expand()
	if len(expand) == 0 {
		return
	}
	for key, value := range expand {
		if slices.Contains(hidden, key) {
			delete(expand, key)
			continue
		}
		if kept, ok := redactExpanded(v, key, value, extra); ok {
			expand[key] = kept
		} else {
			delete(expand, key)
		}
	}
	record.SetExpand(expand)
}

// redactExpanded redacts the records under one expand key and drops those
// linked through a back-relation field hidden on them; false means nothing
// of the key may stay.
func redactExpanded(v Viewer, key string, value any, extra func(*core.Record) []string) (any, bool) {
	_, viaField, isBack := strings.Cut(key, "_via_")
	keep := func(r *core.Record) bool {
		if !isBack {
			return true
		}
		if slices.Contains(auditColumnsOf(r.Collection().Name), viaField) {
			return false // users?expand=sync_conflicts_via_user: who pushed what
		}
		hidden := HiddenFields(v, r)
		if extra != nil {
			hidden = append(hidden, extra(r)...)
		}
		return !slices.Contains(hidden, viaField)
	}
	switch rel := value.(type) {
	case *core.Record:
		if !keep(rel) {
			return nil, false
		}
		redact(v, rel, extra)
		return rel, true
	case []*core.Record:
		kept := make([]*core.Record, 0, len(rel))
		for _, r := range rel {
			if keep(r) {
				redact(v, r, extra)
				kept = append(kept, r)
			}
		}
		return kept, true
	default:
		return value, true
	}
}
