package syncapi_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
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

// TestPull_GzipSameAsIdentity: every page of a pull is the same JSON with
// and without gzip, page after page, so the page writers' reused buffers
// never leak one page into the next.
func TestPull_GzipSameAsIdentity(t *testing.T) {
	en := newEnv(t)
	muts := make([]mut, 5)
	for i := range muts {
		muts[i] = publishedUpdate(fmt.Sprintf("updatepage%05d", i), fmt.Sprintf("Page %d", i))
	}
	en.push(editor, "device-e", muts...)
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
