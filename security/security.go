// Package security binds the HTTP protections that PocketBase's settings do
// not cover: a token the server no longer honours refused on the API
// (session.go), the CORS policy, per-route request body limits and a budget of
// realtime subscriptions to records (per account; per address for anonymous
// callers; and for the whole server: realtime.go), the delete a subscriber
// gets of a record an update took from its view (realtime_left.go), the
// realtime connections of an ended session closed (a new token key, a
// deleted account, a new token secret of its collection: realtime_ended.go),
// the client PocketBase's rate limiter counts (ratelimit.go) and a bound
// per address on logins across accounts (login_limit.go), a budget of
// failed password logins per account across addresses (account_limit.go;
// the addresses known to each account kept in a table, known_addresses.go),
// their numbers read from the environment (limits.go). The rate
// limiter's rules, batch limits and log retention are settings, set by the migration
// pb_migrations/1795766500_security_settings.js; docs/operations.md explains
// every number.
package security

import (
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
)

// Register binds the refusal of dead tokens (session.go), the CORS policy
// and the body limits on every server start,
// the client the rate limiter counts (a signed-in account, an address and
// the account a login names, an IPv6 /64, else an address) with the bound
// on logins per address, the budget of realtime subscriptions, the deletes
// of records an update took from a subscriber's view (realtime_left.go) and
// the closing of an ended session's realtime connections (realtime_ended.go).
//
// The bounds on logins and e-mail requests, and the server's on realtime
// subscriptions, are read from the environment
// (limits.go): a value it cannot take is an error naming the variable.
func Register(app core.App) error {
	limits, err := LimitsFromEnv()
	if err != nil {
		return err
	}
	setBounds(app, limits)
	if err := bindKnownPrune(app, boundsOf(app).accounts.known); err != nil {
		return err
	}
	app.OnRecordAuthWithPasswordRequest().Bind(loginOutcome())
	app.OnRealtimeSubscribeRequest().Bind(realtimeBudget(limits.RealtimeSubscriptions))
	bindLeftViews(app)
	bindEndedOnDelete(app)
	bindEndedOnSecret(app)
	app.OnServe().Bind(&hook.Handler[*core.ServeEvent]{
		Id: "amanSecurity",
		Func: func(e *core.ServeEvent) error {
			e.Router.Bind(cors(e.App))
			e.Router.Bind(bodyLimit())
			mask, restore := rateLimitByClient()
			e.Router.Bind(mask, restore)
			e.Router.Bind(staleToken())
			return e.Next()
		},
	})
	return nil
}

// MustRegister is Register that panics on error.
func MustRegister(app core.App) {
	if err := Register(app); err != nil {
		panic(err)
	}
}
