package locale_test

import (
	"encoding/json"
	"net/http"
	"runtime"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"aman/internal/testapp"
	"aman/locale"
)

// TestLabels_EverySelectValue fails when a select value, field or
// collection of the schema has no label in one of the languages: add its
// English in catalog_labels.go and translate it (docs/localization.md).
func TestLabels_EverySelectValue(t *testing.T) {
	app := testapp.New(t)
	ids, err := locale.LabelMessageIDs(app)
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) < 150 {
		t.Fatalf("only %d labels: is the schema loaded?", len(ids))
	}
	for _, lang := range locale.Languages {
		for _, candidates := range ids {
			if !hasAny(lang, candidates) {
				t.Errorf("%s: no label, add one of %v", lang, candidates)
			}
		}
	}
}

func hasAny(lang string, ids []string) bool {
	for _, id := range ids {
		if locale.Has(lang, id) {
			return true
		}
	}
	return false
}

// TestLabels_Endpoint: one response per language with every select value
// of every collection, an ETag over the content and 304 on revalidation.
func TestLabels_Endpoint(t *testing.T) {
	app := testapp.New(t)
	tgLabels, err := locale.BuildLabels(app, "tg")
	if err != nil {
		t.Fatal(err)
	}
	etag := etagOf(t, tgLabels)

	scenarios := []tests.ApiScenario{
		{
			Name:   "Tajik labels",
			Method: http.MethodGet,
			URL:    "/api/aman/labels?lang=tg",
			ExpectedContent: []string{
				`"language":"tg"`,
				`"armed_clash":"Задухӯрди мусаллаҳона"`,
				`"critical":"Ҳаётан муҳим"`,
				`"partly_true":"Қисман рост"`,
				`"incident_reports":{"label":"Гузоришҳо дар бораи ҳодисаҳо"`,
			},
			NotExpectedContent: []string{`"_superusers"`, `"password"`, `"tokenKey"`},
			AfterTestFunc: func(t testing.TB, _ *tests.TestApp, res *http.Response) {
				if got := res.Header.Get("ETag"); got != etag {
					t.Fatalf("ETag %q, want %q", got, etag)
				}
				if !strings.Contains(res.Header.Get("Cache-Control"), "max-age=") {
					t.Fatalf("Cache-Control %q", res.Header.Get("Cache-Control"))
				}
				if vary := strings.Join(res.Header.Values("Vary"), ","); !strings.Contains(vary, "Accept-Language") || !strings.Contains(vary, "Authorization") {
					t.Fatalf("Vary %q", vary)
				}
				if res.Header.Get("Content-Language") != "tg" {
					t.Fatalf("Content-Language %q", res.Header.Get("Content-Language"))
				}
			},
		},
		{
			Name:               "If-None-Match with the current ETag: 304, no body",
			Method:             http.MethodGet,
			URL:                "/api/aman/labels?lang=tg",
			Headers:            map[string]string{"If-None-Match": `W/` + etag},
			ExpectedStatus:     http.StatusNotModified,
			NotExpectedContent: []string{`"language"`},
		},
		{
			Name:            "a stale ETag gets the body",
			Method:          http.MethodGet,
			URL:             "/api/aman/labels?lang=tg",
			Headers:         map[string]string{"If-None-Match": `"stale"`},
			ExpectedContent: []string{`"language":"tg"`},
		},
		{
			Name:            "Kyrgyz by Accept-Language",
			Method:          http.MethodGet,
			URL:             "/api/aman/labels",
			Headers:         map[string]string{"Accept-Language": "ky-KG"},
			ExpectedContent: []string{`"language":"ky"`, `"armed_clash":"Куралдуу кагылышуу"`},
		},
	}
	for _, s := range scenarios {
		if s.ExpectedStatus == 0 {
			s.ExpectedStatus = http.StatusOK
		}
		s.TestAppFactory = testapp.Factory
		s.ExpectedEvents = map[string]int{"*": 0}
		s.Test(t)
	}
}

// TestLabels_AllLanguagesDiffer: every language's labels are its own (no
// English left where a translation should be), value by value.
func TestLabels_AllLanguagesDiffer(t *testing.T) {
	app := testapp.New(t)
	en, err := locale.BuildLabels(app, "en")
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range locale.Languages[1:] {
		l, err := locale.BuildLabels(app, lang)
		if err != nil {
			t.Fatal(err)
		}
		same, total := 0, 0
		for c, cl := range en.Collections {
			for f, fl := range cl.Fields {
				for v, label := range fl.Values {
					total++
					if l.Collections[c].Fields[f].Values[v] == label {
						same++
					}
				}
			}
		}
		// Brand names (Telegram, WhatsApp…) stay as they are.
		if same > 12 {
			t.Errorf("%s: %d of %d value labels are the English ones", lang, same, total)
		}
	}
}

func etagOf(t *testing.T, labels *locale.Labels) string {
	t.Helper()
	body, err := json.Marshal(labels)
	if err != nil {
		t.Fatal(err)
	}
	return locale.ContentETag(body)
}

var _ core.App = (*tests.TestApp)(nil)

// TestLabels_LongIfNoneMatch: the labels are public, so anyone may send an
// If-None-Match of the 1 MiB Go's server accepts; it is read in place, not
// split into a million strings, and a tag at its end still matches.
func TestLabels_LongIfNoneMatch(t *testing.T) {
	const etag = `"0123456789abcdef0123456789abcdef"`
	scenarios := []struct {
		name, header string
		match        bool
	}{
		{"1 MiB of commas", strings.Repeat(",", 1<<20-64), false},
		{"the tag after 100,000 others", strings.Repeat(`"x", `, 100_000) + `W/` + etag, true},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			match := locale.ETagMatches(s.header, etag)
			runtime.ReadMemStats(&after)
			if match != s.match {
				t.Fatalf("match = %v, want %v", match, s.match)
			}
			if n := after.TotalAlloc - before.TotalAlloc; n > 64<<10 {
				t.Fatalf("a %d KiB header allocated %d KiB", len(s.header)>>10, n>>10)
			}
		})
	}
}
