package syncapi_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestAudit_HidesFieldsTheOperatorHid: a field an operator marks hidden in
// the dashboard (the record API, and so pull, leave it out for everyone
// but superusers) is left out of record_history and sync_conflicts too:
// the reviewers who read them may not read the record's field either.
func TestAudit_HidesFieldsTheOperatorHid(t *testing.T) {
	en := newEnv(t)
	c := mustCollection(t, en.app, "incident_reports")
	c.Fields.GetByName("place").SetHidden(true)
	if err := en.app.Save(c); err != nil {
		t.Fatal(err)
	}
	const secret = "Exact house 12"
	ofReport := url.QueryEscape("record_id='" + reportA + "'")
	en.push(volunteerA, "device-a", createReport(reportA, volunteerA, nil))
	// only a superuser writes a hidden field (rev 2)
	if code, b := en.do(superuser, http.MethodPatch, "/api/collections/incident_reports/records/"+reportA,
		map[string]any{"place": secret}); code != 200 {
		t.Fatalf("superuser patch: %d %v", code, b)
	}
	// a refused edit keeps the data sent and the record's state
	r := en.push(volunteerA, "device-a", mut{"id": "m2", "collection": "incident_reports", "recordId": reportA,
		"baseRev": 2, "data": map[string]any{"category": "not-a-category"}})[0]
	if r.Status != "rejected" || r.Conflict == "" {
		t.Fatalf("refused edit: %+v", r)
	}
	for _, u := range []string{
		"/api/collections/incident_reports/records/" + reportA,
		"/api/collections/sync_conflicts/records",
		"/api/collections/record_history/records?filter=" + ofReport,
	} {
		rec := en.raw(coordinator, http.MethodGet, u, nil)
		if rec.Code != 200 || strings.Contains(rec.Body.String(), secret) {
			t.Fatalf("coordinator reads the hidden field in %s: %d %s", u, rec.Code, rec.Body.String())
		}
	}
	// an edit naming the hidden field, from before the superuser's write,
	// is answered alike whether it guesses the value or not
	guess := func(id, value string) pushResult {
		return en.push(volunteerA, "device-a", mut{"id": id, "collection": "incident_reports", "recordId": reportA,
			"baseRev": 1, "data": map[string]any{"place": value}})[0]
	}
	right, wrong := guess("g1", secret), guess("g2", "Somewhere else")
	if right.Status != wrong.Status || len(right.Fields) != len(wrong.Fields) || right.Conflict != "" || wrong.Conflict != "" {
		t.Fatalf("a guess of the hidden field is told apart:\n%+v\n%+v", right, wrong)
	}
	if rec := en.raw(superuser, http.MethodGet, "/api/collections/record_history/records?filter="+ofReport, nil); !strings.Contains(rec.Body.String(), secret) {
		t.Fatalf("a superuser reads the whole history: %s", rec.Body.String())
	}
}

// TestReplay_HidesFieldsTheOperatorHidSince: a push answered again (its
// answer was lost) shows a field an operator marked hidden after the
// answer was stored no more than the record API does now.
func TestReplay_HidesFieldsTheOperatorHidSince(t *testing.T) {
	en := newEnv(t)
	create := createReport(reportA, volunteerA, map[string]any{"place": "Exact house 12"})
	if r := en.push(volunteerA, "device-a", create)[0]; r.Status != "applied" || r.Record["place"] != "Exact house 12" {
		t.Fatalf("first answer: %+v", r)
	}
	c := mustCollection(t, en.app, "incident_reports")
	c.Fields.GetByName("place").SetHidden(true)
	if err := en.app.Save(c); err != nil {
		t.Fatal(err)
	}
	r := en.push(volunteerA, "device-a", create)[0]
	if _, shown := r.Record["place"]; r.Status != "applied" || shown || r.Record["description"] == nil {
		t.Fatalf("replayed answer after place was hidden: %+v", r)
	}
	if code, b := en.do(volunteerA, http.MethodGet, "/api/collections/incident_reports/records/"+reportA, nil); code != 200 || b["place"] != nil {
		t.Fatalf("the record API: %d %v", code, b)
	}
}
