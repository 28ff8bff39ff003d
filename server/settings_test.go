package server_test

import (
	"net/http"
	"testing"

	"github.com/pocketbase/pocketbase/tests"

	"aman/internal/fixtures"
)

// TestSettings_AppName checks the name people read in the dashboard and in
// every e-mail: Aman, not PocketBase's "Acme".
func TestSettings_AppName(t *testing.T) {
	scenarios := []tests.ApiScenario{
		fixtures.Scenario(fixtures.Superuser, tests.ApiScenario{
			Name:               "superuser reads the app name",
			Method:             http.MethodGet,
			URL:                "/api/settings",
			ExpectedStatus:     200,
			ExpectedContent:    []string{`"appName":"Aman"`, `"senderName":"Aman"`},
			NotExpectedContent: []string{`"appName":"Acme"`},
			ExpectedEvents:     map[string]int{"*": 0, "OnSettingsListRequest": 1},
		}),
	}
	for _, s := range scenarios {
		s.Test(t)
	}
}
