package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// The protocol v1 wire types (docs/sync.md), as a client sees them.
type (
	change struct {
		Collection string         `json:"collection"`
		ID         string         `json:"id"`
		Rev        int64          `json:"rev"`
		Deleted    bool           `json:"deleted"`
		Record     map[string]any `json:"record,omitempty"`
	}
	pullResponse struct {
		Changes    []change `json:"changes"`
		Checkpoint string   `json:"checkpoint"`
		HasMore    bool     `json:"hasMore"`
		Reset      bool     `json:"reset"`
		Reason     string   `json:"reason"`
		Position   string   `json:"position"`
	}
	mutation struct {
		ID         string         `json:"id"`
		Collection string         `json:"collection"`
		RecordID   string         `json:"recordId"`
		BaseRev    int64          `json:"baseRev"`
		Data       map[string]any `json:"data"`
		Delete     bool           `json:"delete,omitempty"`
	}
	pushRequest struct {
		Client    string     `json:"client"`
		Mutations []mutation `json:"mutations"`
	}
	mutationError struct {
		Code    string         `json:"code"`
		Message string         `json:"message"`
		Fields  map[string]any `json:"fields"`
	}
	result struct {
		ID     string         `json:"id"`
		Status string         `json:"status"`
		Rev    int64          `json:"rev"`
		Record map[string]any `json:"record"`
		Error  *mutationError `json:"error"`
	}
	pushResponse struct {
		Results  []result `json:"results"`
		Position string   `json:"position"`
	}
)

// errProtocol marks an answer that breaks protocol v1: retrying it is
// pointless.
var errProtocol = errors.New("protocol violation")

// statusError is a non-2xx answer; retryable says whether a client should
// send the same request again (the server was unavailable or busy), and
// retryAfter is its Retry-After (whole seconds; 0 when absent), the least
// a client waits before it does (docs/operations.md).
type statusError struct {
	status     int
	body       string
	retryAfter time.Duration
}

func (e *statusError) Error() string {
	return fmt.Sprintf("http %d: %.300s", e.status, e.body)
}

func (e *statusError) retryable() bool {
	return e.status == http.StatusTooManyRequests || e.status >= 500
}

// api is a minimal HTTP client of one server for one user.
type api struct {
	base  string
	token string
	hc    *http.Client
	// gzipUploads sends request bodies gzip-compressed, as an app on 2G
	// should (docs/sync.md, Push)
	gzipUploads bool
	// briefPushes asks pushes for brief answers: applied and merged
	// results without their record, which the next pull brings
	briefPushes bool
}

// wire counts what crossed the network for one response.
type wire struct {
	bytes int64 // body bytes as received (compressed if gzip)
}

// do sends a request and decodes a JSON answer into out. With gzip it asks
// for a compressed answer and decompresses it itself, so w counts the bytes
// that really crossed the wire (Go's transport would hide them).
func (a *api) do(ctx context.Context, method, path string, body []byte, gz bool, out any) (wire, error) {
	ans, err := a.exchange(ctx, method, path, body, gz)
	if err != nil {
		return ans.wire, err
	}
	return ans.wire, ans.decode(out)
}

// answer is a response as it crossed the network, not yet decompressed or
// decoded: a benchmark times the exchange alone (the server's work and the
// transfer) and decodes afterwards, since the client shares the machine's
// cores with the server.
type answer struct {
	wire
	status     int
	gzip       bool
	raw        []byte
	retryAfter time.Duration
}

// retryAfter reads a Retry-After in whole seconds, what the server sends;
// 0 when absent or not a positive number of seconds.
func retryAfter(v string) time.Duration {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n <= 0 {
		return 0
	}
	return time.Duration(n) * time.Second
}

// exchange sends a request and reads the answer's bytes.
func (a *api) exchange(ctx context.Context, method, path string, body []byte, gz bool) (answer, error) {
	packed := a.gzipUploads && body != nil
	if packed {
		body = gzipped(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.base+path, bytes.NewReader(body))
	if err != nil {
		return answer{}, err
	}
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if packed {
		req.Header.Set("Content-Encoding", "gzip")
	}
	if a.token != "" {
		req.Header.Set("Authorization", a.token)
	}
	req.Header.Set("Accept-Encoding", "identity")
	if gz {
		req.Header.Set("Accept-Encoding", "gzip")
	}
	res, err := a.hc.Do(req)
	if err != nil {
		return answer{}, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return answer{}, fmt.Errorf("read answer: %w", err)
	}
	return answer{wire: wire{bytes: int64(len(raw))}, status: res.StatusCode, gzip: res.Header.Get("Content-Encoding") == "gzip", raw: raw,
		retryAfter: retryAfter(res.Header.Get("Retry-After"))}, nil
}

// decode decompresses the answer, fails on a non-2xx status and decodes
// the JSON body into out (nil: only the status is checked).
func (ans answer) decode(out any) error {
	raw := ans.raw
	if ans.gzip {
		var err error
		if raw, err = gunzip(raw); err != nil {
			return err
		}
	}
	if ans.status/100 != 2 {
		return &statusError{status: ans.status, body: string(raw), retryAfter: ans.retryAfter}
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("%w: decode answer: %w", errProtocol, err)
	}
	return nil
}

func gzipped(raw []byte) []byte {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	_, _ = zw.Write(raw) // a bytes.Buffer does not fail
	_ = zw.Close()
	return b.Bytes()
}

func gunzip(raw []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("gzip: %w", err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("gunzip: %w", err)
	}
	return out, nil
}

func (a *api) push(ctx context.Context, req pushRequest) (pushResponse, wire, error) {
	return a.pushSeen(ctx, req, "", "")
}

// pushSeen is push sending the last position the device was given
// ("seen", docs/sync.md), so that a server restored to before it refuses
// the push (409 sync_history_changed) instead of applying it, and the
// position a restore made void ("lost"), with mutations made before the
// device learned of it.
func (a *api) pushSeen(ctx context.Context, req pushRequest, seen, lost string) (pushResponse, wire, error) {
	body, err := json.Marshal(req)
	if err != nil {
		return pushResponse{}, wire{}, err
	}
	q := url.Values{}
	if seen != "" {
		q.Set("seen", seen)
	}
	if lost != "" {
		q.Set("lost", lost)
	}
	if a.briefPushes {
		q.Set("brief", "true")
	}
	path := "/api/sync/v1/push"
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	var res pushResponse
	w, err := a.do(ctx, http.MethodPost, path, body, true, &res)
	if err == nil && len(res.Results) != len(req.Mutations) {
		err = fmt.Errorf("%w: %d results for %d mutations", errProtocol, len(res.Results), len(req.Mutations))
	}
	return res, w, err
}

func (a *api) pull(ctx context.Context, collections []string, checkpoint string, limit int) (pullResponse, wire, error) {
	return a.pullSeen(ctx, collections, checkpoint, "", limit)
}

// pullSeen is pull sending the last position the device was given
// ("seen", docs/sync.md), so that a server restored to before it answers
// reset.
func (a *api) pullSeen(ctx context.Context, collections []string, checkpoint, seen string, limit int) (pullResponse, wire, error) {
	q := url.Values{}
	q.Set("collections", strings.Join(collections, ","))
	q.Set("checkpoint", checkpoint)
	if seen != "" {
		q.Set("seen", seen)
	}
	q.Set("limit", strconv.Itoa(limit))
	var res pullResponse
	w, err := a.do(ctx, http.MethodGet, "/api/sync/v1/pull?"+q.Encode(), nil, true, &res)
	return res, w, err
}
