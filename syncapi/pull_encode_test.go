package syncapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"
)

// pullPages pulls updates anonymously one change a page from the start and
// returns each page's body, decompressed when the answer was gzip. It
// checks every answer's headers against the encoding asked for.
func pullPages(t *testing.T, en *env, gzip bool) [][]byte {
	t.Helper()
	var pages [][]byte
	cp := ""
	for range 100 {
		body, next, more := pullOne(t, en, cp, gzip)
		pages = append(pages, body)
		if cp = next; !more {
			return pages
		}
	}
	t.Fatal("pull never finished")
	return nil
}

func pullOne(t *testing.T, en *env, cp string, gzip bool) (body []byte, next string, more bool) {
	t.Helper()
	var headers []string
	want := ""
	if gzip {
		headers, want = []string{"Accept-Encoding", "gzip"}, "gzip"
	}
	rec := en.raw(anonymous, http.MethodGet, "/api/sync/v1/pull?limit=1&collections=updates&checkpoint="+url.QueryEscape(cp), nil, headers...)
	h := rec.Header()
	switch {
	case rec.Code != http.StatusOK:
		t.Fatalf("pull: %d %.300s", rec.Code, rec.Body.String())
	case h.Get("Content-Encoding") != want:
		t.Fatalf("Content-Encoding %q, want %q", h.Get("Content-Encoding"), want)
	case h.Get("Content-Type") != "application/json" || h.Get("Cache-Control") != "no-store" || !strings.Contains(strings.Join(h.Values("Vary"), ","), "Accept-Encoding"):
		t.Fatalf("headers %v", h)
	}
	body = rec.Body.Bytes()
	if gzip {
		body = gunzip(t, body)
	}
	var p pullPage
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatalf("decode pull: %v: %.300s", err, body)
	}
	return body, p.Checkpoint, p.HasMore
}

// publishUpdates pushes n published updates as the editor, the i-th with
// the id and title made of idFormat and titleFormat with i, and returns
// the mutations.
func publishUpdates(en *env, idFormat, titleFormat string, n int) []mut {
	muts := make([]mut, n)
	for i := range muts {
		muts[i] = publishedUpdate(fmt.Sprintf(idFormat, i), fmt.Sprintf(titleFormat, i))
	}
	en.push(editor, "device-e", muts...)
	return muts
}

// TestPull_GzipSameAsIdentity: every page of a pull is the same JSON with
// and without gzip, page after page, so the page writers' reused buffers
// never leak one page into the next.
func TestPull_GzipSameAsIdentity(t *testing.T) {
	en := newEnv(t)
	muts := publishUpdates(en, "updatepage%05d", "Page %d", 5)
	plain, zipped := pullPages(t, en, false), pullPages(t, en, true)
	if len(plain) != len(muts) || len(zipped) != len(plain) {
		t.Fatalf("pages: %d plain, %d gzip, want %d", len(plain), len(zipped), len(muts))
	}
	for i := range plain {
		if !bytes.Equal(plain[i], zipped[i]) {
			t.Fatalf("page %d differs:\nplain %s\ngzip  %s", i, plain[i], zipped[i])
		}
		if !bytes.Contains(plain[i], []byte(fmt.Sprintf(`"title":"Page %d"`, i))) {
			t.Fatalf("page %d: %s", i, plain[i])
		}
	}
}

