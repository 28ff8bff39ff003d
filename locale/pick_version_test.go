package locale_test

import (
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"aman/locale"
)

// TestPickVersion_Order: the version shown is the requested language's,
// else its fallbacks in order (Russian before English for the local
// languages, uz-Cyrl included), else the original, else any.
func TestPickVersion_Order(t *testing.T) {
	c := core.NewBaseCollection("texts")
	c.Fields.Add(&core.TextField{Name: "language"}, &core.TextField{Name: "translation_of"})
	version := func(id, lang, of string) *core.Record {
		r := core.NewRecord(c)
		r.Id = id
		r.Set("language", lang)
		r.Set("translation_of", of)
		return r
	}
	en, ru := version("en", "en", "ky"), version("ru", "ru", "ky")
	tg, ky := version("tg", "tg", "ky"), version("ky", "ky", "")
	scenarios := []struct {
		lang     string
		versions []*core.Record
		want     string
	}{
		{locale.UzbekCyrillic, []*core.Record{en, ru, ky}, "ru"},
		{locale.Tajik, []*core.Record{en, ru, ky}, "ru"},
		{locale.Kyrgyz, []*core.Record{en, ru, ky}, "ky"},
		{locale.UzbekCyrillic, []*core.Record{tg, en}, "en"},
		{locale.English, []*core.Record{tg, ky}, "ky"}, // no fallback: the original
		{locale.English, []*core.Record{tg}, "tg"},     // nor an original: any
	}
	for _, s := range scenarios {
		got := "<nil>"
		if r := locale.PickVersion(s.lang, s.versions); r != nil {
			got = r.Id
		}
		if got != s.want {
			t.Errorf("PickVersion(%s) = %s, want %s", s.lang, got, s.want)
		}
	}
	if got := locale.PickVersion(locale.English, nil); got != nil {
		t.Errorf("PickVersion of nothing = %v", got)
	}
}
