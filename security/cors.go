package security

import (
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"

	"github.com/pocketbase/pocketbase"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
)

// OriginsEnv names the environment variable with the extra browser origins
// allowed to call the API cross-origin, comma separated, exact
// ("https://aman.example.org") or with PocketBase's wildcards
// ("https://*.aman.example.org").
const OriginsEnv = "AMAN_CORS_ORIGINS"

// cors returns PocketBase's CORS middleware under PocketBase's own id, so it
// replaces the one apis.Serve binds (which allows every origin unless
// `serve --origins` says otherwise).
//
// Policy: the phone apps are not browsers and need no CORS; the dashboard is
// same-origin. A browser may call the API cross-origin only from the origin
// of the App URL (settings, read on every request so a change applies at
// once) and from the origins in AMAN_CORS_ORIGINS. An explicit
// `serve --origins=...` replaces this policy: the operator said what they want.
func cors(app core.App) *hook.Handler[*core.RequestEvent] {
	if explicit, ok := explicitOrigins(app); ok {
		return apis.CORS(apis.CORSConfig{AllowOrigins: explicit, AllowMethods: methods})
	}
	extra := originPatterns(os.Getenv(OriginsEnv))
	return apis.CORS(apis.CORSConfig{
		AllowMethods: methods,
		AllowOriginFunc: func(origin string) (bool, error) {
			if origin == appOrigin(app) {
				return true, nil
			}
			return slices.ContainsFunc(extra, func(re *regexp.Regexp) bool { return re.MatchString(origin) }), nil
		},
	})
}

var methods = []string{http.MethodGet, http.MethodHead, http.MethodPut, http.MethodPatch, http.MethodPost, http.MethodDelete}

// explicitOrigins returns the value of `serve --origins` when the operator
// set it on the command line.
func explicitOrigins(app core.App) ([]string, bool) {
	pb, ok := app.(*pocketbase.PocketBase)
	if !ok {
		return nil, false
	}
	serve, _, err := pb.RootCmd.Find([]string{"serve"})
	if err != nil || serve == nil || !serve.Flags().Changed("origins") {
		return nil, false
	}
	origins, err := serve.Flags().GetStringSlice("origins")
	return origins, err == nil && len(origins) > 0
}

// originPatterns compiles a comma separated origin list; "*" matches any
// run of characters inside an origin, as in PocketBase's --origins. A lone
// "*" is ignored: allowing every origin takes an explicit --origins=*.
func originPatterns(list string) []*regexp.Regexp {
	var res []*regexp.Regexp
	for _, o := range strings.Split(list, ",") {
		o = strings.TrimSpace(o)
		if o == "" || o == "*" {
			continue
		}
		pattern := strings.ReplaceAll(regexp.QuoteMeta(o), `\*`, `[^/]*`)
		res = append(res, regexp.MustCompile("^"+pattern+"$"))
	}
	return res
}

// appOrigin is scheme://host[:port] of the App URL setting.
func appOrigin(app core.App) string {
	u, err := url.Parse(app.Settings().Meta.AppURL)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return ""
	}
	return u.Scheme + "://" + u.Host
}
