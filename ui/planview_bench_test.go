package ui

import (
	"image/color"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/twinstudio/twinstudio/app/planpaint"
)

// BenchmarkPlanView500 is a frame of the plan view with 500 rooms whose
// colours all changed: recolour, refresh and a capture of the window by
// Fyne's software renderer (labels and icons included).
func BenchmarkPlanView500(b *testing.B) {
	test.NewTempApp(b)
	m := &planModel{w: 100, h: 80, grid: 0.5}
	for i := range 500 {
		x, y := float64(i%25)*4, float64(i/25)*4
		m.shapes = append(m.shapes, planShape{label: "Room", pts: []planpaint.Point{
			{X: x, Y: y}, {X: x + 4, Y: y}, {X: x + 4, Y: y + 4}, {X: x, Y: y + 4}}})
	}
	v := newPlanView(m)
	w := test.NewWindow(v)
	defer w.Close()
	w.Resize(fyne.NewSize(1280, 800))
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
