// Package planpaint draws a floor plan's rooms into an image: filled
// polygons with outlines over a grid, fitted into a pixel rectangle, and
// the colour scales the studio's Plan tab colours rooms with. It knows
// neither Fyne nor the engine, so the studio draws with it and `twin
// bench` times it (plan_500_rooms_ms) without a window.
//
// Drawing is deterministic: the same scene and size give the same pixels.
// Functions may be called from any goroutine; a Scene must not be changed
// while it is drawn.
package planpaint

import (
	"image"
	"image/color"
	"math"
	"slices"
)

// Point is a point in plan units; Y grows downwards.
type Point struct{ X, Y float64 }

// Shape is one room: a polygon (at least 3 points) filled with Fill and
// outlined with Stroke (colours are not premultiplied; alpha 0: none).
type Shape struct {
	Points       []Point
	Fill, Stroke color.NRGBA
	Thick        bool // a thicker outline (the selected shape)
}

// Scene is what Render draws: a W×H plan-unit area with a grid every
// Grid units (0: none) in GridColour, over Paper (alpha 0: transparent,
// so a background image beneath shows through), and its shapes in order.
type Scene struct {
	W, H, Grid        float64
	Paper, GridColour color.NRGBA
	Shapes            []Shape
}

// Fit maps plan units to pixels: pixel = unit*K + offset.
type Fit struct{ K, OX, OY float64 }

// FitTo is the transform that fits a w×h plan (units) centred into a
// pw×ph pixel rectangle leaving margin pixels around it. A degenerate
// size gives K = 1.
func FitTo(w, h float64, pw, ph int, margin float64) Fit {
	aw, ah := float64(pw)-2*margin, float64(ph)-2*margin
	if w <= 0 || h <= 0 || aw <= 0 || ah <= 0 {
		return Fit{K: 1}
	}
	k := math.Min(aw/w, ah/h)
	return Fit{K: k, OX: (float64(pw) - w*k) / 2, OY: (float64(ph) - h*k) / 2}
}

// Px is plan point p in pixels.
func (f Fit) Px(p Point) (x, y float64) { return p.X*f.K + f.OX, p.Y*f.K + f.OY }

// Unit is pixel (x, y) in plan units.
func (f Fit) Unit(x, y float64) Point { return Point{(x - f.OX) / f.K, (y - f.OY) / f.K} }

// Render draws s into dst (cleared first) through f.
func Render(dst *image.RGBA, s *Scene, f Fit) { RenderClip(dst, s, f, dst.Bounds()) }

// RenderClip draws s into the pixels of dst inside clip (cleared first)
// through f and leaves the others alone. The pixels it draws are those
// Render draws there, so a frame where few rooms changed may redraw only
// their Bounds.
func RenderClip(dst *image.RGBA, s *Scene, f Fit, clip image.Rectangle) {
	renderClip(dst, s, f, clip, nil)
}

// renderClip is RenderClip given the Bounds of s's shapes through f (nil:
// computed as needed).
func renderClip(dst *image.RGBA, s *Scene, f Fit, clip image.Rectangle, boxes []image.Rectangle) {
	b := clip.Intersect(dst.Bounds())
	if b.Empty() {
		return
	}
	for y := b.Min.Y; y < b.Max.Y; y++ {
		o := dst.PixOffset(b.Min.X, y)
		clear(dst.Pix[o : o+4*b.Dx()])
	}
	x0, y0 := f.Px(Point{0, 0})
	x1, y1 := f.Px(Point{s.W, s.H})
	fillRect(dst, image.Rect(int(x0), int(y0), int(math.Ceil(x1)), int(math.Ceil(y1))).Intersect(b), s.Paper)
	drawGrid(dst, b, s, f, x0, y0, x1, y1)
	var xs []float64
	for i := range s.Shapes {
		sh := &s.Shapes[i]
		if len(sh.Points) < 3 {
			continue
		}
		if boxes != nil && !boxes[i].Overlaps(b) || boxes == nil && !Bounds(sh.Points, f).Overlaps(b) {
			continue
		}
		xs = fillPolygon(dst, b, sh.Points, f, sh.Fill, xs)
		w := 1.0
		if sh.Thick {
			w = 3
		}
		for j, p := range sh.Points {
			q := sh.Points[(j+1)%len(sh.Points)]
			ax, ay := f.Px(p)
			bx, by := f.Px(q)
			line(dst, b, ax, ay, bx, by, w, sh.Stroke)
		}
	}
}

