package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/jpeg"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/tests"

	"aman/internal/fixtures"
	"aman/internal/testapp"
)

// A reporter who comes to fear retaliation after review started hides
// their name: `anonymous` from false to true at any status
// (pb_migrations/1795767420_anonymous_at_any_status.js), never back once
// out of `submitted`, and nothing else in the same request beyond what the
// reporter may already do then (photos while in_review). Everyone else
// answers as before.
func TestRules_AnonymousAtAnyStatus(t *testing.T) {
	const reports = "/api/collections/incident_reports/records/"
	type anonCase struct {
		name   string
		as     string
		report string
		body   string
		// multipart: body holds the form fields as JSON and a photo is
		// added as photos+
		photo  bool
		status int
		// anonymous is the stored value after the request
		anonymous bool
	}
	cases := []anonCase{
		// the reporter, at every status
		{"hides their name while submitted", fixtures.Volunteer, fixtures.ReportSubmitted, `{"anonymous":true}`, false, 200, true},
		{"hides their name in review", fixtures.Volunteer, fixtures.ReportInReview, `{"anonymous":true}`, false, 200, true},
		{"hides their name once verified", fixtures.Volunteer, fixtures.ReportVerified, `{"anonymous":true}`, false, 200, true},
		{"hides their name once disputed", fixtures.Volunteer, fixtures.ReportDisputed, `{"anonymous":true}`, false, 200, true},
		{"hides their name once found false", fixtures.Volunteer, fixtures.ReportFalse, `{"anonymous":true}`, false, 200, true},
		{"hides their name once archived", fixtures.Volunteer, fixtures.ReportArchived, `{"anonymous":true}`, false, 200, true},
		{"sends true again on an anonymous report", fixtures.Volunteer, fixtures.ReportAnonymous, `{"anonymous":true}`, false, 200, true},
		{"hides their name with a photo in review", fixtures.Volunteer, fixtures.ReportInReview, `{"anonymous":"true"}`, true, 200, true},
		// never back, nor anything else with it
		{"does not show their name again once verified", fixtures.Volunteer, fixtures.ReportAnonymous, `{"anonymous":false}`, false, 404, true},
		{"does not send false in review", fixtures.Volunteer, fixtures.ReportInReview, `{"anonymous":false}`, false, 404, false},
		{"changes no description with it", fixtures.Volunteer, fixtures.ReportInReview, `{"anonymous":true,"description":"Rewritten."}`, false, 404, false},
		{"changes no status with it", fixtures.Volunteer, fixtures.ReportInReview, `{"anonymous":true,"status":"submitted"}`, false, 404, false},
		{"names no other field with it, even unchanged", fixtures.Volunteer, fixtures.ReportVerified, `{"anonymous":true,"occurred_at":"2026-11-20 08:30:00.000Z"}`, false, 404, false},
		{"names no reporter with it", fixtures.Volunteer, fixtures.ReportVerified, `{"anonymous":true,"reporter":"` + fixtures.Volunteer + `"}`, false, 404, false},
		{"adds no photo with it once verified", fixtures.Volunteer, fixtures.ReportVerified, `{"anonymous":"true"}`, true, 404, false},
		{"changes no modifier field with it", fixtures.Volunteer, fixtures.ReportVerified, `{"anonymous":true,"killed+":1}`, false, 404, false},
		// everyone else as before
		{"another volunteer", fixtures.Volunteer2, fixtures.ReportInReview, `{"anonymous":true}`, false, 404, false},
		{"another volunteer", fixtures.Volunteer2, fixtures.ReportVerified, `{"anonymous":true}`, false, 404, false},
		{"a coordinator changes no content", fixtures.Coordinator, fixtures.ReportInReview, `{"anonymous":true}`, false, 404, false},
		{"a coordinator changes no content", fixtures.Coordinator, fixtures.ReportAnonymous, `{"anonymous":false}`, false, 404, true},
		{"an editor", fixtures.Editor, fixtures.ReportVerified, `{"anonymous":true}`, false, 404, false},
		{"no account", fixtures.Anonymous, fixtures.ReportVerified, `{"anonymous":true}`, false, 404, false},
		{"a superuser bypasses rules", fixtures.Superuser, fixtures.ReportAnonymous, `{"anonymous":false}`, false, 200, false},
	}
	for i, c := range cases {
		s := tests.ApiScenario{
			Name:           fmt.Sprintf("%02d_%s_as_%s", i, c.name, fixtures.Role(c.as)),
			Method:         http.MethodPatch,
			URL:            reports + c.report,
			Body:           strings.NewReader(c.body),
			ExpectedStatus: c.status,
			ExpectedContent: []string{map[int]string{
				200: `"id":"` + c.report + `"`, 404: `"status":404`,
			}[c.status]},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, _ *http.Response) {
				t.Helper()
				record, err := app.FindRecordById("incident_reports", c.report)
				if err != nil {
					t.Fatal(err)
				}
				if got := record.GetBool("anonymous"); got != c.anonymous {
					t.Fatalf("anonymous = %v, want %v", got, c.anonymous)
				}
				if c.status == 404 && record.GetString("description") != "Shelling near the school, report "+c.report {
					t.Fatalf("description changed: %q", record.GetString("description"))
				}
				if n := len(record.GetStringSlice("photos")); n != map[bool]int{true: 1}[c.photo && c.status == 200] {
					t.Fatalf("%d photos", n)
				}
			},
		}
		if c.photo {
			body, contentType := photoForm(t, c.body)
			s.Body = body
			s.Headers = map[string]string{"Content-Type": contentType}
		}
		scenario := fixtures.Scenario(c.as, s)
		scenario.Test(t)
	}
}

