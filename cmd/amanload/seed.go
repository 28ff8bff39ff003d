package main

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/plugins/jsvm"

	"aman/server"
)

// migrationsOnce guards jsvm's migration registration: it goes into the
// global core.AppMigrations, so a second app in the same process (the tests
// run several) must register only the hooks.
var migrationsOnce sync.Once

// openApp boots the data dir in this process exactly as the server does
// (JS migrations and hooks, every Go package) so seeding goes through the
// same hooks as production writes. The server process must be stopped.
func openApp(root, dir string) (core.App, error) {
	app := core.NewBaseApp(core.BaseAppConfig{DataDir: dir})
	pattern := `^$`
	migrationsOnce.Do(func() { pattern = "" })
	err := jsvm.Register(app, jsvm.Config{
		MigrationsDir:          filepath.Join(root, "pb_migrations"),
		MigrationsFilesPattern: pattern,
		HooksDir:               filepath.Join(root, "pb_hooks"),
	})
	if err != nil {
		return nil, fmt.Errorf("jsvm: %w", err)
	}
	if err := server.Register(app); err != nil {
		return nil, fmt.Errorf("register: %w", err)
	}
	if err := app.Bootstrap(); err != nil {
		return nil, fmt.Errorf("bootstrap: %w", err)
	}
	if err := app.RunAllMigrations(); err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	return app, nil
}

// closeApp releases the data dir for the server process.
func closeApp(app core.App) error {
	return app.ResetBootstrapState()
}

// account is a seeded user with a ready auth token (minted in process, so
// no login, no bcrypt and no login rate limit stand between the tools and
// the measurement).
type account struct {
	ID    string
	Token string
}

const seedPassword = "amanload-password-1"

// seedUsers creates n users with the given role, sharing one bcrypt hash.
func seedUsers(app core.App, prefix, role string, n int) ([]account, error) {
	col, err := app.FindCollectionByNameOrId("users")
	if err != nil {
		return nil, fmt.Errorf("users collection: %w", err)
	}
	var hash string
	accounts := make([]account, 0, n)
	for i := range n {
		r := core.NewRecord(col)
		r.Id = fmt.Sprintf("%s%0*d", prefix, 15-len(prefix), i)
		r.SetEmail(r.Id + "@load.aman.test")
		r.SetVerified(true)
		r.Set("name", "Load "+r.Id)
		r.Set("role", role)
		r.Set("region", regions[i%len(regions)])
		if hash == "" {
			r.SetPassword(seedPassword)
		} else {
			r.SetRaw("password", hash)
		}
		if err := app.SaveNoValidate(r); err != nil {
			return nil, fmt.Errorf("save user %s: %w", r.Id, err)
		}
		hash = r.GetString("password:hash")
		token, err := r.NewStaticAuthToken(48 * time.Hour)
		if err != nil {
			return nil, fmt.Errorf("token %s: %w", r.Id, err)
		}
		accounts = append(accounts, account{ID: r.Id, Token: token})
	}
	return accounts, nil
}

// seedSuperuser creates a superuser and returns its token.
func seedSuperuser(app core.App) (account, error) {
	col, err := app.FindCollectionByNameOrId(core.CollectionNameSuperusers)
	if err != nil {
		return account{}, fmt.Errorf("superusers collection: %w", err)
	}
	r := core.NewRecord(col)
	r.SetEmail("load@aman.test")
	r.SetPassword(seedPassword)
	if err := app.Save(r); err != nil {
		return account{}, fmt.Errorf("save superuser: %w", err)
	}
	token, err := r.NewStaticAuthToken(48 * time.Hour)
	return account{ID: r.Id, Token: token}, err
}

var (
	regions    = []string{"sughd", "batken", "other"}
	categories = []string{"armed_clash", "shelling", "gunfire", "casualties", "displacement", "property_damage",
		"detention", "mobilization_of_civilians", "hate_speech", "disinformation", "other"}
	places = []string{"Ворух", "Исфара", "Ак-Сай", "Кок-Таш", "Ходжаи Аъло", "Баткен", "Чоркух", "Лейлек"}
)

