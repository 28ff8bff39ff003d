package photos

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"aman/internal/ipblock"
)

// EnvUploadCallerPercent sets the share of the upload budget one caller's
// uploads may hold at once, in percent (AMAN_UPLOAD_CALLER_PERCENT=50).
// Unset or empty: DefaultUploadCallerPercent. It is read when the server
// starts; a value that is not a whole number from MinUploadCallerPercent
// to 100 stops it with an error naming the variable (docs/operations.md,
// Memory settings). 100 lets one caller hold the whole budget.
const EnvUploadCallerPercent = "AMAN_UPLOAD_CALLER_PERCENT"

// One caller's uploads hold at most a share of the upload budget, so that
// its slow or stalled bodies (a phone on 2G, or someone sending slowly on
// purpose, for up to PocketBase's 5-minute read timeout) leave the rest to
// every other caller. A caller is a signed-in account (any device of it),
// or, signed out, a client address (an IPv6 one by its /64, as the rate
// limits count: internal/ipblock).
//
// 60% is the least round share that still takes, at the default budget of
// 256 MiB, the largest report by its Content-Length (10 photos of 10 MiB:
// a weight of about 142 MiB of a share of 153.6 MiB); a share of half
// would refuse it with 413. The other callers keep 40%: about 100 MiB,
// six uploads of a 4 MB phone photo at once.
const (
	DefaultUploadCallerPercent = 60
	MinUploadCallerPercent     = 10
)

// UploadCallerPercentFromEnv returns the share that EnvUploadCallerPercent
// sets, DefaultUploadCallerPercent when it is unset or empty, or an error
// naming the variable.
func UploadCallerPercentFromEnv() (int64, error) {
	value := os.Getenv(EnvUploadCallerPercent)
	if value == "" {
		return DefaultUploadCallerPercent, nil
	}
	n, err := strconv.ParseInt(strings.TrimSpace(value), 10, 64)
	if err != nil || n < MinUploadCallerPercent || n > 100 {
		return 0, fmt.Errorf("%s=%q: want a whole number of percent from %d to 100, such as %d",
			EnvUploadCallerPercent, value, MinUploadCallerPercent, DefaultUploadCallerPercent)
	}
	return n, nil
}

// callerShares are the callers' shares of one upload budget: a budget of
// size bytes per caller, made when its first upload comes and dropped
// when its last one ends, so that they cost nothing between uploads.
type callerShares struct {
	size int64

	mu     sync.Mutex
	shares map[string]*callerShare
}

type callerShare struct {
	budget *weightBudget
	refs   int // uploads holding or waiting for it
}

func newCallerShares(budgetSize, percent int64) *callerShares {
	return &callerShares{size: budgetSize * percent / 100, shares: map[string]*callerShare{}}
}

// acquireBy takes weight from caller's share, waiting until deadline at
// most (weightBudget.acquireBy).
func (s *callerShares) acquireBy(ctx context.Context, caller string, deadline time.Time, weight int64) (func(), error) {
	s.mu.Lock()
	c := s.shares[caller]
	if c == nil {
		c = &callerShare{budget: newWeightBudget(s.size, 0)}
		s.shares[caller] = c
	}
	c.refs++
	s.mu.Unlock()
	release, err := c.budget.acquireBy(ctx, deadline, weight)
	if err != nil {
		s.drop(caller, c)
		return nil, err
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			release()
			s.drop(caller, c)
		})
	}, nil
}

func (s *callerShares) drop(caller string, c *callerShare) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c.refs--; c.refs == 0 {
		delete(s.shares, caller)
	}
}

// held is what caller's uploads hold now, and how many callers have
// uploads running or waiting.
func (s *callerShares) held(caller string) (bytes int64, callers int) {
	s.mu.Lock()
	c := s.shares[caller]
	callers = len(s.shares)
	s.mu.Unlock()
	if c == nil {
		return 0, callers
	}
	c.budget.mu.Lock()
	defer c.budget.mu.Unlock()
	return c.budget.held, callers
}

// uploadCaller is who e's upload counts against: its account, or signed
// out its client address (RealIP: the trusted proxy header, else the
// peer), an IPv6 one by its /64.
func uploadCaller(e *core.RequestEvent) string {
	if e.Auth != nil {
		return "auth:" + e.Auth.Collection().Id + "/" + e.Auth.Id
	}
	return "ip:" + ipblock.Of(e.RealIP())
}

const sharesKey = "aman.photos.uploadShares"

// sharesOf returns app's callers' shares of the upload budget, made by
// Register.
func sharesOf(app core.App) *callerShares {
	s, _ := app.Store().Get(sharesKey).(*callerShares)
	return s
}
