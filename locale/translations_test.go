package locale_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"aman/internal/fixtures"
	"aman/internal/testapp"
)

// Translation groups seeded by groupsFactory, under fixed ids. Update
// group 1: English original, published Russian translation, draft Kyrgyz
// translation. Group 2: a newer English update alone. Group 3: a draft
// Tajik update alone. Fact-check group: Tajik original, Russian translation.
const (
	updateEN    = "updateoriginen1"
	updateRU    = "updatetransru01"
	updateKY    = "updatedraftky01"
	update2EN   = "updateorigin002"
	updateDraft = "updatedraftonly"
	factTG      = "factoriginaltg1"
	factRU      = "facttranslatru1"

	draftKyTitle    = "Жаңылык (долбоор)"
	draftOnlyTitle  = "Хабар (нусхаи пешакӣ)"
	updateRUTitle   = "Обстановка на границе"
	updateENTitle   = "Situation at the border"
	update2ENTitle  = "Roads reopened"
	factRUExplained = "Видео снято в 2021 году."
)

type seedRecord struct {
	collection string
	data       map[string]any
}

func groupSeeds() []seedRecord {
	update := func(id, lang, of, status, title, publishedAt string) seedRecord {
		return seedRecord{"updates", map[string]any{
			"id": id, "title": title, "body": title + ": text", "language": lang, "translation_of": of,
			"status": status, "published_at": publishedAt, "author": fixtures.Editor,
		}}
	}
	fact := func(id, lang, of, explanation string) seedRecord {
		return seedRecord{"fact_checks", map[string]any{
			"id": id, "claim": "claim " + lang, "verdict": "false", "explanation": explanation, "language": lang,
			"translation_of": of, "status": "published", "published_at": "2026-11-21 09:00:00.000Z", "author": fixtures.Editor,
		}}
	}
	return []seedRecord{
		update(updateEN, "en", "", "published", updateENTitle, "2026-11-20 10:00:00.000Z"),
		update(updateRU, "ru", updateEN, "published", updateRUTitle, "2026-11-20 12:00:00.000Z"),
		update(updateKY, "ky", updateEN, "draft", draftKyTitle, ""),
		update(update2EN, "en", "", "published", update2ENTitle, "2026-11-25 08:00:00.000Z"),
		update(updateDraft, "tg", "", "draft", draftOnlyTitle, ""),
		fact(factTG, "tg", "", "Навор соли 2021 сабт шудааст."),
		fact(factRU, "ru", factTG, factRUExplained),
	}
}

// groupsFactory is fixtures.Factory plus the translation groups, saved
// with validation (the seeds obey the group rules they test).
func groupsFactory(t testing.TB) *tests.TestApp {
	app := fixtures.Factory(t)
	for _, s := range groupSeeds() {
		col, err := app.FindCollectionByNameOrId(s.collection)
		if err != nil {
			t.Fatal(err)
		}
		r := core.NewRecord(col)
		r.Load(s.data)
		if err := app.Save(r); err != nil {
			t.Fatalf("seed %s: %v", s.data["id"], err)
		}
	}
	app.ResetEventCalls()
	return app
}

func groupScenario(as string, s tests.ApiScenario) tests.ApiScenario {
	if s.Method == "" {
		s.Method = http.MethodGet
	}
	if s.ExpectedStatus == 0 {
		s.ExpectedStatus = http.StatusOK
	}
	s = fixtures.Scenario(as, s)
	s.TestAppFactory = groupsFactory
	return s
}

