package server_test

import (
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"aman/internal/testapp"
)

// The e-mail change rate-limit migration adds *:requestEmailChange (5 per
// 60 s) before the generic /api/ rule; its down takes it off and leaves
// the other rules as they were; up again keeps a rule of that label an
// operator set meanwhile, and down then leaves it too.
func TestMigrations_EmailChangeRateLimitDown(t *testing.T) {
	const file = "1795768600_email_change_rate_limit.js"
	const label = "*:requestEmailChange"
	app := testapp.New(t)
	runner := testapp.MigrationRunner(t, app, file)
	rules := func() []core.RateLimitRule {
		t.Helper()
		if err := app.ReloadSettings(); err != nil {
			t.Fatal(err)
		}
		return append([]core.RateLimitRule(nil), app.Settings().RateLimits.Rules...)
	}
	find := func(rs []core.RateLimitRule) int {
		for i, r := range rs {
			if r.Label == label {
				return i
			}
		}
		return -1
	}
	with := rules()
	i := find(with)
	if i < 0 || with[i].MaxRequests != 5 || with[i].Duration != 60 || with[i].Audience != "" {
		t.Fatalf("rules after up: %+v", with)
	}
	if i+1 >= len(with) || with[i+1].Label != "/api/" {
		t.Errorf("%s is not just before /api/: %+v", label, with)
	}
	if _, err := runner.Down(1); err != nil {
		t.Fatal(err)
	}
	without := rules()
	if find(without) >= 0 || len(without) != len(with)-1 {
		t.Fatalf("rules after down: %+v", without)
	}
	for j, r := range without {
		k := j
		if j >= i {
			k = j + 1
		}
		if r != with[k] {
			t.Errorf("rule %d after down: %+v, was %+v", j, r, with[k])
		}
	}

	// an operator's own rule of that label is theirs: up keeps it, down too
	settings := app.Settings()
	settings.RateLimits.Rules = append(settings.RateLimits.Rules,
		core.RateLimitRule{Label: label, Audience: core.RateLimitRuleAudienceAuth, MaxRequests: 2, Duration: 300})
	if err := app.Save(settings); err != nil {
		t.Fatal(err)
	}
	if _, err := runner.Up(); err != nil {
		t.Fatal(err)
	}
	own := rules()
	if j := find(own); j < 0 || own[j].MaxRequests != 2 || own[j].Duration != 300 || len(own) != len(with) {
		t.Fatalf("the operator's rule after up: %+v", own)
	}
	if _, err := runner.Down(1); err != nil {
		t.Fatal(err)
	}
	if j := find(rules()); j < 0 {
		t.Fatalf("down took the operator's rule off: %+v", rules())
	}
}
