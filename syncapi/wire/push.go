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
	// MaxValues is the most JSON values (objects, arrays, strings,
	// numbers, booleans, nulls) one push may hold. Decoded, a value takes
	// some 40 bytes however short its text ("0,"): the 16 MiB a body may
	// unpack to would take 600 MB as 8 million values, where a push of 500
	// reports holds some 15,000.
	MaxValues = 200_000
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

// DecodePush parses a whole push body. It returns ErrTooLarge (as for too
// many bytes, body.go) beyond MaxValues, counted from the bytes before
// anything is decoded, so that such a body costs a scan, not millions of
// allocations; then ErrMalformed unless raw is exactly one JSON object
// with a "mutations" array, ErrClient unless the client id is valid
// (ValidClient), and ErrTooMany beyond MaxMutations. The mutations stay
// raw. A
// body without error has a valid client and 0..MaxMutations mutations.
func DecodePush(raw []byte) (Push, error) {
	var body Push
	if countValues(raw) > MaxValues {
		// before decoding: the mutations array alone may hold millions
		return body, ErrTooLarge
	}
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

// countValues counts the JSON values of raw, a valid JSON text, from its
// bytes: a value is the first of its container or follows a comma, so it
// counts the commas, the containers opened and the text as a whole,
// outside strings. Empty containers count one value too many.
func countValues(raw []byte) int {
	n, inString, escaped := 1, false, false
	for _, b := range raw {
		switch {
		case escaped:
			escaped = false
		case inString:
			switch b {
			case '\\':
				escaped = true
			case '"':
				inString = false
			}
		case b == '"':
			inString = true
		case b == ',' || b == '[' || b == '{':
			n++
		}
	}
	return n
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