func TestContent_UpdateGroups(t *testing.T) {
	url := "/api/aman/content/updates/"
	one := map[string]int{"*": 0, "OnRecordEnrich": 1}
	notFound := map[string]int{"*": 0}
	scenarios := []struct {
		as string
		s  tests.ApiScenario
	}{
		{fixtures.Anonymous, tests.ApiScenario{
			Name: "Tajik asked: the Russian translation, marked as a fallback",
			URL:  url + updateEN + "?lang=tg",
			ExpectedContent: []string{
				`"language":"ru"`, `"requested":"tg"`, `"fallback":true`, `"available":["en","ru"]`,
				`"group":"` + updateEN + `"`, `"title":"` + updateRUTitle + `"`,
				`"notice":"Ин матн бо ин забон дастрас нест: тоҷикӣ. Забони нишондодашуда: русӣ."`,
			},
			NotExpectedContent: []string{draftKyTitle},
			ExpectedEvents:     one,
			AfterTestFunc:      expectContentLanguage("ru"),
		}},
		{fixtures.Anonymous, tests.ApiScenario{
			Name:               "Russian asked: Russian, no fallback",
			URL:                url + updateEN + "?lang=ru",
			ExpectedContent:    []string{`"language":"ru"`, `"requested":"ru"`, `"fallback":false`, `"id":"` + updateRU + `"`},
			NotExpectedContent: []string{`"notice"`},
			ExpectedEvents:     one,
			AfterTestFunc:      expectContentLanguage("ru"),
		}},
		{fixtures.Anonymous, tests.ApiScenario{
			Name:            "a translation's id resolves to its group",
			URL:             url + updateRU + "?lang=en",
			ExpectedContent: []string{`"language":"en"`, `"fallback":false`, `"id":"` + updateEN + `"`, `"group":"` + updateEN + `"`},
			ExpectedEvents:  one,
			AfterTestFunc:   expectContentLanguage("en"),
		}},
		{fixtures.Anonymous, tests.ApiScenario{
			Name:               "Kyrgyz asked: the draft Kyrgyz translation is not served to the public",
			URL:                url + updateEN + "?lang=ky",
			ExpectedContent:    []string{`"language":"ru"`, `"fallback":true`, `"available":["en","ru"]`},
			NotExpectedContent: []string{draftKyTitle, updateKY},
			ExpectedEvents:     one,
		}},
		{fixtures.Anonymous, tests.ApiScenario{
			Name:               "a draft's own id serves its group's published versions, never the draft",
			URL:                url + updateKY + "?lang=ky",
			ExpectedContent:    []string{`"language":"ru"`, `"fallback":true`},
			NotExpectedContent: []string{draftKyTitle},
			ExpectedEvents:     one,
		}},
		{fixtures.Editor, tests.ApiScenario{
			Name:            "an editor may view drafts: the Kyrgyz draft",
			URL:             url + updateEN + "?lang=ky",
			ExpectedContent: []string{`"language":"ky"`, `"fallback":false`, `"available":["en","ky","ru"]`, draftKyTitle, `"status":"draft"`},
			ExpectedEvents:  one,
			AfterTestFunc:   expectContentLanguage("ky"),
		}},
		{fixtures.Anonymous, tests.ApiScenario{
			Name:            "a group with nothing published is not found for the public",
			URL:             url + updateDraft + "?lang=ru",
			ExpectedStatus:  http.StatusNotFound,
			ExpectedContent: []string{`"message":"Запрошенный ресурс не найден."`},
			ExpectedEvents:  notFound,
		}},
		{fixtures.Editor, tests.ApiScenario{
			Name:            "an editor sees the draft-only group",
			URL:             url + updateDraft + "?lang=ru",
			ExpectedContent: []string{`"language":"tg"`, `"fallback":true`, draftOnlyTitle},
			ExpectedEvents:  one,
		}},
		{fixtures.Anonymous, tests.ApiScenario{
			Name:            "unknown id",
			URL:             url + "nosuchupdate000?lang=ru",
			ExpectedStatus:  http.StatusNotFound,
			ExpectedContent: []string{`"status":404`},
			ExpectedEvents:  notFound,
		}},
		{fixtures.Anonymous, tests.ApiScenario{
			Name:            "fact-checks: Uzbek asked, Russian before the Tajik original",
			URL:             "/api/aman/content/fact_checks/" + factTG + "?lang=uz-Cyrl",
			ExpectedContent: []string{`"language":"ru"`, `"requested":"uz-Cyrl"`, `"fallback":true`, `"available":["ru","tg"]`, factRUExplained},
			ExpectedEvents:  one,
		}},
		{fixtures.Anonymous, tests.ApiScenario{
			Name:            "fact-checks: Tajik asked, the original",
			URL:             "/api/aman/content/fact_checks/" + factRU + "?lang=tg",
			ExpectedContent: []string{`"language":"tg"`, `"fallback":false`, `"id":"` + factTG + `"`},
			ExpectedEvents:  one,
		}},
	}
	for _, sc := range scenarios {
		s := groupScenario(sc.as, sc.s)
		s.Name = fixtures.Role(sc.as) + ": " + s.Name
		s.Test(t)
	}
}

