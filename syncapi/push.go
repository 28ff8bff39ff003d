package syncapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"golang.org/x/sync/semaphore"

	"aman/changelog"
	"aman/syncapi/wire"
)

// pushChunk is how many mutations share one write transaction: big enough
// to amortize the commit, small enough not to hold SQLite's single writer
// for long. Each mutation's result is stored with its write, so chunking
// does not weaken exactly-once.
const pushChunk = 100

type pushBody = wire.Push

// syncapi's exported limits are wire's: a difference does not compile.
const (
	_ = uint(MaxMutations-wire.MaxMutations) + uint(wire.MaxMutations-MaxMutations)
	_ = uint(MaxBodyBytes-wire.MaxBodyBytes) + uint(wire.MaxBodyBytes-MaxBodyBytes)
)

func (s *service) push(e *core.RequestEvent) error {
	if rerr := checkRequest(e); rerr != nil {
		return writeError(e, rerr)
	}
	if e.Auth == nil {
		return writeError(e, errAuthRequired)
	}
	if rerr := checkSeen(e); rerr != nil {
		return writeError(e, rerr)
	}
	knows, rerr := lostPosition(e)
	if rerr != nil {
		return writeError(e, rerr)
	}
	brief, rerr := briefAnswer(e)
	if rerr != nil {
		return writeError(e, rerr)
	}
	body, release, rerr := s.readPush(e)
	if rerr != nil {
		return writeError(e, rerr)
	}
	defer release()
	if err := bindClient(e.App, body.Client, e.Auth); err != nil {
		if errors.Is(err, errClientOwned) {
			return writeError(e, errClientTaken)
		}
		return writeError(e, internal(e, err))
	}
	// the log records which device wrote (see changelog.ChangedSince)
	e.Set(changelog.ClientKey, body.Client)
	dev := device{client: body.Client, knows: knows, brief: brief}
	decoded := decodeMutations(body.Mutations)
	results := make([]json.RawMessage, len(decoded))
	for start := 0; start < len(decoded); start += pushChunk {
		end := min(start+pushChunk, len(decoded))
		if err := s.runChunk(e, dev, decoded[start:end], results[start:end]); err != nil {
			return writeError(e, internal(e, err))
		}
	}
	pos, err := position(e.App)
	if err != nil {
		return writeError(e, internal(e, err))
	}
	e.Response.Header().Set("Cache-Control", "no-store")
	return e.Blob(http.StatusOK, "application/json", encodeResults(results, pos))
}

// checkSeen refuses a push whose "seen" position is not in this
// database's history: the server was restored to before something the
// client was told, and applying its queue first would refuse edits of
// records the restore lost. The client pushes its recent mutations again
// first (docs/sync.md, Epochs).
func checkSeen(e *core.RequestEvent) *requestError {
	last, err := changelog.LastSeq(e.App)
	if err != nil {
		return internal(e, err)
	}
	in, err := seenInHistory(e.App, e.Request.URL.Query().Get("seen"), last)
	if err != nil {
		return internal(e, err)
	}
	if !in {
		return errHistory
	}
	return nil
}

// device is who pushes: its client id, the last log position its
// mutations can know of (knows), or -1 when it did not say, and whether it
// asked for a brief answer.
type device struct {
	client string
	knows  int64
	brief  bool
}

// briefAnswer reads "brief": true asks for results of applied and merged
// mutations without their record (docs/sync.md, Push). A phone on 2G
// downloads each record it just sent otherwise, which its next pull brings
// anyway; the brief answer is a sixtieth of its size. Absent, it is false;
// present, it is exactly one of "true", "1", "false", "0", given once.
func briefAnswer(e *core.RequestEvent) (bool, *requestError) {
	values, present := e.Request.URL.Query()["brief"]
	if !present {
		return false, nil
	}
	if len(values) == 1 {
		switch values[0] {
		case "true", "1":
			return true, nil
		case "false", "0":
			return false, nil
		}
	}
	return false, errParameter
}

