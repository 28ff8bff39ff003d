package security

import (
	"fmt"
	"testing"
	"time"
)

// TestAddressBound_Memory: the bound remembers at most its capacity of
// clients, whatever many addresses send; expired windows go first, full
// ones last, and a client's count holds until its window ends.
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
	for i := range 3 {
		b.allow("full", later)
		b.allow(fmt.Sprint("once", i), later)
	}
	for i := range 10_000 { // new clients, all within the window
		b.allow(fmt.Sprint("flood", i), later)
	}
	if b.full("full", later) == 0 {
		t.Fatal("a flood of new clients evicted a full window")
	}
}

// TestKnownAddresses_Memory: the addresses known to accounts are at most
// capacity pairs, whatever many sign in; the expired go first, then those
// that signed in more than a day ago, and a pair is known for ttl.
func TestKnownAddresses_Memory(t *testing.T) {
	k := newKnownAddresses(30*24*time.Hour, 100)
	now := time.Unix(1_000_000, 0)
	k.add("old", now)
	for i := range 89 {
		k.add(fmt.Sprint("expired", i), now.Add(-31*24*time.Hour))
	}
	later := now.Add(2 * 24 * time.Hour)
	for i := range 10_000 {
		k.add(fmt.Sprint("pair", i), later)
		if len(k.seen) > 100 {
			t.Fatalf("after %d pairs %d are kept", i+1, len(k.seen))
		}
		if i == 10 && !k.has("old", later) {
			t.Fatal("a pair known for 2 days went before the expired ones")
		}
	}
	if k.has("pair9999", later.Add(30*24*time.Hour)) || !k.has("pair9999", later.Add(29*24*time.Hour)) {
		t.Fatal("a pair is known for exactly ttl")
	}
}
