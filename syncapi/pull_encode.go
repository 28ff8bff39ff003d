package syncapi

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"aman/syncapi/wire"
)

// maxKeptPageBytes is the largest page buffer a pageWriter keeps for the
// next page. A page of 1,000 reports is about 1.6 MB of JSON; a page of
// unusually large records is encoded once in a buffer that is then dropped,
// so one such page does not pin its size for the life of the server.
const maxKeptPageBytes = 4 << 20

// pageWriter encodes and compresses one pull page at a time. The service
// holds maxConcurrentPulls of them in its semaphore (service.pulls), so the
// page buffers and gzip writers are allocated once and bounded in number.
// PocketBase's gzip middleware, used before, copied each page into a pooled
// buffer of its own before compressing it, and its sync.Pool dropped the
// gzip writers (about 1 MB each) at every garbage collection, so a burst of
// pulls kept allocating new ones.
type pageWriter struct {
	buf bytes.Buffer
	gz  *gzip.Writer
}

func newPageWriters(n int) chan *pageWriter {
	ch := make(chan *pageWriter, n)
	for range n {
		ch <- &pageWriter{gz: gzip.NewWriter(io.Discard)}
	}
	return ch
}

// encode writes the page into the writer's buffer and returns it; the
// bytes are valid until release. Each change is written field by field,
// as json.Marshal would write a change, except that the record's JSON (made
// by json.Marshal, so already compact and escaped) is copied as it is
// instead of being validated and compacted a second time.
func (pw *pageWriter) encode(changes []change, cp, position string, hasMore bool) []byte {
	size := 64
	for _, c := range changes {
		size += len(c.Record) + 128
	}
	buf := &pw.buf
	buf.Reset()
	buf.Grow(size)
	buf.WriteString(`{"changes":[`)
	for i, c := range changes {
		if i > 0 {
			buf.WriteByte(',')
		}
		writeChange(buf, c)
	}
	buf.WriteString(`],"checkpoint":`)
	writeString(buf, cp)
	buf.WriteString(`,"position":`)
	writeString(buf, position)
	buf.WriteString(`,"hasMore":` + strconv.FormatBool(hasMore) + `}`)
	return buf.Bytes()
}

func writeChange(buf *bytes.Buffer, c change) {
	buf.WriteString(`{"collection":`)
	writeString(buf, c.Collection)
	buf.WriteString(`,"id":`)
	writeString(buf, c.ID)
	buf.WriteString(`,"rev":` + strconv.FormatInt(c.Rev, 10) + `,"deleted":` + strconv.FormatBool(c.Deleted))
	if len(c.Record) > 0 {
		buf.WriteString(`,"record":`)
		buf.Write(c.Record)
	}
	buf.WriteByte('}')
}

func writeString(buf *bytes.Buffer, s string) {
	raw, _ := json.Marshal(s) // a string always encodes
	buf.Write(raw)
}

// page is a pull answer ready to send, owned by its request.
type page struct {
	body    []byte
	gzipped bool
}

// acceptsGzip reports whether the client accepts gzip by its
// Accept-Encoding headers, weights included ("gzip;q=0" refuses it,
// where PocketBase's gzip middleware only looks for the word).
func acceptsGzip(e *core.RequestEvent) bool {
	return wire.AcceptsGzip(strings.Join(e.Request.Header.Values("Accept-Encoding"), ","))
}

// pack makes body, which lives in the writer's buffer, a page of its own:
// gzip-compressed (a page of reports shrinks to a fifth or less) or
// copied.
func (pw *pageWriter) pack(body []byte, gzipped bool) (*page, error) {
	if !gzipped {
		return &page{body: bytes.Clone(body)}, nil
	}
	out := bytes.NewBuffer(make([]byte, 0, len(body)/6+512))
	pw.gz.Reset(out)
	if _, err := pw.gz.Write(body); err != nil {
		return nil, fmt.Errorf("pull gzip: %w", err)
	}
	if err := pw.gz.Close(); err != nil {
		return nil, fmt.Errorf("pull gzip: %w", err)
	}
	return &page{body: out.Bytes(), gzipped: true}, nil
}

// pageWeight is what a page counts against maxPagesInFlight.
func pageWeight(gzipped bool) int64 {
	if gzipped {
		return 1
	}
	return identityPageWeight
}

// A page must be written within pageWriteTimeout of its size: a reader
// that stops reading (a phone that lost its signal, or a client that
// never reads on purpose) would otherwise hold its units of the page
// budget until PocketBase's 5-minute write timeout, and two addresses
// doing it could stall every anonymous reader's pull that long. The floor
// rate is what a phone on 2G still reaches on a poor signal: GPRS gives
// some 5 to 10 KB/s, EDGE 20 to 30; at 4 KB/s a gzip page of 1,000
// reports (some 300 KB) has 95 s, and one of a few updates 20 s. A phone
// that reads, however slowly, above that rate gets its page whole.
var (
	pageWriteFloor         = 20 * time.Second
	pageWriteRate    int64 = 4 << 10 // bytes a second
	pageWriteLongest       = 5 * time.Minute
)

// pageWriteTimeout is how long a page of n bytes may take to be written:
// pageWriteFloor, and n at pageWriteRate, at most pageWriteLongest
// (PocketBase's own write timeout).
func pageWriteTimeout(n int) time.Duration {
	return min(pageWriteFloor+time.Duration(int64(n)*int64(time.Second)/pageWriteRate), pageWriteLongest)
}

// send writes the page as the 200 answer. Its length is known, so a phone
// whose download was cut can tell the page is incomplete. Its write
// deadline is set from its size (pageWriteTimeout), counted from now: a
// pull that waited for the budget still has its whole time to be read.
// A writer without deadlines (a test's recorder) keeps none.
func (pg *page) send(e *core.RequestEvent) error {
	_ = http.NewResponseController(e.Response).SetWriteDeadline(time.Now().Add(pageWriteTimeout(len(pg.body))))
	h := e.Response.Header()
	h.Set("Cache-Control", "no-store")
	h.Add("Vary", "Accept-Encoding")
	h.Set("Content-Length", strconv.Itoa(len(pg.body)))
	if pg.gzipped {
		h.Set("Content-Encoding", "gzip")
	}
	return e.Blob(http.StatusOK, "application/json", pg.body)
}

// release readies the writer for the next page: it lets go of the
// last page's output and of an oversized buffer.
func (pw *pageWriter) release() {
	pw.gz.Reset(io.Discard)
	if pw.buf.Cap() > maxKeptPageBytes {
		pw.buf = bytes.Buffer{}
	}
}
