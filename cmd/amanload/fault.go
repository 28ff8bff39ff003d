package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/archive"
)

// faultConfig sizes a fault run.
type faultConfig struct {
	root      string
	devices   int
	mutations int     // per device
	batch     int     // mutations per push request
	rate      float64 // probability that a request meets a fault
	crash     bool
	kills     int
	restore   bool // back up at 1/3 of the run, restore that backup at 60 %
	limits    bool // keep the shipped rate limits on
	timeout   time.Duration
	keep      bool
}

func parseFaultFlags(args []string) (faultConfig, error) {
	var c faultConfig
	fs := flag.NewFlagSet("fault", flag.ContinueOnError)
	fs.StringVar(&c.root, "root", "", "repository root (default: the go.mod above the working dir)")
	fs.IntVar(&c.devices, "devices", 200, "simulated devices, one volunteer each")
	fs.IntVar(&c.mutations, "mutations", 50, "offline mutations per device (creates and edits)")
	fs.IntVar(&c.batch, "batch", 10, "mutations per push request")
	fs.Float64Var(&c.rate, "faults", 0.3, "probability that a request meets a network fault")
	fs.BoolVar(&c.crash, "crash", false, "kill the server with SIGKILL during the run and restart it")
	fs.IntVar(&c.kills, "kills", 3, "SIGKILLs in -crash mode")
	fs.BoolVar(&c.restore, "restore", false, "back the server up a third of the way in and restore that backup at 60 % (devices push their sent mutations again after a reset for history)")
	fs.BoolVar(&c.limits, "ratelimits", true, "keep the shipped rate limits (every device shares 127.0.0.1, like phones behind one carrier NAT)")
	fs.DurationVar(&c.timeout, "timeout", time.Hour, "give up after this long (a full-size run with crashes took 34 min on a loaded 2-core machine)")
	fs.BoolVar(&c.keep, "keep", false, "keep the temp data dir")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if c.devices < 1 || c.mutations < 5 || c.batch < 1 || c.batch > 500 || c.rate < 0 || c.rate >= 1 {
		return c, errors.New("fault: -devices ≥ 1, -mutations ≥ 5, 1 ≤ -batch ≤ 500, 0 ≤ -faults < 1")
	}
	var err error
	c.root, err = rootOr(c.root)
	return c, err
}

// faultReport is the outcome of a fault run; ok() is the verdict.
type faultReport struct {
	Devices, Mutations       int
	Applied, Merged          int
	Lost, Duplicated         int
	Diverged, Problems       int
	Kills, Retries           int
	RateLimited              int
	Restored                 bool // the run restored a backup
	LostByRestore            int  // mutations acknowledged between the backup and its restore
	HistoryResets            int  // resets for history and 409 sync_history_changed the devices got
	PushedWithLost           int  // mutations pushed with the position the restore made void ("lost")
	Faults                   string
	Integrity                string
	Records, ExpectedRecords int
	LogRows, ExpectedLogRows int
	Duration                 time.Duration
	Details                  []string
}

func (r *faultReport) ok() bool {
	// a restore that took nothing from the server, or told no device,
	// tested nothing
	return r.Lost == 0 && r.Duplicated == 0 && r.Diverged == 0 && r.Problems == 0 &&
		(!r.Restored || r.LostByRestore > 0 && r.HistoryResets > 0 && r.PushedWithLost > 0) &&
		r.Integrity == "ok" && r.Records == r.ExpectedRecords && r.LogRows == r.ExpectedLogRows &&
		r.Applied+r.Merged == r.Mutations
}

func (r *faultReport) print(w io.Writer) {
	fmt.Fprintf(w, "devices %d, mutations %d (applied %d, merged %d), retries %d (of them after a 429: %d), kills %d, %v\n",
		r.Devices, r.Mutations, r.Applied, r.Merged, r.Retries, r.RateLimited, r.Kills, r.Duration.Round(time.Millisecond))
	fmt.Fprintf(w, "faults: %s\n", r.Faults)
	if r.Restored {
		fmt.Fprintf(w, "restored a backup that lacks %d acknowledged mutations; the devices were told %d times (reset for history or 409) and pushed their sent mutations again (%d mutations with \"lost\")\n",
			r.LostByRestore, r.HistoryResets, r.PushedWithLost)
	}
	fmt.Fprintf(w, "records on server %d (expected %d), change-log rows %d (expected %d)\n",
		r.Records, r.ExpectedRecords, r.LogRows, r.ExpectedLogRows)
	fmt.Fprintf(w, "lost %d, duplicated %d, diverged devices %d, protocol problems %d, integrity_check %s\n",
		r.Lost, r.Duplicated, r.Diverged, r.Problems, r.Integrity)
	for i, d := range r.Details {
		if i == 20 {
			fmt.Fprintf(w, "  ... %d more\n", len(r.Details)-20)
			break
		}
		fmt.Fprintln(w, "  "+d)
	}
	if r.ok() {
		fmt.Fprintln(w, "PASS")
	} else {
		fmt.Fprintln(w, "FAIL")
	}
}

