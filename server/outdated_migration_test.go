package server_test

import (
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"aman/internal/testapp"
)

// The outdated mark of translations comes with its migration and goes with
// its down, on both collections, and the workflow saves texts without it.
func TestMigrations_OutdatedTranslationsDown(t *testing.T) {
	app := newFixtureApp(t)
	runner := testapp.MigrationRunner(t, app, "1795767950_outdated_translations.js")
	has := func(collection string) bool {
		return mustFind(t, app, collection).Fields.GetByName("outdated") != nil
	}
	for _, c := range []string{"updates", "fact_checks"} {
		if !has(c) {
			t.Fatalf("%s has no outdated field", c)
		}
	}
	if reverted, err := runner.Down(1); err != nil || len(reverted) != 1 {
		t.Fatalf("down: %v %v", reverted, err)
	}
	for _, c := range []string{"updates", "fact_checks"} {
		if has(c) {
			t.Fatalf("%s kept outdated after down", c)
		}
	}
	// an original corrected without the field: its translation is saved as before
	updates := mustFind(t, app, "updates")
	original := core.NewRecord(updates)
	original.Load(map[string]any{"title": "T", "body": "B", "language": "en", "status": "draft", "author": editor})
	translation := core.NewRecord(updates)
	translation.Load(map[string]any{"title": "Т", "body": "Б", "language": "ru", "status": "draft", "author": editor})
	if err := app.Save(original); err != nil {
		t.Fatal(err)
	}
	translation.Set("translation_of", original.Id)
	if err := app.Save(translation); err != nil {
		t.Fatal(err)
	}
	original.Set("body", "B, corrected")
	if err := app.Save(original); err != nil {
		t.Fatalf("an original saved without the field: %v", err)
	}
	if _, err := runner.Up(); err != nil {
		t.Fatalf("up again: %v", err)
	}
	if !has("updates") || !has("fact_checks") {
		t.Fatal("up again: no outdated field")
	}
}
