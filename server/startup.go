package server

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"syscall"
)

// SQLite's primary result codes of a file it cannot read or write
// (sqlite3.h): what a data dir on a full, read-only or failing disk gives.
const (
	sqlitePerm     = 3
	sqliteReadOnly = 8
	sqliteIOErr    = 10
	sqliteFull     = 13
	sqliteCantOpen = 14
)

// StartError is err, the error that stopped the server (app.Start), with
// the data directory named when err is one of its disk's: SQLite's "database
// or disk is full (13)" or "attempt to write a readonly database (8)" from
// a migration, or the file system's no space, read-only or permission
// errors, none of which says which path, so the operator of a server that
// will not start does not know which disk to look at. An error that already
// names dir, or one of another kind (a flag, a port in use), is returned as
// it is.
func StartError(dir string, err error) error {
	if err == nil || dir == "" || strings.Contains(err.Error(), dir) || !diskError(err) {
		return err
	}
	return fmt.Errorf("data directory %s: %w", dir, err)
}

// diskError reports whether err is a file's or SQLite's error of the disk
// (full, read-only, not permitted, failing I/O).
func diskError(err error) bool {
	var coded interface{ Code() int } // modernc.org/sqlite's *Error
	if errors.As(err, &coded) {
		switch coded.Code() & 0xff { // extended codes keep the primary one in the low byte
		case sqlitePerm, sqliteReadOnly, sqliteIOErr, sqliteFull, sqliteCantOpen:
			return true
		}
	}
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EROFS) || errors.Is(err, fs.ErrPermission)
}
