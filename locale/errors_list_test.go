package locale_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/tests"

	"aman/internal/fixtures"
)

// TestErrors_ListLengthCountsItems: PocketBase refuses too many batch
// requests and realtime subscriptions with validation_length_too_long,
// the code of too long strings; the message counts items, not characters.
func TestErrors_ListLengthCountsItems(t *testing.T) {
	requests := make([]map[string]any, 51)
	for i := range requests {
		requests[i] = map[string]any{"method": "GET", "url": "/api/health"}
	}
	subscriptions := make([]string, 1001)
	for i := range subscriptions {
		subscriptions[i] = "updates"
	}
	scenarios := []struct {
		name, url, body, want string
	}{
		{"batch of 51 in ru", "/api/batch?lang=ru", mustJSON(map[string]any{"requests": requests}),
			`"requests":{"code":"validation_length_too_long","message":"Не более 50 элементов.","params":{"max":50,"min":0}}`},
		{"batch of 51 in tg", "/api/batch?lang=tg", mustJSON(map[string]any{"requests": requests}),
			`"message":"На зиёда аз 50 унсур."`},
		{"1001 subscriptions in ky", "/api/realtime?lang=ky", mustJSON(map[string]any{"clientId": "c", "subscriptions": subscriptions}),
			`"subscriptions":{"code":"validation_length_too_long","message":"1000 элементтен ашпашы керек."`},
		{"1001 subscriptions in uz-Cyrl", "/api/realtime?lang=uz-Cyrl", mustJSON(map[string]any{"clientId": "c", "subscriptions": subscriptions}),
			`"message":"1000 та элементдан ошмаслиги керак."`},
	}
	for _, s := range scenarios {
		run(t, fixtures.Scenario(fixtures.Anonymous, tests.ApiScenario{
			Name:               s.name,
			Method:             http.MethodPost,
			URL:                s.url,
			Body:               strings.NewReader(s.body),
			ExpectedStatus:     http.StatusBadRequest,
			ExpectedContent:    []string{s.want},
			NotExpectedContent: []string{"символ", "аломат", "белги"},
			ExpectedEvents:     map[string]int{"*": 0},
		}))
	}
	run(t, fixtures.Scenario(fixtures.Anonymous, tests.ApiScenario{
		Name:            "a string's length still counts characters",
		Method:          http.MethodPost,
		URL:             "/api/collections/users/auth-with-password?lang=ru",
		Body:            strings.NewReader(mustJSON(map[string]any{"identity": "a@b.cd", "password": strings.Repeat("x", 256)})),
		ExpectedStatus:  http.StatusBadRequest,
		ExpectedContent: []string{`"message":"Длина должна быть от 1 до 255 символов."`},
		ExpectedEvents:  map[string]int{"*": 0},
	}))
}
