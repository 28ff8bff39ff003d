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

// SetMemoryLimit sets the Go runtime's soft memory limit to
// DefaultMemoryLimit unless the GOMEMLIMIT environment variable is set (the
// runtime has applied it already; "off" means no limit), and returns the
// limit in effect, in bytes.
func SetMemoryLimit() int64 {
	if _, ok := os.LookupEnv("GOMEMLIMIT"); ok {
		return debug.SetMemoryLimit(-1) // -1 reads the limit without changing it
	}
	debug.SetMemoryLimit(DefaultMemoryLimit)
	return DefaultMemoryLimit
}
