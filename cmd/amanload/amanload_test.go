package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The fault and crash runs at a small size: the real server binary, real
// faults, real SIGKILLs. They fail on any lost, duplicated or diverged
// record, a failed integrity check or a change-log row too many or few.
func TestFaultRun(t *testing.T) {
	scenarios := []struct {
		name string
		args []string
	}{
		{"faults", []string{"-devices", "10", "-mutations", "16", "-faults", "0.3"}},
		{"faults and 3 SIGKILLs", []string{"-devices", "10", "-mutations", "16", "-faults", "0.2", "-crash", "-kills", "3"}},
		{"faults, a SIGKILL and a restored backup", []string{"-devices", "10", "-mutations", "16", "-faults", "0.2", "-crash", "-kills", "1", "-restore"}},
	}
	for i, s := range scenarios {
		t.Run(fmt.Sprintf("%d_%s", i, s.name), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			var out bytes.Buffer
			rep, err := runFault(ctx, append(s.args, "-timeout", "2m"), &out)
			t.Log(out.String())
			if err != nil {
				t.Fatal(err)
			}
			if rep.Mutations != 10*16 || rep.Applied+rep.Merged != rep.Mutations {
				t.Fatalf("mutations %d, applied %d, merged %d", rep.Mutations, rep.Applied, rep.Merged)
			}
			if rep.Lost != 0 || rep.Duplicated != 0 || rep.Diverged != 0 || rep.Integrity != "ok" {
				t.Fatalf("report: %+v", rep)
			}
			if strings.Contains(s.name, "3 SIGKILLs") && rep.Kills != 3 {
				t.Fatalf("kills = %d, want 3", rep.Kills)
			}
			if strings.Contains(s.name, "restored") && (!rep.Restored || rep.HistoryResets == 0 || rep.PushedWithLost == 0) {
				t.Fatalf("the restore reset no device for history: %+v", rep)
			}
		})
	}
}

// hits is a test server that records the bodies it received.
type hits struct {
	mu     sync.Mutex
	bodies []string
}

func (h *hits) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	h.mu.Lock()
	defer h.mu.Unlock()
	if err != nil {
		h.bodies = append(h.bodies, "TRUNCATED:"+string(body))
		return
	}
	h.bodies = append(h.bodies, string(body))
	fmt.Fprint(w, "ok")
}

func (h *hits) seen() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.bodies...)
}

// The fault transport does to the server what each fault promises.
func TestFaultTransport(t *testing.T) {
	const body = `{"client":"c","mutations":[]}`
	scenarios := []struct {
		fault    int
		wantErr  bool
		wantSeen []string
	}{
		{0, true, nil}, // cut before sending
		{1, true, []string{"TRUNCATED:" + body[:len(body)/2]}}, // cut mid-body
		{2, true, []string{body}},                              // answer dropped after the server handled it
		{3, false, []string{body, body}},                       // duplicated
		{4, false, []string{body, body}},                       // replayed later
	}
	for _, s := range scenarios {
		t.Run(fmt.Sprint(s.fault), func(t *testing.T) {
			h := &hits{}
			srv := httptest.NewServer(h)
			defer srv.Close()
			stats := &faultStats{}
			ft := newFaultTransport(http.DefaultTransport, 0, 1, stats)
			ft.rollFn = func() (int, time.Duration) { return s.fault, 10 * time.Millisecond }
			req, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(body))
			res, err := ft.RoundTrip(req)
			if (err != nil) != s.wantErr {
				t.Fatalf("err = %v, want error %v", err, s.wantErr)
			}
			if err != nil && !errors.Is(err, errInjected) {
				t.Fatalf("err = %v, want errInjected", err)
			}
			if res != nil {
				drain(res)
			}
			ft.wait()
			deadline := time.Now().Add(2 * time.Second)
			for len(h.seen()) < len(s.wantSeen) && time.Now().Before(deadline) {
				time.Sleep(10 * time.Millisecond)
			}
			if got := h.seen(); strings.Join(got, "|") != strings.Join(s.wantSeen, "|") {
				t.Fatalf("server saw %q, want %q", got, s.wantSeen)
			}
		})
	}
}

