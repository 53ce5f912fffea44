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

// grid500 is 500 rooms of 4×4 units in rows of 25 over a grid, in the
// colours frame gives them, polygons and a thick outline among them.
func grid500(frame int) *Scene {
	s := &Scene{W: 100, H: 80, Grid: 0.5, GridColour: Unknown, Paper: color.NRGBA{250, 250, 250, 255}}
	for i := range 500 {
		x, y := float64(i%25)*4, float64(i/25)*4
		c := Ramp(float64((i*7+frame)%10), 0, 9)
		pts := square(x, y, 4)
		if i%9 == 0 {
			pts = []Point{{X: x, Y: y}, {X: x + 4, Y: y + 1}, {X: x + 2, Y: y + 4}}
		}
		s.Shapes = append(s.Shapes, Shape{Points: pts, Fill: c, Stroke: Outline(c), Thick: i == 42})
	}
	return s
}

// TestRenderClip: drawing only a clip gives there the pixels of a whole
// drawing and leaves the pixels outside it as they were.
func TestRenderClip(t *testing.T) {
	const w, h = 640, 400
	f := FitTo(100, 80, w, h, 8)
	before, after := grid500(0), grid500(3)
	want := image.NewRGBA(image.Rect(0, 0, w, h))
	Render(want, after, f)
	for _, clip := range []image.Rectangle{
		Bounds(after.Shapes[42].Points, f), image.Rect(100, 50, 333, 277), image.Rect(-20, -20, 50, 900), image.Rect(0, 0, w, h),
	} {
		got := image.NewRGBA(image.Rect(0, 0, w, h))
		Render(got, before, f)
		old := image.NewRGBA(got.Rect)
		copy(old.Pix, got.Pix)
		RenderClip(got, after, f, clip)
		for y := range h {
			for x := range w {
				in := image.Pt(x, y).In(clip)
				if in && got.RGBAAt(x, y) != want.RGBAAt(x, y) {
					t.Fatalf("clip %v: pixel (%d,%d) = %v, a whole drawing has %v", clip, x, y, got.RGBAAt(x, y), want.RGBAAt(x, y))
				}
				if !in && got.RGBAAt(x, y) != old.RGBAAt(x, y) {
					t.Fatalf("clip %v: pixel (%d,%d) outside it changed", clip, x, y)
				}
			}
		}
	}
}

// TestBoundsHoldsShape: everything a shape draws, thick outline included,
// lies inside its Bounds.
func TestBoundsHoldsShape(t *testing.T) {
	f := FitTo(10, 10, 203, 117, 3)
	for _, thick := range []bool{false, true} {
		pts := []Point{{X: 1.3, Y: 1.1}, {X: 8.7, Y: 2.2}, {X: 5.1, Y: 9.6}}
		s := &Scene{W: 10, H: 10, Shapes: []Shape{{Points: pts, Fill: Free, Stroke: Outline(Free), Thick: thick}}}
		dst := image.NewRGBA(image.Rect(0, 0, 203, 117))
		Render(dst, s, f)
		b := Bounds(pts, f)
		for y := range 117 {
			for x := range 203 {
				if dst.RGBAAt(x, y).A != 0 && !image.Pt(x, y).In(b) {
					t.Fatalf("thick %v: pixel (%d,%d) drawn outside %v", thick, x, y, b)
				}
			}
		}
	}
}

// BenchmarkRender500 draws 500 rooms whose colours all changed at
// 1280×800 (twin bench's plan_500_rooms_ms frame, without the recolour).
func BenchmarkRender500(b *testing.B) {
	dst := image.NewRGBA(image.Rect(0, 0, 1280, 800))
	f := FitTo(100, 80, 1280, 800, 8)
	scenes := []*Scene{grid500(0), grid500(1)}
	i := 0
	for b.Loop() {
		i++
		Render(dst, scenes[i%2], f)
	}
}
