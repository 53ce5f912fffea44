package chart

import (
	"math"
	"testing"
	"time"
)

// bigFigure is one series of n points over a week.
func bigFigure(n int) *Figure {
	s := Series{Name: "CO₂", T: make([]time.Time, n), Y: make([]float64, n)}
	step := 7 * 24 * time.Hour / time.Duration(n)
	for i := range n {
		s.T[i] = monday.Add(time.Duration(i) * step)
		s.Y[i] = 420 + 500*math.Max(0, math.Sin(float64(i)/float64(n)*7*2*math.Pi)) + float64(i%97)
	}
	return &Figure{Title: "CO₂", YLabel: "CO₂ (ppm)", Lines: []Series{s}}
}

// BenchmarkRender1M renders a million-point figure (twin bench's
// chart_1m_points_ms), BenchmarkRender2k the same of 2,000 points.
func BenchmarkRender1M(b *testing.B) { benchRender(b, 1_000_000) }
func BenchmarkRender2k(b *testing.B) { benchRender(b, 2000) }

func benchRender(b *testing.B, n int) {
	f := bigFigure(n)
	for b.Loop() {
		if _, _, err := f.Render(FigureWidth, FigureHeight, Light); err != nil {
			b.Fatal(err)
		}
	}
}