// The checker itself catches what it claims to catch.
func TestCompareCopies(t *testing.T) {
	k := recKey{"incident_reports", "r0001"}
	rec := func(rev int64, place string) map[recKey]localRec {
		return map[recKey]localRec{k: {rev: rev, record: map[string]any{"place": place}}}
	}
	scenarios := []struct {
		name         string
		local, fresh map[recKey]localRec
		want         string
	}{
		{"same", rec(2, "a"), rec(2, "a"), ""},
		{"stale rev", rec(1, "a"), rec(2, "a"), "rev 1 on the device, 2 on the server"},
		{"different value", rec(2, "a"), rec(2, "b"), "differs"},
		{"missing on device", map[recKey]localRec{}, rec(2, "a"), "0 records on the device, 1"},
		{"partial copy", map[recKey]localRec{k: {rev: 2, record: map[string]any{"place": "a"}, partial: true}}, rec(2, "a"), "lacks the server's fields"},
	}
	for i, s := range scenarios {
		t.Run(fmt.Sprintf("%d_%s", i, s.name), func(t *testing.T) {
			got := compareCopies(s.local, s.fresh)
			if (s.want == "") != (got == "") || !strings.Contains(got, s.want) {
				t.Fatalf("compareCopies = %q, want %q", got, s.want)
			}
		})
	}
}

// A phone keeps the documented client rules (docs/sync.md, Writing a
// client): a stale page or a replayed answer never lowers its copy, and a
// brief answer's rev is completed by the pulled change at that rev.
func TestClientRules(t *testing.T) {
	k := recKey{"incident_reports", "r0001"}
	pulled := func(rev int64, place string) change {
		return change{Collection: k.collection, ID: k.id, Rev: rev, Record: map[string]any{"place": place}}
	}
	tomb := change{Collection: k.collection, ID: k.id, Rev: 3, Deleted: true}
	scenarios := []struct {
		name   string
		held   *localRec
		answer *result // a push result, adopted before the pull
		pull   []change
		want   *localRec // nil: the device holds no copy
	}{
		{"pulled into an empty device", nil, nil, []change{pulled(2, "b")}, &localRec{rev: 2, record: map[string]any{"place": "b"}}},
		{"higher rev replaces", &localRec{rev: 1, record: map[string]any{"place": "a"}}, nil, []change{pulled(2, "b")}, &localRec{rev: 2, record: map[string]any{"place": "b"}}},
		{"stale page does not lower", &localRec{rev: 3, record: map[string]any{"place": "c"}}, nil, []change{pulled(2, "b")}, &localRec{rev: 3, record: map[string]any{"place": "c"}}},
		{"equal rev leaves a full copy", &localRec{rev: 2, record: map[string]any{"place": "mine"}}, nil, []change{pulled(2, "b")}, &localRec{rev: 2, record: map[string]any{"place": "mine"}}},
		{"tombstone at a higher rev deletes", &localRec{rev: 2, record: map[string]any{"place": "b"}}, nil, []change{tomb}, nil},
		{"stale tombstone does not delete", &localRec{rev: 4, record: map[string]any{"place": "d"}}, nil, []change{tomb}, &localRec{rev: 4, record: map[string]any{"place": "d"}}},
		{"full answer adopted", &localRec{rev: 1, record: map[string]any{"place": "a"}}, &result{Status: "applied", Rev: 2, Record: map[string]any{"place": "b"}}, nil, &localRec{rev: 2, record: map[string]any{"place": "b"}}},
		{"replayed answer does not lower", &localRec{rev: 3, record: map[string]any{"place": "c"}}, &result{Status: "applied", Rev: 2, Record: map[string]any{"place": "b"}}, nil, &localRec{rev: 3, record: map[string]any{"place": "c"}}},
		{"brief answer notes a partial copy", &localRec{rev: 1, record: map[string]any{"place": "a"}}, &result{Status: "merged", Rev: 3}, nil, &localRec{rev: 3, record: map[string]any{"place": "a"}, partial: true}},
		{"pull at the brief rev completes it", &localRec{rev: 1, record: map[string]any{"place": "a"}}, &result{Status: "applied", Rev: 3}, []change{pulled(3, "c")}, &localRec{rev: 3, record: map[string]any{"place": "c"}}},
		{"stale pull keeps the note", &localRec{rev: 1, record: map[string]any{"place": "a"}}, &result{Status: "applied", Rev: 3}, []change{pulled(2, "b")}, &localRec{rev: 3, record: map[string]any{"place": "a"}, partial: true}},
		{"brief answer for a record not held creates nothing", nil, &result{Status: "applied", Rev: 1}, nil, nil},
		{"replayed brief answer changes nothing", &localRec{rev: 3, record: map[string]any{"place": "c"}}, &result{Status: "applied", Rev: 3}, nil, &localRec{rev: 3, record: map[string]any{"place": "c"}}},
	}
	for i, s := range scenarios {
		t.Run(fmt.Sprintf("%d_%s", i, s.name), func(t *testing.T) {
			d := &device{local: map[recKey]localRec{}}
			if s.held != nil {
				d.local[k] = *s.held
			}
			if s.answer != nil {
				d.adopt(k, *s.answer)
			}
			applyChanges(d.local, s.pull)
			got, ok := d.local[k]
			switch {
			case s.want == nil && ok:
				t.Fatalf("device holds %+v, want no copy", got)
			case s.want != nil && !ok:
				t.Fatalf("device holds no copy, want %+v", *s.want)
			case s.want != nil && !reflect.DeepEqual(got, *s.want):
				t.Fatalf("device holds %+v, want %+v", got, *s.want)
			}
		})
	}
}

