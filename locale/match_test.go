package locale_test

import (
	"fmt"
	"testing"

	"aman/locale"
)

func TestMatch(t *testing.T) {
	scenarios := []struct {
		pref string
		want string
		ok   bool
	}{
		{"tg", locale.Tajik, true},
		{"tg-TJ", locale.Tajik, true},
		{"tg-Cyrl-TJ", locale.Tajik, true},
		{"ky-KG", locale.Kyrgyz, true},
		{"ru-RU,ru;q=0.9,en-US;q=0.8", locale.Russian, true},
		{"uz", locale.UzbekCyrillic, true},
		{"uz-UZ", locale.UzbekCyrillic, true},
		{"uz-Cyrl", locale.UzbekCyrillic, true},
		{"uz-Latn-UZ", locale.UzbekCyrillic, true},
		{"UZ-cyrl", locale.UzbekCyrillic, true},
		{"fr-FR, ky;q=0.5", locale.Kyrgyz, true},
		{"ky;q=0, en;q=0.1", locale.English, true},
		{"en-GB", locale.English, true},
		{"fr, de", "", false},
		{"*", "", false},
		{"", "", false},
		{"not a tag!!", "", false},
		// an entry x/text cannot read is dropped alone (acceptlang.Parse)
		{"ru-RU,ru;q=0.9,en-US;q=0.8,en;q=0.7,zz;q=0.1", locale.Russian, true},
		{"uz-Latn,ru;q=0.9,de-x-ü;q=0.5", locale.UzbekCyrillic, true},
		// "und" names no language: it is not English by inference
		{"und, ru", locale.Russian, true},
		{"und", "", false},
		{"und-TJ", "", false},
		{"root", "", false},
	}
	for i, s := range scenarios {
		t.Run(fmt.Sprintf("%d_%.40s", i, s.pref), func(t *testing.T) {
			got, ok := locale.Match(s.pref)
			if got != s.want || ok != s.ok {
				t.Fatalf("Match(%.80q) = %q, %v; want %q, %v", s.pref, got, ok, s.want, s.ok)
			}
		})
	}
}

func TestRegionFallback(t *testing.T) {
	for region, want := range map[string]string{"sughd": "ru", "batken": "ru", "other": "en", "": "en"} {
		if got := locale.RegionFallback(region); got != want {
			t.Errorf("%q: got %q, want %q", region, got, want)
		}
	}
}
