package planpaint

import (
	"bytes"
	"image"
	"testing"
)

// TestPainterMatchesRender: after each change (none, a few colours, a
// moved and a resized room, a thick outline, every colour, another size,
// a room fewer) the Painter's picture is Render's, and it draws only
// what the change needs.
func TestPainterMatchesRender(t *testing.T) {
	const w, h = 640, 400
	s := grid500(0)
	var p Painter
	steps := []struct {
		name   string
		change func()
		w, h   int
		most   int // the most pixels Paint may draw; -1 any
	}{
		{"first", func() {}, w, h, -1},
		{"same", func() {}, w, h, 0},
		{"three colours", func() { s.Shapes[3].Fill, s.Shapes[250].Fill, s.Shapes[499].Stroke = Free, Occupied, Stale }, w, h, 3 * 40 * 40},
		{"moved room", func() {
			for i := range s.Shapes[7].Points {
				s.Shapes[7].Points[i].X += 1.5
			}
		}, w, h, 2 * 40 * 40},
		{"resized room", func() { s.Shapes[30].Points[2] = Point{X: 30, Y: 20} }, w, h, 200 * 200},
		{"thick", func() { s.Shapes[42].Thick, s.Shapes[43].Thick = false, true }, w, h, 2 * 40 * 40},
		{"all colours", func() {
			n := grid500(5)
			for i := range s.Shapes {
				s.Shapes[i].Fill, s.Shapes[i].Stroke = n.Shapes[i].Fill, n.Shapes[i].Stroke
			}
		}, w, h, -1},
		{"new size", func() {}, 500, 300, 500 * 300},
		{"a room fewer", func() { s.Shapes = s.Shapes[:499] }, 500, 300, 500 * 300},
	}
	for _, st := range steps {
		st.change()
		f := FitTo(s.W, s.H, st.w, st.h, 8)
		got, drawn := p.Paint(s, f, st.w, st.h)
		want := image.NewRGBA(image.Rect(0, 0, st.w, st.h))
		Render(want, s, f)
		if !bytes.Equal(got.Pix, want.Pix) {
			t.Fatalf("%s: the picture differs from Render's", st.name)
		}
		if st.most >= 0 && drawn > st.most {
			t.Errorf("%s: drew %d pixels, want at most %d", st.name, drawn, st.most)
		}
		if !p.Same(s) {
			t.Errorf("%s: Same is false right after Paint", st.name)
		}
	}
	s.Shapes[0].Fill = Stale
	if p.Same(s) {
		t.Error("Same is true after a colour changed")
	}
}

// BenchmarkPainter500Few is a frame where 10 of 500 rooms changed colour.
func BenchmarkPainter500Few(b *testing.B) {
	f := FitTo(100, 80, 1280, 800, 8)
	scenes := []*Scene{grid500(0), grid500(0)}
	for i := 0; i < 500; i += 50 {
		scenes[1].Shapes[i].Fill = Stale
	}
	var p Painter
	p.Paint(scenes[0], f, 1280, 800)
	i := 0
	for b.Loop() {
		i++
		p.Paint(scenes[i%2], f, 1280, 800)
	}
}
