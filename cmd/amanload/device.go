package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// syncedCollections are what a volunteer's device keeps offline.
var syncedCollections = []string{"incident_reports", "aid_requests"}

type recKey struct{ collection, id string }

// localRec is a device's copy of a record, as pulled or as a push answered
// it. partial notes that the device took rev from a brief push answer
// (docs/sync.md, Writing a client) and lacks the server's fields at it.
type localRec struct {
	rev     int64
	deleted bool
	record  map[string]any
	partial bool
}

// device is one volunteer's phone: an offline queue of creates and edits,
// a local copy of what it may see, a checkpoint. It follows protocol v1
// like a careful client: it retries a push with the same mutation ids until
// every mutation has a final result, and stores a checkpoint only after
// applying the page it came with.
type device struct {
	n      int
	user   account
	client string
	api    *api
	rng    *rand.Rand
	batch  int
	acked  *atomic.Int64 // mutations with a final result, all devices

	queue      []mutation
	local      map[recKey]localRec
	checkpoint string
	seen       string // the position of the last push answer or pull page
	lost       string // the seen a restore made void: sent with pushes until the next whole pull
	nextMut    int
	nextRec    int

	// Ground truth of what this device sent.
	expected map[recKey]map[string]any // every field it set, edits applied
	edits    map[recKey]int            // edit mutations applied per record
	results  map[string]result         // the final result of each mutation
	sent     int                       // mutations queued
	retries  int                       // requests sent again after a failure
	limited  int                       // 429 answers among them
	problems []string                  // unexpected results

	// A restored server (-restore) answers reset for history; the device
	// then pushes again every mutation it sent (its journal), with their
	// ids, as docs/sync.md asks of a client.
	restoring      bool
	journal        []mutation      // mutations with a final result, in order
	counted        map[string]bool // mutations counted in acked
	historyResets  int
	pushedWithLost int // mutations pushed with lost set
}

func newDevice(n int, user account, runID string, a *api, batch int, acked *atomic.Int64) *device {
	return &device{
		n: n, user: user, api: a, batch: batch, acked: acked,
		client:   fmt.Sprintf("load-%s-%04d", runID, n),
		rng:      rand.New(rand.NewPCG(uint64(n), 11)),
		local:    map[recKey]localRec{},
		expected: map[recKey]map[string]any{},
		edits:    map[recKey]int{},
		results:  map[string]result{},
		counted:  map[string]bool{},
	}
}

// run plays the device's life: three offline sessions, each followed by a
// sync. The first only creates, the second creates and edits records synced
// in the first, the third only edits. Each record is edited at most once
// per session, from the rev the device last pulled, as a phone would.
func (d *device) run(ctx context.Context, mutations int) error {
	creates1 := mutations * 2 / 5
	creates2 := mutations / 5
	edits2 := (mutations - creates1 - creates2) / 2
	edits3 := mutations - creates1 - creates2 - edits2
	sessions := [][2]int{{creates1, 0}, {creates2, edits2}, {0, edits3}}
	for _, s := range sessions {
		d.offline(s[0], s[1])
		if err := d.sync(ctx); err != nil {
			return fmt.Errorf("device %d: %w", d.n, err)
		}
	}
	return nil
}

// offline queues creates and edits.
func (d *device) offline(creates, edits int) {
	for range creates {
		d.queueCreate()
	}
	known := slices.Collect(maps.Keys(d.local))
	slices.SortFunc(known, func(a, b recKey) int { return cmpKey(a, b) })
	d.rng.Shuffle(len(known), func(i, j int) { known[i], known[j] = known[j], known[i] })
	for i := 0; i < edits; i++ {
		if i >= len(known) {
			d.queueCreate() // fewer records than edits: keep the count
			continue
		}
		d.queueEdit(known[i])
	}
}

func cmpKey(a, b recKey) int {
	if a.collection != b.collection {
		return compare(a.collection, b.collection)
	}
	return compare(a.id, b.id)
}

