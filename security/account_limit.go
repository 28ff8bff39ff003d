package security

import (
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"time"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
	"github.com/pocketbase/pocketbase/tools/router"
)

// Per address, an account's password gets 10 guesses per 30 s (the
// `*:auth` rule, counted by address and account): from a thousand
// addresses, a botnet's, that is 10,000 guesses at one coordinator's
// password every 30 s. So an account also has a budget of failed password
// logins across all addresses, FailedLoginsPerAccount per
// FailedLoginWindow. Once it is spent, and until its window ends, a
// password login to that account is refused (429, login_account_locked)
// from every address that has not signed in to it in the last
// KnownAddressFor; an address that has still gets through, under its own
// rules. A botnet's addresses have never signed in to the account, so the
// guesses stop at the budget; the account's owner keeps signing in from
// their office, their home, their village's carrier NAT, wherever they
// signed in before. What an attacker can do is keep the account's owner
// from signing in from a new address, by spending the budget again every
// window: a phone already signed in keeps its session (token refreshes are
// no logins), and an operator can exclude an address from the limiter.
//
// Only the logins' outcomes count: a failed password (the handler's 400)
// spends the budget, a success makes the address known; a login refused
// before the handler (by the limiter, by the bounds, by the lock itself)
// counts for neither, nor does one from an excluded address.
const (
	FailedLoginsPerAccount = 30
	FailedLoginWindow      = 15 * time.Minute
	// KnownAddressFor is how long an address that signed in to an
	// account stays known to it, by default (AMAN_KNOWN_ADDRESS_DAYS). The
	// known addresses are kept in a table (known_addresses.go): a restart
	// keeps them.
	KnownAddressFor = 30 * 24 * time.Hour
)

// CodeAccountLocked is the code (data.identity.code) of a password login
// refused because its account's failed logins ran out.
const CodeAccountLocked = "login_account_locked"

// ErrAccountLocked is the 429 answer of a password login from an address
// unknown to an account whose failed logins ran out. Its top-level message
// is its field error's, which the locale middleware then gives in the
// caller's language (a status text would say only "Too Many Requests").
func ErrAccountLocked() *router.ApiError {
	return reasonError(http.StatusTooManyRequests, "identity", validation.NewError(CodeAccountLocked,
		"There were too many failed sign-ins to this account. Sign in from a network you signed in to it from before, or try again later."))
}

// CodeLoginTooManyAttempts is the code (data.identity.code) of a password
// login refused for the number of logins from its address: to the account
// it names (PocketBase's `*:auth` rule, counted by address and account) or
// to any account (the address's bound, login_limit.go): explainRefusal.
const CodeLoginTooManyAttempts = "login_too_many_attempts"

// ErrLoginTooManyAttempts is the 429 answer of such a login, its reason on
// top (PocketBase's own says only "Too Many Requests.").
func ErrLoginTooManyAttempts() *router.ApiError {
	return reasonError(http.StatusTooManyRequests, "identity", validation.NewError(CodeLoginTooManyAttempts,
		"There were too many sign-in attempts from your network. Wait a little and try again."))
}

// accountGuard holds an app's failed password logins per account (in
// memory) and the addresses known to each account (in a table).
//
// The failures are not kept over a restart: they count for 15 minutes, a
// restart gives an attacker at most one more budget, and keeping them would
// add a write to every failed login. The known addresses count for 30 days
// and are what lets the owner in while the budget is spent.
type accountGuard struct {
	failures *addressBound // by accountKey
	known    *knownAddresses
	logger   func() *slog.Logger
}

// refuses tells how long a password login to account from the address
// block bucket is refused: 0 while the account's budget of failures holds
// or the address signed in to it recently. The known addresses are read
// only while the budget is spent.
func (g *accountGuard) refuses(account, bucket string, now time.Time) time.Duration {
	wait := g.failures.full(accountKey(account), now)
	if wait == 0 {
		return 0
	}
	known, err := g.known.has(account, bucket, now)
	if err != nil {
		// the table cannot be read: the owner is not refused for it
		g.logger().Error("login limit: read the known addresses", "error", err)
		return 0
	}
	if known {
		return 0
	}
	return wait
}

