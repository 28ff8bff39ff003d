package wire_test

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"aman/syncapi/wire"
)

var update = flag.Bool("update", false, "rewrite the fuzz seed files in testdata/fuzz/")

// FuzzDecodePush: any bytes decode without panic; a decoded body holds the
// limits and survives a re-encode unchanged.
func FuzzDecodePush(f *testing.F) {
	f.Fuzz(func(t *testing.T, raw []byte) {
		body, err := wire.DecodePush(raw)
		if err != nil {
			if !errors.Is(err, wire.ErrMalformed) && !errors.Is(err, wire.ErrClient) && !errors.Is(err, wire.ErrTooMany) {
				t.Fatalf("unknown error %v", err)
			}
			return
		}
		if !wire.ValidClient(body.Client) || len(body.Mutations) > wire.MaxMutations || body.Mutations == nil {
			t.Fatalf("accepted a body out of limits: client %q, %d mutations", body.Client, len(body.Mutations))
		}
		again, err := wire.DecodePush(encode(t, body))
		if err != nil {
			t.Fatalf("re-encoded body refused: %v", err)
		}
		if again.Client != body.Client || len(again.Mutations) != len(body.Mutations) {
			t.Fatalf("re-encoded body changed: %q/%d, was %q/%d", again.Client, len(again.Mutations), body.Client, len(body.Mutations))
		}
		for i, m := range body.Mutations {
			var want bytes.Buffer
			if err := json.Compact(&want, m); err != nil {
				t.Fatalf("mutation %d is not JSON: %v", i, err)
			}
			if !bytes.Equal(again.Mutations[i], want.Bytes()) {
				t.Fatalf("mutation %d changed: %s, was %s", i, again.Mutations[i], m)
			}
		}
	})
}

// FuzzUnpack: any bytes unpack without panic, as gzip or as sent, to at
// most MaxBodyBytes or to one of Unpack's errors; what gzip packed unpacks
// to itself.
func FuzzUnpack(f *testing.F) {
	var packed bytes.Buffer
	packer := gzip.NewWriter(&packed)
	f.Fuzz(func(t *testing.T, raw []byte, encoding string) {
		reserved := -1
		out, err := wire.Unpack(raw, encoding, func(n int) error { reserved = n; return nil })
		switch {
		case err == nil && len(out) > wire.MaxBodyBytes:
			t.Fatalf("unpacked %d bytes", len(out))
		case err == nil && reserved != len(out):
			t.Fatalf("reserved %d for %d bytes", reserved, len(out))
		case err != nil && !errors.Is(err, wire.ErrMalformed) && !errors.Is(err, wire.ErrEncoding) && !errors.Is(err, wire.ErrTooLarge):
			t.Fatalf("unknown error %v", err)
		}
		// one writer for the run: a new gzip.Writer costs more than the rest
		packed.Reset()
		packer.Reset(&packed)
		_, _ = packer.Write(raw)
		_ = packer.Close()
		back, err := wire.Unpack(packed.Bytes(), "gzip", func(int) error { return nil })
		if err != nil || !bytes.Equal(back, raw) {
			t.Fatalf("gzip round trip: %v, %d bytes back of %d", err, len(back), len(raw))
		}
	})
}

// FuzzDecodeMutation: any bytes decode without panic; a decoded mutation
// has a valid id and survives a re-encode unchanged.
func FuzzDecodeMutation(f *testing.F) {
	f.Fuzz(func(t *testing.T, raw []byte) {
		m, ok := wire.DecodeMutation(raw)
		if !ok {
			return
		}
		if m.ID == "" || len(m.ID) > wire.MaxMutationIDLen {
			t.Fatalf("accepted id %q", m.ID)
		}
		again, ok := wire.DecodeMutation(encode(t, m))
		if !ok || !reflect.DeepEqual(again, m) {
			t.Fatalf("re-encoded mutation changed: %+v (ok %v), was %+v", again, ok, m)
		}
	})
}

// FuzzCheckpoint: any string decodes without panic to a valid checkpoint
// or reports false; Decode(Encode(c)) is c for every valid c.
func FuzzCheckpoint(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string, seq int64, epoch, fp string) {
		if c, ok := wire.DecodeCheckpoint(s); ok {
			if c.Seq < 0 || c.Fingerprint == "" || !wire.ValidEpoch(c.Epoch) {
				t.Fatalf("decoded an invalid checkpoint %+v from %q", c, s)
			}
			if again, ok := wire.DecodeCheckpoint(c.Encode()); !ok || again != c {
				t.Fatalf("round trip of %+v gave %+v (ok %v)", c, again, ok)
			}
		}
		c := wire.Checkpoint{Seq: seq, Epoch: epoch, Fingerprint: fp}
		got, ok := wire.DecodeCheckpoint(c.Encode())
		if valid := seq >= 0 && fp != "" && wire.ValidEpoch(epoch); ok != valid || (ok && got != c) {
			t.Fatalf("round trip of %+v gave %+v (ok %v)", c, got, ok)
		}
	})
}

