package workflow_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"aman/internal/fixtures"
)

// A published fact-check group: a Russian original and its Tajik and
// Kyrgyz translations, all "unverified".
const (
	verdictRU = "verdictorigru01"
	verdictTG = "verdicttranstg1"
	verdictKY = "verdicttransky1"
)

func seedVerdictGroup(t testing.TB, app *tests.TestApp, _ *core.ServeEvent) {
	seedFacts(t, app,
		factVersion{verdictRU, "ru", "", "published", "unverified"},
		factVersion{verdictTG, "tg", verdictRU, "published", "unverified"},
		factVersion{verdictKY, "ky", verdictRU, "published", "unverified"})
}

// The verdict of a fact-check is a finding about a claim, not a wording:
// a translation could carry another one, and an original's new verdict
// left its translations on the old, so readers on either side of the
// border were told opposite things about the same claim.
func TestVerdict_OneForAGroup(t *testing.T) {
	scenarios := []tests.ApiScenario{
		{
			Name:   "a new verdict of the original carries to its translations",
			Method: http.MethodPatch, URL: factsURL + "/" + verdictRU, Body: strings.NewReader(`{"verdict":"false"}`),
			ExpectedStatus: 200, ExpectedContent: []string{`"verdict":"false"`},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				expectField("fact_checks", verdictTG, "verdict", "false")(t, app, res)
				expectField("fact_checks", verdictKY, "verdict", "false")(t, app, res)
			},
		},
		{
			Name:   "a translation does not get a verdict of its own",
			Method: http.MethodPatch, URL: factsURL + "/" + verdictTG, Body: strings.NewReader(`{"verdict":"true"}`),
			Headers:        map[string]string{"Accept-Language": "ru"},
			ExpectedStatus: 400,
			ExpectedContent: []string{`"verdict":{"code":"workflow_verdict_of_original"`,
				`"message":"У перевода тот же вывод, что у оригинала: меняйте вывод в оригинале."`},
			AfterTestFunc: expectField("fact_checks", verdictTG, "verdict", "unverified"),
		},
		{
			Name:   "nor is one created with another",
			Method: http.MethodPost, URL: factsURL,
			Body: strings.NewReader(fmt.Sprintf(`{"claim":"c","verdict":"true","explanation":"E","language":"en","status":"published","author":%q,"translation_of":%q}`,
				fixtures.Editor, verdictRU)),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"verdict":{"code":"workflow_verdict_of_original"`},
		},
		{
			Name:   "a translation with its original's verdict is created",
			Method: http.MethodPost, URL: factsURL,
			Body: strings.NewReader(fmt.Sprintf(`{"claim":"c","verdict":"unverified","explanation":"E","language":"en","status":"published","author":%q,"translation_of":%q}`,
				fixtures.Editor, verdictRU)),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"verdict":"unverified"`},
		},
		{
			Name:   "and a translation's other fields are still edited",
			Method: http.MethodPatch, URL: factsURL + "/" + verdictTG, Body: strings.NewReader(`{"explanation":"Ҳанӯз тасдиқ нашудааст."}`),
			ExpectedStatus: 200, ExpectedContent: []string{`"verdict":"unverified"`},
		},
	}
	for i, s := range scenarios {
		s.Name = fmt.Sprintf("%d_%s", i, s.Name)
		s.BeforeTestFunc = seedVerdictGroup
		scenario := fixtures.Scenario(fixtures.Editor, s)
		scenario.Test(t)
	}
}
