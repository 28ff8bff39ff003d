package server_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/tests"
	"github.com/pocketbase/pocketbase/tools/types"

	"aman/privacy"
)

// newLinkedFixtureApp is the fixture with two aid requests linked to
// volunteer A's anonymous report: A's own, and B's.
func newLinkedFixtureApp(t testing.TB) *tests.TestApp {
	app := newFixtureApp(t)
	for _, id := range []string{aidAAcknowledged, aidBOpen} {
		r, err := app.FindRecordById("aid_requests", id)
		if err != nil {
			t.Fatal(err)
		}
		r.Set("related_incident", reportAVerified)
		if err := app.SaveNoValidate(r); err != nil {
			t.Fatal(err)
		}
	}
	return app
}

// guessOf is a value of field other than want, of the field's type.
func guessOf(field string, want any) any {
	switch field {
	case "reporter", "requester", "verified_by":
		if want == volunteerB {
			return volunteerA
		}
		return volunteerB
	case "related_incident":
		if want == reportBSubmitted {
			return reportASubmitted
		}
		return reportBSubmitted
	case "location":
		return types.GeoPoint{Lon: 69.5, Lat: 40.5}
	case "contact_phone":
		return "+992 900 000 009"
	}
	return "guess"
}

// An update that names a field hidden from the caller on the record is
// refused, 404, whatever the value: with the stored value (the right
// guess) as with another. The rules compare submitted fields with stored
// ones (:changed), so without pb_migrations/1795766800 the right guess of
// an anonymous report's reporter passed a coordinator's update rule. The
// hidden fields come from the privacy package (what the enrich hook hides),
// so the rules and the Go policy are held together for every role, every
// report and aid request of the fixture, and every field hidden on it.
func TestUpdate_HiddenFieldsAnswerAlike(t *testing.T) {
	app := newLinkedFixtureApp(t)
	roles := map[string]string{}
	for _, u := range fixtureUsers {
		roles[u.id] = u.role
	}
	var scenarios []tests.ApiScenario
	covered := map[string]bool{}
	for _, as := range []string{volunteerA, volunteerB, coordinator, editor} {
		viewer := privacy.Viewer{ID: as, Role: roles[as]}
		for _, collection := range []string{"incident_reports", "aid_requests"} {
			records, err := app.FindAllRecords(collection)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range records {
				for _, field := range privacy.RecordHiddenFields(app, viewer, r) {
					covered[roleName(as)+" "+collection+"."+field] = true
					for _, value := range []any{r.Get(field), guessOf(field, r.Get(field))} {
						scenarios = append(scenarios, hiddenUpdate(t, as, collection, r.Id, field, value))
					}
				}
			}
		}
	}
	app.Cleanup()
	// the cases that matter most, so that a change of the fixture cannot
	// silently drop them
	for _, want := range []string{
		"coordinator incident_reports.reporter", "coordinator aid_requests.related_incident",
		"volunteer incident_reports.verified_by", "editor aid_requests.contact_phone",
	} {
		if !covered[want] {
			t.Fatalf("no case for %s; covered: %v", want, covered)
		}
	}
	for _, s := range scenarios {
		s.Test(t)
	}
}

func hiddenUpdate(t testing.TB, as, collection, id, field string, value any) tests.ApiScenario {
	return tests.ApiScenario{
		Name:            fmt.Sprintf("%s_%s_%s_%s=%v", roleName(as), collection, id, field, value),
		Method:          http.MethodPatch,
		URL:             recordURL(collection, id),
		Body:            strings.NewReader(body(map[string]any{field: value})),
		Headers:         map[string]string{"Authorization": tokenFor(t, as), "Content-Type": "application/json"},
		ExpectedStatus:  http.StatusNotFound,
		ExpectedContent: []string{`"status":404`},
		ExpectedEvents: map[string]int{
			"OnRecordAfterUpdateSuccess": 0, "*": 0,
		},
		TestAppFactory: newLinkedFixtureApp,
	}
}

// A field the caller sees may still be sent back unchanged: resending the
// whole record it read stays possible (docs/data-model.md).
func TestUpdate_VisibleFieldsStillResend(t *testing.T) {
	cases := []struct {
		name, as, collection, id string
		fields                   map[string]any
	}{
		{"coordinator, named report's reporter", coordinator, "incident_reports", reportASubmitted,
			map[string]any{"reporter": volunteerA, "status": "in_review"}},
		{"volunteer, own report's reporter and location", volunteerA, "incident_reports", reportASubmitted,
			map[string]any{"reporter": volunteerA, "location": map[string]any{"lon": 70.98765, "lat": 40.12345}, "description": "more"}},
		{"coordinator, a request's link to a named report", coordinator, "aid_requests", aidAOpen,
			map[string]any{"related_incident": reportASubmitted}},
		{"requester, own request's link to its anonymous report", volunteerA, "aid_requests", aidAOpen,
			map[string]any{"related_incident": reportAVerified}},
		{"coordinator, clearing a link it may not see", coordinator, "aid_requests", aidBOpen,
			map[string]any{"related_incident": ""}},
	}
	for _, c := range cases {
		s := tests.ApiScenario{
			Name:            c.name,
			Method:          http.MethodPatch,
			URL:             recordURL(c.collection, c.id),
			Body:            strings.NewReader(body(c.fields)),
			Headers:         map[string]string{"Authorization": tokenFor(t, c.as), "Content-Type": "application/json"},
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{`"id":"` + c.id + `"`},
			ExpectedEvents:  map[string]int{"OnRecordAfterUpdateSuccess": 1},
			TestAppFactory:  newLinkedFixtureApp,
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, _ *http.Response) {
				r, err := app.FindRecordById(c.collection, c.id)
				if err != nil {
					t.Fatal(err)
				}
				for k, v := range c.fields {
					if k == "location" {
						continue
					}
					if got := r.Get(k); fmt.Sprint(got) != fmt.Sprint(v) {
						t.Fatalf("%s = %v, want %v", k, got, v)
					}
				}
			},
		}
		s.Test(t)
	}
}
