package ui

import (
	"image/color"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/twinstudio/twinstudio/app/planpaint"
)

// plan500View is a plan view of 500 named 4×4 rooms in a 1280×800 test
// window.
func plan500View(b *testing.B) (*planView, *planModel, fyne.Window) {
	test.NewTempApp(b)
	m := &planModel{w: 100, h: 80, grid: 0.5}
	for i := range 500 {
		x, y := float64(i%25)*4, float64(i/25)*4
		m.shapes = append(m.shapes, planShape{label: "Room", pts: []planpaint.Point{
			{X: x, Y: y}, {X: x + 4, Y: y}, {X: x + 4, Y: y + 4}, {X: x, Y: y + 4}}})
	}
	v := newPlanView(m)
	w := test.NewWindow(v)
	b.Cleanup(w.Close)
	w.Resize(fyne.NewSize(1280, 800))
	return v, m, w
}

// BenchmarkPlanView500 is a frame of the plan view with 500 rooms whose
// colours all changed: recolour, refresh and a capture of the window by
// Fyne's software renderer (labels and icons included; it shapes every
// label's text again at each capture, which Fyne's GL driver does not).
func BenchmarkPlanView500(b *testing.B) {
	v, m, w := plan500View(b)
	frame := 0
	for b.Loop() {
		frame++
		for i := range m.shapes {
			m.shapes[i].fill = planpaint.Ramp(float64((i+frame)%10), 0, 9)
		}
		v.Refresh()
		if w.Canvas().Capture().At(10, 10) == (color.RGBA{1, 2, 3, 4}) {
			b.Fatal("impossible pixel")
		}
	}
}

// BenchmarkPlanViewUpdate500 is the plan view's own work for an update of
// 500 rooms, as Fyne's GL driver sees it: the refresh and the paint of
// the rooms' raster it then asks for (at 1280×800), with every room, a
// tenth of the rooms or none changing colour; not Fyne's drawing.
func BenchmarkPlanViewUpdate500(b *testing.B) {
	for _, c := range []struct {
		name  string
		every int // every how many rooms changes, 0: none
	}{{"all", 1}, {"tenth", 10}, {"none", 0}} {
		b.Run(c.name, func(b *testing.B) {
			v, m, _ := plan500View(b)
			frame := 0
			for b.Loop() {
				frame++
				for i := range m.shapes {
					if c.every > 0 && i%c.every == 0 {
						m.shapes[i].fill = planpaint.Ramp(float64((i+frame)%10), 0, 9)
					}
				}
				v.Refresh()
				v.r.raster.Generator(1280, 800)
			}
		})
	}
}
