package photos_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"aman/internal/fixtures"
	"aman/internal/testapp"
	"aman/photos"
)

// uploadEnv is a seeded app behind its real router with an upload budget
// of mb MiB, of which one caller may hold all: the tests of the budget
// itself send from one account.
func uploadEnv(t *testing.T, mb int) *thumbEnv {
	return shareEnv(t, mb, 100)
}

// shareEnv is uploadEnv with callers' shares of percent of the budget.
func shareEnv(t *testing.T, mb, percent int) *thumbEnv {
	t.Setenv(photos.EnvUploadMemoryMB, fmt.Sprint(mb))
	t.Setenv(photos.EnvUploadCallerPercent, fmt.Sprint(percent))
	en := newThumbEnv(t)
	if got := photos.UploadBudgetSize(en.app); got != int64(mb)<<20 {
		t.Fatalf("upload budget %d bytes, want %d MiB", got, mb)
	}
	return en
}

// send sends body as the user as, with a Content-Length unless chunked.
func (en *thumbEnv) send(ctx context.Context, as, method, url, contentType string, body []byte, chunked bool) *httptest.ResponseRecorder {
	en.t.Helper()
	var r io.Reader = bytes.NewReader(body)
	if chunked {
		r = io.MultiReader(r) // no length known
	}
	req := httptest.NewRequestWithContext(ctx, method, url, r)
	if chunked {
		req.ContentLength = -1
	} else {
		req.ContentLength = int64(len(body))
	}
	req.Header.Set("Content-Type", contentType)
	auth, err := fixtures.Auth(en.app, as)
	if err != nil {
		en.t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	rec := httptest.NewRecorder()
	en.mux.ServeHTTP(rec, req)
	return rec
}

// noisePNG is a w×h PNG of random pixels: it does not compress, so its
// size is about 4·w·h bytes.
func noisePNG(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range img.Pix {
		img.Pix[i] = byte(rng.Uint32())
	}
	img.Set(0, 0, color.NRGBA{0, 0, 0, 255})
	var buf bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.NoCompression}).Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// reportUpload is a multipart body creating the report id with photo.
func reportUpload(t testing.TB, id string, photo []byte) ([]byte, string) {
	body, contentType := multipartBody(t, newReportFields(id), upload{"photos", "IMG_1.png", "image/png", photo})
	return body.Bytes(), contentType
}

// Twenty phones uploading at once held twenty bodies and their stripped
// copies at once. Uploads at once now hold at most the budget, counted
// by their bodies' lengths: the others wait for their place before their
// body is read, and every upload gets through.
func TestUploads_Budget(t *testing.T) {
	en := uploadEnv(t, 16)
	photos.SetUploadWait(en.app, 5*time.Minute) // a loaded test machine stores slowly
	photo := noisePNG(t, 700, 700)              // about 2 MB
	const n = 12

	// How many uploads are past their body's parsing at once.
	var inside, most atomic.Int64
	en.app.OnRecordCreateRequest("incident_reports").BindFunc(func(e *core.RecordRequestEvent) error {
		now := inside.Add(1)
		defer inside.Add(-1)
		for m := most.Load(); now > m && !most.CompareAndSwap(m, now); m = most.Load() {
		}
		time.Sleep(150 * time.Millisecond) // as a slow store would
		return e.Next()
	})

	bodies, types := make([][]byte, n), make([]string, n)
	for i := range bodies {
		bodies[i], types[i] = reportUpload(t, fmt.Sprintf("uploadbudget%03d", i), photo)
	}
	fit := photos.UploadBudgetSize(en.app) / photos.UploadWeight(en.app, "incident_reports", int64(len(bodies[0])))
	var wg sync.WaitGroup
	codes := make([]int, n)
	for i := range bodies {
		wg.Go(func() {
			res := en.send(context.Background(), fixtures.Volunteer, http.MethodPost, reportsURL, types[i], bodies[i], false)
			codes[i] = res.Code
			if res.Code != http.StatusOK {
				t.Errorf("upload %d: %d %s", i, res.Code, res.Body)
			}
		})
	}
	wg.Wait()

	held, peak, taken, waiting := photos.UploadStats(en.app)
	if taken != n || held != 0 || waiting != 0 {
		t.Errorf("budget taken %d times (want %d), holds %d bytes after, %d waiting", taken, n, held, waiting)
	}
	if peak > photos.UploadBudgetSize(en.app) {
		t.Errorf("uploads held %d bytes at once, over the budget of %d", peak, photos.UploadBudgetSize(en.app))
	}
	if most.Load() > fit {
		t.Errorf("%d uploads of %d bytes were stored at once; %d fit the budget", most.Load(), len(bodies[0]), fit)
	}
	t.Logf("%d bodies of %d bytes: at most %d at once (%d fit), peak %d bytes", n, len(bodies[0]), most.Load(), fit, peak)

	// A body sent without a length holds what its route may take (132 MiB
	// for a report), here the most the budget takes, and is cut there.
	var heldInside int64
	en.app.OnRecordUpdateRequest("incident_reports").BindFunc(func(e *core.RecordRequestEvent) error {
		heldInside, _, _, _ = photos.UploadStats(en.app)
		return e.Next()
	})
	body, ct := multipartBody(t, nil, upload{"photos+", "later.png", "image/png", photo})
	res := en.send(context.Background(), fixtures.Volunteer, http.MethodPatch, reportsURL+"/"+fixtures.ReportSubmitted, ct, body.Bytes(), true)
	longest := photos.MaxUploadBody(en.app, "incident_reports", photos.UploadBudgetSize(en.app))
	if res.Code != http.StatusOK || heldInside != photos.UploadWeight(en.app, "incident_reports", longest) {
		t.Errorf("chunked upload: %d %s, held %d bytes, want the whole budget", res.Code, res.Body, heldInside)
	}
	big := make([]byte, 17<<20)
	body, ct = multipartBody(t, nil, upload{"photos+", "big.png", "image/png", big})
	res = en.send(context.Background(), fixtures.Volunteer, http.MethodPatch, reportsURL+"/"+fixtures.ReportSubmitted, ct, body.Bytes(), true)
	if res.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("chunked upload over the budget: %d %s", res.Code, res.Body)
	}
	if held, _, _, _ := photos.UploadStats(en.app); held != 0 {
		t.Errorf("budget holds %d bytes after every request ended", held)
	}
}