// FuzzPosition: any string decodes without panic to a valid position or
// reports false; Decode(Encode(p)) is p for every valid p.
func FuzzPosition(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string, seq int64, epoch string) {
		if p, ok := wire.DecodePosition(s); ok {
			if p.Seq < 0 || p.Epoch == "" || !wire.ValidEpoch(p.Epoch) {
				t.Fatalf("decoded an invalid position %+v from %q", p, s)
			}
			if again, ok := wire.DecodePosition(p.Encode()); !ok || again != p {
				t.Fatalf("round trip of %+v gave %+v (ok %v)", p, again, ok)
			}
		}
		p := wire.Position{Seq: seq, Epoch: epoch}
		got, ok := wire.DecodePosition(p.Encode())
		if valid := seq >= 0 && epoch != "" && wire.ValidEpoch(epoch); ok != valid || (ok && got != p) {
			t.Fatalf("round trip of %+v gave %+v (ok %v)", p, got, ok)
		}
	})
}

// encode is json.Marshal without HTML escaping, which would rewrite the
// bytes of raw mutations.
func encode(t *testing.T, v any) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatalf("encode: %v", err)
	}
	return buf.Bytes()
}

// TestSeeds keeps testdata/fuzz equal to the seeds below (go test
// ./syncapi/wire -run TestSeeds -update rewrites it). go test runs every
// fuzz target on these files, so each seed is also a regression test.
func TestSeeds(t *testing.T) {
	for target, seeds := range allSeeds() {
		dir := filepath.Join("testdata", "fuzz", target)
		if *update {
			writeSeeds(t, dir, seeds)
		}
		for name, want := range seeds {
			got, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil || string(got) != want {
				t.Errorf("%s/%s is missing or stale (run go test ./syncapi/wire -run TestSeeds -update)", dir, name)
			}
		}
		entries, _ := os.ReadDir(dir)
		if len(entries) < len(seeds) {
			t.Errorf("%s has %d files, want at least %d", dir, len(entries), len(seeds))
		}
	}
}

