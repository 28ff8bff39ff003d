package locale

import (
	"bytes"
	"encoding/json"
	"net/http"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
)

// healthPath is PocketBase's health check (apis/health.go).
const healthPath = "/api/health"

// healthMiddleware gives the health check's message ("API is healthy.")
// in the request's language. PocketBase's handler writes it itself, so it
// is not an error the errors middleware sees: its answer is kept aside,
// then written again with the message in lang and everything else as it
// was (status, `code`, `data`, headers), so that monitoring, which reads
// the status and `code`, reads the same. English passes untouched.
func healthMiddleware() *hook.Handler[*core.RequestEvent] {
	return &hook.Handler[*core.RequestEvent]{
		Id:       "amanLocaleHealth",
		Priority: languagePriority + 1,
		Func: func(e *core.RequestEvent) error {
			if e.Request.URL.Path != healthPath || e.Request.Method != http.MethodGet && e.Request.Method != http.MethodHead {
				return e.Next()
			}
			lang := FromRequest(e)
			if lang == English || !Supported(lang) {
				return e.Next()
			}
			w := e.Response
			kept := &keptResponse{ResponseWriter: w}
			e.Response = kept
			err := e.Next()
			e.Response = w
			if err != nil {
				return err
			}
			body := kept.body.Bytes()
			var resp struct {
				Message string         `json:"message"`
				Code    int            `json:"code"`
				Data    map[string]any `json:"data"`
			}
			if json.Unmarshal(body, &resp) == nil && resp.Message != "" {
				resp.Message = localizeApiMessage(lang, kept.status, resp.Message)
				if b, err := json.Marshal(resp); err == nil {
					body = b
				}
			}
			if kept.status == 0 {
				kept.status = http.StatusOK
			}
			w.WriteHeader(kept.status)
			_, err = w.Write(body)
			return err
		},
	}
}

// keptResponse keeps what a handler writes (its headers go to the real
// response, which is written later).
type keptResponse struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (k *keptResponse) WriteHeader(status int) {
	if k.status == 0 {
		k.status = status
	}
}

func (k *keptResponse) Write(p []byte) (int, error) {
	if k.status == 0 {
		k.status = http.StatusOK
	}
	return k.body.Write(p)
}
