package photos_test

import (
	"context"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"aman/internal/fixtures"
	"aman/photos"
)

// A signed-out multipart create or update to a collection whose rule
// needs a signed-in caller was read and parsed whole (PocketBase reads
// the body before it looks at the rule), and held its place in the upload
// budget, only to be refused. It is now refused without its body being
// read and without taking from the budget, with PocketBase's own answer:
// a body that never comes is answered at once, the same as the whole
// body. Signed in, or where a guest may write (a sign-up with an avatar),
// nothing changes.
func TestUploads_GuestRefusedUnread(t *testing.T) {
	en := shareEnv(t, 16, 60)
	photo := sample(t, "meta.jpg")
	const (
		failed    = `{"data":{},"message":"Failed to create record.","status":400}`
		forbidden = `{"data":{},"message":"Only superusers can perform this action.","status":403}`
		notFound  = `{"data":{},"message":"The requested resource wasn't found.","status":404}`
	)
	cases := []struct {
		name, method, url string
		file              string
		status            int
		want              string
	}{
		{"report create", http.MethodPost, reportsURL, "photos", 400, failed},
		{"report update", http.MethodPatch, reportsURL + "/" + fixtures.ReportSubmitted, "photos+", 404, notFound},
		{"aid request create", http.MethodPost, "/api/collections/aid_requests/records", "photos", 400, failed},
		{"aid request update", http.MethodPatch, "/api/collections/aid_requests/records/" + fixtures.AidOpen, "photos", 404, notFound},
		{"update create", http.MethodPost, "/api/collections/updates/records", "photos", 400, failed},
		{"fact check create", http.MethodPost, "/api/collections/fact_checks/records", "photos", 400, failed},
		{"organization create (superusers only)", http.MethodPost, "/api/collections/organizations/records", "photos", 403, forbidden},
		{"organization update (superusers only)", http.MethodPatch, "/api/collections/organizations/records/x", "photos", 403, forbidden},
		{"profile update", http.MethodPatch, usersURL + "/" + fixtures.Volunteer, "avatar", 404, notFound},
	}

	// The whole body, as a client sends it: PocketBase's answer.
	for _, c := range cases {
		body, ct := multipartBody(t, newReportFields("guestrefused001"), upload{c.file, "IMG_1.jpg", "image/jpeg", photo})
		res := en.send(context.Background(), fixtures.Anonymous, c.method, c.url, ct, body.Bytes(), false)
		if res.Code != c.status || strings.TrimSpace(res.Body.String()) != c.want {
			t.Errorf("%s, whole body: %d %s, want %d %s", c.name, res.Code, res.Body, c.status, c.want)
		}
	}

	// A body that never comes, with the budget full: the same answer, at
	// once, nothing read, nothing taken.
	photos.SetUploadWait(en.app, 10*time.Second)
	release := photos.HoldUploads(en.app, photos.UploadBudgetSize(en.app))
	for _, c := range cases {
		r, w := io.Pipe()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, ct := multipartBody(t, nil)
		start := time.Now()
		res := en.stream(ctx, fixtures.Anonymous, "", c.method, c.url, ct, r, 1<<20)
		cancel()
		w.Close()
		if res.Code != c.status || strings.TrimSpace(res.Body.String()) != c.want || time.Since(start) > 4*time.Second {
			t.Errorf("%s, body never sent: %d %s after %v, want %d %s at once", c.name, res.Code, res.Body, time.Since(start), c.status, c.want)
		}
	}
	if held, _, _, waiting := photos.UploadStats(en.app); held != photos.UploadBudgetSize(en.app) || waiting != 0 {
		t.Errorf("refused guests: the budget holds %d bytes, %d waiting", held, waiting)
	}
	release()

	// Signed in, the same uploads go on; so does a guest's sign-up with an
	// avatar, which its rule may allow.
	report := newReportFields("guestrefused002")
	body, ct := multipartBody(t, report, upload{"photos", "IMG_1.jpg", "image/jpeg", photo})
	if res := en.send(context.Background(), fixtures.Volunteer, http.MethodPost, reportsURL, ct, body.Bytes(), false); res.Code != http.StatusOK {
		t.Errorf("volunteer's report with a photo: %d %s", res.Code, res.Body)
	}
	body, ct = multipartBody(t, nil, upload{"photos+", "later.jpg", "image/jpeg", photo})
	if res := en.send(context.Background(), fixtures.Volunteer, http.MethodPatch, reportsURL+"/"+fixtures.ReportSubmitted, ct, body.Bytes(), false); res.Code != http.StatusOK {
		t.Errorf("volunteer's photo added to its report: %d %s", res.Code, res.Body)
	}
	body, ct = multipartBody(t, signUpFields("guestavatar@example.org"), upload{"avatar", "me.jpg", "image/jpeg", photo})
	_, _, before, _ := photos.UploadStats(en.app)
	res := en.send(context.Background(), fixtures.Anonymous, http.MethodPost, usersURL, ct, body.Bytes(), false)
	if _, _, after, _ := photos.UploadStats(en.app); res.Code != http.StatusOK || after != before+1 {
		t.Errorf("guest's sign-up with an avatar: %d %s, took the budget %d times", res.Code, res.Body, after-before)
	}
}

