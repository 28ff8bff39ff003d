package locale_test

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"

	"aman/locale"
	"aman/locales"
	"aman/review"
)

// moduleDir is the source directory of a module of the build.
func moduleDir(t *testing.T, module string) string {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", module).Output()
	if err != nil {
		t.Skipf("go list %s: %v", module, err)
	}
	return strings.TrimSpace(string(out))
}

func goSources(t *testing.T, dir string) string {
	t.Helper()
	var all strings.Builder
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "ui" || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(path)
		all.Write(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return all.String()
}

var validationCode = regexp.MustCompile(`NewError\(\s*"(validation_[a-z0-9_]+)"`)

// TestCatalog_EveryPocketBaseCode: every validation code PocketBase and
// ozzo-validation can emit has a message (run it after upgrading either).
func TestCatalog_EveryPocketBaseCode(t *testing.T) {
	src := goSources(t, moduleDir(t, "github.com/pocketbase/pocketbase")) +
		goSources(t, moduleDir(t, "github.com/pocketbase/ozzo-validation/v4"))
	codes := map[string]bool{}
	for _, m := range validationCode.FindAllStringSubmatch(src, -1) {
		codes[m[1]] = true
	}
	if len(codes) < 150 {
		t.Fatalf("found %d codes: is the grep broken?", len(codes))
	}
	for code := range codes {
		if !locale.Has(locale.English, code) {
			t.Errorf("PocketBase code %s has no message in catalog_validation.go", code)
		}
	}
}

// TestCatalog_ApiMessagesStillInPocketBase: the top-level messages are
// matched by their English text, so each must still be PocketBase's.
func TestCatalog_ApiMessagesStillInPocketBase(t *testing.T) {
	src := goSources(t, moduleDir(t, "github.com/pocketbase/pocketbase"))
	for _, m := range locale.APIMessages {
		text := strings.TrimSuffix(m.Other, ".")
		lower := strings.ToLower(text[:1]) + text[1:]
		if !strings.Contains(src, `"`+text) && !strings.Contains(src, `"`+lower) {
			t.Errorf("%s: %q no longer occurs in PocketBase", m.ID, m.Other)
		}
	}
}

// TestCatalog_ApiPrefixesStillInPocketBase: each message prefix matched at
// runtime is still how PocketBase builds its message.
func TestCatalog_ApiPrefixesStillInPocketBase(t *testing.T) {
	src := goSources(t, moduleDir(t, "github.com/pocketbase/pocketbase"))
	for _, p := range locale.APIPrefixes() {
		prefix, suffix := p[0], p[1]
		concatenated := strings.Contains(src, `"`+prefix+`"+`) && suffix == "."
		formatted := strings.Contains(src, `"`+prefix+`%s`+suffix+`"`)
		if !concatenated && !formatted {
			t.Errorf("%q…%q no longer occurs in PocketBase", prefix, suffix)
		}
	}
}

// Every message of the English file is in a Go catalog: goi18n extract
// writes active.en.toml from the catalogs, so a message added to the files
// alone (three were, in stop 22) would be dropped by the next extract, and
// its translations with it at the next merge.
func TestCatalog_EveryMessageInACatalog(t *testing.T) {
	var file map[string]any
	if _, err := toml.DecodeFS(locales.FS, "active.en.toml", &file); err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{}
	for _, id := range locale.CatalogIDs() {
		known[id] = true
	}
	for _, m := range review.Messages {
		known[m.ID] = true
	}
	var missing []string
	for id := range file {
		if !known[id] {
			missing = append(missing, id)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Fatalf("%d messages of active.en.toml are in no Go catalog: %v", len(missing), missing)
	}
}
