package syncapi_test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"aman/syncapi"
)

// The pull page budget beside readers that never read (docs/operations.md,
// "At most 64 pages in flight" and the points after it).

// bigUpdates publishes n updates of some 4 KB each: an uncompressed page of
// them fills a small socket's buffers many times over.
func bigUpdates(en *env, n int) {
	muts := make([]mut, n)
	for i := range muts {
		muts[i] = publishedUpdate(fmt.Sprintf("updatebig%06d", i), fmt.Sprintf("Big %d", i))
		muts[i]["data"].(map[string]any)["body"] = strings.Repeat(fmt.Sprintf("Paragraph %d of a long update. ", i), 130)
	}
	en.push(editor, "device-e", muts...)
}

// smallBuffers makes the server's accepted connections keep a small send
// buffer, so a page larger than a few tens of KB stalls when its reader
// stops reading (loopback's buffers otherwise grow to megabytes).
type smallBuffers struct{ net.Listener }

func (l smallBuffers) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetWriteBuffer(4096)
	}
	return c, err
}

// pageServer serves en's routes over real TCP, with PocketBase's 5-minute
// write timeout.
func pageServer(t *testing.T, en *env) string {
	srv := httptest.NewUnstartedServer(en.mux)
	srv.Listener = smallBuffers{srv.Listener}
	srv.Config.WriteTimeout = 5 * time.Minute
	srv.Start()
	t.Cleanup(srv.Close)
	return srv.Listener.Addr().String()
}

