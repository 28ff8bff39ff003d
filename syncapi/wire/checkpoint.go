package wire

import (
	"encoding/base64"
	"strconv"
	"strings"
)

// Checkpoint is what the opaque checkpoint string encodes: the log position
// the client has applied, the epoch of the log's history it was issued in
// (see changelog's epochs; "" for checkpoints issued before epochs) and the
// fingerprint of its view when it pulled.
type Checkpoint struct {
	Seq         int64
	Epoch       string
	Fingerprint string
	// Horizon, when above Seq, is the position up to which the client
	// cannot hold a record deleted unseen: a page of an initial sync lies
	// behind the log's end when that sync began, and nothing deleted
	// before it began was ever on the device (0: Seq).
	Horizon int64
}

// Version 1 ("1.<seq>.<fingerprint>") has no epoch; version 2
// ("2.<seq>.<epoch>.<fingerprint>") has one; version 3
// ("3.<seq>.<horizon>.<epoch>.<fingerprint>") is version 2 with a horizon
// above its seq, and is issued only then. All stay readable: phones keep
// checkpoints across server upgrades.
const (
	checkpointV1 = "1."
	checkpointV2 = "2."
	checkpointV3 = "3."
	// MaxEpochLen bounds an epoch id (the server issues 16 characters).
	MaxEpochLen = 64
)

// Encode returns the opaque string a pull hands out: version 1 for the
// legacy epoch, so that such checkpoints keep their exact bytes. An epoch
// that ValidEpoch refuses encodes as "" (start over), never as a string
// that would decode to another checkpoint.
func (c Checkpoint) Encode() string {
	if !ValidEpoch(c.Epoch) {
		return ""
	}
	raw := checkpointV1 + strconv.FormatInt(c.Seq, 10) + "." + c.Fingerprint
	switch {
	case c.Epoch != "" && c.Horizon > c.Seq:
		raw = checkpointV3 + strconv.FormatInt(c.Seq, 10) + "." + strconv.FormatInt(c.Horizon, 10) + "." +
			c.Epoch + "." + c.Fingerprint
	case c.Epoch != "":
		raw = checkpointV2 + strconv.FormatInt(c.Seq, 10) + "." + c.Epoch + "." + c.Fingerprint
	}
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

// DecodeCheckpoint parses s; ok is false for a string this server never
// issued (the client then resets). A decoded checkpoint has Seq >= 0, a
// non-empty Fingerprint, an Epoch that ValidEpoch accepts and a Horizon
// of 0 or above Seq.
func DecodeCheckpoint(s string) (Checkpoint, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return Checkpoint{}, false
	}
	var c Checkpoint
	rest := string(raw)
	switch {
	case strings.HasPrefix(rest, checkpointV1):
		rest = strings.TrimPrefix(rest, checkpointV1)
	case strings.HasPrefix(rest, checkpointV3):
		rest = strings.TrimPrefix(rest, checkpointV3)
		seqStr, after, found := strings.Cut(rest, ".")
		horizonStr, after, found2 := strings.Cut(after, ".")
		h, err := strconv.ParseInt(horizonStr, 10, 64)
		if !found || !found2 || err != nil || h <= 0 || strconv.FormatInt(h, 10) != horizonStr {
			return Checkpoint{}, false
		}
		if c.Epoch, rest, _ = strings.Cut(after, "."); c.Epoch == "" || !ValidEpoch(c.Epoch) {
			return Checkpoint{}, false
		}
		c.Horizon, rest = h, seqStr+"."+rest
	case strings.HasPrefix(rest, checkpointV2):
		rest = strings.TrimPrefix(rest, checkpointV2)
		seqStr, after, found := strings.Cut(rest, ".")
		if c.Epoch, rest, _ = strings.Cut(after, "."); !found || c.Epoch == "" || !ValidEpoch(c.Epoch) {
			return Checkpoint{}, false
		}
		rest = seqStr + "." + rest
	default:
		return Checkpoint{}, false
	}
	seqStr, fp, found := strings.Cut(rest, ".")
	seq, err := strconv.ParseInt(seqStr, 10, 64)
	if !found || err != nil || seq < 0 || fp == "" || c.Horizon != 0 && c.Horizon <= seq {
		return Checkpoint{}, false
	}
	c.Seq, c.Fingerprint = seq, fp
	return c, true
}

// ValidEpoch reports whether an epoch id can travel in a checkpoint: ""
// (the legacy epoch) or 1 to MaxEpochLen letters, digits, "-" and "_".
func ValidEpoch(e string) bool {
	if len(e) > MaxEpochLen {
		return false
	}
	for _, r := range e {
		ok := r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '-' || r == '_'
		if !ok {
			return false
		}
	}
	return true
}

// Position is a log position in an epoch, with no view: how far the
// history a client was told about reaches (push answers and pull pages
// carry one; the client sends the highest back as "seen", see
// docs/sync.md). It reads "<seq>.<epoch>", so that a client can keep the
// highest of the positions it got from requests that overlapped.
type Position struct {
	Seq   int64
	Epoch string
}

// Encode returns the string a push or pull hands out, or "" for a position
// that DecodePosition would refuse.
func (p Position) Encode() string {
	if p.Seq < 0 || p.Epoch == "" || !ValidEpoch(p.Epoch) {
		return ""
	}
	return strconv.FormatInt(p.Seq, 10) + "." + p.Epoch
}

// DecodePosition parses s; ok is false for a string this server never
// issued. A decoded position has Seq >= 0 and a non-empty valid Epoch.
func DecodePosition(s string) (Position, bool) {
	seqStr, epoch, found := strings.Cut(s, ".")
	seq, err := strconv.ParseInt(seqStr, 10, 64)
	if !found || err != nil || seq < 0 || epoch == "" || !ValidEpoch(epoch) {
		return Position{}, false
	}
	return Position{Seq: seq, Epoch: epoch}, true
}
