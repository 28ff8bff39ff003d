package photos_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"testing"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"aman/internal/fixtures"
	"aman/internal/testapp"
)

// The photos a report holds before each scenario, stored under fixed names
// so that a request can name them.
const keptA, keptB = "photo_kepta00001.jpg", "photo_keptb00001.jpg"

// seedPhotos stores keptA and keptB as the photos of the reports ids, in
// the storage and in the record (written around the hooks, as the
// fixture's records are).
func seedPhotos(ids ...string) func(testing.TB, *tests.TestApp, *core.ServeEvent) {
	return func(t testing.TB, app *tests.TestApp, _ *core.ServeEvent) {
		t.Helper()
		fsys, err := app.NewFilesystem()
		if err != nil {
			t.Fatal(err)
		}
		defer fsys.Close()
		for _, id := range ids {
			report, err := app.FindRecordById("incident_reports", id)
			if err != nil {
				t.Fatal(err)
			}
			for _, name := range []string{keptA, keptB} {
				if err := fsys.Upload(sample(t, "meta.jpg"), report.BaseFilesPath()+"/"+name); err != nil {
					t.Fatal(err)
				}
			}
			report.SetRaw("photos", []string{keptA, keptB})
			if err := app.SaveNoValidate(report); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// expectStoredPhotos checks the report's status and that it holds the
// seeded photos named in kept, and n photos in all.
func expectStoredPhotos(id, status string, n int, kept ...string) func(testing.TB, *tests.TestApp, *http.Response) {
	return func(t testing.TB, app *tests.TestApp, _ *http.Response) {
		report, err := app.FindRecordById("incident_reports", id)
		if err != nil {
			t.Fatal(err)
		}
		names := report.GetStringSlice("photos")
		if len(names) != n || report.GetString("status") != status {
			t.Fatalf("report %s is %s with photos %v, want %s with %d", id, report.GetString("status"), names, status, n)
		}
		for _, name := range kept {
			if !slices.Contains(names, name) {
				t.Fatalf("photos %v lost %s", names, name)
			}
		}
	}
}

// keptCase is a multipart PATCH as the user as, and what comes back.
type keptCase struct {
	as, name, url string
	fields        map[string]string
	list          []string // stored names sent as the whole "photos" list
	files         []upload
	lang          string
	status        int
	want          []string
	after         func(testing.TB, *tests.TestApp, *http.Response)
}

// Evidence under review may grow, never shrink: while a report is in
// review (and stays so) its photos may be added, not removed or replaced,
// by anyone, whatever the form of the request. The update rule lets its
// reporter change photos then (1795767410_photos_while_in_review.js), so
// that a phone on 2G uploads them after a coordinator took the report:
// the same rule let them take evidence away from the coordinator. A
// superuser who must remove a photo that endangers someone sends the
// report back to submitted in the same save.
func TestPhotos_KeptInReview(t *testing.T) {
	jpeg := sample(t, "meta.jpg")
	const code = `"photos":{"code":"workflow_photos_kept_in_review"`
	inReview := reportsURL + "/" + fixtures.ReportInReview
	scenarios := []keptCase{
		{as: fixtures.Volunteer, name: "reporter removes one with photos-", url: inReview,
			fields: map[string]string{"photos-": keptA},
			status: 400, want: []string{code, "Photos of a report in review can be added, not removed or replaced."},
			after: expectStoredPhotos(fixtures.ReportInReview, "in_review", 2, keptA, keptB)},
		{as: fixtures.Volunteer, name: "reporter sends a full list without one", url: inReview,
			list:   []string{keptB},
			status: 400, want: []string{code},
			after: expectStoredPhotos(fixtures.ReportInReview, "in_review", 2, keptA, keptB)},
		{as: fixtures.Volunteer, name: "reporter replaces them with a new one", url: inReview,
			files:  []upload{{"photos", "new.jpg", "image/jpeg", jpeg}},
			status: 400, want: []string{code},
			after: expectStoredPhotos(fixtures.ReportInReview, "in_review", 2, keptA, keptB)},
		{as: fixtures.Volunteer, name: "the refusal is localized", url: inReview, lang: "ru",
			fields: map[string]string{"photos-": keptA},
			status: 400, want: []string{code, "К фотографиям сообщения на проверке можно добавлять новые, но нельзя удалять или заменять их."}},
		{as: fixtures.Superuser, name: "superuser removes one, the report staying in review", url: inReview,
			fields: map[string]string{"photos-": keptA},
			status: 400, want: []string{code},
			after: expectStoredPhotos(fixtures.ReportInReview, "in_review", 2, keptA, keptB)},

		// what stays allowed
		{as: fixtures.Volunteer, name: "reporter adds one with photos+", url: inReview,
			files:  []upload{{"photos+", "later.jpg", "image/jpeg", jpeg}},
			status: 200, want: []string{`"status":"in_review"`},
			after: expectStoredPhotos(fixtures.ReportInReview, "in_review", 3, keptA, keptB)},
		{as: fixtures.Volunteer, name: "reporter sends the full list with a new one", url: inReview,
			list:   []string{keptA, keptB},
			files:  []upload{{"photos", "later.jpg", "image/jpeg", jpeg}},
			status: 200, want: []string{`"status":"in_review"`},
			after: expectStoredPhotos(fixtures.ReportInReview, "in_review", 3, keptA, keptB)},
		{as: fixtures.Superuser, name: "superuser removes one, sending the report back", url: inReview,
			fields: map[string]string{"photos-": keptA, "status": "submitted"},
			status: 200, want: []string{`"status":"submitted"`},
			after: expectStoredPhotos(fixtures.ReportInReview, "submitted", 1, keptB)},
		{as: fixtures.Volunteer, name: "reporter removes one while submitted", url: reportsURL + "/" + fixtures.ReportSubmitted,
			fields: map[string]string{"photos-": keptA},
			status: 200, want: []string{`"status":"submitted"`},
			after: expectStoredPhotos(fixtures.ReportSubmitted, "submitted", 1, keptB)},
		{as: fixtures.Superuser, name: "superuser removes one of a verified report", url: reportsURL + "/" + fixtures.ReportVerified,
			fields: map[string]string{"photos-": keptA},
			status: 200, want: []string{`"status":"verified"`},
			after: expectStoredPhotos(fixtures.ReportVerified, "verified", 1, keptB)},
	}
	// the others may not touch the report's photos at all (a coordinator
	// changes no content)
	for _, as := range []string{fixtures.Coordinator, fixtures.Volunteer2, fixtures.Editor, fixtures.Anonymous} {
		scenarios = append(scenarios, keptCase{as: as, name: "removes one", url: inReview, fields: map[string]string{"photos-": keptA},
			status: 404, want: []string{`"status":404`},
			after: expectStoredPhotos(fixtures.ReportInReview, "in_review", 2, keptA, keptB)})
	}
	for i, s := range scenarios {
		body, contentType := multipartBody(t, s.fields, s.files...)
		if s.list != nil {
			body, contentType = multipartList(t, s.list, s.files...)
		}
		headers := map[string]string{"Content-Type": contentType}
		if s.lang != "" {
			headers["Accept-Language"] = s.lang
		}
		scenario := fixtures.Scenario(s.as, tests.ApiScenario{
			Name:   fmt.Sprintf("%d_%s_%s", i, fixtures.Role(s.as), s.name),
			Method: http.MethodPatch, URL: s.url, Body: body,
			Headers:         headers,
			BeforeTestFunc:  seedPhotos(fixtures.ReportInReview, fixtures.ReportSubmitted, fixtures.ReportVerified),
			ExpectedStatus:  s.status,
			ExpectedContent: s.want,
			AfterTestFunc:   s.after,
		})
		scenario.Test(t)
	}
}

// /api/batch and Go callers (the dashboard) are held to the same.
func TestPhotos_KeptInReview_BatchAndGo(t *testing.T) {
	payload, _ := json.Marshal(map[string]any{"requests": []map[string]any{{
		"method": "PATCH", "url": reportsURL + "/" + fixtures.ReportInReview, "body": map[string]any{"photos-": []string{keptA}},
	}}})
	scenario := fixtures.Scenario(fixtures.Volunteer, tests.ApiScenario{
		Name:   "batch: reporter removes one",
		Method: http.MethodPost, URL: "/api/batch", Body: bytes.NewReader(payload),
		BeforeTestFunc:  seedPhotos(fixtures.ReportInReview),
		ExpectedStatus:  400,
		ExpectedContent: []string{`"code":"workflow_photos_kept_in_review"`},
		AfterTestFunc:   expectStoredPhotos(fixtures.ReportInReview, "in_review", 2, keptA, keptB),
	})
	scenario.Test(t)

	t.Run("go", func(t *testing.T) {
		app := testapp.New(t)
		if err := fixtures.Seed(app); err != nil {
			t.Fatal(err)
		}
		seedPhotos(fixtures.ReportInReview)(t, app, nil)
		report, err := app.FindRecordById("incident_reports", fixtures.ReportInReview)
		if err != nil {
			t.Fatal(err)
		}
		report.Set("photos-", keptA)
		var errs validation.Errors
		var fieldErr validation.Error
		err = app.Save(report)
		if !errors.As(err, &errs) || !errors.As(errs["photos"], &fieldErr) || fieldErr.Code() != "workflow_photos_kept_in_review" {
			t.Fatalf("save: %v, want workflow_photos_kept_in_review", err)
		}
	})
}

// multipartList writes names as the values of "photos", then files.
func multipartList(t testing.TB, names []string, files ...upload) (*bytes.Buffer, string) {
	t.Helper()
	var values [][2]string
	for _, name := range names {
		values = append(values, [2]string{"photos", name})
	}
	return multipartValues(t, values, files...)
}
