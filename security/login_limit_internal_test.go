package security

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
	"github.com/pocketbase/pocketbase/tools/router"
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

// TestKnownAddresses_Memory: the addresses known to accounts live in the
// table; memory only spares writes, holds at most its capacity, and
// forgetting there forgets nothing: sign-ins to a flood of other accounts
// (made through open sign-up, say) do not make the owner's address
// unknown. A pair is known for exactly ttl, and signing in again within a
// day writes nothing.
func TestKnownAddresses_Memory(t *testing.T) {
	app := knownApp(t)
	k := newKnownAddresses(app, 30*24*time.Hour, 20)
	now := time.Unix(1_000_000, 0)
	add := func(account, bucket string, at time.Time) {
		t.Helper()
		if err := k.add(account, bucket, at); err != nil {
			t.Fatal(err)
		}
	}
	has := func(account, bucket string, at time.Time) bool {
		t.Helper()
		ok, err := k.has(account, bucket, at)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	add("owner", "192.0.2.1", now)
	for i := range 500 {
		add(fmt.Sprint("signup", i), "198.51.100.7", now.Add(time.Duration(i)*time.Second))
		if len(k.written) > 20 {
			t.Fatalf("after %d pairs memory holds %d", i+1, len(k.written))
		}
	}
	if _, ok := k.written[knownKey(nil, "owner", "192.0.2.1")]; ok {
		t.Fatal("the flood left the owner's pair in memory: the test shows nothing")
	}
	if !has("owner", "192.0.2.1", now.Add(time.Hour)) {
		t.Fatal("a flood of other accounts' sign-ins made the owner's address unknown")
	}
	if has("owner", "203.0.113.9", now.Add(time.Hour)) || has("signup1", "192.0.2.1", now.Add(time.Hour)) {
		t.Fatal("a pair that never signed in is known")
	}
	if has("owner", "192.0.2.1", now.Add(30*24*time.Hour)) || !has("owner", "192.0.2.1", now.Add(30*24*time.Hour-time.Second)) {
		t.Fatal("a pair is known for exactly ttl")
	}

	at := func(account, bucket string) int64 {
		t.Helper()
		var v int64
		if err := app.DB().Select("at").From(knownTable).
			Where(dbx.HashExp{"pair": hex.EncodeToString([]byte(knownKey(nil, account, bucket)))}).Row(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	add("owner", "192.0.2.2", now)
	add("owner", "192.0.2.2", now.Add(23*time.Hour))
	if got := at("owner", "192.0.2.2"); got != now.Unix() {
		t.Fatalf("a sign-in within a day wrote: at %d, want %d", got, now.Unix())
	}
	add("owner", "192.0.2.2", now.Add(25*time.Hour))
	if got := at("owner", "192.0.2.2"); got != now.Add(25*time.Hour).Unix() {
		t.Fatalf("a sign-in after a day did not write: at %d", got)
	}
	k = newKnownAddresses(app, 30*24*time.Hour, 20) // as after a restart
	add("owner", "192.0.2.2", now.Add(26*time.Hour))
	if got := at("owner", "192.0.2.2"); got != now.Add(25*time.Hour).Unix() {
		t.Fatalf("after a restart a sign-in within a day of the last write wrote: at %d", got)
	}
	add("owner", "192.0.2.2", now.Add(49*time.Hour))
	if got := at("owner", "192.0.2.2"); got != now.Add(49*time.Hour).Unix() {
		t.Fatalf("after a restart a sign-in a day after the last write did not write: at %d", got)
	}

	// pruning removes the expired pairs only
	if n, err := k.prune(now.Add(30*24*time.Hour + 10*time.Minute)); err != nil || n < 500 {
		t.Fatalf("prune: %d, %v; want the 500 expired and more", n, err)
	}
	var left int
	if err := app.DB().Select("count(*)").From(knownTable).Row(&left); err != nil || left != 1 {
		t.Fatalf("after the prune %d pairs are left (%v), want the one signed in later", left, err)
	}
}

// TestKnownAddresses_PerAccount: an account keeps at most
// KnownAddressesPerAccount addresses, its own oldest going first; however
// many addresses another account signs in from, it never evicts this
// one's.
func TestKnownAddresses_PerAccount(t *testing.T) {
	app := knownApp(t)
	k := newKnownAddresses(app, 30*24*time.Hour, 1000)
	now := time.Unix(1_000_000, 0)
	for i := range 3 {
		if err := k.add("owner", fmt.Sprint("192.0.2.", i), now.Add(time.Duration(i)*time.Second)); err != nil {
			t.Fatal(err)
		}
	}
	later := now.Add(time.Hour)
	for i := range KnownAddressesPerAccount + 50 {
		if err := k.add("signup", fmt.Sprint("2001:db8:", i, "::/64"), later.Add(time.Duration(i)*time.Second)); err != nil {
			t.Fatal(err)
		}
	}
	count := func(account string) int {
		var n int
		if err := app.DB().Select("count(*)").From(knownTable).
			Where(dbx.HashExp{"account": hex.EncodeToString([]byte(accountKey(account)))}).Row(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count("signup"); n != KnownAddressesPerAccount {
		t.Fatalf("the account keeps %d addresses, want %d", n, KnownAddressesPerAccount)
	}
	if n := count("owner"); n != 3 {
		t.Fatalf("another account's sign-ins left the owner %d of its 3 addresses", n)
	}
	k.written = map[string]time.Time{} // as after a restart
	end := later.Add(time.Hour)
	for i, want := range map[int]bool{0: false, 49: false, 50: true, KnownAddressesPerAccount + 49: true} {
		if got, err := k.has("signup", fmt.Sprint("2001:db8:", i, "::/64"), end); err != nil || got != want {
			t.Errorf("address %d known: %v (%v), want %v (the oldest go)", i, got, err, want)
		}
	}
	for i := range 3 {
		if got, _ := k.has("owner", fmt.Sprint("192.0.2.", i), end); !got {
			t.Errorf("the owner's address %d forgotten", i)
		}
	}
}

// TestAccountGuard_LogsLock: the log names the locked account by its id
// (never the e-mail or the password), with the address class and when the
// lock began, once per lock: not for each failure past it, nor for each
// login it refuses.
func TestAccountGuard_LogsLock(t *testing.T) {
	app := knownApp(t)
	var buf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&buf, nil))
	g := &accountGuard{
		failures: newAddressBound(3, 15*time.Minute, 100),
		known:    newKnownAddresses(app, 30*24*time.Hour, 100),
		logger:   func() *slog.Logger { return logger },
	}
	users, err := app.FindCollectionByNameOrId("users")
	if err != nil {
		t.Fatal(err)
	}
	owner := core.NewRecord(users)
	owner.Id = "owner0000000001"
	owner.SetEmail("secret.person@example.org")
	account := users.Id + "\x00secret.person@example.org"
	wrong := router.NewBadRequestError("Failed to authenticate.", nil)
	now := time.Unix(1_000_000, 0)
	for i := range 6 {
		g.outcome(account, "203.0.113.1", owner, wrong, now.Add(time.Duration(i)*time.Second))
		g.refuses(account, "203.0.113.1", now.Add(time.Duration(i)*time.Second))
	}
	g.outcome("nobody", "2001:db8:1:2::/64", nil, wrong, now)
	if g.outcome("nobody", "2001:db8:1:2::/64", nil, wrong, now); buf.Len() == 0 {
		t.Fatal("nothing logged")
	}
	g.outcome("nobody", "2001:db8:1:2::/64", nil, wrong, now)
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines logged, want one per lock: %s", len(lines), buf.String())
	}
	for _, want := range []string{`"account":"owner0000000001"`, `"collection":"users"`, `"addressClass":"ipv4"`,
		`"lockedAt":"` + now.Add(2*time.Second).UTC().Format(time.RFC3339) + `"`} {
		if !strings.Contains(lines[0], want) {
			t.Errorf("the lock's line lacks %s: %s", want, lines[0])
		}
	}
	for _, want := range []string{`"account":""`, `"accountExists":false`, `"addressClass":"ipv6/64"`} {
		if !strings.Contains(lines[1], want) {
			t.Errorf("the unknown account's line lacks %s: %s", want, lines[1])
		}
	}
	if strings.Contains(buf.String(), "secret.person") || strings.Contains(buf.String(), "203.0.113.1") {
		t.Errorf("the log names the e-mail or the address: %s", buf.String())
	}
}

// TestKnownAddresses_Keyed: with an encryption key (--encryptionEnv) the
// table's digests are keyed by it: the plain digest of the pair is not in
// the table, the app started again with the same key knows the pair, and
// with another key it does not.
func TestKnownAddresses_Keyed(t *testing.T) {
	t.Setenv("AMAN_TEST_KEY", "a-secret-of-32-characters-000000")
	app, err := tests.NewTestAppWithConfig(core.BaseAppConfig{EncryptionEnv: "AMAN_TEST_KEY"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(app.Cleanup)
	if err := createKnownTable(app); err != nil {
		t.Fatal(err)
	}
	now := time.Unix(1_000_000, 0)
	if err := newKnownAddresses(app, 30*24*time.Hour, 10).add("owner", "192.0.2.1", now); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := app.DB().Select("count(*)").From(knownTable).
		Where(dbx.HashExp{"pair": hex.EncodeToString([]byte(knownKey(nil, "owner", "192.0.2.1")))}).Row(&n); err != nil || n != 0 {
		t.Fatalf("the plain digest is stored (%d, %v)", n, err)
	}
	if ok, err := newKnownAddresses(app, 30*24*time.Hour, 10).has("owner", "192.0.2.1", now); !ok || err != nil {
		t.Fatalf("with the same key the pair is unknown (%v)", err)
	}
	t.Setenv("AMAN_TEST_KEY", "another-secret-of-32-characters0")
	if ok, err := newKnownAddresses(app, 30*24*time.Hour, 10).has("owner", "192.0.2.1", now); ok || err != nil {
		t.Fatalf("with another key the pair is known (%v)", err)
	}
}

// knownApp is a PocketBase test app with the known addresses' table (the
// package's own tests cannot boot the whole app: it imports this one).
func knownApp(t testing.TB) *tests.TestApp {
	t.Helper()
	app, err := tests.NewTestApp()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(app.Cleanup)
	if err := createKnownTable(app); err != nil {
		t.Fatal(err)
	}
	return app
}
