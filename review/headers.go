package review

import (
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
)

// ContentSecurityPolicy is sent with every response under /review/. The
// screen shows what volunteers wrote, so a description that smuggles markup
// must never run: scripts only from this origin (no inline script, no
// eval), no plugins, no framing (clickjacking a "verify" button), requests
// only to this origin (the REST API), images from here (photos, by file
// token) and blob: for nothing else.
const ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; " +
	"img-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; " +
	"frame-ancestors 'none'; object-src 'none'"

// headers sets the security headers before the file is served, so that a
// 404 carries them too. Cache-Control no-cache: a new release's files are
// fetched at once (the modules import each other, and a stale one beside a
// fresh one would break), revalidated cheaply otherwise.
func headers() *hook.Handler[*core.RequestEvent] {
	return &hook.Handler[*core.RequestEvent]{
		Id: "amanReviewHeaders",
		Func: func(e *core.RequestEvent) error {
			h := e.Response.Header()
			h.Set("Content-Security-Policy", ContentSecurityPolicy)
			h.Set("X-Content-Type-Options", "nosniff")
			h.Set("Referrer-Policy", "no-referrer")
			h.Set("X-Frame-Options", "DENY")
			h.Set("Cache-Control", "no-cache")
			return e.Next()
		},
	}
}