func TestFirstDifferent(t *testing.T) {
	want := normalize(map[string]any{"injured": 3, "needs": []string{"food"}, "location": map[string]any{"lat": 40.1, "lon": 70.2}})
	same := normalize(map[string]any{"injured": 3, "needs": []string{"food"}, "location": map[string]any{"lon": 70.2, "lat": 40.1}, "extra": "x"})
	if f := firstDifferent(want, same); f != "" {
		t.Fatalf("firstDifferent = %q for equal values", f)
	}
	other := normalize(map[string]any{"injured": 4, "needs": []string{"food"}, "location": map[string]any{"lat": 40.1, "lon": 70.2}})
	if f := firstDifferent(want, other); f != "injured" {
		t.Fatalf("firstDifferent = %q, want injured", f)
	}
}

// A mutation the server asks to send again stays queued, in order; every
// other result is final and counted once.
func TestDeviceSettle(t *testing.T) {
	d := newDevice(1, account{ID: "u"}, "t", nil, 10, new(atomic.Int64))
	d.queue = []mutation{{ID: "m1", Collection: "incident_reports", RecordID: "r1"}, {ID: "m2", Collection: "incident_reports", RecordID: "r2"}, {ID: "m3"}}
	left := d.settle(d.queue[:2], []result{
		{ID: "m1", Status: "applied", Rev: 1},
		{ID: "m2", Status: "rejected", Error: &mutationError{Code: "sync_retry_later"}},
	})
	if len(left) != 2 || left[0].ID != "m2" || left[1].ID != "m3" {
		t.Fatalf("queue after settle = %+v", left)
	}
	if _, ok := d.results["m1"]; !ok || len(d.results) != 1 || len(d.problems) != 0 {
		t.Fatalf("results %+v, problems %v", d.results, d.problems)
	}
	d.settle([]mutation{{ID: "m1", Collection: "incident_reports", RecordID: "r1"}}, []result{{ID: "m1", Status: "applied", Rev: 1}})
	if len(d.problems) != 1 {
		t.Fatalf("a second final result must be a problem, got %v", d.problems)
	}
}

// A reset is a problem in a fault run: nothing there justifies one, and a
// restart must keep checkpoints valid. The device still recovers from it.
func TestDeviceResetIsAProblem(t *testing.T) {
	pulls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		pulls++
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Query().Get("checkpoint") == "stale" {
			fmt.Fprint(w, `{"reset":true,"changes":[],"checkpoint":"","hasMore":false}`)
			return
		}
		fmt.Fprint(w, `{"changes":[],"checkpoint":"fresh","hasMore":false}`)
	}))
	defer srv.Close()
	d := newDevice(1, account{ID: "u"}, "t", &api{base: srv.URL, hc: srv.Client()}, 10, new(atomic.Int64))
	d.checkpoint = "stale"
	if _, err := d.pullAll(context.Background()); err != nil {
		t.Fatal(err)
	}
	if pulls != 2 || d.checkpoint != "fresh" || len(d.problems) != 1 || !strings.Contains(d.problems[0], "reset") {
		t.Fatalf("pulls %d, checkpoint %q, problems %v", pulls, d.checkpoint, d.problems)
	}
}

