package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"sync"
	"time"

	"github.com/pocketbase/pocketbase/core"
)

// benchConfig sizes a bench run; the defaults are the sizes issue 5 names.
type benchConfig struct {
	root     string
	runs     int
	records  int // records for paging, polling and the initial pull
	huge     int // log rows for the last empty-pull size (0 skips it)
	creates  int // sequential REST creates per run
	batches  int // batches (and pushes) of 500 per run
	devices  int // concurrent devices pushing 50 mutations each
	memPulls int // concurrent initial syncs for the memory figure
	rtSubs   int // realtime subscribers for the subscriber rows (0 skips)
	keep     bool
}

func parseBenchFlags(args []string) (benchConfig, error) {
	var c benchConfig
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.StringVar(&c.root, "root", "", "repository root (default: the go.mod above the working dir)")
	fs.IntVar(&c.runs, "runs", 5, "runs of every measurement (min/median/max)")
	fs.IntVar(&c.records, "records", 100_000, "incident reports for list paging, polling and the initial pull")
	fs.IntVar(&c.huge, "huge", 1_000_000, "log rows for the largest empty incremental pull (0 skips)")
	fs.IntVar(&c.creates, "creates", 500, "sequential REST creates per run")
	fs.IntVar(&c.batches, "batches", 4, "requests of 500 per run for /api/batch and for sync push")
	fs.IntVar(&c.devices, "devices", 200, "devices pushing 50 mutations at once (0 skips)")
	fs.IntVar(&c.memPulls, "mempulls", 20, "concurrent full initial syncs for the peak-memory figure (0 skips)")
	fs.IntVar(&c.rtSubs, "subscribers", 200, "realtime subscribers for the rows of writes with and without them (0 skips; amanload rtcost measures more counts)")
	fs.BoolVar(&c.keep, "keep", false, "keep the temp data dir")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if c.rtSubs < 0 || c.rtSubs > 2000 {
		return c, errors.New("bench: -subscribers 0..2000")
	}
	if c.runs < 1 || c.records < 1000 || c.creates < 1 || c.batches < 1 {
		return c, errors.New("bench: -runs ≥ 1, -records ≥ 1000, -creates ≥ 1, -batches ≥ 1")
	}
	var err error
	c.root, err = rootOr(c.root)
	return c, err
}

// bench holds one bench session: one server, its accounts, the results.
type bench struct {
	cfg    benchConfig
	out    io.Writer
	srv    *serverProc
	su     account
	vol    account
	coord  account
	coords []account
	devs   []account
	seeded int // incident reports seeded so far (ids sd0..)
	seq    int // unique suffix for client and mutation ids
	sync   bool
	rows   map[string]*series
	order  []string
	// the realtime subscriber rows (rtcost.go): counts measured, sizes
	rtCounts []int
	rtSizes  rtSizes
}

func runBench(ctx context.Context, args []string, out io.Writer) error {
	cfg, err := parseBenchFlags(args)
	if err != nil {
		return err
	}
	srv, done, err := newTempServer(ctx, cfg.root, "amanload-bench-", cfg.keep, out)
	if err != nil {
		return err
	}
	defer done()
	b := &bench{cfg: cfg, out: out, srv: srv, rows: map[string]*series{}}
	if cfg.rtSubs > 0 {
		// smaller than rtcost's defaults: the rows add under a minute a run
		b.rtCounts = []int{0, cfg.rtSubs}
		b.rtSizes = rtSizes{push: 50, creates: 20, small: 3}
		srv.env = realtimeUnbounded()
	}
	if err := b.setup(); err != nil {
		return err
	}
	// Whatever was measured is printed, even when a later step fails.
	err = b.run(ctx)
	b.report()
	return err
}