// reportData is a realistic incident report of a volunteer: a few hundred
// characters of Cyrillic description, a point, the usual selects.
func reportData(rng *rand.Rand, reporter string) map[string]any {
	place := places[rng.IntN(len(places))]
	return map[string]any{
		"reporter":           reporter,
		"occurred_at":        time.Date(2026, 11, 1+rng.IntN(25), rng.IntN(24), rng.IntN(60), 0, 0, time.UTC).Format("2006-01-02 15:04:05.000Z"),
		"region":             regions[rng.IntN(2)],
		"place":              place,
		"location":           map[string]any{"lon": 70.4 + rng.Float64()/2, "lat": 39.9 + rng.Float64()/2},
		"location_precision": "approximate",
		"category":           categories[rng.IntN(len(categories))],
		"description":        randomText(rng, 200+rng.IntN(600)),
		"killed":             0,
		"injured":            rng.IntN(4),
		"source_type":        "eyewitness",
		"language":           "ru",
		"status":             "submitted",
	}
}

// aidData is a realistic aid request of a volunteer.
func aidData(rng *rand.Rand, requester string) map[string]any {
	return map[string]any{
		"requester":        requester,
		"beneficiary_name": "Семья " + randomText(rng, 12),
		"contact_phone":    fmt.Sprintf("+992 92 %03d %04d", rng.IntN(1000), rng.IntN(10000)),
		"region":           regions[rng.IntN(2)],
		"place":            places[rng.IntN(len(places))],
		"needs":            []string{"food", "water"},
		"people_count":     1 + rng.IntN(12),
		"vulnerable":       []string{"children"},
		"urgency":          []string{"critical", "high", "normal"}[rng.IntN(3)],
		"status":           "open",
	}
}

// seedReports adds n incident reports of reporter fast: one report goes
// through app.Save (every hook, the change log included) and becomes the
// template that SQL copies n-1 times, together with the matching change-log
// rows (rev 1, in rowid order) that the hooks would have written. Copies
// vary in every field a report varies in: the description comes from a
// pool of 5,000 random texts (far more than gzip's 32 KiB window holds, so
// no copy compresses against an earlier one), the point, the time, the
// category, region and counts. Record ids are "sd" + 13 digits from offset.
func seedReports(app core.App, reporter string, offset, n int) error {
	if n <= 0 {
		return nil
	}
	col, err := app.FindCollectionByNameOrId("incident_reports")
	if err != nil {
		return fmt.Errorf("incident_reports collection: %w", err)
	}
	tpl := core.NewRecord(col)
	tpl.Id = seedID(offset)
	tpl.Load(reportData(rand.New(rand.NewPCG(1, uint64(offset))), reporter))
	if err := app.Save(tpl); err != nil {
		return fmt.Errorf("save template report: %w", err)
	}
	return app.RunInTransaction(func(tx core.App) error {
		if err := seedTexts(tx, offset); err != nil {
			return err
		}
		return copyReports(tx, tpl, offset, n)
	})
}

const textPool = 5000

// seedTexts fills a temp table with the description pool.
func seedTexts(tx core.App, seed int) error {
	ddl := "CREATE TEMP TABLE IF NOT EXISTS amanload_texts (n INTEGER PRIMARY KEY, t TEXT NOT NULL)"
	if _, err := tx.DB().NewQuery(ddl).Execute(); err != nil {
		return fmt.Errorf("texts table: %w", err)
	}
	if _, err := tx.DB().NewQuery("DELETE FROM amanload_texts").Execute(); err != nil {
		return fmt.Errorf("clear texts: %w", err)
	}
	rng := rand.New(rand.NewPCG(uint64(seed), 9))
	for i := range textPool {
		_, err := tx.DB().Insert("amanload_texts", dbx.Params{"n": i, "t": randomText(rng, 200+rng.IntN(600))}).Execute()
		if err != nil {
			return fmt.Errorf("insert text: %w", err)
		}
	}
	return nil
}

