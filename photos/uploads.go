package photos

import (
	"errors"
	"fmt"
	"maps"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
	"github.com/pocketbase/pocketbase/tools/router"

	"aman/security"
)

// EnvUploadMemoryMB sets the upload budget in MiB (AMAN_UPLOAD_MEMORY_MB=128).
// Unset or empty: DefaultUploadMemoryMB. It is read when the server
// starts; a value that is not a whole number from MinUploadMemoryMB to
// MaxUploadMemoryMB stops it with an error naming the variable
// (docs/operations.md, Memory settings).
const EnvUploadMemoryMB = "AMAN_UPLOAD_MEMORY_MB"

// The upload budget bounds the memory that the multipart bodies sent to
// record create and update and to /api/batch hold at once, whatever the
// number of requests. A request takes what its body may hold
// (uploadWeight of its Content-Length; a body sent without one: of its
// route's body limit) from before the body is read until it is answered.
//
// 256 MiB takes one report with the most photos a report holds (10 of
// 10 MB, a body limit of 132 MiB, a weight of 164 MiB) and a few ordinary
// uploads beside it: about eight 10 MB photos at once.
const (
	DefaultUploadMemoryMB = 256
	MinUploadMemoryMB     = 16
	MaxUploadMemoryMB     = 65536
)

// uploadWait is how long an upload waits for its place in its caller's
// share and in the budget before it is answered 429
// photos_uploads_caller_busy or 503 photos_uploads_busy. A waiting request holds
// no body, only its connection: its body is not read until it has its
// place.
const uploadWait = 30 * time.Second

// uploadWeight is what a body of n bytes may hold in memory while it is
// read and its record stored: PocketBase's copy of the body as it reads it
// and the parsed multipart parts, the first 16 MiB of each in memory (the
// rest in temp files), and the stripped copy of each photo, kept in memory
// until the record is stored (at most the body's size). A batch writes
// each sub-request's files into a body of its own again and parses that,
// so it counts twice. Beside them, the photo being stripped: Sanitize
// reads it whole, up to its field's largest file (strip, 10 MiB for a
// report's photos; 0 where the route stores no photo), one at a time per
// request, a batch's too (its sub-requests run one after another).
func uploadWeight(n int64, batch bool, strip int64) int64 {
	w := n + 2*min(n, router.DefaultMaxMemory)
	if batch {
		w *= 2
	}
	return w + min(n, strip)
}

