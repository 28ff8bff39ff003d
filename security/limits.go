package security

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// The environment variables that set the bounds of login_limit.go, each a
// count and a window, as in AMAN_LOGINS_PER_ADDRESS=100/30s. Unset or
// empty: the default. They are read when the server starts; a value that
// is not such a pair, or is out of range, stops it with an error naming
// the variable (docs/operations.md).
const (
	EnvLoginsPerAddress        = "AMAN_LOGINS_PER_ADDRESS"
	EnvEmailRequestsPerAddress = "AMAN_EMAIL_REQUESTS_PER_ADDRESS"
	EnvFailedLoginsPerAccount  = "AMAN_FAILED_LOGINS_PER_ACCOUNT"
	// EnvKnownAddressDays is how many days an address that signed in to
	// an account stays known to it (account_limit.go): a whole number of
	// days from 1 to MaxKnownAddressDays.
	EnvKnownAddressDays = "AMAN_KNOWN_ADDRESS_DAYS"
	// EnvRealtimeSubscriptions bounds the realtime subscriptions to
	// records that the server's connections hold together (realtime.go),
	// coordinators', editors' and superusers' not counted: a whole number
	// from 1 to MaxBudgetCount.
	EnvRealtimeSubscriptions = "AMAN_REALTIME_MAX_SUBSCRIPTIONS"
)

// DefaultRealtimeSubscriptions is the server's bound on counted realtime
// subscriptions to records when EnvRealtimeSubscriptions is unset. Each
// subscription to a collection costs every write of it about 0.18 ms of
// CPU that the write's request waits for (docs/benchmarks.md, What
// realtime subscribers cost writes). Measured on 2 cores (amanload rtcost,
// 2026-11-29), a 50-mutation push's p99 was 0.46 s without subscribers and
// 0.84 s with 60 of the mix (42 subscriptions to the reports written, 12
// of them coordinators'; 78 counted): about 9 ms a subscription to the
// written collection. 50, all on one collection, with a dozen
// coordinators' screens beside them, keep it about 1 s. Accounts of open
// sign-up reach it with three of them; the cost is what it bounds. The
// review screens of aid workers and volunteers hold 2 to 3 each: about 20
// open at once.
const DefaultRealtimeSubscriptions = 50

// MaxKnownAddressDays is the longest an address stays known to an account.
const MaxKnownAddressDays = 365

// The ranges a bound's count and window may take.
const (
	MaxBudgetCount  = 1_000_000
	MinBudgetWindow = time.Second
	MaxBudgetWindow = 24 * time.Hour
)

// Budget is a number of requests per window.
type Budget struct {
	Max    int
	Window time.Duration
}

func (b Budget) String() string {
	return strconv.Itoa(b.Max) + "/" + shortDuration(b.Window)
}

// Limits are the bounds an operator may tune without a rebuild.
type Limits struct {
	// LoginsPerAddress bounds the logins from one address across accounts.
	LoginsPerAddress Budget
	// EmailRequestsPerAddress bounds the e-mail requests from one address
	// across e-mails.
	EmailRequestsPerAddress Budget
	// FailedLoginsPerAccount bounds the failed password logins to one
	// account from addresses it does not know (account_limit.go).
	FailedLoginsPerAccount Budget
	// KnownAddressFor is how long an address that signed in to an account
	// gets past its spent budget of failed logins: whole days.
	KnownAddressFor time.Duration
	// RealtimeSubscriptions bounds the counted realtime subscriptions to
	// records of the whole server (realtime.go).
	RealtimeSubscriptions int
}

// DefaultLimits are the limits when no variable is set.
var DefaultLimits = Limits{
	LoginsPerAddress:        Budget{LoginAttemptsPerAddress, LoginWindow},
	EmailRequestsPerAddress: Budget{EmailRequestsPerAddress, EmailWindow},
	FailedLoginsPerAccount:  Budget{FailedLoginsPerAccount, FailedLoginWindow},
	KnownAddressFor:         KnownAddressFor,
	RealtimeSubscriptions:   DefaultRealtimeSubscriptions,
}

// LimitsFromEnv returns DefaultLimits with what the variables set, or an
// error naming the first variable whose value is not a count and a window
// within range.
func LimitsFromEnv() (Limits, error) {
	l := DefaultLimits
	for _, v := range []struct {
		name   string
		budget *Budget
	}{
		{EnvLoginsPerAddress, &l.LoginsPerAddress},
		{EnvEmailRequestsPerAddress, &l.EmailRequestsPerAddress},
		{EnvFailedLoginsPerAccount, &l.FailedLoginsPerAccount},
	} {
		value := os.Getenv(v.name)
		if value == "" {
			continue
		}
		b, ok := parseBudget(value)
		if !ok {
			return l, fmt.Errorf("%s=%q: want a count and a window such as %s: a whole number from 1 to %d, a slash, a duration from %s to %s",
				v.name, value, v.budget, MaxBudgetCount, shortDuration(MinBudgetWindow), shortDuration(MaxBudgetWindow))
		}
		*v.budget = b
	}
	if value := os.Getenv(EnvKnownAddressDays); value != "" {
		days, err := strconv.Atoi(strings.TrimSpace(value))
		if err != nil || days < 1 || days > MaxKnownAddressDays {
			return l, fmt.Errorf("%s=%q: want a whole number of days from 1 to %d, such as %d",
				EnvKnownAddressDays, value, MaxKnownAddressDays, int(KnownAddressFor/(24*time.Hour)))
		}
		l.KnownAddressFor = time.Duration(days) * 24 * time.Hour
	}
	if value := os.Getenv(EnvRealtimeSubscriptions); value != "" {
		n, err := strconv.Atoi(strings.TrimSpace(value))
		if err != nil || n < 1 || n > MaxBudgetCount {
			return l, fmt.Errorf("%s=%q: want a whole number of subscriptions from 1 to %d, such as %d",
				EnvRealtimeSubscriptions, value, MaxBudgetCount, DefaultRealtimeSubscriptions)
		}
		l.RealtimeSubscriptions = n
	}
	return l, nil
}

// parseBudget reads "count/window", the window as time.ParseDuration
// reads it ("30s", "15m", "1h").
func parseBudget(s string) (Budget, bool) {
	count, window, ok := strings.Cut(strings.TrimSpace(s), "/")
	if !ok {
		return Budget{}, false
	}
	n, err := strconv.Atoi(strings.TrimSpace(count))
	if err != nil || n < 1 || n > MaxBudgetCount {
		return Budget{}, false
	}
	d, err := time.ParseDuration(strings.TrimSpace(window))
	if err != nil || d < MinBudgetWindow || d > MaxBudgetWindow {
		return Budget{}, false
	}
	return Budget{Max: n, Window: d}, true
}

// shortDuration writes a duration without its zero minutes and seconds:
// 1m0s as 1m, 24h0m0s as 24h.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = s[:len(s)-2]
	}
	if strings.HasSuffix(s, "h0m") {
		s = s[:len(s)-2]
	}
	return s
}