func writeSeeds(t *testing.T, dir string, seeds map[string]string) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, content := range seeds {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// allSeeds maps each fuzz target to its seed files, in the corpus format.
func allSeeds() map[string]map[string]string {
	bytesSeeds := func(m map[string]string) map[string]string {
		out := make(map[string]string, len(m))
		for name, v := range m {
			out[name] = fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", v)
		}
		return out
	}
	cps := make(map[string]string, len(checkpointSeeds))
	for name, c := range checkpointSeeds {
		cps[name] = fmt.Sprintf("go test fuzz v1\nstring(%q)\nint64(%d)\nstring(%q)\nstring(%q)\n", c.s, c.seq, c.epoch, c.fp)
	}
	return map[string]map[string]string{
		"FuzzDecodePush":     bytesSeeds(pushSeeds()),
		"FuzzDecodeMutation": bytesSeeds(mutationSeeds),
		"FuzzCheckpoint":     cps,
		"FuzzPosition":       positionSeeds(),
		"FuzzUnpack":         unpackSeeds(),
	}
}

func pushWith(n int, mutation string) string {
	ms := make([]string, n)
	for i := range ms {
		ms[i] = strings.ReplaceAll(mutation, "%d", fmt.Sprint(i))
	}
	return `{"client":"dev-1","mutations":[` + strings.Join(ms, ",") + `]}`
}

func pushSeeds() map[string]string {
	return map[string]string{
		"valid":              `{"client":"dev-1","mutations":[{"id":"m1","collection":"reports","data":{"title":"x"}}]}`,
		"empty":              `{"client":"dev-1","mutations":[]}`,
		"truncated":          `{"client":"dev-1","mutations":[{"id":"m1","coll`,
		"trailing":           `{"client":"dev-1","mutations":[]} {}`,
		"no-mutations":       `{"client":"dev-1"}`,
		"null-mutations":     `{"client":"dev-1","mutations":null}`,
		"invalid-utf8":       "{\"client\":\"dev-\xff\xfe\",\"mutations\":[{\"id\":\"\xc3\x28\"}]}",
		"deep-nesting":       `{"client":"dev-1","mutations":[` + strings.Repeat("[", 10000) + `]}`,
		"deep-nesting-bare":  strings.Repeat("[", 10000),
		"huge-number":        `{"client":"dev-1","mutations":[{"id":"m1","baseRev":1e400,"data":{"n":123456789012345678901234567890}}]}`,
		"wrong-types":        `{"client":42,"mutations":{"id":"m1"}}`,
		"client-space":       `{"client":"dev 1","mutations":[]}`,
		"client-long":        `{"client":"` + strings.Repeat("a", 201) + `","mutations":[]}`,
		"client-control":     `{"client":"dev\u0000","mutations":[]}`,
		"500-mutations":      pushWith(500, `{"id":"m%d"}`),
		"501-mutations":      pushWith(501, `{"id":"m%d"}`),
		"path-collection":    `{"client":"dev-1","mutations":[{"id":"m1","collection":"../users"},{"id":"m2","collection":"_superusers"}]}`,
		"filter-injection":   `{"client":"dev-1","mutations":[{"id":"m1","collection":"reports' || 1=1 --","recordId":"x\" || id != \""}]}`,
		"html-escapes":       `{"client":"<dev>&","mutations":[{"id":"<m1>","data":{"s":"\u2028&"}}]}`,
		"mutations-not-objs": `{"client":"dev-1","mutations":[1,"x",null,true,[]]}`,
	}
}

var mutationSeeds = map[string]string{
	"create":           `{"id":"m1","collection":"reports","data":{"title":"x","tags":["a"],"n":1.5}}`,
	"update":           `{"id":"m1","collection":"reports","recordId":"abc123","baseRev":3,"data":{"title":"y"}}`,
	"delete":           `{"id":"m1","collection":"reports","recordId":"abc123","baseRev":3,"delete":true}`,
	"truncated":        `{"id":"m1","collection":"rep`,
	"invalid-utf8":     "{\"id\":\"m\xff\",\"data\":{\"\xfe\":\"\xc3\x28\"}}",
	"deep-nesting":     `{"id":"m1","data":{"x":` + strings.Repeat("[", 10000) + `}}`,
	"huge-number":      `{"id":"m1","baseRev":99999999999999999999,"data":{"n":1e400}}`,
	"big-float":        `{"id":"m1","data":{"n":1.7976931348623157e308,"z":-0,"e":5e-324}}`,
	"wrong-types":      `{"id":1,"collection":["reports"],"delete":"true","data":[]}`,
	"id-long":          `{"id":"` + strings.Repeat("m", 201) + `"}`,
	"id-empty":         `{"id":"","collection":"reports"}`,
	"path-collection":  `{"id":"m1","collection":"../users","recordId":"../../_superusers"}`,
	"superusers":       `{"id":"m1","collection":"_superusers","data":{"email":"x@y.z","password":"p"}}`,
	"filter-injection": `{"id":"m1","collection":"reports","recordId":"x' || 1=1 --","data":{"reporter":"@request.auth.id"}}`,
	"modifier-keys":    `{"id":"m1","collection":"reports","data":{"tags+":["a"],"+tags":["b"],"tags-":["c"]}}`,
	"duplicate-keys":   `{"id":"m1","id":"m2","ID":"m3","data":{"a":1,"a":2}}`,
	"null":             `null`,
}

type checkpointSeed struct {
	s     string
	seq   int64
	epoch string
	fp    string
}

var checkpointSeeds = map[string]checkpointSeed{
	"valid":            {wire.Checkpoint{Seq: 42, Fingerprint: "0123456789abcdef"}.Encode(), 42, "", "0123456789abcdef"},
	"valid-epoch":      {wire.Checkpoint{Seq: 42, Epoch: "9f86d081884c7d65", Fingerprint: "0123456789abcdef"}.Encode(), 42, "9f86d081884c7d65", "0123456789abcdef"},
	"empty":            {"", 0, "", ""},
	"not-base64":       {"!!!", -1, "", "x"},
	"padded":           {"MS4wLmE=", 0, "", "a"},
	"v2-no-fp":         {b64("2.5.abc"), 5, "abc", ""},
	"v2-empty-epoch":   {b64("2.5..abc"), 5, "", "abc"},
	"v2-dotted-epoch":  {b64("2.5.a.b.c"), 5, "a.b", "c"},
	"v2-quote-epoch":   {b64("2.5.a'b.c"), 5, "a'b", "c"},
	"v2-long-epoch":    {b64("2.5." + strings.Repeat("e", 65) + ".c"), 5, strings.Repeat("e", 65), "c"},
	"wrong-version":    {b64("3.5.e.abc"), 5, "e", "abc"},
	"negative-seq":     {b64("1.-5.abc"), -5, "", "abc"},
	"huge-seq":         {b64("1.99999999999999999999.abc"), 1<<63 - 1, "", "abc"},
	"no-fingerprint":   {b64("1.5."), 5, "", ""},
	"no-dot":           {b64("1.5"), 5, "", "."},
	"plus-seq":         {b64("1.+5.abc"), 5, "", "a.b.c"},
	"invalid-utf8":     {b64("1.5.\xff\xfe"), 5, "\xff", "\xff\xfe"},
	"filter-injection": {b64("1.0.x' || 1=1 --"), 0, "x' || 1=1 --", "x\" || id != \""},
	"newlines":         {"MS4\nwLmE", 0, "", "a"},
}

func positionSeeds() map[string]string {
	seeds := map[string]struct {
		s     string
		seq   int64
		epoch string
	}{
		"valid":        {wire.Position{Seq: 42, Epoch: "9f86d081884c7d65"}.Encode(), 42, "9f86d081884c7d65"},
		"empty":        {"", 0, ""},
		"a-checkpoint": {wire.Checkpoint{Seq: 42, Epoch: "e1", Fingerprint: "abc"}.Encode(), 42, "e1"},
		"no-epoch":     {"5.", 5, ""},
		"dotted-epoch": {"5.a.b", 5, "a.b"},
		"sql-epoch":    {"5.x' OR 1=1 --", 5, "x' OR 1=1 --"},
		"negative-seq": {"-5.e1", -5, "e1"},
		"plus-seq":     {"+5.e1", 5, "e1"},
		"huge-seq":     {"99999999999999999999.e1", 1<<63 - 1, "e1"},
		"long-epoch":   {"5." + strings.Repeat("e", 65), 5, strings.Repeat("e", 65)},
		"invalid-utf8": {"5.\xff", 5, "\xff"},
		"base64":       {"cC41LmUx", 5, "e1"},
	}
	out := make(map[string]string, len(seeds))
	for name, c := range seeds {
		out[name] = fmt.Sprintf("go test fuzz v1\nstring(%q)\nint64(%d)\nstring(%q)\n", c.s, c.seq, c.epoch)
	}
	return out
}

func b64(s string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(s))
}

