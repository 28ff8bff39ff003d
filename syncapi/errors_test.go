package syncapi_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/tools/subscriptions"

	"aman/changelog"
	"aman/locale"
)

// TestRequestErrors: the failures of a whole request, each with its
// status, stable code and a message, and nothing written.
func TestRequestErrors(t *testing.T) {
	en := newEnv(t)
	en.push(volunteerA, "device-a") // binds device-a to A
	tooMany := make([]mut, 501)
	for i := range tooMany {
		tooMany[i] = publishedUpdate(pad("many", i), "x")
	}
	cases := []struct {
		name    string
		as      string
		method  string
		url     string
		body    any
		headers []string
		status  int
		code    string
	}{
		{"push_anonymous", anonymous, http.MethodPost, "/api/sync/v1/push",
			map[string]any{"client": "d", "mutations": []mut{}}, nil, 401, "sync_auth_required"},
		{"push_bad_token", "bogus", http.MethodPost, "/api/sync/v1/push",
			map[string]any{"client": "d", "mutations": []mut{}}, []string{"Authorization", "not-a-token"}, 401, "sync_invalid_token"},
		{"pull_bad_token", "bogus", http.MethodGet, "/api/sync/v1/pull", nil,
			[]string{"Authorization", "not-a-token"}, 401, "sync_invalid_token"},
		{"push_v2", volunteerA, http.MethodPost, "/api/sync/v2/push", map[string]any{}, nil, 426, "sync_unsupported_protocol"},
		{"pull_v2", anonymous, http.MethodGet, "/api/sync/v2/pull", nil, nil, 426, "sync_unsupported_protocol"},
		{"pull_protocol_header", anonymous, http.MethodGet, "/api/sync/v1/pull", nil,
			[]string{"X-Aman-Sync-Protocol", "2"}, 426, "sync_unsupported_protocol"},
		{"push_malformed", volunteerA, http.MethodPost, "/api/sync/v1/push", `{"client":"d","mutations":[`, nil, 400, "sync_malformed_body"},
		{"push_no_mutations", volunteerA, http.MethodPost, "/api/sync/v1/push", `{"client":"d"}`, nil, 400, "sync_malformed_body"},
		{"push_no_client", volunteerA, http.MethodPost, "/api/sync/v1/push", map[string]any{"mutations": []mut{}}, nil, 400, "sync_invalid_client"},
		{"push_501", editor, http.MethodPost, "/api/sync/v1/push", map[string]any{"client": "d-e", "mutations": tooMany}, nil, 400, "sync_too_many_mutations"},
		{"push_too_large", volunteerA, http.MethodPost, "/api/sync/v1/push",
			`{"client":"d","mutations":[],"pad":"` + strings.Repeat("x", 17<<20) + `"}`, nil, 413, ""},
		{"push_client_of_another_user", volunteerB, http.MethodPost, "/api/sync/v1/push",
			map[string]any{"client": "device-a", "mutations": []mut{createReport("reportbbbbbbbb1", volunteerB, nil)}}, nil, 403, "sync_client_taken"},
		{"pull_unknown_collection", anonymous, http.MethodGet, "/api/sync/v1/pull?collections=users", nil, nil, 400, "sync_unknown_collection"},
		{"pull_bad_limit", anonymous, http.MethodGet, "/api/sync/v1/pull?limit=0", nil, nil, 400, "sync_invalid_limit"},
		{"push_bad_lost", volunteerA, http.MethodPost, "/api/sync/v1/push?lost=not-a-position", map[string]any{"client": "d", "mutations": []mut{}}, nil, 400, "sync_invalid_position"},
	}
	for i, c := range cases {
		t.Run(itoa(i)+"_"+c.name, func(t *testing.T) {
			rec := en.raw(c.as, c.method, c.url, c.body, c.headers...)
			if rec.Code != c.status {
				t.Fatalf("status %d, want %d: %.300s", rec.Code, c.status, rec.Body.String())
			}
			body := rec.Body.String()
			if c.code != "" && (!strings.Contains(body, `"code":"`+c.code+`"`) || !strings.Contains(body, `"message":"`)) {
				t.Fatalf("body %.300s, want code %s", body, c.code)
			}
		})
	}
	if n := en.countRows("_aman_changes", "collection IN ('updates', 'incident_reports')", nil); n != 0 {
		t.Fatalf("a failed request wrote %d changes", n)
	}
}

// TestPull_Gzip: a client that accepts gzip gets a gzipped pull.
func TestPull_Gzip(t *testing.T) {
	en := newEnv(t)
	en.push(editor, "device-e", publishedUpdate("updateaaaaaaaa1", "Compressed"))
	rec := en.raw(anonymous, http.MethodGet, "/api/sync/v1/pull?collections=updates", nil, "Accept-Encoding", "gzip")
	if rec.Code != 200 || rec.Header().Get("Content-Encoding") != "gzip" {
		t.Fatalf("%d %v", rec.Code, rec.Header())
	}
	if body := string(gunzip(t, rec.Body.Bytes())); !strings.Contains(body, `"title":"Compressed"`) {
		t.Fatalf("body: %s", body)
	}
}