// setup seeds the accounts and 1,000 reports and tunes the settings for
// measuring throughput: the rate limiter off (superusers bypass it anyway,
// volunteers would measure the limiter) and /api/batch at 500 a batch.
func (b *bench) setup() error {
	return b.withApp(func(app core.App) error {
		s := app.Settings()
		s.RateLimits.Enabled = false
		s.Batch.MaxRequests = 500
		s.Batch.Timeout = 60
		if err := app.Save(s); err != nil {
			return fmt.Errorf("bench settings: %w", err)
		}
		var err error
		if b.su, err = seedSuperuser(app); err != nil {
			return err
		}
		vols, err := seedUsers(app, "benchvol", "volunteer", 1)
		if err != nil {
			return err
		}
		b.vol = vols[0]
		coords := max(1, b.cfg.memPulls)
		for _, n := range b.rtCounts {
			coords = max(coords, mixOf(n).coordinators)
		}
		if b.coords, err = seedUsers(app, "benchcoord", "coordinator", coords); err != nil {
			return err
		}
		b.coord = b.coords[0]
		devs := b.cfg.devices
		for _, n := range b.rtCounts {
			devs = max(devs, mixOf(n).volunteers)
		}
		if b.devs, err = seedUsers(app, "benchdev", "volunteer", devs); err != nil {
			return err
		}
		return b.seedTo(app, 1000)
	})
}

// withApp runs fn on the data dir in process while the server is stopped.
func (b *bench) withApp(fn func(core.App) error) error {
	if err := b.srv.stop(); err != nil {
		return err
	}
	app, err := openApp(b.cfg.root, b.srv.dir)
	if err != nil {
		return err
	}
	return errors.Join(fn(app), closeApp(app))
}

func (b *bench) seedTo(app core.App, n int) error {
	start := time.Now()
	if err := seedReports(app, b.vol.ID, b.seeded, n-b.seeded); err != nil {
		return err
	}
	fmt.Fprintf(b.out, "seeded %d reports in %v\n", n-b.seeded, time.Since(start).Round(time.Millisecond))
	b.seeded = n
	return nil
}

func (b *bench) grow(ctx context.Context, n int) error {
	if err := b.withApp(func(app core.App) error { return b.seedTo(app, n) }); err != nil {
		return err
	}
	return b.srv.start(ctx)
}

func (b *bench) series(name, unit string) *series {
	if s, ok := b.rows[name]; ok {
		return s
	}
	s := &series{name: name, unit: unit}
	b.rows[name] = s
	b.order = append(b.order, name)
	return s
}

func (b *bench) api(a account) *api {
	return &api{base: b.srv.url(""), token: a.Token, hc: &http.Client{Timeout: 5 * time.Minute}}
}

func (b *bench) run(ctx context.Context) error {
	if err := b.srv.start(ctx); err != nil {
		return err
	}
	b.sync = b.hasSync(ctx)
	if !b.sync {
		fmt.Fprintln(b.out, "sync endpoints not found: measuring PocketBase's endpoints only")
	}
	if err := b.emptyPulls(ctx); err != nil {
		return err
	}
	if err := b.grow(ctx, b.cfg.records); err != nil {
		return err
	}
	for i := range b.cfg.runs {
		fmt.Fprintf(b.out, "run %d/%d\n", i+1, b.cfg.runs)
		if err := b.once(ctx); err != nil {
			return fmt.Errorf("run %d: %w", i+1, err)
		}
		b.printRun(i)
	}
	if err := b.loadFigures(ctx); err != nil {
		return err
	}
	if b.cfg.huge > b.seeded {
		if err := b.grow(ctx, b.cfg.huge); err != nil {
			return err
		}
		if err := b.emptyPulls(ctx); err != nil {
			return err
		}
	}
	return nil
}

func (b *bench) hasSync(ctx context.Context) bool {
	_, _, err := b.api(b.coord).pull(ctx, []string{"incident_reports"}, "", 1)
	var se *statusError
	return !(errors.As(err, &se) && se.status == http.StatusNotFound)
}

// once is one run of every throughput measurement, ours and PocketBase's
// side by side on the same server state.
func (b *bench) once(ctx context.Context) error {
	steps := []func(context.Context) error{b.restCreates, b.batchCreates, b.listPaging, b.poll}
	if b.sync {
		steps = append(steps, b.pushCreates, b.initialPull)
		if len(b.rtCounts) > 1 {
			steps = append(steps, b.subscriberRows)
		}
	}
	for _, step := range steps {
		if err := step(ctx); err != nil {
			return err
		}
	}
	if b.sync {
		return b.emptyPulls(ctx)
	}
	return nil
}

func (b *bench) nextID() string {
	b.seq++
	return fmt.Sprintf("bn%05d%08d", os.Getpid()%100000, b.seq)
}

