package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// serverProc is the Aman server as a real process: the binary built from
// the repository, on its own data dir and port, so that what is measured
// and what is killed is exactly what runs in production.
type serverProc struct {
	root string // repository root: pb_migrations, pb_hooks
	bin  string
	dir  string // pb_data
	addr string // 127.0.0.1:port
	cmd  *exec.Cmd
	done chan error
	log  *os.File
	env  []string // added to the environment the server inherits
}

// buildServer compiles the repository's main package into a directory
// outside os.TempDir: PocketBase treats a binary under the temp dir as
// `go run` and turns on dev mode (every SQL statement logged) and
// automigrate, which would distort every figure.
func buildServer(ctx context.Context, root string) (string, error) {
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("cache dir: %w", err)
	}
	// One binary per process: concurrent runs must not overwrite each
	// other's executable.
	bin := filepath.Join(cache, "amanload", fmt.Sprintf("aman-%d", os.Getpid()))
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, ".")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %w: %s", err, out)
	}
	return bin, nil
}

// newTempServer builds the server binary and prepares it on a new temp
// data dir named after prefix (kept, and named on out, with keep); done
// stops it and removes the binary and, unless kept, the data dir.
func newTempServer(ctx context.Context, root, prefix string, keep bool, out io.Writer) (srv *serverProc, done func(), err error) {
	bin, err := buildServer(ctx, root)
	if err != nil {
		return nil, nil, err
	}
	tmp, err := os.MkdirTemp("", prefix)
	if err != nil {
		os.Remove(bin)
		return nil, nil, err
	}
	if keep {
		fmt.Fprintln(out, "data dir:", tmp)
	}
	srv, err = newServerProc(root, bin, filepath.Join(tmp, "pb_data"))
	if err != nil {
		os.Remove(bin)
		os.RemoveAll(tmp)
		return nil, nil, err
	}
	return srv, func() {
		srv.close()
		if !keep {
			os.RemoveAll(tmp)
		}
	}, nil
}

// newServerProc prepares a server on dir, listening on a free port.
func newServerProc(root, bin, dir string) (*serverProc, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("free port: %w", err)
	}
	addr := l.Addr().String()
	l.Close()
	return &serverProc{root: root, bin: bin, dir: dir, addr: addr}, nil
}

// realtimeUnbounded is the environment of a server whose realtime
// subscribers are measured: the server's bound on counted subscriptions
// (AMAN_REALTIME_MAX_SUBSCRIPTIONS, 50 by default) lifted, since the
// measurement opens more (260 counted at 200 subscribers) to show what
// they cost, unless the caller set it.
func realtimeUnbounded() []string {
	const name = "AMAN_REALTIME_MAX_SUBSCRIPTIONS"
	if os.Getenv(name) != "" {
		return nil
	}
	return []string{name + "=1000000"}
}

func (s *serverProc) url(path string) string { return "http://" + s.addr + path }

// start runs the server and waits until /api/health answers 200.
func (s *serverProc) start(ctx context.Context) error {
	if s.log == nil {
		f, err := os.OpenFile(filepath.Join(s.dir, "..", "server.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return fmt.Errorf("server log: %w", err)
		}
		s.log = f
	}
	s.cmd = exec.Command(s.bin, "serve", "--dev=false", "--hooksWatch=false",
		"--http="+s.addr, "--dir="+s.dir,
		"--migrationsDir="+filepath.Join(s.root, "pb_migrations"),
		"--hooksDir="+filepath.Join(s.root, "pb_hooks"))
	s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
	if len(s.env) > 0 {
		s.cmd.Env = append(os.Environ(), s.env...)
	}
	if err := s.cmd.Start(); err != nil {
		return fmt.Errorf("start server: %w", err)
	}
	s.done = make(chan error, 1)
	go func(cmd *exec.Cmd, done chan error) { done <- cmd.Wait() }(s.cmd, s.done)
	return s.waitHealthy(ctx, 60*time.Second)
}

func (s *serverProc) waitHealthy(ctx context.Context, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		select {
		case err := <-s.done:
			return fmt.Errorf("server exited on start: %v (see server.log)", err)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		res, err := http.Get(s.url("/api/health"))
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
		}
	}
	return errors.New("server not healthy in time (see server.log)")
}

// kill sends SIGKILL: no shutdown hook runs, no transaction is finished.
func (s *serverProc) kill() error {
	if s.cmd == nil || s.cmd.Process == nil {
		return nil
	}
	if err := s.cmd.Process.Signal(syscall.SIGKILL); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("kill server: %w", err)
	}
	<-s.done
	s.cmd = nil
	return nil
}

// stop asks the server to shut down gracefully and waits for it.
func (s *serverProc) stop() error {
	if s.cmd == nil || s.cmd.Process == nil {
		return nil
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(15 * time.Second):
		return s.kill()
	}
	s.cmd = nil
	return nil
}

// close stops the server, closes its log and removes the binary.
func (s *serverProc) close() error {
	err := s.stop()
	if s.log != nil {
		s.log.Close()
		s.log = nil
	}
	return errors.Join(err, os.Remove(s.bin))
}

// peakRSS is the server's peak resident set size (VmHWM) in bytes.
func (s *serverProc) peakRSS() (int64, error) {
	if s.cmd == nil || s.cmd.Process == nil {
		return 0, errors.New("server not running")
	}
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return 0, fmt.Errorf("read proc status: %w", err)
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			if err != nil {
				return 0, fmt.Errorf("parse VmHWM: %w", err)
			}
			return kb << 10, nil
		}
	}
	return 0, errors.New("no VmHWM in proc status")
}

// cpuTime is the CPU time (user + system) the server process has used so
// far, from /proc/PID/stat (clock ticks of 10 ms on Linux).
func (s *serverProc) cpuTime() (time.Duration, error) {
	if s.cmd == nil || s.cmd.Process == nil {
		return 0, errors.New("server not running")
	}
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", s.cmd.Process.Pid))
	if err != nil {
		return 0, fmt.Errorf("read proc stat: %w", err)
	}
	return procCPU(raw)
}

// procCPU is the user + system time in a /proc/PID/stat line, in clock
// ticks of 10 ms (Linux's USER_HZ).
func procCPU(raw []byte) (time.Duration, error) {
	// the command name, in parentheses, may hold spaces and parentheses:
	// count fields after its last closing parenthesis (utime and stime
	// are fields 14 and 15 of the line)
	i := bytes.LastIndexByte(raw, ')')
	if i < 0 {
		return 0, errors.New("proc stat: no command name")
	}
	f := strings.Fields(string(raw[i+1:]))
	if len(f) < 13 {
		return 0, errors.New("proc stat: too few fields")
	}
	var ticks int64
	for _, v := range f[11:13] {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("proc stat: %w", err)
		}
		ticks += n
	}
	return time.Duration(ticks) * 10 * time.Millisecond, nil
}

// findRoot walks up from the working directory to the module root.
func findRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory; pass -root")
		}
		dir = parent
	}
}

// rootOr returns root, or the repository root found by findRoot when root
// is empty (the -root flag was not given).
func rootOr(root string) (string, error) {
	if root != "" {
		return root, nil
	}
	return findRoot()
}
