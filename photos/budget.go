package photos

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"golang.org/x/sync/semaphore"

	"aman/photos/strip"
)

// DecodeBudgetPixels bounds the pixels of the images decoded at once in the
// whole server: two photos of the largest size accepted (strip.MaxPixels),
// or eight of a 12 MP phone camera. A decoded image takes up to 8 bytes a
// pixel while its thumbnail is made (its pixels, 1 to 8 bytes each by
// format, and a copy of 4 to turn it by its Exif orientation), so the
// budget keeps decoding under about 800 MB whatever the number of requests;
// PocketBase alone allows NumCPU+2 at once, each of any size. On 2 cores
// more at once would not finish sooner.
//
// Uploads do not take from it: the upload sanitizer reads an image's header
// only (photos/strip), never its pixels.
const DecodeBudgetPixels int64 = 2 * strip.MaxPixels

// decodeWait is how long a request waits for its place in the budget before
// it is answered 503 photos_busy. A waiting request holds no pixels, only
// its connection; a 50 MP thumbnail takes seconds on 2 busy cores, so a
// page of thumbnails asked for at once queues that long.
const decodeWait = 30 * time.Second

// An image of strip.MaxPixels must fit the budget, or its thumbnail would
// wait forever.
const _ = uint(DecodeBudgetPixels - strip.MaxPixels)

// weightBudget is a budget of the whole server: the pixels of the images
// being decoded (DecodeBudgetPixels), or the bytes of the upload bodies
// being read and stored (uploads.go). One of each per app (Register makes
// them), so that test apps do not share theirs.
type weightBudget struct {
	sem  *semaphore.Weighted
	size int64
	wait time.Duration

	mu      sync.Mutex
	held    int64 // weight held now, for the tests and the logs
	peak    int64 // the most held at once
	n       int64 // acquisitions so far
	waiting int64 // requests waiting for their place now
}

func newWeightBudget(size int64, wait time.Duration) *weightBudget {
	return &weightBudget{sem: semaphore.NewWeighted(size), size: size, wait: wait}
}

// errBudgetTimeout is acquire's error when no place came within the wait.
var errBudgetTimeout = errors.New("photos: budget busy")

// acquire takes weight from the budget, waiting at most b.wait and no
// longer than ctx (a client that gives up leaves the queue). A weight over
// the whole budget is never asked for: the callers refuse it first (a
// thumbnail by strip.MaxPixels, an upload by the budget's size). The
// release func is safe to call more than once.
func (b *weightBudget) acquire(ctx context.Context, weight int64) (func(), error) {
	return b.acquireBy(ctx, time.Now().Add(b.wait), weight)
}

// acquireBy is acquire waiting until deadline instead of b.wait: an
// upload waits for its caller's share and then for the budget, both within
// one wait (uploads.go).
func (b *weightBudget) acquireBy(ctx context.Context, deadline time.Time, weight int64) (func(), error) {
	if weight > b.size {
		weight = b.size // unreachable through the callers; never wait forever
	}
	wctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	b.mu.Lock()
	b.waiting++
	b.mu.Unlock()
	err := b.sem.Acquire(wctx, weight)
	b.mu.Lock()
	b.waiting--
	b.mu.Unlock()
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, errBudgetTimeout
	}
	b.mu.Lock()
	b.held += weight
	b.n++
	b.peak = max(b.peak, b.held)
	b.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			b.mu.Lock()
			b.held -= weight
			b.mu.Unlock()
			b.sem.Release(weight)
		})
	}, nil
}

const budgetKey = "aman.photos.decodeBudget"

// budgetOf returns app's decode budget, made by Register.
func budgetOf(app core.App) *weightBudget {
	b, _ := app.Store().Get(budgetKey).(*weightBudget)
	return b
}