// outcome counts a password login's result: err is what the handler
// returned, record the account it named (nil: none).
func (g *accountGuard) outcome(account, bucket string, record *core.Record, err error, now time.Time) {
	var apiErr *router.ApiError
	switch {
	case err == nil:
		if err := g.known.add(account, bucket, now); err != nil {
			g.logger().Error("login limit: write a known address", "error", err)
		}
	case errors.As(err, &apiErr) && apiErr.Status == http.StatusBadRequest:
		// "Failed to authenticate.": no such account, or a wrong password
		// (a 401 asking for MFA came with the right one)
		if g.failures.add(accountKey(account), now) {
			g.logLock(record, bucket, now)
		}
	}
}

// logLock logs, once per lock (when the failure that spends the budget
// counts), which account was locked: its collection and id, never the
// identity or the password; the class of the address that spent it; and
// when the lock began. Guesses at an account that does not exist lock it
// too, logged without an id.
func (g *accountGuard) logLock(record *core.Record, bucket string, now time.Time) {
	attrs := []any{
		"addressClass", addressClass(bucket),
		"lockedAt", now.UTC().Format(time.RFC3339),
		"lockedFor", g.failures.window.String(),
		"failures", g.failures.max,
	}
	if record != nil {
		attrs = append(attrs, "collection", record.Collection().Name, "account", record.Id)
	} else {
		attrs = append(attrs, "account", "", "accountExists", false)
	}
	g.logger().Warn("login limit: an account's failed logins ran out: addresses that never signed in to it are refused", attrs...)
}

// addressClass names the kind of an address block: "ipv4" or "ipv6/64",
// with "-private" for a private, loopback or link-local one (a proxy not
// set up as trusted, or a test).
func addressClass(bucket string) string {
	class := "ipv4"
	if strings.Contains(bucket, ":") {
		class = "ipv6/64"
	}
	addr, err := netip.ParseAddr(strings.SplitN(bucket, "/", 2)[0])
	if err == nil && (addr.IsPrivate() || addr.IsLoopback() || addr.IsLinkLocalUnicast()) {
		class += "-private"
	}
	return class
}

// loginOutcome counts each password login's outcome against its account,
// once, for a login that went through the bounds (boundCheck).
func loginOutcome() *hook.Handler[*core.RecordAuthWithPasswordRequestEvent] {
	return &hook.Handler[*core.RecordAuthWithPasswordRequestEvent]{
		Id:       "amanLoginOutcome",
		Priority: -1000, // outside every other handler: their errors are the outcome
		Func: func(e *core.RecordAuthWithPasswordRequestEvent) error {
			err := e.Next()
			c, ok := e.Get(boundCheckKey).(boundCheck)
			if ok && c.guard != nil {
				e.Set(boundCheckKey, nil) // counted once
				c.guard.outcome(c.account, c.bucket, e.Record, err, time.Now())
			}
			return err
		},
	}
}

// accountKey and knownKey are the keys the guard keeps: digests, so that
// its memory and the known addresses' table hold no e-mail address or IP.
// With secret (the app's encryption key, knownSecret) the pair's is an
// HMAC: the addresses of a volunteer's sign-ins cannot be tried out
// against a copy of the database without it, as an IPv4 address's plain
// digest can be (2^32 tries per account).
func accountKey(account string) string {
	sum := sha256.Sum256([]byte("account\x00" + account))
	return string(sum[:16])
}

func knownKey(secret []byte, account, bucket string) string {
	msg := []byte("known\x00" + account + "\x00" + bucket)
	if len(secret) == 0 {
		sum := sha256.Sum256(msg)
		return string(sum[:16])
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write(msg)
	return string(mac.Sum(nil)[:16])
}
