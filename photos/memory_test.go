package photos_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"aman/internal/fixtures"
	"aman/photos"
)

// What the process's heap grows by while many uploads and thumbnails run
// at once stays within what the budgets allow: the upload budget, the
// pixels of the thumbnails decoded at once (8 bytes each), twice over for
// the collector's slack (GOGC=100 here), and 48 MiB for the app's own
// work. Twenty 2 MB uploads at once weigh 8 MB each: with a budget of
// 32 MiB the heap grew by 103 MiB on the 2-core test machine (bound
// 156 MiB), with a budget of 1 GiB (none, in effect) by 265 MiB.
func TestUploads_HeapWithinBudget(t *testing.T) {
	if testing.Short() {
		t.Skip("measures the heap under load")
	}
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	const mb = 32
	en := shareEnv(t, mb, 100)
	photos.SetUploadWait(en.app, 5*time.Minute)
	photos.SetDecodeWait(en.app, 5*time.Minute)
	photo := noisePNG(t, 700, 700) // about 2 MB, 0.49 MP

	// Photos to make thumbnails of, one each: a thumbnail once made is
	// served from storage.
	const thumbs = 6
	var names []string
	for i := range thumbs {
		body, ct := multipartBody(t, nil, upload{"photos+", fmt.Sprintf("t%d.png", i), "image/png", photo})
		res := en.send(context.Background(), fixtures.Volunteer, http.MethodPatch, reportsURL+"/"+fixtures.ReportSubmitted, ct, body.Bytes(), false)
		if res.Code != http.StatusOK {
			t.Fatalf("photo %d: %d %s", i, res.Code, res.Body)
		}
		var rec struct{ Photos []string }
		if err := json.Unmarshal(res.Body.Bytes(), &rec); err != nil {
			t.Fatal(err)
		}
		names = append(names, rec.Photos[len(rec.Photos)-1])
	}

	const uploads = 20
	bodies, types := make([][]byte, uploads), make([]string, uploads)
	for i := range bodies {
		bodies[i], types[i] = reportUpload(t, fmt.Sprintf("heapbudget%05d", i), photo)
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	var peak atomic.Uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapAlloc > peak.Load() {
				peak.Store(ms.HeapAlloc)
			}
			select {
			case <-stop:
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	}()

	var wg sync.WaitGroup
	for i := range bodies {
		wg.Go(func() {
			res := en.send(context.Background(), fixtures.Volunteer, http.MethodPost, reportsURL, types[i], bodies[i], false)
			if res.Code != http.StatusOK {
				t.Errorf("upload %d: %d %s", i, res.Code, res.Body)
			}
		})
	}
	for _, name := range names {
		wg.Go(func() {
			if res := en.get(context.Background(), name, "100x100"); res.Code != http.StatusOK {
				t.Errorf("thumbnail of %s: %d", name, res.Code)
			}
		})
	}
	wg.Wait()
	close(stop)
	<-sampled

	growth := int64(peak.Load()) - int64(base)
	budgets := int64(mb<<20) + min(thumbs*700*700, photos.DecodeBudgetPixels)*8
	bound := 2*budgets + 48<<20
	_, uploadPeak, _, _ := photos.UploadStats(en.app)
	t.Logf("%d uploads of %d bytes and %d thumbnails at once: heap grew by %d MiB (upload budget %d MiB, its peak %d MiB; budgets %d MiB; bound %d MiB)",
		uploads, len(bodies[0]), thumbs, growth>>20, mb, uploadPeak>>20, budgets>>20, bound>>20)
	if growth > bound {
		t.Errorf("the heap grew by %d MiB, over %d MiB: twice the budgets' %d MiB and 48 MiB", growth>>20, bound>>20, budgets>>20)
	}
}
