package security_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"aman/internal/fixtures"
	"aman/internal/testapp"
	"aman/security"
)

// TestLimits_Settings: the bounds on logins and e-mail requests per address
// are settings an operator changes in the environment, without a rebuild
// (AMAN_LOGINS_PER_ADDRESS=3/30s); unset or empty, the defaults hold (the
// other tests of this package run on them).
func TestLimits_Settings(t *testing.T) {
	const reset = "/api/collections/users/request-password-reset"
	const nat = "192.0.2.1:4000"
	for _, tc := range []struct {
		env, value string
		url        string
		body       func(i int) string
		n, ok      int // n requests over n accounts, the first ok of them let through
		okStatus   int
	}{
		{security.EnvLoginsPerAddress, "3/30s", loginURL,
			func(i int) string { return login(fmt.Sprintf("person%d@example.org", i), "guess") }, 4, 3, http.StatusBadRequest},
		{security.EnvLoginsPerAddress, " 7 / 1m ", loginURL,
			func(i int) string { return login(fmt.Sprintf("person%d@example.org", i), "guess") }, 8, 7, http.StatusBadRequest},
		{security.EnvEmailRequestsPerAddress, "2/1h", reset,
			func(i int) string { return fmt.Sprintf(`{"email":"person%d@example.org"}`, i) }, 3, 2, http.StatusNoContent},
		{security.EnvEmailRequestsPerAddress, "", reset, // empty: the default
			func(i int) string { return fmt.Sprintf(`{"email":"person%d@example.org"}`, i) },
			security.EmailRequestsPerAddress + 1, security.EmailRequestsPerAddress, http.StatusNoContent},
	} {
		t.Run(tc.env+"="+tc.value, func(t *testing.T) {
			t.Setenv(tc.env, tc.value)
			s := tests.ApiScenario{
				Name:   "past the bound the address's requests are refused",
				Method: http.MethodPost, URL: tc.url, Body: strings.NewReader(tc.body(tc.n)),
				TestAppFactory: fixtures.Factory,
				BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
					c := newClient(t, e)
					for i := range tc.n {
						want := tc.okStatus
						if i >= tc.ok {
							want = http.StatusTooManyRequests
						}
						if code := c(http.MethodPost, tc.url, tc.body(i), nat).Code; code != want {
							t.Fatalf("request %d: status %d, want %d", i, code, want)
						}
					}
				},
				// the scenario's own request comes from 192.0.2.1 too
				ExpectedStatus:  http.StatusTooManyRequests,
				ExpectedContent: []string{`"status":429`},
			}
			s.Test(t)
		})
	}
}

// TestLimits_BadValue: a value the server cannot take stops it with an
// error naming the variable and its value, rather than a default kept
// unseen or a panic (main logs the error and exits).
func TestLimits_BadValue(t *testing.T) {
	for _, tc := range []struct{ env, value string }{
		{security.EnvLoginsPerAddress, "100"},
		{security.EnvLoginsPerAddress, "100/30"},
		{security.EnvLoginsPerAddress, "0/30s"},
		{security.EnvLoginsPerAddress, "-5/30s"},
		{security.EnvLoginsPerAddress, "1000001/30s"},
		{security.EnvLoginsPerAddress, "ten/30s"},
		{security.EnvEmailRequestsPerAddress, "20/500ms"},
		{security.EnvEmailRequestsPerAddress, "20/25h"},
		{security.EnvEmailRequestsPerAddress, "20/-1m"},
		{security.EnvEmailRequestsPerAddress, "20/60s/2"},
		{security.EnvFailedLoginsPerAccount, "30"},
		{security.EnvFailedLoginsPerAccount, "30/15 minutes"},
	} {
		t.Run(tc.env+"="+tc.value, func(t *testing.T) {
			t.Setenv(tc.env, tc.value)
			err := security.Register(testapp.NewSchemaOnly(t))
			if err == nil {
				t.Fatal("accepted")
			}
			for _, want := range []string{tc.env, fmt.Sprintf("%q", tc.value), "1 to 1000000", "1s to 24h"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q lacks %q", err, want)
				}
			}
		})
	}
}
