package chart

import (
	"image/color"
	"math"
	"testing"
	"time"
)

// TestFrame: the Frame maps data to the pixels drawn — a flat line at
// y = 50 lies on the row the Frame gives, in the series' colour, and the
// reference line on its row — at several sizes, with the legend right of
// the data or below it.
func TestFrame(t *testing.T) {
	ts := []time.Time{monday, monday.Add(time.Hour)}
	red := color.RGBA{0xff, 0, 0, 0xff}
	cases := []struct {
		name string
		w, h int
		long bool
	}{
		{"default", FigureWidth, FigureHeight, false},
		{"small", 400, 260, false},
		{"legend_below", 420, 320, true},
	}
	for _, c := range cases {
		name := "flat"
		if c.long {
			name = "a very long series name that does not fit beside the chart"
		}
		f := Figure{Title: "t", YLabel: "y (%)", YMin: ptr(0), YMax: ptr(100),
			Lines: []Series{{Name: name, T: ts, Y: []float64{50, 50}, Color: red}}, Refs: []Ref{{Y: 80, Label: "limit"}}}
		img, fr, err := f.Render(c.w, c.h, Light)
		if err != nil {
			t.Fatal(err)
		}
		if fr.XMin != float64(monday.Unix()) || fr.XMax != float64(monday.Add(time.Hour).Unix()) || fr.YMin != 0 || fr.YMax != 100 {
			t.Errorf("%s: range %+v", c.name, fr)
		}
		row := func(y float64) int { return int(math.Round(fr.Top + (fr.YMax-y)/(fr.YMax-fr.YMin)*(fr.Bottom-fr.Top))) }
		x := int((fr.Left + fr.Right) / 2)
		near := func(y int, want func(r, g, b uint32) bool) bool { // the reference line is dash-dotted
			for dx := 0; dx < 20; dx++ {
				for d := -2; d <= 2; d++ {
					r, g, b, _ := img.At(x+dx, y+d).RGBA()
					if want(r>>8, g>>8, b>>8) {
						return true
					}
				}
			}
			return false
		}
		if !near(row(50), func(r, g, b uint32) bool { return r > 200 && g < 80 && b < 80 }) {
			t.Errorf("%s: no red line at row %d (frame %+v)", c.name, row(50), fr)
		}
		if !near(row(80), func(r, g, b uint32) bool { return r > 150 && g < 100 && b < 100 }) {
			t.Errorf("%s: no reference line at row %d", c.name, row(80))
		}
		if c.long && fr.Right < float64(c.w)*0.8 {
			t.Errorf("%s: the legend should go below, data area ends at %v of %d", c.name, fr.Right, c.w)
		}
		if !c.long && fr.Right > float64(c.w)-60 {
			t.Errorf("%s: data area reaches %v of %d: legend not beside it", c.name, fr.Right, c.w)
		}
		goldenImage(t, "frame_"+c.name, img)
	}
}
