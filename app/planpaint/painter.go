package planpaint

import (
	"image"
	"slices"
)

// Painter keeps a drawing of a scene and redraws only what changed from
// one scene to the next: nothing when the scene is the same, the Bounds
// of the rooms whose points or colours changed when few did, all of it
// when the size, the fit, the plan's area, paper or grid changed, rooms
// were added or removed, or most rooms changed. Its pixels are always
// those Render would draw. The zero Painter is ready to use; it is not
// safe for concurrent use.
type Painter struct {
	img   *image.RGBA
	fit   Fit
	last  Scene   // the scene drawn, its shapes' points copied into pts
	pts   []Point // the points of last's shapes
	valid bool
	dirty []image.Rectangle // scratch: the rectangles to redraw
	boxes []image.Rectangle // scratch: the Bounds of the shapes drawn
}

// fullShare is the share of the picture's area above which redrawing
// the changed rooms one by one costs more than drawing everything.
const fullShare = 0.5

// Paint draws s at w×h pixels through f, reusing the previous drawing,
// and returns the picture (owned by p and changed by the next Paint) and
// the number of pixels it drew.
func (p *Painter) Paint(s *Scene, f Fit, w, h int) (*image.RGBA, int) {
	if p.img == nil || p.img.Rect.Dx() != w || p.img.Rect.Dy() != h {
		p.img = image.NewRGBA(image.Rect(0, 0, w, h))
		p.valid = false
	}
	drawn := 0
	if dirty, all := p.changes(s, f); all {
		Render(p.img, s, f)
		drawn = w * h
	} else if len(dirty) > 0 {
		p.boxes = p.boxes[:0]
		for i := range s.Shapes {
			p.boxes = append(p.boxes, Bounds(s.Shapes[i].Points, f))
		}
		for _, r := range dirty {
			renderClip(p.img, s, f, r, p.boxes)
			drawn += r.Intersect(p.img.Rect).Dx() * r.Intersect(p.img.Rect).Dy()
		}
	}
	p.keep(s, f)
	return p.img, drawn
}

// Same reports whether s is the scene drawn last (points and colours), so
// that a Paint at the same size and fit would draw nothing.
func (p *Painter) Same(s *Scene) bool {
	if !p.valid || !sameFrame(&p.last, s) {
		return false
	}
	for i := range s.Shapes {
		if !sameShape(&p.last.Shapes[i], &s.Shapes[i]) {
			return false
		}
	}
	return true
}

// changes is the pixel rectangles to redraw for s through f, or all.
func (p *Painter) changes(s *Scene, f Fit) (dirty []image.Rectangle, all bool) {
	if !p.valid || p.fit != f || !sameFrame(&p.last, s) {
		return nil, true
	}
	p.dirty = p.dirty[:0]
	area, limit := 0, int(fullShare*float64(p.img.Rect.Dx()*p.img.Rect.Dy()))
	for i := range s.Shapes {
		old, cur := &p.last.Shapes[i], &s.Shapes[i]
		if sameShape(old, cur) {
			continue
		}
		r := Bounds(old.Points, f).Union(Bounds(cur.Points, f)).Intersect(p.img.Rect)
		if area += r.Dx() * r.Dy(); area > limit {
			return nil, true
		}
		p.dirty = append(p.dirty, r)
	}
	return p.dirty, false
}

// sameFrame reports whether a and b have the same area, paper, grid and
// number of shapes.
func sameFrame(a, b *Scene) bool {
	return a.W == b.W && a.H == b.H && a.Grid == b.Grid && a.Paper == b.Paper && a.GridColour == b.GridColour &&
		len(a.Shapes) == len(b.Shapes)
}

func sameShape(a, b *Shape) bool {
	return a.Fill == b.Fill && a.Stroke == b.Stroke && a.Thick == b.Thick && slices.Equal(a.Points, b.Points)
}

// keep remembers s, drawn through f, copying its points (the caller may
// change them in place).
func (p *Painter) keep(s *Scene, f Fit) {
	n := 0
	for i := range s.Shapes {
		n += len(s.Shapes[i].Points)
	}
	p.pts = slices.Grow(p.pts[:0], n)
	shapes := slices.Grow(p.last.Shapes[:0], len(s.Shapes))
	for _, sh := range s.Shapes {
		at := len(p.pts)
		p.pts = append(p.pts, sh.Points...)
		sh.Points = p.pts[at:len(p.pts):len(p.pts)]
		shapes = append(shapes, sh)
	}
	p.last = *s
	p.last.Shapes = shapes
	p.fit, p.valid = f, true
}
