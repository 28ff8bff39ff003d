package syncapi

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/pocketbase/pocketbase/core"

	"aman/changelog"
	"aman/internal/ipblock"
	"aman/syncapi/wire"
)

// change is one element of a pull's "changes".
type change struct {
	Collection string          `json:"collection"`
	ID         string          `json:"id"`
	Rev        int64           `json:"rev"`
	Deleted    bool            `json:"deleted"`
	Record     json.RawMessage `json:"record,omitempty"`
}

type pullParams struct {
	collections []*core.Collection
	names       []string
	limit       int
	checkpoint  string
	seen        string // the last position the client was given (see position)
}

func (s *service) pull(e *core.RequestEvent) error {
	if rerr := checkRequest(e); rerr != nil {
		return writeError(e, rerr)
	}
	p, rerr := s.parsePull(e)
	if rerr != nil {
		return writeError(e, rerr)
	}
	gz := acceptsGzip(e)
	weight, ip, class := pageWeight(gz), ipblock.Of(e.RealIP()), classOf(e.Auth)
	if err := s.pages.acquire(e.Request.Context(), ip, class, weight); err != nil {
		return writeError(e, errClientGone)
	}
	defer s.pages.release(ip, class, weight)
	page, rerr := s.buildPage(e, p, gz)
	if rerr != nil {
		return writeError(e, rerr)
	}
	return page.send(e)
}

// buildPage builds and compresses one page while holding one of the
// service's page writers. The page is sent after the writer is given back:
// a phone on 2G takes a minute to download a page, and one that loses its
// signal mid-download keeps its connection for many more; holding a
// writer meanwhile would stall every other pull on the server.
func (s *service) buildPage(e *core.RequestEvent, p pullParams, gz bool) (*page, *requestError) {
	var pw *pageWriter
	select {
	case pw = <-s.pulls:
		defer func() { pw.release(); s.pulls <- pw }()
	case <-e.Request.Context().Done():
		// nobody reads the answer; it is not a server failure either
		return nil, errClientGone
	}
	body, rerr := s.pullPage(e, p, pw)
	if rerr != nil {
		return nil, rerr
	}
	pg, err := pw.pack(body, gz)
	if err != nil {
		return nil, internal(e, err)
	}
	return pg, nil
}

func (s *service) parsePull(e *core.RequestEvent) (pullParams, *requestError) {
	q := e.Request.URL.Query()
	p := pullParams{limit: DefaultPullLimit, checkpoint: q.Get("checkpoint"), seen: q.Get("seen")}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return p, errLimit
		}
		p.limit = min(n, MaxPullLimit)
	}
	names := s.cfg.Synced()
	if v := strings.TrimSpace(q.Get("collections")); v != "" {
		names = strings.Split(v, ",")
	}
	seen := map[string]bool{}
	for _, n := range names {
		n = strings.TrimSpace(n)
		if seen[n] {
			continue
		}
		seen[n] = true
		if !s.cfg.IsSynced(n) {
			return p, errCollection
		}
		c, err := e.App.FindCachedCollectionByNameOrId(n)
		if err != nil {
			return p, errCollection
		}
		p.collections = append(p.collections, c)
		p.names = append(p.names, c.Name)
	}
	return p, nil
}

// pullPage builds one page. Reading LastSeq before scanning bounds the page
// by a position every earlier commit is below: a commit that lands while
// the page is built has a higher seq and comes in a later page.
func (s *service) pullPage(e *core.RequestEvent, p pullParams, pw *pageWriter) ([]byte, *requestError) {
	fp, err := fingerprint(e.App, e.Auth, p.collections)
	if err != nil {
		return nil, internal(e, err)
	}
	last, err := changelog.LastSeq(e.App)
	if err != nil {
		return nil, internal(e, err)
	}
	pruned, err := changelog.PrunedSeq(e.App)
	if err != nil {
		return nil, internal(e, err)
	}
	epoch, err := changelog.CurrentEpoch(e.App)
	if err != nil {
		return nil, internal(e, err)
	}
	from, horizon, reason, err := judge(e.App, p.checkpoint, p.seen, fp, pruned, last)
	if err != nil {
		return nil, internal(e, err)
	}
	if reason != "" {
		return resetPage(reason), nil
	}
	heads, err := changelog.Scan(e.App, p.names, from, last, p.limit+1)
	if err != nil {
		return nil, internal(e, err)
	}
	hasMore := len(heads) > p.limit
	next := last
	if hasMore {
		heads = heads[:p.limit]
		next = heads[len(heads)-1].Seq
	}
	changes, err := s.resolve(e, heads, from, horizon, last)
	if err != nil {
		return nil, internal(e, err)
	}
	// a prune that committed after the horizon was read may have removed
	// a tombstone the scan would have sent, or history resolve read: the
	// horizon read again, after both, tells
	if p.checkpoint != "" {
		if pruned, err = changelog.PrunedSeq(e.App); err != nil {
			return nil, internal(e, err)
		}
		if horizon < pruned {
			return resetPage(ResetExpired), nil
		}
	}
	// the page's position is the furthest the client was told: a page of
	// an initial sync lies behind the client's own last push
	seen := next
	if pos, ok := wire.DecodePosition(p.seen); ok {
		seen = max(seen, pos.Seq) // in this history: judge checked it
	}
	cp := checkpoint{seq: next, epoch: epoch, fingerprint: fp}
	if horizon > next {
		cp.horizon = horizon // a page of an initial sync (see deleteHorizon)
	}
	return pw.encode(changes, cp.encode(),
		wire.Position{Seq: seen, Epoch: epoch}.Encode(), hasMore), nil
}

