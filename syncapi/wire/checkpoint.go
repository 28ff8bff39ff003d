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
}

// Version 1 ("1.<seq>.<fingerprint>") has no epoch; version 2
// ("2.<seq>.<epoch>.<fingerprint>") has one. Both stay readable: phones
// keep checkpoints across server upgrades.
const (
	checkpointV1 = "1."
	checkpointV2 = "2."
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
	if c.Epoch != "" {
		raw = checkpointV2 + strconv.FormatInt(c.Seq, 10) + "." + c.Epoch + "." + c.Fingerprint
	}
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

// DecodeCheckpoint parses s; ok is false for a string this server never
// issued (the client then resets). A decoded checkpoint has Seq >= 0, a
// non-empty Fingerprint and an Epoch that ValidEpoch accepts.
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
	if !found || err != nil || seq < 0 || fp == "" {
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
