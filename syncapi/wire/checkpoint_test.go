package wire_test

import (
	"fmt"
	"strings"
	"testing"

	"aman/syncapi/wire"
)

// decodeCase is one string, whether it decodes and to what.
type decodeCase[T comparable] struct {
	name string
	s    string
	ok   bool
	want T
}

// runDecode checks decode on every case; a refused string decodes to the
// zero value.
func runDecode[T comparable](t *testing.T, decode func(string) (T, bool), cases []decodeCase[T]) {
	t.Helper()
	for i, c := range cases {
		t.Run(fmt.Sprintf("%d_%s", i, c.name), func(t *testing.T) {
			got, ok := decode(c.s)
			if ok != c.ok || got != c.want {
				t.Fatalf("got %+v (ok %v), want %+v (ok %v)", got, ok, c.want, c.ok)
			}
		})
	}
}

func TestCheckpoint(t *testing.T) {
	runDecode(t, wire.DecodeCheckpoint, []decodeCase[wire.Checkpoint]{
		{"issued", wire.Checkpoint{Seq: 42, Fingerprint: "0123456789abcdef"}.Encode(), true,
			wire.Checkpoint{Seq: 42, Fingerprint: "0123456789abcdef"}},
		{"seq 0", b64("1.0.a"), true, wire.Checkpoint{Fingerprint: "a"}},
		{"dots in fingerprint", b64("1.7.a.b"), true, wire.Checkpoint{Seq: 7, Fingerprint: "a.b"}},
		{"empty", "", false, wire.Checkpoint{}},
		{"not base64", "!!!", false, wire.Checkpoint{}},
		{"padded base64", "MS4wLmE=", false, wire.Checkpoint{}},
		{"issued in an epoch", wire.Checkpoint{Seq: 42, Epoch: "9f86d081884c7d65", Fingerprint: "0123456789abcdef"}.Encode(), true,
			wire.Checkpoint{Seq: 42, Epoch: "9f86d081884c7d65", Fingerprint: "0123456789abcdef"}},
		{"version 2, dots in fingerprint", b64("2.7.e1.a.b"), true, wire.Checkpoint{Seq: 7, Epoch: "e1", Fingerprint: "a.b"}},
		{"version 2 without a fingerprint", b64("2.5.abc"), false, wire.Checkpoint{}},
		{"version 2, empty epoch", b64("2.5..abc"), false, wire.Checkpoint{}},
		{"version 2, epoch of a quote", b64("2.5.a'b.abc"), false, wire.Checkpoint{}},
		{"version 2, epoch too long", b64("2.5." + strings.Repeat("e", wire.MaxEpochLen+1) + ".abc"), false, wire.Checkpoint{}},
		{"version 2, longest epoch", b64("2.5." + strings.Repeat("e", wire.MaxEpochLen) + ".abc"), true,
			wire.Checkpoint{Seq: 5, Epoch: strings.Repeat("e", wire.MaxEpochLen), Fingerprint: "abc"}},
		{"version 2, negative seq", b64("2.-5.e1.abc"), false, wire.Checkpoint{}},
		{"wrong version", b64("4.5.e1.abc"), false, wire.Checkpoint{}},
		{"version 3 without a horizon", b64("3.5.e1.abc"), false, wire.Checkpoint{}},
		{"issued with a horizon", wire.Checkpoint{Seq: 42, Epoch: "e1", Fingerprint: "abc", Horizon: 50}.Encode(), true,
			wire.Checkpoint{Seq: 42, Epoch: "e1", Fingerprint: "abc", Horizon: 50}},
		{"a horizon not above seq is not written", wire.Checkpoint{Seq: 42, Epoch: "e1", Fingerprint: "abc", Horizon: 42}.Encode(), true,
			wire.Checkpoint{Seq: 42, Epoch: "e1", Fingerprint: "abc"}},
		{"version 3, horizon below seq", b64("3.42.41.e1.abc"), false, wire.Checkpoint{}},
		{"version 3, horizon 0", b64("3.0.0.e1.abc"), false, wire.Checkpoint{}},
		{"version 3, horizon not a number", b64("3.5.x.e1.abc"), false, wire.Checkpoint{}},
		{"version 3, no epoch", b64("3.5.9..abc"), false, wire.Checkpoint{}},
		{"negative seq", b64("1.-5.abc"), false, wire.Checkpoint{}},
		{"seq overflow", b64("1.99999999999999999999.abc"), false, wire.Checkpoint{}},
		{"seq not a number", b64("1.x.abc"), false, wire.Checkpoint{}},
		{"no fingerprint", b64("1.5."), false, wire.Checkpoint{}},
		{"no dot", b64("1.5"), false, wire.Checkpoint{}},
		{"filter injection", b64("1.0' || 1=1 --.abc"), false, wire.Checkpoint{}},
	})
}

func TestCheckpointEncodeStable(t *testing.T) {
	// clients keep checkpoints across server upgrades: the format is fixed
	got := wire.Checkpoint{Seq: 42, Fingerprint: "0123456789abcdef"}.Encode()
	if want := "MS40Mi4wMTIzNDU2Nzg5YWJjZGVm"; got != want {
		t.Fatalf("Encode = %q, want %q", got, want)
	}
	got = wire.Checkpoint{Seq: 42, Epoch: "e1", Fingerprint: "0123456789abcdef"}.Encode()
	if want := "Mi40Mi5lMS4wMTIzNDU2Nzg5YWJjZGVm"; got != want {
		t.Fatalf("Encode with an epoch = %q, want %q", got, want)
	}
}

func TestPosition(t *testing.T) {
	runDecode(t, wire.DecodePosition, []decodeCase[wire.Position]{
		{"issued", wire.Position{Seq: 42, Epoch: "9f86d081884c7d65"}.Encode(), true, wire.Position{Seq: 42, Epoch: "9f86d081884c7d65"}},
		{"readable", "42.e1", true, wire.Position{Seq: 42, Epoch: "e1"}},
		{"seq 0", "0.e1", true, wire.Position{Epoch: "e1"}},
		{"empty", "", false, wire.Position{}},
		{"a checkpoint", wire.Checkpoint{Seq: 42, Epoch: "e1", Fingerprint: "abc"}.Encode(), false, wire.Position{}},
		{"no epoch", "5.", false, wire.Position{}},
		{"no dot", "5", false, wire.Position{}},
		{"dotted epoch", "5.a.b", false, wire.Position{}},
		{"epoch with SQL", "5.x' OR 1=1 --", false, wire.Position{}},
		{"epoch too long", "5." + strings.Repeat("e", wire.MaxEpochLen+1), false, wire.Position{}},
		{"negative seq", "-5.e1", false, wire.Position{}},
		{"seq overflow", "99999999999999999999.e1", false, wire.Position{}},
		{"not a number", "x.e1", false, wire.Position{}},
	})
	if got := (wire.Position{Seq: 1, Epoch: ""}).Encode(); got != "" {
		t.Fatalf("a position without an epoch encodes as %q, want \"\"", got)
	}
	if got := (wire.Position{Seq: 42, Epoch: "e1"}).Encode(); got != "42.e1" {
		t.Fatalf("Encode = %q: clients compare the number before the dot", got)
	}
}
