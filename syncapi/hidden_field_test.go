package syncapi_test

import (
	"testing"
)

// TestPull_HidingAFieldResets: an operator who marks a synced field hidden
// in the dashboard (the record API then leaves it out for everyone but
// superusers) changes which fields a caller sees, as a rule edit changes
// which records: a device's copy still holds the field's values on every
// record, so its checkpoint resets (view) and it pulls without them. The
// same when the field is shown again: the copy lacks its values.
func TestPull_HidingAFieldResets(t *testing.T) {
	en := newEnv(t)
	en.push(volunteerA, "device-a", createReport(reportA, volunteerA, map[string]any{"place": "Canal bridge"}))
	changes, cp := en.pullAll(coordinator, "incident_reports", "")
	if c := findChange(changes, "incident_reports", reportA); c == nil || c.Record["place"] != "Canal bridge" {
		t.Fatalf("initial pull: %+v", changes)
	}
	setHidden := func(hidden bool) {
		c := mustCollection(t, en.app, "incident_reports")
		c.Fields.GetByName("place").SetHidden(hidden)
		if err := en.app.Save(c); err != nil {
			t.Fatal(err)
		}
	}
	setHidden(true)
	p := en.pull(coordinator, "incident_reports", cp, 0)
	if !p.Reset || p.Reason != "view" {
		t.Fatalf("hiding a field must reset (view): %+v", p)
	}
	changes, cp = en.pullAll(coordinator, "incident_reports", "")
	if c := findChange(changes, "incident_reports", reportA); c == nil || c.Record["place"] != nil {
		t.Fatalf("pull after hiding: %+v", changes)
	}
	setHidden(false)
	if p := en.pull(coordinator, "incident_reports", cp, 0); !p.Reset || p.Reason != "view" {
		t.Fatalf("showing a field again must reset (view): %+v", p)
	}
}
