package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
)

// TestWrapRows: objects wrap into rows at the width given; the minimum
// width stays the widest object's whatever width the rows were laid out
// at (so a pane can shrink again), and the minimum height follows the
// rows of the last layout.
func TestWrapRows(t *testing.T) {
	test.NewTempApp(t)
	box := func(w float32) fyne.CanvasObject {
		r := canvas.NewRectangle(nil)
		r.SetMinSize(fyne.NewSize(w, 20))
		return r
	}
	objs := []fyne.CanvasObject{box(100), box(150), box(100), box(50)}
	l := newWrapRows()
	pad := theme.Padding()
	if got := l.MinSize(objs); got != fyne.NewSize(150, 4*20+3*pad) {
		t.Errorf("before a layout: %v, want one object per row", got)
	}
	for _, tc := range []struct {
		width float32
		rows  int
		xs    []float32
	}{
		{1000, 1, []float32{0, 100 + pad, 250 + 2*pad, 350 + 3*pad}},
		{260, 2, []float32{0, 100 + pad, 0, 100 + pad}},
		{150, 4, []float32{0, 0, 0, 0}},
		{10, 4, []float32{0, 0, 0, 0}}, // narrower than an object: one per row
		{1000, 1, []float32{0, 100 + pad, 250 + 2*pad, 350 + 3*pad}},
	} {
		l.Layout(objs, fyne.NewSize(tc.width, 500))
		for i, o := range objs {
			if o.Position().X != tc.xs[i] {
				t.Errorf("width %v: object %d at x %v, want %v", tc.width, i, o.Position().X, tc.xs[i])
			}
		}
		want := fyne.NewSize(150, float32(tc.rows)*20+float32(tc.rows-1)*pad)
		if got := l.MinSize(objs); got != want {
			t.Errorf("after a layout at %v: min %v, want %v", tc.width, got, want)
		}
	}
}