// Bounds is the pixel rectangle that holds everything Render draws of a
// shape with points pts through f: its fill and its outline, thick or not.
func Bounds(pts []Point, f Fit) image.Rectangle {
	if len(pts) == 0 {
		return image.Rectangle{}
	}
	lx, ly := f.Px(pts[0])
	hx, hy := lx, ly
	for _, p := range pts[1:] {
		x, y := f.Px(p)
		lx, ly, hx, hy = min(lx, x), min(ly, y), max(hx, x), max(hy, y)
	}
	// Outlines reach a pixel either side of their line, rounding one more.
	const pad = 3
	return image.Rect(int(math.Floor(lx))-pad, int(math.Floor(ly))-pad, int(math.Ceil(hx))+pad, int(math.Ceil(hy))+pad)
}

// drawGrid draws the grid lines inside b, thinned so that they stay at
// least 12 pixels apart.
func drawGrid(dst *image.RGBA, b image.Rectangle, s *Scene, f Fit, x0, y0, x1, y1 float64) {
	if s.Grid <= 0 || s.GridColour.A == 0 {
		return
	}
	step := s.Grid
	for step*f.K < 12 {
		step *= 2
	}
	for u := 0.0; u <= s.W+1e-9; u += step {
		x := u*f.K + f.OX
		line(dst, b, x, y0, x, y1, 1, s.GridColour)
	}
	for u := 0.0; u <= s.H+1e-9; u += step {
		y := u*f.K + f.OY
		line(dst, b, x0, y, x1, y, 1, s.GridColour)
	}
}

// fillPolygon fills pts (even-odd, sampled at pixel centres) with c
// inside b; xs is scratch space, returned for reuse.
func fillPolygon(dst *image.RGBA, b image.Rectangle, pts []Point, f Fit, c color.NRGBA, xs []float64) []float64 {
	if c.A == 0 {
		return xs
	}
	minY, maxY := math.Inf(1), math.Inf(-1)
	for _, p := range pts {
		_, y := f.Px(p)
		minY, maxY = math.Min(minY, y), math.Max(maxY, y)
	}
	ya, yb := max(int(math.Floor(minY)), b.Min.Y), min(int(math.Ceil(maxY)), b.Max.Y)
	for y := ya; y < yb; y++ {
		cy := float64(y) + 0.5
		xs = xs[:0]
		for i, p := range pts {
			ax, ay := f.Px(p)
			bx, by := f.Px(pts[(i+1)%len(pts)])
			if (ay <= cy) != (by <= cy) {
				xs = append(xs, ax+(cy-ay)/(by-ay)*(bx-ax))
			}
		}
		slices.Sort(xs)
		for i := 0; i+1 < len(xs); i += 2 {
			xa := max(int(math.Round(xs[i])), b.Min.X)
			xb := min(int(math.Round(xs[i+1])), b.Max.X)
			span(dst, xa, xb, y, c)
		}
	}
	return xs
}

