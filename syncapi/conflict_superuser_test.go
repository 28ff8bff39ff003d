package syncapi_test

import (
	"net/http"
	"testing"

	"github.com/pocketbase/pocketbase/core"
)

// TestConflicts_SuperusersResolution: a superuser's resolution names them
// (resolved_by_superuser, their id: a superuser is no users record) and is
// theirs, like a reviewer's: no reviewer rewords, reopens or takes it, and
// nobody but the server writes the field. A superuser who names a reviewer
// makes it that reviewer's; one who rewords a reviewer's resolution makes
// it theirs; reopening clears it. Volunteers, editors and anonymous callers
// touch none of it.
func TestConflicts_SuperusersResolution(t *testing.T) {
	en := newEnv(t)
	const coordinator2 = "coordinator2ccc"
	en.tokens[coordinator2] = en.saveUser(coordinator2, "coordinator")
	su, err := en.app.FindAuthRecordByEmail(core.CollectionNameSuperusers, "root@example.org")
	if err != nil {
		t.Fatal(err)
	}
	en.push(volunteerA, "device-a", createReport(reportA, volunteerA, nil))
	res := en.push(volunteerB, "device-b", mut{"id": "b1", "collection": "incident_reports", "recordId": reportA,
		"baseRev": 1, "data": map[string]any{"description": "hijack"}})[0]
	if res.Conflict == "" {
		t.Fatalf("setup: %+v", res)
	}
	one := "/api/collections/sync_conflicts/records/" + res.Conflict
	const kept, checked = "Kept the server's.", "Kept the server's: B's edit checked."
	// the stored status, resolution, resolved_by and resolved_by_superuser
	// after each step
	steps := []patchStep{
		{"a reviewer cannot name a superuser", coordinator, map[string]any{"status": "resolved", "resolved_by_superuser": su.Id},
			404, []string{"open", "", "", ""}},
		{"a superuser's resolution names them", superuser, map[string]any{"status": "resolved", "resolution": kept},
			200, []string{"resolved", kept, "", su.Id}},
		{"a reviewer cannot reword it", coordinator, map[string]any{"resolution": "Rewritten."},
			404, []string{"resolved", kept, "", su.Id}},
		{"nor reopen it", coordinator, map[string]any{"status": "open"},
			404, []string{"resolved", kept, "", su.Id}},
		{"nor take it", coordinator, map[string]any{"resolution": "Mine.", "resolved_by": coordinator},
			404, []string{"resolved", kept, "", su.Id}},
		{"nor clear the superuser's name", coordinator, map[string]any{"resolved_by_superuser": ""},
			404, []string{"resolved", kept, "", su.Id}},
		{"nor can the reporter", volunteerA, map[string]any{"status": "open"},
			404, []string{"resolved", kept, "", su.Id}},
		{"nor the pusher", volunteerB, map[string]any{"status": "open"},
			404, []string{"resolved", kept, "", su.Id}},
		{"nor an editor", editor, map[string]any{"status": "open"},
			404, []string{"resolved", kept, "", su.Id}},
		{"nor anyone signed out", anonymous, map[string]any{"status": "open"},
			404, []string{"resolved", kept, "", su.Id}},
		{"the field is the server's, even for a superuser", superuser, map[string]any{"resolved_by_superuser": "someoneelse0000"},
			200, []string{"resolved", kept, "", su.Id}},
		{"a superuser names a reviewer: theirs now", superuser, map[string]any{"resolved_by": coordinator2},
			200, []string{"resolved", kept, coordinator2, ""}},
		{"who words it better", coordinator2, map[string]any{"resolution": checked},
			200, []string{"resolved", checked, coordinator2, ""}},
		{"a superuser rewording a reviewer's resolution makes it theirs", superuser, map[string]any{"resolution": kept},
			200, []string{"resolved", kept, "", su.Id}},
		{"the reviewer cannot take it back", coordinator2, map[string]any{"resolution": checked},
			404, []string{"resolved", kept, "", su.Id}},
		{"a superuser reopens it", superuser, map[string]any{"status": "open"},
			200, []string{"open", kept, "", ""}},
		{"an open conflict is anyone's to resolve", coordinator, map[string]any{"status": "resolved", "resolution": checked},
			200, []string{"resolved", checked, coordinator, ""}},
	}
	fields := []string{"status", "resolution", "resolved_by", "resolved_by_superuser"}
	en.patchSteps(t, res.Conflict, fields, steps, func(i int, s patchStep) {
		// the reviewers read who resolved it: the superuser's id
		if s.want[3] != "" {
			if code, body := en.do(coordinator, http.MethodGet, one, nil); code != 200 || body["resolved_by_superuser"] != s.want[3] {
				t.Fatalf("%d %s: a coordinator reads %d %v", i, s.name, code, body)
			}
		}
	})
}
