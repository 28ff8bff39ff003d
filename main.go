// Command aman runs the Aman server: PocketBase with the project's
// migrations, hooks and Go packages wired in. It only wires; every rule
// lives in a package that the tests register on a test app too.
package main

import (
	"embed"
	"log"
	"os"
	"path/filepath"

	"github.com/pocketbase/pocketbase"
	"github.com/pocketbase/pocketbase/plugins/jsvm"
	"github.com/pocketbase/pocketbase/plugins/migratecmd"
	"github.com/pocketbase/pocketbase/tools/osutils"
	"github.com/spf13/cobra"

	"aman/server"
)

// shippedMigrations are the JS migrations this build was made with; the
// directory jsvm reads at run time must hold them all.
//
//go:embed pb_migrations/*.js
var shippedMigrations embed.FS

func main() {
	server.SetMemoryLimit()
	server.SetGCPercent()
	app := pocketbase.NewWithConfig(server.Config())

	var hooksDir, migrationsDir string
	var hooksWatch bool
	flags := app.RootCmd.PersistentFlags()
	flags.StringVar(&hooksDir, "hooksDir", "", "the JS hooks directory (default pb_data/../pb_hooks)")
	flags.StringVar(&migrationsDir, "migrationsDir", "", "the JS migrations directory (default pb_data/../pb_migrations)")
	flags.BoolVar(&hooksWatch, "hooksWatch", osutils.IsProbablyGoRun(), "restart the app when a pb_hooks file changes")
	app.RootCmd.ParseFlags(os.Args[1:])

	jsvm.MustRegister(app, jsvm.Config{
		HooksDir:      hooksDir,
		HooksWatch:    hooksWatch,
		HooksPoolSize: 15,
		MigrationsDir: migrationsDir,
	})
	migratecmd.MustRegister(app, app.RootCmd, migratecmd.Config{
		TemplateLang: migratecmd.TemplateLangJS,
		Automigrate:  osutils.IsProbablyGoRun(),
		Dir:          migrationsDir,
	})
	// a setting the server cannot take (a limit, a retention) stops it
	// here, with the error naming it
	if err := server.Register(app); err != nil {
		log.Fatal(err)
	}

	// every command that opens the data dir applies the migrations first
	app.RootCmd.PersistentPreRunE = func(*cobra.Command, []string) error {
		dir := migrationsDir
		if dir == "" {
			dir = filepath.Join(app.DataDir(), "../pb_migrations")
		}
		return server.CheckMigrationsDir(shippedMigrations, dir)
	}

	if err := app.Start(); err != nil {
		// a full or read-only disk's error names the data dir
		log.Fatal(server.StartError(app.DataDir(), err))
	}
}
