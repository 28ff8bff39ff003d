package acceptlang_test

import (
	"runtime"
	"strings"
	"testing"

	"golang.org/x/text/language"

	"aman/locale/acceptlang"
)

// TestParse_BoundedWork: a header of a million commas (Go's server takes
// headers up to 1 MB) costs no more to read than its first 64 entries: it
// is not split into a million strings.
func TestParse_BoundedWork(t *testing.T) {
	huge := "ru," + strings.Repeat(",", 1<<20)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	got := acceptlang.Parse(huge)
	runtime.ReadMemStats(&after)
	if allocated := after.TotalAlloc - before.TotalAlloc; allocated > 64<<10 {
		t.Fatalf("%d bytes allocated for a header of a million commas", allocated)
	}
	if len(got) != 1 || got[0].Tag.String() != "ru" {
		t.Fatalf("Parse = %v", got)
	}
}

func TestParse(t *testing.T) {
	scenarios := []struct {
		value string
		want  string // the tags, by weight, joined by spaces
	}{
		{"", ""},
		{"tg", "tg"},
		{"ru-RU,ru;q=0.9,en-US;q=0.8", "ru-RU ru en-US"},
		{"en;q=0.1, ky", "ky en"},
		{"ky;q=0.5, tg;q=0.5", "ky tg"}, // equals keep their order
		{"ky;q=0, ru", "ru"},            // q=0: not acceptable
		{"tg;q=0.5,ru;q=nan", "tg"},
		{"ky;q=2, ru", "ky ru"}, // a weight above 1 is 1     // NaN is no weight
		{"ru, zz;q=0.1", "ru"},  // unknown tag dropped alone
		{"tg, *;q=abc", "tg"},   // bad weight dropped alone
		{"ru, fr-!!,, ,", "ru"}, // malformed and empty entries
		{"*", "mul"},            // the wildcard is read; no language matches it
		{strings.Repeat("de,", 64) + "ru", strings.TrimSpace(strings.Repeat("de ", 64))}, // 64 entries at most
		{"tg-TJ," + strings.Repeat("de-DE;q=0.1,", 20), "tg-TJ" + strings.Repeat(" de-DE", 20)},
	}
	for _, s := range scenarios {
		t.Run(s.value[:min(len(s.value), 40)], func(t *testing.T) {
			var got []string
			for _, e := range acceptlang.Parse(s.value) {
				got = append(got, e.Tag.String())
			}
			if g := strings.Join(got, " "); g != s.want {
				t.Fatalf("Parse(%.80q) = %q, want %q", s.value, g, s.want)
			}
		})
	}
}

// FuzzParse: any value parses without panic to at most MaxEntries entries,
// weights in (0, 1] and never rising, each entry's base language what
// x/text reads again from its string.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"", "tg", "ru-RU,ru;q=0.9,en-US;q=0.8,en;q=0.7,zz;q=0.1", "uz-Latn,ru;q=0.9,de-x-ü;q=0.5",
		"tg;q=0.5,ru;q=nan", "*;q=abc", "und-TJ", "ky;q=1.0001", "en;q=-1", "\xff\xfe", "tg;;q=0.3",
		"tg-TJ," + strings.Repeat("de-DE;q=0.1,", 100), strings.Repeat("-", 2000), "x-" + strings.Repeat("a", 300),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, value string) {
		entries := acceptlang.Parse(value)
		if len(entries) > acceptlang.MaxEntries {
			t.Fatalf("%d entries", len(entries))
		}
		for i, e := range entries {
			if !(e.Q > 0 && e.Q <= 1) {
				t.Fatalf("entry %d: weight %v", i, e.Q)
			}
			if i > 0 && e.Q > entries[i-1].Q {
				t.Fatalf("entry %d: weight %v after %v", i, e.Q, entries[i-1].Q)
			}
			// what Match reads of an entry is its base language; x/text may
			// print a tag it cannot read again (aa-u-01-u-00-000-00, found
			// by this target), but never one whose base it reads otherwise
			base, _ := e.Tag.Base()
			if again, err := language.Parse(e.Tag.String()); err == nil {
				if b, _ := again.Base(); b != base {
					t.Fatalf("entry %d: %q reads again with base %s, not %s", i, e.Tag, b, base)
				}
			}
		}
	})
}
