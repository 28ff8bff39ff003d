package security_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"aman/internal/fixtures"
)

// servedEnv is assignedEnv's app and aid workers, served with every
// middleware the server binds when it starts serving (the refusal of a
// dead token among them), as a browser reaches it.
func servedEnv(t *testing.T) (*tests.TestApp, *httptest.Server) {
	t.Helper()
	app := fixtures.Factory(t)
	newAidWorker(t, app, workerA, fixtures.Organization(t, app, "Field Clinic").Id)
	newAidWorker(t, app, workerB, fixtures.Organization(t, app, "Water Team").Id)
	return app, servedApp(t, app)
}

// ends checks that s's connection is closed by the server within a second.
func (s *subscriber) ends(t *testing.T, who string) {
	t.Helper()
	select {
	case <-s.closed:
	case <-time.After(time.Second):
		t.Errorf("%s's realtime connection still open a second after its session ended", who)
	}
}

// open checks that s's connection is still open.
func (s *subscriber) open(t *testing.T, who string) {
	t.Helper()
	select {
	case <-s.closed:
		t.Errorf("%s's realtime connection was closed", who)
	default:
	}
}

// subscribeWith connects anew and subscribes with token, as an SDK does
// after its connection ended; it returns the status and body.
func subscribeWith(t *testing.T, srv *httptest.Server, token string, topics ...string) (int, string) {
	t.Helper()
	s := openLive(t, srv, "")
	body, _ := json.Marshal(map[string]any{"clientId": s.clientId, "subscriptions": topics})
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/realtime", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", token)
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// rename saves the user id with a new name: its token key stays.
func rename(t *testing.T, app core.App, id, name string) {
	t.Helper()
	user, err := app.FindRecordById("users", id)
	if err != nil {
		t.Fatal(err)
	}
	user.Set("name", name)
	if err := app.Save(user); err != nil {
		t.Fatal(err)
	}
}

// TestRealtime_NewPasswordEndsConnections: a new password ends the
// account's session, and the server closes its realtime connections
// (PocketBase would keep them as a guest's): the volunteer's stream gets
// the delete of its own record, then ends within a second, and a new
// subscription with the old token is refused 401 with its code. Another
// volunteer's and a coordinator's connections stay open and still
// receive events.
func TestRealtime_NewPasswordEndsConnections(t *testing.T) {
	app, srv := servedEnv(t)
	own := "users/" + fixtures.Volunteer
	oldToken, err := fixtures.Auth(app, fixtures.Volunteer)
	if err != nil {
		t.Fatal(err)
	}
	volunteer := subscribe(t, app, srv, fixtures.Volunteer, own)
	second := subscribe(t, app, srv, fixtures.Volunteer, "incident_reports/*") // a second screen
	other := subscribe(t, app, srv, fixtures.Volunteer2, "users/"+fixtures.Volunteer2)
	coordinator := subscribe(t, app, srv, fixtures.Coordinator, "users/*")

	user, err := app.FindRecordById("users", fixtures.Volunteer)
	if err != nil {
		t.Fatal(err)
	}
	user.SetPassword("another-pass-123")
	if err := app.Save(user); err != nil {
		t.Fatal(err)
	}
	volunteer.ends(t, "volunteer")
	second.ends(t, "volunteer's second screen")
	volunteer.expect(t, "volunteer whose password changed", fixtures.Volunteer, map[string]string{own: "delete"})

	code, body := subscribeWith(t, srv, oldToken, own)
	if code != http.StatusUnauthorized || !strings.Contains(body, staleCode) {
		t.Errorf("subscribing again with the old token: %d %s, want 401 %s", code, body, staleCode)
	}

	rename(t, app, fixtures.Volunteer2, "Renamed Volunteer Two")
	other.open(t, "other volunteer")
	coordinator.open(t, "coordinator")
	other.expect(t, "other volunteer", fixtures.Volunteer2, map[string]string{"users/" + fixtures.Volunteer2: "update"})
	got := coordinator.received()
	var names []string
	for _, e := range got["users/*"] {
		names = append(names, e.Record["id"].(string)+":"+e.Action)
	}
	if strings.Join(names, ",") != fixtures.Volunteer+":update,"+fixtures.Volunteer2+":update" {
		t.Errorf("coordinator got %v, want the volunteer's and the other volunteer's updates", names)
	}
	other.open(t, "other volunteer")
	coordinator.open(t, "coordinator")
}

// TestRealtime_RenameClosesNothing: a change that keeps the token key (a
// name) ends no session: the connection stays open and gets the update.
func TestRealtime_RenameClosesNothing(t *testing.T) {
	app, srv := servedEnv(t)
	own := "users/" + fixtures.Volunteer
	volunteer := subscribe(t, app, srv, fixtures.Volunteer, own)
	rename(t, app, fixtures.Volunteer, "Renamed Volunteer")
	volunteer.expect(t, "renamed volunteer", fixtures.Volunteer, map[string]string{own: "update"})
	volunteer.open(t, "renamed volunteer")
	if code := call(t, app, srv, fixtures.Volunteer, http.MethodGet, "/api/collections/users/records/"+fixtures.Volunteer, ""); code != http.StatusOK {
		t.Errorf("renamed volunteer reads themselves: %d", code)
	}
}

