package photos_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image/jpeg"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
	"github.com/pocketbase/pocketbase/tools/filesystem"

	"aman/internal/fixtures"
	"aman/internal/testapp"
)

const reportsURL = "/api/collections/incident_reports/records"

// upload is one file part of a multipart body.
type upload struct {
	field, name, contentType string
	data                     []byte
}

// multipartBody writes fields and files as multipart/form-data.
func multipartBody(t testing.TB, fields map[string]string, files ...upload) (*bytes.Buffer, string) {
	t.Helper()
	var values [][2]string
	for k, v := range fields {
		values = append(values, [2]string{k, v})
	}
	return multipartValues(t, values, files...)
}

// multipartValues writes values (name, value; a name may repeat) and files
// as multipart/form-data.
func multipartValues(t testing.TB, values [][2]string, files ...upload) (*bytes.Buffer, string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for _, v := range values {
		if err := w.WriteField(v[0], v[1]); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range files {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name=%q; filename=%q`, f.field, f.name))
		h.Set("Content-Type", f.contentType)
		part, err := w.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		part.Write(f.data)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return &buf, w.FormDataContentType()
}

func newReportFields(id string) map[string]string {
	return map[string]string{
		"id": id, "reporter": fixtures.Volunteer, "occurred_at": "2026-11-25 06:00:00.000Z",
		"region": "batken", "category": "property_damage", "description": "Roof hit",
	}
}

// serve sends one request through the app's real router.
func serve(t testing.TB, app core.App, method, url, auth string) *httptest.ResponseRecorder {
	t.Helper()
	router, err := apis.NewRouter(app)
	if err != nil {
		t.Fatal(err)
	}
	mux, err := router.BuildMux()
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(method, url, nil)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, req)
	return rec
}

// downloadPhotos fetches every stored photo of a report through
// /api/files with a file token of the user as (the field is protected).
func downloadPhotos(t testing.TB, app *tests.TestApp, reportID, as string) map[string][]byte {
	t.Helper()
	report, err := app.FindRecordById("incident_reports", reportID)
	if err != nil {
		t.Fatalf("find report: %v", err)
	}
	auth, err := fixtures.Auth(app, as)
	if err != nil {
		t.Fatal(err)
	}
	res := serve(t, app, http.MethodPost, "/api/files/token", auth)
	var token struct{ Token string }
	if err := json.Unmarshal(res.Body.Bytes(), &token); err != nil || token.Token == "" {
		t.Fatalf("file token: %d %s", res.Code, res.Body)
	}
	files := map[string][]byte{}
	for _, name := range report.GetStringSlice("photos") {
		url := fmt.Sprintf("/api/files/incident_reports/%s/%s?token=%s", reportID, name, token.Token)
		res := serve(t, app, http.MethodGet, url, "")
		if res.Code != http.StatusOK {
			t.Fatalf("GET %s: %d %s", name, res.Code, res.Body)
		}
		files[name] = res.Body.Bytes()
	}
	if len(files) == 0 {
		t.Fatalf("report %s has no photos", reportID)
	}
	return files
}

// expectCleanJPEGs returns an AfterTestFunc asserting that the report's
// photos come back without metadata, decoding to the sample's size.
func expectCleanJPEGs(reportID string, count int) func(testing.TB, *tests.TestApp, *http.Response) {
	return func(t testing.TB, app *tests.TestApp, _ *http.Response) {
		files := downloadPhotos(t, app, reportID, fixtures.Volunteer)
		if len(files) != count {
			t.Fatalf("%d photos stored, want %d", len(files), count)
		}
		for name, b := range files {
			if found := leaks(b); len(found) > 0 {
				t.Fatalf("%s: metadata served back: %v", name, found)
			}
			cfg, err := jpeg.DecodeConfig(bytes.NewReader(b))
			if err != nil || cfg.Width != sampleW || cfg.Height != sampleH {
				t.Fatalf("%s: decodes to %dx%d (%v), want %dx%d", name, cfg.Width, cfg.Height, err, sampleW, sampleH)
			}
		}
	}
}

func expectNoReport(id string) func(testing.TB, *tests.TestApp, *http.Response) {
	return func(t testing.TB, app *tests.TestApp, _ *http.Response) {
		if _, err := app.FindRecordById("incident_reports", id); err == nil {
			t.Fatalf("report %s was stored", id)
		}
	}
}

// expectPhotos checks that the report holds n photos.
func expectPhotos(reportID string, n int) func(testing.TB, *tests.TestApp, *http.Response) {
	return func(t testing.TB, app *tests.TestApp, _ *http.Response) {
		report, err := app.FindRecordById("incident_reports", reportID)
		if err != nil {
			t.Fatal(err)
		}
		if got := len(report.GetStringSlice("photos")); got != n {
			t.Fatalf("report %s holds %d photos, want %d", reportID, got, n)
		}
	}
}

func TestUpload_API(t *testing.T) {
	gpsJPEG := sample(t, "meta.jpg")
	const newID = "photoreport0001"
	scenarios := []struct {
		name   string
		as     string
		method string
		url    string
		fields map[string]string
		files  []upload
		status int
		want   []string
		after  func(testing.TB, *tests.TestApp, *http.Response)
	}{
		{
			name: "volunteer creates a report with a GPS-tagged JPEG", as: fixtures.Volunteer,
			method: http.MethodPost, url: reportsURL, fields: newReportFields(newID),
			files:  []upload{{"photos", "IMG_0001.JPG", "image/jpeg", gpsJPEG}, {"photos", "second.jpeg", "image/jpeg", gpsJPEG}},
			status: 200, want: []string{`"id":"` + newID + `"`, `"photos":["photo_`},
			after: expectCleanJPEGs(newID, 2),
		},
		{
			name: "volunteer adds a photo to a submitted report", as: fixtures.Volunteer,
			method: http.MethodPatch, url: reportsURL + "/" + fixtures.ReportSubmitted,
			files:  []upload{{"photos+", "later.jpg", "image/jpeg", gpsJPEG}},
			status: 200, want: []string{`"photos":["photo_`},
			after: expectCleanJPEGs(fixtures.ReportSubmitted, 1),
		},
		{
			// a phone on 2G pushes the text first and uploads the photos
			// after; a coordinator may have taken the report into review
			name: "volunteer adds a photo to their report in review", as: fixtures.Volunteer,
			method: http.MethodPatch, url: reportsURL + "/" + fixtures.ReportInReview,
			files:  []upload{{"photos+", "later.jpg", "image/jpeg", gpsJPEG}},
			status: 200, want: []string{`"photos":["photo_`, `"status":"in_review"`},
			after: expectCleanJPEGs(fixtures.ReportInReview, 1),
		},
		{
			name: "but changes nothing else of it in review", as: fixtures.Volunteer,
			method: http.MethodPatch, url: reportsURL + "/" + fixtures.ReportInReview,
			fields: map[string]string{"description": "Rewritten while a coordinator reviews it."},
			files:  []upload{{"photos+", "later.jpg", "image/jpeg", gpsJPEG}},
			status: 404, want: []string{`"status":404`}, after: expectPhotos(fixtures.ReportInReview, 0),
		},
		{
			name: "nor through a modifier", as: fixtures.Volunteer,
			method: http.MethodPatch, url: reportsURL + "/" + fixtures.ReportInReview,
			fields: map[string]string{"killed+": "1"},
			files:  []upload{{"photos+", "later.jpg", "image/jpeg", gpsJPEG}},
			status: 404, want: []string{`"status":404`}, after: expectPhotos(fixtures.ReportInReview, 0),
		},
		{
			name: "nor adds photos once it is verified", as: fixtures.Volunteer,
			method: http.MethodPatch, url: reportsURL + "/" + fixtures.ReportVerified,
			files:  []upload{{"photos+", "later.jpg", "image/jpeg", gpsJPEG}},
			status: 404, want: []string{`"status":404`}, after: expectPhotos(fixtures.ReportVerified, 0),
		},
		{
			name: "another volunteer adds none to it", as: fixtures.Volunteer2,
			method: http.MethodPatch, url: reportsURL + "/" + fixtures.ReportInReview,
			files:  []upload{{"photos+", "later.jpg", "image/jpeg", gpsJPEG}},
			status: 404, want: []string{`"status":404`}, after: expectPhotos(fixtures.ReportInReview, 0),
		},
		{
			// The name a phone gives a photo is the moment it was taken
			// (the Exif time stripped above), or who sent or shows it, and
			// the stored name is what a coordinator or an editor reads on
			// an anonymous report too.
			name: "the uploaded name is not kept", as: fixtures.Volunteer,
			method: http.MethodPost, url: reportsURL, fields: newReportFields(newID),
			files:  []upload{{"photos", "IMG_20261128_101533_Rustam_Nazarov.jpg", "image/jpeg", gpsJPEG}},
			status: 200, want: []string{`"photos":["photo_`},
			after: func(t testing.TB, app *tests.TestApp, _ *http.Response) {
				report, err := app.FindRecordById("incident_reports", newID)
				if err != nil {
					t.Fatal(err)
				}
				for _, name := range report.GetStringSlice("photos") {
					if strings.Contains(name, "rustam") || strings.Contains(name, "20261128") {
						t.Fatalf("stored as %q", name)
					}
				}
			},
		},
		{
			name: "HTML named .jpg is refused by content", as: fixtures.Volunteer,
			method: http.MethodPost, url: reportsURL, fields: newReportFields(newID),
			files:  []upload{{"photos", "photo.jpg", "image/jpeg", []byte("<html><script>alert(1)</script></html>")}},
			status: 400, want: []string{`"photos":{"code":"photos_unsupported_type"`, `"type":"text/html; charset=utf-8"`},
			after: expectNoReport(newID),
		},
		{
			name: "a broken JPEG is refused", as: fixtures.Volunteer,
			method: http.MethodPost, url: reportsURL, fields: newReportFields(newID),
			files:  []upload{{"photos", "photo.jpg", "image/jpeg", gpsJPEG[:300]}},
			status: 400, want: []string{`"photos":{"code":"photos_invalid_image"`},
			after: expectNoReport(newID),
		},
		{
			name: "a PNG named .jpg is stored as .png, stripped", as: fixtures.Volunteer,
			method: http.MethodPost, url: reportsURL, fields: newReportFields(newID),
			files:  []upload{{"photos", "screenshot.jpg", "image/jpeg", sample(t, "meta.png")}},
			status: 200, want: []string{`"photos":["photo_`, `.png"]`},
			after: func(t testing.TB, app *tests.TestApp, _ *http.Response) {
				for name, b := range downloadPhotos(t, app, newID, fixtures.Volunteer) {
					if found := leaks(b); len(found) > 0 {
						t.Fatalf("%s: metadata served back: %v", name, found)
					}
				}
			},
		},
	}
	for i, s := range scenarios {
		body, contentType := multipartBody(t, s.fields, s.files...)
		scenario := fixtures.Scenario(s.as, tests.ApiScenario{
			Name:   fmt.Sprintf("%d_%s_%s", i, fixtures.Role(s.as), s.name),
			Method: s.method, URL: s.url, Body: body,
			Headers:         map[string]string{"Content-Type": contentType},
			ExpectedStatus:  s.status,
			ExpectedContent: s.want,
			AfterTestFunc:   s.after,
		})
		scenario.Test(t)
	}
}

func TestUpload_Batch(t *testing.T) {
	const newID = "batchreport0001"
	payload, _ := json.Marshal(map[string]any{"requests": []map[string]any{{
		"method": "POST", "url": reportsURL, "body": newReportFields(newID),
	}}})
	body, contentType := multipartBody(t, map[string]string{"@jsonPayload": string(payload)},
		upload{"requests.0.photos", "batch.jpg", "image/jpeg", sample(t, "meta.jpg")})
	scenario := fixtures.Scenario(fixtures.Volunteer, tests.ApiScenario{
		Name:   "volunteer creates a report with a photo through /api/batch",
		Method: http.MethodPost, URL: "/api/batch", Body: body,
		Headers:         map[string]string{"Content-Type": contentType},
		ExpectedStatus:  200,
		ExpectedContent: []string{`"id":"` + newID + `"`},
		AfterTestFunc:   expectCleanJPEGs(newID, 1),
	})
	scenario.Test(t)
}

// TestUpload_GoSave covers Go callers (the sync engine): a file set on a
// record and saved, even without validation, is stored stripped.
func TestUpload_GoSave(t *testing.T) {
	app := testapp.New(t)
	if err := fixtures.Seed(app); err != nil {
		t.Fatal(err)
	}
	for i, save := range []func(core.Model) error{app.Save, app.SaveNoValidate} {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			report, err := app.FindRecordById("incident_reports", fixtures.ReportOther)
			if err != nil {
				t.Fatal(err)
			}
			file, err := filesystem.NewFileFromBytes(sample(t, "meta.jpg"), "sync.jpg")
			if err != nil {
				t.Fatal(err)
			}
			report.Set("photos", []any{file})
			if err := save(report); err != nil {
				t.Fatalf("save: %v", err)
			}
			stored := readStored(t, app, report)
			if found := leaks(stored); len(found) > 0 {
				t.Fatalf("stored file keeps %v", found)
			}
		})
	}
}

