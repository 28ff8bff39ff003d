package locale_test

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
	"github.com/pocketbase/pocketbase/tools/router"

	"aman/internal/fixtures"
	"aman/locale"
)

const reportsURL = "/api/collections/incident_reports/records"

// reportBody is a valid new report of fixtures.Volunteer without the keys
// in omit and with the overrides in set.
func reportBody(set map[string]any, omit ...string) *strings.Reader {
	body := map[string]any{
		"reporter":    fixtures.Volunteer,
		"occurred_at": "2026-11-20 10:00:00.000Z",
		"region":      "batken",
		"category":    "shelling",
		"description": "Shelling near the school.",
	}
	for k, v := range set {
		body[k] = v
	}
	for _, k := range omit {
		delete(body, k)
	}
	return strings.NewReader(mustJSON(body))
}

// setUser sets fields of a fixture user before the request.
func setUser(id string, fields map[string]any) func(testing.TB, *tests.TestApp, *core.ServeEvent) {
	return func(t testing.TB, app *tests.TestApp, _ *core.ServeEvent) {
		u, err := app.FindRecordById("users", id)
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range fields {
			u.Set(k, v)
		}
		if err := app.Save(u); err != nil {
			t.Fatal(err)
		}
	}
}

// TestErrors_MissingRequiredField: the acceptance scenario, in every
// language: a volunteer's report without a category is refused with the
// code validation_required and a message in the request's language.
func TestErrors_MissingRequiredField(t *testing.T) {
	scenarios := []struct {
		accept, message, top string
	}{
		{"tg", `"message":"Майдони ҳатмӣ."`, `"message":"Дар маълумоти фиристодашуда хатоҳо ҳастанд."`},
		{"ky-KG,ky;q=0.9", `"message":"Милдеттүү талаа."`, `"message":"Жөнөтүлгөн маалыматтарда каталар бар."`},
		{"ru-RU", `"message":"Обязательное поле."`, `"message":"Отправленные данные содержат ошибки."`},
		{"uz-Cyrl-UZ", `"message":"Мажбурий майдон."`, `"message":"Юборилган маълумотларда хатолар бор."`},
		{"uz", `"message":"Мажбурий майдон."`, `"message":"Юборилган маълумотларда хатолар бор."`},
		{"fr", `"message":"Cannot be blank."`, `"message":"Failed to create record."`},
	}
	for _, s := range scenarios {
		run(t, fixtures.Scenario(fixtures.Volunteer, tests.ApiScenario{
			Name:           "Accept-Language " + s.accept,
			Method:         http.MethodPost,
			URL:            reportsURL,
			Body:           reportBody(nil, "category"),
			Headers:        map[string]string{"Accept-Language": s.accept},
			ExpectedStatus: http.StatusBadRequest,
			ExpectedContent: []string{
				`"category":{"code":"validation_required",` + s.message,
				`"status":400`,
			},
			NotExpectedContent: []string{`"reporter":{`, `"description":{`},
			ExpectedEvents:     map[string]int{"OnRecordCreateRequest": 1},
		}))
	}
}

func TestErrors_TooLongDescriptionKeepsTheLimit(t *testing.T) {
	long := strings.Repeat("x", 5001)
	scenarios := []struct{ lang, want string }{
		{"ru", `"description":{"code":"validation_max_text_constraint","message":"Не более 5000 символов.","params":{"max":5000}}`},
		{"tg", `"message":"На зиёда аз 5000 аломат."`},
		{"ky", `"message":"5000 белгиден ашпашы керек."`},
		{"uz-Cyrl", `"message":"5000 та белгидан ошмаслиги керак."`},
		{"en", `"message":"Must be no more than 5000 character(s)."`},
	}
	for _, s := range scenarios {
		run(t, fixtures.Scenario(fixtures.Volunteer, tests.ApiScenario{
			Name:            "description of 5001 characters in " + s.lang,
			Method:          http.MethodPost,
			URL:             reportsURL + "?lang=" + s.lang,
			Body:            reportBody(map[string]any{"description": long}),
			ExpectedStatus:  http.StatusBadRequest,
			ExpectedContent: []string{`"code":"validation_max_text_constraint"`, s.want},
			ExpectedEvents:  map[string]int{"OnRecordCreateRequest": 1},
		}))
	}
}