// lostPosition reads "lost": the "seen" position a push of this device was
// refused for (409 sync_history_changed) or a pull reset for ("history").
// The device sends it with the mutations it made before it learned of the
// restore (its journal pushed again, and what was queued then), not with
// later ones. Their base revs belong to a history whose writes after the
// backup this server lost, while the record's revs of the same numbers may
// have been written since; the seq of lost is what tells them apart (see
// knownBase). It bears only on merges: rules and validation are as ever.
func lostPosition(e *core.RequestEvent) (int64, *requestError) {
	lost := e.Request.URL.Query().Get("lost")
	if lost == "" {
		return -1, nil
	}
	pos, ok := wire.DecodePosition(lost)
	if !ok {
		return 0, errPosition
	}
	return pos.Seq, nil
}

// position is where the log is now, in its current epoch: past every write
// this push made or answered from an earlier one. The client sends the
// last position it was given back as "seen" with its pushes and pulls, so
// that a server restored to before those writes tells it to push them
// again (409 sync_history_changed, reset "history").
func position(app core.App) (string, error) {
	last, err := changelog.LastSeq(app)
	if err != nil {
		return "", err
	}
	epoch, err := changelog.CurrentEpoch(app)
	if err != nil {
		return "", err
	}
	return wire.Position{Seq: last, Epoch: epoch}.Encode(), nil
}

// runChunk applies a chunk of mutations in one transaction.
//
// A mutation that is refused must leave no trace, and one that fails
// halfway (a hook that errs after the insert) has written rows. Isolating
// every mutation in a savepoint costs a tenth of a push's CPU (SQLite
// copies each page it touches into the statement journal), and nearly every
// mutation either succeeds or is refused before it writes. So the chunk
// first runs without savepoints, checking with SQLite's change counter that
// no mutation whose outcome keeps nothing changed a row; if one did, the
// whole transaction is rolled back and the chunk runs again with a
// savepoint per mutation. Nothing outside the database is done twice:
// PocketBase runs the after-success hooks (realtime, the sync nudge) only
// once the transaction commits.
func (s *service) runChunk(e *core.RequestEvent, dev device, mutations []decodedMutation, results []json.RawMessage) error {
	err := e.App.RunInTransaction(func(tx core.App) error {
		return s.applyChunk(e, tx, dev, mutations, results, false)
	})
	if errors.Is(err, errNeedsIsolation) {
		err = e.App.RunInTransaction(func(tx core.App) error {
			return s.applyChunk(e, tx, dev, mutations, results, true)
		})
	}
	return err
}

// applyChunk applies mutations in tx, writing their results into results;
// isolated runs each mutation in a savepoint (see runChunk).
func (s *service) applyChunk(e *core.RequestEvent, tx core.App, dev device, decoded []decodedMutation, results []json.RawMessage, isolated bool) error {
	ids := make([]string, 0, len(decoded))
	for _, d := range decoded {
		if d.ok {
			ids = append(ids, d.m.ID)
		}
	}
	stored, err := storedResults(tx, dev.client, ids)
	if err != nil {
		return err
	}
	cr := &chunkResults{stored: stored, rules: newRuleMemo(), isolated: isolated}
	for i, d := range decoded {
		if results[i], err = s.applyOne(e, tx, dev, d, cr); err != nil {
			return err
		}
	}
	return storeResults(tx, dev.client, cr.fresh)
}

// decodeMutations decodes each mutation of a push, before its
// transactions: SQLite's single writer is not held while it runs.
func decodeMutations(raws []json.RawMessage) []decodedMutation {
	out := make([]decodedMutation, len(raws))
	for i, raw := range raws {
		out[i].raw = raw
		out[i].m, out[i].ok = decodeMutation(raw)
	}
	return out
}

// readPush reads and checks the whole-request shape of a push. The body's
// unpacked size is held against the service's budget of push bodies until
// release is called (see maxPushBodyBytesInFlight).
func (s *service) readPush(e *core.RequestEvent) (body pushBody, release func(), rerr *requestError) {
	release = func() {}
	defer func() {
		if r := recover(); r != nil {
			release() // the budget outlives a request PocketBase recovers from
			panic(r)
		}
	}()
	raw, rerr := s.readBody(e, &release)
	if rerr != nil {
		release()
		return body, func() {}, rerr
	}
	body, err := wire.DecodePush(raw)
	switch {
	case errors.Is(err, wire.ErrClient):
		rerr = errClient
	case errors.Is(err, wire.ErrTooMany):
		rerr = errTooMany
	case errors.Is(err, wire.ErrTooLarge):
		rerr = errTooLarge
	case err != nil:
		rerr = errMalformed
	}
	if rerr != nil {
		release()
		return body, func() {}, rerr
	}
	return body, release, nil
}

