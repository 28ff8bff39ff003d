package syncapi_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/tests"

	"aman/internal/fixtures"
)

// A date PocketBase cannot read was stored as no date, and the volunteer
// who had filled it in was told the field is required. A phone that sends
// the date as the user typed it ("25.11.2026") is now told it is not a
// valid date, on push and on the records API alike.
func TestUnreadableDate_IsNotMissing(t *testing.T) {
	reportWith := func(occurred string) string {
		return fmt.Sprintf(`{"reporter":%q,"occurred_at":%q,"region":"sughd","category":"gunfire","description":"Shots."}`,
			fixtures.Volunteer, occurred)
	}
	push := func(occurred string) string {
		return `{"client":"device-dates","mutations":[{"id":"m1","collection":"incident_reports",` +
			`"recordId":"datereport00001","data":` + reportWith(occurred) + `}]}`
	}
	scenarios := []tests.ApiScenario{
		{
			Name:   "push: a date in another format",
			Method: http.MethodPost, URL: "/api/sync/v1/push", Body: strings.NewReader(push("25.11.2026")),
			Headers:        map[string]string{"Accept-Language": "ru"},
			ExpectedStatus: 200,
			ExpectedContent: []string{`"code":"sync_validation_failed"`,
				`"occurred_at":{"code":"validation_date_invalid","message":"Укажите правильную дату."}`},
			NotExpectedContent: []string{`validation_required`},
		},
		{
			Name:   "push: an impossible date",
			Method: http.MethodPost, URL: "/api/sync/v1/push", Body: strings.NewReader(push("2026-13-45 10:00:00")),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"occurred_at":{"code":"validation_date_invalid"`},
		},
		{
			Name:   "push: a date PocketBase reads is accepted",
			Method: http.MethodPost, URL: "/api/sync/v1/push", Body: strings.NewReader(push("2026-11-25")),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"status":"applied"`},
		},
		{
			Name:   "REST: a date in another format",
			Method: http.MethodPost, URL: "/api/collections/incident_reports/records", Body: strings.NewReader(reportWith("25.11.2026")),
			ExpectedStatus:     400,
			ExpectedContent:    []string{`"occurred_at":{"code":"validation_date_invalid"`},
			NotExpectedContent: []string{`validation_required`},
		},
		{
			Name:   "REST: no date is still missing",
			Method: http.MethodPost, URL: "/api/collections/incident_reports/records", Body: strings.NewReader(reportWith("")),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"occurred_at":{"code":"validation_required"`},
		},
		{
			Name:   "REST: an RFC 3339 date is accepted",
			Method: http.MethodPost, URL: "/api/collections/incident_reports/records", Body: strings.NewReader(reportWith("2026-11-25T06:00:00Z")),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"occurred_at":"2026-11-25 06:00:00.000Z"`},
		},
	}
	for i, s := range scenarios {
		s.Name = fmt.Sprintf("%d_%s", i, s.Name)
		scenario := fixtures.Scenario(fixtures.Volunteer, s)
		scenario.Test(t)
	}
}
