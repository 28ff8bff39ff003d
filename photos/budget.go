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

// decodeBudget is the server's budget of pixels being decoded. One per app
// (Register makes it), so that test apps do not share theirs.
type decodeBudget struct {
	sem  *semaphore.Weighted
	size int64
	wait time.Duration

	mu   sync.Mutex
	held int64 // pixels held now, for the tests and the logs
	peak int64 // the most held at once
	n    int64 // acquisitions so far
}

func newDecodeBudget(size int64, wait time.Duration) *decodeBudget {
	return &decodeBudget{sem: semaphore.NewWeighted(size), size: size, wait: wait}
}

// errBudgetTimeout is acquire's error when no place came within the wait.
var errBudgetTimeout = errors.New("photos: decode budget busy")

// acquire takes pixels from the budget, waiting at most b.wait and no
// longer than ctx (a client that gives up leaves the queue). An image over
// the whole budget is never asked for: the caller refuses it by
// strip.MaxPixels first. The release func is safe to call more than once.
func (b *decodeBudget) acquire(ctx context.Context, pixels int64) (func(), error) {
	if pixels > b.size {
		pixels = b.size // unreachable under strip.MaxPixels; never wait forever
	}
	wctx, cancel := context.WithTimeout(ctx, b.wait)
	defer cancel()
	if err := b.sem.Acquire(wctx, pixels); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, errBudgetTimeout
	}
	b.mu.Lock()
	b.held += pixels
	b.n++
	b.peak = max(b.peak, b.held)
	b.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			b.mu.Lock()
			b.held -= pixels
			b.mu.Unlock()
			b.sem.Release(pixels)
		})
	}, nil
}

const budgetKey = "aman.photos.decodeBudget"

// budgetOf returns app's decode budget, made by Register.
func budgetOf(app core.App) *decodeBudget {
	b, _ := app.Store().Get(budgetKey).(*decodeBudget)
	return b
}
