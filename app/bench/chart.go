package bench

import (
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/twinstudio/twinstudio/app/chart"
)

// chartFigure is a line figure of n points over a week (one series, a
// daily cycle with noise), as the studio's Signals chart would draw it.
func chartFigure(n int) *chart.Figure {
	start := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	step := 7 * 24 * time.Hour / time.Duration(n)
	s := chart.Series{Name: "CO₂", Unit: "ppm", T: make([]time.Time, n), Y: make([]float64, n)}
	seed := uint64(1)
	for i := range n {
		seed = seed*6364136223846793005 + 1442695040888963407
		t := start.Add(time.Duration(i) * step)
		h := float64(t.Sub(start)) / float64(time.Hour)
		s.T[i] = t
		s.Y[i] = 420 + 500*math.Max(0, math.Sin(math.Pi*(math.Mod(h, 24)-8)/10)) + float64(seed>>40)/float64(1<<24)*60
	}
	return &chart.Figure{Title: "CO₂, a week", YLabel: "CO₂ (ppm)", Lines: []chart.Series{s},
		Refs: []chart.Ref{{Y: 1000, Label: "1000 ppm"}}}
}

// renderMS is the median wall time of reps renderings of f at the
// figures' default size (after one unmeasured rendering), in ms.
func renderMS(f *chart.Figure, reps int) (float64, error) {
	if _, err := f.Draw(); err != nil {
		return 0, err
	}
	ms := make([]float64, reps)
	for i := range ms {
		t0 := time.Now()
		if _, err := f.Draw(); err != nil {
			return 0, err
		}
		ms[i] = float64(time.Since(t0).Microseconds()) / 1000
	}
	sort.Float64s(ms)
	return ms[reps/2], nil
}

// benchChart measures chart_1m_points_ms: the time to render a line
// figure of ChartPoints points (downsampled to the pixel columns) to an
// image, and chart_2k_points_ms: the same figure of 2,000 points, the
// cost of drawing the chart itself.
func benchChart(cfg Config) ([]Row, error) {
	big, err := renderMS(chartFigure(cfg.ChartPoints), 5)
	if err != nil {
		return nil, err
	}
	ref, err := renderMS(chartFigure(2000), 5)
	if err != nil {
		return nil, err
	}
	return []Row{
		{Name: "chart_1m_points_ms", Value: big, Unit: "ms", Target: "< 300", OK: big < 300,
			Note: fmt.Sprintf("%d points, %d×%d pixels, median of 5; %.1fx chart_2k_points_ms", cfg.ChartPoints,
				chart.FigureWidth, chart.FigureHeight, big/ref)},
		{Name: "chart_2k_points_ms", Value: ref, Unit: "ms", Target: "-", OK: true,
			Note: "the same figure of 2,000 points (the cost of the chart without the data)"},
	}, nil
}