// unpackSeeds are bodies with the Content-Encoding they were sent with.
func unpackSeeds() map[string]string {
	gz := func(s string) string {
		var b bytes.Buffer
		zw := gzip.NewWriter(&b)
		_, _ = zw.Write([]byte(s))
		_ = zw.Close()
		return b.String()
	}
	push := `{"client":"dev-1","mutations":[{"id":"m1","collection":"reports","data":{"title":"x"}}]}`
	packed := gz(push)
	seeds := map[string][2]string{
		"plain":            {push, ""},
		"identity":         {push, "identity"},
		"gzip":             {packed, "gzip"},
		"x-gzip-upper":     {packed, " X-GZIP "},
		"gzip-truncated":   {packed[:len(packed)/2], "gzip"},
		"gzip-trailing":    {packed + "garbage", "gzip"},
		"gzip-twice":       {gz(packed), "gzip"},
		"stacked":          {gz(packed), "gzip, gzip"},
		"brotli":           {push, "br"},
		"deflate":          {push, "deflate"},
		"plain-said-gzip":  {push, "gzip"},
		"gzip-empty":       {gz(""), "gzip"},
		"gzip-of-zeros-1m": {gz(strings.Repeat("0", 1<<20)), "gzip"},
	}
	out := make(map[string]string, len(seeds))
	for name, s := range seeds {
		out[name] = fmt.Sprintf("go test fuzz v1\n[]byte(%q)\nstring(%q)\n", s[0], s[1])
	}
	return out
}

// FuzzAcceptsGzip: any Accept-Encoding header is read without panic, an
// explicit "gzip;q=0" in front refuses gzip whatever follows, and a header
// that does not name gzip accepts it once ", gzip" is added.
func FuzzAcceptsGzip(f *testing.F) {
	for _, seed := range []string{"", "gzip", "gzip;q=0, *", "*;q=0.5", "br, deflate;q=0.1", "gzip;q=abc"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, header string) {
		wire.AcceptsGzip(header)
		if wire.AcceptsGzip("gzip;q=0," + header) {
			t.Fatalf("gzip;q=0 in front of %q accepted gzip", header)
		}
		if !strings.Contains(strings.ToLower(header), "gzip") && !wire.AcceptsGzip(header+", gzip") {
			t.Fatalf("%q, gzip did not accept gzip", header)
		}
	})
}
