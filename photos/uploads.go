package photos

import (
	"errors"
	"fmt"
	"net/http"
	"os"
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

// The upload budget: the bytes of the multipart bodies sent to record
// create and update and to /api/batch that the server reads and holds at
// once, whatever the number of requests. A request holds its body's
// Content-Length (a body sent without one: its route's body limit) from
// before the body is read until it is answered. What it holds in memory
// is bytes of that body: PocketBase keeps a copy of a body it reads (the
// first 16 MiB in memory) and the parsed multipart parts (the first 16 MiB
// of files in memory), and the photo sanitizer a stripped copy of each
// photo until the record is stored; the rest goes to temp files.
//
// 256 MiB takes one report with the most photos a report holds (10 of
// 10 MB, a body limit of 132 MiB) and a few ordinary uploads beside it.
const (
	DefaultUploadMemoryMB = 256
	MinUploadMemoryMB     = 16
	MaxUploadMemoryMB     = 65536
)

// uploadWait is how long an upload waits for its place in the budget
// before it is answered 503 photos_uploads_busy. A waiting request holds
// no body, only its connection: its body is not read until it has its
// place.
const uploadWait = 30 * time.Second

// uploadRoutes are the routes that parse a multipart body: record create
// and update, and /api/batch (which parses its sub-requests' files before
// its transaction, and writes them again into a body per sub-request).
var uploadRoutes = map[string]bool{
	"POST /api/collections/{collection}/records":       true,
	"PATCH /api/collections/{collection}/records/{id}": true,
	"POST /api/batch": true,
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

// uploadGuard takes a multipart request's weight from the upload budget
// before its body is read, and gives it back when the request has been
// answered. It is a router middleware, so it runs before the handler
// parses the body and before any transaction: a request that waits here
// never holds SQLite's writer, and nothing that holds the writer (a sync
// push, a batch's transaction) ever waits here. Push sends JSON and never
// comes here; batch's sub-requests are run by its handler, not through
// the router, so a batch takes its weight once, for its whole body.
//
// It runs after PocketBase's and security's body limits, so a body over
// its route's limit is refused before it waits. A body larger than the
// whole budget is refused at once (413 body_too_large with the budget as
// the limit), since no place would ever come for it; a body sent without
// a length whose route allows more than the budget takes the whole budget
// and is cut at it.
func uploadGuard(budget *weightBudget) *hook.Handler[*core.RequestEvent] {
	return &hook.Handler[*core.RequestEvent]{
		Id:       "amanPhotosUploadBudget",
		Priority: apis.DefaultBodyLimitMiddlewarePriority + 2,
		Func: func(e *core.RequestEvent) error {
			if !uploadRoutes[e.Request.Pattern] ||
				!strings.HasPrefix(strings.ToLower(e.Request.Header.Get("Content-Type")), "multipart/") {
				return e.Next()
			}
			weight := e.Request.ContentLength
			cut := false
			switch {
			case weight > budget.size:
				return security.ErrBodyTooLarge(budget.size)
			case weight < 0: // no length: as much as the route takes
				weight = routeBodyLimit(e)
				if weight > budget.size {
					weight, cut = budget.size, true
				}
			}
			if weight <= 0 {
				return e.Next()
			}
			release, err := budget.acquire(e.Request.Context(), weight)
			if err != nil {
				if errors.Is(err, errBudgetTimeout) {
					return errUploadsBusy(e, budget.wait)
				}
				return err // the client is gone
			}
			defer release()
			if cut {
				return apis.BodyLimit(weight).Func(e)
			}
			return e.Next()
		},
	}
}

// routeBodyLimit is the body limit PocketBase applies to e's route: for
// records, 32 MiB and the file fields' largest uploads; for /api/batch,
// settings.batch.maxBodySize (128 MiB when unset).
func routeBodyLimit(e *core.RequestEvent) int64 {
	if e.Request.Pattern == "POST /api/batch" {
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
	e.Response.Header().Set("Retry-After", strconv.Itoa(int(retry.Seconds())))
	const msg = "The server is busy receiving other uploads. Try again shortly."
	return router.NewApiError(http.StatusServiceUnavailable, msg, validation.Errors{
		"body": validation.NewError(CodeUploadsBusy, msg),
	})
}
