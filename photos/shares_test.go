package photos_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"aman/internal/fixtures"
	"aman/photos"
)

const usersURL = "/api/collections/users/records"

// signUpFields are the fields of a volunteer's sign-up.
func signUpFields(email string) map[string]string {
	return map[string]string{"email": email, "password": "long-enough-1", "passwordConfirm": "long-enough-1", "role": "volunteer"}
}

// stream sends a request whose body is read from body, with the declared
// length, as the user as from the client address remote ("" for the
// default). It returns when the request has been answered.
func (en *thumbEnv) stream(ctx context.Context, as, remote, method, url, contentType string, body io.Reader, length int64) *httptest.ResponseRecorder {
	req := httptest.NewRequestWithContext(ctx, method, url, body)
	req.ContentLength = length
	req.Header.Set("Content-Type", contentType)
	if remote != "" {
		req.RemoteAddr = remote
	}
	auth, err := fixtures.Auth(en.app, as)
	if err != nil {
		en.t.Error(err)
		return httptest.NewRecorder()
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	rec := httptest.NewRecorder()
	en.mux.ServeHTTP(rec, req)
	return rec
}

// stalled is an upload whose client sent the start of its body and then
// nothing more, as a phone whose signal dropped: its request holds its
// place until end is called, which cuts the body short.
type stalled struct {
	w    *io.PipeWriter
	done chan *httptest.ResponseRecorder
}

// stall starts an upload to url as as from remote that declares length
// bytes and sends only prefix.
func (en *thumbEnv) stall(as, remote, method, url string, fields map[string]string, length int64) *stalled {
	var head bytes.Buffer
	body, ct := multipartBody(en.t, fields, upload{"photos", "IMG_1.jpg", "image/jpeg", bytes.Repeat([]byte{0xff}, 1024)})
	head.Write(body.Bytes()[:body.Len()/2])
	r, w := io.Pipe()
	s := &stalled{w: w, done: make(chan *httptest.ResponseRecorder, 1)}
	go func() { _, _ = w.Write(head.Bytes()) }()
	go func() { s.done <- en.stream(context.Background(), as, remote, method, url, ct, r, length) }()
	return s
}

// end cuts the body short and returns the answer.
func (s *stalled) end(t *testing.T) *httptest.ResponseRecorder {
	t.Helper()
	s.w.CloseWithError(io.ErrUnexpectedEOF)
	select {
	case res := <-s.done:
		return res
	case <-time.After(30 * time.Second):
		t.Fatal("a stalled upload was not answered after its body ended")
		return nil
	}
}

// waitFor polls cond for up to 10 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func userCaller(t *testing.T, en *thumbEnv, id string) string {
	users, err := en.app.FindCachedCollectionByNameOrId("users")
	if err != nil {
		t.Fatal(err)
	}
	return "auth:" + users.Id + "/" + id
}

