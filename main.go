// Command aman runs the Aman server: PocketBase with the project's
// migrations, hooks and Go packages wired in. It only wires; every rule
// lives in a package that the tests register on a test app too.
package main

import (
	"log"

	"github.com/pocketbase/pocketbase"
	"github.com/pocketbase/pocketbase/plugins/jsvm"
	"github.com/pocketbase/pocketbase/plugins/migratecmd"
	"github.com/pocketbase/pocketbase/tools/osutils"

	"aman/server"
)

func main() {
	app := pocketbase.New()

	var hooksWatch bool
	app.RootCmd.PersistentFlags().BoolVar(&hooksWatch, "hooksWatch", osutils.IsProbablyGoRun(),
		"restart the app when a pb_hooks file changes")
	app.RootCmd.ParseFlags(nil)

	jsvm.MustRegister(app, jsvm.Config{HooksWatch: hooksWatch, HooksPoolSize: 15})
	migratecmd.MustRegister(app, app.RootCmd, migratecmd.Config{
		TemplateLang: migratecmd.TemplateLangJS,
		Automigrate:  osutils.IsProbablyGoRun(),
	})
	server.MustRegister(app)

	if err := app.Start(); err != nil {
		log.Fatal(err)
	}
}
