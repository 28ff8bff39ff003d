// Package testapp boots the real Aman app for tests: a fresh SQLite data dir
// with PocketBase's system migrations and the project's pb_migrations applied,
// the pb_hooks JS hooks and every Go package registered exactly as main.go
// does. Nothing of ours is mocked.
//
// core.AppMigrations is global, so tests that use this package must not call
// t.Parallel().
package testapp

import (
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/plugins/jsvm"
	"github.com/pocketbase/pocketbase/tests"

	"aman/server"
)

var (
	templateOnce sync.Once
	templateDir  string
	templateErr  error
)

// Root is the repository root (where pb_migrations and pb_hooks live).
func Root() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// New returns a migrated test app on its own copy of the data dir. It is
// cleaned up when t ends.
func New(t testing.TB) *tests.TestApp {
	t.Helper()
	app, err := NewApp()
	if err != nil {
		t.Fatalf("testapp: %v", err)
	}
	t.Cleanup(app.Cleanup)
	return app
}

// Factory has the signature of tests.ApiScenario.TestAppFactory.
func Factory(t testing.TB) *tests.TestApp { return New(t) }

// NewApp is New without a testing.TB; the caller must call Cleanup.
func NewApp() (*tests.TestApp, error) {
	templateOnce.Do(buildTemplate)
	if templateErr != nil {
		return nil, templateErr
	}
	app, err := tests.NewTestAppWithConfig(appConfig(templateDir))
	if err != nil {
		return nil, err
	}
	// The JS migrations were registered (globally) and applied to the
	// template already: register only the hooks here.
	if err := register(app, `^$`); err != nil {
		app.Cleanup()
		return nil, err
	}
	return app, nil
}

// NewFromDir boots the real app, as New does, on a copy of the data dir
// dir: the app as it starts again after a restart (dir is the data dir it
// ran on) or after a backup was restored (dir holds the backup's files).
// Migrations that dir lacks are applied.
func NewFromDir(t testing.TB, dir string) *tests.TestApp {
	t.Helper()
	app, err := tests.NewTestAppWithConfig(appConfig(dir))
	if err != nil {
		t.Fatalf("testapp: %v", err)
	}
	t.Cleanup(app.Cleanup)
	if err := register(app, `^$`); err != nil {
		t.Fatalf("testapp: %v", err)
	}
	return app
}

// NewSchemaOnly returns a test app with the same migrated schema as New
// (every collection, rule and index) but none of the project's hooks or Go
// packages bound: what PocketBase alone does on Aman's collections, for
// benchmarks that measure what the project's packages cost. Pass register
// functions (such as changelog.Register) to bind just those.
func NewSchemaOnly(t testing.TB, register ...func(core.App) error) *tests.TestApp {
	t.Helper()
	templateOnce.Do(buildTemplate)
	if templateErr != nil {
		t.Fatalf("testapp: %v", templateErr)
	}
	app, err := tests.NewTestAppWithConfig(appConfig(templateDir))
	if err != nil {
		t.Fatalf("testapp: %v", err)
	}
	t.Cleanup(app.Cleanup)
	for _, r := range register {
		if err := r(app); err != nil {
			t.Fatalf("testapp: %v", err)
		}
	}
	return app
}

// Run is for TestMain: it runs the tests, then removes the template dir.
func Run(m *testing.M) int {
	code := m.Run()
	if templateDir != "" {
		os.RemoveAll(templateDir)
	}
	return code
}

func buildTemplate() {
	empty, err := os.MkdirTemp("", "aman_empty_")
	if err != nil {
		templateErr = err
		return
	}
	defer os.RemoveAll(empty)
	app, err := tests.NewTestAppWithConfig(appConfig(empty))
	if err != nil {
		templateErr = err
		return
	}
	defer app.Cleanup()
	if err := register(app, ""); err != nil {
		templateErr = err
		return
	}
	if err := app.RunAllMigrations(); err != nil {
		templateErr = err
		return
	}
	templateDir, templateErr = tests.TempDirClone(app.DataDir())
}

// appConfig opens the databases as main.go does (server.Config).
func appConfig(dataDir string) core.BaseAppConfig {
	return core.BaseAppConfig{
		DataDir:          dataDir,
		DBConnect:        server.DBConnect,
		DataMaxIdleConns: server.DataMaxIdleConns,
	}
}

func register(app core.App, migrationsPattern string) error {
	err := jsvm.Register(app, jsvm.Config{
		MigrationsDir:          filepath.Join(Root(), "pb_migrations"),
		MigrationsFilesPattern: migrationsPattern,
		HooksDir:               filepath.Join(Root(), "pb_hooks"),
		HooksPoolSize:          0,
	})
	if err != nil {
		return err
	}
	return server.Register(app)
}

// MigrationRunner returns a runner of the one registered migration whose
// file is named file (e.g. "1795767600_assigned_organization.js"), for
// tests of its down and up again; the test fails when none is.
func MigrationRunner(t testing.TB, app core.App, file string) *core.MigrationsRunner {
	t.Helper()
	var list core.MigrationsList
	for _, m := range core.AppMigrations.Items() {
		if filepath.Base(m.File) == file {
			list.Add(m)
		}
	}
	if len(list.Items()) != 1 {
		t.Fatalf("migration %s: %d registered", file, len(list.Items()))
	}
	return core.NewMigrationsRunner(app, list)
}
