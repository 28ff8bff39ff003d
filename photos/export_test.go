package photos

import (
	"context"
	"maps"
	"slices"
	"time"

	"github.com/ganigeorgiev/fexpr"
	"github.com/pocketbase/pocketbase/core"
)

// BudgetStats is what app's decode budget holds now, the most it held at
// once, and how many times it was taken.
func BudgetStats(app core.App) (held, peak, taken int64) {
	b := budgetOf(app)
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.held, b.peak, b.n
}

// HoldBudget takes pixels from app's decode budget, as a thumbnail would.
func HoldBudget(app core.App, pixels int64) func() {
	release, err := budgetOf(app).acquire(context.Background(), pixels)
	if err != nil {
		panic(err)
	}
	return release
}

// SetDecodeWait changes how long app's thumbnails wait for the budget.
// Call it before any request runs.
func SetDecodeWait(app core.App, d time.Duration) { budgetOf(app).wait = d }

// UploadStats is what app's upload budget holds now in bytes, the most it
// held at once, how many times it was taken, and how many requests wait.
func UploadStats(app core.App) (held, peak, taken, waiting int64) {
	b := uploadBudgetOf(app)
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.held, b.peak, b.n, b.waiting
}

// UploadBudgetSize is the size of app's upload budget in bytes.
func UploadBudgetSize(app core.App) int64 { return uploadBudgetOf(app).size }

// HoldUploads takes bytes from app's upload budget, as an upload would.
func HoldUploads(app core.App, bytes int64) func() {
	release, err := uploadBudgetOf(app).acquire(context.Background(), bytes)
	if err != nil {
		panic(err)
	}
	return release
}

// SetUploadWait changes how long app's uploads wait for the budget. Call
// it before any request runs.
func SetUploadWait(app core.App, d time.Duration) { uploadBudgetOf(app).wait = d }

// UploadWeight is what a body of n bytes to collection's records takes
// from the upload budget; collection "" is /api/batch.
func UploadWeight(app core.App, collection string, n int64) int64 {
	if collection == "" {
		return uploadWeight(n, true, largestPhoto(app, slices.Collect(maps.Keys(Fields))...))
	}
	return uploadWeight(n, false, largestPhoto(app, collection))
}

// MaxUploadBody is the largest body to collection's records ("":
// /api/batch) whose weight fits a budget of size.
func MaxUploadBody(app core.App, collection string, size int64) int64 {
	if collection == "" {
		return maxUploadBody(size, true, largestPhoto(app, slices.Collect(maps.Keys(Fields))...))
	}
	return maxUploadBody(size, false, largestPhoto(app, collection))
}

// CallerShareSize is the share of app's upload budget one caller may hold.
func CallerShareSize(app core.App) int64 { return sharesOf(app).size }

// CallerUploads is what the caller's uploads hold now in app's upload
// budget ("auth:<collection id>/<id>" or "ip:<address or /64>"), and how
// many callers have uploads running or waiting.
func CallerUploads(app core.App, caller string) (held int64, callers int) {
	return sharesOf(app).held(caller)
}

// GuestFails reports whether rule is false whatever the body and record
// when no one is signed in; ok is false when it does not parse.
func GuestFails(rule string) (fails, ok bool) {
	groups, err := fexpr.Parse(rule)
	if err != nil {
		return false, false
	}
	return guestFails(groups), true
}