// listedItem is what the content list's tests read of an item.
type listedItem struct {
	Language          string `json:"language"`
	Fallback          bool   `json:"fallback"`
	RelatedUnverified bool   `json:"relatedUnverified"`
	Record            struct {
		Id string `json:"id"`
	} `json:"record"`
}

// listedItems decodes a content page's items.
func listedItems(t testing.TB, res *http.Response) []listedItem {
	t.Helper()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	var page struct {
		Items []listedItem `json:"items"`
	}
	if err := json.Unmarshal(body, &page); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	return page.Items
}

// expectListed checks a content page's items as (id, language, fallback).
func expectListed(want ...string) func(testing.TB, *tests.TestApp, *http.Response) {
	return func(t testing.TB, _ *tests.TestApp, res *http.Response) {
		var got []string
		for _, it := range listedItems(t, res) {
			got = append(got, it.Record.Id+" "+it.Language+" "+map[bool]string{true: "fallback", false: "exact"}[it.Fallback])
		}
		if strings.Join(got, ", ") != strings.Join(want, ", ") {
			t.Errorf("items:\n got %v\nwant %v", got, want)
		}
	}
}

func TestContent_List(t *testing.T) {
	url := "/api/aman/content/updates"
	scenarios := []struct {
		as string
		s  tests.ApiScenario
	}{
		{fixtures.Anonymous, tests.ApiScenario{
			Name:               "one entry per published group, newest first, each in the best language",
			URL:                url + "?lang=tg",
			ExpectedContent:    []string{`"page":1`, `"perPage":30`, `"totalItems":2`, `"totalPages":1`, `"requested":"tg"`},
			NotExpectedContent: []string{draftKyTitle, draftOnlyTitle},
			ExpectedEvents:     map[string]int{"*": 0, "OnRecordEnrich": 2},
			AfterTestFunc: all(
				expectListed(update2EN+" en fallback", updateRU+" ru fallback"),
				expectContentLanguage("en, ru"),
			),
		}},
		{fixtures.Anonymous, tests.ApiScenario{
			Name:            "second page of one",
			URL:             url + "?lang=en&page=2&perPage=1",
			ExpectedContent: []string{`"page":2`, `"perPage":1`, `"totalItems":2`, `"totalPages":2`},
			ExpectedEvents:  map[string]int{"*": 0, "OnRecordEnrich": 1},
			AfterTestFunc:   expectListed(updateEN + " en exact"),
		}},
		{fixtures.Anonymous, tests.ApiScenario{
			Name:            "past the last page: no items",
			URL:             url + "?lang=en&page=3&perPage=1",
			ExpectedContent: []string{`"items":[]`, `"totalItems":2`},
			ExpectedEvents:  map[string]int{"*": 0},
			AfterTestFunc:   expectContentLanguage("en"),
		}},
		{fixtures.Editor, tests.ApiScenario{
			Name:            "an editor lists drafts too",
			URL:             url + "?lang=ky",
			ExpectedContent: []string{`"totalItems":3`},
			ExpectedEvents:  map[string]int{"*": 0, "OnRecordEnrich": 3},
			AfterTestFunc:   expectListed(update2EN+" en fallback", updateKY+" ky exact", updateDraft+" tg fallback"),
		}},
		{fixtures.Anonymous, tests.ApiScenario{
			Name:            "fact-checks",
			URL:             "/api/aman/content/fact_checks?lang=ru",
			ExpectedContent: []string{`"totalItems":1`},
			ExpectedEvents:  map[string]int{"*": 0, "OnRecordEnrich": 1},
			AfterTestFunc:   expectListed(factRU + " ru exact"),
		}},
		{fixtures.Anonymous, tests.ApiScenario{
			Name:            "appeals are grouped by slug: no list form",
			URL:             "/api/aman/content/appeals?lang=ru",
			ExpectedStatus:  http.StatusNotFound,
			ExpectedContent: []string{`"status":404`},
			ExpectedEvents:  map[string]int{"*": 0},
		}},
		{fixtures.Anonymous, tests.ApiScenario{
			Name:           "page 0 is refused with a code",
			URL:            url + "?lang=ru&page=0",
			ExpectedStatus: http.StatusBadRequest,
			ExpectedContent: []string{
				`"page":{"code":"content_invalid_page","message":"Должно быть целым числом не меньше 1."`,
			},
			ExpectedEvents: map[string]int{"*": 0},
		}},
		{fixtures.Anonymous, tests.ApiScenario{
			Name:           "perPage over the limit, in Tajik with the limit",
			URL:            url + "?lang=tg&perPage=101&page=x",
			ExpectedStatus: http.StatusBadRequest,
			ExpectedContent: []string{
				`"perPage":{"code":"content_invalid_per_page","message":"Бояд адади бутун аз 1 то 100 бошад."`,
				`"code":"content_invalid_page"`,
			},
			ExpectedEvents: map[string]int{"*": 0},
		}},
		{fixtures.Anonymous, tests.ApiScenario{
			Name:            "a collection without translation groups",
			URL:             "/api/aman/content/incident_reports?lang=ru",
			ExpectedStatus:  http.StatusNotFound,
			ExpectedContent: []string{`"status":404`},
			ExpectedEvents:  map[string]int{"*": 0},
		}},
	}
	for _, sc := range scenarios {
		s := groupScenario(sc.as, sc.s)
		s.Name = fixtures.Role(sc.as) + ": " + s.Name
		s.Test(t)
	}
}

