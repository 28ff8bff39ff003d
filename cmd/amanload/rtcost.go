package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// What realtime subscribers cost writes. PocketBase judges every
// subscription to a record's collection after each write of the record
// (a query of the collection's rule, another of the subscription's
// filter), and Aman judges those subscriptions once more before each
// update and again after it (security/realtime_left.go). These rows write
// with N real subscribers connected (SSE connections to /api/realtime,
// subscribed with POSTs as the review screen and the SDK do) and compare
// each rate with N = 0 in the same run.

// rtSizes sizes one subscriber step.
type rtSizes struct {
	push    int // records pushed as creates, then as updates, 500 a request
	creates int // sequential REST creates
	small   int // sequential 50-mutation pushes (25 creates, 25 updates) for p99
}

// rtcostConfig is the rtcost subcommand's configuration.
type rtcostConfig struct {
	root        string
	runs        int
	subscribers []int
	sizes       rtSizes
	keep        bool
}

// parseCounts reads a comma-separated list of subscriber counts; 0 is
// always measured first, as the baseline of the ratios.
func parseCounts(s string) ([]int, error) {
	counts := []int{0}
	for f := range strings.SplitSeq(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil || n < 0 || n > 2000 {
			return nil, fmt.Errorf("subscriber count %q: want 0..2000", f)
		}
		if !slices.Contains(counts, n) {
			counts = append(counts, n)
		}
	}
	slices.Sort(counts)
	return counts, nil
}

func parseRTCostFlags(args []string) (rtcostConfig, error) {
	var c rtcostConfig
	var counts string
	fs := flag.NewFlagSet("rtcost", flag.ContinueOnError)
	fs.StringVar(&c.root, "root", "", "repository root (default: the go.mod above the working dir)")
	fs.IntVar(&c.runs, "runs", 3, "runs of every measurement (min/median/max)")
	fs.StringVar(&counts, "subscribers", "0,50,200", "realtime subscriber counts, comma-separated (0 is always measured)")
	fs.IntVar(&c.sizes.push, "push", 500, "records pushed as creates and then as updates, per count")
	fs.IntVar(&c.sizes.creates, "creates", 50, "sequential REST creates per count")
	fs.IntVar(&c.sizes.small, "small", 10, "sequential 50-mutation pushes per count, for the p99")
	fs.BoolVar(&c.keep, "keep", false, "keep the temp data dir")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	var err error
	if c.subscribers, err = parseCounts(counts); err != nil {
		return c, err
	}
	if c.runs < 1 || c.sizes.push < 2 || c.sizes.creates < 1 || c.sizes.small < 1 {
		return c, errors.New("rtcost: -runs ≥ 1, -push ≥ 2, -creates ≥ 1, -small ≥ 1")
	}
	c.root, err = rootOr(c.root)
	return c, err
}

// runRTCost is `amanload rtcost`: the subscriber rows alone, on a server
// holding 1,000 reports.
func runRTCost(ctx context.Context, args []string, out io.Writer) (*bench, error) {
	cfg, err := parseRTCostFlags(args)
	if err != nil {
		return nil, err
	}
	most := slices.Max(cfg.subscribers)
	bcfg := benchConfig{root: cfg.root, runs: cfg.runs, records: 1000, devices: mixOf(most).volunteers,
		memPulls: max(1, mixOf(most).coordinators), keep: cfg.keep}
	srv, done, err := newTempServer(ctx, cfg.root, "amanload-rtcost-", cfg.keep, out)
	if err != nil {
		return nil, err
	}
	defer done()
	srv.env = realtimeUnbounded()
	b := &bench{cfg: bcfg, out: out, srv: srv, rows: map[string]*series{}, rtSizes: cfg.sizes, rtCounts: cfg.subscribers}
	if err := b.setup(); err != nil {
		return nil, err
	}
	err = b.srv.start(ctx)
	if err == nil {
		for i := range cfg.runs {
			fmt.Fprintf(out, "run %d/%d\n", i+1, cfg.runs)
			if err = b.subscriberRows(ctx); err != nil {
				err = fmt.Errorf("run %d: %w", i+1, err)
				break
			}
			b.printRun(i)
		}
	}
	rows := make([]*series, 0, len(b.order))
	for _, name := range b.order {
		rows = append(rows, b.rows[name])
	}
	fmt.Fprintln(out)
	table(out, rows)
	return b, err
}

