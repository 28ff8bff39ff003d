package privacy_test

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
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
			report.Set("description", "Updated description.") // the public summary of a verified report stays as verified
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

// TestRealtime_RoleChangeDropsOutgrownFilters: a filter is checked when a
// client subscribes, for the role its user has then. A volunteer may
// filter by reporter (it only ever matched their own reports); made a
// coordinator, the same filter would tell who filed an anonymous report.
// Saving the user disconnects their clients that hold such a filter, so
// the app subscribes again under the new role's checks; other clients stay.
func TestRealtime_RoleChangeDropsOutgrownFilters(t *testing.T) {
	app := fixtures.Factory(t)
	if _, err := apis.NewRouter(app); err != nil { // binds the realtime broadcast hooks
		t.Fatal(err)
	}
	byReporter := `incident_reports?options={"query":{"filter":"reporter = '` + fixtures.Volunteer + `'"}}`
	connect := func(as, topic string) *subscriptions.DefaultClient {
		auth, err := app.FindRecordById("users", as)
		if err != nil {
			t.Fatal(err)
		}
		client := subscriptions.NewDefaultClient()
		client.Set(apis.RealtimeClientAuthKey, auth)
		client.Subscribe(topic)
		app.SubscriptionsBroker().Register(client)
		return client
	}
	promoted := connect(fixtures.Volunteer2, byReporter)
	unfiltered := connect(fixtures.Volunteer2, "incident_reports")
	other := connect(fixtures.Volunteer, byReporter)
	registered := func(c *subscriptions.DefaultClient) bool {
		_, err := app.SubscriptionsBroker().ClientById(c.Id())
		return err == nil
	}

	user, err := app.FindRecordById("users", fixtures.Volunteer2)
	if err != nil {
		t.Fatal(err)
	}
	user.Set("name", "Renamed")
	if err := app.Save(user); err != nil {
		t.Fatal(err)
	}
	if !registered(promoted) || !registered(unfiltered) || !registered(other) {
		t.Fatal("a save that changes no role dropped a client")
	}
	user.Set("role", "coordinator")
	if err := app.Save(user); err != nil {
		t.Fatal(err)
	}
	if registered(promoted) || !promoted.IsDiscarded() {
		t.Fatal("the promoted user's reporter filter outlived the role change")
	}
	if !registered(unfiltered) || !registered(other) {
		t.Fatal("a client without an outgrown filter was dropped")
	}

	// and the anonymous report's next event reaches no one through it
	report, err := app.FindRecordById("incident_reports", fixtures.ReportAnonymous)
	if err != nil {
		t.Fatal(err)
	}
	report.Set("description", "Updated description.") // the public summary of a verified report stays as verified
	if err := app.Save(report); err != nil {
		t.Fatal(err)
	}
	if msg, open := <-promoted.Channel(); open {
		t.Fatalf("the dropped client got an event: %s", msg.Data)
	}
}

// TestRealtime_MessageJudgedForTheRoleNow: PocketBase gives a client its
// user's new role when the user is saved; until the role change hook
// disconnects it, an event matched by an old filter with the new role's
// reach could still be written. Each message is judged for the client's
// user as they are when it is written: a filter the role may no longer use
// gets nothing through, others pass.
func TestRealtime_MessageJudgedForTheRoleNow(t *testing.T) {
	app := fixtures.Factory(t)
	byReporter := `incident_reports?options={"query":{"filter":"reporter = '` + fixtures.Volunteer2 + `'"}}`
	byStatus := `incident_reports?options={"query":{"filter":"status = 'submitted'"}}`
	user, err := app.FindRecordById("users", fixtures.Volunteer2)
	if err != nil {
		t.Fatal(err)
	}
	client := subscriptions.NewDefaultClient()
	client.Set(apis.RealtimeClientAuthKey, user)
	written := func(topic string) bool { return messageSent(t, app, client, topic) }
	for _, s := range []struct {
		role  string
		topic string
		want  bool
	}{
		{"volunteer", byReporter, true}, // it only ever matched their own reports
		{"volunteer", byStatus, true},
		{"volunteer", "PB_CONNECT", true},
		{"coordinator", byReporter, false}, // it would tell who filed an anonymous report
		{"coordinator", byStatus, true},
		{"coordinator", "incident_reports", true},
		{"volunteer", byReporter, true}, // judged for the role of the moment, not once for all
	} {
		promoted := user.Fresh()
		promoted.Set("role", s.role)
		client.Set(apis.RealtimeClientAuthKey, promoted) // as PocketBase refreshes it
		if got := written(s.topic); got != s.want {
			t.Errorf("%s, %s: written %v, want %v", s.role, s.topic, got, s.want)
		}
	}
}

