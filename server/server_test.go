package server_test

import (
	"net/http"
	"os"
	"testing"

	"github.com/pocketbase/pocketbase/tests"

	"aman/internal/testapp"
)

func TestMain(m *testing.M) { os.Exit(testapp.Run(m)) }

func TestHealth(t *testing.T) {
	scenarios := []tests.ApiScenario{
		{
			Name:            "health answers on the wired app",
			Method:          http.MethodGet,
			URL:             "/api/health",
			ExpectedStatus:  200,
			ExpectedContent: []string{`"code":200`},
			TestAppFactory:  testapp.Factory,
		},
	}
	for _, s := range scenarios {
		s.Test(t)
	}
}