// maxUploadBody is the largest body whose uploadWeight fits a budget of
// size bytes.
func maxUploadBody(size int64, batch bool, strip int64) int64 {
	lo, hi := int64(0), size // the weight is at least n, and grows with n
	for lo < hi {
		mid := hi - (hi-lo)/2
		if uploadWeight(mid, batch, strip) <= size {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo
}

// stripWeight is the largest photo that e's route may strip (uploadWeight):
// the largest file of the photo fields (Fields) of its collection, or of
// every collection for /api/batch.
func stripWeight(e *core.RequestEvent) int64 {
	if e.Request.Pattern == batchPattern {
		return largestPhoto(e.App, slices.Collect(maps.Keys(Fields))...)
	}
	return largestPhoto(e.App, e.Request.PathValue("collection"))
}

// largestPhoto is the largest file of the photo fields of the collections
// named (by name or id), 0 if they have none.
func largestPhoto(app core.App, names ...string) int64 {
	var most int64
	for _, name := range names {
		collection, err := app.FindCachedCollectionByNameOrId(name)
		if err != nil {
			continue
		}
		for _, field := range Fields[collection.Name] {
			most = max(most, fieldMaxSize(collection, field))
		}
	}
	return most
}

const batchPattern = "POST /api/batch"

// uploadRoutes are the routes that parse a multipart body: record create
// and update, and /api/batch (which parses its sub-requests' files before
// its transaction, and writes them again into a body per sub-request).
var uploadRoutes = map[string]bool{
	createPattern: true,
	updatePattern: true,
	batchPattern:  true,
}

const uploadBudgetKey = "aman.photos.uploadBudget"

// uploadBudgetOf returns app's upload budget, made by Register.
func uploadBudgetOf(app core.App) *weightBudget {
	b, _ := app.Store().Get(uploadBudgetKey).(*weightBudget)
	return b
}

// UploadMemoryFromEnv returns the upload budget in bytes that
// EnvUploadMemoryMB sets, DefaultUploadMemoryMB when it is unset or
// empty, or an error naming the variable.
func UploadMemoryFromEnv() (int64, error) {
	value := os.Getenv(EnvUploadMemoryMB)
	if value == "" {
		return DefaultUploadMemoryMB << 20, nil
	}
	n, err := strconv.ParseInt(strings.TrimSpace(value), 10, 64)
	if err != nil || n < MinUploadMemoryMB || n > MaxUploadMemoryMB {
		return 0, fmt.Errorf("%s=%q: want a whole number of MiB from %d to %d, such as %d",
			EnvUploadMemoryMB, value, MinUploadMemoryMB, MaxUploadMemoryMB, DefaultUploadMemoryMB)
	}
	return n << 20, nil
}

// uploadGuard takes a multipart request's weight (uploadWeight) from its
// caller's share of the upload budget (shares.go), then from the budget,
// before its body is read, and gives both back when the request has been
// answered. It is a router middleware, so it runs before the handler
// parses the body and before any transaction: a request that waits here
// never holds SQLite's writer, and nothing that holds the writer (a sync
// push, a batch's transaction) ever waits here. Push sends JSON and never
// comes here; batch's sub-requests are run by its handler, not through
// the router, so a batch takes its weight once, for its whole body.
//
// It runs after PocketBase's and security's body limits, so a body over
// its route's limit is refused before it waits. A body whose weight is
// more than a caller's share is refused at once (413 body_too_large with
// the largest body that fits as the limit), since no place would ever
// come for it; a body sent without a length whose route allows more takes
// the whole share and is cut at that largest body. One wait (budget.wait)
// covers both: a caller whose share stays full gets 429
// photos_uploads_caller_busy, anyone when the budget stays full 503
// photos_uploads_busy.
//
// A signed-out record create or update that its collection's rule surely
// refuses (guest.go) takes nothing: PocketBase refuses it without reading
// its body.
func uploadGuard(budget *weightBudget, shares *callerShares) *hook.Handler[*core.RequestEvent] {
	return &hook.Handler[*core.RequestEvent]{
		Id:       "amanPhotosUploadBudget",
		Priority: apis.DefaultBodyLimitMiddlewarePriority + 2,
		Func: func(e *core.RequestEvent) error {
			if !uploadRoutes[e.Request.Pattern] ||
				!strings.HasPrefix(strings.ToLower(e.Request.Header.Get("Content-Type")), "multipart/") {
				return e.Next()
			}
			if refusesGuest(e) {
				withoutBody(e)
				return e.Next()
			}
			batch := e.Request.Pattern == batchPattern
			strip := stripWeight(e)
			most := maxUploadBody(min(budget.size, shares.size), batch, strip)
			n := e.Request.ContentLength
			cut := false
			switch {
			case n > most:
				return security.ErrBodyTooLarge(most)
			case n < 0: // no length: as much as the route takes
				n = routeBodyLimit(e)
				if n > most {
					n, cut = most, true
				}
			}
			if n <= 0 {
				return e.Next()
			}
			weight := uploadWeight(n, batch, strip)
			deadline := time.Now().Add(budget.wait)
			own, err := shares.acquireBy(e.Request.Context(), uploadCaller(e), deadline, weight)
			if err != nil {
				if errors.Is(err, errBudgetTimeout) {
					return errCallerBusy(e, budget.wait)
				}
				return err // the client is gone
			}
			defer own()
			release, err := budget.acquireBy(e.Request.Context(), deadline, weight)
			if err != nil {
				if errors.Is(err, errBudgetTimeout) {
					return errUploadsBusy(e, budget.wait)
				}
				return err // the client is gone
			}
			defer release()
			if cut {
				return apis.BodyLimit(n).Func(e)
			}
			return e.Next()
		},
	}
}

// routeBodyLimit is the body limit PocketBase applies to e's route: for
// records, 32 MiB and the file fields' largest uploads; for /api/batch,
// settings.batch.maxBodySize (128 MiB when unset).
func routeBodyLimit(e *core.RequestEvent) int64 {
	if e.Request.Pattern == batchPattern {
		if n := e.App.Settings().Batch.MaxBodySize; n > 0 {
			return n
		}
		return 128 << 20
	}
	limit := apis.DefaultMaxBodySize
	collection, err := e.App.FindCachedCollectionByNameOrId(e.Request.PathValue("collection"))
	if err != nil || collection.IsView() {
		return limit
	}
	for _, f := range collection.Fields {
		if calc, ok := f.(core.MaxBodySizeCalculator); ok {
			limit += calc.CalculateMaxBodySize()
		}
	}
	return limit
}

func errUploadsBusy(e *core.RequestEvent, retry time.Duration) *router.ApiError {
	security.SetRetryAfter(e.Response.Header(), retry)
	const msg = "The server is busy receiving other uploads. Try again shortly."
	return router.NewApiError(http.StatusServiceUnavailable, msg, validation.Errors{
		"body": validation.NewError(CodeUploadsBusy, msg),
	})
}

func errCallerBusy(e *core.RequestEvent, retry time.Duration) *router.ApiError {
	security.SetRetryAfter(e.Response.Header(), retry)
	const msg = "Your other uploads are still being received. Try again when they have finished."
	return router.NewApiError(http.StatusTooManyRequests, msg, validation.Errors{
		"body": validation.NewError(CodeUploadsCallerBusy, msg),
	})
}
