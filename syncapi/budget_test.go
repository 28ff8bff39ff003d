package syncapi_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"aman/syncapi"
)

// Push bodies count against the service's budget (48 MiB) from before
// they are read: three uploads that announce 16 MiB and stall take all of
// it, so a fourth push waits (and leaves, 499, when its client does)
// instead of the server holding ever more half-read bodies. Once the
// stalled uploads fail, pushes go through again.
func TestPush_StalledUploadsHoldTheBudget(t *testing.T) {
	en := newEnv(t)
	var stalled []*io.PipeWriter
	done := make(chan int, 3)
	for i := range 3 {
		pr, pw := io.Pipe()
		stalled = append(stalled, pw)
		req := en.request(volunteerA, http.MethodPost, "/api/sync/v1/push", nil)
		req.Body, req.ContentLength = pr, syncapi.MaxBodyBytes
		req.Header.Set("Content-Length", strconv.Itoa(syncapi.MaxBodyBytes))
		go func() {
			rec := httptest.NewRecorder()
			en.mux.ServeHTTP(rec, req)
			done <- rec.Code
		}()
		if _, err := pw.Write([]byte(`{"client":"stalled-` + strconv.Itoa(i) + `","mutations":[`)); err != nil {
			t.Fatal(err)
		}
	}
	small := func(timeout time.Duration) int {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		req := en.request(volunteerB, http.MethodPost, "/api/sync/v1/push", map[string]any{"client": "device-b", "mutations": []any{}})
		rec := httptest.NewRecorder()
		en.mux.ServeHTTP(rec, req.WithContext(ctx))
		return rec.Code
	}
	if code := small(time.Second); code != 499 {
		t.Fatalf("a push beside 3 stalled 16 MiB uploads: %d, want 499 (it waited for the budget)", code)
	}
	for _, pw := range stalled {
		pw.CloseWithError(errors.New("connection lost"))
	}
	for range stalled {
		if code := <-done; code != http.StatusBadRequest {
			t.Fatalf("a cut upload answered %d, want 400", code)
		}
	}
	if code := small(10 * time.Second); code != http.StatusOK {
		t.Fatalf("a push after the stalled uploads failed: %d, want 200", code)
	}
}
