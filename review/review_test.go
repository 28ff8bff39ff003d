package review_test

import (
	"io/fs"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/tests"

	"aman/internal/testapp"
	"aman/review"
)

func TestMain(m *testing.M) { os.Exit(testapp.Run(m)) }

// securityHeaders checks the headers every /review/ response carries, the
// 404 of a missing file included.
func securityHeaders(t testing.TB, res *http.Response) {
	t.Helper()
	want := map[string]string{
		"Content-Security-Policy": review.ContentSecurityPolicy,
		"X-Content-Type-Options":  "nosniff",
		"Referrer-Policy":         "no-referrer",
		"X-Frame-Options":         "DENY",
	}
	for k, v := range want {
		if got := res.Header.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
}

func contentType(want string) func(testing.TB, *tests.TestApp, *http.Response) {
	return func(t testing.TB, _ *tests.TestApp, res *http.Response) {
		securityHeaders(t, res)
		if got := res.Header.Get("Content-Type"); !strings.HasPrefix(got, want) {
			t.Errorf("Content-Type = %q, want %s", got, want)
		}
	}
}

func TestRoute(t *testing.T) {
	scenarios := []tests.ApiScenario{
		{
			Name:               "the page loads its module, no inline script",
			Method:             http.MethodGet,
			URL:                "/review/",
			ExpectedStatus:     200,
			ExpectedContent:    []string{`<script type="module" src="app.js"></script>`, `<link rel="stylesheet" href="app.css">`},
			NotExpectedContent: []string{"<script>", "onclick=", "javascript:"},
			AfterTestFunc:      contentType("text/html"),
		},
		{
			Name:            "the app module is JavaScript",
			Method:          http.MethodGet,
			URL:             "/review/app.js",
			ExpectedStatus:  200,
			ExpectedContent: []string{"pocketbase.es.mjs"},
			AfterTestFunc:   contentType("text/javascript"),
		},
		{
			Name:            "the vendored SDK is JavaScript",
			Method:          http.MethodGet,
			URL:             "/review/pocketbase.es.mjs",
			ExpectedStatus:  200,
			ExpectedContent: []string{"The MIT License", "class ClientResponseError"},
			AfterTestFunc:   contentType("text/javascript"),
		},
		{
			Name:            "the style sheet is CSS",
			Method:          http.MethodGet,
			URL:             "/review/app.css",
			ExpectedStatus:  200,
			ExpectedContent: []string{"#flash"},
			AfterTestFunc:   contentType("text/css"),
		},
		{
			Name:            "a missing file is 404, not the page, and keeps the headers",
			Method:          http.MethodGet,
			URL:             "/review/missing.js",
			ExpectedStatus:  404,
			ExpectedContent: []string{`"status":404`},
			AfterTestFunc: func(t testing.TB, _ *tests.TestApp, res *http.Response) {
				securityHeaders(t, res)
			},
		},
		{
			Name:               "no way out of the embedded files",
			Method:             http.MethodGet,
			URL:                "/review/..%2f..%2fgo.mod",
			ExpectedStatus:     404,
			NotExpectedContent: []string{"module aman"},
		},
		{
			Name:           "/review redirects to the page",
			Method:         http.MethodGet,
			URL:            "/review",
			ExpectedStatus: 301,
			AfterTestFunc: func(t testing.TB, _ *tests.TestApp, res *http.Response) {
				// every response under the screen's name: the redirect too
				securityHeaders(t, res)
				if got := res.Header.Get("Location"); got != "/review/" {
					t.Errorf("Location = %q", got)
				}
			},
		},
	}
	for _, s := range scenarios {
		s.TestAppFactory = testapp.Factory
		s.Test(t)
	}
}

var (
	innerHTML   = regexp.MustCompile(`\.(innerHTML|outerHTML)\b|insertAdjacentHTML|document\.write|\beval\(|new Function\(`)
	inlineEvent = regexp.MustCompile(`(?i)\son[a-z]+=`)
)

// TestStatic_NoMarkupFromData: the screen's own code builds the page with
// DOM APIs and textContent only, so a record's text can never become
// markup or script; the page has no inline script or handler (the CSP
// would refuse them anyway). The vendored SDK is left out: it is not ours
// and builds no markup.
func TestStatic_NoMarkupFromData(t *testing.T) {
	err := fs.WalkDir(review.Static, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path == "pocketbase.es.mjs" {
			return err
		}
		buf, err := fs.ReadFile(review.Static, path)
		if err != nil {
			return err
		}
		if m := innerHTML.Find(buf); m != nil {
			t.Errorf("%s uses %s", path, m)
		}
		if strings.HasSuffix(path, ".html") && inlineEvent.Match(buf) {
			t.Errorf("%s has an inline event handler", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
