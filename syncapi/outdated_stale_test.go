package syncapi_test

import (
	"net/http"
	"testing"

	"aman/changelog"
)

// A translation marked outdated (its original's text changed) loses the
// mark when its translator edits its text: that edit brings it in line.
// An edit pushed from a phone that last pulled the translation before the
// mark was written from the old original: it brought nothing in line, and
// clearing the mark then would tell readers in that language that a text
// written against the superseded original is current. The mark stays; a
// translator whose phone has seen the mark clears it with their edit.
func TestPush_StaleTranslationEditKeepsOutdated(t *testing.T) {
	const original, translation = "updoriginal0001", "updtranslatio01"
	scenarios := []struct {
		name       string
		fromMark   bool           // the edit's base is the marked rev
		data       map[string]any // the translation edit
		wantStatus string
		want       bool // outdated after the push
	}{
		{"stale edit of the text", false, map[string]any{"body": "Тело, правка"}, "merged", true},
		{"stale whole document", false, map[string]any{"title": "Заголовок", "body": "Тело, правка",
			"language": "ru", "outdated": false, "translation_of": original}, "conflict", true},
		{"edit from the marked rev", true, map[string]any{"body": "Тело, по новому тексту"}, "applied", false},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			en := newEnv(t)
			tr := publishedUpdate(translation, "Заголовок")
			tr["data"].(map[string]any)["language"] = "ru"
			tr["data"].(map[string]any)["translation_of"] = original
			res := en.push(editor, "device-e", publishedUpdate(original, "Title"), tr)
			if res[0].Status != "applied" || res[1].Status != "applied" {
				t.Fatalf("setup: %+v", res)
			}
			base := res[1].Rev
			if code, _ := en.do(editor, http.MethodPatch, "/api/collections/updates/records/"+original,
				map[string]any{"body": "Corrected body"}); code != 200 {
				t.Fatalf("correct the original: %d", code)
			}
			marked, err := en.app.FindRecordById("updates", translation)
			if err != nil || !marked.GetBool("outdated") {
				t.Fatal("setup: the correction did not mark the translation")
			}
			if s.fromMark {
				head, err := changelog.HeadOf(en.app, "updates", translation)
				if err != nil {
					t.Fatal(err)
				}
				base = head.Rev
			}
			got := en.push(editor, "device-e", mut{"id": "edit-" + translation, "collection": "updates",
				"recordId": translation, "baseRev": base, "data": s.data})[0]
			if got.Status != s.wantStatus {
				t.Fatalf("status %q, want %q: %+v", got.Status, s.wantStatus, got)
			}
			after, err := en.app.FindRecordById("updates", translation)
			if err != nil {
				t.Fatal(err)
			}
			if after.GetString("body") != s.data["body"] {
				t.Fatalf("the edit was not written: body %q", after.GetString("body"))
			}
			if after.GetBool("outdated") != s.want {
				t.Fatalf("outdated = %v, want %v", after.GetBool("outdated"), s.want)
			}
		})
	}
}
