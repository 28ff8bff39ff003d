package syncapi_test

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/security"
)

// hostileCase is one bad request of issue 5's hostile-input table, sent
// through the real app. A whole-request failure answers status with code;
// a per-mutation problem answers 200 with every mutation rejected with code
// (and, for a validation failure, a field error on each of fields).
type hostileCase struct {
	row     string // the row of the table, named as the issue names it
	name    string
	as      string // a user of newEnv, or a key of hostileEnv.tokens
	method  string // POST when empty
	url     string // the push URL when empty
	body    any    // a string is sent as it is, anything else as JSON
	headers []string
	status  int
	code    string
	fields  []string
	want    []string // content the answer must contain (pull resets)
	// seen: the caller may see the record, so its rejection carries the
	// record's state (never a field hidden from the caller)
	seen bool
}

// The user ids whose tokens the token rows send. Their requests carry an
// Authorization header that must never authenticate.
const (
	expiredA      = "expired-token-of-a"
	deletedUser   = "token-of-a-deleted-user"
	forgedSuper   = "superuser-token-signed-with-another-secret"
	unsignedSuper = "superuser-token-with-alg-none"
	verificationA = "verification-token-of-a"
	hostileReport = "reportaaaaaaaa1" // A's report, which no row may touch
	// A's anonymous report, verified: editors read it but not its reporter
	hostileAnonymous = "anonreportaaaa1"
	hostileClientA   = "device-a"
)

// TestHostileInput: every row of the hostile-input table of issue 5
// (docs/sync.md, Hostile input) gets its localized 4xx or its per-mutation
// rejection, never a 500, and writes nothing: no change in the log, no
// record, no user; a whole-request failure not even a device binding or a
// stored result.
func TestHostileInput(t *testing.T) {
	en := newEnv(t)
	en.push(volunteerA, hostileClientA, hostileCreate(),
		createReport(hostileAnonymous, volunteerA, map[string]any{"anonymous": true}))
	verify(t, en, hostileAnonymous) // editors read it, without its reporter
	addHostileTokens(t, en)
	cases := hostileCases()
	for i, c := range cases {
		t.Run(itoa(i)+"_"+c.row+"/"+c.name, func(t *testing.T) {
			before := snapshot(en)
			rec := sendHostile(en, ownDevice(c, i))
			if rec.Code != c.status {
				t.Fatalf("status %d, want %d: %.400s", rec.Code, c.status, rec.Body.String())
			}
			if c.status == http.StatusOK {
				checkRejected(t, c, rec)
			} else {
				checkRequestError(t, c, rec)
			}
			for _, w := range c.want {
				if !strings.Contains(rec.Body.String(), w) {
					t.Fatalf("answer lacks %s: %.400s", w, rec.Body.String())
				}
			}
			checkNothingWritten(t, before, snapshot(en), c.status != http.StatusOK)
		})
	}
}

// hostileCreate is A's report as A's phone first pushed it.
func hostileCreate() mut { return createReport(hostileReport, volunteerA, nil) }

// addHostileTokens adds the tokens of the token rows: signed with the right
// key but expired, of a user deleted since, a superuser's forged with
// another secret or with no signature at all, and a verification token
// (signed with the right key, but not an auth token).
func addHostileTokens(t *testing.T, en *env) {
	users := mustCollection(t, en.app, "users")
	a, err := en.app.FindRecordById(users, volunteerA)
	if err != nil {
		t.Fatal(err)
	}
	claims := jwt.MapClaims{"type": "auth", "id": a.Id, "collectionId": users.Id, "refreshable": true}
	en.tokens[expiredA] = mustToken(t)(security.NewJWT(claims, a.TokenKey()+users.AuthToken.Secret, -time.Minute))
	en.tokens[verificationA] = mustToken(t)(a.NewVerificationToken())
	en.tokens[deletedUser] = en.saveUser("deleteduserxxxx", "volunteer")
	gone, err := en.app.FindRecordById(users, "deleteduserxxxx")
	if err != nil {
		t.Fatal(err)
	}
	if err := en.app.Delete(gone); err != nil {
		t.Fatal(err)
	}
	supers := mustCollection(t, en.app, core.CollectionNameSuperusers)
	su, err := en.app.FindAuthRecordByEmail(supers, "root@example.org")
	if err != nil {
		t.Fatal(err)
	}
	superClaims := jwt.MapClaims{"type": "auth", "id": su.Id, "collectionId": supers.Id, "refreshable": true}
	en.tokens[forgedSuper] = mustToken(t)(security.NewJWT(superClaims, "not-the-secret", time.Hour))
	none := jwt.NewWithClaims(jwt.SigningMethodNone, jwt.MapClaims{
		"type": "auth", "id": su.Id, "collectionId": supers.Id, "exp": time.Now().Add(time.Hour).Unix(),
	})
	en.tokens[unsignedSuper] = mustToken(t)(none.SignedString(jwt.UnsafeAllowNoneSignatureType))
}

