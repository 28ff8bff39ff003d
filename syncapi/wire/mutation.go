package wire

import (
	"encoding/json"
	"strings"
	"unicode/utf8"
)

// MaxMutationIDLen is the longest mutation id, in bytes.
const MaxMutationIDLen = 200

// Mutation is one queued client write. RecordID is empty for a create with
// a server-chosen id; BaseRev is the rev the client last saw (nil or 0 for a
// create).
type Mutation struct {
	ID         string         `json:"id"`
	Collection string         `json:"collection"`
	RecordID   string         `json:"recordId"`
	BaseRev    *int64         `json:"baseRev"`
	Data       map[string]any `json:"data"`
	Delete     bool           `json:"delete"`
}

// DecodeMutation parses one mutation; ok is false unless raw is valid
// UTF-8 and a JSON object of the right types with an id of 1–200 bytes
// without U+FFFD. It checks the shape only: the collection, record id and
// data are the caller's to judge.
//
// Invalid UTF-8 is refused rather than replaced with U+FFFD, as
// encoding/json would: the text the client meant is lost, and ids that
// differ only in their invalid bytes would become one id, answered with
// another mutation's stored result.
func DecodeMutation(raw []byte) (Mutation, bool) {
	var m Mutation
	if !utf8.Valid(raw) {
		return m, false
	}
	err := json.Unmarshal(raw, &m)
	if err != nil || m.ID == "" || len(m.ID) > MaxMutationIDLen || strings.ContainsRune(m.ID, utf8.RuneError) {
		return m, false
	}
	return m, true
}
