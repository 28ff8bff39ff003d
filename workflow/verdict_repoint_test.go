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

// TestVerdict_RepointedTranslation: a translation moved to another
// original takes that original's verdict or is refused; otherwise one
// group would again tell readers two findings about the same claim.
func TestVerdict_RepointedTranslation(t *testing.T) {
	const falseRU = "verdictorigru02" // another published original, found false
	seed := func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
		seedVerdictGroup(t, app, e)
		seedFacts(t, app, factVersion{falseRU, "ru", "", "published", "false"})
	}
	scenarios := []tests.ApiScenario{
		{
			Name:   "moved to an original of another verdict, keeping its own, is refused",
			Method: http.MethodPatch, URL: factsURL + "/" + verdictTG, Body: strings.NewReader(`{"translation_of":"` + falseRU + `"}`),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"verdict":{"code":"workflow_verdict_of_original"`},
			AfterTestFunc:   expectField("fact_checks", verdictTG, "translation_of", verdictRU),
		},
		{
			Name:   "moved with that original's verdict, it is accepted",
			Method: http.MethodPatch, URL: factsURL + "/" + verdictTG, Body: strings.NewReader(`{"translation_of":"` + falseRU + `","verdict":"false"}`),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"translation_of":"` + falseRU + `"`, `"verdict":"false"`},
		},
	}
	for i, s := range scenarios {
		s.Name = fmt.Sprintf("%d_%s", i, s.Name)
		s.BeforeTestFunc = seed
		scenario := fixtures.Scenario(fixtures.Editor, s)
		scenario.Test(t)
	}
}