// restCreates: sequential POST /api/collections/incident_reports/records.
func (b *bench) restCreates(ctx context.Context) error {
	return b.restCreatesN(ctx, "PocketBase REST create, sequential", "REST create", b.cfg.creates, 2)
}

// restCreatesN: n sequential REST creates of the bench's volunteer, the
// bodies encoded before the clock starts, as for batch and push.
func (b *bench) restCreatesN(ctx context.Context, name, label string, n int, seed uint64) error {
	a := b.api(b.vol)
	rng := rand.New(rand.NewPCG(uint64(b.seq), seed))
	bodies := make([][]byte, n)
	for i := range bodies {
		data := reportData(rng, b.vol.ID)
		data["id"] = b.nextID()
		bodies[i], _ = json.Marshal(data)
	}
	return b.timed(name, label, len(bodies), func() error {
		for _, body := range bodies {
			if _, err := a.do(ctx, http.MethodPost, "/api/collections/incident_reports/records", body, false, nil); err != nil {
				return fmt.Errorf("rest create: %w", err)
			}
		}
		return nil
	})
}

// batchCreates: /api/batch with 500 creates a request.
func (b *bench) batchCreates(ctx context.Context) error {
	a := b.api(b.vol)
	rng := rand.New(rand.NewPCG(uint64(b.seq), 3))
	bodies := make([][]byte, b.cfg.batches)
	for i := range bodies {
		reqs := make([]map[string]any, 500)
		for j := range reqs {
			data := reportData(rng, b.vol.ID)
			data["id"] = b.nextID()
			reqs[j] = map[string]any{"method": "POST", "url": "/api/collections/incident_reports/records", "body": data}
		}
		bodies[i], _ = json.Marshal(map[string]any{"requests": reqs})
	}
	return b.timed("PocketBase /api/batch, 500 a batch", "/api/batch", 500*len(bodies), func() error {
		for _, body := range bodies {
			if _, err := a.do(ctx, http.MethodPost, "/api/batch", body, false, nil); err != nil {
				return fmt.Errorf("batch: %w", err)
			}
		}
		return nil
	})
}

// pushCreates: sync push with 500 create mutations a request, answered
// gzip-compressed as a phone asks.
func (b *bench) pushCreates(ctx context.Context) error {
	rng := rand.New(rand.NewPCG(uint64(b.seq), 4))
	client := "bench-" + b.nextID()
	reqs := make([]pushRequest, b.cfg.batches)
	for i := range reqs {
		reqs[i] = pushRequest{Client: client, Mutations: make([]mutation, 500)}
		for j := range reqs[i].Mutations {
			reqs[i].Mutations[j] = mutation{ID: b.nextID(), Collection: "incident_reports", RecordID: b.nextID(), Data: reportData(rng, b.vol.ID)}
		}
	}
	_, answers, err := b.timedPushes(ctx, b.api(b.vol), "Aman sync push, 500 a request", "sync push", reqs)
	if err != nil {
		return err
	}
	// what a phone uploads for the same push, plain and gzip-compressed,
	// and what it downloads: the answer, as it crossed the network
	body, err := json.Marshal(reqs[0])
	if err != nil {
		return err
	}
	b.series("Aman sync push upload, 500 reports: gzip / plain", "ratio").add(float64(len(gzipped(body))) / float64(len(body)))
	b.series("Aman sync push upload (gzip)", "bytes/mutation").add(float64(len(gzipped(body))) / float64(len(reqs[0].Mutations)))
	b.series("Aman sync push answer (gzip)", "bytes/mutation").add(float64(answers[0].bytes) / float64(len(reqs[0].Mutations)))
	return b.briefAnswer(ctx, rng, client)
}

// briefAnswer pushes 500 more creates asking for a brief answer (brief=true:
// applied results without their record, docs/sync.md) and reports its size.
func (b *bench) briefAnswer(ctx context.Context, rng *rand.Rand, client string) error {
	a := b.api(b.vol)
	a.briefPushes = true
	req := pushRequest{Client: client, Mutations: make([]mutation, 500)}
	for j := range req.Mutations {
		req.Mutations[j] = mutation{ID: b.nextID(), Collection: "incident_reports", RecordID: b.nextID(), Data: reportData(rng, b.vol.ID)}
	}
	res, w, err := a.push(ctx, req)
	if err != nil {
		return fmt.Errorf("brief push: %w", err)
	}
	if err := allApplied(res); err != nil {
		return err
	}
	for _, r := range res.Results {
		if r.Record != nil {
			return fmt.Errorf("brief push: %w: mutation %s answered with its record", errProtocol, r.ID)
		}
	}
	b.series("Aman sync push answer (gzip), brief=true", "bytes/mutation").add(float64(w.bytes) / float64(len(req.Mutations)))
	return nil
}

