package wire

import (
	"encoding/base64"
	"strconv"
	"strings"
)

// Checkpoint is what the opaque checkpoint string encodes: the log position
// the client has applied and the fingerprint of its view when it pulled.
type Checkpoint struct {
	Seq         int64
	Fingerprint string
}

const checkpointPrefix = "1."

// Encode returns the opaque string a pull hands out.
func (c Checkpoint) Encode() string {
	raw := checkpointPrefix + strconv.FormatInt(c.Seq, 10) + "." + c.Fingerprint
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

// DecodeCheckpoint parses s; ok is false for a string this server never
// issued (the client then resets). A decoded checkpoint has Seq >= 0 and a
// non-empty Fingerprint.
func DecodeCheckpoint(s string) (Checkpoint, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || !strings.HasPrefix(string(raw), checkpointPrefix) {
		return Checkpoint{}, false
	}
	seqStr, fp, found := strings.Cut(strings.TrimPrefix(string(raw), checkpointPrefix), ".")
	seq, err := strconv.ParseInt(seqStr, 10, 64)
	if !found || err != nil || seq < 0 || fp == "" {
		return Checkpoint{}, false
	}
	return Checkpoint{Seq: seq, Fingerprint: fp}, true
}