// line draws a w-pixel wide segment from (ax, ay) to (bx, by) in c,
// inside b.
func line(dst *image.RGBA, b image.Rectangle, ax, ay, bx, by, w float64, c color.NRGBA) {
	if c.A == 0 {
		return
	}
	dx, dy := bx-ax, by-ay
	n := int(math.Max(math.Abs(dx), math.Abs(dy))) + 1
	half := int(w / 2)
	if !image.Rect(int(math.Min(ax, bx))-2, int(math.Min(ay, by))-2, int(math.Max(ax, bx))+3, int(math.Max(ay, by))+3).Overlaps(b) {
		return
	}
	if math.Abs(dx) >= math.Abs(dy) { // mostly horizontal: thickness in y
		i0, i1 := steps(ax, dx, n, b.Min.X, b.Max.X)
		for i := i0; i <= i1; i++ {
			t := float64(i) / float64(n)
			x, y := int(ax+t*dx), int(math.Floor(ay+t*dy))
			for k := -half; k < int(w)-half; k++ {
				if image.Pt(x, y+k).In(b) {
					blend(dst.Pix, dst.PixOffset(x, y+k), c)
				}
			}
		}
		return
	}
	i0, i1 := steps(ay, dy, n, b.Min.Y, b.Max.Y)
	for i := i0; i <= i1; i++ {
		t := float64(i) / float64(n)
		x, y := int(math.Floor(ax+t*dx)), int(ay+t*dy)
		for k := -half; k < int(w)-half; k++ {
			if image.Pt(x+k, y).In(b) {
				blend(dst.Pix, dst.PixOffset(x+k, y), c)
			}
		}
	}
}

// steps is the range of a line's steps i in [0, n] whose coordinate
// a+i/n*d may fall in [lo, hi), with a pixel or two to spare (the caller
// checks each pixel); d is the longer of the line's two extents.
func steps(a, d float64, n, lo, hi int) (i0, i1 int) {
	if d == 0 {
		return 0, n
	}
	t0, t1 := (float64(lo)-2-a)/d, (float64(hi)+2-a)/d
	if t0 > t1 {
		t0, t1 = t1, t0
	}
	return max(0, int(math.Floor(t0*float64(n)))), min(n, int(math.Ceil(t1*float64(n))))
}

func fillRect(dst *image.RGBA, r image.Rectangle, c color.NRGBA) {
	if c.A == 0 {
		return
	}
	for y := r.Min.Y; y < r.Max.Y; y++ {
		span(dst, r.Min.X, r.Max.X, y, c)
	}
}

// span blends c over pixels [xa, xb) of row y. Runs of equal pixels
// (a room over plain paper) are blended once.
func span(dst *image.RGBA, xa, xb, y int, c color.NRGBA) {
	if xa >= xb {
		return
	}
	row := dst.Pix[dst.PixOffset(xa, y):dst.PixOffset(xb, y)]
	if c.A == 255 {
		for o := 0; o < len(row); o += 4 {
			row[o], row[o+1], row[o+2], row[o+3] = c.R, c.G, c.B, 255
		}
		return
	}
	var in, out [4]uint8
	have := false
	for o := 0; o < len(row); o += 4 {
		p := (*[4]uint8)(row[o : o+4])
		if have && *p == in {
			*p = out
			continue
		}
		in, have = *p, true
		blend(row, o, c)
		out = *p
	}
}

// blend draws c over the premultiplied pixel at offset o of pix.
func blend(pix []uint8, o int, c color.NRGBA) {
	p := pix[o : o+4 : o+4]
	a := uint32(c.A)
	if a == 255 {
		p[0], p[1], p[2], p[3] = c.R, c.G, c.B, 255
		return
	}
	ia := 255 - a
	p[0] = uint8((uint32(c.R)*a + uint32(p[0])*ia) / 255)
	p[1] = uint8((uint32(c.G)*a + uint32(p[1])*ia) / 255)
	p[2] = uint8((uint32(c.B)*a + uint32(p[2])*ia) / 255)
	p[3] = uint8(a + uint32(p[3])*ia/255)
}

// Inside reports whether plan point p lies inside polygon pts (even-odd).
func Inside(pts []Point, p Point) bool {
	in := false
	for i, a := range pts {
		b := pts[(i+1)%len(pts)]
		if (a.Y <= p.Y) != (b.Y <= p.Y) && p.X < a.X+(p.Y-a.Y)/(b.Y-a.Y)*(b.X-a.X) {
			in = !in
		}
	}
	return in
}

// Area is the area of polygon pts in plan units² (shoelace, absolute).
func Area(pts []Point) float64 {
	a := 0.0
	for i, p := range pts {
		q := pts[(i+1)%len(pts)]
		a += p.X*q.Y - q.X*p.Y
	}
	return math.Abs(a) / 2
}
