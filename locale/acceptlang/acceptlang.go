// Package acceptlang reads Accept-Language values the way a server that
// serves every phone must: entry by entry. x/text's ParseAcceptLanguage
// refuses a whole value for one entry it cannot read (an unknown tag such
// as "zz", a malformed one, a weight such as "q=abc", more than 1000
// hyphens in all), and a Russian browser that also names one exotic
// language would then get no language at all.
//
// The package is pure (x/text only) so that go test -fuzz runs at full
// speed; the locale package matches its entries to the languages Aman
// speaks.
package acceptlang

import (
	"cmp"
	"slices"
	"strings"

	"golang.org/x/text/language"
)

// MaxEntries bounds the entries of one value that are read: a real one has
// a handful, and each costs a parse.
const MaxEntries = 64

// Entry is one language of a value and its weight (quality).
type Entry struct {
	Tag language.Tag
	Q   float32
}

// Parse returns the entries of value (its first MaxEntries) that have a
// weight above 0, by weight (one above 1 counts as 1), in their order among
// equals. An entry that cannot be read is dropped alone.
func Parse(value string) []Entry {
	entries := strings.SplitN(value, ",", MaxEntries+1) // not one string per comma of a 1 MB header
	if len(entries) > MaxEntries {
		entries = entries[:MaxEntries]
	}
	var out []Entry
	for _, entry := range entries {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		tags, q, err := language.ParseAcceptLanguage(entry)
		if err != nil || len(tags) != 1 || !(q[0] > 0) { // !(q > 0): NaN too
			continue
		}
		out = append(out, Entry{tags[0], min(q[0], 1)}) // RFC 9110: 1 at most
	}
	slices.SortStableFunc(out, func(a, b Entry) int { return cmp.Compare(b.Q, a.Q) })
	return out
}
