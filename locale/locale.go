// Package locale localizes Aman for the people it serves: Tajik, Kyrgyz,
// Russian, Uzbek in Cyrillic script and English.
//
// It loads the go-i18n message files embedded from locales/, picks the
// language of each request (FromRequest), localizes every error response
// PocketBase or this project writes (the codes stay, the messages change),
// serves the labels of every select value, localizes the e-mails sent to
// users and serves multilingual content with a visible fallback.
package locale

import (
	"errors"
	"fmt"
	"io/fs"
	"path"

	"github.com/BurntSushi/toml"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"

	"aman/locales"
)

// The supported languages, as stored in users.language and in the
// language field of multilingual content.
const (
	English       = "en"
	Russian       = "ru"
	Tajik         = "tg"
	Kyrgyz        = "ky"
	UzbekCyrillic = "uz-Cyrl"
)

// Languages lists the supported languages, the source language first.
var Languages = []string{English, Russian, Tajik, Kyrgyz, UzbekCyrillic}

// ErrNoMessages is returned by Load when a file system holds no active
// message file.
var ErrNoMessages = errors.New("no active message files")

var (
	bundle     = mustLoad()
	localizers = newLocalizers(bundle)
)

// Bundle returns the bundle loaded from the embedded message files.
func Bundle() *i18n.Bundle { return bundle }

// Load builds a bundle, English being the source language, from every
// active.<lang>.toml file at the root of fsys.
func Load(fsys fs.FS) (*i18n.Bundle, error) {
	b := i18n.NewBundle(language.English)
	b.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	files, err := fs.Glob(fsys, "active.*.toml")
	if err != nil {
		return nil, fmt.Errorf("glob message files: %w", err)
	}
	if len(files) == 0 {
		return nil, ErrNoMessages
	}
	for _, f := range files {
		if _, err := b.LoadMessageFileFS(fsys, path.Clean(f)); err != nil {
			return nil, fmt.Errorf("load %s: %w", f, err)
		}
	}
	return b, nil
}

func mustLoad() *i18n.Bundle {
	b, err := Load(locales.FS)
	if err != nil {
		panic(fmt.Errorf("locale: %w", err))
	}
	return b
}

func newLocalizers(b *i18n.Bundle) map[string]*i18n.Localizer {
	m := make(map[string]*i18n.Localizer, len(Languages))
	for _, lang := range Languages {
		m[lang] = i18n.NewLocalizer(b, lang)
	}
	return m
}

// Localizer returns the localizer of lang, one of Languages; any other
// value gets the English one. A message missing from lang's file falls back
// to English (the completeness test keeps that from happening).
func Localizer(lang string) *i18n.Localizer {
	if l, ok := localizers[lang]; ok {
		return l
	}
	return localizers[English]
}

// T localizes the message id in lang with the template data. It returns
// the id itself when no file has it, so a missing message shows up on screen
// rather than as an empty string.
func T(lang, id string, data map[string]any) string {
	s, err := Localizer(lang).Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: data})
	if err != nil {
		return id
	}
	return s
}

// Plural is T for a message with plural forms: count picks the CLDR form
// of lang (Russian one/few/many/other, Tajik one for 0 and 1…) and is
// available to the template as {{.Count}} unless data sets Count.
func Plural(lang, id string, count any, data map[string]any) string {
	d := map[string]any{"Count": count}
	for k, v := range data {
		d[k] = v
	}
	s, err := Localizer(lang).Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: d, PluralCount: count})
	if err != nil {
		return id
	}
	return s
}

// Has reports whether lang's own message file defines id (without falling
// back to English).
func Has(lang, id string) bool {
	_, tag, err := Localizer(lang).LocalizeWithTag(&i18n.LocalizeConfig{MessageID: id})
	if err != nil {
		return false
	}
	return tag == language.Make(lang)
}