func seedID(i int) string { return fmt.Sprintf("sd%013d", i) }

func copyReports(tx core.App, tpl *core.Record, offset, n int) error {
	var cols []string
	for _, f := range tpl.Collection().Fields {
		cols = append(cols, f.GetName())
	}
	varied := map[string]string{
		"id":          "printf('sd%013d', {:offset} + c.i)",
		"category":    "CASE c.i % 5 WHEN 0 THEN 'shelling' WHEN 1 THEN 'gunfire' WHEN 2 THEN 'displacement' WHEN 3 THEN 'property_damage' ELSE 'other' END",
		"region":      "CASE c.i % 2 WHEN 0 THEN 'sughd' ELSE 'batken' END",
		"injured":     "c.i % 4",
		"description": "(SELECT x.t FROM amanload_texts x WHERE x.n = c.i % " + fmt.Sprint(textPool) + ")",
		"place":       "CASE c.i % 4 WHEN 0 THEN 'Ворух' WHEN 1 THEN 'Исфара' WHEN 2 THEN 'Ак-Сай' ELSE 'Кок-Таш' END",
		"location": "json_object('lon', 70.4 + (abs(random()) % 500000) / 1000000.0, " +
			"'lat', 39.9 + (abs(random()) % 500000) / 1000000.0)",
		"occurred_at": "strftime('%Y-%m-%d %H:%M:%S.000Z', '2026-11-01', '+' || (abs(random()) % 2000000) || ' seconds')",
	}
	sel := make([]string, len(cols))
	quoted := make([]string, len(cols))
	for i, c := range cols {
		quoted[i] = "[[" + c + "]]"
		if v, ok := varied[c]; ok {
			sel[i] = v
		} else {
			sel[i] = "t.[[" + c + "]]"
		}
	}
	logged := tx.HasTable("_aman_changes")
	var before int64
	if logged {
		if err := tx.DB().NewQuery("SELECT COALESCE(MAX(seq), 0) FROM _aman_changes").Row(&before); err != nil {
			return fmt.Errorf("log head: %w", err)
		}
	}
	q := "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < {:last}) " +
		"INSERT INTO {{incident_reports}} (" + strings.Join(quoted, ",") + ") SELECT " + strings.Join(sel, ",") +
		" FROM c, {{incident_reports}} t WHERE t.id = {:tpl}"
	params := dbx.Params{"offset": offset, "last": n - 1, "tpl": tpl.Id}
	if _, err := tx.DB().NewQuery(q).Bind(params).Execute(); err != nil {
		return fmt.Errorf("copy reports: %w", err)
	}
	if !logged {
		return nil // no change log yet (sync not registered): nothing to mirror
	}
	return seedLog(tx, offset, n, before)
}

// seedLog writes the change-log rows of the copied reports, as
// changelog.appendChange would for a create.
func seedLog(tx core.App, offset, n int, before int64) error {
	now := time.Now().UTC().Format("2006-01-02 15:04:05.000Z")
	ins := "INSERT INTO _aman_changes (collection, record_id, rev, deleted, at) " +
		"SELECT 'incident_reports', id, 1, FALSE, {:at} FROM {{incident_reports}} " +
		"WHERE id > {:from} AND id <= {:to} ORDER BY id"
	params := dbx.Params{"at": now, "from": seedID(offset), "to": seedID(offset + n - 1)}
	if _, err := tx.DB().NewQuery(ins).Bind(params).Execute(); err != nil {
		return fmt.Errorf("seed log: %w", err)
	}
	heads := "INSERT INTO _aman_heads (collection, record_id, rev, seq, deleted, at) " +
		"SELECT collection, record_id, rev, seq, deleted, at FROM _aman_changes WHERE seq > {:before}"
	if _, err := tx.DB().NewQuery(heads).Bind(dbx.Params{"before": before}).Execute(); err != nil {
		return fmt.Errorf("seed heads: %w", err)
	}
	return nil
}
