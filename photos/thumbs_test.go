package photos_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
	"github.com/pocketbase/pocketbase/tools/filesystem"

	"aman/internal/fixtures"
	"aman/internal/testapp"
	"aman/photos"
	"aman/photos/strip"
)

// reportFiles returns the report and the app's storage, closed when t
// ends.
func reportFiles(t testing.TB, app core.App, reportID string) (*core.Record, *filesystem.System) {
	t.Helper()
	report, err := app.FindRecordById("incident_reports", reportID)
	if err != nil {
		t.Fatal(err)
	}
	fsys, err := app.NewFilesystem()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fsys.Close() })
	return report, fsys
}

// storePhoto writes data as the report's photo name, around the upload
// hook: a photo stored before the pixel limit existed, or imported.
func storePhoto(t testing.TB, app core.App, reportID, name string, data []byte) {
	t.Helper()
	report, fsys := reportFiles(t, app, reportID)
	if err := fsys.Upload(data, report.BaseFilesPath()+"/"+name); err != nil {
		t.Fatal(err)
	}
	report.SetRaw("photos", append(report.GetStringSlice("photos"), name))
	if err := app.SaveNoValidate(report); err != nil {
		t.Fatal(err)
	}
}

// thumbStored reports whether the size thumbnail of the report's photo
// name is in the storage.
func thumbStored(t testing.TB, app core.App, reportID, name, size string) bool {
	t.Helper()
	report, fsys := reportFiles(t, app, reportID)
	ok, err := fsys.Exists(report.BaseFilesPath() + "/thumbs_" + name + "/" + size + "_" + name)
	if err != nil {
		t.Fatal(err)
	}
	return ok
}

// fileToken returns the file token of the fixture user as ("" for
// Anonymous).
func fileToken(t testing.TB, app core.App, as string) string {
	t.Helper()
	if as == fixtures.Anonymous {
		return ""
	}
	collection := "users"
	if as == fixtures.Superuser {
		collection = core.CollectionNameSuperusers
	}
	user, err := app.FindRecordById(collection, as)
	if err != nil {
		t.Fatal(err)
	}
	token, err := user.NewFileToken()
	if err != nil {
		t.Fatal(err)
	}
	return token
}

const hugeName = "photo_huge00000001.png"

// Photos stored before the 50 MP limit existed still asked PocketBase for
// whole decodes: it makes a thumbnail by decoding the original, before any
// hook runs. A thumbnail of an original over the limit is refused from its
// header (422, localized), after PocketBase's own access check: a caller
// who may not see the file gets 404 as for any file of it. The original
// itself is still served, and nothing is decoded.
func TestThumb_OriginalOverPixelLimit(t *testing.T) {
	huge := grayPNG(t, 7100, 7100) // 50.41 MP
	cases := []struct {
		as, thumb, lang string
		status          int
		want            []string
	}{
		{as: fixtures.Anonymous, thumb: "100x100", status: 404},
		{as: fixtures.Volunteer2, thumb: "100x100", status: 404},
		{as: fixtures.Volunteer, thumb: "100x100", status: 422,
			want: []string{`"thumb":{"code":"photos_thumb_too_many_pixels"`, `"width":7100`}},
		{as: fixtures.Volunteer, thumb: "480x0", lang: "ru", status: 422,
			want: []string{`"code":"photos_thumb_too_many_pixels"`, "7100×7100 пикселей"}},
		{as: fixtures.Coordinator, thumb: "100x100", status: 422, want: []string{`"photos_thumb_too_many_pixels"`}},
		{as: fixtures.Editor, thumb: "100x100", status: 422, want: []string{`"photos_thumb_too_many_pixels"`}},
		{as: fixtures.Superuser, thumb: "100x100", status: 422, want: []string{`"photos_thumb_too_many_pixels"`}},
		// no thumbnail asked: the original, undecoded
		{as: fixtures.Volunteer, status: 200, want: []string{"IHDR"}},
		// a size the field does not offer: PocketBase serves the original
		{as: fixtures.Coordinator, thumb: "7x7", status: 200, want: []string{"IHDR"}},
	}
	for _, c := range cases {
		headers := map[string]string{}
		if c.lang != "" {
			headers["Accept-Language"] = c.lang
		}
		s := fixtures.Scenario(fixtures.Anonymous, tests.ApiScenario{
			Name:    fmt.Sprintf("%s thumb=%q %s", fixtures.Role(c.as), c.thumb, c.lang),
			Method:  http.MethodGet,
			URL:     fmt.Sprintf("/api/files/incident_reports/%s/%s?thumb=%s", fixtures.ReportVerified, hugeName, c.thumb),
			Headers: headers, ExpectedStatus: c.status, ExpectedContent: c.want,
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				storePhoto(t, app, fixtures.ReportVerified, hugeName, huge)
				token := fileToken(t, app, c.as)
				e.Router.BindFunc(func(re *core.RequestEvent) error {
					q := re.Request.URL.Query()
					if c.thumb == "" {
						q.Del("thumb")
					}
					if token != "" {
						q.Set("token", token)
					}
					re.Request.URL.RawQuery = q.Encode()
					return re.Next()
				})
			},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, _ *http.Response) {
				for _, size := range []string{"100x100", "480x0", "7x7"} {
					if thumbStored(t, app, fixtures.ReportVerified, hugeName, size) {
						t.Errorf("a %s thumbnail of the 50.41 MP original was made", size)
					}
				}
			},
		})
		if c.status != 200 {
			s.NotExpectedContent = []string{"IHDR"}
		}
		s.Test(t)
	}
}

