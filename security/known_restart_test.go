package security_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"

	"aman/internal/fixtures"
	"aman/internal/testapp"
	"aman/security"
)

// serve returns a client of app's router with its OnServe hooks bound, as
// the server runs it.
func serve(t testing.TB, app core.App) client {
	t.Helper()
	r, err := apis.NewRouter(app)
	if err != nil {
		t.Fatal(err)
	}
	var c client
	err = app.OnServe().Trigger(&core.ServeEvent{App: app, Router: r}, func(e *core.ServeEvent) error {
		c = newClient(t, e)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestRateLimit_KnownAddressesAfterRestart: the addresses known to an
// account outlive a restart (a deploy, a crash). The owner signs in from
// their phone's address; the server restarts on the same data; a botnet
// spends the account's budget. The owner still signs in from that address
// (and an IPv6 phone from its /64), the right password from an address
// that never signed in is refused, and the owner's address does not open
// another locked account.
func TestRateLimit_KnownAddressesAfterRestart(t *testing.T) {
	const phone, phone6 = "192.0.2.10:4000", "[2001:db8:5:5::1]:4000"
	before := fixtures.Factory(t)
	c := serve(t, before)
	c.signIn(t, emailA, phone)
	c.signIn(t, emailA, phone6)
	c.signIn(t, emailB, "192.0.2.20:4000")

	after := testapp.NewFromDir(t, before.DataDir())
	c = serve(t, after)
	c.botnet(t, security.FailedLoginsPerAccount, emailA)
	c.botnet(t, security.FailedLoginsPerAccount, emailB)

	c.signIn(t, emailA, phone)                    // owner, the address they signed in from
	c.signIn(t, emailA, "[2001:db8:5:5::9]:4000") // owner, the same /64
	c.signIn(t, emailB, "192.0.2.20:4000")        // other account, its own address
	for _, tc := range []struct{ name, identity, addr string }{
		{"attacker with A's password, an address that never signed in", emailA, "198.51.100.9:4000"},
		{"B's password from A's address", emailB, phone},
		{"A's password from B's address", emailA, "192.0.2.20:4000"},
	} {
		rec := c(http.MethodPost, loginURL, login(tc.identity, fixtures.Password), tc.addr)
		if rec.Code != http.StatusTooManyRequests || !strings.Contains(rec.Body.String(), security.CodeAccountLocked) {
			t.Errorf("%s: status %d, want 429 %s: %s", tc.name, rec.Code, security.CodeAccountLocked, rec.Body)
		}
	}
}

// TestRateLimit_KnownAddressDays: how long an address stays known is a
// setting (AMAN_KNOWN_ADDRESS_DAYS, whole days); a value it cannot take
// stops the server with an error naming the variable.
func TestRateLimit_KnownAddressDays(t *testing.T) {
	for _, v := range []string{"", "1", " 90 ", "365"} {
		t.Setenv(security.EnvKnownAddressDays, v)
		if _, err := security.LimitsFromEnv(); err != nil {
			t.Errorf("%q refused: %v", v, err)
		}
	}
	t.Setenv(security.EnvKnownAddressDays, "7")
	if l, _ := security.LimitsFromEnv(); l.KnownAddressFor != 7*24*time.Hour {
		t.Errorf("7 days read as %v", l.KnownAddressFor)
	}
	for _, v := range []string{"0", "-1", "366", "30d", "1.5", "720h"} {
		t.Run(v, func(t *testing.T) {
			t.Setenv(security.EnvKnownAddressDays, v)
			err := security.Register(testapp.NewSchemaOnly(t))
			if err == nil {
				t.Fatal("accepted")
			}
			for _, want := range []string{security.EnvKnownAddressDays, `"` + v + `"`, "1 to 365"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q lacks %q", err, want)
				}
			}
		})
	}
}

// TestMigrations_KnownAddresses: the table's migration goes down (the table
// goes) and up again; a data dir from before it gets the table when the
// server starts on it.
func TestMigrations_KnownAddresses(t *testing.T) {
	const table = "_aman_known_addresses"
	app := fixtures.Factory(t)
	runner := testapp.MigrationRunner(t, app, "1795768420_aman_known_addresses.go")
	if reverted, err := runner.Down(1); err != nil || len(reverted) != 1 {
		t.Fatalf("down: %v %v", reverted, err)
	}
	if app.HasTable(table) {
		t.Fatal("the table outlived the down")
	}
	if _, err := app.DB().NewQuery("PRAGMA wal_checkpoint(TRUNCATE)").Execute(); err != nil {
		t.Fatal(err)
	}
	upgraded := testapp.NewFromDir(t, app.DataDir())
	if !upgraded.HasTable(table) {
		t.Fatal("a data dir from before the table lacks it after a start")
	}
	serve(t, upgraded).signIn(t, emailA, "192.0.2.10:4000")
	if _, err := runner.Up(); err != nil || !app.HasTable(table) {
		t.Fatalf("up again: %v", err)
	}
}