// TestErrors_LanguageOrder: ?lang= beats the user's language, which beats
// Accept-Language, which beats the region fallback.
func TestErrors_LanguageOrder(t *testing.T) {
	scenarios := []struct {
		name    string
		query   string
		accept  string
		user    map[string]any
		want    string
		content string
	}{
		{"user language ky, no header", "", "", map[string]any{"language": "ky"}, "ky", `"message":"Милдеттүү талаа."`},
		{"user ky beats Accept-Language tg", "", "tg", map[string]any{"language": "ky"}, "ky", `"message":"Милдеттүү талаа."`},
		{"?lang=ru beats user ky and header tg", "?lang=ru", "tg", map[string]any{"language": "ky"}, "ru", `"message":"Обязательное поле."`},
		{"?lang=uz-UZ is Cyrillic Uzbek", "?lang=uz-UZ", "", nil, "uz-Cyrl", `"message":"Мажбурий майдон."`},
		{"unknown ?lang= is ignored", "?lang=xx", "tg", nil, "tg", `"message":"Майдони ҳатмӣ."`},
		{"?lang=und names no language: the user's ky stays", "?lang=und", "", map[string]any{"language": "ky"}, "ky", `"message":"Милдеттүү талаа."`},
		{"a browser header with one unknown tag is still Russian", "", "ru-RU,ru;q=0.9,en;q=0.7,zz;q=0.1", nil, "ru", `"message":"Обязательное поле."`},
		{"Batken user, French device: Russian", "", "fr", map[string]any{"region": "batken"}, "ru", `"message":"Обязательное поле."`},
		{"region other, French device: English", "", "fr", map[string]any{"region": "other"}, "en", `"message":"Cannot be blank."`},
	}
	for _, s := range scenarios {
		headers := map[string]string{}
		if s.accept != "" {
			headers["Accept-Language"] = s.accept
		}
		run(t, fixtures.Scenario(fixtures.Volunteer, tests.ApiScenario{
			Name:            s.name,
			Method:          http.MethodPost,
			URL:             reportsURL + s.query,
			Body:            reportBody(nil, "category"),
			Headers:         headers,
			BeforeTestFunc:  setUser(fixtures.Volunteer, s.user),
			ExpectedStatus:  http.StatusBadRequest,
			ExpectedContent: []string{`"code":"validation_required"`, s.content},
			ExpectedEvents:  map[string]int{"OnRecordCreateRequest": 1},
			AfterTestFunc:   expectContentLanguage(s.want),
		}))
	}
}

func expectContentLanguage(want string) func(testing.TB, *tests.TestApp, *http.Response) {
	return func(t testing.TB, _ *tests.TestApp, res *http.Response) {
		if got := res.Header.Get("Content-Language"); got != want {
			t.Fatalf("Content-Language %q, want %q", got, want)
		}
	}
}

// TestErrors_PocketBaseMessages: PocketBase's own 401/403/404 and auth
// failures, and the batch API's nested per-request errors.
func TestErrors_PocketBaseMessages(t *testing.T) {
	run(t, fixtures.Scenario(fixtures.Anonymous, tests.ApiScenario{
		Name:            "404 on a missing record",
		Method:          http.MethodGet,
		URL:             "/api/collections/appeals/records/missing00000000",
		Headers:         map[string]string{"Accept-Language": "tg"},
		ExpectedStatus:  http.StatusNotFound,
		ExpectedContent: []string{`"message":"Манбаи дархостшуда ёфт нашуд."`, `"status":404`},
		ExpectedEvents:  map[string]int{"*": 0},
		AfterTestFunc:   expectContentLanguage("tg"),
	}))
	run(t, fixtures.Scenario(fixtures.Anonymous, tests.ApiScenario{
		Name:            "wrong password",
		Method:          http.MethodPost,
		URL:             "/api/collections/users/auth-with-password",
		Body:            strings.NewReader(`{"identity":"` + fixtures.Volunteer + `@example.org","password":"wrong password"}`),
		Headers:         map[string]string{"Accept-Language": "ru", "Content-Type": "application/json"},
		ExpectedStatus:  http.StatusBadRequest,
		ExpectedContent: []string{`"message":"Не удалось войти."`},
		ExpectedEvents:  map[string]int{"*": 0, "OnRecordAuthWithPasswordRequest": 1},
	}))
	run(t, fixtures.Scenario(fixtures.Anonymous, tests.ApiScenario{
		Name:            "anonymous create: 400 with the rule failure",
		Method:          http.MethodPost,
		URL:             reportsURL + "?lang=ky",
		Body:            reportBody(nil),
		ExpectedStatus:  http.StatusBadRequest,
		ExpectedContent: []string{`"message":"Жазууну түзүү мүмкүн болгон жок."`},
		ExpectedEvents:  map[string]int{"*": 0},
	}))
	run(t, fixtures.Scenario(fixtures.Volunteer, tests.ApiScenario{
		Name:           "batch: the failing request's nested response is localized",
		Method:         http.MethodPost,
		URL:            "/api/batch?lang=uz",
		Body:           strings.NewReader(`{"requests":[{"method":"POST","url":"` + reportsURL + `","body":` + mustJSON(map[string]any{"reporter": fixtures.Volunteer, "region": "sughd"}) + `}]}`),
		ExpectedStatus: http.StatusBadRequest,
		ExpectedContent: []string{
			`"message":"Тўпламли транзакция бажарилмади."`,
			`"code":"batch_request_failed","message":"Тўпламдаги сўров бажарилмади."`,
			`"category":{"code":"validation_required","message":"Мажбурий майдон."}`,
			`"description":{"code":"validation_required","message":"Мажбурий майдон."}`,
		},
		NotExpectedContent: []string{"Cannot be blank", "Batch request failed"},
		ExpectedEvents:     map[string]int{"OnBatchRequest": 1},
	}))
}

