package syncapi_test

import (
	"net/http"
	"testing"
)

// TestRequest_RepeatedParameters: a sync parameter given twice is refused,
// as brief is, rather than read as its first value: "?seen=&seen=<a
// position this server never held>" applied the push to a restored server,
// and a second "collections" was silently not pulled.
func TestRequest_RepeatedParameters(t *testing.T) {
	en := newEnv(t)
	body := map[string]any{"client": "device-a", "mutations": []mut{createReport(reportA, volunteerA, nil)}}
	for _, q := range []string{"?seen=&seen=1.neverissued", "?lost=1.a&lost=2.a", "?seen=1.neverissued&seen=1.neverissued"} {
		code, out := en.do(volunteerA, http.MethodPost, "/api/sync/v1/push"+q, body)
		if code != 400 || out["code"] != "sync_invalid_parameter" {
			t.Fatalf("push %s: %d %v", q, code, out)
		}
	}
	if n := en.countRows("incident_reports", "", nil); n != 0 {
		t.Fatalf("a refused push wrote %d reports", n)
	}
	for _, q := range []string{
		"?collections=incident_reports&collections=aid_requests",
		"?limit=1&limit=2", "?checkpoint=&checkpoint=x", "?seen=&seen=1.neverissued",
	} {
		code, out := en.do(volunteerA, http.MethodGet, "/api/sync/v1/pull"+q, nil)
		if code != 400 || out["code"] != "sync_invalid_parameter" {
			t.Fatalf("pull %s: %d %v", q, code, out)
		}
	}
	// once each is as ever
	if code, out := en.do(volunteerA, http.MethodGet, "/api/sync/v1/pull?collections=incident_reports,aid_requests&limit=5", nil); code != 200 {
		t.Fatalf("pull: %d %v", code, out)
	}
}
