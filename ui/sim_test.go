package ui

import (
	"testing"
	"time"
)

func TestFirstMorning(t *testing.T) {
	day := func(h, m int) time.Time { return time.Date(2026, 3, 2, h, m, 0, 0, time.UTC) }
	for _, tc := range []struct {
		start, want time.Time
	}{
		{day(0, 0), day(8, 30)},
		{day(7, 59), day(8, 30)},
		{day(8, 30), time.Time{}}, // already morning: no fast start
		{day(14, 0), time.Time{}},
		{time.Date(2026, 3, 2, 1, 0, 0, 0, time.FixedZone("CET", 3600)), time.Date(2026, 3, 2, 8, 30, 0, 0, time.FixedZone("CET", 3600))},
	} {
		if got := firstMorning(tc.start); !got.Equal(tc.want) {
			t.Errorf("firstMorning(%v) = %v, want %v", tc.start, got, tc.want)
		}
	}
}
