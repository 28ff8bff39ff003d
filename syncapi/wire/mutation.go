package wire

import "encoding/json"

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

// DecodeMutation parses one mutation; ok is false unless raw is a JSON
// object of the right types with an id of 1–200 bytes. It checks the shape
// only: the collection, record id and data are the caller's to judge.
func DecodeMutation(raw []byte) (Mutation, bool) {
	var m Mutation
	if err := json.Unmarshal(raw, &m); err != nil || m.ID == "" || len(m.ID) > MaxMutationIDLen {
		return m, false
	}
	return m, true
}