func runFault(ctx context.Context, args []string, out io.Writer) (*faultReport, error) {
	cfg, err := parseFaultFlags(args)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.timeout)
	defer cancel()
	srv, done, err := newTempServer(ctx, cfg.root, "amanload-fault-", cfg.keep, out)
	if err != nil {
		return nil, err
	}
	defer done()
	f := &faultRun{cfg: cfg, srv: srv, out: out, stats: &faultStats{}}
	rep, err := f.run(ctx)
	if rep != nil {
		rep.print(out)
	}
	if err == nil && !rep.ok() {
		err = errors.New("fault run failed its checks")
	}
	return rep, err
}

// faultRun is one fault session.
type faultRun struct {
	cfg   faultConfig
	srv   *serverProc
	out   io.Writer
	stats *faultStats
	su    account
	users []account
	kills int
	// acknowledged mutations when the backup was made, and how many more
	// there were when it was restored (their writes are not in it)
	ackedAtBackup, lostByRestore int64
}

// errNoSync reports a server without the protocol v1 routes.
var errNoSync = errors.New("the server has no /api/sync/v1 routes")

func (f *faultRun) run(ctx context.Context) (*faultReport, error) {
	if err := f.seed(); err != nil {
		return nil, err
	}
	if err := f.srv.start(ctx); err != nil {
		return nil, err
	}
	probe := &api{base: f.srv.url(""), token: f.users[0].Token, hc: http.DefaultClient}
	var se *statusError
	if _, _, err := probe.pull(ctx, syncedCollections, "", 1); errors.As(err, &se) && se.status == http.StatusNotFound {
		return nil, errNoSync
	}
	start := time.Now()
	devices, transports, err := f.drive(ctx)
	if err != nil {
		return nil, err
	}
	for _, t := range transports {
		t.wait()
	}
	rep, err := f.verify(ctx, devices)
	if err != nil {
		return nil, err
	}
	rep.Duration = time.Since(start)
	rep.Kills = f.kills
	rep.Restored = f.cfg.restore
	rep.LostByRestore = int(f.lostByRestore)
	rep.Faults = f.stats.String()
	if err := f.srv.stop(); err != nil {
		return rep, err
	}
	if err := f.checkDB(rep); err != nil {
		return rep, err
	}
	return rep, nil
}

func (f *faultRun) seed() error {
	app, err := openApp(f.cfg.root, f.srv.dir)
	if err != nil {
		return err
	}
	err = func() error {
		s := app.Settings()
		s.RateLimits.Enabled = f.cfg.limits
		if err := app.Save(s); err != nil {
			return fmt.Errorf("settings: %w", err)
		}
		if f.su, err = seedSuperuser(app); err != nil {
			return err
		}
		f.users, err = seedUsers(app, "fvol", "volunteer", f.cfg.devices)
		return err
	}()
	return errors.Join(err, closeApp(app))
}

// drive runs every device at once through its own faulty link, and in
// -crash mode kills the server as the acknowledged mutations pass each
// 1/(kills+1) of the total.
func (f *faultRun) drive(ctx context.Context) ([]*device, []*faultTransport, error) {
	var acked atomic.Int64
	runID := fmt.Sprintf("%x", time.Now().UnixNano()&0xffffff)
	devices := make([]*device, f.cfg.devices)
	transports := make([]*faultTransport, f.cfg.devices)
	for i, u := range f.users {
		transports[i] = newFaultTransport(&http.Transport{MaxIdleConnsPerHost: 2}, f.cfg.rate, uint64(i), f.stats)
		// half the phones upload gzip, as an app should; the others plain,
		// as an older app or a hand-written client does. Independently,
		// half ask for brief push answers: their copies then converge
		// through the pulls alone
		a := &api{base: f.srv.url(""), token: u.Token, hc: &http.Client{Transport: transports[i], Timeout: 60 * time.Second},
			gzipUploads: i%2 == 0, briefPushes: i/2%2 == 0}
		devices[i] = newDevice(i, u, runID, a, f.cfg.batch, &acked)
		devices[i].restoring = f.cfg.restore
	}
	total := int64(f.cfg.devices * f.cfg.mutations)
	crashDone := make(chan error, 1)
	stop := make(chan struct{})
	go func() { crashDone <- f.events(ctx, &acked, total, stop) }()

	errs := make([]error, len(devices))
	var wg sync.WaitGroup
	for i, d := range devices {
		wg.Go(func() { errs[i] = d.run(ctx, f.cfg.mutations) })
	}
	wg.Wait()
	close(stop)
	if err := errors.Join(errors.Join(errs...), <-crashDone); err != nil {
		return devices, transports, err
	}
	if f.cfg.restore {
		// phones that were done before the restore learn of it when they
		// next come online: each syncs once more
		for i, d := range devices {
			wg.Go(func() { errs[i] = d.sync(ctx) })
		}
		wg.Wait()
	}
	return devices, transports, errors.Join(errs...)
}

// event is something done to the server once the acknowledged mutations
// pass a share of the total.
type event struct {
	at   float64
	name string
	do   func(context.Context) error
}

