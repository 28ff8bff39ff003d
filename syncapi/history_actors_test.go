package syncapi_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
)

// TestHistory_ActorsOfAnAnonymousReport: the history of an anonymous
// report names, to coordinators, the actors who never were its reporter
// (the review stays accountable), and blanks those who are or ever were:
// the reporter now, a reporter a superuser replaced (whose id the history
// keeps, hidden, in the reporter's old value), a coordinator who filed
// the report as themselves, also where they acted on it as a coordinator.
// Superusers see every actor; no one else reads the history; filtering
// and sorting by actor stay refused.
func TestHistory_ActorsOfAnAnonymousReport(t *testing.T) {
	const reportID = "anonactors00001"
	coordinator2 := "coordinator2222"
	en := newEnv(t)
	en.tokens[coordinator2] = en.saveUser(coordinator2, "coordinator")
	path := "/api/collections/incident_reports/records"
	step := func(as, method, url string, body map[string]any) {
		t.Helper()
		if code, out := en.do(as, method, url, body); code != 200 {
			t.Fatalf("%s %s as %s: %d %v", method, url, as, code, out)
		}
	}
	// a coordinator files it as themselves, anonymously
	step(coordinator2, http.MethodPost, path, report(coordinator2, map[string]any{"id": reportID, "anonymous": true}))
	// a superuser makes a volunteer its reporter; the volunteer edits it
	step(superuser, http.MethodPatch, path+"/"+reportID, map[string]any{"reporter": volunteerA})
	step(volunteerA, http.MethodPatch, path+"/"+reportID, map[string]any{"description": "Shots at dawn; two houses hit."})
	// the former reporter takes it into review; another coordinator verifies
	step(coordinator2, http.MethodPatch, path+"/"+reportID, map[string]any{"status": "in_review"})
	step(coordinator, http.MethodPatch, path+"/"+reportID, map[string]any{"status": "verified",
		"verified_by": coordinator, "verification_note": "Two sources.", "public_summary": "Shots at dawn near the canal."})

	history := func(as string) (int, []map[string]any, string) {
		t.Helper()
		rec := en.raw(as, http.MethodGet, "/api/collections/record_history/records?sort=seq&filter="+
			url.QueryEscape("collection='incident_reports' && record_id='"+reportID+"'"), nil)
		var page struct{ Items []map[string]any }
		if rec.Code == 200 {
			if err := json.Unmarshal(rec.Body.Bytes(), &page); err != nil {
				t.Fatal(err)
			}
		}
		return rec.Code, page.Items, rec.Body.String()
	}
	type actor struct{ collection, id string }
	actors := func(rows []map[string]any) []actor {
		var out []actor
		for _, r := range rows {
			out = append(out, actor{r["actor_collection"].(string), r["actor"].(string)})
		}
		return out
	}
	_, suRows, _ := history(superuser)
	var suID string
	if len(suRows) == 5 {
		suID, _ = suRows[1]["actor"].(string)
	}
	for _, c := range []struct {
		name string
		as   string
		want []actor
	}{
		{"coordinator", coordinator, []actor{
			{"", ""},               // the create, by the coordinator who filed it
			{"_superusers", suID},  // the superuser who changed the reporter
			{"", ""},               // the reporter's edit
			{"", ""},               // the former reporter's review
			{"users", coordinator}, // the verifier, never the reporter
		}},
		// the former reporter reads it like any coordinator: their own
		// rows are blank to them too (the report is not theirs now)
		{"coordinator who filed it", coordinator2, []actor{
			{"", ""}, {"_superusers", suID}, {"", ""}, {"", ""}, {"users", coordinator},
		}},
		{"superuser", superuser, []actor{
			{"users", coordinator2}, {"_superusers", suID}, {"users", volunteerA},
			{"users", coordinator2}, {"users", coordinator},
		}},
		{"reporter", volunteerA, nil},
		{"other volunteer", volunteerB, nil},
		{"editor", editor, nil},
		{"anonymous", anonymous, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, rows, body := history(c.as)
			if got := actors(rows); code != 200 || !equalActors(got, c.want) {
				t.Fatalf("history as %s: %d, actors %v, want %v\n%s", c.name, code, got, c.want, body)
			}
			if c.as != superuser && (strings.Contains(body, volunteerA) || strings.Contains(body, coordinator2)) {
				t.Fatalf("history as %s names a reporter: %s", c.name, body)
			}
		})
	}
	// naming actors makes none of the audit columns a coordinator's to
	// filter or sort by
	en.refusesQueries(coordinator, "record_history",
		"filter="+url.QueryEscape("actor='"+coordinator2+"'"),
		"filter="+url.QueryEscape("actor='"+coordinator+"'"),
		"filter="+url.QueryEscape("actor_collection='users'"),
		"sort=actor",
		"sort=-actor_collection",
	)
}

