package security

import (
	"slices"
	"testing"

	"github.com/pocketbase/pocketbase/core"
)

// ownFields says which rules and filters read only the record's own
// fields and what a subscription carries; anything that may change in
// the same transaction or with the clock is refused, so that the
// subscription is judged.
func TestOwnFields(t *testing.T) {
	c := core.NewBaseCollection("incident_reports")
	c.Fields.Add(
		&core.TextField{Name: "status"},
		&core.TextField{Name: "description"},
		&core.RelationField{Name: "reporter", CollectionId: "_pb_users_auth_"},
		&core.AutodateField{Name: "updated", OnCreate: true, OnUpdate: true},
	)
	tests := []struct {
		expr   string
		fields []string
		ok     bool
	}{
		{"", nil, true},
		{"@request.auth.role = 'coordinator' || (@request.auth.role = 'editor' && status = 'verified') || (@request.auth.id != '' && @request.auth.collectionName = 'users' && reporter = @request.auth.id)", []string{"status", "reporter"}, true},
		{"description ~ 'school' && @request.query.x = '1' && @request.headers.y != null", []string{"description"}, true},
		{"description:lower ~ 'school' && reporter:length > 0", []string{"description", "reporter"}, true},
		{"@request.auth.organization.active = true", nil, false}, // a relation of the subscriber
		{"reporter.name = 'x'", nil, false}, // a relation of the record
		{"@collection.organizations.active = true", nil, false},
		{"updated > '2026-01-01'", nil, false}, // stamped as it is written
		{"status = 'x' && created > @now", nil, false},
		{"reporter_via_x.id != ''", nil, false},
		{"unknown = 1", nil, false},
		{"status:changed = true", nil, false},
		{"geoDistance(1, 2, 3, 4) < 5", nil, false},
		{"status = ", nil, false}, // unparsable
	}
	for _, tc := range tests {
		fields, ok := ownFields(c, tc.expr)
		if ok != tc.ok || (ok && !slices.Equal(fields, tc.fields)) {
			t.Errorf("ownFields(%q) = %v, %v; want %v, %v", tc.expr, fields, ok, tc.fields, tc.ok)
		}
	}
}