// readBody reads a push body as sent (at most MaxBodyBytes) and unpacks it
// (wire.Unpack: gzip, itself held to MaxBodyBytes), holding its bytes
// against the service's budget of push bodies (see bodyBudget) before they
// are read or unpacked; *release gives them back. A client that leaves
// while the budget is full is answered 499.
func (s *service) readBody(e *core.RequestEvent, release *func()) ([]byte, *requestError) {
	if e.Request.ContentLength > MaxBodyBytes {
		return nil, errTooLarge
	}
	encoding := strings.Join(e.Request.Header.Values("Content-Encoding"), ",")
	gzipped, err := wire.Gzipped(encoding)
	if err != nil {
		return nil, errEncoding
	}
	b := &bodyBudget{sem: s.pushBodies, ctx: e.Request.Context()}
	*release = b.release
	expected := e.Request.ContentLength
	if expected < 0 {
		expected = MaxBodyBytes // sent without a length: as much as it may be
	}
	if err := b.hold(expected); err != nil {
		return nil, errClientGone
	}
	raw, rerr := readAtMost(e.Request.Body)
	if rerr != nil {
		return nil, rerr
	}
	b.shrink(int64(len(raw)))
	out, err := wire.Unpack(raw, encoding, func(n int) error {
		if !gzipped {
			return nil // the body is the bytes read, held already
		}
		if err := b.grow(int64(n)); err != nil {
			return errClientGone
		}
		return nil
	})
	var re *requestError
	switch {
	case errors.As(err, &re):
		return nil, re
	case errors.Is(err, wire.ErrEncoding):
		return nil, errEncoding
	case errors.Is(err, wire.ErrTooLarge):
		return nil, errTooLarge
	case err != nil:
		return nil, errMalformed
	}
	return out, nil
}

// bodyBudget is what one push holds of the service's budget of push bodies
// (maxPushBodyBytesInFlight). The bytes of a body are held before they are
// read: a phone on 2G, or a client that stalls, takes minutes to send 16
// MiB, and bodies held outside the budget while they arrive had no bound.
// It never waits while holding part of the budget (see grow), so two
// pushes cannot each hold some and wait for the rest forever.
type bodyBudget struct {
	sem  *semaphore.Weighted
	ctx  context.Context
	held int64
}

func (b *bodyBudget) hold(n int64) error {
	if err := b.sem.Acquire(b.ctx, n); err != nil {
		return err
	}
	b.held = n
	return nil
}

// shrink gives back what is held beyond n.
func (b *bodyBudget) shrink(n int64) {
	if extra := b.held - n; extra > 0 {
		b.sem.Release(extra)
		b.held = n
	}
}

// grow holds n more: at once if the budget has it, else it gives back what
// it holds and waits for the whole.
func (b *bodyBudget) grow(n int64) error {
	if b.sem.TryAcquire(n) {
		b.held += n
		return nil
	}
	total := b.held + n
	b.release()
	if err := b.sem.Acquire(b.ctx, total); err != nil {
		return err
	}
	b.held = total
	return nil
}

func (b *bodyBudget) release() {
	if b.held > 0 {
		b.sem.Release(b.held)
		b.held = 0
	}
}

// readAtMost reads r to its end, refusing more than MaxBodyBytes.
func readAtMost(r io.Reader) ([]byte, *requestError) {
	raw, err := io.ReadAll(io.LimitReader(r, MaxBodyBytes+1))
	if errors.Is(err, apis.ErrRequestEntityTooLarge) || len(raw) > MaxBodyBytes {
		return nil, errTooLarge
	}
	if err != nil {
		return nil, errMalformed
	}
	return raw, nil
}

func encodeResults(results []json.RawMessage, position string) []byte {
	var buf bytes.Buffer
	buf.WriteString(`{"results":[`)
	for i, r := range results {
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.Write(r)
	}
	buf.WriteString(`],"position":"` + position + `"}`)
	return buf.Bytes()
}