func resetPage(reason string) []byte {
	return []byte(`{"reset":true,"reason":"` + reason + `","changes":[],"checkpoint":"","hasMore":false}`)
}

// resolve turns heads into changes for the caller: the record as the API
// shows it when the caller may see it, else an id-only tombstone, but only
// if the device may hold the record (see mayHold): a device never hears of
// a record it was never shown, not even its id. An initial pull (from the
// start) sends no tombstones: there is nothing on the device to delete.
// Nor do the later pages of an initial sync for a record last written at
// or below horizon (checkpoint.deleteHorizon), before the sync began: no
// earlier page sent it, and the history mayHold would read may be pruned
// there (it answers true when it cannot tell), unless the caller wrote it.
func (s *service) resolve(e *core.RequestEvent, heads []changelog.Head, from, horizon, last int64) ([]change, error) {
	initial := from == 0
	e, err := readingEvent(e)
	if err != nil {
		return nil, err
	}
	info, err := requestInfo(e, http.MethodGet)
	if err != nil {
		return nil, err
	}
	visible := map[string]map[string]json.RawMessage{}
	stale := map[string]map[string]bool{}
	for name, revs := range groupLive(heads) {
		recs, moved, err := s.visibleJSON(e, info, name, revs, last)
		if err != nil {
			return nil, err
		}
		visible[name], stale[name] = recs, moved
	}
	var hints holdHints
	if !initial {
		if hints, err = hintsFor(e.App, info, heads, from, visible, stale); err != nil {
			return nil, err
		}
	}
	out := make([]change, 0, len(heads))
	for _, h := range heads {
		c := change{Collection: h.Collection, ID: h.RecordID, Rev: h.Rev, Deleted: true}
		if stale[h.Collection][h.RecordID] {
			continue
		}
		if raw, ok := visible[h.Collection][h.RecordID]; ok {
			c.Deleted, c.Record = false, raw
		} else if initial {
			continue
		} else if h.Seq <= horizon && !hints.mine[h.Collection][h.RecordID] {
			continue
		} else if hold, err := mayHold(e.App, info, h, from, hints); err != nil {
			return nil, err
		} else if !hold {
			continue
		}
		out = append(out, c)
	}
	return out, nil
}

// readingEvent is the pull's request as the rules and the enrich hooks see
// it: the caller's auth, headers and address, without a body or query
// parameters. A pull reads nothing but its own parameters, so a body sent
// with it (which PocketBase's RequestInfo would parse, and could fail on)
// is ignored, and so is ?expand: records travel as the record API shows
// them, relations unexpanded (docs/sync.md), and PocketBase's parsing of
// expand paths grows with the square of their number.
func readingEvent(e *core.RequestEvent) (*core.RequestEvent, error) {
	return internalEvent(e, e.App, http.MethodGet, e.Request.URL.Path, map[string]any{})
}

// groupLive maps each collection to the revs of its live records.
func groupLive(heads []changelog.Head) map[string]map[string]int64 {
	out := map[string]map[string]int64{}
	for _, h := range heads {
		if h.Deleted {
			continue
		}
		if out[h.Collection] == nil {
			out[h.Collection] = map[string]int64{}
		}
		out[h.Collection][h.RecordID] = h.Rev
	}
	return out
}

// visibleJSON returns the API JSON (with rev) of the records among revs'
// ids that the caller sees, and the ids written again since the page's
// heads were read (moved). A moved record is left out of the page: its
// state may be newer than the rev the page holds, and its new head is past
// the page's checkpoint, so the next pull sends it with the right rev.
// last is the log position the heads were read at.
func (s *service) visibleJSON(e *core.RequestEvent, info *core.RequestInfo, name string, revs map[string]int64, last int64) (map[string]json.RawMessage, map[string]bool, error) {
	c, err := e.App.FindCachedCollectionByNameOrId(name)
	if err != nil {
		return nil, nil, nil // collection dropped: its records are gone
	}
	ids := make([]string, 0, len(revs))
	for id := range revs {
		ids = append(ids, id)
	}
	recs, err := visibleRecords(e.App, info, c, ids)
	if err != nil {
		return nil, nil, err
	}
	if err := enrich(e, recs); err != nil {
		return nil, nil, err
	}
	moved, err := movedSince(e.App, name, revs, last)
	if err != nil {
		return nil, nil, err
	}
	out := make(map[string]json.RawMessage, len(recs))
	for _, r := range recs {
		raw, err := recordJSON(r, revs[r.Id])
		if err != nil {
			return nil, nil, err
		}
		out[r.Id] = raw
	}
	return out, moved, nil
}

