package security

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"
)

// CodeRateLimited is the code (data.request.code) of a request refused by
// PocketBase's limiter (any of its rules: sync push and pull, batch,
// creates, OTP and OAuth2 logins, the e-mail requests, the rest of /api/)
// or by an address's bound of e-mail requests. PocketBase's own answer is
// a bare "Too Many Requests." with empty data. A password login's
// refusal keeps its own code, login_too_many_attempts.
const CodeRateLimited = "rate_limited"

// ErrRateLimited is the 429 answer of such a request, its reason on top.
func ErrRateLimited() *router.ApiError {
	return reasonError(http.StatusTooManyRequests, "request", validation.NewError(CodeRateLimited,
		"There were too many requests. Wait a little and try again."))
}

// SetRetryAfter sets the Retry-After header of an answer the client may
// repeat after d: whole seconds, rounded up (a phone that waits what it
// is told does not come back early), at least 1 (0 would tell it to
// retry at once).
func SetRetryAfter(h http.Header, d time.Duration) {
	s := int64((d + time.Second - 1) / time.Second)
	if s < 1 {
		s = 1
	}
	h.Set("Retry-After", strconv.FormatInt(s, 10))
}

// limiterRefusal is how PocketBase's limiter (apis/middlewares_rate_limit.go
// of v0.40.4) words the raw error of its 429, followed by the rule as
// JSON (core.RateLimitRule.String).
const limiterRefusal = "triggered rate limit rule: "

// limiterWindow is how long a client refused by PocketBase's limiter
// waits at most: the duration of the rule that refused it, read from the
// 429's raw error. The limiter counts in fixed windows, so the window
// ends within one duration; when its start could be read the wait would
// be shorter, but the limiter keeps it unexported. When the rule cannot
// be read (a PocketBase that words it otherwise), the longest duration
// of the rules is the bound.
func limiterWindow(app core.App, apiErr *router.ApiError) time.Duration {
	if raw, ok := apiErr.RawData().(error); ok {
		if js, found := strings.CutPrefix(raw.Error(), limiterRefusal); found {
			var rule core.RateLimitRule
			if json.Unmarshal([]byte(js), &rule) == nil && rule.Duration > 0 {
				return time.Duration(rule.Duration) * time.Second
			}
		}
	}
	var longest int64
	for _, rule := range app.Settings().RateLimits.Rules {
		longest = max(longest, rule.Duration)
	}
	return time.Duration(longest) * time.Second
}

// explainRefusal is what the mask middleware makes of err, the answer of
// PocketBase's limiter and of what follows it: a plain 429 (empty data)
// from the limiter or from an address's bound (boundCheck.check) gets a
// code, login_too_many_attempts for a password login (c.password), else
// rate_limited, and a Retry-After: the bound's window left (check sets
// it), else the limiter rule's window. Every other answer
// (login_account_locked has data, so do the uploads' and the realtime
// budget's) is err itself.
func explainRefusal(e *core.RequestEvent, c *boundCheck, err error) error {
	var apiErr *router.ApiError
	if !errors.As(err, &apiErr) || apiErr.Status != http.StatusTooManyRequests || len(apiErr.Data) != 0 {
		return err
	}
	h := e.Response.Header()
	if h.Get("Retry-After") == "" {
		SetRetryAfter(h, limiterWindow(e.App, apiErr))
	}
	if c != nil && c.password {
		return ErrLoginTooManyAttempts()
	}
	return ErrRateLimited()
}
