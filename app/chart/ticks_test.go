package chart

import (
	"strings"
	"testing"
)

// TestNiceTicks: round labels, at most ten, decimals only as needed.
func TestNiceTicks(t *testing.T) {
	cases := []struct {
		lo, hi float64
		want   string
	}{
		{0, 100, "0 20 40 60 80 100"},
		{7.5, 26.3, "8 10 12 14 16 18 20 22 24 26"},
		{0, 57, "0 10 20 30 40 50"},
		{380, 1050, "400 500 600 700 800 900 1000"},
		{0, 1, "0.0 0.2 0.4 0.6 0.8 1.0"},
		{0, 14.7, "0 2 4 6 8 10 12 14"},
		{-3, 3, "-3 -2 -1 0 1 2 3"},
		{0.001, 0.0042, "0.0010 0.0015 0.0020 0.0025 0.0030 0.0035 0.0040"},
	}
	for _, c := range cases {
		var got []string
		for _, tk := range (niceTicks{}).Ticks(c.lo, c.hi) {
			if tk.Label != "" {
				got = append(got, tk.Label)
			}
		}
		if g := strings.Join(got, " "); g != c.want {
			t.Errorf("%v–%v: %s, want %s", c.lo, c.hi, g, c.want)
		}
	}
}

// TestTimeTicksShortSpans: a chart of a few seconds of live readings has
// labelled ticks, with seconds.
func TestTimeTicksShortSpans(t *testing.T) {
	base := 1796313600.0 // 2026-12-03 16:00:00 UTC
	cases := []struct {
		span float64
		want string
	}{
		{16, "16:00:00 16:00:02 16:00:04 16:00:06 16:00:08 16:00:10 16:00:12 16:00:14 16:00:16"},
		{100, "16:00:00 16:00:10 16:00:20 16:00:30 16:00:40 16:00:50 16:01:00 16:01:10 16:01:20 16:01:30 16:01:40"},
		{3600, "16:00 16:10 16:20 16:30 16:40 16:50 17:00"},
	}
	for _, c := range cases {
		var got []string
		for _, tk := range timeTicks(base, base+c.span, 10).Ticks(base, base+c.span) {
			if tk.Label != "" {
				got = append(got, tk.Label)
			}
		}
		if g := strings.Join(got, " "); g != c.want {
			t.Errorf("%vs: %s, want %s", c.span, g, c.want)
		}
	}
}
