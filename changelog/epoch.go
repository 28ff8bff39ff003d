package changelog

import (
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/security"
	"github.com/pocketbase/pocketbase/tools/types"
)

// Epochs tell apart the histories a log position may belong to.
//
// A log position (a seq) names one write only within one history. A server
// restored from a backup, or one whose last commits were lost with its disk
// or power, goes on from an earlier position: its next writes take seqs
// that devices already passed in the history they pulled from. A checkpoint
// at such a seq would then look valid once the log grew past it, and the
// device would silently miss those writes and keep records that no longer
// exist.
//
// So the log's history is cut into epochs: every time the app starts, a new
// epoch begins at the next seq, and every checkpoint names the epoch in
// which it was issued. Any copy of the database (a backup, a replica, the
// database after a crash) shares the history of the original up to its own
// last seq B, and after its restart its earlier epochs end at B. A
// checkpoint is valid where its epoch is known and its position is within
// what that epoch holds here (EpochEnd). A checkpoint from a later, unknown
// epoch, or past the copy's B, resets the device. A plain restart ends an
// epoch exactly where the log is, so it resets nobody.
const epochsTable = "_aman_epochs"

// ErrUnknownEpoch reports an epoch this database never had.
var ErrUnknownEpoch = errors.New("changelog: unknown epoch")

var epochsDDL = []string{
	// n orders the epochs as they began; two may begin at one seq when no
	// write came between two starts
	`CREATE TABLE IF NOT EXISTS ` + epochsTable + ` (
		n         INTEGER PRIMARY KEY AUTOINCREMENT,
		id        TEXT    NOT NULL UNIQUE,
		first_seq INTEGER NOT NULL,
		started   TEXT    NOT NULL
	)`,
	// the legacy epoch "": the log before epochs existed, whose checkpoints
	// carry none; it ends where the migration starts the first real one
	`INSERT OR IGNORE INTO ` + epochsTable + ` (id, first_seq, started) VALUES ('', 0, '')`,
}

func createEpochs(tx core.App) error {
	for _, q := range epochsDDL {
		if _, err := tx.DB().NewQuery(q).Execute(); err != nil {
			return fmt.Errorf("create epochs: %w", err)
		}
	}
	_, err := StartEpoch(tx)
	return err
}

func dropEpochs(tx core.App) error {
	_, err := tx.DB().NewQuery("DROP TABLE IF EXISTS " + epochsTable).Execute()
	return err
}

// SeqsPerMilli is how many seqs the log may take per millisecond of wall
// clock: each epoch's writes begin at least at the clock's milliseconds
// since 1970 times this (SeqFloor), so positions grow with time across
// restores (1.8e15 in 2026, exact in a JavaScript number until the year
// 2255). A restored server's new writes thus never reuse a seq it issued
// before the restore, as long as the log took fewer than a million writes
// a second (it takes a few thousand) and the clock did not go back.
const SeqsPerMilli = 1000

// aheadWarning is how far the log may be ahead of the clock's floor before
// a start warns: an hour of seqs (far more than the log writes in an hour).
const aheadWarning = 3600 * 1000 * SeqsPerMilli

// SeqFloor is the lowest seq an epoch begun at t writes.
func SeqFloor(t time.Time) int64 { return t.UnixMilli() * SeqsPerMilli }

