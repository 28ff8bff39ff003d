package server

import (
	"os"
	"runtime/debug"
)

// DefaultMemoryLimit is the Go runtime's soft memory limit (see
// runtime/debug.SetMemoryLimit) when the operator has not set GOMEMLIMIT.
//
// Without a limit the garbage collector lets the heap grow to twice the
// live heap before collecting (GOGC=100), so a burst of initial syncs
// doubles the pages' buffers in RSS. Near the limit the collector runs
// sooner instead. It is a soft limit: when the live heap needs more, the
// heap grows past it (the runtime caps the collector at about half the
// CPU) rather than failing; the server slows down, it does not stop.
// SQLite's own memory (its page caches, see CacheKiB) is outside the Go
// heap and outside this limit.
const DefaultMemoryLimit = 150 << 20

// DefaultGCPercent is the garbage collector's target (GOGC) when the
// operator has not set GOGC: the heap may grow to this percentage over the
// live heap before a collection, instead of the runtime's 100.
//
// A push allocates much that lives a moment (each mutation's request,
// record, log entry and result), and at GOGC=100 the collector took about
// an eighth of a push's CPU. Measured on 2 cores (docs/benchmarks.md,
// "What stop 11 changed"): at 400, push and /api/batch did 13–15 % more records
// a second over HTTP, but 20 concurrent initial syncs peaked at 196 MiB
// against 131 MiB; at 200 they peaked at 158 MiB and push spent about 8 %
// less CPU. The soft memory limit above still caps the heap: near it, the
// collector runs as often as it must, whatever this target says.
const DefaultGCPercent = 200

// SetGCPercent sets the garbage collector's target to DefaultGCPercent
// unless the GOGC environment variable is set (the runtime has applied it
// already), and returns the target in effect. An empty GOGC (a compose
// file's "GOGC=") counts as unset: the runtime reads it as its own default.
func SetGCPercent() int {
	if operatorSet("GOGC") {
		p := debug.SetGCPercent(100) // reads it; put it back at once
		debug.SetGCPercent(p)
		return p
	}
	debug.SetGCPercent(DefaultGCPercent)
	return DefaultGCPercent
}

// SetMemoryLimit sets the Go runtime's soft memory limit to
// DefaultMemoryLimit unless the GOMEMLIMIT environment variable is set (the
// runtime has applied it already; "off" means no limit), and returns the
// limit in effect, in bytes. An empty GOMEMLIMIT counts as unset.
func SetMemoryLimit() int64 {
	if operatorSet("GOMEMLIMIT") {
		return debug.SetMemoryLimit(-1) // -1 reads the limit without changing it
	}
	debug.SetMemoryLimit(DefaultMemoryLimit)
	return DefaultMemoryLimit
}

// operatorSet reports whether the runtime variable key is set to a value.
func operatorSet(key string) bool {
	return os.Getenv(key) != ""
}