// TestRealtime_MessageJudgmentsDoNotPileUp: the judgments of a client's
// subscriptions are kept for the subscriptions it has, not for every topic
// it ever had. A realtime connection lives up to 30 minutes and may set a
// new list of up to 1000 topics of up to 2500 bytes at every subscribe
// request; a volunteer who resubscribes with new topics after each edit of
// their own report would otherwise grow the server's memory without bound.
func TestRealtime_MessageJudgmentsDoNotPileUp(t *testing.T) {
	app := fixtures.Factory(t)
	user, err := app.FindRecordById("users", fixtures.Volunteer2)
	if err != nil {
		t.Fatal(err)
	}
	client := subscriptions.NewDefaultClient()
	client.Set(apis.RealtimeClientAuthKey, user)
	padding := strings.Repeat(" ", 2000)
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	before := heap()
	for round := range 40 {
		client.Unsubscribe()
		for i := range 200 {
			topic := fmt.Sprintf(`incident_reports?options={"query":{"filter":"status = 'r%d-%d'%s"}}`, round, i, padding)
			client.Subscribe(topic)
			event := &core.RealtimeMessageEvent{RequestEvent: &core.RequestEvent{App: app}, Client: client,
				Message: &subscriptions.Message{Name: topic, Data: []byte(`{}`)}}
			if err := app.OnRealtimeMessageSend().Trigger(event, func(*core.RealtimeMessageEvent) error { return nil }); err != nil {
				t.Fatal(err)
			}
		}
	}
	client.Unsubscribe()
	// 40 rounds of 200 topics of 2 KB: 16 MB if every judgment is kept.
	if grown := int64(heap()) - int64(before); grown > 4<<20 {
		t.Fatalf("one client's judgments of topics it no longer has hold %d MB", grown>>20)
	}
	runtime.KeepAlive(client)
}

