package security

import (
	"net/http"
	"strings"
	"sync"
	"time"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
	"github.com/pocketbase/pocketbase/tools/router"

	"aman/internal/ipblock"
	"aman/privacy"
)

// MaxRecordTopics bounds the realtime subscriptions to records (a topic
// naming a collection, such as incident_reports/* or updates?options=...)
// that the connections of one account hold together, or, for anonymous
// callers, of one client address; coordinators, editors and superusers
// are not counted.
//
// PocketBase judges every such subscription of every connection, with a
// query of the collection's rule and another of the subscription's filter,
// after each write of a record of its collection, and the write's request
// waits for it (an update judges them once more before the write, inside
// its transaction: realtime_left.go): one anonymous connection with the 1,000 subscriptions
// PocketBase allows (one 64 KiB request of short filters) made a
// volunteer's push of 50 reports take 6.7 s instead of 76 ms, and a second
// connection 17 s; no account is needed. Phones use the aman/sync nudge (a
// custom topic, not counted), readers pull and the review screen holds one
// per open screen for its view, one for the person's own user record and,
// an aid worker's, one for their organization (review/static/live.js):
// 20 is room for six of an aid worker's screens.
// Signed-in callers count by account, so that the phones of a village
// behind one carrier NAT don't share one budget; an anonymous caller's
// IPv6 address counts by its /64, which one subscriber picks from at will.
// Since open sign-up makes accounts at will, the subscriptions counted here
// are bounded for the whole server too (Limits.RealtimeSubscriptions).
const MaxRecordTopics = 20

// CodeTooManySubscriptions is the code (data.subscriptions.code) of a
// subscription request over MaxRecordTopics.
const CodeTooManySubscriptions = "realtime_too_many_subscriptions"

// CodeServerBusy is the code (data.subscriptions.code) of a subscription
// request that would take the counted record subscriptions of the whole
// server past its bound (Limits.RealtimeSubscriptions).
const CodeServerBusy = "realtime_server_busy"

// recordTopicsKey, totalTopicsKey and budgetKey hold, in a realtime
// client's store, how many of its subscriptions count against its budget
// and against the server's total (none of an aid worker's: vettedViewer),
// and whose budget (an account or an anonymous caller's address) that is.
// The server's total (maxTotal of realtimeBudget) is the sum of the second
// over every connection: the bookkeeping is the same, a connection PocketBase drops
// (closed, idle) leaves the broker's list and frees its share of both.
const (
	recordTopicsKey = "amanRecordTopics"
	totalTopicsKey  = "amanTotalTopics"
	budgetKey       = "amanRealtimeBudget"
)

// subscribing serializes the count and the subscription of a request, so
// that two connections of one budget, or of the server's, cannot both
// pass on the same room.
var subscribing sync.Mutex

// realtimeBudget refuses a subscription request whose record topics, with
// those the caller's other connections hold, would pass MaxRecordTopics
// (429 realtime_too_many_subscriptions), or, with those every other
// connection holds, maxTotal (429 realtime_server_busy). A refused request
// changes nothing: PocketBase sets a connection's whole list of topics at
// once, after this handler, so the connection keeps the topics it held
// before it (its count too) and none of those it asked for.
// Coordinators', editors' and superusers' topics count 0: they are never
// refused, and take no room. An aid worker's count against its own budget
// only.
func realtimeBudget(maxTotal int) *hook.Handler[*core.RealtimeSubscribeRequestEvent] {
	return &hook.Handler[*core.RealtimeSubscribeRequestEvent]{
		Id: "amanRealtimeBudget",
		Func: func(e *core.RealtimeSubscribeRequestEvent) error {
			n, inTotal := 0, 0
			if !trustedViewer(e.Auth) {
				n = recordTopics(e.App, e.Subscriptions)
				if !vettedViewer(e.Auth) {
					inTotal = n
				}
			}
			subscribing.Lock()
			defer subscribing.Unlock()
			budget := budgetOf(e.Auth, e.Client)
			if n > 0 {
				held, total := 0, 0
				for _, c := range e.App.SubscriptionsBroker().Clients() {
					if c.Id() == e.Client.Id() {
						continue
					}
					count, _ := c.Get(recordTopicsKey).(int)
					counted, _ := c.Get(totalTopicsKey).(int)
					total += counted
					if c.Get(budgetKey) == budget {
						held += count
					}
				}
				if held+n > MaxRecordTopics {
					SetRetryAfter(e.Response.Header(), RealtimeIdleTimeout)
					return ErrTooManySubscriptions()
				}
				if inTotal > 0 && total+inTotal > maxTotal {
					SetRetryAfter(e.Response.Header(), RealtimeBusyRetry)
					return ErrServerBusy()
				}
			}
			if err := e.Next(); err != nil {
				return err
			}
			e.Client.Set(recordTopicsKey, n)
			e.Client.Set(totalTopicsKey, inTotal)
			e.Client.Set(budgetKey, budget)
			return nil
		},
	}
}