// subscriberMix is how N subscribers divide: a fifth coordinators (the
// review screen's lists: incident_reports and aid_requests), half
// volunteers (their own reports and requests, through the same topics and
// the collections' rules), the rest anonymous readers of updates, each
// from an address of its own (the anonymous budget counts per address).
type subscriberMix struct {
	coordinators, volunteers, anonymous int
}

func mixOf(n int) subscriberMix {
	m := subscriberMix{coordinators: n / 5, volunteers: n / 2}
	m.anonymous = n - m.coordinators - m.volunteers
	return m
}

// subscriber is one realtime connection and what it received.
type subscriber struct {
	kind   string
	cancel context.CancelFunc
	events atomic.Int64
	done   chan struct{}
}

// rtNames are the rows' names for n subscribers.
func rtNames(n int) (push, update, rest, p99, events string) {
	return fmt.Sprintf("push creates, 500 a request, %d realtime subscribers", n),
		fmt.Sprintf("push updates, 500 a request, %d realtime subscribers", n),
		fmt.Sprintf("REST create, sequential, %d realtime subscribers", n),
		fmt.Sprintf("50-mutation push (25 creates, 25 updates) p99, %d realtime subscribers", n),
		fmt.Sprintf("events received by coordinators and volunteers, %d realtime subscribers", n)
}

// subscriberRows measures every count of b.rtCounts in turn.
func (b *bench) subscriberRows(ctx context.Context) error {
	for _, n := range b.rtCounts {
		if err := b.withSubscribers(ctx, n); err != nil {
			return fmt.Errorf("%d subscribers: %w", n, err)
		}
	}
	b.subscriberRatios()
	return nil
}

// withSubscribers connects n subscribers, writes, and checks that the
// subscribers that may see the writes were sent them: a subscription
// that silently received nothing would measure nothing.
func (b *bench) withSubscribers(ctx context.Context, n int) error {
	subs, err := b.connectSubscribers(ctx, n)
	defer func() {
		for _, s := range subs {
			s.cancel()
			<-s.done
		}
	}()
	if err != nil {
		return err
	}
	pushName, updateName, restName, p99Name, eventsName := rtNames(n)
	a := b.api(b.vol)
	rng := rand.New(rand.NewPCG(uint64(b.seq), 6))
	client := "rtcost-" + b.nextID()

	// creates, 500 a request (the last request takes the rest)
	var creates []pushRequest
	for left := b.rtSizes.push; left > 0; left -= 500 {
		req := pushRequest{Client: client, Mutations: make([]mutation, min(500, left))}
		for j := range req.Mutations {
			req.Mutations[j] = mutation{ID: b.nextID(), Collection: "incident_reports", RecordID: b.nextID(), Data: reportData(rng, b.vol.ID)}
		}
		creates = append(creates, req)
	}
	answers, _, err := b.timedPushes(ctx, a, pushName, fmt.Sprintf("push creates, %d subscribers", n), creates)
	if err != nil {
		return err
	}
	// updates of the same records, 500 a request: what realtime_left.go
	// judges before each write
	updates := make([]pushRequest, len(creates))
	for i, req := range creates {
		updates[i] = pushRequest{Client: client, Mutations: make([]mutation, len(req.Mutations))}
		for j, m := range req.Mutations {
			updates[i].Mutations[j] = mutation{ID: b.nextID(), Collection: m.Collection, RecordID: m.RecordID,
				BaseRev: answers[i].Results[j].Rev, Data: map[string]any{"description": randomText(rng, 300)}}
		}
	}
	if _, _, err := b.timedPushes(ctx, a, updateName, fmt.Sprintf("push updates, %d subscribers", n), updates); err != nil {
		return err
	}
	if err := b.restCreatesN(ctx, restName, fmt.Sprintf("REST create, %d subscribers", n), b.rtSizes.creates, 7); err != nil {
		return err
	}
	if err := b.smallPushes(ctx, rng, client, p99Name); err != nil {
		return err
	}
	return b.checkEvents(subs, n, eventsName)
}

