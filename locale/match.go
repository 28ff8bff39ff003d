package locale

import (
	"golang.org/x/text/language"

	"aman/locale/acceptlang"
)

// Match returns the supported language for pref, which is a language tag
// ("tg", "uz-UZ", "ru-RU") or an Accept-Language value ("ky;q=0.9, ru;q=0.8").
// The first tag, by quality, whose base language is supported wins.
//
// Matching is by base language on purpose: x/text's Matcher returns tags with
// extensions (tg-u-rg-tjzzzz) and treats a bare "uz" as Latin script, while
// this audience reads Uzbek in Cyrillic. So every Uzbek tag, uz-Latn
// included, resolves to uz-Cyrl: we have no Latin Uzbek, and an Uzbek
// reader gets their own language in the other script rather than Russian.
//
// An Accept-Language value is read entry by entry (acceptlang.Parse), so
// one entry x/text cannot read does not throw away the languages the rest
// of the value names.
func Match(pref string) (string, bool) {
	for _, entry := range acceptlang.Parse(pref) {
		if lang, ok := supportedBase(entry.Tag); ok {
			return lang, true
		}
	}
	return "", false
}

// supportedBase is the supported language of tag's explicit base language.
// Only an explicit one counts: x/text infers one for "und" (English) or a
// bare region or script ("und-TJ"), which name none.
func supportedBase(tag language.Tag) (string, bool) {
	base, conf := tag.Base()
	if conf != language.Exact {
		return "", false
	}
	switch base.String() {
	case "en":
		return English, true
	case "ru":
		return Russian, true
	case "tg":
		return Tajik, true
	case "ky":
		return Kyrgyz, true
	case "uz":
		return UzbekCyrillic, true
	}
	return "", false
}

// Supported reports whether lang is exactly one of Languages.
func Supported(lang string) bool {
	for _, l := range Languages {
		if l == lang {
			return true
		}
	}
	return false
}

// RegionFallback is the language for someone whose preferences matched
// nothing: Russian in the regions Aman serves (Sughd in Tajikistan, Batken
// in Kyrgyzstan), where it is the language people of every community are
// most likely to share; English elsewhere and when the region is unknown.
func RegionFallback(region string) string {
	switch region {
	case "sughd", "batken":
		return Russian
	}
	return English
}
