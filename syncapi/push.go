package syncapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"unicode"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"

	"aman/changelog"
)

// pushChunk is how many mutations share one write transaction: big enough
// to amortize the commit, small enough not to hold SQLite's single writer
// for long. Each mutation's result is stored with its write, so chunking
// does not weaken exactly-once.
const pushChunk = 100

type pushBody struct {
	Client    string            `json:"client"`
	Mutations []json.RawMessage `json:"mutations"`
}

func (s *service) push(e *core.RequestEvent) error {
	if rerr := checkRequest(e); rerr != nil {
		return writeError(e, rerr)
	}
	if e.Auth == nil {
		return writeError(e, errAuthRequired)
	}
	body, rerr := readPush(e)
	if rerr != nil {
		return writeError(e, rerr)
	}
	if err := bindClient(e.App, body.Client, e.Auth); err != nil {
		if errors.Is(err, errClientOwned) {
			return writeError(e, errClientTaken)
		}
		return writeError(e, internal(e, err))
	}
	// the log records which device wrote (see changelog.ChangedSince)
	e.Set(changelog.ClientKey, body.Client)
	results := make([]json.RawMessage, len(body.Mutations))
	for start := 0; start < len(body.Mutations); start += pushChunk {
		end := min(start+pushChunk, len(body.Mutations))
		err := e.App.RunInTransaction(func(tx core.App) error {
			return s.applyChunk(e, tx, body.Client, body.Mutations[start:end], results[start:end])
		})
		if err != nil {
			return writeError(e, internal(e, err))
		}
	}
	e.Response.Header().Set("Cache-Control", "no-store")
	return e.Blob(http.StatusOK, "application/json", encodeResults(results))
}

// applyChunk applies mutations in tx, writing their results into results.
func (s *service) applyChunk(e *core.RequestEvent, tx core.App, client string, mutations, results []json.RawMessage) error {
	ids := make([]string, 0, len(mutations))
	for _, raw := range mutations {
		if m, ok := decodeMutation(raw); ok {
			ids = append(ids, m.ID)
		}
	}
	stored, err := storedResults(tx, client, ids)
	if err != nil {
		return err
	}
	cr := &chunkResults{stored: stored}
	for i, raw := range mutations {
		if results[i], err = s.applyOne(e, tx, client, raw, cr); err != nil {
			return err
		}
	}
	return storeResults(tx, client, cr.fresh)
}

// readPush reads and checks the whole-request shape of a push.
func readPush(e *core.RequestEvent) (pushBody, *requestError) {
	var body pushBody
	if e.Request.ContentLength > MaxBodyBytes {
		return body, errTooLarge
	}
	raw, err := io.ReadAll(io.LimitReader(e.Request.Body, MaxBodyBytes+1))
	if errors.Is(err, apis.ErrRequestEntityTooLarge) || len(raw) > MaxBodyBytes {
		return body, errTooLarge
	}
	if err != nil {
		return body, errMalformed
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&body); err != nil || dec.More() || body.Mutations == nil {
		return body, errMalformed
	}
	if !validClient(body.Client) {
		return body, errClient
	}
	if len(body.Mutations) > MaxMutations {
		return body, errTooMany
	}
	return body, nil
}

// validClient accepts 1–200 printable characters without spaces.
func validClient(c string) bool {
	if c == "" || len(c) > 200 {
		return false
	}
	for _, r := range c {
		if !unicode.IsPrint(r) || unicode.IsSpace(r) {
			return false
		}
	}
	return true
}

func encodeResults(results []json.RawMessage) []byte {
	var buf bytes.Buffer
	buf.WriteString(`{"results":[`)
	for i, r := range results {
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.Write(r)
	}
	buf.WriteString(`]}`)
	return buf.Bytes()
}
