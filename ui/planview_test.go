package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"

	"github.com/twinstudio/twinstudio/app/planpaint"
)

// TestPlanView_updateCostsWhatChanged: a colour change shows in its room
// only, keeps the labels (same objects, same text) and the object list;
// empty labels are left out of the objects, and come back when their
// room is named.
func TestPlanView_updateCostsWhatChanged(t *testing.T) {
	test.NewTempApp(t)
	m := &planModel{w: 30, h: 10, grid: 1}
	for i, name := range []string{"Alpha", "", "Gamma"} {
		x := float64(i) * 10
		m.shapes = append(m.shapes, planShape{label: name, fill: planpaint.Free, pts: []planpaint.Point{
			{X: x, Y: 0}, {X: x + 10, Y: 0}, {X: x + 10, Y: 10}, {X: x, Y: 10}}})
	}
	v := newPlanView(m)
	w := test.NewWindow(v)
	defer w.Close()
	w.Resize(fyne.NewSize(640, 240))
	v.Refresh()
	centre := func(i int) (int, int) {
		p := v.pos(planpaint.Point{X: float64(i)*10 + 5, Y: 6})
		return int(p.X), int(p.Y)
	}
	before := w.Canvas().Capture()
	labels := append([]*canvas.Text(nil), v.r.labels...)
	objects := v.r.Objects()
	if n := countTexts(objects); n != 2 {
		t.Fatalf("%d labels among the objects, want 2 (the unnamed room's is left out)", n)
	}

	m.shapes[2].fill = planpaint.Occupied
	v.Refresh()
	after := w.Canvas().Capture()
	if x, y := centre(2); after.At(x, y) == before.At(x, y) {
		t.Error("the changed room kept its colour")
	}
	if x, y := centre(0); after.At(x, y) != before.At(x, y) {
		t.Error("an unchanged room changed colour")
	}
	for i, l := range v.r.labels {
		if l != labels[i] || l.Text != []string{"Alpha", "", "Gamma"}[i] {
			t.Errorf("label %d replaced or changed: %q", i, l.Text)
		}
	}
	if got := v.r.Objects(); &got[0] != &objects[0] {
		t.Error("the object list was rebuilt for a colour change")
	}

	m.shapes[1].label = "Beta"
	v.Refresh()
	if n := countTexts(v.r.Objects()); n != 3 || v.r.labels[1].Text != "Beta" {
		t.Errorf("after naming the room: %d labels among the objects, its text %q", n, v.r.labels[1].Text)
	}
}

func countTexts(objs []fyne.CanvasObject) int {
	n := 0
	for _, o := range objs {
		if _, ok := o.(*canvas.Text); ok {
			n++
		}
	}
	return n
}
