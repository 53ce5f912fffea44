package bbolt

import (
	"fmt"
	"testing"
	"time"

	"github.com/twinstudio/twinstudio/engine"
)

// TestRetention keeps values by count and by age in a real project file:
// what is pruned is counted per value (HistoryKept) and in Dropped, and
// HistoryAt and HistorySpan see only what is kept.
func TestRetention(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	owner := engine.MustParseID("01900000-0000-7000-8000-0000000000b1")
	tests := []struct {
		name        string
		count       int
		age         time.Duration
		minutes     []int // value i written at t0 + minutes[i]
		wantDropped uint64
		wantOldest  int // minute of the oldest entry kept
	}{
		{"count", 3, 0, []int{0, 1, 2, 3, 4}, 2, 2},
		{"age", 0, 30 * time.Minute, []int{0, 10, 40, 50, 60}, 2, 40},
		{"age keeps the newest", 0, time.Minute, []int{0, 100}, 1, 100},
		{"both", 2, 30 * time.Minute, []int{0, 10, 20, 30, 40}, 3, 30},
		{"none dropped", 10, time.Hour, []int{0, 10, 20}, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t, tempProject(t), Options{NoSync: true})
			s.SetRetention(tc.count, tc.age)
			for i, m := range tc.minutes {
				v := engine.Value{Value: fmt.Sprint(i), Time: t0.Add(time.Duration(m) * time.Minute)}
				if err := s.Apply([]engine.Op{{Type: engine.OpValue, Key: owner, Name: "CO2", Value: v}}); err != nil {
					t.Fatal(err)
				}
			}
			oldest, dropped, ok, err := s.HistoryKept(owner, "CO2")
			if err != nil || !ok {
				t.Fatal(ok, err)
			}
			want := t0.Add(time.Duration(tc.wantOldest) * time.Minute)
			if dropped != tc.wantDropped || !oldest.Equal(want) || s.Dropped() != tc.wantDropped {
				t.Errorf("dropped %d (store %d), oldest %v; want %d, %v", dropped, s.Dropped(), oldest, tc.wantDropped, want)
			}
			h, _ := s.History(owner, "CO2", 100)
			if uint64(len(h)) != uint64(len(tc.minutes))-tc.wantDropped {
				t.Errorf("history %v", h)
			}
			from, _, ok, err := s.HistorySpan()
			if err != nil || !ok || !from.Equal(want) {
				t.Errorf("span from %v %v %v, want %v", from, ok, err, want)
			}
			found := false
			if err := s.HistoryAt([]engine.ID{owner}, []string{"CO2"}, want.Add(-time.Nanosecond), func(int, engine.Value) { found = true }); err != nil || found {
				t.Errorf("a value before the oldest kept: %v %v", found, err)
			}
		})
	}
}