// A full budget answers 503 photos_uploads_busy with Retry-After, in the
// caller's language, whoever uploads (the budget is the server's, not an
// account's); a client that gives up while waiting leaves the queue and
// holds nothing; a body larger than the whole budget is refused at once,
// not left waiting for a place that never comes.
func TestUploads_BudgetFull(t *testing.T) {
	en := uploadEnv(t, 16)
	photo := sample(t, "meta.jpg")
	size := photos.UploadBudgetSize(en.app)
	photos.SetUploadWait(en.app, 300*time.Millisecond)
	release := photos.HoldUploads(en.app, size)

	patch := func(ctx context.Context, as, lang string) *httptest.ResponseRecorder {
		if as == fixtures.Anonymous { // a sign-up with an avatar: a report's rule refuses a guest unread (guest.go)
			body, ct := multipartBody(t, signUpFields("budgetfull@example.org"), upload{"avatar", "me.jpg", "image/jpeg", photo})
			return en.send(ctx, as, http.MethodPost, usersURL+"?lang="+lang, ct, body.Bytes(), false)
		}
		body, ct := multipartBody(t, nil, upload{"photos+", "later.jpg", "image/jpeg", photo})
		return en.send(ctx, as, http.MethodPatch, reportsURL+"/"+fixtures.ReportSubmitted+"?lang="+lang, ct, body.Bytes(), false)
	}
	for _, c := range []struct{ as, lang, want string }{
		{fixtures.Anonymous, "en", "The server is busy receiving other uploads."},
		{fixtures.Volunteer, "ru", "Сервер занят приёмом других загрузок."},
		{fixtures.Volunteer2, "tg", "Сервер бо қабули дигар боргузориҳо банд аст."},
		{fixtures.Coordinator, "ky", "Сервер башка жүктөөлөрдү кабыл алып жатат."},
		{fixtures.Editor, "uz-Cyrl", "Сервер бошқа юкламаларни қабул қилиш билан банд."},
		{fixtures.Superuser, "en", `"photos_uploads_busy"`},
	} {
		res := patch(context.Background(), c.as, c.lang)
		if res.Code != http.StatusServiceUnavailable || res.Header().Get("Retry-After") == "" ||
			!strings.Contains(res.Body.String(), `"code":"photos_uploads_busy"`) || !strings.Contains(res.Body.String(), c.want) {
			t.Errorf("%s, budget full: %d %s, Retry-After %q", fixtures.Role(c.as), res.Code, res.Body, res.Header().Get("Retry-After"))
		}
	}

	photos.SetUploadWait(en.app, time.Minute)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	start := time.Now()
	patch(ctx, fixtures.Volunteer, "en")
	cancel()
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("a client that gave up after 200ms waited %v", d)
	}
	if held, _, _, waiting := photos.UploadStats(en.app); held != size || waiting != 0 {
		t.Errorf("after the client left: budget holds %d bytes (want only the test's %d), %d waiting", held, size, waiting)
	}

	// Larger than the whole budget: refused at once, before anything is read.
	big := make([]byte, 17<<20)
	body, ct := multipartBody(t, nil, upload{"photos+", "big.jpg", "image/jpeg", big})
	start = time.Now()
	res := en.send(context.Background(), fixtures.Volunteer, http.MethodPatch, reportsURL+"/"+fixtures.ReportSubmitted, ct, body.Bytes(), false)
	if res.Code != http.StatusRequestEntityTooLarge || !strings.Contains(res.Body.String(), `"code":"body_too_large"`) ||
		!strings.Contains(res.Body.String(), fmt.Sprintf(`"limit":%d`, photos.MaxUploadBody(en.app, "incident_reports", size))) || time.Since(start) > 5*time.Second {
		t.Errorf("body over the budget: %d after %v: %s", res.Code, time.Since(start), res.Body)
	}

	release()
	if res := patch(context.Background(), fixtures.Volunteer, "en"); res.Code != http.StatusOK {
		t.Errorf("after release: %d %s", res.Code, res.Body)
	}
	if held, _, _, _ := photos.UploadStats(en.app); held != 0 {
		t.Errorf("budget holds %d bytes after every request ended", held)
	}
}

