package privacy_test

import (
	"testing"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/tools/subscriptions"

	"aman/internal/fixtures"
)

// TestRealtime_KeptJudgmentFollowsTheRole: the judgment of a subscription
// the client holds is kept between messages, but only for the user as they
// were judged: a volunteer's filter on reporter, judged harmless, lets
// nothing through once the same client's user is a coordinator.
func TestRealtime_KeptJudgmentFollowsTheRole(t *testing.T) {
	app := fixtures.Factory(t)
	byReporter := `incident_reports?options={"query":{"filter":"reporter = '` + fixtures.Volunteer2 + `'"}}`
	user, err := app.FindRecordById("users", fixtures.Volunteer2)
	if err != nil {
		t.Fatal(err)
	}
	client := subscriptions.NewDefaultClient()
	client.Subscribe(byReporter) // a subscription it holds: its judgment is kept
	written := func(role string) bool {
		as := user.Fresh()
		as.Set("role", role)
		client.Set(apis.RealtimeClientAuthKey, as) // as PocketBase refreshes it
		return messageSent(t, app, client, byReporter)
	}
	if !written("volunteer") || !written("volunteer") {
		t.Fatal("a volunteer's filter on their own reports got nothing through")
	}
	if written("coordinator") {
		t.Fatal("a judgment made for the volunteer let a coordinator's message through")
	}
	if !written("volunteer") {
		t.Fatal("made a volunteer again, the filter got nothing through")
	}
}