// TestHistory_ActorsOfARecordDeletedAndCreatedAgain: a row of an earlier
// life under an id is judged as one about a record that no longer
// exists, and its actor by every submitter the id ever had.
func TestHistory_ActorsOfAnEarlierLife(t *testing.T) {
	const reportID = "anonlives000001"
	en := newEnv(t)
	path := "/api/collections/incident_reports/records"
	if code, out := en.do(volunteerA, http.MethodPost, path, report(volunteerA, map[string]any{"id": reportID, "anonymous": true})); code != 200 {
		t.Fatalf("create: %d %v", code, out)
	}
	if code, out := en.do(coordinator, http.MethodPatch, path+"/"+reportID, map[string]any{"status": "in_review"}); code != 200 {
		t.Fatalf("review: %d %v", code, out)
	}
	if code, _ := en.do(superuser, http.MethodDelete, path+"/"+reportID, nil); code != 204 {
		t.Fatalf("delete: %d", code)
	}
	// the id used again, by another volunteer, named
	if code, out := en.do(volunteerB, http.MethodPost, path, report(volunteerB, map[string]any{"id": reportID})); code != 200 {
		t.Fatalf("create again: %d %v", code, out)
	}
	rec := en.raw(coordinator, http.MethodGet, "/api/collections/record_history/records?sort=seq&filter="+
		url.QueryEscape("collection='incident_reports' && record_id='"+reportID+"'"), nil)
	var page struct{ Items []map[string]any }
	if err := json.Unmarshal(rec.Body.Bytes(), &page); err != nil || rec.Code != 200 || len(page.Items) != 4 {
		t.Fatalf("history: %d %s", rec.Code, rec.Body.String())
	}
	var got []string
	for _, r := range page.Items {
		got = append(got, r["actor"].(string))
	}
	// the earlier life: its reporter blank, the coordinator named, the
	// superuser's delete named; the new life is not anonymous
	if got[0] != "" || got[1] != coordinator || got[2] == "" || got[3] != volunteerB {
		t.Fatalf("actors %v\n%s", got, rec.Body.String())
	}
	if strings.Contains(rec.Body.String(), volunteerA) {
		t.Fatalf("names the earlier life's reporter: %s", rec.Body.String())
	}
}

func equalActors[T comparable](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestHistory_SubmittersReadThroughTheirIndex: whether a row's actor was
// ever the submitter is read through the partial index of the changes
// that write a submitter field, not by reading the record's history (the
// timing test, TestHistory_RowCostDoesNotGrowWithItsRecordsHistory, has
// the figures).
func TestHistory_SubmittersReadThroughTheirIndex(t *testing.T) {
	const reportID = "anonindex000001"
	en := newEnv(t)
	en.push(volunteerA, "phone-a", createReport(reportID, volunteerA, map[string]any{"anonymous": true}))
	for i := range 50 {
		if code, out := en.do(coordinator, http.MethodPatch, "/api/collections/incident_reports/records/"+reportID,
			map[string]any{"status": []string{"in_review", "submitted"}[i%2]}); code != 200 {
			t.Fatalf("review %d: %d %v", i, code, out)
		}
	}
	db := en.app.ConcurrentDB().(*dbx.DB)
	var queries []string
	db.QueryLogFunc = func(_ context.Context, _ time.Duration, q string, _ *sql.Rows, _ error) {
		if strings.Contains(q, "json_extract(diff") {
			queries = append(queries, q)
		}
	}
	rec := en.raw(coordinator, http.MethodGet, "/api/collections/record_history/records?perPage=100&filter="+
		url.QueryEscape("collection='incident_reports' && record_id='"+reportID+"'"), nil)
	db.QueryLogFunc = nil
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"actor":"`+coordinator+`"`) {
		t.Fatalf("history: %d %s", rec.Code, rec.Body.String())
	}
	if len(queries) == 0 {
		t.Fatal("no query of the submitters")
	}
	var plan []struct {
		ID     int    `db:"id"`
		Parent int    `db:"parent"`
		Unused int    `db:"notused"`
		Detail string `db:"detail"`
	}
	if err := en.app.DB().NewQuery("EXPLAIN QUERY PLAN " + queries[0]).All(&plan); err != nil {
		t.Fatalf("%s: %v", queries[0], err)
	}
	var details []string
	for _, p := range plan {
		details = append(details, p.Detail)
	}
	if !strings.Contains(strings.Join(details, "; "), "USING INDEX idx_aman_changes_owners") {
		t.Fatalf("%s\nplanned as %q: not through the index of submitter changes", queries[0], details)
	}
}

// refusesQueries checks that each query of collection's records is
// refused to as by the privacy query guard.
func (en *env) refusesQueries(as, collection string, queries ...string) {
	en.t.Helper()
	for _, q := range queries {
		if rec := en.raw(as, http.MethodGet, "/api/collections/"+collection+"/records?"+q, nil); rec.Code != 400 ||
			!strings.Contains(rec.Body.String(), "privacy_forbidden_query_field") {
			en.t.Errorf("%s's %s: %d %s", as, q, rec.Code, rec.Body.String())
		}
	}
}