// What does not parse a multipart body takes nothing: JSON creates and
// updates, JSON batches and sync push (which holds SQLite's writer across
// its mutations, so it must never wait for an upload) go on with the
// budget full. A batch with files takes from it like any upload.
func TestUploads_OnlyMultipart(t *testing.T) {
	en := uploadEnv(t, 16)
	photos.SetUploadWait(en.app, 300*time.Millisecond)
	release := photos.HoldUploads(en.app, photos.UploadBudgetSize(en.app))
	defer release()

	fields := newReportFields("uploadjson00001")
	var js strings.Builder
	js.WriteString("{")
	for k, v := range fields {
		fmt.Fprintf(&js, "%q:%q,", k, v)
	}
	jsonCreate := strings.TrimSuffix(js.String(), ",") + "}"
	push := `{"client":"device-uploads","mutations":[{"id":"m1","collection":"incident_reports","recordId":"uploadpush00001","data":` +
		strings.Replace(jsonCreate, "uploadjson00001", "uploadpush00001", 1) + `}]}`
	batch := `{"requests":[{"method":"POST","url":"/api/collections/incident_reports/records","body":` +
		strings.Replace(jsonCreate, "uploadjson00001", "uploadbatch0001", 1) + `}]}`
	for _, c := range []struct {
		name, method, url, body string
		status                  int
		want                    string
	}{
		{"JSON create", http.MethodPost, reportsURL, jsonCreate, http.StatusOK, `"id":"uploadjson00001"`},
		{"JSON update", http.MethodPatch, reportsURL + "/" + fixtures.ReportSubmitted, `{"description":"Roof and wall hit"}`, http.StatusOK, `"description":"Roof and wall hit"`},
		{"sync push", http.MethodPost, "/api/sync/v1/push", push, http.StatusOK, `"status":"applied"`},
		{"JSON batch", http.MethodPost, "/api/batch", batch, http.StatusOK, `"status":200`},
	} {
		res := en.send(context.Background(), fixtures.Volunteer, c.method, c.url, "application/json", []byte(c.body), false)
		if res.Code != c.status || !strings.Contains(res.Body.String(), c.want) {
			t.Errorf("%s with the upload budget full: %d %s", c.name, res.Code, res.Body)
		}
	}

	// A batch with files parses them before its transaction: it waits for
	// its place first, outside the transaction, and gets 503 when none comes.
	// It counts twice what a record's upload does (3 times a body under
	// 16 MiB): it writes every sub-request's files into a body again;
	// and the photo being stripped once (its sub-requests run one at a
	// time): 7 times a body under 10 MiB.
	values := [][2]string{{"@jsonPayload", `{"requests":[{"method":"PATCH","url":"/api/collections/incident_reports/records/` + fixtures.ReportSubmitted + `"}]}`}}
	body, ct := multipartValues(t, values, upload{"requests.0.photos+", "later.jpg", "image/jpeg", sample(t, "meta.jpg")})
	res := en.send(context.Background(), fixtures.Volunteer, http.MethodPost, "/api/batch", ct, body.Bytes(), false)
	if res.Code != http.StatusServiceUnavailable || !strings.Contains(res.Body.String(), `"code":"photos_uploads_busy"`) {
		t.Errorf("batch with a file, budget full: %d %s", res.Code, res.Body)
	}
	release()
	var heldInside int64
	en.app.OnBatchRequest().BindFunc(func(e *core.BatchRequestEvent) error {
		heldInside, _, _, _ = photos.UploadStats(en.app)
		return e.Next()
	})
	_, _, before, _ := photos.UploadStats(en.app)
	res = en.send(context.Background(), fixtures.Volunteer, http.MethodPost, "/api/batch", ct, body.Bytes(), false)
	held, _, after, _ := photos.UploadStats(en.app)
	if res.Code != http.StatusOK || after != before+1 || heldInside != 7*int64(body.Len()) || heldInside != photos.UploadWeight(en.app, "", int64(body.Len())) || held != 0 {
		t.Errorf("batch with a file: %d %s; took the budget %d times, held %d bytes for a %d-byte body, %d after",
			res.Code, res.Body, after-before, heldInside, body.Len(), held)
	}
}