// Two stalled uploads of about 130 MB each held the whole budget of
// 256 MiB for up to PocketBase's 5-minute read timeout: every other
// volunteer's photo waited and got 503. One caller's uploads now hold at
// most its share (here half of 16 MiB): its uploads past the share wait
// for its own to end, and answer 429 photos_uploads_caller_busy in the
// caller's language when none does; everyone else uploads meanwhile; an
// upload of its that ends frees its place.
func TestUploads_CallerShare(t *testing.T) {
	en := shareEnv(t, 16, 50)
	photos.SetUploadWait(en.app, 2*time.Second)
	share := photos.CallerShareSize(en.app)
	if share != 8<<20 {
		t.Fatalf("share %d bytes, want half of 16 MiB", share)
	}
	// A body of 1 MiB weighs 4 MiB: itself, PocketBase's two buffers, the
	// photo being stripped. Two fill the share.
	const n = 1 << 20
	weight := photos.UploadWeight(en.app, "incident_reports", n)
	if weight != 4*n {
		t.Fatalf("a body of %d bytes weighs %d", n, weight)
	}
	volunteer := userCaller(t, en, fixtures.Volunteer)

	// The volunteer's phone starts four uploads and stalls: two hold the
	// share, the other two wait.
	var uploads []*stalled
	for i := range 4 {
		uploads = append(uploads, en.stall(fixtures.Volunteer, "", http.MethodPost, reportsURL,
			newReportFields(fmt.Sprintf("sharestalled%03d", i)), n))
	}
	waitFor(t, "the volunteer's uploads to hold its share", func() bool {
		held, _, _, _ := photos.UploadStats(en.app)
		return held >= share
	})
	time.Sleep(200 * time.Millisecond) // for the other two to come
	if held, _ := photos.CallerUploads(en.app, volunteer); held != share {
		t.Errorf("the volunteer holds %d bytes, want its share %d", held, share)
	}
	if held, _, _, _ := photos.UploadStats(en.app); held != share {
		t.Errorf("the budget holds %d bytes, want the volunteer's share %d", held, share)
	}

	// Everyone else uploads meanwhile: another volunteer, to a report of
	// its own and a new one, and a guest signing up with an avatar.
	newReport := newReportFields("shareother00001")
	newReport["reporter"] = fixtures.Volunteer2
	var wg sync.WaitGroup
	for _, c := range []struct {
		as, method, url string
		fields          map[string]string
		file            string
	}{
		{fixtures.Volunteer2, http.MethodPatch, reportsURL + "/" + fixtures.ReportOther, nil, "photos+"},
		{fixtures.Volunteer2, http.MethodPost, reportsURL, newReport, "photos"},
		{fixtures.Anonymous, http.MethodPost, usersURL, signUpFields("share@example.org"), "avatar"},
	} {
		wg.Go(func() {
			body, ct := multipartBody(t, c.fields, upload{c.file, "photo.jpg", "image/jpeg", sample(t, "meta.jpg")})
			res := en.send(context.Background(), c.as, c.method, c.url, ct, body.Bytes(), false)
			if res.Code != http.StatusOK {
				t.Errorf("%s %s %s, while the volunteer's uploads stall: %d %s", fixtures.Role(c.as), c.method, c.url, res.Code, res.Body)
			}
		})
	}
	wg.Wait()

	// The volunteer's two uploads past its share were refused when their
	// wait ended; the two in its share still stall.
	answered := func() (n int) {
		for _, u := range uploads {
			n += len(u.done)
		}
		return n
	}
	waitFor(t, "two of the volunteer's uploads to be answered", func() bool { return answered() >= 2 })
	time.Sleep(100 * time.Millisecond)
	if n := answered(); n != 2 {
		t.Fatalf("%d of the volunteer's 4 stalled uploads were answered, want the 2 past its share", n)
	}
	var stalling []*stalled
	for _, u := range uploads {
		if len(u.done) == 0 {
			stalling = append(stalling, u)
			continue
		}
		res := <-u.done
		if res.Code != http.StatusTooManyRequests || res.Header().Get("Retry-After") == "" ||
			!strings.Contains(res.Body.String(), `"code":"photos_uploads_caller_busy"`) {
			t.Errorf("the volunteer's upload past its share: %d %s, Retry-After %q", res.Code, res.Body, res.Header().Get("Retry-After"))
		}
		u.w.Close()
	}

	// Its next one too, in its language, from any of its devices; the
	// reason is the top-level message too.
	onTop := map[string]string{
		"en": `"message":"Your other uploads are still being received. Try again when they have finished.","status":429}`,
		"ru": `"message":"Другие ваши загрузки ещё принимаются. Повторите попытку, когда они завершатся.","status":429}`,
	}
	photo := sample(t, "meta.jpg")
	for lang, want := range map[string]string{
		"en":      "Your other uploads are still being received.",
		"ru":      "Другие ваши загрузки ещё принимаются.",
		"tg":      "Боргузориҳои дигари шумо ҳанӯз қабул шуда истодаанд.",
		"ky":      "Башка жүктөөлөрүңүз дагы эле кабыл алынып жатат.",
		"uz-Cyrl": "Бошқа юкламаларингиз ҳали қабул қилинмоқда.",
	} {
		body, ct := multipartBody(t, nil, upload{"photos+", "later.jpg", "image/jpeg", photo})
		res := en.send(context.Background(), fixtures.Volunteer, http.MethodPatch, reportsURL+"/"+fixtures.ReportSubmitted+"?lang="+lang, ct, body.Bytes(), false)
		if res.Code != http.StatusTooManyRequests || !strings.Contains(res.Body.String(), `"code":"photos_uploads_caller_busy"`) ||
			!strings.Contains(res.Body.String(), want) || onTop[lang] != "" && !strings.Contains(res.Body.String(), onTop[lang]) {
			t.Errorf("%s: the volunteer's upload past its share: %d %s", lang, res.Code, res.Body)
		}
	}

	// A stalled upload that ends frees its place for the next.
	if res := stalling[0].end(t); res.Code != http.StatusBadRequest {
		t.Errorf("a body cut short: %d %s", res.Code, res.Body)
	}
	body, ct := multipartBody(t, nil, upload{"photos+", "later.jpg", "image/jpeg", photo})
	if res := en.send(context.Background(), fixtures.Volunteer, http.MethodPatch, reportsURL+"/"+fixtures.ReportSubmitted, ct, body.Bytes(), false); res.Code != http.StatusOK {
		t.Errorf("the volunteer's upload after one of its own ended: %d %s", res.Code, res.Body)
	}
	stalling[1].end(t)
	held, callers := photos.CallerUploads(en.app, volunteer)
	if budget, _, _, _ := photos.UploadStats(en.app); held != 0 || callers != 0 || budget != 0 {
		t.Errorf("after every upload ended: the volunteer holds %d bytes, %d callers are known, the budget holds %d", held, callers, budget)
	}
}

