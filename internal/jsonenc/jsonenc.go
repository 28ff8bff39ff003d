// Package jsonenc appends the JSON of the plain values a record holds
// (strings, numbers, booleans, nil, and maps and slices of them, as
// encoding/json decodes a request body) without reflection, byte for byte as
// encoding/json writes them, and hands any other value to encoding/json.
//
// The change log encodes every field of every write (its diff, old → new),
// and encoding/json's reflection over map[string]any and interface values
// was a tenth of a record save's CPU. What this package writes is what
// json.Marshal writes (FuzzAppendString holds it to that), so stored
// diffs do not change.
package jsonenc

import (
	"encoding/json"
	"slices"
	"strconv"
	"unicode/utf8"
)

// AppendValue appends the JSON of v to b. It fails only where
// json.Marshal fails (NaN, channels, ...).
func AppendValue(b []byte, v any) ([]byte, error) {
	switch v := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case string:
		return AppendString(b, v), nil
	case bool:
		return strconv.AppendBool(b, v), nil
	case int:
		return strconv.AppendInt(b, int64(v), 10), nil
	case int64:
		return strconv.AppendInt(b, v, 10), nil
	case float64:
		// integers below 2^53 print alike in both notations; the rest
		// (fractions, exponents, NaN) follow encoding/json's own rules
		if v == float64(int64(v)) && v > -1<<53 && v < 1<<53 && (v != 0 || !signbit(v)) {
			return strconv.AppendInt(b, int64(v), 10), nil
		}
	case map[string]any:
		if v != nil {
			return appendObject(b, v)
		}
	case []any:
		if v != nil {
			return appendArray(b, v)
		}
	case []string:
		if v != nil {
			b = append(b, '[')
			for i, s := range v {
				if i > 0 {
					b = append(b, ',')
				}
				b = AppendString(b, s)
			}
			return append(b, ']'), nil
		}
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return b, err
	}
	return append(b, raw...), nil
}

// Equal reports whether a and b encode to the same JSON, the way record
// values are compared in this project (a field's value before and after a
// write, a client's value and the stored one): 1 and 1.0, or nil and a nil
// map, are equal; two maps are equal whatever their order. A value that
// cannot be encoded is equal to nothing.
func Equal(a, b any) bool {
	ja, err1 := AppendValue(nil, a)
	jb, err2 := AppendValue(nil, b)
	return err1 == nil && err2 == nil && string(ja) == string(jb)
}

func signbit(f float64) bool { return 1/f < 0 }

// appendObject writes m with its keys in order, as json.Marshal does.
func appendObject(b []byte, m map[string]any) ([]byte, error) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = AppendString(b, k)
		b = append(b, ':')
		var err error
		if b, err = AppendValue(b, m[k]); err != nil {
			return b, err
		}
	}
	return append(b, '}'), nil
}

func appendArray(b []byte, a []any) ([]byte, error) {
	b = append(b, '[')
	for i, v := range a {
		if i > 0 {
			b = append(b, ',')
		}
		var err error
		if b, err = AppendValue(b, v); err != nil {
			return b, err
		}
	}
	return append(b, ']'), nil
}

// AppendString appends s as a JSON string, as json.Marshal writes it:
// HTML's <, > and &, control characters, U+2028 and U+2029 escaped, and
// invalid UTF-8 replaced by U+FFFD. Strings that need only the common
// escapes (quote, backslash, newline, carriage return, tab) are written
// here; the rare others are left to encoding/json.
func AppendString(b []byte, s string) []byte {
	start := len(b)
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&':
				b = append(b, c)
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			default:
				return marshalString(b[:start], s)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || r == '\u2028' || r == '\u2029' {
			return marshalString(b[:start], s)
		}
		b = append(b, s[i:i+size]...)
		i += size
	}
	return append(b, '"')
}

func marshalString(b []byte, s string) []byte {
	raw, _ := json.Marshal(s) // a string always encodes
	return append(b, raw...)
}