// A client keeps the highest position of answers that may arrive out of
// order.
func TestHighestPosition(t *testing.T) {
	for _, c := range []struct{ a, b, want string }{
		{"", "27.e1", "27.e1"},
		{"28.e1", "27.e1", "28.e1"},
		{"27.e1", "28.e1", "28.e1"},
		{"9.e1", "10.e2", "10.e2"},
		{"28.e1", "", "28.e1"},
		{"x.e1", "3.e1", "3.e1"},
	} {
		if got := highest(c.a, c.b); got != c.want {
			t.Errorf("highest(%q, %q) = %q, want %q", c.a, c.b, got, c.want)
		}
	}
}

func TestProcCPU(t *testing.T) {
	tests := []struct {
		name string
		line string
		want time.Duration
		err  bool
	}{
		{"plain", "4242 (aman) S 1 4242 4242 0 -1 4194560 21310 0 0 0 250 37 0 0 20 0 9 0 123 0 0", 2870 * time.Millisecond, false},
		{"name with spaces and parentheses", "7 (a) b (c)) R 1 7 7 0 -1 0 0 0 0 0 3 4 0 0 20 0 1 0 5", 70 * time.Millisecond, false},
		{"no name", "7 a R 1 7 7 0 -1 0 0 0 0 0 3 4", 0, true},
		{"truncated", "7 (a) R 1 7 7 0 -1 0 0 0 0 0 3", 0, true},
		{"not a number", "7 (a) R 1 7 7 0 -1 0 0 0 0 0 x 4 0", 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := procCPU([]byte(tc.line))
			if (err != nil) != tc.err {
				t.Fatalf("err = %v, want error %v", err, tc.err)
			}
			if got != tc.want {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}

// The subscriber rows at a tiny size: real SSE connections to the real
// server binary, subscribed by POST; the run fails if the coordinators or
// the writing volunteer received no event, and the events are counted.
func TestRTCostRun(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var out bytes.Buffer
	b, err := runRTCost(ctx, []string{"-runs", "1", "-subscribers", "10", "-push", "20", "-creates", "3", "-small", "2"}, &out)
	t.Log(out.String())
	if err != nil {
		t.Fatal(err)
	}
	_, _, _, _, events := rtNames(10)
	s, ok := b.rows[events]
	if !ok || len(s.vals) != 1 || s.vals[0] <= 0 {
		t.Fatalf("events received: %+v", s)
	}
	// every write reached the 2 coordinators (both topics: the report's
	// collection only) and the writing volunteer: 20 creates, 20 updates,
	// 3 REST creates, 2 pushes of 50
	const writes = 20 + 20 + 3 + 2*50
	if s.vals[0] < 3*writes {
		t.Fatalf("events received %v, want at least %d", s.vals[0], 3*writes)
	}
	for _, row := range []string{"push creates records/s, 10 subscribers / none", "50-mutation push p99, 10 subscribers / none"} {
		if r, ok := b.rows[row]; !ok || len(r.vals) != 1 || r.vals[0] <= 0 {
			t.Fatalf("row %q: %+v", row, r)
		}
	}
}

// TestDeviceRetryAfter: a simulated phone refused with 429 and
// Retry-After: 2 sends the request again no sooner than 2 s, and no later
// than its second of jitter allows (docs/operations.md asks clients to wait
// at least Retry-After).
func TestDeviceRetryAfter(t *testing.T) {
	var mu sync.Mutex
	var at []time.Time
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		at = append(at, time.Now())
		n := len(at)
		mu.Unlock()
		if n == 1 {
			w.Header().Set("Retry-After", "2")
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusTooManyRequests)
			w.Write([]byte(`{"status":429,"message":"Too many requests.","data":{"request":{"code":"rate_limited","message":"Too many requests."}}}`))
			return
		}
		w.Write([]byte(`{}`))
	}))
	defer srv.Close()
	a := &api{base: srv.URL, hc: srv.Client()}
	d := newDevice(1, account{ID: "u"}, "t", a, 10, new(atomic.Int64))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := d.retry(ctx, func() error {
		_, err := a.do(ctx, http.MethodGet, "/api/sync/v1/pull", nil, false, nil)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if len(at) != 2 {
		t.Fatalf("%d requests, want 2", len(at))
	}
	if wait := at[1].Sub(at[0]); wait < 2*time.Second || wait >= 4*time.Second {
		t.Errorf("waited %v after Retry-After: 2, want from 2 s to under 4 s", wait)
	}
	if d.limited != 1 {
		t.Errorf("limited %d, want 1", d.limited)
	}
}