// timedPushes pushes reqs in order, gzip-compressed answers asked for as
// a phone asks, timed; the bodies are encoded before the clock starts and
// the answers decoded and checked after it stops (the client shares the
// server's cores). It returns the answers decoded and as they crossed the
// network.
func (b *bench) timedPushes(ctx context.Context, a *api, name, label string, reqs []pushRequest) ([]pushResponse, []answer, error) {
	bodies := make([][]byte, len(reqs))
	total := 0
	for i, req := range reqs {
		var err error
		if bodies[i], err = json.Marshal(req); err != nil {
			return nil, nil, err
		}
		total += len(req.Mutations)
	}
	raw := make([]answer, len(bodies))
	err := b.timed(name, label, total, func() error {
		for i, body := range bodies {
			ans, err := a.exchange(ctx, http.MethodPost, "/api/sync/v1/push", body, true)
			if err != nil {
				return fmt.Errorf("push: %w", err)
			}
			raw[i] = ans
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	res := make([]pushResponse, len(raw))
	for i, ans := range raw {
		if err := ans.decode(&res[i]); err != nil {
			return nil, nil, fmt.Errorf("push: %w", err)
		}
		if len(res[i].Results) != len(reqs[i].Mutations) {
			return nil, nil, fmt.Errorf("push: %w: %d results for %d mutations", errProtocol, len(res[i].Results), len(reqs[i].Mutations))
		}
		if err := allApplied(res[i]); err != nil {
			return nil, nil, err
		}
	}
	return res, raw, nil
}

// smallPushes: sequential pushes of 50 mutations as a phone sends them
// (25 new reports and 25 edits of the previous push's), their p99.
func (b *bench) smallPushes(ctx context.Context, rng *rand.Rand, client, name string) error {
	a := b.api(b.vol)
	lat := make([]time.Duration, 0, b.rtSizes.small)
	var last []result
	var lastReq []mutation
	for range b.rtSizes.small {
		req := pushRequest{Client: client, Mutations: make([]mutation, 0, 50)}
		for range 25 {
			req.Mutations = append(req.Mutations, mutation{ID: b.nextID(), Collection: "incident_reports", RecordID: b.nextID(), Data: reportData(rng, b.vol.ID)})
		}
		for j, r := range last {
			if j >= 25 || lastReq[j].Delete || lastReq[j].BaseRev != 0 {
				break
			}
			req.Mutations = append(req.Mutations, mutation{ID: b.nextID(), Collection: "incident_reports", RecordID: lastReq[j].RecordID,
				BaseRev: r.Rev, Data: map[string]any{"description": randomText(rng, 300)}})
		}
		for len(req.Mutations) < 50 { // the first push: 50 creates
			req.Mutations = append(req.Mutations, mutation{ID: b.nextID(), Collection: "incident_reports", RecordID: b.nextID(), Data: reportData(rng, b.vol.ID)})
		}
		start := time.Now()
		res, _, err := a.push(ctx, req)
		lat = append(lat, time.Since(start))
		if err != nil {
			return fmt.Errorf("50-mutation push: %w", err)
		}
		if err := allApplied(res); err != nil {
			return err
		}
		last, lastReq = res.Results, req.Mutations
	}
	b.series(name, "ms").add(ms(percentile(lat, 0.99)))
	return nil
}

// checkEvents fails when the coordinators or the volunteer who wrote
// (subscribed to their own) received nothing, and records what the
// coordinators and volunteers received.
func (b *bench) checkEvents(subs []*subscriber, n int, name string) error {
	if n == 0 {
		return nil
	}
	// events are sent after the write's answer: they are counted once
	// the count has stood still for a quarter of a second
	deadline := time.Now().Add(5 * time.Second)
	last := int64(-1)
	for {
		got := map[string]int64{}
		for _, s := range subs {
			got[s.kind] += s.events.Load()
		}
		m := mixOf(n)
		ok := (m.coordinators == 0 || got["coordinator"] > 0) && (m.volunteers == 0 || got["volunteer"] > 0)
		total := got["coordinator"] + got["volunteer"]
		if ok && (total == last || time.Now().After(deadline)) {
			b.series(name, "events").add(float64(total))
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("subscribers received no events: %v (coordinators %d, volunteers %d)", got, m.coordinators, m.volunteers)
		}
		last = total
		time.Sleep(250 * time.Millisecond)
	}
}

// connectSubscribers opens n realtime connections of subscriberMix(n):
// coordinators and volunteers signed in (the first volunteer is the
// writer, subscribed to their own), anonymous ones each from a loopback
// address of its own.
func (b *bench) connectSubscribers(ctx context.Context, n int) ([]*subscriber, error) {
	m := mixOf(n)
	if m.coordinators > len(b.coords) || m.volunteers > len(b.devs)+1 {
		return nil, fmt.Errorf("%d subscribers need %d coordinators and %d volunteers: seeded %d and %d", n, m.coordinators, m.volunteers, len(b.coords), len(b.devs)+1)
	}
	var subs []*subscriber
	add := func(kind string, token string, local net.IP, topics []string) error {
		s, err := b.subscribe(ctx, kind, token, local, topics)
		if err != nil {
			return fmt.Errorf("%s subscriber %d: %w", kind, len(subs), err)
		}
		subs = append(subs, s)
		return nil
	}
	field := []string{"incident_reports/*", "aid_requests/*"}
	for i := range m.coordinators {
		if err := add("coordinator", b.coords[i].Token, nil, field); err != nil {
			return subs, err
		}
	}
	for i := range m.volunteers {
		token := b.vol.Token
		if i > 0 {
			token = b.devs[i-1].Token
		}
		if err := add("volunteer", token, nil, field); err != nil {
			return subs, err
		}
	}
	for i := range m.anonymous {
		local := net.IPv4(127, 0, byte(1+i/250), byte(1+i%250))
		if err := add("anonymous", "", local, []string{"updates/*"}); err != nil {
			return subs, err
		}
	}
	return subs, nil
}

// subscribe opens one SSE connection to /api/realtime, reads its client
// id and subscribes it to topics with a POST from the same address,
// then counts the events it receives until cancelled.
func (b *bench) subscribe(ctx context.Context, kind, token string, local net.IP, topics []string) (*subscriber, error) {
	dialer := &net.Dialer{Timeout: 10 * time.Second}
	if local != nil {
		dialer.LocalAddr = &net.TCPAddr{IP: local}
	}
	hc := &http.Client{Transport: &http.Transport{DialContext: dialer.DialContext, DisableCompression: true}}
	sctx, cancel := context.WithCancel(ctx)
	req, err := http.NewRequestWithContext(sctx, http.MethodGet, b.srv.url("/api/realtime"), nil)
	if err != nil {
		cancel()
		return nil, err
	}
	res, err := hc.Do(req)
	if err != nil {
		cancel()
		return nil, err
	}
	if res.StatusCode != http.StatusOK {
		res.Body.Close()
		cancel()
		return nil, fmt.Errorf("connect: http %d", res.StatusCode)
	}
	s := &subscriber{kind: kind, cancel: cancel, done: make(chan struct{})}
	ids := make(chan string, 1)
	go func() {
		defer close(s.done)
		defer res.Body.Close()
		sc := bufio.NewScanner(res.Body)
		sc.Buffer(make([]byte, 64<<10), 4<<20)
		var event string
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event:"):
				event = strings.TrimPrefix(line, "event:")
			case strings.HasPrefix(line, "data:") && event == "PB_CONNECT":
				var c struct {
					ClientID string `json:"clientId"`
				}
				_ = json.Unmarshal([]byte(strings.TrimPrefix(line, "data:")), &c)
				ids <- c.ClientID
			case strings.HasPrefix(line, "data:"):
				s.events.Add(1)
			}
		}
	}()
	var id string
	select {
	case id = <-ids:
	case <-time.After(10 * time.Second):
		cancel()
		<-s.done
		return nil, errors.New("no PB_CONNECT event")
	}
	body, _ := json.Marshal(map[string]any{"clientId": id, "subscriptions": topics})
	a := &api{base: b.srv.url(""), token: token, hc: hc}
	if _, err := a.do(ctx, http.MethodPost, "/api/realtime", body, false, nil); err != nil {
		cancel()
		<-s.done
		return nil, fmt.Errorf("subscribe: %w", err)
	}
	return s, nil
}

// subscriberRatios adds, for the run just measured, each count's figures
// as ratios to no subscribers: only ratios within one run compare, on a
// machine shared with other work.
func (b *bench) subscriberRatios() {
	last := func(name string) float64 {
		if s, ok := b.rows[name]; ok && len(s.vals) > 0 {
			return s.vals[len(s.vals)-1]
		}
		return 0
	}
	push0, update0, rest0, p990, _ := rtNames(0)
	for _, n := range b.rtCounts {
		if n == 0 {
			continue
		}
		push, update, rest, p99, _ := rtNames(n)
		for _, r := range []struct{ what, name, base string }{
			{"push creates records/s", push, push0},
			{"push updates records/s", update, update0},
			{"REST creates records/s", rest, rest0},
			{"50-mutation push p99", p99, p990},
		} {
			if v, v0 := last(r.name), last(r.base); v > 0 && v0 > 0 {
				b.series(fmt.Sprintf("%s, %d subscribers / none", r.what, n), "ratio").add(v / v0)
			}
		}
	}
}