func compare(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func (d *device) queueCreate() {
	d.nextRec++
	k := recKey{collection: "incident_reports", id: fmt.Sprintf("r%04d%010d", d.n, d.nextRec)}
	data := reportData(d.rng, d.user.ID)
	if d.rng.IntN(10) < 3 {
		k.collection = "aid_requests"
		k.id = fmt.Sprintf("a%04d%010d", d.n, d.nextRec)
		data = aidData(d.rng, d.user.ID)
	}
	d.expected[k] = normalize(data)
	d.enqueue(mutation{Collection: k.collection, RecordID: k.id, Data: data})
}

func (d *device) queueEdit(k recKey) {
	if d.expected[k] == nil {
		d.problems = append(d.problems, fmt.Sprintf("pulled %s/%s, which this device never created", k.collection, k.id))
		return
	}
	data := map[string]any{"place": fmt.Sprintf("уточнено %d/%d", d.n, d.nextMut)}
	if k.collection == "incident_reports" {
		data["injured"] = d.rng.IntN(20)
	} else {
		data["people_count"] = 1 + d.rng.IntN(50)
	}
	maps.Copy(d.expected[k], normalize(data))
	d.enqueue(mutation{Collection: k.collection, RecordID: k.id, BaseRev: d.local[k].rev, Data: data})
}

func (d *device) enqueue(m mutation) {
	d.nextMut++
	m.ID = fmt.Sprintf("m%06d", d.nextMut)
	d.queue = append(d.queue, m)
	d.sent++
}

// sync pushes the whole queue, then pulls until nothing is left; after a
// reset for history it pushes its journal again and pulls again.
func (d *device) sync(ctx context.Context) error {
	for {
		if err := d.pushQueue(ctx); err != nil {
			return err
		}
		again, err := d.pullAll(ctx)
		if err != nil || !again {
			return err
		}
	}
}

// pushQueue pushes the queue until every mutation has a final result.
func (d *device) pushQueue(ctx context.Context) error {
	for len(d.queue) > 0 {
		chunk := d.queue[:min(d.batch, len(d.queue))]
		var res pushResponse
		err := d.retry(ctx, func() (err error) {
			res, _, err = d.api.pushSeen(ctx, pushRequest{Client: d.client, Mutations: chunk}, d.seen, d.lost)
			return err
		})
		var se *statusError
		if d.restoring && errors.As(err, &se) && se.status == http.StatusConflict && strings.Contains(se.body, "sync_history_changed") {
			d.forget()
			d.pushAgain()
			continue
		}
		if err != nil {
			return fmt.Errorf("push: %w", err)
		}
		if res.Position == "" {
			d.problems = append(d.problems, "push answered no position")
		}
		d.seen = highest(d.seen, res.Position)
		if d.lost != "" {
			d.pushedWithLost += len(chunk)
		}
		d.queue = d.settle(chunk, res.Results)
	}
	return nil
}

// settle records final results and returns the queue without them;
// mutations the server asked to send again stay, in order.
func (d *device) settle(chunk []mutation, results []result) []mutation {
	var again []mutation
	for i, r := range results {
		m := chunk[i]
		if r.ID != m.ID {
			d.problems = append(d.problems, fmt.Sprintf("result %d is for %s, want %s", i, r.ID, m.ID))
		}
		if r.Error != nil && r.Error.Code == "sync_retry_later" {
			again = append(again, m)
			continue
		}
		d.record(m, r)
	}
	return append(again, d.queue[len(chunk):]...)
}

func (d *device) record(m mutation, r result) {
	if _, dup := d.results[m.ID]; dup {
		d.problems = append(d.problems, "mutation "+m.ID+" got a second final result")
	}
	d.results[m.ID] = r
	d.journal = append(d.journal, m)
	if !d.counted[m.ID] {
		d.counted[m.ID] = true
		d.acked.Add(1)
	}
	k := recKey{m.Collection, m.RecordID}
	switch r.Status {
	case "applied", "merged":
		if m.BaseRev > 0 {
			d.edits[k]++
		}
		d.adopt(k, r)
	default:
		e, _ := json.Marshal(r.Error)
		d.problems = append(d.problems, fmt.Sprintf("mutation %s on %s/%s: %s %s", m.ID, m.Collection, m.RecordID, r.Status, e))
	}
}

// pullAll applies pages until hasMore is false; the checkpoint is stored
// only after its page is applied. again is true after a reset for history
// in -restore mode: the journal is queued again, to push before pulling.
func (d *device) pullAll(ctx context.Context) (again bool, err error) {
	for {
		var res pullResponse
		err := d.retry(ctx, func() (err error) {
			res, _, err = d.api.pullSeen(ctx, syncedCollections, d.checkpoint, d.seen, 500)
			return err
		})
		if err != nil {
			return false, fmt.Errorf("pull: %w", err)
		}
		if res.Reset {
			d.local = map[recKey]localRec{}
			d.checkpoint = ""
			if d.restoring && res.Reason == "history" {
				d.forget() // only a history reset makes seen void
				d.pushAgain()
				return true, nil
			}
			// Nothing else in a fault run changes what a device may see
			// (no role, rule or collection change, no pruning), and a
			// restart must keep every checkpoint valid: a reset here
			// would make phones download everything again.
			d.problems = append(d.problems, "pull answered reset ("+res.Reason+")")
			continue
		}
		applyChanges(d.local, res.Changes)
		d.checkpoint, d.seen = res.Checkpoint, highest(d.seen, res.Position)
		if !res.HasMore {
			d.lost = "" // what it edits next starts from this server's revs
			return false, nil
		}
	}
}

// adopt takes an applied or merged result as the device's copy of k, as
// docs/sync.md asks of a client: only when its rev is higher (a replayed
// answer repeats an old rev; a pull may have brought a newer one). A brief
// result carries no record: the device keeps its copy, takes the rev and
// notes that the copy lacks the server's fields; for a record it does not
// hold (a create, or its journal pushed again after a reset) it creates
// nothing, the pull brings it.
func (d *device) adopt(k recKey, r result) {
	l, held := d.local[k]
	switch {
	case r.Rev <= l.rev:
	case r.Record != nil:
		d.local[k] = localRec{rev: r.Rev, record: r.Record}
	case held:
		d.local[k] = localRec{rev: r.Rev, record: l.record, partial: true}
	}
}

// applyChanges applies pulled changes as docs/sync.md asks of a client: a
// change only if its rev is higher than the copy's (a stale page can never
// lower it), or equal to it when the copy took its rev from a brief push
// answer and lacks the server's fields.
func applyChanges(local map[recKey]localRec, changes []change) {
	for _, c := range changes {
		k := recKey{c.Collection, c.ID}
		if l, held := local[k]; held && c.Rev < l.rev || held && c.Rev == l.rev && !l.partial {
			continue
		}
		if c.Deleted {
			delete(local, k)
			continue
		}
		local[k] = localRec{rev: c.Rev, record: c.Record}
	}
}

// retry calls fn until it succeeds, backing off on network faults, 429 and
// 5xx (the server may be restarting); any other answer is final. An answer
// with a Retry-After is sent again no sooner than that, plus up to a
// second more (the phones behind one NAT refused together do not all come
// back in the same second), as docs/operations.md asks of clients; the
// run's timeout (ctx) ends any wait.
func (d *device) retry(ctx context.Context, fn func() error) error {
	backoff := 50 * time.Millisecond
	for {
		err := fn()
		if err == nil {
			return nil
		}
		var se *statusError
		if errors.As(err, &se) && !se.retryable() {
			return err
		}
		if errors.Is(err, errProtocol) {
			return err
		}
		d.retries++
		wait := backoff + time.Duration(d.rng.Int64N(int64(backoff)))
		if se != nil && se.retryAfter > 0 {
			wait = max(wait, se.retryAfter+time.Duration(d.rng.Int64N(int64(time.Second))))
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w (last error: %v)", ctx.Err(), err)
		case <-time.After(wait):
		}
		backoff = min(2*backoff, 2*time.Second)
		if se != nil && se.status == http.StatusTooManyRequests {
			d.limited++
			backoff = 5 * time.Second
		}
	}
}

// normalize gives a value the shape it has after a JSON round trip, so it
// compares with what the server returns.
func normalize(m map[string]any) map[string]any {
	raw, _ := json.Marshal(m)
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	return out
}

// forget drops the position a restore made void, keeping it as lost: the
// journal and queue pushed again carry base revs of that history.
func (d *device) forget() {
	if d.seen != "" {
		d.lost = highest(d.lost, d.seen)
	}
	d.seen = ""
}

// pushAgain queues the journal before the unsent queue: the server was
// restored and may have lost any of them. Their results and the edits they
// applied are counted again from the answers of the restored server.
func (d *device) pushAgain() {
	d.historyResets++
	d.queue = append(slices.Clone(d.journal), d.queue...)
	d.journal = nil
	d.results = map[string]result{}
	d.edits = map[recKey]int{}
}

// highest is the position with the higher number before its dot, as
// docs/sync.md asks of a client whose requests overlap (b if a is empty
// or unreadable).
func highest(a, b string) string {
	na, errA := strconv.ParseInt(strings.SplitN(a, ".", 2)[0], 10, 64)
	nb, errB := strconv.ParseInt(strings.SplitN(b, ".", 2)[0], 10, 64)
	if errA == nil && (errB != nil || na > nb) {
		return a
	}
	return b
}
