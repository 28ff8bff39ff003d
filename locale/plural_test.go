package locale_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"

	"aman/locale"
)

func TestPlural(t *testing.T) {
	scenarios := []struct {
		lang  string
		count int
		want  string
	}{
		{locale.Russian, 1, "1 сообщение"},
		{locale.Russian, 2, "2 сообщения"},
		{locale.Russian, 5, "5 сообщений"},
		{locale.Russian, 11, "11 сообщений"},
		{locale.Russian, 21, "21 сообщение"},
		{locale.Russian, 22, "22 сообщения"},
		{locale.English, 1, "1 report"},
		{locale.English, 0, "0 reports"},
	}
	for i, s := range scenarios {
		t.Run(fmt.Sprintf("%d_%s_%d", i, s.lang, s.count), func(t *testing.T) {
			if got := locale.Plural(s.lang, "reports_count", s.count, nil); got != s.want {
				t.Fatalf("got %q, want %q", got, s.want)
			}
		})
	}
}

// TestPlural_TajikZeroIsOne: Tajik's CLDR rule is one for i = 0 or n = 1
// (go-i18n >= v2.7.0; older versions fail to load tg at all). Tajik nouns
// after a numeral take no plural, so our tg file has the same text in both
// forms; the rule is checked on a bundle whose forms differ.
func TestPlural_TajikZeroIsOne(t *testing.T) {
	b := i18n.NewBundle(language.English)
	if err := b.AddMessages(language.Make(locale.Tajik), &i18n.Message{ID: "n", One: "one", Other: "other"}); err != nil {
		t.Fatal(err)
	}
	loc := i18n.NewLocalizer(b, locale.Tajik)
	for n, want := range map[int]string{0: "one", 1: "one", 2: "other", 5: "other"} {
		got, err := loc.Localize(&i18n.LocalizeConfig{MessageID: "n", PluralCount: n})
		if err != nil || got != want {
			t.Errorf("%d: got %q (%v), want %q", n, got, err, want)
		}
	}
	for _, n := range []int{0, 1, 2} {
		want := fmt.Sprintf("%d ", n)
		if got := locale.Plural(locale.Tajik, "reports_count", n, nil); !strings.HasPrefix(got, want) || got == "reports_count" {
			t.Errorf("%d: got %q", n, got)
		}
	}
}

func ExamplePlural() {
	for _, n := range []int{1, 2, 5, 21} {
		fmt.Println(locale.Plural(locale.Russian, "reports_count", n, nil))
	}
	// Output:
	// 1 сообщение
	// 2 сообщения
	// 5 сообщений
	// 21 сообщение
}
