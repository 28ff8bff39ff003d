package syncapi_test

import "testing"

func TestSmoke(t *testing.T) {
	en := newEnv(t)
	res := en.push(volunteerA, "device-a", createReport("reportaaaaaaaa1", volunteerA, nil))
	t.Logf("%+v", res[0])
	if res[0].Status != "applied" {
		t.Fatalf("status %s %+v", res[0].Status, res[0].Error)
	}
	changes, cp := en.pullAll(volunteerA, "incident_reports,public_incidents", "")
	t.Logf("%d changes, cp %s: %+v", len(changes), cp, changes)
}
