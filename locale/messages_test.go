package locale_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"unicode"

	"github.com/BurntSushi/toml"
	"github.com/nicksnyder/go-i18n/v2/i18n"

	"aman/internal/testapp"
	"aman/locale"
	"aman/locales"
)

// pluralForms are the CLDR plural categories of integers in each language
// (go-i18n v2.7.0's rules): what a message with plural forms must define,
// no more, no less.
var pluralForms = map[string][]string{
	locale.English:       {"one", "other"},
	locale.Russian:       {"few", "many", "one", "other"},
	locale.Tajik:         {"one", "other"},
	locale.Kyrgyz:        {"one", "other"},
	locale.UzbekCyrillic: {"one", "other"},
}

func loadFile(t *testing.T, lang string) map[string]*i18n.Message {
	t.Helper()
	name := "active." + lang + ".toml"
	buf, err := fs.ReadFile(locales.FS, name)
	if err != nil {
		t.Fatalf("read %s: %v", name, err)
	}
	mf, err := i18n.ParseMessageFileBytes(buf, name, map[string]i18n.UnmarshalFunc{"toml": toml.Unmarshal})
	if err != nil {
		t.Fatalf("parse %s: %v", name, err)
	}
	out := make(map[string]*i18n.Message, len(mf.Messages))
	for _, m := range mf.Messages {
		out[m.ID] = m
	}
	return out
}

func forms(m *i18n.Message) map[string]string {
	all := map[string]string{"zero": m.Zero, "one": m.One, "two": m.Two, "few": m.Few, "many": m.Many, "other": m.Other}
	for k, v := range all {
		if v == "" {
			delete(all, k)
		}
	}
	return all
}

var placeholder = regexp.MustCompile(`{{\s*\.(\w+)\s*}}`)