func mustToken(t *testing.T) func(string, error) string {
	return func(tok string, err error) string {
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
}

func hostileCases() []hostileCase {
	var all []hostileCase
	for _, group := range [][]hostileCase{
		malformedRows(), wrongTypeRows(), nestingRows(), utf8Rows(), oversizedRows(), compressedRows(), tooManyRows(),
		collectionRows(), injectionRows(), forgedReporterRows(), clientRows(), tokenRows(), replayRows(),
	} {
		all = append(all, group...)
	}
	return all
}

// gzipOf is s gzip-compressed, as a string body.
func gzipOf(s string) string {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	_, _ = zw.Write([]byte(s))
	_ = zw.Close()
	return b.String()
}

// understate makes a gzip body's trailer claim it unpacks to 100 bytes.
func understate(gz string) string {
	b := []byte(gz)
	binary.LittleEndian.PutUint32(b[len(b)-4:], 100)
	return string(b)
}

// compressedRows: a push body may come gzip-compressed; what it unpacks to
// is held to the same limit, and other encodings are refused by name.
func compressedRows() []hostileCase {
	const row = "compressed bodies"
	gz := []string{"Content-Encoding", "gzip"}
	bomb := gzipOf(`{"client":"device-b","mutations":[],"pad":"` + strings.Repeat("0", 17<<20) + `"}`)
	valid, _ := json.Marshal(pushOf("device-b", bReport("compressed00001", map[string]any{"reporter": volunteerA})))
	whole := gzipOf(string(valid))
	return []hostileCase{
		{row: row, name: "17 MiB unpacked from 17 KB", as: volunteerB, headers: gz, body: bomb, status: 413, code: "sync_body_too_large"},
		{row: row, name: "truncated gzip", as: volunteerB, headers: gz, body: whole[:len(whole)/2], status: 400, code: "sync_malformed_body"},
		{row: row, name: "gzip of broken JSON", as: volunteerB, headers: gz, body: gzipOf(`{"client":"device-b","mutations":[`),
			status: 400, code: "sync_malformed_body"},
		{row: row, name: "plain JSON said to be gzip", as: volunteerB, headers: gz, body: string(valid), status: 400, code: "sync_malformed_body"},
		{row: row, name: "brotli", as: volunteerB, headers: []string{"Content-Encoding", "br", "Accept-Language", "ru"},
			body: string(valid), status: 415, code: "sync_unsupported_encoding"},
		{row: row, name: "gzip twice", as: volunteerB, headers: []string{"Content-Encoding", "gzip, gzip"},
			body: gzipOf(whole), status: 415, code: "sync_unsupported_encoding"},
		{row: row, name: "a forged reporter, compressed", as: volunteerB, headers: gz, body: whole,
			status: 200, code: "sync_forbidden"},
		{row: row, name: "two gzip members", as: volunteerB, headers: gz, body: whole + whole, status: 400, code: "sync_malformed_body"},
		{row: row, name: "data after the gzip member", as: volunteerB, headers: gz, body: whole + "garbage",
			status: 400, code: "sync_malformed_body"},
		{row: row, name: "a trailer that understates the size", as: volunteerB, headers: gz, body: understate(bomb),
			status: 400, code: "sync_malformed_body"},
	}
}

// pushOf is a push body of client with the given mutations.
func pushOf(client string, muts ...any) map[string]any {
	if muts == nil {
		muts = []any{}
	}
	return map[string]any{"client": client, "mutations": muts}
}

// bReport is a valid create of a report by B: any row that rejects it was
// rejected for the one thing the row changes.
func bReport(id string, extra map[string]any) mut {
	return createReport(id, volunteerB, extra)
}

func withKey(m mut, key string, v any) mut {
	out := mut{}
	for k, x := range m {
		out[k] = x
	}
	out[key] = v
	return out
}

func malformedRows() []hostileCase {
	const row = "malformed JSON"
	// a pull reads no body: whatever one comes with it is ignored
	pullWith := func(name, contentType, body string) hostileCase {
		return hostileCase{row: row, name: name, as: volunteerB, method: http.MethodGet, url: "/api/sync/v1/pull",
			headers: []string{"Content-Type", contentType}, body: body, status: 200, want: []string{`"changes":[`}}
	}
	cases := []hostileCase{
		pullWith("a pull with a truncated JSON body", "application/json", "{"),
		pullWith("a pull with a JSON array body", "application/json", "[1,2]"),
		pullWith("a pull with a broken multipart body", "multipart/form-data; boundary=zz", "garbage"),
	}
	for _, b := range [][2]string{
		{"empty body", ``},
		{"not JSON", `client=d&mutations=[]`},
		{"trailing garbage", `{"client":"device-b","mutations":[]} {}`},
		{"single quotes", `{'client':'device-b','mutations':[]}`},
		{"trailing comma", `{"client":"device-b","mutations":[],}`},
		{"null", `null`},
		{"array", `[]`},
		{"no mutations", `{"client":"device-b"}`},
		{"mutations null", `{"client":"device-b","mutations":null}`},
	} {
		cases = append(cases, hostileCase{row: row, name: b[0], as: volunteerB, body: b[1], status: 400, code: "sync_malformed_body"})
	}
	cases = append(cases, hostileCase{row: row, name: "in russian", as: volunteerB, body: `{"client":`,
		headers: []string{"Accept-Language", "ru"}, status: 400, code: "sync_malformed_body"})
	full, _ := json.Marshal(pushOf("device-b", bReport("truncated000010", nil)))
	for _, cut := range []int{1, len(full) / 2, len(full) - 1} {
		cases = append(cases, hostileCase{row: "truncated JSON", name: "cut at " + itoa(cut), as: volunteerB,
			body: string(full[:cut]), status: 400, code: "sync_malformed_body"})
	}
	return cases
}

func wrongTypeRows() []hostileCase {
	const row = "wrong types"
	good := bReport("wrongtypes00010", nil)
	request := func(name, body string) hostileCase {
		return hostileCase{row: row, name: name, as: volunteerB, body: body, status: 400, code: "sync_malformed_body"}
	}
	mutation := func(name string, m any) hostileCase {
		return hostileCase{row: row, name: name, as: volunteerB, body: pushOf("device-b", m), status: 200, code: "sync_invalid_mutation"}
	}
	n := 0
	field := func(name, key string, v any, fields ...string) hostileCase {
		n++
		m := bReport(pad("wrongfield", n), map[string]any{key: v})
		return hostileCase{row: row, name: name, as: volunteerB, body: pushOf("device-b", m), status: 200,
			code: "sync_validation_failed", fields: fields}
	}
	return []hostileCase{
		request("mutations an object", `{"client":"device-b","mutations":{}}`),
		request("mutations a string", `{"client":"device-b","mutations":"[]"}`),
		request("client a number", `{"client":5,"mutations":[]}`),
		request("client an object", `{"client":{"id":"device-b"},"mutations":[]}`),
		request("body a string", `"{\"client\":\"device-b\",\"mutations\":[]}"`),
		mutation("mutation a string", "not a mutation"),
		mutation("mutation an array", []any{good}),
		mutation("mutation null", nil),
		mutation("id a number", withKey(good, "id", 7)),
		mutation("data a string", withKey(good, "data", `{"reporter":"`+volunteerB+`"}`)),
		mutation("data an array", withKey(good, "data", []any{report(volunteerB, nil)})),
		mutation("baseRev a string", withKey(good, "baseRev", "1")),
		mutation("baseRev a fraction", withKey(good, "baseRev", 1.5)),
		mutation("baseRev negative", withKey(good, "baseRev", -1)),
		mutation("collection a number", withKey(good, "collection", 3)),
		mutation("recordId an object", withKey(good, "recordId", map[string]any{"$ne": ""})),
		mutation("delete a string", withKey(good, "delete", "true")),
		field("a number field given a word", "killed", "three", "killed"),
		field("a number field given an object", "injured", map[string]any{"$gt": 0}, "injured"),
		field("a date given a number", "occurred_at", 20261125, "occurred_at"),
		field("a select given two values", "category", []any{"gunfire", "shelling"}, "category"),
		field("a relation given an array", "reporter", []any{volunteerB, volunteerA}, "reporter"),
		field("a point given a string", "location", "39.98,70.61", "location"),
	}
}

func nestingRows() []hostileCase {
	const row = "deeply nested values"
	nested := func(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }
	data := func(n int) string {
		return `{"client":"device-b","mutations":[{"id":"nested","collection":"incident_reports","recordId":"nested000000010",` +
			`"data":{"reporter":"` + volunteerB + `","description":` + nested(n) + `}}]}`
	}
	return []hostileCase{
		{row: row, name: "10,000 arrays in data", as: volunteerB, body: data(10000), status: 400, code: "sync_malformed_body"},
		{row: row, name: "9,000 arrays in a text field", as: volunteerB, body: data(9000), status: 200,
			code: "sync_validation_failed", fields: []string{"description"}},
		{row: row, name: "100,000 arrays as the body", as: volunteerB, body: nested(100000), status: 400, code: "sync_malformed_body"},
		{row: row, name: "10,000 arrays beside the mutations", as: volunteerB,
			body: `{"client":"device-b","mutations":[],"x":` + nested(10000) + `}`, status: 400, code: "sync_malformed_body"},
	}
}

func utf8Rows() []hostileCase {
	const row = "invalid UTF-8"
	m := `{"id":"%ID%","collection":"incident_reports","recordId":"utf8report00010","data":{"reporter":"` + volunteerB +
		`","occurred_at":"2026-11-25 10:00:00.000Z","region":"sughd","category":"gunfire","description":"%D%"}}`
	body := func(client, id, desc string) string {
		mm := strings.NewReplacer("%ID%", id, "%D%", desc, "utf8report00010", pad("utf8", len(client+id+desc))).Replace(m)
		return `{"client":"` + client + `","mutations":[` + mm + `]}`
	}
	return []hostileCase{
		{row: row, name: "in client", as: volunteerB, body: body("device-\xff\xfe", "utf8", "ok"), status: 400, code: "sync_invalid_client"},
		{row: row, name: "in mutation id", as: volunteerB, body: body("device-b", "utf8-\xc3\x28", "ok"), status: 200, code: "sync_invalid_mutation"},
		{row: row, name: "in data", as: volunteerB, body: body("device-b", "utf8", "shots \xed\xa0\x80 at dawn"), status: 200, code: "sync_invalid_mutation"},
	}
}

func oversizedRows() []hostileCase {
	big := strings.Repeat("x", 17<<20)
	long := strings.Repeat("ы", 1<<19) // 1 MiB of UTF-8
	return []hostileCase{
		{row: "oversized bodies", name: "17 MiB", as: volunteerB, body: `{"client":"device-b","mutations":[],"pad":"` + big + `"}`,
			status: 413, code: "sync_body_too_large"},
		{row: "oversized bodies", name: "17 MiB without a length", as: volunteerB, headers: []string{"X-Chunked", "1"},
			body: `{"client":"device-b","mutations":[],"pad":"` + big + `"}`, status: 413, code: "sync_body_too_large"},
		{row: "oversized bodies", name: "300,000 numbers in a field, 20 KB gzip-compressed (decoded, 12 MB)", as: volunteerB,
			headers: []string{"Content-Encoding", "gzip"}, body: gzipOf(`{"client":"device-b","mutations":[{"id":"m1","collection":"incident_reports",` +
				`"recordId":"oversized000030","data":{"district":[0` + strings.Repeat(",0", 300_000) + `]}}]}`),
			status: 413, code: "sync_body_too_large"},
		{row: "oversized bodies", name: "300,000 numbers as mutations, gzip-compressed", as: volunteerB,
			headers: []string{"Content-Encoding", "gzip"}, body: gzipOf(`{"client":"device-b","mutations":[0` + strings.Repeat(",0", 300_000) + `]}`),
			status: 413, code: "sync_body_too_large"},
		{row: "oversized strings", name: "1 MiB description", as: volunteerB,
			body:   pushOf("device-b", bReport("oversized000010", map[string]any{"description": long})),
			status: 200, code: "sync_validation_failed", fields: []string{"description"}},
		{row: "oversized strings", name: "1 MiB record id", as: volunteerB,
			body:   pushOf("device-b", withKey(bReport("oversized000020", nil), "recordId", long)),
			status: 200, code: "sync_validation_failed", fields: []string{"id"}},
		{row: "oversized strings", name: "201-byte mutation id", as: volunteerB,
			body:   pushOf("device-b", withKey(bReport("oversized000030", nil), "id", strings.Repeat("m", 201))),
			status: 200, code: "sync_invalid_mutation"},
		{row: "oversized strings", name: "201-byte client", as: volunteerB, body: pushOf(strings.Repeat("d", 201)),
			status: 400, code: "sync_invalid_client"},
	}
}

func tooManyRows() []hostileCase {
	muts := make([]any, 501)
	for i := range muts {
		muts[i] = bReport(pad("toomany", i), nil)
	}
	return []hostileCase{{row: "501 mutations", name: "of valid creates", as: volunteerB, body: pushOf("device-b", muts...),
		status: 400, code: "sync_too_many_mutations"}}
}

func collectionRows() []hostileCase {
	const row = "unknown and path-like collection names"
	var cases []hostileCase
	for _, name := range []string{
		"../users", "users", "_superusers", "_aman_changes", "incident_reports/../x", "", "_pb_users_auth_",
		"sync_conflicts", "public_incidents", "incident_reports ", "INCIDENT_REPORTS'--", "nonexistent",
	} {
		m := withKey(bReport("collection00010", nil), "collection", name)
		cases = append(cases, hostileCase{row: row, name: "mutation in " + strings.TrimSpace(name) + "|", as: volunteerB,
			body: pushOf("device-b", m), status: 200, code: "sync_unknown_collection"})
	}
	return cases
}

func injectionRows() []hostileCase {
	const row = "filter-injection in query parameters"
	pull := func(name, query string, status int, code string, want ...string) hostileCase {
		return hostileCase{row: row, name: name, as: volunteerB, method: http.MethodGet, url: "/api/sync/v1/pull?" + query,
			status: status, code: code, want: want}
	}
	reset := []string{`"reset":true`, `"changes":[]`}
	cp := func(raw string) string { return b64url(raw) }
	editA := mut{"id": "inject-edit", "collection": "incident_reports", "recordId": hostileReport, "baseRev": 1,
		"data": map[string]any{"description": "overwritten"}}
	return []hostileCase{
		pull("collections with a quote", "collections=incident_reports'%20OR%201=1--", 400, "sync_unknown_collection"),
		pull("collections with a filter", "collections=incident_reports%20||%20id!=''", 400, "sync_unknown_collection"),
		pull("collections listing users", "collections=incident_reports,users", 400, "sync_unknown_collection"),
		pull("collections a path", "collections=../_superusers", 400, "sync_unknown_collection"),
		pull("collections the change log", "collections=_aman_changes", 400, "sync_unknown_collection"),
		pull("checkpoint with a quote", "checkpoint='%20OR%201=1--", 200, "", reset...),
		pull("checkpoint with a filter as fingerprint", "checkpoint="+cp("1.0.x' OR 1=1 --"), 200, "", reset...),
		pull("checkpoint past the log", "checkpoint="+cp("1.99999.abc"), 200, "", reset...),
		pull("checkpoint seq overflowing", "checkpoint="+cp("1.99999999999999999999.abc"), 200, "", reset...),
		pull("checkpoint with SQL as epoch", "checkpoint="+cp("2.0.x' OR 1=1 --.abc"), 200, "", reset...),
		pull("checkpoint of an epoch never issued", "checkpoint="+cp("2.0.feedfacefeedface.abc"), 200, "", reset...),
		pull("seen position with SQL", "seen=0.x'%20OR%201=1%20--", 200, "", append(reset, `"reason":"history"`)...),
		pull("seen position of an epoch never issued", "seen=0.feedfacefeedface", 200, "", append(reset, `"reason":"history"`)...),
		pull("seen position base64", "seen="+cp("0.feedfacefeedface"), 200, "", append(reset, `"reason":"history"`)...),
		{row: row, name: "push brief that does not decode", as: volunteerB, url: "/api/sync/v1/push?brief=%zz",
			body: pushOf("device-b", editA), status: 400, code: "sync_invalid_parameter"},
		{row: row, name: "push brief with a semicolon", as: volunteerB, url: "/api/sync/v1/push?brief=true;x",
			body: pushOf("device-b", editA), status: 400, code: "sync_invalid_parameter"},
		{row: row, name: "push lost that does not decode", as: volunteerB, url: "/api/sync/v1/push?lost=%zz",
			body: pushOf("device-b", editA), status: 400, code: "sync_invalid_parameter"},
		pull("seen that does not decode", "seen=%zz", 400, "sync_invalid_parameter"),
		{row: row, name: "protocol header given twice, 1 then 2", as: volunteerB, body: pushOf("device-b", editA),
			headers: []string{"X-Aman-Sync-Protocol", "1", "X-Aman-Sync-Protocol", "2"}, status: 426, code: "sync_unsupported_protocol"},
		{row: row, name: "push seen position with SQL", as: volunteerB, url: "/api/sync/v1/push?seen=0.x'%20OR%201=1%20--",
			body: pushOf("device-b", editA), status: 409, code: "sync_history_changed"},
		{row: row, name: "push lost position with SQL", as: volunteerB, url: "/api/sync/v1/push?lost=0.x'%20OR%201=1%20--",
			body: pushOf("device-b", editA), status: 400, code: "sync_invalid_position"},
		{row: row, name: "push lost position overflowing", as: volunteerB, url: "/api/sync/v1/push?lost=99999999999999999999.feedfacefeedface",
			body: pushOf("device-b", editA), status: 400, code: "sync_invalid_position"},
		{row: row, name: "push lost position of an epoch never issued", as: volunteerB, url: "/api/sync/v1/push?lost=0.feedfacefeedface",
			body: pushOf("device-b", editA), status: 200, code: "sync_forbidden"},
		{row: row, name: "push brief with SQL", as: volunteerB, url: "/api/sync/v1/push?brief=1'%20OR%201=1%20--",
			body: pushOf("device-b", editA), status: 400, code: "sync_invalid_parameter"},
		{row: row, name: "push brief a word, in russian", as: volunteerB, url: "/api/sync/v1/push?brief=yes",
			headers: []string{"Accept-Language", "ru"}, body: pushOf("device-b", editA), status: 400, code: "sync_invalid_parameter"},
		{row: row, name: "push brief in capitals", as: volunteerB, url: "/api/sync/v1/push?brief=TRUE",
			body: pushOf("device-b", editA), status: 400, code: "sync_invalid_parameter"},
		{row: row, name: "push brief empty", as: volunteerB, url: "/api/sync/v1/push?brief=",
			body: pushOf("device-b", editA), status: 400, code: "sync_invalid_parameter"},
		{row: row, name: "push brief given twice", as: volunteerB, url: "/api/sync/v1/push?brief=true&brief=junk",
			body: pushOf("device-b", editA), status: 400, code: "sync_invalid_parameter"},
		pull("limit with SQL", "limit=1%3BDROP%20TABLE%20users", 400, "sync_invalid_limit"),
		pull("limit negative", "limit=-1", 400, "sync_invalid_limit"),
		pull("limit overflowing", "limit=99999999999999999999", 400, "sync_invalid_limit"),
		pull("limit a float", "limit=1e3", 400, "sync_invalid_limit"),
		{row: row, name: "push URL with filter, expand and fields", as: volunteerB,
			url:  "/api/sync/v1/push?filter=(id!='')&expand=reporter&fields=*&collections=users&reporter=" + volunteerA,
			body: pushOf("device-b", editA), status: 200, code: "sync_forbidden"},
	}
}

func forgedReporterRows() []hostileCase {
	const row = "a forged reporter"
	return []hostileCase{
		{row: row, name: "B reports as A", as: volunteerB, body: pushOf("device-b", createReport("forged000000010", volunteerA, nil)),
			status: 200, code: "sync_forbidden"},
		{row: row, name: "B reports as the superuser", as: volunteerB,
			body: pushOf("device-b", createReport("forged000000020", superuser, nil)), status: 200, code: "sync_forbidden"},
		{row: row, name: "A hands its report to B", as: volunteerA, body: pushOf(hostileClientA, mut{"id": "forged-move",
			"collection": "incident_reports", "recordId": hostileReport, "baseRev": 1, "data": map[string]any{"reporter": volunteerB}}),
			status: 200, code: "sync_forbidden", seen: true},
		{row: row, name: "in russian", as: volunteerB, headers: []string{"Accept-Language", "ru"},
			body: pushOf("device-b", createReport("forged000000030", volunteerA, nil)), status: 200, code: "sync_forbidden"},
	}
}

func clientRows() []hostileCase {
	const row = "another user's client id"
	return []hostileCase{
		{row: row, name: "B pushes as A's device", as: volunteerB, body: pushOf(hostileClientA, bReport("client000000010", nil)),
			status: 403, code: "sync_client_taken"},
		{row: row, name: "the superuser pushes as A's device", as: superuser, body: pushOf(hostileClientA),
			status: 403, code: "sync_client_taken"},
	}
}

func tokenRows() []hostileCase {
	const row = "expired and forged tokens"
	var cases []hostileCase
	for _, as := range []string{expiredA, deletedUser, forgedSuper, unsignedSuper, verificationA} {
		cases = append(cases,
			hostileCase{row: row, name: "push with " + as, as: as, body: pushOf("device-x", bReport("token0000000010", nil)),
				status: 401, code: "sync_invalid_token"},
			hostileCase{row: row, name: "pull with " + as, as: as, method: http.MethodGet, url: "/api/sync/v1/pull",
				status: 401, code: "sync_invalid_token"})
	}
	return cases
}

func replayRows() []hostileCase {
	const row = "replays across users"
	edit := mut{"id": "create-" + hostileReport, "collection": "incident_reports", "recordId": hostileReport, "baseRev": 1,
		"data": map[string]any{"description": "overwritten by B"}}
	// an editor sends the data of A's create of its anonymous report, one
	// guessed field: the answer must not depend on the guess
	probe := func(name, reporter string, baseRev any) hostileCase {
		return hostileCase{row: row, name: name, as: editor, body: pushOf("device-b", mut{
			"id": "create-" + hostileAnonymous, "collection": "incident_reports", "recordId": hostileAnonymous,
			"baseRev": baseRev, "data": map[string]any{"reporter": reporter}}), status: 200, code: "sync_forbidden", seen: true}
	}
	return []hostileCase{
		{row: row, name: "A's mutation id and data under B's client", as: volunteerB, body: pushOf("device-b", hostileCreate()),
			status: 200, code: "sync_forbidden"},
		{row: row, name: "A's mutation id, one field of A's data", as: volunteerB, body: pushOf("device-b", mut{
			"id": "create-" + hostileReport, "collection": "incident_reports", "recordId": hostileReport,
			"data": map[string]any{"reporter": volunteerA}}), status: 200, code: "sync_forbidden"},
		{row: row, name: "B's own report under the id of A's", as: volunteerB, body: pushOf("device-b", withKey(
			bReport(hostileReport, nil), "id", "create-"+hostileReport)), status: 200, code: "sync_record_exists"},
		{row: row, name: "A's mutation id with an edit of A's report", as: volunteerB, body: pushOf("device-b", edit),
			status: 200, code: "sync_forbidden"},
		probe("an editor guesses the hidden reporter right", volunteerA, nil),
		probe("an editor guesses the hidden reporter wrong", volunteerB, nil),
		probe("an editor guesses it right from rev 1", volunteerA, 1),
		{row: row, name: "A's whole request with B's token", as: volunteerB, body: pushOf(hostileClientA, hostileCreate()),
			status: 403, code: "sync_client_taken"},
	}
}

func b64url(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// ownDevice gives row i a device of its own ("device-b" becomes
// "device-b-i"), so that no row is answered with the result an earlier row
// stored for the same mutation id.
func ownDevice(c hostileCase, i int) hostileCase {
	own := "device-b-" + itoa(i)
	switch b := c.body.(type) {
	case string:
		c.body = strings.Replace(b, `"client":"device-b"`, `"client":"`+own+`"`, 1)
	case map[string]any:
		if b["client"] == "device-b" {
			c.body = pushOf(own, b["mutations"].([]any)...)
		}
	}
	return c
}

// sendHostile sends c; the X-Chunked header sends the body without a
// Content-Length, as a streamed upload does.
func sendHostile(en *env, c hostileCase) *httptest.ResponseRecorder {
	method, url := c.method, c.url
	if method == "" {
		method = http.MethodPost
	}
	if url == "" {
		url = "/api/sync/v1/push"
	}
	if len(c.headers) == 2 && c.headers[0] == "X-Chunked" {
		req := httptest.NewRequest(method, url, strings.NewReader(c.body.(string)))
		req.ContentLength = -1
		req.Header.Set("Authorization", en.tokens[c.as])
		rec := httptest.NewRecorder()
		en.mux.ServeHTTP(rec, req)
		return rec
	}
	return en.raw(c.as, method, url, c.body, c.headers...)
}

func checkRequestError(t *testing.T, c hostileCase, rec *httptest.ResponseRecorder) {
	t.Helper()
	var body struct {
		Status  int            `json:"status"`
		Code    string         `json:"code"`
		Message string         `json:"message"`
		Data    map[string]any `json:"data"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatalf("decode %.300s: %v", rec.Body.String(), err)
	}
	if body.Status != c.status || body.Code != c.code || body.Message == "" {
		t.Fatalf("got %d %q %q, want %d %s with a message", body.Status, body.Code, body.Message, c.status, c.code)
	}
	checkLanguage(t, c, body.Message)
}

func checkRejected(t *testing.T, c hostileCase, rec *httptest.ResponseRecorder) {
	t.Helper()
	if c.code == "" {
		return // a protocol answer (a pull reset), checked by want
	}
	var out struct {
		Results []pushResult `json:"results"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil || len(out.Results) != 1 {
		t.Fatalf("want one result: %.300s (%v)", rec.Body.String(), err)
	}
	res := out.Results[0]
	if res.Status != "rejected" || res.Error == nil || res.Error.Code != c.code || res.Error.Message == "" {
		t.Fatalf("result %.300s, want rejected %s with a message", rec.Body.String(), c.code)
	}
	if !c.seen && (res.Record != nil || res.Rev != 0) {
		t.Fatalf("a rejected mutation carries a record its caller may not see: %.300s", rec.Body.String())
	}
	if c.seen && (res.Record == nil || res.Rev == 0) {
		t.Fatalf("a rejection lacks the server's state of a record its caller sees: %.300s", rec.Body.String())
	}
	if res.Record["anonymous"] == true && c.as != volunteerA && res.Record["reporter"] != nil {
		t.Fatalf("a rejection shows the hidden reporter: %.300s", rec.Body.String())
	}
	for _, f := range c.fields {
		fe, _ := res.Error.Fields[f].(map[string]any)
		if fe["code"] == nil || fe["message"] == "" {
			t.Fatalf("no field error on %s: %.300s", f, rec.Body.String())
		}
	}
	checkLanguage(t, c, res.Error.Message)
}

// checkLanguage: a row sent in Russian is answered in Russian.
func checkLanguage(t *testing.T, c hostileCase, msg string) {
	t.Helper()
	for i := 0; i+1 < len(c.headers); i += 2 {
		if c.headers[i] == "Accept-Language" && !strings.ContainsAny(msg, "абвгдеёжзийклмнопрстуфхцчшщыэюя") {
			t.Fatalf("message %q is not in %s", msg, c.headers[i+1])
		}
	}
}

// state is what a row must leave as it was.
type state struct {
	changes, reports, users, supers string // counts and digests
	clients, stored, conflicts      int    // sync bookkeeping
}

func snapshot(en *env) state {
	en.t.Helper()
	digest := func(q string) string {
		var s string
		if err := en.app.DB().NewQuery(q).Row(&s); err != nil {
			en.t.Fatalf("%s: %v", q, err)
		}
		return s
	}
	return state{
		changes:   digest(`SELECT COUNT(*) || '|' || IFNULL(MAX(seq), 0) FROM _aman_changes`),
		reports:   digest(`SELECT COUNT(*) || '|' || IFNULL(group_concat(id || reporter || description || updated), '') FROM incident_reports`),
		users:     digest(`SELECT COUNT(*) || '|' || IFNULL(group_concat(id || email || role || updated), '') FROM users`),
		supers:    digest(`SELECT COUNT(*) || '|' || IFNULL(group_concat(id || email || updated), '') FROM _superusers`),
		clients:   en.countRows("_aman_clients", "", nil),
		stored:    en.countRows("_aman_mutations", "", nil),
		conflicts: en.countRows("sync_conflicts", "", nil),
	}
}

// checkNothingWritten compares the data; a whole-request failure must not
// have touched the sync bookkeeping either (a rejected mutation keeps its
// result and its evidence, by design).
func checkNothingWritten(t *testing.T, before, after state, wholeRequest bool) {
	t.Helper()
	if !wholeRequest {
		before.clients, before.stored, before.conflicts = after.clients, after.stored, after.conflicts
	}
	if before != after {
		t.Fatalf("the request wrote:\nbefore %+v\nafter  %+v", trim(before), trim(after))
	}
}

func trim(s state) state {
	for _, p := range []*string{&s.changes, &s.reports, &s.users, &s.supers} {
		if len(*p) > 120 {
			*p = (*p)[:120] + "…"
		}
	}
	return s
}