// RealtimeIdleTimeout is how long PocketBase keeps a realtime connection
// that receives nothing (apis/realtime.go of v0.40.4, 5 minutes): the
// Retry-After of a subscription refused for the budget. The budget frees
// when the caller's other connections close, which has no window; a
// connection that went away without closing (a phone that lost its
// network) holds its share until PocketBase drops it, at most this long.
const RealtimeIdleTimeout = 5 * time.Minute

// RealtimeBusyRetry is the Retry-After of a subscription refused for the
// server's total. The total has no window either: room frees when any
// counted connection closes or subscribes to fewer, which the server
// cannot foresee (an attacker's connections may never close; a review
// screen closes any time). A minute lets a refused screen come back live
// soon without asking many times; each refused request costs one count
// of the connections.
const RealtimeBusyRetry = time.Minute

// ErrServerBusy is the 429 answer of a subscription request over the
// server's total, its reason the top-level message too. It names no
// number: the bound is the operator's and counts others' subscriptions.
func ErrServerBusy() *router.ApiError {
	return reasonError(http.StatusTooManyRequests, "subscriptions", validation.NewError(CodeServerBusy,
		"The server has too many realtime subscriptions open. Wait a minute and try again."))
}

// ErrTooManySubscriptions is the 429 answer of a subscription request over
// MaxRecordTopics, its reason the top-level message too (reasonError).
func ErrTooManySubscriptions() *router.ApiError {
	return reasonError(http.StatusTooManyRequests, "subscriptions", validation.NewError(CodeTooManySubscriptions,
		"At most {{.max}} realtime subscriptions to records are allowed at once.").
		SetParams(map[string]any{"max": MaxRecordTopics}))
}

// vettedViewer: an aid worker, an account only staff make (docs/data-model.md,
// Who may do what): its subscriptions count against its own budget but not
// against the server's total, which bounds what open sign-up and anonymous
// callers can hold, so that they cannot take an aid worker's live refresh.
func vettedViewer(auth *core.Record) bool {
	return privacy.ViewerOf(auth).Role == privacy.RoleAidWorker
}

// trustedViewer: coordinators, editors and superusers, whose subscriptions
// are not counted.
func trustedViewer(auth *core.Record) bool {
	v := privacy.ViewerOf(auth)
	return v.Superuser || v.Role == privacy.RoleCoordinator || v.Role == privacy.RoleEditor
}

// recordTopics counts the distinct record topics among subs (the client
// keeps a set: a topic sent twice is held once).
func recordTopics(app core.App, subs []string) int {
	seen := make(map[string]struct{}, len(subs))
	for _, sub := range subs {
		if _, dup := seen[sub]; !dup && isRecordTopic(app, sub) {
			seen[sub] = struct{}{}
		}
	}
	return len(seen)
}

// isRecordTopic reports whether a topic names a collection: PocketBase
// broadcasts its records' changes to it.
func isRecordTopic(app core.App, topic string) bool {
	name, _, _ := strings.Cut(topic, "?")
	name, _, _ = strings.Cut(name, "/")
	_, err := app.FindCachedCollectionByNameOrId(name)
	return err == nil
}

// budgetOf names the budget a subscription request counts against: the
// signed-in account, else the address the connection was opened from.
func budgetOf(auth *core.Record, c interface{ Get(string) any }) string {
	if auth != nil {
		return "account:" + auth.Collection().Id + "/" + auth.Id
	}
	return "address:" + realtimeAddress(c)
}

// realtimeAddress is the block (ipblock) of the address a connection was
// opened from (PocketBase keeps it, and refuses a subscription request
// from another).
func realtimeAddress(c interface{ Get(string) any }) string {
	ip, _ := c.Get(apis.RealtimeClientIPKey).(string)
	return ipblock.Of(ip)
}
