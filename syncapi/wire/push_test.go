package wire_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"aman/syncapi/wire"
)

func TestDecodePush(t *testing.T) {
	scenarios := []struct {
		name      string
		body      string
		err       error
		client    string
		mutations int
	}{
		{"valid", pushSeeds()["valid"], nil, "dev-1", 1},
		{"empty mutations", `{"client":"dev-1","mutations":[]}`, nil, "dev-1", 0},
		{"500 mutations", pushWith(500, `{"id":"m%d"}`), nil, "dev-1", 500},
		{"unicode client", `{"client":"телефон-1","mutations":[]}`, nil, "телефон-1", 0},
		{"mutations kept raw", `{"client":"c","mutations":[1,"x",null]}`, nil, "c", 3},
		{"501 mutations", pushWith(501, `{"id":"m%d"}`), wire.ErrTooMany, "", 0},
		{"empty body", ``, wire.ErrMalformed, "", 0},
		{"truncated", `{"client":"dev-1","mutations":[{"id":"m1"`, wire.ErrMalformed, "", 0},
		{"trailing value", `{"client":"dev-1","mutations":[]} {}`, wire.ErrMalformed, "", 0},
		{"no mutations", `{"client":"dev-1"}`, wire.ErrMalformed, "", 0},
		{"null mutations", `{"client":"dev-1","mutations":null}`, wire.ErrMalformed, "", 0},
		{"mutations object", `{"client":"dev-1","mutations":{}}`, wire.ErrMalformed, "", 0},
		{"client number", `{"client":1,"mutations":[]}`, wire.ErrMalformed, "", 0},
		{"array body", `[]`, wire.ErrMalformed, "", 0},
		{"deep nesting", pushSeeds()["deep-nesting"], wire.ErrMalformed, "", 0},
		{"missing client", `{"mutations":[]}`, wire.ErrClient, "", 0},
		{"client with space", `{"client":"dev 1","mutations":[]}`, wire.ErrClient, "", 0},
		{"client with NUL", `{"client":"dev\u0000","mutations":[]}`, wire.ErrClient, "", 0},
		{"client with invalid utf-8", pushSeeds()["invalid-utf8"], wire.ErrClient, "", 0},
		{"client with unpaired surrogate", `{"client":"dev-\udfff","mutations":[]}`, wire.ErrClient, "", 0},
		{"client 201 bytes", `{"client":"` + strings.Repeat("a", 201) + `","mutations":[]}`, wire.ErrClient, "", 0},
		{"as many values as allowed", valuesPush(wire.MaxValues), nil, "dev-1", 1},
		{"one value too many", valuesPush(wire.MaxValues + 1), wire.ErrTooLarge, "", 0},
		// counted before decoding: the mutations array too (not ErrTooMany,
		// which would need it decoded)
		{"too many values as mutations", `{"client":"dev-1","mutations":[0` + strings.Repeat(",0", wire.MaxValues) + `]}`, wire.ErrTooLarge, "", 0},
		{"commas and brackets in strings are not values",
			`{"client":"dev-1","mutations":[{"id":"m","data":{"t":"` + strings.Repeat(`,[{\",`, wire.MaxValues) + `"}}]}`, nil, "dev-1", 1},
		// a bad client is reported before too many mutations
		{"bad client and 501", strings.Replace(pushWith(501, `{"id":"m%d"}`), "dev-1", "", 1), wire.ErrClient, "", 0},
	}
	for i, s := range scenarios {
		t.Run(fmt.Sprintf("%d_%s", i, s.name), func(t *testing.T) {
			body, err := wire.DecodePush([]byte(s.body))
			if !errors.Is(err, s.err) || (s.err == nil && err != nil) {
				t.Fatalf("err %v, want %v", err, s.err)
			}
			if err != nil {
				return
			}
			if body.Client != s.client || len(body.Mutations) != s.mutations {
				t.Fatalf("got client %q with %d mutations, want %q with %d", body.Client, len(body.Mutations), s.client, s.mutations)
			}
		})
	}
}

func TestValidClient(t *testing.T) {
	scenarios := []struct {
		client string
		want   bool
	}{
		{"a", true},
		{strings.Repeat("a", 200), true},
		{"8c7f0a2e-6a3b-4f5e-9d41-1b2c3d4e5f60", true},
		{"ключ", true},
		{"", false},
		{strings.Repeat("a", 201), false},
		{strings.Repeat("я", 101), false}, // 202 bytes
		{"a b", false},
		{"a\tb", false},
		{"a\u00a0b", false},
		{"a\x7fb", false},
		{"a\u200bb", false},
		{"a\ufffdb", false},
	}
	for i, s := range scenarios {
		t.Run(fmt.Sprintf("%d_%q", i, s.client), func(t *testing.T) {
			if got := wire.ValidClient(s.client); got != s.want {
				t.Fatalf("ValidClient(%q) = %v, want %v", s.client, got, s.want)
			}
		})
	}
}

// valuesPush is a push of one mutation holding n JSON values in all: the
// body, client, mutations, the mutation, its id and data, the array in data
// and n-7 numbers in it.
func valuesPush(n int) string {
	return `{"client":"dev-1","mutations":[{"id":"m","data":{"d":[0` + strings.Repeat(",0", n-8) + `]}}]}`
}
