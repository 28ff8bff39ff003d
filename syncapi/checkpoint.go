package syncapi

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/pocketbase/pocketbase/core"
	"github.com/spf13/cast"

	"aman/changelog"
	"aman/privacy"
	"aman/syncapi/wire"
)

// checkpoint is what the opaque checkpoint string encodes: the log position
// the client has applied, the epoch of the log's history it was issued in
// (see changelog.EpochEnd) and the fingerprint of its view when it pulled.
type checkpoint struct {
	seq         int64
	epoch       string
	fingerprint string
	// horizon is how far the client cannot hold a record deleted unseen,
	// when that is above seq (see deleteHorizon); 0 otherwise
	horizon int64
}

func (c checkpoint) encode() string {
	return wire.Checkpoint{Seq: c.seq, Epoch: c.epoch, Fingerprint: c.fingerprint, Horizon: c.horizon}.Encode()
}

// deleteHorizon is the position up to which a client holding c cannot
// hold a record whose delete it was not sent: c's seq, or its horizon.
// The pages of an initial sync come in the log's order of the heads as
// they are, and the sync began at the log's end at its first page: a
// record deleted before then was never on the device, so a tombstone
// pruned below that position cannot be one the device missed, though it
// lies above the page's seq. Without it, a device whose initial sync took
// more than one page of records older than a pruned tombstone was reset
// (expired) at its second page, for ever.
func (c checkpoint) deleteHorizon() int64 { return max(c.seq, c.horizon) }

// decodeCheckpoint parses s; ok is false for a string this server never
// issued (the client then resets).
func decodeCheckpoint(s string) (checkpoint, bool) {
	w, ok := wire.DecodeCheckpoint(s)
	return checkpoint{seq: w.Seq, epoch: w.Epoch, fingerprint: w.Fingerprint, horizon: w.Horizon}, ok
}

// Reasons a pull answers reset (docs/sync.md, Reset). judge checks "seen"
// first (history), then the checkpoint: invalid, history, expired, view; a
// request that fails several checks gets the first it fails.
const (
	// ResetInvalid: not a checkpoint of any form this server issues.
	ResetInvalid = "invalid"
	// ResetHistory: its position is not in this database's history (a
	// restored backup, lost commits, another server). Writes the device
	// saw acknowledged may be gone: it should push them again.
	ResetHistory = "history"
	// ResetExpired: older than a pruned tombstone (offline too long).
	ResetExpired = "expired"
	// ResetView: what the caller may see changed (user, role, rules).
	ResetView = "view"
)

// judge decides where a pull goes on from: from, or a reason to reset. s
// is the client's checkpoint ("" for the start), seen the last position
// the client was given ("" for none, see seenInHistory), fp the caller's
// fingerprint now, pruned the highest pruned tombstone and last the log's
// end as the pull read it. horizon is the checkpoint's delete horizon
// (checkpoint.deleteHorizon; last for the start: nothing deleted before
// now was ever on the device).
func judge(app core.App, s, seen, fp string, pruned, last int64) (from, horizon int64, reason string, err error) {
	// seen first: a history the device relies on may be gone even when its
	// checkpoint is unreadable or its view changed, and only this reason
	// makes it push its sent mutations again
	in, err := seenInHistory(app, seen, last)
	if err != nil || !in {
		return 0, 0, ResetHistory, err
	}
	if s == "" {
		return 0, last, "", nil
	}
	cp, ok := decodeCheckpoint(s)
	if !ok {
		return 0, 0, ResetInvalid, nil
	}
	if in, err = inHistory(app, cp, last); err != nil || !in {
		return 0, 0, ResetHistory, err
	}
	switch {
	case cp.deleteHorizon() < pruned:
		return 0, 0, ResetExpired, nil
	case cp.fingerprint != fp:
		return 0, 0, ResetView, nil
	}
	return cp.seq, cp.deleteHorizon(), "", nil
}

// seenInHistory reports whether seen, the position of the last push answer
// or pull page the client got, is part of this database's history. A
// client that pushed after a backup and did not pull before its restore has
// a checkpoint the backup covers: its seen position is what shows that it
// holds writes the restore lost. "" (none) is in every history; a string
// this server never issued is in none.
func seenInHistory(app core.App, seen string, last int64) (bool, error) {
	if seen == "" {
		return true, nil
	}
	pos, ok := wire.DecodePosition(seen)
	if !ok {
		return false, nil
	}
	return inHistory(app, checkpoint{seq: pos.Seq, epoch: pos.Epoch}, last)
}

// inHistory reports whether position cp.seq of cp.epoch is part of this
// database's history as it is now read up to last: false for an epoch it
// never had (a checkpoint from a later history, or another server) and for
// a position past what the epoch holds here (a server restored from an
// older backup, or one that lost its last commits, went on from an earlier
// seq, and the device's position names other writes here).
func inHistory(app core.App, cp checkpoint, last int64) (bool, error) {
	end, err := changelog.EpochEnd(app, cp.epoch, last)
	if errors.Is(err, changelog.ErrUnknownEpoch) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return cp.seq <= end, nil
}

