package server_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"aman/internal/testapp"
)

// 1795768300 takes the verified-only clause off the updates' update rule
// (the workflow judges what a write adds instead); its down puts it back,
// where the create migration had it, and up takes it off again.
func TestMigrations_RelatedRemovedDown(t *testing.T) {
	const clause = "(@request.body.related_incidents:length = 0 || @request.body.related_incidents.status = 'verified')"
	app := newFixtureApp(t)
	runner := testapp.MigrationRunner(t, app, "1795768300_related_removed_while_unverified.js")
	rule := func() string { return *mustFind(t, app, "updates").UpdateRule }
	without := rule()
	if strings.Contains(without, clause) {
		t.Fatalf("the update rule keeps the clause: %s", without)
	}
	if create := *mustFind(t, app, "updates").CreateRule; !strings.Contains(create, clause) {
		t.Fatalf("the create rule lost the clause: %s", create)
	}
	// the rule's answer to an editor's body naming a report in review
	allowed := func() bool {
		t.Helper()
		update, err := app.FindRecordById("updates", updatePublished)
		if err != nil {
			t.Fatal(err)
		}
		auth, err := app.FindRecordById("users", editor)
		if err != nil {
			t.Fatal(err)
		}
		info := &core.RequestInfo{Auth: auth, Context: core.RequestInfoContextDefault, Method: http.MethodPatch,
			Query: map[string]string{}, Headers: map[string]string{},
			Body: map[string]any{"related_incidents": []string{reportAVerified, reportAInReview}}}
		ok, err := app.CanAccessRecord(update, info, mustFind(t, app, "updates").UpdateRule)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if !allowed() {
		t.Fatal("the rule refuses a body naming a report in review: the workflow judges it now")
	}
	if reverted, err := runner.Down(1); err != nil || len(reverted) != 1 {
		t.Fatalf("down: %v %v", reverted, err)
	}
	with := rule()
	want := "@request.auth.role = 'editor' && @request.body.author:changed = false && " + clause
	if !strings.HasPrefix(with, want) || strings.Replace(with, " && "+clause, "", 1) != without {
		t.Fatalf("after down:\n%s\nbefore:\n%s", with, without)
	}
	if allowed() {
		t.Fatal("after down, the rule lets an editor name a report in review")
	}
	if _, err := runner.Up(); err != nil {
		t.Fatalf("up again: %v", err)
	}
	if got := rule(); got != without {
		t.Fatalf("up again:\n%s\nwant:\n%s", got, without)
	}
}
