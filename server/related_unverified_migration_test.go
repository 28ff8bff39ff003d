package server_test

import (
	"testing"

	"aman/internal/testapp"
)

// The related_unverified mark comes with its migration, which marks the
// published updates that already relate a report no longer verified, and
// goes with its down; the workflow reopens reports and saves updates
// without it.
func TestMigrations_RelatedUnverifiedDown(t *testing.T) {
	app := newFixtureApp(t)
	runner := testapp.MigrationRunner(t, app, "1795768200_related_unverified.js")
	has := func() bool { return mustFind(t, app, "updates").Fields.GetByName("related_unverified") != nil }
	if !has() {
		t.Fatal("updates has no related_unverified field")
	}
	if reverted, err := runner.Down(1); err != nil || len(reverted) != 1 {
		t.Fatalf("down: %v %v", reverted, err)
	}
	if has() {
		t.Fatal("updates kept related_unverified after down")
	}
	// a report reopened without the field: the published update on it is
	// saved as before, and so is its text
	report, err := app.FindRecordById("incident_reports", reportAVerified)
	if err != nil {
		t.Fatal(err)
	}
	report.Set("status", "in_review")
	if err := app.Save(report); err != nil {
		t.Fatalf("reopening without the field: %v", err)
	}
	update, err := app.FindRecordById("updates", updatePublished)
	if err != nil {
		t.Fatal(err)
	}
	if got := update.GetStringSlice("related_incidents"); len(got) != 1 || got[0] != reportAVerified {
		t.Fatalf("the fixture's published update relates %q, want %s", got, reportAVerified)
	}
	update.Set("title", "Corrected")
	if err := app.Save(update); err != nil {
		t.Fatalf("an update saved without the field: %v", err)
	}
	// up again marks the update on the reopened report
	if _, err := runner.Up(); err != nil {
		t.Fatalf("up again: %v", err)
	}
	if !has() {
		t.Fatal("up again: no related_unverified field")
	}
	update, err = app.FindRecordById("updates", updatePublished)
	if err != nil {
		t.Fatal(err)
	}
	if !update.GetBool("related_unverified") {
		t.Fatal("up again: the update on the reopened report is not marked")
	}
}
