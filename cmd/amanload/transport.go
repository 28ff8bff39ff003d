package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// errInjected marks a failure the fault transport made up.
var errInjected = errors.New("injected network fault")

// faultStats counts what the fault transport did.
type faultStats struct {
	requests   atomic.Int64
	cutBefore  atomic.Int64 // request never reached the server
	cutMid     atomic.Int64 // connection cut halfway through the request body
	dropAfter  atomic.Int64 // server answered (and committed); answer lost
	duplicated atomic.Int64 // sent twice in a row
	replayed   atomic.Int64 // sent again later, after newer requests
}

func (s *faultStats) String() string {
	return fmt.Sprintf("requests %d: cut before %d, cut mid-body %d, answer dropped after commit %d, duplicated %d, replayed late %d",
		s.requests.Load(), s.cutBefore.Load(), s.cutMid.Load(), s.dropAfter.Load(), s.duplicated.Load(), s.replayed.Load())
}

// faultTransport is a flaky 2G link in front of an http.RoundTripper. With
// probability rate a request meets one fault, chosen evenly among: cut
// before sending, cut halfway through the body, answer dropped after the
// server handled it, sent twice in a row (the answer of the second is
// returned), or answered normally but replayed again 0.2-2 s later, behind
// the device's newer requests (its answer ignored).
type faultTransport struct {
	base    http.RoundTripper
	rate    float64
	stats   *faultStats
	mu      sync.Mutex
	rng     *rand.Rand
	replays sync.WaitGroup
	// rollFn picks the fault of a request (-1: none) and a replay delay;
	// tests replace it to force one fault.
	rollFn func() (fault int, delay time.Duration)
}

func newFaultTransport(base http.RoundTripper, rate float64, seed uint64, stats *faultStats) *faultTransport {
	t := &faultTransport{base: base, rate: rate, stats: stats, rng: rand.New(rand.NewPCG(seed, 7))}
	t.rollFn = t.roll
	return t
}

func (t *faultTransport) roll() (fault int, delay time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.rng.Float64() >= t.rate {
		return -1, 0
	}
	return t.rng.IntN(5), 200*time.Millisecond + time.Duration(t.rng.Int64N(int64(1800*time.Millisecond)))
}

func (t *faultTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	t.stats.requests.Add(1)
	body, err := readBody(req)
	if err != nil {
		return nil, err
	}
	fault, delay := t.rollFn()
	switch fault {
	case 0:
		t.stats.cutBefore.Add(1)
		return nil, fmt.Errorf("%w: connection refused", errInjected)
	case 1:
		if len(body) > 1 {
			t.stats.cutMid.Add(1)
			return t.cutMidway(req, body)
		}
	case 2:
		t.stats.dropAfter.Add(1)
		return t.dropAnswer(req, body)
	case 3:
		t.stats.duplicated.Add(1)
		if res, err := t.send(req, body); err == nil {
			drain(res)
		}
	case 4:
		t.stats.replayed.Add(1)
		t.replayLater(req, body, delay)
	}
	return t.send(req, body)
}

func readBody(req *http.Request) ([]byte, error) {
	if req.Body == nil {
		return nil, nil
	}
	defer req.Body.Close()
	body, err := io.ReadAll(req.Body)
	if err != nil {
		return nil, fmt.Errorf("read request body: %w", err)
	}
	return body, nil
}

// send sends a copy of req with body.
func (t *faultTransport) send(req *http.Request, body []byte) (*http.Response, error) {
	return t.base.RoundTrip(withBody(req, bytes.NewReader(body), int64(len(body))))
}

func withBody(req *http.Request, r io.Reader, n int64) *http.Request {
	c := req.Clone(req.Context())
	c.Body = io.NopCloser(r)
	c.ContentLength = n
	c.GetBody = nil
	return c
}

// cutMidway declares the full length but the link dies after half of it:
// the server reads a truncated body and must apply none of it.
func (t *faultTransport) cutMidway(req *http.Request, body []byte) (*http.Response, error) {
	half := io.MultiReader(bytes.NewReader(body[:len(body)/2]), failingReader{})
	res, err := t.base.RoundTrip(withBody(req, half, int64(len(body))))
	if err == nil {
		drain(res)
	}
	return nil, fmt.Errorf("%w: connection cut mid-request", errInjected)
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) {
	return 0, fmt.Errorf("%w: link down", errInjected)
}

// dropAnswer lets the server handle the request fully, then loses the
// answer: the client cannot know the server committed.
func (t *faultTransport) dropAnswer(req *http.Request, body []byte) (*http.Response, error) {
	res, err := t.send(req, body)
	if err == nil {
		drain(res)
	}
	return nil, fmt.Errorf("%w: connection reset after the server answered", errInjected)
}

// replayLater resends the request after delay, as a stale retry stuck in a
// carrier proxy would arrive: after the device's newer requests.
func (t *faultTransport) replayLater(req *http.Request, body []byte, delay time.Duration) {
	// The device may have moved on and cancelled its own context.
	c := withBody(req, bytes.NewReader(body), int64(len(body))).WithContext(context.Background())
	t.replays.Go(func() {
		time.Sleep(delay)
		if res, err := t.base.RoundTrip(c); err == nil {
			drain(res)
		}
	})
}

// wait blocks until every late replay has been sent.
func (t *faultTransport) wait() { t.replays.Wait() }

func drain(res *http.Response) {
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
}
