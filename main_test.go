package main_test

import (
	"context"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
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
	bin := filepath.Join(t.TempDir(), "aman")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
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

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}