// TestErrors_SuperuserOnlyFilter: PocketBase refuses a filter or sort
// naming @collection or @request to anyone but a superuser with a message
// it builds at runtime ("Only superusers can filter by " + field), which
// an exact-text lookup misses: it stayed English.
func TestErrors_SuperuserOnlyFilter(t *testing.T) {
	for _, s := range []struct{ lang, query, want string }{
		{"ru", "filter=" + url.QueryEscape("@collection.incident_reports.reporter ?= 'x'"), `"message":"Фильтровать по @collection могут только суперпользователи."`},
		{"tg", "filter=" + url.QueryEscape("@request.auth.id != ''"), `"message":"Танҳо суперкорбарон метавонанд аз рӯйи @request филтр кунанд."`},
		{"ky", "sort=" + url.QueryEscape("@request.auth.id"), `"message":"@request боюнча суперколдонуучулар гана чыпкалай алат."`},
		{"uz-Cyrl", "filter=" + url.QueryEscape("@collection.users.id != ''"), `"message":"@collection бўйича фақат суперфойдаланувчилар фильтрлай олади."`},
		{"en", "filter=" + url.QueryEscape("@collection.users.id != ''"), `"message":"Only superusers can filter by @collection."`},
	} {
		run(t, fixtures.Scenario(fixtures.Volunteer, tests.ApiScenario{
			Name:            s.lang + " " + s.query,
			Method:          http.MethodGet,
			URL:             "/api/collections/districts/records?lang=" + s.lang + "&" + s.query,
			ExpectedStatus:  http.StatusForbidden,
			ExpectedContent: []string{s.want, `"status":403`},
			ExpectedEvents:  map[string]int{"*": 0},
			AfterTestFunc:   expectContentLanguage(s.lang),
		}))
	}
}

// TestErrors_WorkflowStatusLabels: a project code's params that are
// statuses are shown by their labels.
func TestErrors_WorkflowStatusLabels(t *testing.T) {
	run(t, fixtures.Scenario(fixtures.Coordinator, tests.ApiScenario{
		Name:           "coordinator takes a verified report back to submitted, in Tajik",
		Method:         http.MethodPatch,
		URL:            reportsURL + "/" + fixtures.ReportVerified + "?lang=tg",
		Body:           strings.NewReader(`{"status":"submitted"}`),
		ExpectedStatus: http.StatusBadRequest,
		ExpectedContent: []string{
			`"status":{"code":"workflow_invalid_transition","message":"Ҳолатро аз «Тасдиқ шуд» ба «Фиристода шуд» иваз кардан мумкин нест.","params":{"from":"verified","to":"submitted"}}`,
		},
		ExpectedEvents: map[string]int{"OnRecordUpdateRequest": 1},
	}))
	msg, ok := locale.LocalizeCode("tg", "workflow_invalid_transition", map[string]any{"from": "submitted", "to": "verified"})
	if !ok || msg != "Ҳолатро аз «Фиристода шуд» ба «Тасдиқ шуд» иваз кардан мумкин нест." {
		t.Fatalf("got %q, %v", msg, ok)
	}
	if _, ok := locale.LocalizeCode("tg", "no_such_code", nil); ok {
		t.Fatal("an unknown code must report false")
	}
}

func TestLocalizeError(t *testing.T) {
	scenarios := []struct {
		name   string
		err    error
		lang   string
		status int
		code   string
		msg    string
	}{
		{"one rule", validation.ErrRequired, "ky", 400, "validation_required", "Милдеттүү талаа."},
		{"fields", validation.Errors{"title": validation.ErrRequired}, "ru", 400, "validation_failed", "Отправленные данные содержат ошибки."},
		{"api error", router.NewForbiddenError("", nil), "tg", 403, "api_error", "Ба шумо иҷрои ин дархост иҷозат нест."},
		{"internal", errors.New("disk on fire at /var/lib"), "uz-Cyrl", 400, "api_error", "Сўровингизни қайта ишлашда хатолик юз берди."},
		{"english", validation.ErrRequired, "en", 400, "validation_required", "Cannot be blank."},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			got := locale.LocalizeError(s.lang, s.err)
			if got["status"] != s.status || got["code"] != s.code || got["message"] != s.msg {
				t.Fatalf("got %v", got)
			}
		})
	}
	data := router.NewBadRequestError("", validation.Errors{
		"title": validation.NewError("validation_length_out_of_range", "x").SetParams(map[string]any{"min": 1, "max": 21}),
	}).Data
	got := locale.LocalizeData("ru", data)["title"].(map[string]any)
	if got["message"] != "Длина должна быть от 1 до 21 символа." || got["code"] != "validation_length_out_of_range" || got["params"] == nil {
		t.Fatalf("LocalizeData = %v", got)
	}
	if data["title"].(map[string]any)["message"] != "X." {
		t.Fatalf("LocalizeData changed its input: %v", data)
	}
	fields := locale.LocalizeError("ru", validation.Errors{"title": validation.ErrRequired})["data"].(map[string]any)
	if item := fields["title"].(map[string]any); item["code"] != "validation_required" || item["message"] != "Обязательное поле." {
		t.Fatalf("data = %v", fields)
	}
}

func run(t *testing.T, s tests.ApiScenario) { s.Test(t) }
