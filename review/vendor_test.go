package review_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"aman/internal/testapp"
	"aman/review"
)

const vendored = "pocketbase.es.mjs"

// pinnedSDK returns the pocketbase version e2e/package.json pins and the
// one e2e/package-lock.json resolved.
func pinnedSDK(t *testing.T) (pinned, locked string) {
	t.Helper()
	var pkg struct {
		Dependencies map[string]string `json:"dependencies"`
	}
	var lock struct {
		Packages map[string]struct {
			Version string `json:"version"`
		} `json:"packages"`
	}
	for file, v := range map[string]any{"package.json": &pkg, "package-lock.json": &lock} {
		buf, err := os.ReadFile(filepath.Join(testapp.Root(), "e2e", file))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(buf, v); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
	}
	return pkg.Dependencies["pocketbase"], lock.Packages["node_modules/pocketbase"].Version
}

// TestVendoredSDK_MatchesE2E: the screen runs the SDK version the e2e tests
// pin, so the SDK the tests exercise is the one coordinators run. The
// vendored file names its version in its header; when e2e/node_modules is
// installed (npm ci, as bin/test does), its body must be that package's
// dist file byte for byte. To update: bump e2e/package.json, npm install,
// copy the new dist/pocketbase.es.mjs under the header (docs/review.md).
func TestVendoredSDK_MatchesE2E(t *testing.T) {
	pinned, locked := pinnedSDK(t)
	if pinned == "" || pinned != locked {
		t.Fatalf("e2e pins pocketbase %q but its lock file has %q", pinned, locked)
	}
	buf, err := fs.ReadFile(review.Static, vendored)
	if err != nil {
		t.Fatal(err)
	}
	header := []byte("PocketBase JavaScript SDK v" + pinned + " ")
	if !bytes.Contains(buf[:min(len(buf), 400)], header) {
		t.Fatalf("vendored %s does not say it is v%s (e2e/package.json): update it", vendored, pinned)
	}
	end := []byte(" */\n")
	i := bytes.Index(buf, end)
	if i < 0 || !bytes.Contains(buf[:i], []byte("The MIT License")) {
		t.Fatalf("vendored %s lost its license header", vendored)
	}
	dist := filepath.Join(testapp.Root(), "e2e", "node_modules", "pocketbase", "dist", vendored)
	orig, err := os.ReadFile(dist)
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("%s not installed (cd e2e && npm ci): version checked, bytes not", dist)
	}
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf[i+len(end):], orig) {
		t.Fatalf("vendored %s differs from %s: copy it again under the header", vendored, dist)
	}
}
