package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"unicode"
	"unicode/utf8"
)

// Limits of a push body.
const (
	// MaxMutations is the most mutations one push may carry.
	MaxMutations = 500
	// MaxClientLen is the longest device id, in bytes.
	MaxClientLen = 200
)

// Errors of DecodePush, in the order it checks them.
var (
	ErrMalformed = errors.New("malformed push body")
	ErrClient    = errors.New("invalid client id")
	ErrTooMany   = errors.New("too many mutations")
)

// Push is a push request's body. Mutations stay raw: each is decoded on its
// own (DecodeMutation), so one bad mutation is rejected alone.
type Push struct {
	Client    string            `json:"client"`
	Mutations []json.RawMessage `json:"mutations"`
}

// DecodePush parses a whole push body. It returns ErrMalformed unless raw is
// exactly one JSON object with a "mutations" array, ErrClient unless the
// client id is valid (ValidClient), and ErrTooMany beyond MaxMutations. A
// body without error has a valid client and 0..MaxMutations mutations.
func DecodePush(raw []byte) (Push, error) {
	var body Push
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&body); err != nil || dec.More() || body.Mutations == nil {
		return body, ErrMalformed
	}
	if !ValidClient(body.Client) {
		return body, ErrClient
	}
	if len(body.Mutations) > MaxMutations {
		return body, ErrTooMany
	}
	return body, nil
}

// ValidClient accepts 1–200 printable characters without spaces and
// without U+FFFD: JSON decoding puts that character in place of invalid
// UTF-8 and of unpaired surrogate escapes, so two different ids sent
// that way would decode to the same device and share its mutation log.
func ValidClient(c string) bool {
	if c == "" || len(c) > MaxClientLen {
		return false
	}
	for _, r := range c {
		if !unicode.IsPrint(r) || unicode.IsSpace(r) || r == utf8.RuneError {
			return false
		}
	}
	return true
}