// The rules a guest surely fails, read conservatively: only when every
// ||-run (&& binds tighter) has `@request.auth.id != ”`,
// `@request.auth.<field> = '<not empty>'` or `id = @request.auth.id`.
func TestGuestFails(t *testing.T) {
	for rule, want := range map[string]bool{
		`@request.auth.id != ''`:                 true,
		`@request.auth.id != ""`:                 true,
		`'' != @request.auth.id`:                 true,
		`@request.auth.role = 'editor'`:          true,
		`'editor' = @request.auth.role`:          true,
		`@request.auth.id != '' && status = 'x'`: true,
		`status = 'x' && (@request.auth.id != '' || @request.auth.role = 'coordinator')`: true,
		`(@request.auth.id != '' && a = 1) || @request.auth.role = 'editor'`:             true,
		`id = @request.auth.id`:                    true,
		`@request.auth.id = id`:                    true,
		`@request.auth.id != '' || status = 'x'`:   false,
		`@request.auth.id != '' && a = 1 || b = 2`: false, // (… && …) || b = 2
		`a = 1 || @request.auth.id != '' && b = 2`: false,
		`@request.auth.id = ''`:                    false,
		`@request.auth.role != 'editor'`:           false,
		`@request.auth.role = ''`:                  false,
		`@request.auth.rel.name = 'x'`:             false,
		`@request.auth.id:length > 0`:              false,
		`@request.auth.id ?= 'x'`:                  false,
		`reporter = @request.auth.id`:              false, // an empty reporter equals a guest's empty id
		`@request.auth.id != @request.body.x`:      false,
		`@request.body.role = 'volunteer'`:         false,
		`@request.auth.verified = true`:            false,
	} {
		got, ok := photos.GuestFails(rule)
		if !ok || got != want {
			t.Errorf("%s: %v (parsed %v), want %v", rule, got, ok, want)
		}
	}

	// The app's own rules: only sign-up stays open to guests' uploads.
	en := shareEnv(t, 16, 60)
	collections, err := en.app.FindAllCollections()
	if err != nil {
		t.Fatal(err)
	}
	var open []string
	for _, c := range collections {
		if c.IsView() || c.System {
			continue
		}
		for action, rule := range map[string]*string{"create": c.CreateRule, "update": c.UpdateRule} {
			if rule == nil {
				continue
			}
			if fails, ok := photos.GuestFails(*rule); !ok || !fails {
				open = append(open, c.Name+" "+action)
			}
		}
	}
	slices.Sort(open)
	if want := []string{"users create"}; !slices.Equal(open, want) {
		t.Errorf("rules a guest may pass: %v, want %v", open, want)
	}
}
