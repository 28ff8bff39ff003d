package server

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
)

// CheckMigrationsDir refuses a JS migrations directory that lacks one of
// the migrations this build ships (shipped holds them under
// pb_migrations/). jsvm reads them from a directory at run time
// (pb_data/../pb_migrations unless --migrationsDir says otherwise), and a
// directory that lacks some would leave a new data dir without
// collections, rules or seeds, or an upgraded one without this build's
// rule changes, silently.
func CheckMigrationsDir(shipped fs.FS, dir string) error {
	names, err := fs.Glob(shipped, "pb_migrations/*.js")
	if err != nil {
		return fmt.Errorf("shipped migrations: %w", err)
	}
	var missing []string
	for _, name := range names {
		if _, err := os.Stat(filepath.Join(dir, path.Base(name))); err != nil {
			missing = append(missing, path.Base(name))
		}
	}
	if len(missing) == 0 {
		return nil
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		abs = dir
	}
	return fmt.Errorf("the JS migrations directory %s lacks %d of this build's %d migrations (%s first): "+
		"keep pb_migrations/ of the same version next to pb_data/, or pass --migrationsDir",
		abs, len(missing), len(names), missing[0])
}