func placeholders(m *i18n.Message) []string {
	set := map[string]bool{}
	for _, text := range forms(m) {
		for _, p := range placeholder.FindAllStringSubmatch(text, -1) {
			set[p[1]] = true
		}
	}
	var out []string
	for p := range set {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestMessages_Complete: every active file has every message of
// active.en.toml, with exactly its language's plural forms and the English
// placeholders, translated (hash set by goi18n merge), and nothing else.
func TestMessages_Complete(t *testing.T) {
	en := loadFile(t, locale.English)
	if len(en) < 400 {
		t.Fatalf("active.en.toml has %d messages, expected the full catalog", len(en))
	}
	for _, lang := range locale.Languages {
		t.Run(lang, func(t *testing.T) {
			msgs := loadFile(t, lang)
			for id, src := range en {
				m, ok := msgs[id]
				if !ok {
					t.Errorf("%s: missing", id)
					continue
				}
				want := []string{"other"}
				if src.One != "" {
					want = pluralForms[lang]
				}
				if got := keys(forms(m)); !slices.Equal(got, want) {
					t.Errorf("%s: plural forms %v, want %v", id, got, want)
				}
				if got, want := placeholders(m), placeholders(src); !slices.Equal(got, want) {
					t.Errorf("%s: placeholders %v, want %v (English)", id, got, want)
				}
				if lang != locale.English && !strings.HasPrefix(m.Hash, "sha1-") {
					t.Errorf("%s: no hash: merge translations with goi18n merge", id)
				}
			}
			for id := range msgs {
				if _, ok := en[id]; !ok {
					t.Errorf("%s: not in active.en.toml (stale?)", id)
				}
			}
		})
	}
}

// TestMessages_Scripts: translations use their language's own letters, a
// cheap guard against a file pasted into the wrong language.
func TestMessages_Scripts(t *testing.T) {
	letters := map[string]string{
		locale.Russian:       "ё",
		locale.Tajik:         "ғӣқӯҳҷ",
		locale.Kyrgyz:        "ңөү",
		locale.UzbekCyrillic: "ўқғҳ",
	}
	foreign := map[string]string{
		locale.Russian:       "ғӣқӯҳҷңөүў",
		locale.Tajik:         "ңөүў",
		locale.Kyrgyz:        "ғӣқӯҳҷў",
		locale.UzbekCyrillic: "ӣӯҷңөү",
	}
	for lang, want := range letters {
		t.Run(lang, func(t *testing.T) {
			var all strings.Builder
			for id, m := range loadFile(t, lang) {
				for _, text := range forms(m) {
					all.WriteString(text)
					if i := strings.IndexAny(text, foreign[lang]); i >= 0 {
						t.Errorf("%s: %q has a letter of another language", id, text)
					}
					if w := mixedWord(text); w != "" {
						t.Errorf("%s: %q mixes Latin and Cyrillic letters in one word", id, w)
					}
				}
			}
			for _, r := range want {
				if !strings.ContainsRune(all.String(), r) {
					t.Errorf("no %q anywhere in active.%s.toml", r, lang)
				}
			}
		})
	}
}

var word = regexp.MustCompile(`\pL+`)

// mixedWord returns a word that mixes Latin and Cyrillic letters (a Latin
// "a" or "i" typed inside a Cyrillic word looks right and reads wrong).
func mixedWord(text string) string {
	for _, w := range word.FindAllString(text, -1) {
		if strings.ContainsFunc(w, isLatin) && strings.ContainsFunc(w, isCyrillic) {
			return w
		}
	}
	return ""
}

func isLatin(r rune) bool    { return r < 0x250 && unicode.IsLetter(r) }
func isCyrillic(r rune) bool { return unicode.Is(unicode.Cyrillic, r) }

var codeLiteral = regexp.MustCompile(`NewError\(\s*"([a-z0-9_]+)"|\bCode\w*\s*=\s*"([a-z0-9_]+)"`)

// TestMessages_ProjectCodes: every error code this project's Go code
// declares (validation.NewError("code", …) or a Code… = "code" constant)
// has a message in every language.
func TestMessages_ProjectCodes(t *testing.T) {
	root := testapp.Root()
	codes := map[string]string{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || strings.HasPrefix(d.Name(), ".")) {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		buf, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range codeLiteral.FindAllStringSubmatch(string(buf), -1) {
			codes[m[1]+m[2]] = path
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(codes) < 20 {
		t.Fatalf("found only %d codes: is the grep broken?", len(codes))
	}
	for code, path := range codes {
		for _, lang := range locale.Languages {
			if !locale.Has(lang, code) {
				t.Errorf("code %s (%s) has no %s message", code, path, lang)
			}
		}
	}
}

// TestMessages_Glossary: a term a file translates one way is not written
// another way in another message of the same file. Each entry was found in
// a translation and corrected: a second word for the same thing (an aid
// request is "запрос о помощи", a coordinator "ҳамоҳангсоз", an account
// "эсеп") makes a reader wonder whether it is another thing, and "кумак"
// is "кӯмак" misspelt. The words are docs/localization.md's glossary: the
// labels' word where a label names the thing. "Verified" (the status, its
// verifier and date) is "confirmed", not "checked", which is the review.
func TestMessages_Glossary(t *testing.T) {
	wrong := map[string][]struct{ pattern, use string }{
		locale.Russian: {
			{`(?i)(^|\PL)запрос\pL*\s+помощи`, "запрос о помощи"},
			{`(?i)(^|\PL)заявк`, "запрос о помощи"},
			{`(?i)кто проверил|дата проверки|проверивш|(^|\PL)проверенн|проверять\s+(может|сообщение)`, "подтвердить (the status: Подтверждено)"},
			{`(?i)превью|предпросмотр`, "миниатюра"},
			{`(?i)попробуйте\s+(ещё|еще)\s+раз`, "повторите попытку"},
		},
		locale.Tajik: {
			{`(?i)(^|\PL)кумак`, "кӯмак"},
			{`(?i)координатор`, "ҳамоҳангсоз (the role's label)"},
			{`(?i)ташкилот`, "созмон (the collection's label)"},
			{`(?i)^санҷанда$|ҳамчун\s+санҷанда|санаи\s+санҷиш|метавонад\s+санҷад`, "тасдиқ (the status: Тасдиқ шуд)"},
			{`(?i)баррас`, "санҷиш (the status: Дар санҷиш)"},
			{`(?i)пешнамоиш`, "тасвири хурд"},
			{`(?i)дубора\s+кӯшиш`, "боз кӯшиш кунед"},
			{`(?i)(^|\PL)суратҳо|(^|\PL)сурати\s+нав`, "акс (the photos' label)"},
		},
		locale.Kyrgyz: {
			{`(?i)өтүнүч`, "жардам суроосу"},
			{`(?i)каттоо жазуу`, "эсеп"},
			{`(?i)(^|\PL)сурам(дар|\PL|$)`, "жардам суроосу (the collection's label)"},
			{`\}\}\s+(ашп|ашык|ашат|кем\PL|көп\PL)`, "the ablative on a word after the number ({{.max}} маанисинен ашпашы)"},
			{`(?i)ким текшерди|текшерилген күнү|текшерген адам|текшере алат`, "ырастоо (the status: Ырасталды)"},
			{`(?i)алдын ала көрүү`, "кичирейтилген көрүнүш"},
			{`(?i)текшерүү жазуусу`, "текшерүү боюнча эскертүү (the field's label)"},
		},
		locale.UzbekCyrillic: {
			{`(?i)координатор`, "мувофиқлаштирувчи (the role's label)"},
			{`(?i)филтр`, "фильтр (Cyrillic keeps ь inside a Russian loanword)"},
			{`(?i)(^|\PL)парол(\PL|$)`, "пароль (Cyrillic keeps a final ь, drops it before a suffix)"},
			{`(?i)ким текширди|текширилган сана|текширган деб|текшириши мумкин`, "тасдиқлаш (the status: Тасдиқланди)"},
			{`(?i)олдиндан кўриш`, "кичик нусха"},
			{`(?i)яна уриниб`, "қайта уриниб кўринг"},
			{`(?i)текширув изоҳи`, "текширув ҳақида қайд (the field's label)"},
			{`(?i)кўриб\s+чиқ`, "текширув (the status: Текширилмоқда)"},
			{`(?i)(^|\PL)нашр`, "эълон қилиш (the status: Эълон қилинди)"},
		},
	}
	for lang, entries := range wrong {
		t.Run(lang, func(t *testing.T) {
			msgs := loadFile(t, lang)
			for _, e := range entries {
				re := regexp.MustCompile(e.pattern)
				for id, m := range msgs {
					for _, text := range forms(m) {
						if w := re.FindString(text); w != "" {
							w = strings.TrimLeftFunc(w, func(r rune) bool { return !unicode.IsLetter(r) })
							t.Errorf("%s: %q: say %s", id, w, e.use)
						}
					}
				}
			}
		})
	}
}