// messageSent reports whether a realtime message of topic, written to
// client, gets through the app's message hooks.
func messageSent(t testing.TB, app core.App, client subscriptions.Client, topic string) bool {
	t.Helper()
	sent := false
	event := &core.RealtimeMessageEvent{RequestEvent: &core.RequestEvent{App: app}, Client: client,
		Message: &subscriptions.Message{Name: topic, Data: []byte(`{}`)}}
	if err := app.OnRealtimeMessageSend().Trigger(event, func(*core.RealtimeMessageEvent) error {
		sent = true
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return sent
}

// TestRealtime_BecomingAnAidWorkerDropsOutgrownFilters: a volunteer may
// filter aid requests by the beneficiary's phone (they list only their
// own), in an organization or not; made an aid worker of one, they list its
// requests too, on some of which the phone is hidden from them, so the
// same filter would test guesses of it.
func TestRealtime_BecomingAnAidWorkerDropsOutgrownFilters(t *testing.T) {
	app := fixtures.Factory(t)
	if _, err := apis.NewRouter(app); err != nil {
		t.Fatal(err)
	}
	org := fixtures.Organization(t, app, "Field Clinic")
	user, err := app.FindRecordById("users", fixtures.Volunteer2)
	if err != nil {
		t.Fatal(err)
	}
	byPhone := `aid_requests?options={"query":{"filter":"contact_phone ~ '900'"}}`
	byStatus := `aid_requests?options={"query":{"filter":"status = 'open'"}}`
	clients := map[string]*subscriptions.DefaultClient{}
	for _, topic := range []string{byPhone, byStatus} {
		client := subscriptions.NewDefaultClient()
		client.Set(apis.RealtimeClientAuthKey, user)
		client.Subscribe(topic)
		app.SubscriptionsBroker().Register(client)
		clients[topic] = client
	}
	registered := func(c *subscriptions.DefaultClient) bool {
		_, err := app.SubscriptionsBroker().ClientById(c.Id())
		return err == nil
	}
	user.Set("organization", org.Id)
	if err := app.Save(user); err != nil {
		t.Fatal(err)
	}
	if !registered(clients[byPhone]) || !registered(clients[byStatus]) {
		t.Fatal("a volunteer's filters were dropped on joining an organization: a volunteer still lists only their own")
	}
	user.Set("role", "aid_worker")
	if err := app.Save(user); err != nil {
		t.Fatal(err)
	}
	if registered(clients[byPhone]) {
		t.Fatal("the phone filter outlived becoming an aid worker")
	}
	if !registered(clients[byStatus]) {
		t.Fatal("a status filter was dropped")
	}
}

// TestRealtime_AidWorkerEvents: an aid worker subscribed to aid requests
// gets the one assigned to their organization with its notes and place
// while it is handled, without them (nor the contact) once it is closed,
// and nothing of it once the organization is retired.
func TestRealtime_AidWorkerEvents(t *testing.T) {
	app := fixtures.Factory(t)
	if _, err := apis.NewRouter(app); err != nil {
		t.Fatal(err)
	}
	org := fixtures.Organization(t, app, "Field Clinic")
	worker, err := app.FindRecordById("users", fixtures.Volunteer2)
	if err != nil {
		t.Fatal(err)
	}
	worker.Set("role", "aid_worker")
	worker.Set("organization", org.Id)
	if err := app.Save(worker); err != nil {
		t.Fatal(err)
	}
	request, err := app.FindRecordById("aid_requests", fixtures.AidFulfilled)
	if err != nil {
		t.Fatal(err)
	}
	request.Set("assigned_org", org.Id)
	if err := app.Save(request); err != nil {
		t.Fatal(err)
	}
	client := subscriptions.NewDefaultClient()
	client.Set(apis.RealtimeClientAuthKey, worker)
	client.Subscribe("aid_requests")
	app.SubscriptionsBroker().Register(client)
	const place, note = "Isfara, block 4", "Delivered water on Monday."
	event := func(set map[string]any) (string, bool) {
		t.Helper()
		request, err := app.FindRecordById("aid_requests", fixtures.AidFulfilled)
		if err != nil {
			t.Fatal(err)
		}
		request.Load(set)
		if err := app.Save(request); err != nil {
			t.Fatal(err)
		}
		select {
		case msg := <-client.Channel():
			return string(msg.Data), true
		case <-time.After(2 * time.Second):
			return "", false
		}
	}
	data, ok := event(map[string]any{"notes": note})
	if !ok || !strings.Contains(data, note) || !strings.Contains(data, place) || !strings.Contains(data, fixtures.BeneficiaryName) {
		t.Fatalf("event while fulfilled lacks notes, place or contact (%v): %s", ok, data)
	}
	data, ok = event(map[string]any{"status": "closed"})
	if !ok || !strings.Contains(data, `"status":"closed"`) {
		t.Fatalf("no event of the closing (%v): %s", ok, data)
	}
	for _, secret := range []string{note, place, fixtures.BeneficiaryName, `"notes"`, `"place"`} {
		if strings.Contains(data, secret) {
			t.Errorf("event of the closed request discloses %s: %s", secret, data)
		}
	}
	org.Set("active", false)
	if err := app.Save(org); err != nil {
		t.Fatal(err)
	}
	if data, ok = event(map[string]any{"people_count": 6}); ok {
		t.Fatalf("an aid worker of a retired organization got an event: %s", data)
	}
}
