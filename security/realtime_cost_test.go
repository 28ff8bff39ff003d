package security_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/subscriptions"

	"aman/internal/fixtures"
)

// BenchmarkRealtimeUpdate: what realtime subscribers cost an update of a
// report, PocketBase's judgment after the commit alone (left=off: this
// project's handlers of realtime_left.go unbound) and with the judgment
// before the write and again after it (left=on), with n subscribers in
// amanload's mix (a fifth coordinators on incident_reports/* and
// aid_requests/*, half volunteers on the same topics, the rest anonymous
// on updates/*). held-µs/op is the time inside the write's transaction,
// where SQLite's writer is held once the transaction has written.
func BenchmarkRealtimeUpdate(b *testing.B) {
	for _, n := range []int{0, 50, 200} {
		for _, left := range []bool{false, true} {
			if n == 0 && !left {
				continue
			}
			b.Run(fmt.Sprintf("subs=%d/left=%v", n, map[bool]string{true: "on", false: "off"}[left]), func(b *testing.B) {
				app := fixtures.Factory(b)
				if _, err := apis.NewRouter(app); err != nil { // binds PocketBase's broadcast
					b.Fatal(err)
				}
				if !left {
					app.OnModelUpdate().Unbind("amanRealtimeLeftBefore")
					app.OnModelAfterUpdateSuccess().Unbind("amanRealtimeLeftAfter")
					app.OnModelAfterUpdateError().Unbind("amanRealtimeLeftRolledBack")
				}
				costSubscribers(b, app, n)
				report, err := app.FindRecordById("incident_reports", fixtures.ReportSubmitted)
				if err != nil {
					b.Fatal(err)
				}
				var held time.Duration
				b.ResetTimer()
				for i := range b.N {
					report.Set("description", fmt.Sprintf("Shelling near the school, update %d.", i))
					err := app.RunInTransaction(func(tx core.App) error {
						start := time.Now()
						defer func() { held += time.Since(start) }()
						return tx.Save(report)
					})
					if err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(held.Microseconds())/float64(b.N), "held-µs/op")
			})
		}
	}
}

// costSubscribers registers n realtime clients in amanload's mix, each
// signed in as a user of its own, and drains what they are sent.
func costSubscribers(b *testing.B, app core.App, n int) {
	b.Helper()
	users, err := app.FindCollectionByNameOrId("users")
	if err != nil {
		b.Fatal(err)
	}
	coordinators, volunteers := n/5, n/2
	for i := range n {
		c := subscriptions.NewDefaultClient()
		c.Set(apis.RealtimeClientIPKey, fmt.Sprintf("10.0.%d.%d", i/250, i%250+1))
		role, topics := "", []string{"updates/*"}
		switch {
		case i < coordinators:
			role = "coordinator"
		case i < coordinators+volunteers:
			role = "volunteer"
		}
		if role != "" {
			u := core.NewRecord(users)
			u.Id = fmt.Sprintf("costsub%08d", i)
			u.SetEmail(u.Id + "@cost.aman.test")
			u.SetPassword(fixtures.Password)
			u.Set("name", "Subscriber "+u.Id)
			u.Set("role", role)
			u.Set("region", "sughd")
			if err := app.SaveNoValidate(u); err != nil {
				b.Fatal(err)
			}
			c.Set(apis.RealtimeClientAuthKey, u)
			topics = []string{"incident_reports/*", "aid_requests/*"}
		}
		c.Subscribe(topics...)
		app.SubscriptionsBroker().Register(c)
		go func() {
			for range c.Channel() {
			}
		}()
		b.Cleanup(func() { app.SubscriptionsBroker().Unregister(c.Id()) })
	}
}