// thumbEnv is a seeded app and its router with every Register's
// middleware, for requests at once.
type thumbEnv struct {
	t     *testing.T
	app   *tests.TestApp
	mux   http.Handler
	token string
}

func newThumbEnv(t *testing.T) *thumbEnv {
	app := testapp.New(t)
	if err := fixtures.Seed(app); err != nil {
		t.Fatal(err)
	}
	r, err := apis.NewRouter(app)
	if err != nil {
		t.Fatal(err)
	}
	var mux http.Handler
	err = app.OnServe().Trigger(&core.ServeEvent{App: app, Router: r}, func(e *core.ServeEvent) error {
		mux, err = e.Router.BuildMux()
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return &thumbEnv{t: t, app: app, mux: mux, token: fileToken(t, app, fixtures.Coordinator)}
}

// get asks for the thumbnail size of the report's photo name as the
// coordinator.
func (en *thumbEnv) get(ctx context.Context, name, size string) *httptest.ResponseRecorder {
	url := fmt.Sprintf("/api/files/incident_reports/%s/%s?thumb=%s&token=%s", fixtures.ReportSubmitted, name, size, en.token)
	req := httptest.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	rec := httptest.NewRecorder()
	en.mux.ServeHTTP(rec, req)
	return rec
}

// Thumbnails decode whole photos: without a bound across requests, N
// requests at once decode N photos at once (PocketBase allows NumCPU+2 of
// any size). Every thumbnail takes its width×height from one budget of
// photos.DecodeBudgetPixels before it is made, and gives it back before
// the thumbnail is sent, so a slow reader holds none.
func TestThumb_DecodeBudget(t *testing.T) {
	en := newThumbEnv(t)
	const n, side = 5, 5000                     // 25 MP each: 4 fit the budget, 5 do not
	photos.SetDecodeWait(en.app, 5*time.Minute) // a loaded test machine decodes slowly
	photo := grayPNG(t, side, side)
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("photo_budget%06d.png", i)
		storePhoto(t, en.app, fixtures.ReportSubmitted, names[i], photo)
	}
	var wg sync.WaitGroup
	codes := make([]int, n)
	for i := range names {
		wg.Go(func() { codes[i] = en.get(context.Background(), names[i], "100x100").Code })
	}
	wg.Wait()

	held, peak, taken := photos.BudgetStats(en.app)
	for i, code := range codes {
		if code != http.StatusOK || !thumbStored(t, en.app, fixtures.ReportSubmitted, names[i], "100x100") {
			t.Errorf("thumbnail %d: %d, stored %v", i, code, thumbStored(t, en.app, fixtures.ReportSubmitted, names[i], "100x100"))
		}
	}
	if taken != n {
		t.Errorf("%d thumbnails took from the budget, want %d", taken, n)
	}
	if peak > photos.DecodeBudgetPixels || held != 0 {
		t.Errorf("budget held %d pixels at most (budget %d), %d after", peak, photos.DecodeBudgetPixels, held)
	}
	t.Logf("peak %d MP of a budget of %d MP", peak/1e6, photos.DecodeBudgetPixels/1e6)

	// A stored thumbnail is served without taking anything.
	if code := en.get(context.Background(), names[0], "100x100").Code; code != http.StatusOK {
		t.Fatalf("stored thumbnail: %d", code)
	}
	if _, _, again := photos.BudgetStats(en.app); again != taken {
		t.Errorf("a stored thumbnail took from the budget")
	}

	// The budget is given back once the thumbnail exists, before it is sent.
	heldWhenSent := int64(-1)
	en.app.OnFileDownloadRequest().BindFunc(func(e *core.FileDownloadRequestEvent) error {
		heldWhenSent, _, _ = photos.BudgetStats(en.app)
		return e.Next()
	})
	storePhoto(t, en.app, fixtures.ReportSubmitted, "photo_sent00000001.png", photo)
	if code := en.get(context.Background(), "photo_sent00000001.png", "480x0").Code; code != http.StatusOK || heldWhenSent != 0 {
		t.Errorf("thumbnail %d sent while the budget held %d pixels", code, heldWhenSent)
	}
}

// Past the wait a thumbnail is answered 503 photos_busy with Retry-After;
// a client that gives up while waiting leaves the queue and holds nothing;
// an original over the whole budget is refused by the pixel limit, not
// left waiting for a place that never comes.
func TestThumb_DecodeBudgetFull(t *testing.T) {
	en := newThumbEnv(t)
	photo := grayPNG(t, 1000, 1000)
	storePhoto(t, en.app, fixtures.ReportSubmitted, "photo_small0000001.png", photo)
	storePhoto(t, en.app, fixtures.ReportSubmitted, "photo_bigger000001.png", grayPNG(t, 11000, 10000)) // 110 MP
	photos.SetDecodeWait(en.app, 300*time.Millisecond)
	release := photos.HoldBudget(en.app, photos.DecodeBudgetPixels)

	res := en.get(context.Background(), "photo_small0000001.png", "100x100")
	if res.Code != http.StatusServiceUnavailable || !strings.Contains(res.Body.String(), `"code":"photos_busy"`) || res.Header().Get("Retry-After") == "" {
		t.Errorf("budget full: %d %q, Retry-After %q", res.Code, res.Body, res.Header().Get("Retry-After"))
	}

	photos.SetDecodeWait(en.app, time.Minute)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	start := time.Now()
	en.get(ctx, "photo_small0000001.png", "100x100")
	cancel()
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("a client that gave up after 200ms waited %v", d)
	}
	if held, _, _ := photos.BudgetStats(en.app); held != photos.DecodeBudgetPixels {
		t.Errorf("budget holds %d pixels after the client left, want only the test's %d", held, photos.DecodeBudgetPixels)
	}
	if thumbStored(t, en.app, fixtures.ReportSubmitted, "photo_small0000001.png", "100x100") {
		t.Errorf("a thumbnail was decoded past a full budget")
	}

	start = time.Now()
	res = en.get(context.Background(), "photo_bigger000001.png", "100x100")
	if res.Code != http.StatusUnprocessableEntity || time.Since(start) > 5*time.Second {
		t.Errorf("110 MP original: %d after %v: %s", res.Code, time.Since(start), res.Body)
	}

	release()
	if res := en.get(context.Background(), "photo_small0000001.png", "100x100"); res.Code != http.StatusOK {
		t.Errorf("after release: %d %s", res.Code, res.Body)
	}
	if held, _, _ := photos.BudgetStats(en.app); held != 0 {
		t.Errorf("budget holds %d pixels after every request ended", held)
	}
}

// Sanitizing an upload reads its header, never its pixels: what it
// allocates follows the file's bytes, not its megapixels, so uploads need
// no decode budget. This guards that: a decode added to Sanitize would
// need one.
func TestSanitize_DecodesNoPixels(t *testing.T) {
	data := grayPNG(t, 7000, 7000) // 49 MP, about 50 KB
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	file, err := filesystem.NewFileFromBytes(data, "big.png")
	if err != nil {
		t.Fatal(err)
	}
	if err := photos.Sanitize(file, strip.MaxPixels); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 4<<20 {
		t.Fatalf("sanitizing %d bytes of a 49 MP PNG allocated %d MB", len(data), alloc>>20)
	}
}