// Signed out, a caller is its client address, an IPv6 one by its /64 (a
// phone may pick any address of its /64 for each request): the stalled
// sign-ups of one /64 hold its share; another address uploads meanwhile.
// A body larger than a share is refused at once, with the largest body a
// share takes as the limit.
func TestUploads_GuestShareByAddress(t *testing.T) {
	en := shareEnv(t, 16, 50)
	photos.SetUploadWait(en.app, 500*time.Millisecond)
	share := photos.CallerShareSize(en.app)
	n := photos.MaxUploadBody(en.app, "users", share)
	if photos.UploadWeight(en.app, "users", n) != share {
		t.Fatalf("a body of %d bytes weighs %d, want the whole share", n, photos.UploadWeight(en.app, "users", n))
	}
	u := en.stall(fixtures.Anonymous, "[2001:db8:1:2::7]:40000", http.MethodPost, usersURL, signUpFields("stalled@example.org"), n)
	waitFor(t, "the guest's sign-up to hold its share", func() bool {
		held, _ := photos.CallerUploads(en.app, "ip:2001:db8:1:2::/64")
		return held == share
	})
	for _, c := range []struct {
		remote, email string
		status        int
		want          string
	}{
		{"[2001:db8:1:2::8]:40001", "same64@example.org", http.StatusTooManyRequests, `"code":"photos_uploads_caller_busy"`},
		{"[2001:db8:1:3::7]:40002", "other64@example.org", http.StatusOK, `"role":"volunteer"`},
		{"192.0.2.7:40003", "ipv4@example.org", http.StatusOK, `"role":"volunteer"`},
	} {
		body, ct := multipartBody(t, signUpFields(c.email), upload{"avatar", "me.jpg", "image/jpeg", sample(t, "meta.jpg")})
		res := en.stream(context.Background(), fixtures.Anonymous, c.remote, http.MethodPost, usersURL, ct, bytes.NewReader(body.Bytes()), int64(body.Len()))
		if res.Code != c.status || !strings.Contains(res.Body.String(), c.want) {
			t.Errorf("sign-up from %s while 2001:db8:1:2::7 stalls: %d %s", c.remote, res.Code, res.Body)
		}
		// the wait was half a second: come back in one, not in 0 (at once)
		if retry := res.Header().Get("Retry-After"); c.status == http.StatusTooManyRequests && retry != "1" {
			t.Errorf("sign-up from %s while 2001:db8:1:2::7 stalls: Retry-After %q, want 1", c.remote, retry)
		}
	}
	u.end(t)

	body, ct := multipartBody(t, signUpFields("toolarge@example.org"), upload{"avatar", "me.jpg", "image/jpeg", make([]byte, n)})
	res := en.stream(context.Background(), fixtures.Anonymous, "192.0.2.8:40004", http.MethodPost, usersURL, ct, bytes.NewReader(body.Bytes()), int64(body.Len()))
	if res.Code != http.StatusRequestEntityTooLarge || !strings.Contains(res.Body.String(), fmt.Sprintf(`"limit":%d`, n)) {
		t.Errorf("a body over the share: %d %s", res.Code, res.Body)
	}
	if held, _, _, _ := photos.UploadStats(en.app); held != 0 {
		t.Errorf("the budget holds %d bytes after every upload ended", held)
	}
}