// events kills the server in -crash mode as the acknowledged mutations
// pass each 1/(kills+1) of the total, and in -restore mode backs it up at
// 1/3 and restores that backup at 60 %.
func (f *faultRun) events(ctx context.Context, acked *atomic.Int64, total int64, stop chan struct{}) error {
	var evs []event
	if f.cfg.crash {
		for k := 1; k <= f.cfg.kills; k++ {
			evs = append(evs, event{float64(k) / float64(f.cfg.kills+1), fmt.Sprintf("SIGKILL %d", k), f.crash})
		}
	}
	if f.cfg.restore {
		backup := func(ctx context.Context) error {
			err := f.backup(ctx)
			f.ackedAtBackup = acked.Load()
			return err
		}
		restore := func(ctx context.Context) error {
			// the restore must take something away: wait for a tenth of the
			// run to be acknowledged after the backup was complete
			for acked.Load() < f.ackedAtBackup+max(1, total/10) {
				select {
				case <-stop:
					return errors.New("run ended before mutations were acknowledged after the backup")
				case <-ctx.Done():
					return ctx.Err()
				case <-time.After(5 * time.Millisecond):
				}
			}
			f.lostByRestore = acked.Load() - f.ackedAtBackup
			return f.restore(ctx)
		}
		evs = append(evs, event{1.0 / 3, "backup", backup}, event{0.6, "restore of that backup", restore})
	}
	slices.SortStableFunc(evs, func(a, b event) int { return cmp.Compare(a.at, b.at) })
	for _, ev := range evs {
		threshold := int64(float64(total) * ev.at)
		for acked.Load() < threshold {
			select {
			case <-stop:
				return fmt.Errorf("run ended before the %s", ev.name)
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(5 * time.Millisecond):
			}
		}
		if err := ev.do(ctx); err != nil {
			return fmt.Errorf("%s: %w", ev.name, err)
		}
		fmt.Fprintf(f.out, "%s at %d/%d acknowledged mutations\n", ev.name, acked.Load(), total)
	}
	return nil
}

func (f *faultRun) crash(ctx context.Context) error {
	if err := f.srv.kill(); err != nil {
		return err
	}
	f.kills++
	time.Sleep(300 * time.Millisecond)
	return f.srv.start(ctx)
}

// backupName is the backup a -restore run makes and restores.
const backupName = "amanload.zip"

// backup makes a backup through PocketBase's API, as an administrator
// (or the nightly cron) does, while the devices go on syncing.
func (f *faultRun) backup(ctx context.Context) error {
	su := &api{base: f.srv.url(""), token: f.su.Token, hc: http.DefaultClient}
	_, err := su.do(ctx, http.MethodPost, "/api/backups", []byte(`{"name":"`+backupName+`"}`), false, nil)
	return err
}

// restore puts the backup's files in place of the data dir's with the
// server stopped, as PocketBase's restore does before it starts the server
// again (or a Litestream restore), and starts the server on them.
func (f *faultRun) restore(ctx context.Context) error {
	if err := f.srv.kill(); err != nil {
		return err
	}
	if err := restoreFiles(f.srv.dir, filepath.Join(f.srv.dir, core.LocalBackupsDirName, backupName)); err != nil {
		return err
	}
	return f.srv.start(ctx)
}

// restoreFiles replaces every entry of dataDir but its backups with the
// files of the backup archive.
func restoreFiles(dataDir, archivePath string) error {
	staged, err := os.MkdirTemp(filepath.Dir(dataDir), "restore-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(staged)
	if err := archive.Extract(archivePath, staged); err != nil {
		return fmt.Errorf("extract backup: %w", err)
	}
	entries, err := os.ReadDir(dataDir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.Name() == core.LocalBackupsDirName {
			continue
		}
		if err := os.RemoveAll(filepath.Join(dataDir, e.Name())); err != nil {
			return err
		}
	}
	extracted, err := os.ReadDir(staged)
	if err != nil {
		return err
	}
	for _, e := range extracted {
		if err := os.Rename(filepath.Join(staged, e.Name()), filepath.Join(dataDir, e.Name())); err != nil {
			return err
		}
	}
	return nil
}

// checkDB opens data.db read-only after the server stopped and runs
// PRAGMA integrity_check, and counts the change-log rows.
func (f *faultRun) checkDB(rep *faultReport) error {
	db, err := openReadOnly(filepath.Join(f.srv.dir, "data.db"))
	if err != nil {
		return err
	}
	defer db.Close()
	var res []string
	if err := db.NewQuery("PRAGMA integrity_check").Column(&res); err != nil {
		return fmt.Errorf("integrity_check: %w", err)
	}
	rep.Integrity = fmt.Sprint(res)
	if len(res) == 1 {
		rep.Integrity = res[0]
	}
	err = db.NewQuery("SELECT COUNT(*) FROM _aman_changes WHERE collection IN ('incident_reports', 'aid_requests')").Row(&rep.LogRows)
	if err != nil {
		return fmt.Errorf("count change log: %w", err)
	}
	return nil
}
