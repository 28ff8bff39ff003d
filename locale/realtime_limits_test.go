package locale_test

import (
	"encoding/json"
	"fmt"
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
	cases := []subscribeCase{
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
		scenario := subscribeScenario(c, true, &client)
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

// TestErrors_RealtimeSubscribeLimits: PocketBase itself refuses a subscribe
// request of more than 1000 topics, or with a topic of more than 2500
// characters, with 400 and the reason only in data.subscriptions under
// "Something went wrong while processing your request.". The reason is the
// top-level message, in the caller's language, from every side; the field
// error keeps PocketBase's code, and nothing is subscribed.
func TestErrors_RealtimeSubscribeLimits(t *testing.T) {
	many := make([]string, 1001)
	for i := range many {
		many[i] = fmt.Sprintf("incident_reports/%015d", i)
	}
	long := "incident_reports?options=" + strings.Repeat("x", 2500)
	tooMany := map[string]string{
		"en": "A realtime connection may subscribe to at most 1000 topics at once.",
		"ru": "Одно соединение реального времени может подписаться не более чем на 1000 тем одновременно.",
	}
	tooLong := map[string]string{
		"en": "A realtime subscription topic may have at most 2500 characters.",
		"ru": "Тема подписки реального времени может содержать не более 2500 символов.",
	}
	var client *subscriptions.DefaultClient
	cases := []subscribeCase{
		{fixtures.Anonymous, "1001 topics", "en", many, 400,
			[]string{`"subscriptions":{"code":"validation_length_too_long"`, `"message":"` + tooMany["en"] + `","status":400`}},
		{fixtures.Volunteer, "1001 topics, ru", "ru", many, 400,
			[]string{`"subscriptions":{"code":"validation_length_too_long","message":"Не более 1000 элементов."`,
				`"message":"` + tooMany["ru"] + `","status":400`}},
		{fixtures.Superuser, "1001 topics", "en", many, 400,
			[]string{`"message":"` + tooMany["en"] + `","status":400`}},
		{fixtures.Anonymous, "a topic of 2525 characters", "en", []string{"incident_reports", long}, 400,
			[]string{`"subscriptions":{"1":{"code":"validation_length_too_long"`, `"message":"` + tooLong["en"] + `","status":400`}},
		{fixtures.Volunteer2, "two topics too long, ru", "ru", []string{long, long}, 400,
			[]string{`"0":{"code":"validation_length_too_long","message":"Длина должна быть не более 2500 символов."`,
				`"message":"` + tooLong["ru"] + `","status":400`}},
		{fixtures.Coordinator, "a topic of 2525 characters, ru", "ru", []string{long}, 400,
			[]string{`"message":"` + tooLong["ru"] + `","status":400`}},
		{fixtures.Editor, "no client id: PocketBase's answer as it was", "en", nil, 400,
			[]string{`"message":"Something went wrong while processing your request.","status":400`}},
		{fixtures.Coordinator, "1000 topics are taken", "en", many[:1000], 204, nil},
	}
	for _, c := range cases {
		scenario := subscribeScenario(c, c.topics != nil, &client)
		scenario.AfterTestFunc = func(t testing.TB, app *tests.TestApp, res *http.Response) {
			want := 0
			if c.status == http.StatusNoContent {
				want = len(c.topics)
			}
			if n := len(client.Subscriptions()); n != want {
				t.Errorf("%d subscriptions, want %d", n, want)
			}
		}
		scenario.Test(t)
	}
}

// subscribeCase is a subscribe request of topics by as, in lang, and
// what it is answered.
type subscribeCase struct {
	as, name, lang string
	topics         []string
	status         int
	want           []string
}

// subscribeScenario is c's POST /api/realtime for a client registered
// before it (signed in as c.as) and kept in *client; withID false sends no
// client id.
func subscribeScenario(c subscribeCase, withID bool, client **subscriptions.DefaultClient) *tests.ApiScenario {
	as, topics := c.as, c.topics
	scenario := fixtures.Scenario(as, tests.ApiScenario{
		Name:            fixtures.Role(as) + "_" + strings.ReplaceAll(c.name, " ", "_"),
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
		*client = subscriptions.NewDefaultClient()
		if as != fixtures.Anonymous {
			record, err := app.FindRecordById(map[bool]string{true: core.CollectionNameSuperusers, false: "users"}[as == fixtures.Superuser], as)
			if err != nil {
				t.Fatal(err)
			}
			(*client).Set(apis.RealtimeClientAuthKey, record)
		}
		app.SubscriptionsBroker().Register(*client)
		id := ""
		if withID {
			id = (*client).Id()
		}
		body, _ := json.Marshal(map[string]any{"clientId": id, "subscriptions": topics})
		scenario.Body = strings.NewReader(string(body))
	}
	return &scenario
}