// StartEpoch begins a new epoch at the next seq and returns its id. It
// runs when the app boots and when it starts serving, before any write of
// the new process reaches the log.
//
// The epoch holds every position from the next seq on, but its writes
// begin at SeqFloor(now) at the earliest: the seqs between are never
// used. Earlier epochs still end where the log ended (a checkpoint past
// the backup's end resets); the floor is what lets a push tell a rev of
// the history the server lost from one written since (see RevAt).
func StartEpoch(app core.App) (string, error) {
	id := security.RandomStringWithAlphabet(16, "0123456789abcdef")
	err := app.RunInTransaction(func(tx core.App) error {
		last, err := LastSeq(tx)
		if err != nil {
			return err
		}
		_, err = tx.DB().NewQuery(`INSERT INTO ` + epochsTable + ` (id, first_seq, started)
			VALUES ({:id}, {:first}, {:at})`).
			Bind(dbx.Params{"id": id, "first": last + 1, "at": types.NowDateTime().String()}).Execute()
		if err != nil {
			return err
		}
		floor := SeqFloor(time.Now())
		if ahead := last - floor; ahead > aheadWarning {
			app.Logger().Warn("changelog: the log's positions are ahead of the clock (it was set back, or ran ahead at an earlier start); "+
				"until it catches up, a restored backup may reuse positions and a phone's edits pushed again may overwrite later ones unseen",
				"aheadMinutes", ahead/SeqsPerMilli/60000)
		}
		return raiseSeq(tx, floor-1)
	})
	if err != nil {
		return "", fmt.Errorf("start epoch: %w", err)
	}
	return id, nil
}

// raiseSeq makes the log's next seq at least floor+1 (SQLite's
// AUTOINCREMENT takes the next seq from sqlite_sequence, which may be
// written; it never goes down).
func raiseSeq(tx core.App, floor int64) error {
	res, err := tx.DB().NewQuery(`UPDATE sqlite_sequence SET seq = MAX(seq, {:floor}) WHERE name = {:name}`).
		Bind(dbx.Params{"floor": floor, "name": changesTable}).Execute()
	if err != nil {
		return fmt.Errorf("raise seq: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n > 0 {
		return err
	}
	// no write yet: the table has no row in sqlite_sequence
	_, err = tx.DB().NewQuery(`INSERT INTO sqlite_sequence (name, seq) VALUES ({:name}, {:floor})`).
		Bind(dbx.Params{"floor": floor, "name": changesTable}).Execute()
	if err != nil {
		return fmt.Errorf("raise seq: %w", err)
	}
	return nil
}

// CurrentEpoch is the id of the newest epoch, the one new checkpoints name.
func CurrentEpoch(app core.App) (string, error) {
	var id string
	err := app.DB().NewQuery("SELECT id FROM " + epochsTable + " ORDER BY n DESC LIMIT 1").Row(&id)
	if err != nil {
		return "", fmt.Errorf("current epoch: %w", err)
	}
	return id, nil
}

// EpochEnd is the last seq that epoch holds in this database: the seq
// before the next epoch began, or last (the log's end, as the caller read
// it) for the newest. It is ErrUnknownEpoch for an epoch this database
// never had (a checkpoint from a later history, or another server).
func EpochEnd(app core.App, epoch string, last int64) (int64, error) {
	var next sql.NullInt64
	err := app.DB().NewQuery(`SELECT (SELECT MIN(b.first_seq) FROM ` + epochsTable + ` b WHERE b.n > a.n)
		FROM ` + epochsTable + ` a WHERE a.id = {:id}`).
		Bind(dbx.Params{"id": epoch}).Row(&next)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, ErrUnknownEpoch
	}
	if err != nil {
		return 0, fmt.Errorf("epoch end: %w", err)
	}
	if !next.Valid {
		return last, nil
	}
	return min(next.Int64-1, last), nil
}

// bindEpochs starts an epoch when the app boots (before the serve command
// runs pending migrations, which may write) and again when it starts
// serving (tests and embedders bootstrap before they bind hooks). Only the
// second is required: a command run beside a busy server (a superuser
// upsert) must not fail because its epoch could not be written.
func bindEpochs(app core.App) {
	app.OnBootstrap().BindFunc(func(e *core.BootstrapEvent) error {
		if err := e.Next(); err != nil {
			return err
		}
		if !e.App.HasTable(epochsTable) {
			return nil // a new or older database: the migration starts the first
		}
		if _, err := StartEpoch(e.App); err != nil {
			e.App.Logger().Warn("changelog: no epoch at boot; the next serve starts one", "error", err)
		}
		return nil
	})
	app.OnServe().BindFunc(func(e *core.ServeEvent) error {
		if _, err := StartEpoch(e.App); err != nil {
			return err
		}
		return e.Next()
	})
}
