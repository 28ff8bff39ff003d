package privacy_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/tools/subscriptions"

	"aman/internal/fixtures"
)

// TestRealtimeEvents: the record in a realtime event is redacted for the
// subscriber, expand included.
func TestRealtimeEvents(t *testing.T) {
	scenarios := []struct {
		as, report, topic string
		want, notWant     []string
	}{
		{fixtures.Editor, fixtures.ReportVerified, "incident_reports",
			[]string{fixtures.ReportVerified, verifier}, []string{anyReporter, exactLocation}},
		{fixtures.Coordinator, fixtures.ReportAnonymous, `incident_reports?options={"query":{"expand":"reporter"}}`,
			[]string{fixtures.ReportAnonymous, exactLocation}, []string{anyReporter, volunteerUser}},
		{fixtures.Coordinator, fixtures.ReportVerified, `incident_reports?options={"query":{"expand":"reporter"}}`,
			[]string{reporterID, volunteerUser}, nil},
	}
	for i, s := range scenarios {
		t.Run(fmt.Sprintf("%d_%s_%s", i, fixtures.Role(s.as), s.report), func(t *testing.T) {
			app := fixtures.Factory(t)
			if _, err := apis.NewRouter(app); err != nil { // binds the realtime broadcast hooks
				t.Fatal(err)
			}
			auth, err := app.FindRecordById("users", s.as)
			if err != nil {
				t.Fatal(err)
			}
			client := subscriptions.NewDefaultClient()
			client.Set(apis.RealtimeClientAuthKey, auth)
			client.Subscribe(s.topic)
			app.SubscriptionsBroker().Register(client)

			report, err := app.FindRecordById("incident_reports", s.report)
			if err != nil {
				t.Fatal(err)
			}
			report.Set("public_summary", "Updated summary.")
			if err := app.Save(report); err != nil {
				t.Fatal(err)
			}
			select {
			case msg := <-client.Channel():
				data := string(msg.Data)
				for _, w := range s.want {
					if !strings.Contains(data, w) {
						t.Errorf("event lacks %s: %s", w, data)
					}
				}
				for _, w := range s.notWant {
					if strings.Contains(data, w) {
						t.Errorf("event discloses %s: %s", w, data)
					}
				}
			case <-time.After(5 * time.Second):
				t.Fatal("no realtime event")
			}
		})
	}
}