// photoForm is a multipart body with the fields of fieldsJSON (a flat JSON
// object of strings) and a small JPEG as photos+.
func photoForm(t *testing.T, fieldsJSON string) (*bytes.Buffer, string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	fields := map[string]string{}
	if err := json.Unmarshal([]byte(fieldsJSON), &fields); err != nil {
		t.Fatal(err)
	}
	for k, v := range fields {
		if err := w.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	part, err := w.CreateFormFile("photos+", "later.jpg")
	if err != nil {
		t.Fatal(err)
	}
	if err := jpeg.Encode(part, image.NewGray(image.Rect(0, 0, 16, 12)), nil); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return &buf, w.FormDataContentType()
}

// The migration's down restores the update rule it found, and up again
// gives the same rule.
func TestMigrations_AnonymousAtAnyStatusDown(t *testing.T) {
	const file = "1795767420_anonymous_at_any_status.js"
	app := testapp.New(t)
	runner := testapp.MigrationRunner(t, app, file)
	rule := func() string {
		t.Helper()
		c, err := app.FindCollectionByNameOrId("incident_reports")
		if err != nil || c.UpdateRule == nil {
			t.Fatalf("incident_reports: %v", err)
		}
		return *c.UpdateRule
	}
	const clause = "@request.body.anonymous = true"
	with := rule()
	if !strings.Contains(with, clause) {
		t.Fatalf("update rule lacks the clause: %s", with)
	}
	if reverted, err := runner.Down(1); err != nil || len(reverted) != 1 {
		t.Fatalf("down: %v %v", reverted, err)
	}
	without := rule()
	if strings.Contains(without, clause) || !strings.HasPrefix(with, "("+without+") || ") {
		t.Fatalf("after down:\n%s\nbefore:\n%s", without, with)
	}
	// the rule it restored is the one photos_while_in_review left
	if !strings.HasSuffix(without, "status = 'in_review' && @request.body.reporter:isset = false && "+
		"@request.body.anonymous:isset = false && @request.body.occurred_at:isset = false && "+
		"@request.body.region:isset = false && @request.body.district:isset = false && "+
		"@request.body.place:isset = false && @request.body.location:isset = false && "+
		"@request.body.location_precision:isset = false && @request.body.category:isset = false && "+
		"@request.body.description:isset = false && @request.body.killed:isset = false && "+
		"@request.body.injured:isset = false && @request.body.source_type:isset = false && "+
		"@request.body.language:isset = false && @request.body.status:isset = false && "+
		"@request.body.verification_note:isset = false && @request.body.verified_by:isset = false && "+
		"@request.body.verified_at:isset = false && @request.body.sources:isset = false && "+
		"@request.body.public_summary:isset = false)") {
		t.Fatalf("after down: %s", without)
	}
	if _, err := runner.Up(); err != nil {
		t.Fatalf("up again: %v", err)
	}
	if again := rule(); again != with {
		t.Fatalf("up again:\n%s\nwant:\n%s", again, with)
	}
}