func all(fs ...func(testing.TB, *tests.TestApp, *http.Response)) func(testing.TB, *tests.TestApp, *http.Response) {
	return func(t testing.TB, app *tests.TestApp, res *http.Response) {
		for _, f := range fs {
			f(t, app, res)
		}
	}
}

// countWhere returns an AfterTestFunc that checks how many records of
// collection match filter (the state a refused write must leave).
func countWhere(collection, filter string, want int) func(testing.TB, *tests.TestApp, *http.Response) {
	return func(t testing.TB, app *tests.TestApp, _ *http.Response) {
		records, err := app.FindRecordsByFilter(collection, filter, "", 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(records) != want {
			t.Errorf("%s where %s: %d records, want %d", collection, filter, len(records), want)
		}
	}
}

// TestTranslations_GroupRules: every write keeps a group one level deep
// with one version per language, and the editors' rules still hold.
func TestTranslations_GroupRules(t *testing.T) {
	records := "/api/collections/updates/records"
	update := func(lang, of string) string {
		return mustJSON(map[string]any{"title": "t " + lang, "body": "b", "language": lang, "translation_of": of,
			"status": "draft", "author": fixtures.Editor})
	}
	refused := map[string]int{"OnRecordAfterCreateSuccess": 0, "OnRecordAfterUpdateSuccess": 0}
	scenarios := []struct {
		as string
		s  tests.ApiScenario
	}{
		{fixtures.Editor, tests.ApiScenario{
			Name: "a new language joins the group", Method: http.MethodPost, URL: records + "?lang=en",
			Body:            strings.NewReader(update("tg", updateEN)),
			ExpectedContent: []string{`"translation_of":"` + updateEN + `"`, `"language":"tg"`},
			ExpectedEvents:  map[string]int{"OnRecordAfterCreateSuccess": 1},
			AfterTestFunc:   countWhere("updates", "translation_of = '"+updateEN+"'", 3),
		}},
		{fixtures.Editor, tests.ApiScenario{
			Name: "an original with translation_of null passes the rules", Method: http.MethodPost, URL: records,
			Body: strings.NewReader(`{"title":"t","body":"b","language":"ky","translation_of":null,"status":"draft","author":"` +
				fixtures.Editor + `"}`),
			ExpectedContent: []string{`"translation_of":""`, `"language":"ky"`},
			ExpectedEvents:  map[string]int{"OnRecordAfterCreateSuccess": 1},
		}},
		{fixtures.Editor, tests.ApiScenario{
			Name: "a second Russian translation is refused by the unique index", Method: http.MethodPost, URL: records + "?lang=ru",
			Body:           strings.NewReader(update("ru", updateEN)),
			ExpectedStatus: http.StatusBadRequest,
			ExpectedContent: []string{
				`"language":{"code":"validation_not_unique"`, `"translation_of":{"code":"validation_not_unique"`,
			},
			ExpectedEvents: refused,
			AfterTestFunc:  countWhere("updates", "translation_of = '"+updateEN+"' && language = 'ru'", 1),
		}},
		{fixtures.Editor, tests.ApiScenario{
			Name: "a translation in the original's language", Method: http.MethodPost, URL: records + "?lang=ru",
			Body:            strings.NewReader(update("en", updateEN)),
			ExpectedStatus:  http.StatusBadRequest,
			ExpectedContent: []string{`"language":{"code":"content_translation_same_language","message":"Версия этого текста на этом языке уже есть."`},
			ExpectedEvents:  refused,
			AfterTestFunc:   countWhere("updates", "translation_of = '"+updateEN+"'", 2),
		}},
		{fixtures.Editor, tests.ApiScenario{
			Name: "a translation of a translation", Method: http.MethodPost, URL: records + "?lang=tg",
			Body:            strings.NewReader(update("tg", updateRU)),
			ExpectedStatus:  http.StatusBadRequest,
			ExpectedContent: []string{`"translation_of":{"code":"content_translation_of_translation","message":"Матни аслиро нишон диҳед, на яке аз тарҷумаҳои онро."`},
			ExpectedEvents:  refused,
			AfterTestFunc:   countWhere("updates", "translation_of = '"+updateRU+"'", 0),
		}},
		{fixtures.Editor, tests.ApiScenario{
			Name: "an original with translations cannot become a translation", Method: http.MethodPatch,
			URL:             "/api/collections/updates/records/" + updateEN + "?lang=en",
			Body:            strings.NewReader(`{"translation_of":"` + update2EN + `","language":"ky"}`),
			ExpectedStatus:  http.StatusBadRequest,
			ExpectedContent: []string{`"translation_of":{"code":"content_translation_has_translations"`},
			ExpectedEvents:  refused,
			AfterTestFunc:   countWhere("updates", "translation_of = '"+update2EN+"'", 0),
		}},
		{fixtures.Editor, tests.ApiScenario{
			Name: "a translation of itself", Method: http.MethodPatch,
			URL:             "/api/collections/updates/records/" + update2EN + "?lang=ky",
			Body:            strings.NewReader(`{"translation_of":"` + update2EN + `"}`),
			ExpectedStatus:  http.StatusBadRequest,
			ExpectedContent: []string{`"translation_of":{"code":"content_translation_of_itself","message":"Текст өзүнүн котормосу боло албайт."`},
			ExpectedEvents:  refused,
			AfterTestFunc:   countWhere("updates", "translation_of = '"+update2EN+"'", 0),
		}},
		{fixtures.Editor, tests.ApiScenario{
			Name: "an original moving into a translation's language", Method: http.MethodPatch,
			URL:             "/api/collections/updates/records/" + updateEN + "?lang=uz-Cyrl",
			Body:            strings.NewReader(`{"language":"ru"}`),
			ExpectedStatus:  http.StatusBadRequest,
			ExpectedContent: []string{`"language":{"code":"content_translation_same_language","message":"Бу матннинг бу тилдаги нусхаси аллақачон мавжуд."`},
			ExpectedEvents:  refused,
			AfterTestFunc:   countWhere("updates", "id = '"+updateEN+"' && language = 'en'", 1),
		}},
		{fixtures.Editor, tests.ApiScenario{
			Name: "an edit that does not touch translation_of passes the rules", Method: http.MethodPatch,
			URL:             "/api/collections/updates/records/" + updateRU,
			Body:            strings.NewReader(`{"title":"Обстановка на границе (исправлено)"}`),
			ExpectedContent: []string{`"title":"Обстановка на границе (исправлено)"`, `"translation_of":"` + updateEN + `"`},
			ExpectedEvents:  map[string]int{"OnRecordAfterUpdateSuccess": 1},
		}},
		{fixtures.Editor, tests.ApiScenario{
			Name: "an editor still cannot write as another author", Method: http.MethodPost, URL: records,
			Body: strings.NewReader(mustJSON(map[string]any{"title": "t", "body": "b", "language": "tg",
				"translation_of": updateEN, "status": "draft", "author": fixtures.Coordinator})),
			ExpectedStatus:  http.StatusBadRequest,
			ExpectedContent: []string{`"status":400`},
			ExpectedEvents:  refused,
			AfterTestFunc:   countWhere("updates", "translation_of = '"+updateEN+"'", 2),
		}},
		{fixtures.Volunteer, tests.ApiScenario{
			Name: "a volunteer cannot add a translation", Method: http.MethodPost, URL: records,
			Body:            strings.NewReader(update("tg", updateEN)),
			ExpectedStatus:  http.StatusBadRequest,
			ExpectedContent: []string{`"status":400`},
			ExpectedEvents:  refused,
			AfterTestFunc:   countWhere("updates", "translation_of = '"+updateEN+"'", 2),
		}},
		{fixtures.Editor, tests.ApiScenario{
			Name: "translation_of names a record of the same collection only", Method: http.MethodPost,
			URL: "/api/collections/fact_checks/records",
			Body: strings.NewReader(mustJSON(map[string]any{"claim": "c", "verdict": "false", "explanation": "e",
				"language": "ky", "translation_of": updateEN, "status": "draft", "author": fixtures.Editor})),
			ExpectedStatus:  http.StatusBadRequest,
			ExpectedContent: []string{`"translation_of":{"code":"validation_missing_rel_records"`},
			ExpectedEvents:  refused,
			AfterTestFunc:   countWhere("fact_checks", "language = 'ky'", 0),
		}},
		{fixtures.Editor, tests.ApiScenario{
			Name: "sync push: a translation of a translation is rejected with the code", Method: http.MethodPost,
			URL: "/api/sync/v1/push?lang=ru",
			Body: strings.NewReader(mustJSON(map[string]any{"client": "editor-laptop", "mutations": []any{map[string]any{
				"id": "m1", "collection": "updates", "recordId": "updatesynctg001",
				"data": map[string]any{"title": "t", "body": "b", "language": "tg", "translation_of": updateRU,
					"status": "draft", "author": fixtures.Editor},
			}}})),
			ExpectedContent: []string{`"content_translation_of_translation"`, `Укажите оригинал текста`},
			AfterTestFunc:   countWhere("updates", "id = 'updatesynctg001'", 0),
		}},
		{fixtures.Editor, tests.ApiScenario{
			Name: "fact-checks: a second Russian translation is refused", Method: http.MethodPost,
			URL: "/api/collections/fact_checks/records",
			Body: strings.NewReader(mustJSON(map[string]any{"claim": "c", "verdict": "false", "explanation": "e",
				"language": "ru", "translation_of": factTG, "status": "draft", "author": fixtures.Editor})),
			ExpectedStatus:  http.StatusBadRequest,
			ExpectedContent: []string{`"language":{"code":"validation_not_unique"`},
			ExpectedEvents:  refused,
			AfterTestFunc:   countWhere("fact_checks", "translation_of = '"+factTG+"'", 1),
		}},
	}
	for _, sc := range scenarios {
		s := groupScenario(sc.as, sc.s)
		s.Name = fixtures.Role(sc.as) + ": " + s.Name
		s.Test(t)
	}
}

// TestTranslations_MigrationDownAndUp: the migration reverts to the
// collections as they were (no field, no index, the rules without the
// translation_of clause) and applies again to the same schema.
func TestTranslations_MigrationDownAndUp(t *testing.T) {
	const file = "1795766600_translations_of_updates_and_fact_checks.js"
	app := testapp.New(t)
	runner := testapp.MigrationRunner(t, app, file)
	names := []string{"updates", "fact_checks"}
	schema := func() map[string]string {
		out := map[string]string{}
		for _, name := range names {
			col, err := app.FindCollectionByNameOrId(name)
			if err != nil {
				t.Fatal(err)
			}
			out[name] = mustJSON([]any{col.Fields.FieldNames(), col.Indexes, col.CreateRule, col.UpdateRule, col.ListRule, col.ViewRule})
		}
		return out
	}
	applied := schema()
	for _, name := range names {
		if !strings.Contains(applied[name], `"language","translation_of"`) {
			t.Errorf("%s: translation_of is not right after language: %s", name, applied[name])
		}
		if !strings.Contains(applied[name], "(translation_of, language) WHERE translation_of != ''") {
			t.Errorf("%s: no unique index on (translation_of, language): %s", name, applied[name])
		}
	}
	if reverted, err := runner.Down(1); err != nil || len(reverted) != 1 {
		t.Fatalf("down: %v %v", reverted, err)
	}
	for _, name := range names {
		col, err := app.FindCollectionByNameOrId(name)
		if err != nil {
			t.Fatal(err)
		}
		if s := schema()[name]; strings.Contains(s, "translation_of") {
			t.Errorf("%s after down: %s", name, s)
		}
		if !strings.HasPrefix(*col.CreateRule, "@request.auth.role = 'editor' && @request.body.author = @request.auth.id") {
			t.Errorf("%s create rule after down: %s", name, *col.CreateRule)
		}
	}
	if _, err := runner.Up(); err != nil {
		t.Fatalf("up again: %v", err)
	}
	if again := schema(); mustJSON(again) != mustJSON(applied) {
		t.Errorf("schema after up again:\n%v\nwant\n%v", again, applied)
	}
}
