package security

import (
	"fmt"
	"testing"
	"time"
)

// TestAddressBound_Memory: the bound remembers at most its capacity of
// clients, whatever many addresses send; expired windows go first, and a
// client's count holds until its window ends.
func TestAddressBound_Memory(t *testing.T) {
	b := newAddressBound(3, 30*time.Second, 100)
	now := time.Unix(1_000_000, 0)
	for i := range 3 {
		if !b.allow("kept", now) {
			t.Fatalf("request %d of kept refused", i)
		}
	}
	if b.allow("kept", now.Add(29*time.Second)) {
		t.Fatal("4th request in the window allowed")
	}
	for i := range 10_000 {
		b.allow(fmt.Sprint("addr", i), now.Add(time.Duration(i)*time.Millisecond))
		if len(b.counts) > 100 {
			t.Fatalf("after %d clients the bound holds %d", i+1, len(b.counts))
		}
	}
	if !b.allow("kept", now.Add(30*time.Second)) {
		t.Fatal("a new window refused")
	}
	later := now.Add(time.Hour)
	for i := range 20 { // the first that finds the bound full sweeps the expired
		b.allow(fmt.Sprint("later", i), later)
	}
	if len(b.counts) != 20 {
		t.Fatalf("expired windows kept: %d clients, want 20", len(b.counts))
	}
}
