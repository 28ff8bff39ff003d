package wire_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"aman/syncapi/wire"
)

func TestDecodeMutation(t *testing.T) {
	rev := int64(3)
	scenarios := []struct {
		name string
		raw  string
		ok   bool
		want wire.Mutation
	}{
		{"create", `{"id":"m1","collection":"reports","data":{"title":"x","n":1.5}}`, true,
			wire.Mutation{ID: "m1", Collection: "reports", Data: map[string]any{"title": "x", "n": 1.5}}},
		{"update", mutationSeeds["update"], true,
			wire.Mutation{ID: "m1", Collection: "reports", RecordID: "abc123", BaseRev: &rev, Data: map[string]any{"title": "y"}}},
		{"delete", mutationSeeds["delete"], true,
			wire.Mutation{ID: "m1", Collection: "reports", RecordID: "abc123", BaseRev: &rev, Delete: true}},
		// names are data here: syncapi refuses unknown collections
		{"path-like collection", `{"id":"m1","collection":"../users"}`, true,
			wire.Mutation{ID: "m1", Collection: "../users"}},
		{"invalid utf-8 in id", "{\"id\":\"m\xff\"}", false, wire.Mutation{}},
		{"unpaired surrogate in id", `{"id":"m\ud800"}`, false, wire.Mutation{}},
		{"invalid utf-8 in data", "{\"id\":\"m1\",\"data\":{\"s\":\"a\xed\xa0\x80\"}}", false, wire.Mutation{}},
		{"invalid utf-8 seed", mutationSeeds["invalid-utf8"], false, wire.Mutation{}},
		// an escape is valid JSON text: the data keeps what encoding/json makes of it
		{"unpaired surrogate in data", `{"id":"m1","data":{"s":"a\udc00"}}`, true,
			wire.Mutation{ID: "m1", Data: map[string]any{"s": "a\ufffd"}}},
		{"id 200 bytes", `{"id":"` + strings.Repeat("m", 200) + `"}`, true, wire.Mutation{ID: strings.Repeat("m", 200)}},
		{"id 201 bytes", mutationSeeds["id-long"], false, wire.Mutation{}},
		{"no id", `{"collection":"reports"}`, false, wire.Mutation{}},
		{"empty id", mutationSeeds["id-empty"], false, wire.Mutation{}},
		{"id number", `{"id":1}`, false, wire.Mutation{}},
		{"wrong types", mutationSeeds["wrong-types"], false, wire.Mutation{}},
		{"baseRev overflow", `{"id":"m1","baseRev":99999999999999999999}`, false, wire.Mutation{}},
		{"baseRev float", `{"id":"m1","baseRev":1.5}`, false, wire.Mutation{}},
		{"number overflow in data", `{"id":"m1","data":{"n":1e400}}`, false, wire.Mutation{}},
		{"truncated", mutationSeeds["truncated"], false, wire.Mutation{}},
		{"deep nesting", mutationSeeds["deep-nesting"], false, wire.Mutation{}},
		{"null", `null`, false, wire.Mutation{}},
		{"array", `[]`, false, wire.Mutation{}},
	}
	for i, s := range scenarios {
		t.Run(fmt.Sprintf("%d_%s", i, s.name), func(t *testing.T) {
			m, ok := wire.DecodeMutation([]byte(s.raw))
			if ok != s.ok {
				t.Fatalf("ok %v, want %v (%+v)", ok, s.ok, m)
			}
			if ok && !reflect.DeepEqual(m, s.want) {
				t.Fatalf("got %+v, want %+v", m, s.want)
			}
		})
	}
}
