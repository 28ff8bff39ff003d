package privacy_test

import (
	"slices"
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/tools/search"
	"github.com/pocketbase/pocketbase/tools/subscriptions"

	"aman/privacy"
)

// resolveRecorder is a search.FieldResolver that resolves every field to a
// column and records the fields PocketBase asked it for.
type resolveRecorder struct{ fields []string }

func (r *resolveRecorder) UpdateQuery(*dbx.SelectQuery) error { return nil }

func (r *resolveRecorder) Resolve(field string) (*search.ResolverResult, error) {
	r.fields = append(r.fields, field)
	return &search.ResolverResult{Identifier: "[[x]]"}, nil
}

// FuzzFilterIdentifiers: every field PocketBase resolves while it builds
// a filter's SQL (the REST list filter, a realtime subscription's filter)
// is among the identifiers the privacy guard checks, whatever the filter.
// A field the guard missed would be filtered on unchecked: a hidden field
// bisected by a filter.
func FuzzFilterIdentifiers(f *testing.F) {
	for _, seed := range []string{
		"reporter = 'x'",
		"(status = 'verified' && (location.lat > 40 || reporter.name ~ 'a'))",
		"geoDistance(location.lon, location.lat, 69.6, 40.2) < 5",
		"incident_reports_via_district.location.lat > 40.1",
		"reporter:lower = 'a' || @request.auth.id != '' || id ?= related_incidents.id",
		"// comment\nreporter ~ 'a'",
		"strftime('%Y', created) = '2026'",
		"description ~ {:p}",
		"a=1&&(b=2||(c=3&&d!=4))",
		"reporter:isset = true",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, filter string) {
		var r resolveRecorder
		if _, err := search.FilterData(filter).BuildExpr(&r); err != nil && len(r.fields) == 0 {
			return
		}
		checked := privacy.FilterIdentifiers(filter)
		for _, field := range r.fields {
			if !slices.Contains(checked, field) {
				t.Fatalf("filter %q: PocketBase resolves %q, the guard checks only %q", filter, field, checked)
			}
		}
	})
}

// FuzzSubscriptionFilter: the filter the privacy guard reads from a
// realtime topic is the one PocketBase applies to the topic's events,
// whatever the topic: a filter PocketBase applies but the guard did not
// see would be used unchecked.
func FuzzSubscriptionFilter(f *testing.F) {
	for _, seed := range []string{
		`incident_reports?options={"query":{"filter":"reporter = 'x'"}}`,
		`incident_reports/abc?options={"query":{"filter":"location.lat > 40","expand":"reporter"}}`,
		`incident_reports?options=%7B%22query%22%3A%7B%22filter%22%3A%22reporter%3D%27x%27%22%7D%7D`,
		`incident_reports?options={"query":{"filter":"reporter = 'x'","filter":""}}`,
		`incident_reports?options={"QUERY":{"filter":"reporter = 'x'"},"headers":1}`,
		`incident_reports?a=1&options={"query":{"filter":1}}&options={}`,
		`aman/sync`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, topic string) {
		client := subscriptions.NewDefaultClient()
		client.Subscribe(topic)
		applied := client.Subscriptions()[topic].Query[search.FilterQueryParam]
		if len(privacy.FilterIdentifiers(applied)) == 0 {
			return // names no field: nothing to hide
		}
		if _, read := privacy.SubscriptionFilter(topic); read != applied {
			t.Fatalf("topic %q: PocketBase applies the filter %q, the guard reads %q", topic, applied, read)
		}
	})
}