// TestPull_ConcurrentPages: more pulls at once than page writers; each
// gets its own complete page (a writer shared by two pages at once would
// mix or truncate them).
func TestPull_ConcurrentPages(t *testing.T) {
	en := newEnv(t)
	muts := make([]mut, 40)
	for i := range muts {
		muts[i] = publishedUpdate(fmt.Sprintf("updateconc%05d", i), fmt.Sprintf("Concurrent %d", i))
		muts[i]["data"].(map[string]any)["body"] = strings.Repeat(fmt.Sprintf("Body %d. ", i), 200) // pages of some size
	}
	en.push(editor, "device-e", muts...)
	want := en.raw(anonymous, http.MethodGet, "/api/sync/v1/pull?limit=1000&collections=updates", nil).Body.Bytes()
	const pulls = 12
	got := make([][]byte, pulls)
	var wg sync.WaitGroup
	for i := range pulls {
		wg.Go(func() {
			rec := en.raw(anonymous, http.MethodGet, "/api/sync/v1/pull?limit=1000&collections=updates", nil, "Accept-Encoding", "gzip")
			got[i] = rec.Body.Bytes()
		})
	}
	wg.Wait()
	for i, g := range got {
		if body := gunzip(t, g); !bytes.Equal(body, want) {
			t.Fatalf("pull %d: %d bytes, want the %d of the sequential pull", i, len(body), len(want))
		}
	}
	if !bytes.Contains(want, []byte(`"title":"Concurrent 39"`)) {
		t.Fatalf("sequential pull misses the last update: %.300s", want)
	}
}

// stalledWriter is a phone that stops reading its answer: the first Write
// signals wrote and blocks until resume is closed.
type stalledWriter struct {
	header http.Header
	code   int
	body   bytes.Buffer
	wrote  chan<- struct{}
	resume <-chan struct{}
	once   sync.Once
}

func (w *stalledWriter) Header() http.Header { return w.header }

func (w *stalledWriter) WriteHeader(code int) { w.code = code }

func (w *stalledWriter) Write(p []byte) (int, error) {
	w.once.Do(func() {
		w.wrote <- struct{}{}
		<-w.resume
	})
	return w.body.Write(p)
}

