package workflow_test

import (
	"fmt"
	"testing"

	"aman/workflow"
)

func TestMachine_Allows(t *testing.T) {
	scenarios := []struct {
		machine  workflow.Machine
		from, to string
		want     bool
	}{
		{workflow.Reports, "submitted", "in_review", true},
		{workflow.Reports, "submitted", "verified", false},
		{workflow.Reports, "submitted", "archived", true},
		{workflow.Reports, "in_review", "verified", true},
		{workflow.Reports, "in_review", "disputed", true},
		{workflow.Reports, "in_review", "false", true},
		{workflow.Reports, "in_review", "submitted", true},
		{workflow.Reports, "verified", "in_review", true},
		{workflow.Reports, "verified", "disputed", false},
		{workflow.Reports, "verified", "submitted", false},
		{workflow.Reports, "disputed", "verified", false},
		{workflow.Reports, "false", "in_review", true},
		{workflow.Reports, "archived", "in_review", true},
		{workflow.Reports, "archived", "verified", false},
		{workflow.Reports, "verified", "verified", true},
		{workflow.Reports, "bogus", "bogus", false},
		{workflow.AidRequests, "open", "acknowledged", true},
		{workflow.AidRequests, "open", "in_progress", false},
		{workflow.AidRequests, "open", "fulfilled", false},
		{workflow.AidRequests, "open", "cancelled", true},
		{workflow.AidRequests, "acknowledged", "fulfilled", true},
		{workflow.AidRequests, "acknowledged", "open", true},
		{workflow.AidRequests, "in_progress", "fulfilled", true},
		{workflow.AidRequests, "in_progress", "cancelled", true},
		{workflow.AidRequests, "fulfilled", "closed", true},
		{workflow.AidRequests, "fulfilled", "cancelled", false},
		{workflow.AidRequests, "closed", "open", false},
		{workflow.AidRequests, "cancelled", "open", true},
		{workflow.AidRequests, "cancelled", "acknowledged", false},
		{workflow.Editorial, "draft", "published", true},
		{workflow.Editorial, "draft", "retracted", false},
		{workflow.Editorial, "published", "retracted", true},
		{workflow.Editorial, "published", "draft", false},
		{workflow.Editorial, "retracted", "draft", false},
		{workflow.Editorial, "retracted", "published", true},
	}
	for i, s := range scenarios {
		t.Run(fmt.Sprintf("%d_%s_%s", i, s.from, s.to), func(t *testing.T) {
			if got := s.machine.Allows(s.from, s.to); got != s.want {
				t.Fatalf("Allows(%q, %q) = %v, want %v", s.from, s.to, got, s.want)
			}
		})
	}
}

// TestMachine_Consistent checks that the tables are closed: every target is
// a known status and the initial status is known.
func TestMachine_Consistent(t *testing.T) {
	for i, m := range []workflow.Machine{workflow.Reports, workflow.AidRequests, workflow.Editorial} {
		t.Run(fmt.Sprintf("%d_%s", i, m.Initial), func(t *testing.T) {
			if !m.Known(m.Initial) {
				t.Fatalf("initial %q unknown", m.Initial)
			}
			for _, start := range m.Starts {
				if !m.Known(start) || !m.MayStart(start) {
					t.Errorf("start %q unknown", start)
				}
			}
			for from, next := range m.Next {
				for _, to := range next {
					if !m.Known(to) {
						t.Errorf("%s -> %s: unknown target", from, to)
					}
					if to == from {
						t.Errorf("%s -> %s: self transition listed", from, to)
					}
				}
			}
		})
	}
}

// TestMachine_EveryStatusReachable walks each table from its initial status.
func TestMachine_EveryStatusReachable(t *testing.T) {
	for i, m := range []workflow.Machine{workflow.Reports, workflow.AidRequests, workflow.Editorial} {
		t.Run(fmt.Sprintf("%d_%s", i, m.Initial), func(t *testing.T) {
			seen := map[string]bool{m.Initial: true}
			queue := []string{m.Initial}
			for len(queue) > 0 {
				from := queue[0]
				queue = queue[1:]
				for _, to := range m.Next[from] {
					if !seen[to] {
						seen[to] = true
						queue = append(queue, to)
					}
				}
			}
			for status := range m.Next {
				if !seen[status] {
					t.Errorf("%q unreachable from %q", status, m.Initial)
				}
			}
		})
	}
}