// movedSince returns the ids among revs whose head is no longer at the
// given rev. Every logged write takes a new seq in its own transaction, so
// when the log still ends at last (read before the heads and the records),
// nothing was committed since and no record moved: one tiny read instead
// of re-reading every head of the page.
func movedSince(app core.App, name string, revs map[string]int64, last int64) (map[string]bool, error) {
	moved := map[string]bool{}
	if now, err := changelog.LastSeq(app); err != nil || now == last {
		return moved, err
	}
	ids := make([]string, 0, len(revs))
	for id := range revs {
		ids = append(ids, id)
	}
	heads, err := changelog.Heads(app, name, ids)
	if err != nil {
		return nil, err
	}
	for id, rev := range revs {
		if heads[id].Rev != rev {
			moved[id] = true
		}
	}
	return moved, nil
}

func internal(e *core.RequestEvent, err error) *requestError {
	e.App.Logger().Error("sync", "error", err, "path", e.Request.URL.Path)
	return errInternal
}

// holdHints are mayHold's first two answers for a whole page, read with
// one query per collection each instead of several per record: the ids the
// caller wrote since the checkpoint (mine), and those created since it
// (born: they did not exist at the checkpoint, so the device cannot hold
// them unless it wrote them).
type holdHints struct {
	mine map[string]map[string]bool
	born map[string]map[string]bool
}

// hintsFor reads the hints for the heads that mayHold will be asked about:
// neither visible to the caller nor moved.
func hintsFor(app core.App, info *core.RequestInfo, heads []changelog.Head, from int64, visible map[string]map[string]json.RawMessage, stale map[string]map[string]bool) (holdHints, error) {
	ids := map[string][]string{}
	for _, h := range heads {
		if _, ok := visible[h.Collection][h.RecordID]; ok || stale[h.Collection][h.RecordID] {
			continue
		}
		ids[h.Collection] = append(ids[h.Collection], h.RecordID)
	}
	hints := holdHints{mine: map[string]map[string]bool{}, born: map[string]map[string]bool{}}
	for name, list := range ids {
		var err error
		if info.Auth != nil && info.Auth.Id != "" {
			actor := changelog.Actor{Collection: info.Auth.Collection().Name, ID: info.Auth.Id}
			if hints.mine[name], err = changelog.WrittenBySince(app, name, list, from, actor); err != nil {
				return hints, err
			}
		}
		if hints.born[name], err = changelog.BornAfter(app, name, list, from); err != nil {
			return hints, err
		}
	}
	return hints, nil
}

// mayHold reports whether a device whose checkpoint is at seq from may
// hold the record of h: whether the caller wrote it since (its device got
// it from a push), or the record, as it was at that point of the log,
// passed the caller's list and view rules (evaluated by PocketBase's
// resolver on the reconstructed state). When the history cannot tell, it
// answers true: a tombstone too many leaks an id, one too few leaves data
// on a device that may no longer see it.
//
// hints hold, for the page, whether the caller wrote the record since and
// whether it was created since (see hintsFor).
func mayHold(app core.App, info *core.RequestInfo, h changelog.Head, from int64, hints holdHints) (bool, error) {
	c, err := app.FindCachedCollectionByNameOrId(h.Collection)
	if err != nil {
		return true, nil
	}
	switch {
	case hints.mine[h.Collection][h.RecordID]:
		return true, nil
	case hints.born[h.Collection][h.RecordID]:
		return false, nil // did not exist at the checkpoint (StateAt: !existed)
	}
	var current map[string]any
	if !c.IsView() {
		if r, err := app.FindRecordById(c, h.RecordID); err == nil {
			current = r.FieldsData()
		}
	}
	state, existed, known, err := changelog.StateAt(app, h.Collection, h.RecordID, from, current)
	switch {
	case err != nil:
		return false, err
	case !known:
		return true, nil
	case !existed:
		return false, nil
	case c.IsView() || info.HasSuperuserAuth():
		// a view's log holds only its members; its state is not logged
		return true, nil
	case c.ListRule == nil || c.ViewRule == nil:
		return false, nil
	}
	past := core.NewRecord(c)
	past.Load(state)
	past.Id = h.RecordID
	for _, rule := range readRules(c) {
		if rule == "" {
			continue
		}
		ok, err := ruleMatches(app, info, past, c, rule)
		if err != nil || !ok {
			return false, err
		}
	}
	return true, nil
}