// timed runs fn, which writes records records, and adds its rate to the
// series name and the server's CPU time per 500 records to "server CPU per
// 500 records: " + label. CPU time is the steadier figure on a shared
// machine: wall time counts whatever else ran.
func (b *bench) timed(name, label string, records int, fn func() error) error {
	cpu0, err := b.srv.cpuTime()
	if err != nil {
		return err
	}
	start := time.Now()
	if err := fn(); err != nil {
		return err
	}
	el := time.Since(start)
	cpu1, err := b.srv.cpuTime()
	if err != nil {
		return err
	}
	b.series(name, "records/s").add(float64(records) / el.Seconds())
	b.series("server CPU per 500 records: "+label, "ms").add(float64((cpu1 - cpu0).Milliseconds()) * 500 / float64(records))
	return nil
}

func allApplied(res pushResponse) error {
	for _, r := range res.Results {
		if r.Status != "applied" {
			e, _ := json.Marshal(r.Error)
			return fmt.Errorf("push: mutation %s %s: %s", r.ID, r.Status, e)
		}
	}
	return nil
}

// listPaging: the list API, 500 a page, skipTotal, as a coordinator (who
// may see every report, as in the initial pull).
func (b *bench) listPaging(ctx context.Context) error {
	a := b.api(b.coord)
	var n, bytes int64
	start := time.Now()
	for page := 1; ; page++ {
		var res struct {
			Items []json.RawMessage `json:"items"`
		}
		w, err := a.do(ctx, http.MethodGet, fmt.Sprintf("/api/collections/incident_reports/records?perPage=500&skipTotal=1&page=%d", page), nil, true, &res)
		if err != nil {
			return fmt.Errorf("list page %d: %w", page, err)
		}
		n += int64(len(res.Items))
		bytes += w.bytes
		if len(res.Items) < 500 {
			break
		}
	}
	el := time.Since(start)
	b.series("PocketBase list paging, 500 a page, skipTotal", "records/s").add(float64(n) / el.Seconds())
	b.series("PocketBase list paging bytes", "bytes/record").add(float64(bytes) / float64(n))
	b.series("records read by list paging and initial pull", "records").add(float64(n))
	return nil
}

// initialPull: a coordinator's first sync of incident_reports, gzip.
func (b *bench) initialPull(ctx context.Context) error {
	n, bytes, el, _, err := fullPull(ctx, b.api(b.coord), []string{"incident_reports"})
	if err != nil {
		return err
	}
	b.series("Aman initial pull, 1000 a page, gzip", "records/s").add(float64(n) / el.Seconds())
	b.series("Aman initial pull bytes (gzip)", "bytes/record").add(float64(bytes) / float64(n))
	return nil
}

// fullPull pulls collections from the start until hasMore is false.
func fullPull(ctx context.Context, a *api, collections []string) (n, bytes int64, el time.Duration, cp string, err error) {
	start := time.Now()
	for {
		res, w, err := a.pull(ctx, collections, cp, 1000)
		if err != nil {
			return n, bytes, 0, cp, fmt.Errorf("pull: %w", err)
		}
		n += int64(len(res.Changes))
		bytes += w.bytes
		cp = res.Checkpoint
		if !res.HasMore {
			return n, bytes, time.Since(start), cp, nil
		}
	}
}