// TestUploads_BadSetting: a budget or a caller's share the server cannot
// take stops it with an error naming the variable and its value (main
// logs it and exits).
func TestUploads_BadSetting(t *testing.T) {
	testapp.NewSchemaOnly(t) // the shared schema is made once, with the variables unset
	for _, c := range []struct {
		env, wantRange string
		read           func() (int64, error)
		values         []string
	}{
		{photos.EnvUploadMemoryMB, "16 to 65536", photos.UploadMemoryFromEnv, []string{"0", "15", "65537", "-256", "abc", "256MB", "1.5", "256 MiB"}},
		{photos.EnvUploadCallerPercent, "10 to 100", photos.UploadCallerPercentFromEnv, []string{"0", "9", "101", "-50", "abc", "50%", "0.5"}},
	} {
		for _, value := range c.values {
			t.Run(c.env+"="+value, func(t *testing.T) {
				t.Setenv(c.env, value)
				if _, err := c.read(); err == nil {
					t.Error("accepted")
				} else {
					for _, want := range []string{c.env, fmt.Sprintf("%q", value), c.wantRange} {
						if !strings.Contains(err.Error(), want) {
							t.Errorf("error %q lacks %q", err, want)
						}
					}
				}
				if err := photos.Register(testapp.NewSchemaOnly(t)); err == nil || !strings.Contains(err.Error(), c.env) {
					t.Errorf("Register: %v", err)
				}
			})
		}
	}
	// The default takes a report with the most photos it holds, 10 of
	// 10 MiB and 1 MiB of fields, from one caller's share: by its
	// Content-Length, or without one up to PocketBase's limit for it
	// (32 MiB more) from the whole budget.
	app := testapp.NewSchemaOnly(t)
	share := int64(photos.DefaultUploadMemoryMB<<20) * photos.DefaultUploadCallerPercent / 100
	if most := photos.MaxUploadBody(app, "incident_reports", share); most < 101<<20 {
		t.Errorf("the default share takes report bodies of %d bytes at most", most)
	}
	if most := photos.MaxUploadBody(app, "incident_reports", photos.DefaultUploadMemoryMB<<20); most < 32<<20+100<<20 {
		t.Errorf("the default budget takes report bodies of %d bytes at most", most)
	}
	for value, want := range map[string]int64{"": 256 << 20, " 64 ": 64 << 20, "16": 16 << 20} {
		t.Setenv(photos.EnvUploadMemoryMB, value)
		if got, err := photos.UploadMemoryFromEnv(); err != nil || got != want {
			t.Errorf("%q: %d, %v; want %d", value, got, err, want)
		}
	}
	for value, want := range map[string]int64{"": 60, " 50 ": 50, "10": 10, "100": 100} {
		t.Setenv(photos.EnvUploadCallerPercent, value)
		if got, err := photos.UploadCallerPercentFromEnv(); err != nil || got != want {
			t.Errorf("%s=%q: %d, %v; want %d", photos.EnvUploadCallerPercent, value, got, err, want)
		}
	}
}
