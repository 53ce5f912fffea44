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
