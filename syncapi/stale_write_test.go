package syncapi_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// TestRESTUpdateRacingPush: a REST update loads the record before it
// takes SQLite's writer, and PocketBase writes every column of it. A push
// that commits in between (the reporter's phone editing the description
// while a coordinator takes the report into review) must not be undone by
// the REST update's stale copy of fields it did not send.
func TestRESTUpdateRacingPush(t *testing.T) {
	var during func()
	en := newEnvWith(t, func(app core.App) {
		app.OnRecordUpdateRequest("incident_reports").BindFunc(func(e *core.RecordRequestEvent) error {
			if f := during; f != nil {
				during = nil
				f()
			}
			return e.Next()
		})
	})
	en.push(volunteerA, "device-a", createReport(reportA, volunteerA, nil))
	var pushed []pushResult
	during = func() {
		pushed = en.push(volunteerA, "device-a", mut{"id": "edit-1", "collection": "incident_reports", "recordId": reportA,
			"baseRev": 1, "data": map[string]any{"description": "Shots heard at dawn; two houses hit."}})
	}
	code, body := en.do(coordinator, http.MethodPatch, "/api/collections/incident_reports/records/"+reportA,
		map[string]any{"status": "in_review"}, "Accept-Language", "ru")
	if len(pushed) != 1 || pushed[0].Status != "applied" {
		t.Fatalf("the push during the update: %+v", pushed)
	}
	r, err := en.app.FindRecordById("incident_reports", reportA)
	if err != nil {
		t.Fatal(err)
	}
	if got := r.GetString("description"); got != "Shots heard at dawn; two houses hit." {
		t.Fatalf("the pushed description was lost to the REST update (%d %v): %q", code, body["status"], got)
	}
	// the update was judged on a state the record no longer has: it is
	// refused, and the coordinator makes it again on the record as it is
	data, _ := body["data"].(map[string]any)
	id, _ := data["id"].(map[string]any)
	msg, _ := id["message"].(string)
	if code != http.StatusBadRequest || id["code"] != "changelog_changed_meanwhile" || r.GetString("status") != "submitted" ||
		!strings.HasPrefix(msg, "Кто-то другой изменил эту запись") {
		t.Fatalf("stale update: %d %v, status %q", code, body, r.GetString("status"))
	}
	if n := en.countRows("_aman_changes", "record_id = {:id}", dbx.Params{"id": reportA}); n != 2 {
		t.Fatalf("%d change rows, want 2 (create, push)", n)
	}
	code, body = en.do(coordinator, http.MethodPatch, "/api/collections/incident_reports/records/"+reportA,
		map[string]any{"status": "in_review"})
	if code != http.StatusOK {
		t.Fatalf("the update made again: %d %v", code, body)
	}
}

// TestRESTUpdateRacingPush_StatusRules: the status rules judge a REST
// update against the record as the request read it. A coordinator's phone
// cancels an aid request while the coordinator acknowledges it in the
// dashboard: acknowledging a cancelled request is not a transition the
// workflow allows (it is reopened first), and it must not happen because
// the dashboard's request read the record a moment before the cancel.
func TestRESTUpdateRacingPush_StatusRules(t *testing.T) {
	var during func()
	en := newEnvWith(t, func(app core.App) {
		app.OnRecordUpdateRequest("aid_requests").BindFunc(func(e *core.RecordRequestEvent) error {
			if f := during; f != nil {
				during = nil
				f()
			}
			return e.Next()
		})
	})
	const id = "aidrequestaaaa1"
	create := mut{"id": "a1", "collection": "aid_requests", "recordId": id, "data": map[string]any{
		"requester": volunteerA, "region": "sughd", "needs": []string{"food"}, "urgency": "high"}}
	if r := en.push(volunteerA, "device-a", create)[0]; r.Status != "applied" {
		t.Fatalf("create: %+v", r)
	}
	during = func() {
		cancel := mut{"id": "cancel-1", "collection": "aid_requests", "recordId": id, "baseRev": 1,
			"data": map[string]any{"status": "cancelled"}}
		if r := en.push(coordinator, "phone-c", cancel)[0]; r.Status != "applied" {
			t.Errorf("cancel: %+v", r)
		}
	}
	code, body := en.do(coordinator, http.MethodPatch, "/api/collections/aid_requests/records/"+id,
		map[string]any{"status": "acknowledged"})
	r, err := en.app.FindRecordById("aid_requests", id)
	if err != nil {
		t.Fatal(err)
	}
	if got := r.GetString("status"); got != "cancelled" {
		t.Fatalf("a cancelled request became %q (%d %v)", got, code, body)
	}
}

// TestRESTUpdateSavedTwice: a request hook (an operator's JS glue, say)
// may save the request's record itself before the update goes on; the
// update then finds what that save wrote, which is not a change by
// someone else.
func TestRESTUpdateSavedTwice(t *testing.T) {
	en := newEnvWith(t, func(app core.App) {
		app.OnRecordUpdateRequest("incident_reports").BindFunc(func(e *core.RecordRequestEvent) error {
			e.Record.Set("description", e.Record.GetString("description")+" (checked)")
			if err := e.App.Save(e.Record); err != nil {
				return err
			}
			return e.Next()
		})
	})
	en.push(volunteerA, "device-a", createReport(reportA, volunteerA, nil))
	code, body := en.do(coordinator, http.MethodPatch, "/api/collections/incident_reports/records/"+reportA,
		map[string]any{"status": "in_review"})
	if code != http.StatusOK || body["status"] != "in_review" || body["description"] != "Shots heard at dawn near the canal. (checked)" {
		t.Fatalf("update saved twice: %d %v", code, body)
	}
}