// TestRealtime_DeletedAccountEndsConnections: a deleted account's stream
// gets the delete of its own record, then ends; another aid worker's stays
// open.
func TestRealtime_DeletedAccountEndsConnections(t *testing.T) {
	app, srv := servedEnv(t)
	own := "users/" + workerB
	oldToken, err := fixtures.Auth(app, workerB)
	if err != nil {
		t.Fatal(err)
	}
	deleted := subscribe(t, app, srv, workerB, own)
	kept := subscribe(t, app, srv, workerA, "users/"+workerA)
	user, err := app.FindRecordById("users", workerB)
	if err != nil {
		t.Fatal(err)
	}
	if err := app.Delete(user); err != nil {
		t.Fatal(err)
	}
	deleted.ends(t, "deleted aid worker")
	if got := deleted.received()[own]; len(got) != 1 || got[0].Action != "delete" || got[0].Record["id"] != workerB {
		t.Errorf("deleted aid worker on %s got %+v, want the delete of their record before the end", own, got)
	}
	if code, body := subscribeWith(t, srv, oldToken, own); code != http.StatusUnauthorized || !strings.Contains(body, staleCode) {
		t.Errorf("subscribing again with the deleted account's token: %d %s, want 401 %s", code, body, staleCode)
	}
	kept.open(t, "other aid worker")
}

// TestRealtime_NewSecretEndsConnections: a new token secret of users (a
// superuser's "log everyone out") ends every session of the collection,
// and the server closes their realtime connections (PocketBase would keep
// them as guests'): both volunteers' streams end within a second, a new
// subscription with an old token is refused 401 with its code, and an
// anonymous stream and a superuser's (another auth collection) stay open,
// the superuser's still receiving events.
func TestRealtime_NewSecretEndsConnections(t *testing.T) {
	app, srv := servedEnv(t)
	oldToken, err := fixtures.Auth(app, fixtures.Volunteer)
	if err != nil {
		t.Fatal(err)
	}
	volunteer := subscribe(t, app, srv, fixtures.Volunteer, "users/"+fixtures.Volunteer)
	other := subscribe(t, app, srv, fixtures.Volunteer2, "incident_reports/*")
	anonymous := subscribe(t, app, srv, fixtures.Anonymous, "incident_reports/*")
	superuser := subscribe(t, app, srv, fixtures.Superuser, "users/*")

	users, err := app.FindCollectionByNameOrId("users")
	if err != nil {
		t.Fatal(err)
	}
	users.AuthToken.Secret = strings.Repeat("n", 50)
	if err := app.Save(users); err != nil {
		t.Fatal(err)
	}
	volunteer.ends(t, "volunteer")
	other.ends(t, "other volunteer")

	code, body := subscribeWith(t, srv, oldToken, "users/"+fixtures.Volunteer)
	if code != http.StatusUnauthorized || !strings.Contains(body, staleCode) {
		t.Errorf("subscribing again with the old token: %d %s, want 401 %s", code, body, staleCode)
	}

	rename(t, app, fixtures.Volunteer2, "Renamed Volunteer Two")
	superuser.expect(t, "superuser", fixtures.Volunteer2, map[string]string{"users/*": "update"})
	anonymous.open(t, "anonymous")
	superuser.open(t, "superuser")
}

// TestRealtime_UnchangedSecretClosesNothing: saving users' settings with
// the same token secret (another setting changed) ends no session.
func TestRealtime_UnchangedSecretClosesNothing(t *testing.T) {
	app, srv := servedEnv(t)
	volunteer := subscribe(t, app, srv, fixtures.Volunteer, "users/"+fixtures.Volunteer)
	users, err := app.FindCollectionByNameOrId("users")
	if err != nil {
		t.Fatal(err)
	}
	users.AuthToken.Duration++
	if err := app.Save(users); err != nil {
		t.Fatal(err)
	}
	rename(t, app, fixtures.Volunteer, "Renamed Volunteer")
	volunteer.expect(t, "volunteer", fixtures.Volunteer, map[string]string{"users/" + fixtures.Volunteer: "update"})
	volunteer.open(t, "volunteer")
}

// TestRealtime_RolledBackSecretReconnects: a new secret whose transaction
// is rolled back after PocketBase unset the connections' accounts (its hook
// runs before the commit) leaves tokens valid but the connections a
// guest's; the server closes them too, and the subscription made again
// with the same token is taken as the volunteer's. An anonymous stream
// stays open.
func TestRealtime_RolledBackSecretReconnects(t *testing.T) {
	app, srv := servedEnv(t)
	token, err := fixtures.Auth(app, fixtures.Volunteer)
	if err != nil {
		t.Fatal(err)
	}
	volunteer := subscribe(t, app, srv, fixtures.Volunteer, "users/"+fixtures.Volunteer)
	anonymous := subscribe(t, app, srv, fixtures.Anonymous, "incident_reports/*")
	rollback := errors.New("rolled back")
	err = app.RunInTransaction(func(tx core.App) error {
		users, err := tx.FindCollectionByNameOrId("users")
		if err != nil {
			return err
		}
		users.AuthToken.Secret = strings.Repeat("r", 50)
		if err := tx.Save(users); err != nil {
			return err
		}
		return rollback
	})
	if !errors.Is(err, rollback) {
		t.Fatalf("transaction: %v", err)
	}
	volunteer.ends(t, "volunteer left a guest by the rolled-back secret")
	if code, body := subscribeWith(t, srv, token, "users/"+fixtures.Volunteer); code != http.StatusNoContent {
		t.Errorf("subscribing again with the still valid token: %d %s, want 204", code, body)
	}
	anonymous.open(t, "anonymous")
}