var authFieldRef = regexp.MustCompile(`@request\.auth\.([A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*)`)

// fingerprint hashes everything that decides which records, and which of
// their fields, this caller sees in these collections: who the caller is,
// the values of the auth fields the rules refer to (so a role change
// resets), and the collections' read rules and view queries (so a rule
// edit resets). It changes only when a client's copy may be wrong.
//
// A rule may name a field of a record the caller's relation points at
// (`@request.auth.organization.active`): its value is resolved too, so
// that retiring an organization resets its aid workers' view though no
// record they pulled changed (no tombstone would tell them). The first
// field of the path is hashed as before; the dotted path is hashed only
// when the relation is set, with one lookup per related collection, so
// the checkpoints of callers without it stay valid.
func fingerprint(app core.App, auth *core.Record, collections []*core.Collection) (string, error) {
	h := sha256.New()
	refs := map[string]bool{"role": true}
	paths := map[string]bool{}
	sorted := append([]*core.Collection(nil), collections...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Name < sorted[j].Name })
	for _, c := range sorted {
		fmt.Fprintf(h, "c|%s|%s|%s|%s\n", c.Name, ruleString(c.ListRule), ruleString(c.ViewRule), c.ViewQuery)
		// fields an operator hid (the record API leaves them out): hiding
		// one leaves its values on every device, showing it again leaves
		// the copies without them. Written only when there are some, so
		// that no checkpoint issued before this line resets.
		if hidden := privacy.SchemaHidden(c); len(hidden) > 0 {
			fmt.Fprintf(h, "h|%s\n", strings.Join(hidden, ","))
		}
		for _, rule := range []*string{c.ListRule, c.ViewRule} {
			for _, m := range authFieldRef.FindAllStringSubmatch(ruleString(rule), -1) {
				first, _, dotted := strings.Cut(m[1], ".")
				refs[first] = true
				if dotted {
					paths[m[1]] = true
				}
			}
		}
	}
	if auth != nil {
		fmt.Fprintf(h, "a|%s|%s\n", auth.Collection().Name, auth.Id)
		names := make([]string, 0, len(refs))
		for n := range refs {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			fmt.Fprintf(h, "f|%s|%s\n", n, cast.ToString(authValue(auth, n)))
		}
		dotted := make([]string, 0, len(paths))
		for p := range paths {
			dotted = append(dotted, p)
		}
		sort.Strings(dotted)
		related := map[string][]*core.Record{}
		for _, p := range dotted {
			v, ok, err := relatedValue(app, auth, p, related)
			if err != nil {
				return "", err
			}
			if ok {
				fmt.Fprintf(h, "r|%s|%s\n", p, v)
			}
		}
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}

// relatedValue is the value of path (a dotted path of auth fields through
// relations, `organization.active`) for auth: the values of the records
// reached, joined by ",". ok is false when the first field is not a
// relation of auth's collection (a back-relation, a typo: the first field
// alone is hashed, as before) or is empty. cache holds the records read
// for a relation path during this fingerprint, so several fields of one
// organization cost one lookup.
func relatedValue(app core.App, auth *core.Record, path string, cache map[string][]*core.Record) (string, bool, error) {
	names := strings.Split(path, ".")
	records := []*core.Record{auth}
	for i, name := range names[:len(names)-1] {
		var next []*core.Record
		key := strings.Join(names[:i+1], ".")
		cached, seen := cache[key]
		if seen {
			next = cached
		} else {
			// the relation field of each record reached (all of one collection)
			rel, _ := records[0].Collection().Fields.GetByName(name).(*core.RelationField)
			if rel == nil {
				if i == 0 {
					return "", false, nil
				}
				next = nil
			} else {
				var ids []string
				for _, r := range records {
					ids = append(ids, r.GetStringSlice(name)...)
				}
				if i == 0 && len(ids) == 0 {
					return "", false, nil
				}
				if len(ids) > 0 {
					found, err := app.FindRecordsByIds(rel.CollectionId, ids)
					if err != nil {
						return "", false, err
					}
					sort.Slice(found, func(a, b int) bool { return found[a].Id < found[b].Id })
					next = found
				}
			}
			cache[key] = next
		}
		if len(next) == 0 {
			// a related record that is gone, or an empty relation further on
			return "", true, nil
		}
		records = next
	}
	last := names[len(names)-1]
	values := make([]string, 0, len(records))
	for _, r := range records {
		values = append(values, cast.ToString(authValue(r, last)))
	}
	return strings.Join(values, ","), true, nil
}

func authValue(auth *core.Record, field string) any {
	switch field {
	case "collectionName":
		return auth.Collection().Name
	case "collectionId":
		return auth.Collection().Id
	}
	v := auth.Get(field)
	if s, ok := v.([]string); ok {
		return strings.Join(s, ",")
	}
	return v
}

func ruleString(r *string) string {
	if r == nil {
		return "<superusers>"
	}
	return *r
}