// TestPull_StalledReadersHoldNoBuilder: phones that stop reading their
// pages mid-download (2G, a lost signal) outnumber the page builders, and
// another phone's pull is still answered at once; the stalled pages arrive
// whole when their readers resume.
func TestPull_StalledReadersHoldNoBuilder(t *testing.T) {
	en := newEnv(t)
	publishUpdates(en, "updatestall%04d", "Stalled %d", 30)
	const url = "/api/sync/v1/pull?limit=1000&collections=updates"
	want := en.raw(anonymous, http.MethodGet, url, nil).Body.Bytes()

	const stalled = 6 // more than the service's page builders
	wrote, resume := make(chan struct{}, stalled), make(chan struct{})
	writers := make([]*stalledWriter, stalled)
	var wg sync.WaitGroup
	for i := range writers {
		writers[i] = &stalledWriter{header: http.Header{}, wrote: wrote, resume: resume}
		encoding := []string{"gzip", "identity"}[i%2] // a page of each kind outlives its builder
		req := from(en.request(anonymous, http.MethodGet, url, nil, "Accept-Encoding", encoding), ipv4(i))
		wg.Go(func() { en.mux.ServeHTTP(writers[i], req) })
	}
	release := sync.OnceFunc(func() { close(resume) })
	defer wg.Wait()
	defer release()
	for i := range stalled {
		select {
		case <-wrote:
		case <-time.After(20 * time.Second):
			t.Fatalf("%d of %d stalled readers got their page: the others wait for a builder", i, stalled)
		}
	}
	// another page, built by the builders meanwhile, must not show through
	// the stalled pages
	answered := make(chan *httptest.ResponseRecorder, 1)
	go func() {
		answered <- en.raw(anonymous, http.MethodGet, "/api/sync/v1/pull?limit=3&collections=updates", nil)
	}()
	select {
	case rec := <-answered:
		if rec.Code != http.StatusOK || !bytes.Contains(rec.Body.Bytes(), []byte(`"hasMore":true`)) {
			t.Fatalf("pull beside stalled readers: %d %.200s", rec.Code, rec.Body.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("a pull waits for stalled readers")
	}
	release()
	wg.Wait()
	for i, w := range writers {
		body := w.body.Bytes()
		if w.header.Get("Content-Encoding") == "gzip" {
			body = gunzip(t, body)
		}
		if w.code != http.StatusOK || (w.header.Get("Content-Encoding") == "gzip") != (i%2 == 0) || !bytes.Equal(body, want) ||
			w.header.Get("Content-Length") != strconv.Itoa(w.body.Len()) {
			t.Fatalf("stalled reader %d: %d %v, %d bytes: %.200s", i, w.code, w.header, w.body.Len(), body)
		}
	}
}

// TestPull_ClientLeavesWhileWaiting: a pull whose client left while every
// page builder was busy is answered 499 sync_retry_later (nobody reads it;
// the log shows no server failure), and the busy pulls finish.
func TestPull_ClientLeavesWhileWaiting(t *testing.T) {
	var hold atomic.Bool
	entered, gate := make(chan struct{}, 8), make(chan struct{})
	en := newEnvWith(t, func(app core.App) {
		app.OnRecordEnrich("updates").BindFunc(func(e *core.RecordEnrichEvent) error {
			if hold.Load() {
				entered <- struct{}{}
				<-gate
			}
			return e.Next()
		})
	})
	en.push(editor, "device-e", publishedUpdate("updateleave0001", "Left"))
	const url = "/api/sync/v1/pull?collections=updates"
	open := sync.OnceFunc(func() { hold.Store(false); close(gate) })
	defer open()
	hold.Store(true)
	const busy = 2 // the service's page builders
	codes := make(chan int, busy)
	for i := range busy { // from addresses of their own: one address's anonymous pulls hold one uncompressed page
		go func() {
			rec := httptest.NewRecorder()
			en.mux.ServeHTTP(rec, from(en.request(anonymous, http.MethodGet, url, nil), ipv4(i)))
			codes <- rec.Code
		}()
	}
	for range busy {
		select {
		case <-entered:
		case <-time.After(20 * time.Second):
			t.Fatal("the busy pulls did not start")
		}
	}
	// it leaves while waiting for a builder (long enough to get that far
	// on a loaded machine)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	rec := httptest.NewRecorder()
	en.mux.ServeHTTP(rec, en.request(anonymous, http.MethodGet, url, nil, "Accept-Language", "ru").WithContext(ctx))
	open()
	var body struct{ Code, Message string }
	_ = json.Unmarshal(rec.Body.Bytes(), &body)
	if rec.Code != 499 || body.Code != "sync_retry_later" || !strings.ContainsAny(body.Message, "абвгдеёжзийклмнопрстуфхцчшщыэюя") {
		t.Fatalf("left while waiting: %d %s", rec.Code, rec.Body.String())
	}
	for range busy {
		if code := <-codes; code != http.StatusOK {
			t.Fatalf("busy pull: %d", code)
		}
	}
}

// from makes req come from the client address addr.
func from(req *http.Request, addr string) *http.Request {
	req.RemoteAddr = net.JoinHostPort(addr, "40000")
	return req
}

// ipv4 is the client address 10.0.0.n.
func ipv4(n int) string { return fmt.Sprintf("10.0.0.%d", n) }

// stall sends n pulls of url as the caller as whose readers stop reading,
// each from the address addr(i), with Accept-Encoding encoding, and waits
// until each got its page. The returned func lets them read and waits for
// them.
func stall(t *testing.T, en *env, as, url, encoding string, n int, addr func(int) string) func() {
	t.Helper()
	wrote, resume := make(chan struct{}, n), make(chan struct{})
	var wg sync.WaitGroup
	done := sync.OnceFunc(func() { close(resume); wg.Wait() })
	t.Cleanup(done)
	for i := range n {
		w := &stalledWriter{header: http.Header{}, wrote: wrote, resume: resume}
		req := from(en.request(as, http.MethodGet, url, nil, "Accept-Encoding", encoding), addr(i))
		wg.Go(func() { en.mux.ServeHTTP(w, req) })
	}
	for i := range n {
		select {
		case <-wrote:
		case <-time.After(20 * time.Second):
			t.Fatalf("%d of %d stalled readers got their page", i, n)
		}
	}
	return done
}

// pullWithin pulls url as the caller as from address addr, as a client
// that gives up after d: 499 then.
func pullWithin(en *env, as, url, encoding, addr string, d time.Duration) *httptest.ResponseRecorder {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	rec := httptest.NewRecorder()
	req := from(en.request(as, http.MethodGet, url, nil, "Accept-Encoding", encoding), addr)
	en.mux.ServeHTTP(rec, req.WithContext(ctx))
	return rec
}

// TestPull_PagesInFlightAreBounded: pages held by readers who do not read
// them count against a bound, an uncompressed page as five compressed
// ones (a coordinator's, which no class bound holds back); a pull past the bound waits (here until its client leaves: 499)
// while a compressed page that fits is still answered.
func TestPull_PagesInFlightAreBounded(t *testing.T) {
	en := newEnv(t)
	en.push(editor, "device-e", publishedUpdate("updatebound0001", "Bound"))
	const url = "/api/sync/v1/pull?collections=updates"
	// uncompressed, from 12 addresses: 60 of the 64 units
	done := stall(t, en, coordinator, url, "identity", 12, ipv4)
	if rec := pullWithin(en, coordinator, url, "identity", ipv4(100), 2*time.Second); rec.Code != 499 ||
		!strings.Contains(rec.Body.String(), "sync_retry_later") {
		t.Fatalf("an uncompressed page past the bound: %d %s", rec.Code, rec.Body.String())
	}
	if rec := pullWithin(en, coordinator, url, "gzip", ipv4(101), 20*time.Second); rec.Code != http.StatusOK ||
		!bytes.Contains(gunzip(t, rec.Body.Bytes()), []byte(`"title":"Bound"`)) {
		t.Fatalf("a compressed page within the bound: %d", rec.Code)
	}
	done()
	if rec := pullWithin(en, coordinator, url, "identity", ipv4(100), 20*time.Second); rec.Code != http.StatusOK {
		t.Fatalf("after the readers read: %d", rec.Code)
	}
}

// TestPull_PagesInFlightPerAddress: one address whose pulls are never read
// holds at most a quarter of the bound; its next pull waits (499 when it
// leaves), a small one of its own still fits, and other addresses are
// served meanwhile. An IPv6 address counts by its /64. (A volunteer's: an
// address's anonymous pulls hold less, TestPull_PublicShareOfAnAddress.)
func TestPull_PagesInFlightPerAddress(t *testing.T) {
	en := newEnv(t)
	en.push(editor, "device-e", publishedUpdate("updateperip0001", "Per address"))
	const url = "/api/sync/v1/pull?collections=updates"
	for _, tc := range []struct{ name, addr, sameBlock, other string }{
		{"IPv4", "10.0.0.7", "10.0.0.7", "10.0.0.8"},
		{"IPv6", "2001:db8:1:2::7", "2001:db8:1:2:ffff::9", "2001:db8:1:3::7"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// uncompressed, all from one address: 15 of its 16 units
			done := stall(t, en, volunteerA, url, "identity", 3, func(int) string { return tc.addr })
			if rec := pullWithin(en, volunteerB, url, "identity", tc.sameBlock, 2*time.Second); rec.Code != 499 {
				t.Fatalf("past the address's bound: %d %s", rec.Code, rec.Body.String())
			}
			if rec := pullWithin(en, volunteerB, url, "gzip", tc.sameBlock, 20*time.Second); rec.Code != http.StatusOK {
				t.Fatalf("a compressed page within the address's bound: %d", rec.Code)
			}
			if rec := pullWithin(en, anonymous, url, "identity", tc.other, 20*time.Second); rec.Code != http.StatusOK ||
				!bytes.Contains(rec.Body.Bytes(), []byte(`"title":"Per address"`)) {
				t.Fatalf("another address: %d %s", rec.Code, rec.Body.String())
			}
			done()
			if rec := pullWithin(en, volunteerA, url, "identity", tc.addr, 20*time.Second); rec.Code != http.StatusOK {
				t.Fatalf("the address after its readers read: %d", rec.Code)
			}
		})
	}
}

// TestPull_PagesInFlightByClass: anonymous pulls, from any number of
// addresses, hold at most half the bound, and with volunteers' three
// quarters: a crowd of readers that never read (or of volunteers, whom
// anyone may become) cannot stall a coordinator's or an editor's pull.
func TestPull_PagesInFlightByClass(t *testing.T) {
	en := newEnv(t)
	en.push(editor, "device-e", publishedUpdate("updateclass0001", "By class"))
	const url = "/api/sync/v1/pull?collections=updates"
	// the public, uncompressed, from 6 addresses: 30 of its 32 units
	done := stall(t, en, anonymous, url, "identity", 6, ipv4)
	if rec := pullWithin(en, anonymous, url, "identity", ipv4(50), 2*time.Second); rec.Code != 499 {
		t.Fatalf("an anonymous page past the public's bound: %d %s", rec.Code, rec.Body.String())
	}
	if rec := pullWithin(en, anonymous, url, "gzip", ipv4(51), 20*time.Second); rec.Code != http.StatusOK {
		t.Fatalf("an anonymous page within it: %d", rec.Code)
	}
	// volunteers, from 3 more addresses: 45 of the non-staff's 48
	done2 := stall(t, en, volunteerA, url, "identity", 3, func(i int) string { return ipv4(60 + i) })
	if rec := pullWithin(en, volunteerB, url, "identity", ipv4(70), 2*time.Second); rec.Code != 499 {
		t.Fatalf("a volunteer's page past the non-staff's bound: %d %s", rec.Code, rec.Body.String())
	}
	for _, as := range []string{coordinator, editor, superuser} {
		if rec := pullWithin(en, as, url, "identity", ipv4(80), 20*time.Second); rec.Code != http.StatusOK ||
			!bytes.Contains(rec.Body.Bytes(), []byte(`"title":"By class"`)) {
			t.Fatalf("%s's page beside them: %d %s", as, rec.Code, rec.Body.String())
		}
	}
	done()
	done2()
	if rec := pullWithin(en, anonymous, url, "identity", ipv4(50), 20*time.Second); rec.Code != http.StatusOK {
		t.Fatalf("the public after its readers read: %d", rec.Code)
	}
}

// TestPull_AcceptEncodingWeights: the answer is gzip-compressed when the
// client's Accept-Encoding lets it, weights included: "gzip;q=0" refuses
// gzip (PocketBase's own middleware only looks for the word).
func TestPull_AcceptEncodingWeights(t *testing.T) {
	en := newEnv(t)
	for _, c := range []struct{ header, want string }{
		{"gzip;q=0", ""},
		{"gzip;q=0, *", ""},
		{"br, gzip;q=0.2", "gzip"},
		{"*", "gzip"},
		{"identity", ""},
	} {
		rec := en.raw(anonymous, http.MethodGet, "/api/sync/v1/pull?collections=updates", nil, "Accept-Encoding", c.header)
		if got := rec.Header().Get("Content-Encoding"); rec.Code != http.StatusOK || got != c.want {
			t.Errorf("Accept-Encoding %q: %d, Content-Encoding %q, want %q", c.header, rec.Code, got, c.want)
			continue
		}
		body := rec.Body.Bytes()
		if c.want == "gzip" {
			body = gunzip(t, body)
		}
		if !json.Valid(body) {
			t.Errorf("Accept-Encoding %q: the body is not JSON: %.100q", c.header, body)
		}
	}
}