// poll: "anything new since T?" through the list API, as a superuser: a
// non-superuser's empty filtered list is throttled (randomized 0-500 ms
// after 3 in 3 s per IP), which would measure the throttle, not the query.
// Two filters: updated > T, which the schema indexes
// (idx_incident_reports_updated), and created > T, which it does not, as
// on a collection without that index.
func (b *bench) poll(ctx context.Context) error {
	a := b.api(b.su)
	since := time.Now().UTC().Format("2006-01-02 15:04:05.000Z")
	for _, field := range []string{"updated", "created"} {
		path := "/api/collections/incident_reports/records?perPage=500&skipTotal=1&filter=" +
			url.QueryEscape(field+" > '"+since+"'")
		d, err := timeMedian(5, func() error {
			_, err := a.do(ctx, http.MethodGet, path, nil, false, nil)
			return err
		})
		if err != nil {
			return fmt.Errorf("poll: %w", err)
		}
		b.series(fmt.Sprintf("PocketBase poll: list filter %s > T, empty, %s, at %s", field, indexNote[field], b.sizeLabel()), "ms").add(ms(d))
	}
	return nil
}

var indexNote = map[string]string{"updated": "indexed", "created": "no index"}

// emptyPulls: an incremental pull with nothing new, at the log's size.
func (b *bench) emptyPulls(ctx context.Context) error {
	if !b.sync {
		return nil
	}
	a := b.api(b.coord)
	_, _, _, cp, err := fullPull(ctx, a, []string{"incident_reports"})
	if err != nil {
		return err
	}
	d, err := timeMedian(21, func() error {
		res, _, err := a.pull(ctx, []string{"incident_reports"}, cp, 1000)
		if err == nil && len(res.Changes) != 0 {
			err = fmt.Errorf("empty pull returned %d changes", len(res.Changes))
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("empty pull: %w", err)
	}
	b.series("Aman empty incremental pull at "+b.sizeLabel(), "ms").add(ms(d))
	return nil
}

// sizeLabel names the current size: the seeded reports (the log holds as
// many rows, plus the writes of earlier runs).
func (b *bench) sizeLabel() string { return b.sizeAt(b.seeded) }

func (b *bench) sizeAt(n int) string {
	switch {
	case n >= 1_000_000 && n%1_000_000 == 0:
		return fmt.Sprintf("%dM records", n/1_000_000)
	case n >= 1000 && n%1000 == 0:
		return fmt.Sprintf("%dk records", n/1000)
	}
	return fmt.Sprintf("%d records", n)
}

// timeMedian runs fn n times and returns the median duration.
func timeMedian(n int, fn func() error) (time.Duration, error) {
	d := make([]time.Duration, n)
	for i := range d {
		start := time.Now()
		if err := fn(); err != nil {
			return 0, err
		}
		d[i] = time.Since(start)
	}
	return percentile(d, 0.5), nil
}

// loadFigures: 200 devices pushing 50 mutations at once, and the server's
// peak memory while 20 coordinators run a full initial sync at once.
func (b *bench) loadFigures(ctx context.Context) error {
	if !b.sync {
		return nil
	}
	if b.cfg.devices > 0 {
		if err := b.devicesAtOnce(ctx); err != nil {
			return err
		}
	}
	if b.cfg.memPulls > 0 {
		return b.peakMemory(ctx)
	}
	return nil
}

func (b *bench) devicesAtOnce(ctx context.Context) error {
	devs := b.devs[:b.cfg.devices] // the subscriber rows may have seeded more
	lat := make([]time.Duration, len(devs))
	errs := make([]error, len(devs))
	reqs := make([]pushRequest, len(devs))
	for i, d := range devs {
		rng := rand.New(rand.NewPCG(uint64(i), 5))
		reqs[i] = pushRequest{Client: "dev-" + b.nextID(), Mutations: make([]mutation, 50)}
		for j := range reqs[i].Mutations {
			reqs[i].Mutations[j] = mutation{ID: b.nextID(), Collection: "incident_reports", RecordID: b.nextID(), Data: reportData(rng, d.ID)}
		}
	}
	var wg sync.WaitGroup
	for i, d := range devs {
		wg.Go(func() {
			start := time.Now()
			res, _, err := b.api(d).push(ctx, reqs[i])
			lat[i] = time.Since(start)
			if err == nil {
				err = allApplied(res)
			}
			errs[i] = err
		})
	}
	wg.Wait()
	var failed int
	for _, err := range errs {
		if err != nil {
			failed++
			fmt.Fprintf(b.out, "device push error: %v\n", err)
		}
	}
	b.series(fmt.Sprintf("%d devices pushing 50 mutations at once: errors", len(devs)), "count").add(float64(failed))
	b.series(fmt.Sprintf("%d devices pushing 50 mutations at once: p50", len(devs)), "ms").add(ms(percentile(lat, 0.5)))
	b.series(fmt.Sprintf("%d devices pushing 50 mutations at once: p99", len(devs)), "ms").add(ms(percentile(lat, 0.99)))
	return nil
}

// peakMemory restarts the server, so VmHWM covers only the concurrent
// initial syncs.
func (b *bench) peakMemory(ctx context.Context) error {
	if err := b.srv.stop(); err != nil {
		return err
	}
	if err := b.srv.start(ctx); err != nil {
		return err
	}
	coords := b.coords[:max(1, b.cfg.memPulls)] // the subscriber rows may have seeded more
	errs := make([]error, len(coords))
	var wg sync.WaitGroup
	start := time.Now()
	for i, c := range coords {
		wg.Go(func() { _, _, _, _, errs[i] = fullPull(ctx, b.api(c), []string{"incident_reports"}) })
	}
	wg.Wait()
	el := time.Since(start)
	if err := errors.Join(errs...); err != nil {
		return err
	}
	rss, err := b.srv.peakRSS()
	if err != nil {
		return err
	}
	name := fmt.Sprintf("server peak RSS, %d concurrent initial syncs of %d reports", len(coords), b.seeded)
	b.series(name, "MiB").add(float64(rss) / (1 << 20))
	b.series(fmt.Sprintf("%d concurrent initial syncs: wall time", len(coords)), "s").add(el.Seconds())
	return nil
}

// printRun prints run i's value of every series, as a progress line.
func (b *bench) printRun(i int) {
	for _, name := range b.order {
		if s := b.rows[name]; len(s.vals) > i {
			fmt.Fprintf(b.out, "  %s: %s %s\n", name, num(s.vals[i]), s.unit)
		}
	}
}

// report prints the table and the ratios issue 5 sets targets for.
func (b *bench) report() {
	rows := make([]*series, 0, len(b.order))
	for _, name := range b.order {
		rows = append(rows, b.rows[name])
	}
	fmt.Fprintln(b.out)
	table(b.out, rows)
	if !b.sync {
		return
	}
	med := func(name string) float64 {
		s, ok := b.rows[name]
		if !ok {
			return 0
		}
		_, m, _ := s.summary()
		return m
	}
	push := med("Aman sync push, 500 a request")
	fmt.Fprintln(b.out)
	fmt.Fprintln(b.out, "| ratio (medians) | value | target |")
	fmt.Fprintln(b.out, "|---|---:|---|")
	ratio := func(name string, v float64, target string) {
		if v > 0 && !math.IsInf(v, 0) {
			fmt.Fprintf(b.out, "| %s | %.2f× | %s |\n", name, v, target)
		}
	}
	ratio("push / batch records/s", push/med("PocketBase /api/batch, 500 a batch"), "≥ 3×")
	ratio("push / sequential REST records/s", push/med("PocketBase REST create, sequential"), "≥ 6×")
	pushCPU := med("server CPU per 500 records: sync push")
	ratio("server CPU per record, batch / push", med("server CPU per 500 records: /api/batch")/pushCPU, "(diagnostic)")
	ratio("server CPU per record, REST / push", med("server CPU per 500 records: REST create")/pushCPU, "(diagnostic)")
	ratio("initial pull / list paging records/s", med("Aman initial pull, 1000 a page, gzip")/med("PocketBase list paging, 500 a page, skipTotal"), "≥ 3×")
	ratio("initial pull / list paging bytes per record", med("Aman initial pull bytes (gzip)")/med("PocketBase list paging bytes"), "≤ 0.25×")
	at := b.sizeAt(b.cfg.records)
	for _, field := range []string{"updated", "created"} {
		poll := fmt.Sprintf("PocketBase poll: list filter %s > T, empty, %s, at %s", field, indexNote[field], at)
		ratio(fmt.Sprintf("list poll (%s, %s) / empty pull time at %s", field, indexNote[field], at), med(poll)/med("Aman empty incremental pull at "+at), "≥ 100×")
	}
	if b.cfg.huge > b.cfg.records {
		big := b.sizeAt(b.cfg.huge)
		ratio("empty pull "+big+" / 1k records", med("Aman empty incremental pull at "+big)/med("Aman empty incremental pull at 1k records"), "≤ 2×")
	}
}
