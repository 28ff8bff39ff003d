package security

import (
	"crypto/sha256"
	"errors"
	"net/http"
	"sync"
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
	// account stays known to it: a restart forgets it sooner.
	KnownAddressFor = 30 * 24 * time.Hour
)

// CodeAccountLocked is the code (data.identity.code) of a password login
// refused because its account's failed logins ran out.
const CodeAccountLocked = "login_account_locked"

// ErrAccountLocked is the 429 answer of a password login from an address
// unknown to an account whose failed logins ran out.
func ErrAccountLocked() *router.ApiError {
	return router.NewApiError(http.StatusTooManyRequests, "Too many failed sign-ins to this account.", validation.Errors{
		"identity": validation.NewError(CodeAccountLocked,
			"There were too many failed sign-ins to this account. Sign in from a network you signed in to it from before, or try again later."),
	})
}

// accountGuard holds an app's failed password logins per account and the
// addresses known to each account.
type accountGuard struct {
	failures *addressBound // by accountKey
	known    *knownAddresses
}

// refuses tells how long a password login to account from the address
// block bucket is refused: 0 while the account's budget of failures holds
// or the address signed in to it recently.
func (g *accountGuard) refuses(account, bucket string, now time.Time) time.Duration {
	wait := g.failures.full(accountKey(account), now)
	if wait == 0 || g.known.has(knownKey(account, bucket), now) {
		return 0
	}
	return wait
}

// outcome counts a password login's result: err is what the handler
// returned.
func (g *accountGuard) outcome(account, bucket string, err error, now time.Time) {
	var apiErr *router.ApiError
	switch {
	case err == nil:
		g.known.add(knownKey(account, bucket), now)
	case errors.As(err, &apiErr) && apiErr.Status == http.StatusBadRequest:
		// "Failed to authenticate.": no such account, or a wrong password
		// (a 401 asking for MFA came with the right one)
		g.failures.add(accountKey(account), now)
	}
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
				c.guard.outcome(c.account, c.bucket, err, time.Now())
			}
			return err
		},
	}
}

// accountKey and knownKey are the keys the guard keeps: digests, so that
// its memory holds no e-mail address or IP.
func accountKey(account string) string {
	sum := sha256.Sum256([]byte("account\x00" + account))
	return string(sum[:16])
}

func knownKey(account, bucket string) string {
	sum := sha256.Sum256([]byte("known\x00" + account + "\x00" + bucket))
	return string(sum[:16])
}

// knownAddresses remembers when each (account, address block) last signed
// in, for ttl, in memory, for at most capacity pairs.
type knownAddresses struct {
	ttl      time.Duration
	capacity int

	mu   sync.Mutex
	seen map[string]time.Time
}

func newKnownAddresses(ttl time.Duration, capacity int) *knownAddresses {
	return &knownAddresses{ttl: ttl, capacity: capacity, seen: map[string]time.Time{}}
}

func (k *knownAddresses) add(key string, now time.Time) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if _, ok := k.seen[key]; !ok && len(k.seen) >= k.capacity {
		k.evict(now)
	}
	k.seen[key] = now
}

func (k *knownAddresses) has(key string, now time.Time) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	t, ok := k.seen[key]
	return ok && now.Sub(t) < k.ttl
}

// evict drops the expired pairs and, while more than nine tenths of
// capacity remain, the oldest-looking: arbitrary ones signed in more than
// a day ago, then any.
func (k *knownAddresses) evict(now time.Time) {
	for key, t := range k.seen {
		if now.Sub(t) >= k.ttl {
			delete(k.seen, key)
		}
	}
	for _, age := range []time.Duration{24 * time.Hour, 0} {
		for key, t := range k.seen {
			if len(k.seen) <= k.capacity*9/10 {
				return
			}
			if now.Sub(t) >= age {
				delete(k.seen, key)
			}
		}
	}
}