// TestNudge: a commit to a synced collection sends an empty message on the
// aman/sync realtime topic to its subscribers, and nothing to others.
func TestNudge(t *testing.T) {
	en := newEnv(t)
	sub, other := subscriptions.NewDefaultClient(), subscriptions.NewDefaultClient()
	sub.Subscribe(changelog.Topic)
	other.Subscribe("updates")
	en.app.SubscriptionsBroker().Register(sub)
	en.app.SubscriptionsBroker().Register(other)
	// a burst of writes is coalesced into one nudge
	en.push(editor, "device-e", publishedUpdate("updateaaaaaaaa1", "One"), publishedUpdate("updateaaaaaaaa2", "Two"))
	select {
	case msg := <-sub.Channel():
		if msg.Name != changelog.Topic || string(msg.Data) != "{}" {
			t.Fatalf("nudge: %s %s", msg.Name, msg.Data)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("no nudge")
	}
	select {
	case msg := <-sub.Channel():
		t.Fatalf("second nudge for one burst: %v", msg)
	case msg := <-other.Channel():
		if msg.Name == changelog.Topic {
			t.Fatal("nudge sent to a client not subscribed to it")
		}
	case <-time.After(500 * time.Millisecond):
	}
}

// TestMessages_Localized: messages follow the request's language; codes
// stay.
func TestMessages_Localized(t *testing.T) {
	en := newEnv(t)
	rec := en.raw(anonymous, http.MethodPost, "/api/sync/v1/push", map[string]any{"client": "d", "mutations": []mut{}},
		"Accept-Language", "ru")
	if rec.Code != 401 || !strings.Contains(rec.Body.String(), `"code":"sync_auth_required"`) {
		t.Fatalf("%d %s", rec.Code, rec.Body.String())
	}
	body := decode(t, rec.Body.Bytes())
	msg, _ := body["message"].(string)
	if msg == "" || (msg != "Sign in to push changes." && !strings.ContainsAny(msg, "абвгдеёжзийклмнопрстуфхцчшщыэюя")) {
		t.Fatalf("message: %q", msg)
	}
	res := en.push(volunteerA, "device-a", mut{"id": "x", "collection": "incident_reports", "recordId": "reportinvalid01",
		"data": report(volunteerA, map[string]any{"category": "nope"})})[0]
	f, _ := res.Error.Fields["category"].(map[string]any)
	if f["code"] == nil || f["message"] == "" {
		t.Fatalf("field error: %+v", res.Error)
	}
}

// TestMessages_ReplayInTheReplayersLanguage: a rejection pushed again (its
// answer was lost) is answered in the language of the push that replays it,
// not of the one that stored it; codes and params stay, and a replay in the
// stored language is the stored answer byte for byte.
func TestMessages_ReplayInTheReplayersLanguage(t *testing.T) {
	en := newEnv(t)
	m := mut{"id": "bad", "collection": "incident_reports", "recordId": "reportreplay001", "baseRev": nil,
		"data": report(volunteerA, map[string]any{"category": nil, "description": strings.Repeat("x", 5001)})}
	body := map[string]any{"client": "device-a", "mutations": []mut{m}}
	first := en.raw(volunteerA, http.MethodPost, "/api/sync/v1/push?lang=ru", body)
	if first.Code != http.StatusOK || !strings.Contains(first.Body.String(), `"message":"Не более 5000 символов."`) {
		t.Fatalf("first push: %d %s", first.Code, first.Body.String())
	}
	cases := []struct {
		lang string
		want []string
	}{
		{"tg", []string{
			`"code":"sync_validation_failed","message":"` + mustLocalize(t, "tg", "sync_validation_failed") + `"`,
			`"category":{"code":"validation_required","message":"Майдони ҳатмӣ."}`,
			`"description":{"code":"validation_max_text_constraint","message":"На зиёда аз 5000 аломат.","params":{"max":5000}}`,
		}},
		{"en", []string{
			`"code":"sync_validation_failed","message":"Some fields are invalid."`,
			`"category":{"code":"validation_required","message":"Cannot be blank."}`,
			`"message":"Must be no more than 5000 characters."`,
		}},
	}
	for _, c := range cases {
		rec := en.raw(volunteerA, http.MethodPost, "/api/sync/v1/push?lang="+c.lang, body)
		got := rec.Body.String()
		for _, w := range c.want {
			if !strings.Contains(got, w) {
				t.Errorf("replay in %s: want %s in %s", c.lang, w, got)
			}
		}
		if strings.ContainsAny(got, "ЖжЩщЫы") {
			t.Errorf("replay in %s still has Russian: %s", c.lang, got)
		}
	}
	again := en.raw(volunteerA, http.MethodPost, "/api/sync/v1/push?lang=ru", body)
	if again.Body.String() != first.Body.String() {
		t.Errorf("replay in the stored language changed:\n%s\n%s", first.Body.String(), again.Body.String())
	}
}

func mustLocalize(t *testing.T, lang, code string) string {
	t.Helper()
	msg, ok := locale.LocalizeCode(lang, code, nil)
	if !ok {
		t.Fatalf("no message for %s", code)
	}
	return msg
}
