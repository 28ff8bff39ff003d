package syncapi_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// What a sync request may carry but the protocol ignores: ?expand on a
// pull (records travel unexpanded, and PocketBase's expand parsing grows
// with the square of the paths), file fields in a mutation's data (files
// are uploaded and removed over REST; a stale "photos": [] in a document
// sent whole would delete photos), and the data of a delete.
func TestSync_IgnoresWhatItDoesNotTake(t *testing.T) {
	en := oracleEnv(t)

	for _, expand := range []string{"reporter", strings.Repeat("reporter,", 4000) + "reporter"} {
		rec := en.raw(volunteerA, http.MethodGet, "/api/sync/v1/pull?collections=incident_reports&expand="+expand, nil)
		if rec.Code != http.StatusOK || strings.Contains(rec.Body.String(), `"expand"`) || !strings.Contains(rec.Body.String(), namedReport) {
			t.Fatalf("pull with %d expand paths: %d %.300s", strings.Count(expand, ",")+1, rec.Code, rec.Body.String())
		}
	}

	report, err := en.app.FindRecordById("incident_reports", namedReport)
	if err != nil {
		t.Fatal(err)
	}
	report.SetRaw("photos", []string{"kept_photo_abc.png"})
	if err := en.app.SaveNoValidate(report); err != nil {
		t.Fatal(err)
	}
	edit := en.push(volunteerA, "device-a", mut{"id": "photos", "collection": "incident_reports", "recordId": namedReport,
		"baseRev": 2, "data": map[string]any{"photos": []string{}, "place": "by the canal"}})[0]
	report, _ = en.app.FindRecordById("incident_reports", namedReport)
	if edit.Status != "applied" || fmt.Sprint(report.Get("photos")) != "[kept_photo_abc.png]" || report.GetString("place") != "by the canal" {
		t.Fatalf("edit %+v left photos %v, place %q", edit, report.Get("photos"), report.GetString("place"))
	}

	draft := publishedUpdate("draftupdate0001", "Draft")
	draft["data"].(map[string]any)["status"] = "draft"
	if r := en.push(editor, "device-e", draft)[0]; r.Status != "applied" {
		t.Fatalf("draft: %+v", r)
	}
	del := en.push(editor, "device-e", mut{"id": "del", "collection": "updates", "recordId": "draftupdate0001",
		"baseRev": 1, "delete": true, "data": map[string]any{"title": 5, "related_incidents+": []string{"x"}}})[0]
	if del.Status != "applied" || !del.Deleted {
		t.Fatalf("a delete with data: %+v, want applied", del)
	}
}
