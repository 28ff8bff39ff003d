package jsonenc_test

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/pocketbase/pocketbase/tools/types"

	"aman/internal/jsonenc"
)

func TestAppendValue_AsEncodingJSON(t *testing.T) {
	dt, _ := types.ParseDateTime("2026-11-27 10:00:00.000Z")
	values := []any{
		nil, "", "plain", "Стрельба у канала, две семьи ушли в школу.",
		"line\nbreak\ttab\r\"quoted\" back\\slash", "<b>&</b>", "\x00\x01\x1f\x7f",
		"\u2028\u2029", "bad \xff utf-8", "emoji 🕊", true, false,
		0, 1, -7, int64(math.MaxInt64), int64(math.MinInt64),
		0.0, math.Copysign(0, -1), 1.0, -3.0, 0.5, 1e20, 1e21, 1e-7, 123456.789,
		float64(1 << 53), float64(1<<53 + 2), -float64(1 << 53), math.MaxFloat64, math.SmallestNonzeroFloat64,
		[]string{"a", "b"}, []string{}, map[string]any{"lon": 70.5, "lat": 40.1}, dt,
		types.JSONRaw(`{"a":1}`), types.GeoPoint{Lon: 69.6, Lat: 40.3},
		map[string]any(nil), []any(nil), []string(nil), map[string]any{}, []any{},
		map[string]any{"z": 1.0, "a": []any{"x", 2.5, nil, true, map[string]any{"<": "&"}}, "ж": map[string]any{}, "": "empty key"},
		[]any{[]any{}, map[string]any{"n": -0.0}, "line\n", int64(3)},
	}
	for _, v := range values {
		want, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		got, err := jsonenc.AppendValue([]byte("x"), v)
		if err != nil {
			t.Fatalf("%#v: %v", v, err)
		}
		if string(got) != "x"+string(want) {
			t.Errorf("%#v: %s, want %s", v, got[1:], want)
		}
	}
}

func TestAppendValue_Errors(t *testing.T) {
	for _, v := range []any{math.NaN(), math.Inf(1), make(chan int), map[string]any{"a": math.NaN()}, []any{1.0, make(chan int)}} {
		if _, err := jsonenc.AppendValue(nil, v); err == nil {
			t.Errorf("%v: no error, as json.Marshal has", v)
		}
	}
}

func TestEqual(t *testing.T) {
	tests := []struct {
		name string
		a, b any
		want bool
	}{
		{"same string", "Исфара", "Исфара", true},
		{"different strings", "Исфара", "Ворух", false},
		{"int and integral float", 3, 3.0, true},
		{"int and fraction", 3, 3.5, false},
		{"maps in any order", map[string]any{"a": 1.0, "b": "x"}, map[string]any{"b": "x", "a": 1}, true},
		{"maps that differ", map[string]any{"a": 1.0}, map[string]any{"a": 2.0}, false},
		{"string slice and any slice", []string{"a", "b"}, []any{"a", "b"}, true},
		{"order of a slice counts", []string{"a", "b"}, []string{"b", "a"}, false},
		{"nil and nil map", nil, map[string]any(nil), true},
		{"nil and empty string", nil, "", false},
		{"unencodable", math.NaN(), math.NaN(), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := jsonenc.Equal(tc.a, tc.b); got != tc.want {
				t.Fatalf("Equal(%#v, %#v) = %v, want %v", tc.a, tc.b, got, tc.want)
			}
		})
	}
}

// FuzzAppendString holds AppendString to json.Marshal, byte for byte.
func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "a", "Шаҳри Исфара", "\n\t\r\"\\", "<>&", "\x00", "\u2028", "\xff\xfe", "a\xc3", "🕊\u007f"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, _ := json.Marshal(s)
		if got := jsonenc.AppendString(nil, s); string(got) != string(want) {
			t.Fatalf("%q: %s, want %s", s, got, want)
		}
	})
}

// FuzzAppendFloat holds AppendValue's numbers to json.Marshal.
func FuzzAppendFloat(f *testing.F) {
	for _, v := range []float64{0, 1, -1, 0.5, 1e21, 1 << 53, -(1 << 53) + 1, 1e-7} {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v float64) {
		want, werr := json.Marshal(v)
		got, gerr := jsonenc.AppendValue(nil, v)
		if (werr == nil) != (gerr == nil) || string(got) != string(want) {
			t.Fatalf("%v: %s (%v), want %s (%v)", v, got, gerr, want, werr)
		}
	})
}

// FuzzAppendValue holds AppendValue to json.Marshal for every value a JSON
// request body decodes to (maps, slices, strings, numbers, booleans, null,
// nested), as a push's data is decoded: the change log stores what it
// writes, and each mutation's internal request body is what it writes.
// Equal must find such a value equal to itself and to its re-decoded self.
func FuzzAppendValue(f *testing.F) {
	for _, s := range []string{
		`null`, `{}`, `[]`, `"x"`, `0`, `-0`, `1e21`, `0.1`, `true`,
		`{"title":"Стрельба","injured":3,"tags":["a","b"],"place":{"lat":40.1,"lon":70.5}}`,
		`{"z":1,"a":[null,false,{"<":"&"}],"":"empty key","\u2028":"\ud83d\udd4a"}`,
		`[[[[{"a":[1,2,{"b":"c"}]}]]]]`, `{"a":{"a":{"a":{"a":{}}}}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		var v any
		if json.Unmarshal(raw, &v) != nil {
			return
		}
		want, werr := json.Marshal(v)
		got, gerr := jsonenc.AppendValue(nil, v)
		if (werr == nil) != (gerr == nil) || string(got) != string(want) {
			t.Fatalf("%s: %s (%v), want %s (%v)", raw, got, gerr, want, werr)
		}
		var again any
		if err := json.Unmarshal(got, &again); err != nil {
			t.Fatalf("%s: wrote %s, which does not decode: %v", raw, got, err)
		}
		if !jsonenc.Equal(v, v) || !jsonenc.Equal(v, again) {
			t.Fatalf("%s: not Equal to itself", raw)
		}
	})
}
