package planpaint

import (
	"image"
	"image/color"
	"math"
	"testing"
)

func square(x, y, w float64) []Point {
	return []Point{{X: x, Y: y}, {X: x + w, Y: y}, {X: x + w, Y: y + w}, {X: x, Y: y + w}}
}

func TestInside(t *testing.T) {
	tri := []Point{{X: 0, Y: 0}, {X: 10, Y: 0}, {X: 0, Y: 10}}
	for _, c := range []struct {
		p    Point
		want bool
	}{{Point{X: 1, Y: 1}, true}, {Point{X: 6, Y: 6}, false}, {Point{X: -1, Y: 1}, false}, {Point{X: 4.9, Y: 4.9}, true}} {
		if got := Inside(tri, c.p); got != c.want {
			t.Errorf("Inside(%v) = %v, want %v", c.p, got, c.want)
		}
	}
}

func TestRamp(t *testing.T) {
	for _, c := range []struct {
		v, lo, hi float64
		want      color.NRGBA
	}{
		{0, 0, 10, rampStops[0]}, {-5, 0, 10, rampStops[0]}, {10, 0, 10, rampStops[4]}, {99, 0, 10, rampStops[4]},
		{5, 0, 10, rampStops[2]}, {math.NaN(), 0, 10, Unknown}, {5, 10, 10, Unknown},
	} {
		if got := Ramp(c.v, c.lo, c.hi); got != c.want {
			t.Errorf("Ramp(%v, %v, %v) = %v, want %v", c.v, c.lo, c.hi, got, c.want)
		}
	}
}

// TestRender: a room is filled inside, outlined on its edge, and leaves
// the rest transparent; the fit keeps the plan's aspect.
func TestRender(t *testing.T) {
	s := &Scene{W: 10, H: 10, Shapes: []Shape{{Points: square(2, 2, 4),
		Fill: color.NRGBA{0, 0, 255, 255}, Stroke: color.NRGBA{255, 0, 0, 255}}}}
	dst := image.NewRGBA(image.Rect(0, 0, 200, 100))
	f := FitTo(10, 10, 200, 100, 0)
	if f.K != 10 || f.OX != 50 || f.OY != 0 {
		t.Fatalf("fit %+v", f)
	}
	Render(dst, s, f)
	for _, c := range []struct {
		x, y int
		want color.RGBA
	}{
		{90, 40, color.RGBA{0, 0, 255, 255}}, // inside: (4,4) units
		{70, 40, color.RGBA{255, 0, 0, 255}}, // the left edge at x = 2 units
		{10, 10, color.RGBA{}},               // outside the plan
		{140, 80, color.RGBA{}},              // inside the plan, outside the room
	} {
		if got := dst.RGBAAt(c.x, c.y); got != c.want {
			t.Errorf("pixel (%d,%d) = %v, want %v", c.x, c.y, got, c.want)
		}
	}
	if u := f.Unit(90, 40); u != (Point{X: 4, Y: 4}) {
		t.Errorf("Unit(90,40) = %v", u)
	}
}
