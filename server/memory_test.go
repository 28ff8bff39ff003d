package server_test

import (
	"os"
	"runtime/debug"
	"testing"

	"aman/server"
)

// TestSetMemoryLimit: the default applies only when the operator has not
// set GOMEMLIMIT; when set, the limit the runtime took from it stays.
func TestSetMemoryLimit(t *testing.T) {
	const operators = 300 << 20
	scenarios := []struct {
		name  string
		env   *string // nil: GOMEMLIMIT unset
		start int64   // the limit before the call (what the runtime applied)
		want  int64
	}{
		{"unset: the default", nil, 1 << 62, server.DefaultMemoryLimit},
		{"set: the operator's limit stays", ptr("300MiB"), operators, operators},
		{"off: no limit stays", ptr("off"), 1<<63 - 1, 1<<63 - 1},
		{"empty: the default, as if unset", ptr(""), 1<<63 - 1, server.DefaultMemoryLimit},
	}
	prev := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(prev) })
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			if s.env != nil {
				t.Setenv("GOMEMLIMIT", *s.env)
			} else {
				unsetenv(t, "GOMEMLIMIT")
			}
			debug.SetMemoryLimit(s.start)
			if got := server.SetMemoryLimit(); got != s.want {
				t.Fatalf("SetMemoryLimit() = %d, want %d", got, s.want)
			}
			if got := debug.SetMemoryLimit(-1); got != s.want {
				t.Fatalf("runtime limit = %d, want %d", got, s.want)
			}
		})
	}
}

// TestSetGCPercent: the default target applies only when the operator has
// not set GOGC; when set (off included), the runtime's reading of it stays.
func TestSetGCPercent(t *testing.T) {
	scenarios := []struct {
		name  string
		env   *string // nil: GOGC unset
		start int     // the target before the call (what the runtime applied)
		want  int
	}{
		{"unset: the default", nil, 100, server.DefaultGCPercent},
		{"set: the operator's target stays", ptr("150"), 150, 150},
		{"off: no collection by target stays", ptr("off"), -1, -1},
		{"empty: the default, as if unset", ptr(""), 100, server.DefaultGCPercent},
	}
	prev := debug.SetGCPercent(100)
	t.Cleanup(func() { debug.SetGCPercent(prev) })
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			if s.env != nil {
				t.Setenv("GOGC", *s.env)
			} else {
				unsetenv(t, "GOGC")
			}
			debug.SetGCPercent(s.start)
			if got := server.SetGCPercent(); got != s.want {
				t.Fatalf("SetGCPercent() = %d, want %d", got, s.want)
			}
			if got := debug.SetGCPercent(100); got != s.want {
				t.Fatalf("runtime target = %d, want %d", got, s.want)
			}
		})
	}
}

func ptr(s string) *string { return &s }

// unsetenv unsets key for the test and restores it after.
func unsetenv(t *testing.T, key string) {
	t.Setenv(key, "") // registers the restore
	if err := os.Unsetenv(key); err != nil {
		t.Fatal(err)
	}
}
