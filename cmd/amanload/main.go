// Command amanload proves Aman with numbers: it benchmarks the sync
// protocol against PocketBase's own endpoints on one server in one run, and
// it drives simulated devices through a faulty network (and a server killed
// with SIGKILL) and then checks that nothing was lost, duplicated or left
// diverged. docs/benchmarks.md has the commands and the figures.
//
// Usage:
//
//	amanload bench [flags]   throughput and cost, ours vs PocketBase's
//	amanload rtcost [flags]  what realtime subscribers cost writes
//	amanload fault [flags]   devices, faults, crashes, then the checks
//
// Both build the server binary from the repository and run it as a real
// process on a temp data dir.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "amanload:", err)
		os.Exit(1)
	}
}

var errUsage = errors.New("usage: amanload bench|rtcost|fault [flags] (-h for the flags)")

func run(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 {
		return errUsage
	}
	switch args[0] {
	case "bench":
		return runBench(ctx, args[1:], out)
	case "rtcost":
		_, err := runRTCost(ctx, args[1:], out)
		return err
	case "fault":
		_, err := runFault(ctx, args[1:], out)
		return err
	}
	return errUsage
}
