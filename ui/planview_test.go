package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

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

// TestPlanView_labelsOverBackground: over a background drawing each
// shown label sits on a pill of the theme's background colour, placed
// under it and as wide as its text, and each device's icon on a disc of
// it, so that they read on light drawings; without a drawing there are
// none.
func TestPlanView_labelsOverBackground(t *testing.T) {
	test.NewTempApp(t)
	m := &planModel{w: 20, h: 10, grid: 1}
	for i, name := range []string{"Kitchen 3", ""} {
		x := float64(i) * 10
		m.shapes = append(m.shapes, planShape{label: name, pts: []planpaint.Point{
			{X: x, Y: 0}, {X: x + 10, Y: 0}, {X: x + 10, Y: 10}, {X: x, Y: 10}}})
	}
	m.items = []planItem{{x: 5, y: 5, icon: theme.ComputerIcon()}}
	v := newPlanView(m)
	w := test.NewWindow(v)
	defer w.Close()
	w.Resize(fyne.NewSize(640, 360))
	v.Refresh()
	discBefore := func(objs []fyne.CanvasObject) *canvas.Circle {
		for i, o := range objs {
			if im, ok := o.(*canvas.Image); ok && im == v.r.items[0] && i > 0 {
				d, _ := objs[i-1].(*canvas.Circle)
				return d
			}
		}
		return nil
	}
	if discBefore(v.r.Objects()) != nil {
		t.Error("a disc behind a device without a background drawing")
	}
	pillBefore := func(objs []fyne.CanvasObject) (*canvas.Rectangle, *canvas.Text) {
		for i, o := range objs {
			if l, ok := o.(*canvas.Text); ok && i > 0 {
				p, _ := objs[i-1].(*canvas.Rectangle)
				return p, l
			}
		}
		return nil, nil
	}
	if p, _ := pillBefore(v.r.Objects()); p != nil {
		t.Fatal("a pill behind a label without a background drawing")
	}
	m.bg = fyne.NewStaticResource("floor.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 20 10"><rect width="20" height="10" fill="white"/></svg>`))
	v.Refresh()
	objs := v.r.Objects()
	p, l := pillBefore(objs)
	if p == nil || l.Text != "Kitchen 3" {
		t.Fatalf("no pill under the label %v", l)
	}
	if countTexts(objs) != 1 {
		t.Errorf("%d labels, want 1 (the unnamed room has none)", countTexts(objs))
	}
	if d := discBefore(objs); d == nil || d.FillColor != labelPill() || d.Size().Width <= itemSize {
		t.Errorf("no disc of the theme's background behind the device: %v", d)
	}
	if p.FillColor != labelPill() || p.Position().X > l.Position().X || p.Size().Width < l.MinSize().Width || p.Position().Y > l.Position().Y {
		t.Errorf("pill %v at %v size %v; label at %v size %v", p.FillColor, p.Position(), p.Size(), l.Position(), l.MinSize())
	}
}
