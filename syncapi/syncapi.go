// Package syncapi serves offline-first sync, protocol v1 (docs/sync.md):
//
//	GET  /api/sync/v1/pull  checkpointed pull of the changes a user may see
//	POST /api/sync/v1/push  exactly-once push of a device's mutations
//
// Pull reads the change log of package changelog and decides visibility
// and shape with PocketBase's own rule resolver and enrich hooks. Push
// replays every mutation through PocketBase's own record create, update and
// delete handlers (as /api/batch does), so rules, validation and request
// hooks apply exactly as on the REST API, and stores each mutation's result
// in the transaction of its write.
package syncapi

import (
	"net/url"
	"strings"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"golang.org/x/sync/semaphore"

	"aman/changelog"
)

// Protocol is the version this server speaks. Clients may send it in the
// ProtocolHeader; any other value answers 426.
const (
	Protocol       = "1"
	ProtocolHeader = "X-Aman-Sync-Protocol"
)

// Limits of the protocol.
const (
	DefaultPullLimit = 500
	MaxPullLimit     = 1000
	MaxMutations     = 500
	MaxBodyBytes     = 16 << 20
)

// maxConcurrentPulls bounds the pull pages built at once. A page holds up
// to 1,000 records as records, JSON and gzip buffers (about 15 MB of heap
// at 1,000 reports). Pages past the bound wait their turn: building a page
// is CPU-bound, so on a 2-core server more at once would not finish sooner.
// Measured with 20 devices running their initial sync of 100k reports at
// once: at 2 the syncs took as long as at 4, with less memory at the peak
// (docs/benchmarks.md, Peak memory).
const maxConcurrentPulls = 2

// maxPagesInFlight bounds the pull answers built or being sent, in units of
// a gzip page (about 300 KB at 1,000 ordinary reports); an uncompressed
// page weighs identityPageWeight of them. Slow phones (2G) keep their page
// until they have read it (at most PocketBase's 5-minute write timeout), so
// without a bound a crowd of them, or of clients that ask for uncompressed
// pages and never read, would hold an unbounded amount of memory. At the
// bound, about 20 MB of ordinary pages are in flight; further pulls wait
// for one to be read. One client address holds at most
// maxPagesInFlightPerIP of the units, anonymous callers together
// maxPagesPublic (one address's at most maxPagesPublicPerIP of it),
// anonymous callers and volunteers together maxPagesOpen, and everyone but
// coordinators, editors and superusers (so aid workers too) together
// maxPagesNonStaff (see pageBudget). A reader that does not read its page
// keeps it only until the page's write deadline (pageWriteTimeout).
const (
	maxPagesInFlight      = 64
	maxPagesInFlightPerIP = 16
	maxPagesPublic        = 32
	maxPagesPublicPerIP   = maxPagesPublic / 4
	maxPagesOpen          = 48
	maxPagesNonStaff      = 56
	identityPageWeight    = 5
)

// maxPushBodyBytesInFlight bounds the push bodies held at once: the bytes
// sent, from before they are read, and what a gzip body unpacks to, until
// the push is answered (bodyBudget). A
// gzip body of a few kilobytes may unpack to 16 MiB, and pushes queue for
// SQLite's single writer with their bodies decoded, so without a bound a
// stream of small uploads could hold any amount of memory. Pushes past it
// wait their turn; the writer serves one at a time anyway.
const maxPushBodyBytesInFlight = 48 << 20

// A page must fit an address's public share and a body the push budget,
// or their requests would wait forever; the other bounds nest.
const (
	_ = uint(maxPagesPublicPerIP - identityPageWeight)
	_ = uint(maxPagesInFlightPerIP - maxPagesPublicPerIP)
	_ = uint(maxPagesPublic - maxPagesInFlightPerIP)
	_ = uint(maxPagesOpen - maxPagesPublic)
	_ = uint(maxPagesNonStaff - maxPagesOpen)
	_ = uint(maxPagesInFlight - maxPagesNonStaff)
	_ = uint(maxPushBodyBytesInFlight - 2*MaxBodyBytes) // a gzip body and what it unpacks to
)

type service struct {
	cfg changelog.Config
	// pulls is the semaphore of the pages being built: a page takes a
	// pageWriter from it and gives it back once the page is packed into a
	// buffer of its own, so there are never more than maxConcurrentPulls
	// encode and gzip buffers.
	pulls chan *pageWriter
	// pages bounds the pages built or held until their clients read them
	// (see maxPagesInFlight).
	pages *pageBudget
	// pushBodies bounds the push bodies held (see maxPushBodyBytesInFlight).
	pushBodies *semaphore.Weighted
}

// Register binds the sync routes, the sync tables' pruning and the
// sync_conflicts collection's migration (registered in init).
func Register(app core.App) error {
	s := &service{
		cfg:        changelog.DefaultConfig(),
		pulls:      newPageWriters(maxConcurrentPulls),
		pages:      newPageBudget(maxPagesInFlight, maxPagesInFlightPerIP, maxPagesPublicPerIP, [staff]int64{maxPagesPublic, maxPagesOpen, maxPagesNonStaff}),
		pushBodies: semaphore.NewWeighted(maxPushBodyBytesInFlight),
	}
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		g := se.Router.Group("/api/sync")
		g.GET("/v1/pull", s.pull) // compressed by its pageWriter
		g.POST("/v1/push", s.push).Bind(apis.Gzip())
		g.Any("/{rest...}", unknownRoute)
		return se.Next()
	})
	bindConflictRedaction(app)
	bindConflictResolution(app)
	bindDateChecks(app)
	return bindPrune(app, s.cfg)
}

// unknownRoute answers 426 for another protocol version and 404 for an
// unknown v1 action.
func unknownRoute(e *core.RequestEvent) error {
	rest := e.Request.PathValue("rest")
	if !strings.HasPrefix(rest, "v1/") && rest != "v1" {
		return writeError(e, errProtocol)
	}
	return e.NotFoundError("", nil)
}

// checkRequest rejects an unsupported protocol header and a token that
// PocketBase could not load (it silently drops invalid tokens).
func checkRequest(e *core.RequestEvent) *requestError {
	for _, v := range e.Request.Header.Values(ProtocolHeader) {
		if v != "" && v != Protocol {
			return errProtocol
		}
	}
	if e.Auth == nil && e.Request.Header.Get("Authorization") != "" {
		return errInvalidToken
	}
	// Go's URL.Query drops a pair it cannot decode (brief=%zz, lost=%zz):
	// the parameter would count as absent, and a push would lose what it
	// asked for (a brief answer, lost's merge protection)
	q, err := url.ParseQuery(e.Request.URL.RawQuery)
	if err != nil {
		return errParameter
	}
	// a parameter given twice is read as its first value, so the second
	// would be lost: "?seen=&seen=<position>" would skip the check of a
	// restore, two "collections" would pull the first set alone
	for _, name := range syncParameters {
		if len(q[name]) > 1 {
			return errParameter
		}
	}
	return nil
}

// syncParameters are the query parameters pull and push read.
var syncParameters = []string{"seen", "lost", "brief", "collections", "checkpoint", "limit"}

// requestInfo is the caller's RequestInfo for rule checks: PocketBase's
// own, without the sync query parameters (a rule must not see them).
func requestInfo(e *core.RequestEvent, method string) (*core.RequestInfo, error) {
	info, err := e.RequestInfo()
	if err != nil {
		return nil, err
	}
	c := info.Clone()
	c.Query = map[string]string{}
	c.Body = map[string]any{}
	c.Method = method
	c.Auth = e.Auth
	return c, nil
}