func readStored(t *testing.T, app core.App, record *core.Record) []byte {
	t.Helper()
	names := record.GetStringSlice("photos")
	if len(names) != 1 {
		t.Fatalf("photos = %v, want one file", names)
	}
	return readFile(t, app, record.BaseFilesPath()+"/"+names[0])
}

// readFile reads a stored file straight from the app's storage.
func readFile(t testing.TB, app core.App, path string) []byte {
	t.Helper()
	fsys, err := app.NewFilesystem()
	if err != nil {
		t.Fatal(err)
	}
	defer fsys.Close()
	r, err := fsys.GetReader(path)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestAvatar_API(t *testing.T) {
	avatarURL := "/api/collections/users/records/" + fixtures.Volunteer
	scenarios := []struct {
		name   string
		as     string
		file   upload
		status int
		want   []string
	}{
		{"a selfie loses its GPS tag", fixtures.Volunteer, upload{"avatar", "me.jpg", "image/jpeg", sample(t, "meta.jpg")}, 200, []string{`"avatar":"photo_`}},
		{"an SVG avatar is refused", fixtures.Volunteer, upload{"avatar", "me.svg", "image/svg+xml", []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`)},
			400, []string{`"avatar":{"code":"photos_unsupported_type"`}},
		{"a coordinator does not set another's face", fixtures.Coordinator, upload{"avatar", "me.jpg", "image/jpeg", sample(t, "meta.jpg")},
			404, []string{`"status":404`}},
		{"nor another volunteer", fixtures.Volunteer2, upload{"avatar", "me.jpg", "image/jpeg", sample(t, "meta.jpg")},
			404, []string{`"status":404`}},
		{"a superuser does", fixtures.Superuser, upload{"avatar", "me.jpg", "image/jpeg", sample(t, "meta.jpg")},
			200, []string{`"avatar":"photo_`}},
	}
	for i, s := range scenarios {
		body, contentType := multipartBody(t, nil, s.file)
		scenario := fixtures.Scenario(s.as, tests.ApiScenario{
			Name:   fmt.Sprintf("%d_%s", i, s.name),
			Method: http.MethodPatch, URL: avatarURL, Body: body,
			Headers:         map[string]string{"Content-Type": contentType},
			ExpectedStatus:  s.status,
			ExpectedContent: s.want,
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, _ *http.Response) {
				user, err := app.FindRecordById("users", fixtures.Volunteer)
				if err != nil {
					t.Fatal(err)
				}
				name := user.GetString("avatar")
				if s.status != 200 {
					if name != "" {
						t.Fatalf("avatar %q stored", name)
					}
					return
				}
				b := readFile(t, app, user.BaseFilesPath()+"/"+name)
				if found := leaks(b); len(found) > 0 {
					t.Fatalf("stored avatar keeps %v", found)
				}
			},
		})
		scenario.Test(t)
	}
}

// TestUpload_StorageKeepsNoUploadedName: the uploaded name is not kept in
// the storage either. PocketBase writes a file's OriginalName next to it
// (the "original-filename" of the local .attrs side-car or the S3 object's
// metadata), which a backup or a seized server hands over with the photo:
// the moment it was taken, or who sent or shows it.
func TestUpload_StorageKeepsNoUploadedName(t *testing.T) {
	const newID = "photoreport0002"
	body, contentType := multipartBody(t, newReportFields(newID),
		upload{"photos", "IMG_20261128_101533_Rustam_Nazarov.jpg", "image/jpeg", sample(t, "meta.jpg")})
	scenario := fixtures.Scenario(fixtures.Volunteer, tests.ApiScenario{
		Name:   "the storage keeps no uploaded name",
		Method: http.MethodPost, URL: reportsURL, Body: body,
		Headers:         map[string]string{"Content-Type": contentType},
		ExpectedStatus:  200,
		ExpectedContent: []string{`"photos":["photo_`},
		AfterTestFunc: func(t testing.TB, app *tests.TestApp, _ *http.Response) {
			report, fsys := reportFiles(t, app, newID)
			for _, name := range report.GetStringSlice("photos") {
				attrs, err := fsys.Attributes(report.BaseFilesPath() + "/" + name)
				if err != nil {
					t.Fatal(err)
				}
				if kept := attrs.Metadata[filesystem.MetadataOriginalName]; kept != name {
					t.Fatalf("%s is stored with %s %q", name, filesystem.MetadataOriginalName, kept)
				}
			}
		},
	})
	scenario.Test(t)
}
