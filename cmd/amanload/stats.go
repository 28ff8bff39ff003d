package main

import (
	"fmt"
	"io"
	"slices"
	"time"
)

// series collects one metric over the runs of a benchmark.
type series struct {
	name string
	unit string
	vals []float64
}

func (s *series) add(v float64) { s.vals = append(s.vals, v) }

// summary is min, median and max; zero values when the series is empty.
func (s *series) summary() (lo, med, hi float64) {
	if len(s.vals) == 0 {
		return 0, 0, 0
	}
	v := slices.Clone(s.vals)
	slices.Sort(v)
	n := len(v)
	med = v[n/2]
	if n%2 == 0 {
		med = (v[n/2-1] + v[n/2]) / 2
	}
	return v[0], med, v[n-1]
}

// table prints series as a markdown table.
func table(w io.Writer, rows []*series) {
	fmt.Fprintln(w, "| metric | unit | min | median | max | runs |")
	fmt.Fprintln(w, "|---|---|---:|---:|---:|---:|")
	for _, s := range rows {
		if len(s.vals) == 0 {
			continue
		}
		lo, med, hi := s.summary()
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %d |\n", s.name, s.unit, num(lo), num(med), num(hi), len(s.vals))
	}
}

func num(v float64) string {
	switch {
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	case v >= 0.1:
		return fmt.Sprintf("%.2f", v)
	}
	return fmt.Sprintf("%.4f", v)
}

// percentile of durations, p in [0,1].
func percentile(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	i := int(p*float64(len(s))+0.5) - 1
	return s[max(0, min(i, len(s)-1))]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