// rawPull opens a connection from the loopback address local (127.0.0.n:
// each its own client address) with a small receive buffer, sends an
// anonymous uncompressed pull of every update, and reads the answer's
// status line: the page is built and being written.
func rawPull(t *testing.T, server, local string) (net.Conn, *bufio.Reader) {
	t.Helper()
	d := net.Dialer{
		LocalAddr: &net.TCPAddr{IP: net.ParseIP(local)},
		Control: func(_, _ string, c syscall.RawConn) error {
			return c.Control(func(fd uintptr) { _ = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
		},
	}
	conn, err := d.Dial("tcp", server)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	fmt.Fprintf(conn, "GET /api/sync/v1/pull?limit=1000&collections=updates HTTP/1.1\r\nHost: aman\r\nAccept-Encoding: identity\r\n\r\n")
	_ = conn.SetReadDeadline(time.Now().Add(20 * time.Second))
	r := bufio.NewReaderSize(conn, 16)
	if line, err := r.ReadString('\n'); err != nil || !strings.HasPrefix(line, "HTTP/1.1 200") {
		t.Fatalf("pull from %s: %q %v", local, line, err)
	}
	return conn, r
}

// TestPull_NonReaderFreesItsUnits: readers that stop reading their page
// (uncompressed, from 6 addresses: 30 of the public's 32 units) hold it
// only until the page's write deadline, its size at the floor rate (here
// 8 s and 64 KB/s; 20 s and 4 KB/s in production), not for PocketBase's
// 5-minute write timeout; then they are cut, and the anonymous pull that
// waited goes through.
func TestPull_NonReaderFreesItsUnits(t *testing.T) {
	en := newEnv(t)
	bigUpdates(en, 40)
	t.Cleanup(syncapi.SetPageWriteTimeout(8*time.Second, 64<<10))
	server := pageServer(t, en)
	const url = "/api/sync/v1/pull?limit=1000&collections=updates"
	type held struct {
		conn net.Conn
		r    *bufio.Reader
	}
	var readers []held
	for i := range 6 {
		conn, r := rawPull(t, server, fmt.Sprintf("127.0.0.%d", 2+i))
		readers = append(readers, held{conn, r})
	}
	start := time.Now() // the last page's deadline is 8 s and 180 KB at 64 KB/s from about now
	if rec := pullWithin(en, anonymous, url, "identity", ipv4(50), time.Second); rec.Code != 499 {
		t.Fatalf("an anonymous page beside the non-readers: %d, want 499 (the public's units are held)", rec.Code)
	}
	rec := pullWithin(en, anonymous, url, "identity", ipv4(50), 60*time.Second)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"title":"Big 39"`) {
		t.Fatalf("an anonymous page after the non-readers' deadline: %d after %v", rec.Code, time.Since(start))
	}
	time.Sleep(time.Until(start.Add(14 * time.Second))) // every deadline is past
	for i, h := range readers {
		_ = h.conn.SetReadDeadline(time.Now().Add(20 * time.Second))
		resp, err := http.ReadResponse(bufio.NewReader(io.MultiReader(strings.NewReader("HTTP/1.1 200 OK\r\n"), h.r)), nil)
		if err != nil {
			t.Fatalf("non-reader %d: %v", i, err)
		}
		n, err := io.Copy(io.Discard, resp.Body)
		if err == nil || errors.Is(err, os.ErrDeadlineExceeded) || n >= resp.ContentLength {
			t.Fatalf("non-reader %d: read %d of %d bytes, %v: want its page cut", i, n, resp.ContentLength, err)
		}
	}
}

// TestPull_SlowReaderGetsItsPage: a reader that reads slowly but above
// the floor rate gets its page whole, though it takes longer than the
// floor: the deadline grows with the page.
func TestPull_SlowReaderGetsItsPage(t *testing.T) {
	en := newEnv(t)
	bigUpdates(en, 40)
	t.Cleanup(syncapi.SetPageWriteTimeout(2*time.Second, 64<<10))
	server := pageServer(t, en)
	conn, r := rawPull(t, server, "127.0.0.2")
	start := time.Now()
	_ = conn.SetReadDeadline(time.Now().Add(60 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(io.MultiReader(strings.NewReader("HTTP/1.1 200 OK\r\n"), r)), nil)
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for { // 8 KB every 100 ms: 80 KB/s
		m, err := io.CopyN(io.Discard, resp.Body, 8<<10)
		n += m
		if err != nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	took := time.Since(start)
	if n != resp.ContentLength || took < 2*time.Second {
		t.Fatalf("slow reader: %d of %d bytes in %v (want all, in more than the floor)", n, resp.ContentLength, took)
	}
}

// TestPull_PublicShareOfAnAddress: one address's anonymous pulls hold at
// most a quarter of the public's units (8: one uncompressed page and three
// compressed), so two addresses that open pulls and never read cannot
// stall every other anonymous reader; a volunteer behind that address
// still has the rest of the address's units. (The address's own smaller
// pulls queue behind its waiting ones: the semaphores are first come,
// first served.)
func TestPull_PublicShareOfAnAddress(t *testing.T) {
	en := newEnv(t)
	en.push(editor, "device-e", publishedUpdate("updateshare0001", "Share"))
	const url = "/api/sync/v1/pull?collections=updates"
	// 3 uncompressed pulls from each of 2 addresses (15 units each, 30 of
	// the public's 32, without the share)
	wrote, resume := make(chan struct{}, 6), make(chan struct{})
	done := make(chan struct{}, 6)
	defer func() {
		close(resume)
		for range 6 {
			<-done
		}
	}()
	for i := range 6 {
		w := &stalledWriter{header: http.Header{}, wrote: wrote, resume: resume}
		req := from(en.request(anonymous, http.MethodGet, url, nil, "Accept-Encoding", "identity"), ipv4(1+i%2))
		go func() { en.mux.ServeHTTP(w, req); done <- struct{}{} }()
	}
	got := 0
	for got < 2 {
		select {
		case <-wrote:
			got++
		case <-time.After(20 * time.Second):
			t.Fatalf("%d of 2 addresses got a page", got)
		}
	}
	for wait := time.After(3 * time.Second); ; { // the rest, if they fit
		select {
		case <-wrote:
			got++
			continue
		case <-wait:
		}
		break
	}
	if got != 2 {
		t.Fatalf("%d uncompressed pages held by 2 addresses, want one each", got)
	}
	if rec := pullWithin(en, anonymous, url, "identity", ipv4(50), 20*time.Second); rec.Code != http.StatusOK ||
		!strings.Contains(rec.Body.String(), `"title":"Share"`) {
		t.Fatalf("another address's anonymous page: %d %s", rec.Code, rec.Body.String())
	}
	for i, c := range []struct {
		as, encoding string
		want         int
	}{
		{anonymous, "identity", 499},            // 10 of the address's 8
		{volunteerA, "identity", http.StatusOK}, // 10 of the address's 16
	} {
		wait := 20 * time.Second
		if c.want == 499 {
			wait = 2 * time.Second
		}
		if rec := pullWithin(en, c.as, url, c.encoding, ipv4(1), wait); rec.Code != c.want {
			t.Fatalf("%d: %q %s from the busy address: %d, want %d", i, c.as, c.encoding, rec.Code, c.want)
		}
	}
}

// TestPull_AidWorkerBesideVolunteers: volunteers (anyone may sign up) hold
// at most 48 units with the public; aid workers, whom coordinators assign
// to an organization, have 8 more of their own, and staff the last 8. A
// crowd of volunteer accounts that never read does not stall an aid
// worker's pull; an aid worker without an organization counts as a
// volunteer; aid workers cannot take staff's last units.
func TestPull_AidWorkerBesideVolunteers(t *testing.T) {
	en := newEnv(t)
	en.push(editor, "device-e", publishedUpdate("updateaidwk0001", "Aid worker"))
	org := core.NewRecord(mustCollection(t, en.app, "organizations"))
	org.Id = orgOne
	org.Set("name", "Org one")
	org.Set("active", true)
	if err := en.app.Save(org); err != nil {
		t.Fatal(err)
	}
	en.tokens[memberA] = en.saveUser(memberA, "aid_worker")
	en.setField("users", memberA, "organization", orgOne)
	en.tokens[memberB] = en.saveUser(memberB, "aid_worker") // no organization
	const url = "/api/sync/v1/pull?collections=updates"
	// volunteers, uncompressed, from 9 addresses: 45 of 48
	stall(t, en, volunteerA, url, "identity", 9, ipv4)
	for _, as := range []string{volunteerB, anonymous, memberB} {
		if rec := pullWithin(en, as, url, "identity", ipv4(100), 2*time.Second); rec.Code != 499 {
			t.Fatalf("%q's page beside the volunteers: %d, want 499", as, rec.Code)
		}
	}
	if rec := pullWithin(en, memberA, url, "identity", ipv4(100), 20*time.Second); rec.Code != http.StatusOK ||
		!strings.Contains(rec.Body.String(), `"title":"Aid worker"`) {
		t.Fatalf("the aid worker's page beside the volunteers: %d %s", rec.Code, rec.Body.String())
	}
	// the aid worker's own pages, never read: 55 of 56
	stall(t, en, memberA, url, "identity", 2, func(i int) string { return ipv4(110 + i) })
	if rec := pullWithin(en, memberA, url, "identity", ipv4(120), 2*time.Second); rec.Code != 499 {
		t.Fatalf("an aid worker's page past the non-staff's bound: %d", rec.Code)
	}
	for _, as := range []string{coordinator, editor, superuser} {
		if rec := pullWithin(en, as, url, "identity", ipv4(130), 20*time.Second); rec.Code != http.StatusOK {
			t.Fatalf("%s's page beside them: %d", as, rec.Code)
		}
	}
}
