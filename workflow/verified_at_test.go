package workflow_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/tests"

	"aman/internal/fixtures"
)

// Becoming verified stamps verified_at, as becoming acknowledged stamps
// acknowledged_at and publishing published_at: a coordinator verifying in
// the dashboard had to type the time by hand, or be refused.
func TestVerifiedAt_Stamped(t *testing.T) {
	scenarios := []tests.ApiScenario{
		{
			Name:   "verifying without a time stamps the current one",
			Method: http.MethodPatch, URL: reportsURL + "/" + fixtures.ReportInReview,
			Body:               strings.NewReader(`{"status":"verified","verified_by":"coordinator0001","verification_note":"Two witnesses."}`),
			ExpectedStatus:     200,
			ExpectedContent:    []string{`"status":"verified"`, `"verified_at":"20`},
			NotExpectedContent: []string{`"verified_at":""`},
		},
		{
			Name:   "a given time is kept (an offline review)",
			Method: http.MethodPatch, URL: reportsURL + "/" + fixtures.ReportInReview,
			Body:            strings.NewReader(`{"status":"verified","verified_by":"coordinator0001","verified_at":"2026-11-26 10:00:00.000Z","verification_note":"Two witnesses."}`),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"verified_at":"2026-11-26 10:00:00.000Z"`},
		},
		{
			// refused as a change of what was verified (TestVerifiedFixed):
			// no other time would pass either
			Name:   "a verified report still cannot lose it",
			Method: http.MethodPatch, URL: reportsURL + "/" + fixtures.ReportVerified, Body: strings.NewReader(`{"verified_at":""}`),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"verified_at":{"code":"workflow_verified_fixed"`},
			AfterTestFunc:   expectField("incident_reports", fixtures.ReportVerified, "verified_at", "2026-11-21 10:00:00.000Z"),
		},
	}
	for i, s := range scenarios {
		s.Name = fmt.Sprintf("%d_%s", i, s.Name)
		scenario := fixtures.Scenario(fixtures.Coordinator, s)
		scenario.Test(t)
	}
}
