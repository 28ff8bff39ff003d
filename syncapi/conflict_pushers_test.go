package syncapi_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"aman/changelog"
)

// TestConflicts_PushersOfAnAnonymousReport: the conflicts of an anonymous
// report name, to its reviewers, the pushers who never were its reporter
// (a coordinator's pushed edit stays accountable), with their device and
// mutation id and as ?expand=user; those who are or ever were its
// reporter (the reporter now, a reporter a superuser replaced) stay blank,
// device and mutation id too, by the history's rule. A mutation id is
// blanked also when a value was taken out of the data it may hash.
// Superusers see every pusher; volunteers, editors and anonymous callers
// read none; filtering and sorting by the pusher, the device or the
// mutation id stay refused.
func TestConflicts_PushersOfAnAnonymousReport(t *testing.T) {
	const reportID = "anonpushers0001"
	en := newEnv(t)
	path := "/api/collections/incident_reports/records/" + reportID
	if res := en.push(volunteerB, "phone-b", createReport(reportID, volunteerB, map[string]any{"anonymous": true})); res[0].Status != "applied" {
		t.Fatalf("create: %+v", res[0])
	}
	// its reporter's refused verify keeps the report's state, naming them
	refused := en.push(volunteerB, "phone-b", mut{"id": "b-0", "collection": "incident_reports", "recordId": reportID,
		"baseRev": 1, "data": map[string]any{"status": "verified"}})[0]
	if refused.Status != "rejected" || refused.Conflict == "" {
		t.Fatalf("setup: %+v", refused)
	}
	// a superuser makes volunteer A its reporter, and rewords it (rev 2)
	if code, out := en.do(superuser, http.MethodPatch, path, map[string]any{"reporter": volunteerA,
		"description": "Desk wording.", "verification_note": "Desk note."}); code != 200 {
		t.Fatalf("superuser patch: %d %v", code, out)
	}
	pushed := func(as, client string, m mut) string {
		t.Helper()
		res := en.push(as, client, m)[0]
		if res.Conflict == "" {
			t.Fatalf("push by %s: %+v, want evidence kept", as, res)
		}
		return res.Conflict
	}
	edit := func(id string, data map[string]any) mut {
		return mut{"id": id, "collection": "incident_reports", "recordId": reportID, "baseRev": 1, "data": data}
	}
	formerReporter := pushed(volunteerB, "phone-b", edit("b-1", map[string]any{"description": "What I saw."}))
	reporterNow := pushed(volunteerA, "phone-a", edit("a-1", map[string]any{"description": "What I saw, too."}))
	coordinators := pushed(coordinator, "phone-c", edit("c-1", map[string]any{"verification_note": "Two sources."}))
	// a coordinator's mutation naming the hidden reporter is refused and
	// kept without it; its id may hash it
	naming := pushed(coordinator, "phone-c", edit("c-2", map[string]any{"reporter": volunteerA, "place": "Canal bridge"}))

	type pusher struct{ user, client, mutation, expanded string }
	blank := pusher{}
	rows := func(as, query string) (int, map[string]pusher, string) {
		t.Helper()
		rec := en.raw(as, http.MethodGet, "/api/collections/sync_conflicts/records?perPage=100&expand=user&"+query, nil)
		var page struct{ Items []map[string]any }
		if rec.Code == 200 {
			if err := json.Unmarshal(rec.Body.Bytes(), &page); err != nil {
				t.Fatal(err)
			}
		}
		out := map[string]pusher{}
		for _, r := range page.Items {
			p := pusher{user: r["user"].(string), client: r["client"].(string), mutation: r["mutation_id"].(string)}
			if e, ok := r["expand"].(map[string]any); ok {
				if u, ok := e["user"].(map[string]any); ok {
					p.expanded, _ = u["id"].(string)
				}
			}
			out[r["id"].(string)] = p
		}
		return rec.Code, out, rec.Body.String()
	}
	reviewed := map[string]pusher{
		refused.Conflict: blank,
		formerReporter:   blank,
		reporterNow:      blank,
		coordinators:     {coordinator, "phone-c", "c-1", coordinator},
		naming:           {coordinator, "phone-c", "", coordinator},
	}
	for _, c := range []struct {
		name string
		as   string
		want map[string]pusher
	}{
		{"anonymous", anonymous, map[string]pusher{}},
		{"reporter", volunteerA, map[string]pusher{}},
		{"former reporter", volunteerB, map[string]pusher{}},
		{"editor", editor, map[string]pusher{}},
		{"coordinator", coordinator, reviewed},
		{"superuser", superuser, map[string]pusher{
			refused.Conflict: {volunteerB, "phone-b", "b-0", volunteerB},
			formerReporter:   {volunteerB, "phone-b", "b-1", volunteerB},
			reporterNow:      {volunteerA, "phone-a", "a-1", volunteerA},
			coordinators:     {coordinator, "phone-c", "c-1", coordinator},
			naming:           {coordinator, "phone-c", "c-2", coordinator},
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, got, body := rows(c.as, "")
			if code != 200 || len(got) != len(c.want) {
				t.Fatalf("as %s: %d, %d conflicts, want %d\n%s", c.name, code, len(got), len(c.want), body)
			}
			for id, want := range c.want {
				if got[id] != want {
					t.Errorf("as %s, conflict %s: %+v, want %+v", c.name, id, got[id], want)
				}
			}
			if c.as != superuser {
				for _, s := range []string{volunteerA, volunteerB, "phone-a", "phone-b"} {
					if strings.Contains(body, s) {
						t.Fatalf("as %s: the conflicts name a reporter (%s): %s", c.name, s, body)
					}
				}
			}
		})
	}
	// naming pushers makes none of their columns a coordinator's to filter
	// or sort by: a blank would be told by elimination
	en.refusesQueries(coordinator, "sync_conflicts",
		"filter="+url.QueryEscape("user='"+coordinator+"'"),
		"filter="+url.QueryEscape("user!='"+coordinator+"'"),
		"filter="+url.QueryEscape("user.role='volunteer'"),
		"filter="+url.QueryEscape("client='phone-c'"),
		"filter="+url.QueryEscape("mutation_id='c-1'"),
		"sort=user",
		"sort=-client",
	)
	if code, got, body := rows(superuser, "filter="+url.QueryEscape("user='"+volunteerA+"'")); code != 200 || len(got) != 1 {
		t.Fatalf("a superuser filters by the pusher: %d %s", code, body)
	}
	// conflicts outlive the change log's history: once it no longer holds
	// the report's first write, who was ever its reporter cannot be told,
	// and every pusher is blank again
	cfg := changelog.DefaultConfig()
	if pruned, err := changelog.Prune(en.app, cfg, time.Now().Add(cfg.HistoryRetention+24*time.Hour)); err != nil || pruned.History == 0 {
		t.Fatalf("prune: %+v %v", pruned, err)
	}
	code, got, body := rows(coordinator, "")
	for id := range reviewed {
		if got[id] != blank {
			t.Errorf("after pruning, conflict %s: %+v", id, got[id])
		}
	}
	if code != 200 || len(got) != len(reviewed) || strings.Contains(body, volunteerB) {
		t.Fatalf("after pruning: %d %s", code, body)
	}
}
