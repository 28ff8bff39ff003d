package locale_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
	"github.com/pocketbase/pocketbase/tools/subscriptions"

	"aman/internal/fixtures"
)

// TestErrors_RealtimeFilterLimits: a realtime subscription's filter is
// evaluated on every write of its collection while the writer waits, and
// PocketBase checked it against no limit when the client subscribed (the
// length limit of lists not at all, but a topic is at most 2500
// characters). The subscribe request is refused with the list's code and a
// 400 when its filter has more conditions than a list's may (200), from
// every side, in the caller's language; a filter within them is taken, and
// its events arrive.
func TestErrors_RealtimeFilterLimits(t *testing.T) {
	conditions := func(n int) string { return strings.TrimSuffix(strings.Repeat(`id!='x'||`, n), "||") }
	topic := func(filter string) string {
		options, _ := json.Marshal(map[string]any{"query": map[string]any{"filter": filter}})
		return "incident_reports?options=" + string(options)
	}
	tooComplex := map[string]string{
		"en": "The filter is too complex: it may have at most 200 conditions.",
		"ru": "Фильтр слишком сложный: условий в нём может быть не более 200.",
	}
	var client *subscriptions.DefaultClient
	cases := []struct {
		as, name, lang string
		topics         []string
		status         int
		want           []string
	}{
		{fixtures.Anonymous, "201 conditions", "en", []string{topic(conditions(201))}, 400,
			[]string{`"subscriptions":{"code":"list_filter_too_complex","message":"` + tooComplex["en"] + `","params":{"max":200}}`,
				`"message":"` + tooComplex["en"] + `","status":400`}},
		{fixtures.Volunteer, "201 conditions, ru", "ru", []string{topic(conditions(201))}, 400,
			[]string{`"code":"list_filter_too_complex"`, `"message":"` + tooComplex["ru"] + `","status":400`}},
		{fixtures.Volunteer2, "201 conditions after a good topic", "en", []string{"incident_reports", topic(conditions(201))}, 400,
			[]string{`"subscriptions":{"code":"list_filter_too_complex"`}},
		{fixtures.Editor, "201 conditions in a group", "en", []string{topic("(" + conditions(201) + ")")}, 400,
			[]string{`"code":"list_filter_too_complex"`}},
		{fixtures.Superuser, "201 conditions", "en", []string{topic(conditions(201))}, 400,
			[]string{`"code":"list_filter_too_complex"`}},
		{fixtures.Coordinator, "200 conditions are taken, and the events arrive", "en", []string{topic(conditions(200))}, 204, nil},
	}
	for _, c := range cases {
		scenario := fixtures.Scenario(c.as, tests.ApiScenario{
			Name:            fixtures.Role(c.as) + "_" + strings.ReplaceAll(c.name, " ", "_"),
			Method:          http.MethodPost,
			URL:             "/api/realtime",
			Headers:         map[string]string{"Accept-Language": c.lang, "Content-Type": "application/json"},
			ExpectedStatus:  c.status,
			ExpectedContent: c.want,
		})
		auth := scenario.BeforeTestFunc
		scenario.BeforeTestFunc = func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
			if auth != nil {
				auth(t, app, e)
			}
			client = subscriptions.NewDefaultClient()
			if c.as != fixtures.Anonymous {
				record, err := app.FindRecordById(map[bool]string{true: core.CollectionNameSuperusers, false: "users"}[c.as == fixtures.Superuser], c.as)
				if err != nil {
					t.Fatal(err)
				}
				client.Set(apis.RealtimeClientAuthKey, record)
			}
			app.SubscriptionsBroker().Register(client)
			body, _ := json.Marshal(map[string]any{"clientId": client.Id(), "subscriptions": c.topics})
			scenario.Body = strings.NewReader(string(body))
		}
		scenario.AfterTestFunc = func(t testing.TB, app *tests.TestApp, res *http.Response) {
			if c.status != http.StatusNoContent {
				if n := len(client.Subscriptions()); n != 0 {
					t.Errorf("the refused request left %d subscriptions", n)
				}
				return
			}
			report, err := app.FindRecordById("incident_reports", fixtures.ReportSubmitted)
			if err != nil {
				t.Fatal(err)
			}
			report.Set("description", "Seen again this morning.")
			if err := app.Save(report); err != nil {
				t.Fatal(err)
			}
			select {
			case msg := <-client.Channel():
				if !strings.Contains(string(msg.Data), fixtures.ReportSubmitted) {
					t.Errorf("event of another record: %s", msg.Data)
				}
			case <-time.After(5 * time.Second):
				t.Error("no realtime event for the subscription taken")
			}
		}
		scenario.Test(t)
	}
}
