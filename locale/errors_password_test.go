package locale_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/tests"

	"aman/internal/fixtures"
)

// TestErrors_PasswordLengthKeepsTheNumber: PocketBase's password field
// sends validation_min_text_constraint and validation_max_text_constraint
// without params, the number only in its English text ("Must be at least
// 8 character(s)"). The translations say the number too, not "<no value>".
func TestErrors_PasswordLengthKeepsTheNumber(t *testing.T) {
	scenarios := []struct{ lang, password, want string }{
		{"ru", "abc", `"password":{"code":"validation_min_text_constraint","message":"Не менее 8 символов."}`},
		{"tg", "abc", `"message":"На кам аз 8 аломат."`},
		{"ky", "abc", `"message":"8 белгиден кем болбошу керек."`},
		{"uz-Cyrl", "abc", `"message":"Камида 8 та белги бўлиши керак."`},
		{"en", "abc", `"message":"Must be at least 8 character(s)."`},
		{"ru", strings.Repeat("a", 72), `"password":{"code":"validation_max_text_constraint","message":"Не более 71 символа."}`},
		{"tg", strings.Repeat("a", 72), `"message":"На зиёда аз 71 аломат."`},
	}
	for _, s := range scenarios {
		run(t, fixtures.Scenario(fixtures.Anonymous, tests.ApiScenario{
			Name:               "sign-up with a password of " + strconv.Itoa(len(s.password)) + " characters in " + s.lang,
			Method:             http.MethodPost,
			URL:                "/api/collections/users/records?lang=" + s.lang,
			Body:               strings.NewReader(mustJSON(map[string]any{"email": "new@example.org", "password": s.password, "passwordConfirm": s.password})),
			ExpectedStatus:     http.StatusBadRequest,
			ExpectedContent:    []string{s.want},
			NotExpectedContent: []string{"<no value>", `"params"`},
			ExpectedEvents:     map[string]int{"OnRecordCreateRequest": 1, "OnRecordValidate": 1, "OnRecordAfterCreateError": 1},
		}))
	}
}
