package main_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestServe_MigrationsDir: the JS migrations are read from a directory at
// run time (pb_data/../pb_migrations unless --migrationsDir says
// otherwise). A server started on a data dir elsewhere, the usual layout
// of a deployed binary (--dir=/var/lib/aman/pb_data), found none and came
// up without a single collection, answering /api/health 200; on an
// upgrade it would have skipped this build's rule changes as silently.
func TestServe_MigrationsDir(t *testing.T) {
	bin := build(t)
	repo, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}

	t.Run("a directory without the migrations is refused", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "pb_data")
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, bin, "serve", "--dir="+dir, "--http="+freeAddr(t))
		out, err := cmd.CombinedOutput()
		if ctx.Err() != nil {
			t.Fatalf("the server kept running without its migrations:\n%s", out)
		}
		if err == nil {
			t.Fatalf("exit status 0, want a failure:\n%s", out)
		}
		for _, want := range []string{filepath.Join(filepath.Dir(dir), "pb_migrations"), "--migrationsDir", "1795766200_create_organizations.js"} {
			if !strings.Contains(string(out), want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}
	})

	t.Run("--migrationsDir names them", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "pb_data")
		addr := freeAddr(t)
		cmd := exec.Command(bin, "serve", "--dir="+dir, "--http="+addr, "--hooksWatch=false",
			"--migrationsDir="+filepath.Join(repo, "pb_migrations"), "--hooksDir="+filepath.Join(repo, "pb_hooks"))
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
		url := "http://" + addr + "/api/collections/districts/records?perPage=1"
		for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(200 * time.Millisecond) {
			if res, err := http.Get(url); err == nil {
				res.Body.Close()
				if res.StatusCode != http.StatusOK {
					t.Fatalf("GET districts: %d, want 200", res.StatusCode)
				}
				return
			}
			if time.Now().After(deadline) {
				t.Fatal("the server did not answer within 30 s")
			}
		}
	})
}

// TestServe_BadSetting: a setting the server cannot take (here a bound on
// logins, AMAN_LOGINS_PER_ADDRESS) stops it at once with an error that names
// the setting and its value, not a panic's stack of goroutines.
func TestServe_BadSetting(t *testing.T) {
	bin := build(t)
	dir := filepath.Join(t.TempDir(), "pb_data")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "serve", "--dir="+dir, "--http="+freeAddr(t))
	cmd.Env = append(os.Environ(), "AMAN_LOGINS_PER_ADDRESS=100 per 30s")
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("the server kept running with a bad setting:\n%s", out)
	}
	if err == nil {
		t.Fatalf("exit status 0, want a failure:\n%s", out)
	}
	if !strings.Contains(string(out), `AMAN_LOGINS_PER_ADDRESS="100 per 30s"`) {
		t.Errorf("output does not name the setting:\n%s", out)
	}
	if strings.Contains(string(out), "panic") || strings.Contains(string(out), "goroutine") {
		t.Errorf("a panic, not an error:\n%s", out)
	}
}

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
	buildDir  string
)

// build builds the server once for the tests of this file.
func build(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		if buildDir, buildErr = os.MkdirTemp("", "aman-main-test"); buildErr != nil {
			return
		}
		builtBin = filepath.Join(buildDir, "aman")
		if out, err := exec.Command("go", "build", "-o", builtBin, ".").CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return builtBin
}

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}
