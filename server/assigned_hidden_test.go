package server_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/tests"

	"aman/privacy"
)

// TestUpdate_HiddenFieldsAnswerAlike_Members holds the members' update
// clause (pb_migrations/1795767600_assigned_organization.js) to the privacy
// package as TestUpdate_HiddenFieldsAnswerAlike holds the others': every
// field hidden from an aid worker of an organization on an aid request (the
// contact, notes and place of a closed one, the link to a report they did
// not file) is
// refused, 404, whatever the value, alone and beside a change the member
// may make (notes), so that no answer tells a right guess from a wrong one.
func TestUpdate_HiddenFieldsAnswerAlike_Members(t *testing.T) {
	app := newAssignedApp(t)
	orgs := map[string]string{memberA: orgActive, memberB: orgSecond}
	records, err := app.FindAllRecords("aid_requests")
	if err != nil {
		t.Fatal(err)
	}
	var scenarios []tests.ApiScenario
	covered := map[string]bool{}
	for _, as := range []string{memberA, memberB} {
		viewer := privacy.Viewer{ID: as, Role: privacy.RoleAidWorker, Org: orgs[as]}
		for _, r := range records {
			for _, field := range privacy.RecordHiddenFields(app, viewer, r) {
				covered[memberName(as)+" "+r.Id+"."+field] = true
				for _, value := range []any{r.Get(field), guessOf(field, r.Get(field))} {
					for _, extra := range []map[string]any{nil, {"notes": "guessing"}} {
						fields := map[string]any{field: value}
						for k, v := range extra {
							fields[k] = v
						}
						scenarios = append(scenarios, tests.ApiScenario{
							Name:            fmt.Sprintf("%s_%s_%v", memberName(as), r.Id, fields),
							Method:          http.MethodPatch,
							URL:             recordURL("aid_requests", r.Id),
							Body:            strings.NewReader(body(fields)),
							Headers:         map[string]string{"Authorization": assignedToken(t, as), "Content-Type": "application/json"},
							ExpectedStatus:  http.StatusNotFound,
							ExpectedContent: []string{`"status":404`},
							ExpectedEvents:  map[string]int{"OnRecordAfterUpdateSuccess": 0, "*": 0},
							TestAppFactory:  newAssignedApp,
						})
					}
				}
			}
		}
	}
	app.Cleanup()
	for _, want := range []string{
		"member " + aidWorking + ".related_incident",
		"member " + aidClosed + ".contact_phone", "member " + aidClosed + ".location",
		"member " + aidClosed + ".notes", "member " + aidClosed + ".place",
	} {
		if !covered[want] {
			t.Fatalf("no case for %s; covered: %v", want, covered)
		}
	}
	for _, s := range scenarios {
		s.Test(t)
	}
}
