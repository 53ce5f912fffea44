package ui

import (
	"fmt"
	"image/color"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"github.com/twinstudio/twinstudio/app"
	"github.com/twinstudio/twinstudio/app/planpaint"
	"github.com/twinstudio/twinstudio/engine"
)

// planStudio opens the quickstart in a studio window on the Plan tab,
// showing Floor 1.
func planStudio(t *testing.T, a *app.App) (*Studio, fyne.Window, *planTab) {
	t.Helper()
	s, w := newStudioWindow(t, a)
	if !s.ShowPlan() { // the quickstart ships a plan
		t.Fatal("ShowPlan: no plan")
	}
	p := s.plan
	if got := p.floorSel.Selected; got != "Quickstart Building / Floor 1" {
		t.Fatalf("floor shown %q, want Floor 1 (options %v)", got, p.floorSel.Options)
	}
	return s, w, p
}

// clearPlan deletes the shown floor's plan (the quickstart ships one), as
// if there had never been one: the undo history is cleared.
func clearPlan(t *testing.T, s *Studio, p *planTab) {
	t.Helper()
	if err := s.ctl.do("clear", func(tx *engine.Tx) error { return tx.DeleteFloorPlan(p.floor) }); err != nil {
		t.Fatal(err)
	}
	s.ctl.editor.Clear()
	p.reload()
}

// at is plan point (x, y) on the canvas, in window coordinates.
func at(p *planTab, x, y float64) fyne.Position {
	return treePosition(p.sh.win.Canvas(), p.view).Add(p.view.pos(planpaint.Point{X: x, Y: y}))
}

// driverAt is plan point (x, y) in absolute canvas coordinates as the
// driver reports them (AbsolutePositionForObject): what a drop from the
// tree, which converts absolute positions, is given.
func driverAt(p *planTab, x, y float64) fyne.Position {
	return fyne.CurrentApp().Driver().AbsolutePositionForObject(p.view).Add(p.view.pos(planpaint.Point{X: x, Y: y}))
}

// treePosition is o's position on canvas c as the test driver finds
// objects under a tap or a drag: the sum of the positions down the tree
// from the content (the driver's AbsolutePositionForObject can differ by
// a few pixels, enough to snap a point to the next grid step).
func treePosition(c fyne.Canvas, o fyne.CanvasObject) fyne.Position {
	var walk func(n fyne.CanvasObject, off fyne.Position) (fyne.Position, bool)
	walk = func(n fyne.CanvasObject, off fyne.Position) (fyne.Position, bool) {
		pos := off.Add(n.Position())
		if n == o {
			return pos, true
		}
		var kids []fyne.CanvasObject
		if w, ok := n.(fyne.Widget); ok {
			kids = test.WidgetRenderer(w).Objects()
		} else if c, ok := n.(*fyne.Container); ok {
			kids = c.Objects
		}
		for _, k := range kids {
			if p, ok := walk(k, pos); ok {
				return p, true
			}
		}
		return fyne.Position{}, false
	}
	p, ok := walk(c.Content(), fyne.Position{})
	if !ok {
		return fyne.CurrentApp().Driver().AbsolutePositionForObject(o)
	}
	return p
}

// drag drags on the plan from plan point (x0, y0) to (x1, y1).
func drag(w fyne.Window, p *planTab, x0, y0, x1, y1 float64) {
	a, b := at(p, x0, y0), at(p, x1, y1)
	test.Drag(w.Canvas(), a, b.X-a.X, b.Y-a.Y)
}

// storedPlan is the floor's stored plan (nil: none).
func storedPlan(a *app.App, p *planTab) *engine.FloorPlan {
	fp, _ := a.FloorPlan(p.floor)
	return fp
}

func spaceNamed(t *testing.T, s *Studio, label string) engine.ID {
	t.Helper()
	_, id, _ := parseNode(mustFind(t, s.model, label))
	return id
}

// TestPlan_drawLinkUndo draws a rectangle (snapped to the grid), links it
// to a room, creates a room from a polygon, and undoes and redoes it all.
func TestPlan_drawLinkUndo(t *testing.T) {
	test.NewTempApp(t)
	a := mustOpenExample(t, "plan", "quickstart")
	s, w, p := planStudio(t, a)
	clearPlan(t, s, p)

	p.toolSel.SetSelected("Rectangle")
	drag(w, p, 2, 2, 10, 8)
	fp := storedPlan(a, p)
	if fp == nil || len(fp.Shapes) != 1 {
		t.Fatalf("after drawing: plan %+v, error %v", fp, s.lastErr)
	}
	want := []engine.PlanPoint{{X: 2, Y: 2}, {X: 10, Y: 2}, {X: 10, Y: 8}, {X: 2, Y: 8}}
	if fmt.Sprint(fp.Shapes[0].Points) != fmt.Sprint(want) || !fp.Shapes[0].SpaceID.IsZero() {
		t.Fatalf("shape %+v, want %v unlinked", fp.Shapes[0], want)
	}
	if p.info.Text != "Unlinked shape · 48.0 m²" {
		t.Errorf("info %q", p.info.Text)
	}

	focus := spaceNamed(t, s, "Focus Room A1 · Room/FocusRoom")
	p.roomSel.SetSelected("Focus Room A1")
	if fp = storedPlan(a, p); fp.Shapes[0].SpaceID != focus {
		t.Fatalf("linked to %v, want %v (error %v)", fp.Shapes[0].SpaceID, focus, s.lastErr)
	}
	if err := p.setScale("0.5"); err != nil {
		t.Fatal(err)
	}
	if p.info.Text != "Focus Room A1 · 12.0 m²" {
		t.Errorf("info at 0.5 m a unit %q", p.info.Text)
	}
	if err := p.setScale("-1"); err == nil {
		t.Error("scale -1 accepted")
	}
	// A finer grid: corners snap to it, and it is undone like any edit.
	if err := p.setGrid("0.25"); err != nil || storedPlan(a, p).Grid != 0.25 || p.pm.grid != 0.25 || p.grid.Text != "0.25" {
		t.Fatalf("grid 0.25: %v, stored %v, view %v, field %q", err, storedPlan(a, p).Grid, p.pm.grid, p.grid.Text)
	}
	if got := p.view.snap(planpaint.Point{X: 3.13, Y: 4.2}); got != (planpaint.Point{X: 3.25, Y: 4.25}) {
		t.Errorf("snapped to %v on a 0.25 grid", got)
	}
	for _, bad := range []string{"0", "-1", "x", "0.001", "5000"} {
		if err := p.setGrid(bad); err == nil {
			t.Errorf("grid %q accepted", bad)
		}
	}
	if err := s.edits.undo(); err != nil || p.pm.grid == 0.25 {
		t.Fatalf("undo of the grid: %v, grid %v", err, p.pm.grid)
	}

	// A polygon: three clicks, then a click on the first point closes it.
	p.toolSel.SetSelected("Polygon")
	for _, q := range [][2]float64{{20, 2}, {30, 2}, {25, 10}, {20, 2}} {
		test.TapCanvas(w.Canvas(), at(p, q[0], q[1]))
	}
	if fp = storedPlan(a, p); len(fp.Shapes) != 2 || len(fp.Shapes[1].Points) != 3 {
		t.Fatalf("after the polygon: %+v (error %v)", fp.Shapes, s.lastErr)
	}
	if err := p.createRoom("Room 12"); err != nil {
		t.Fatal(err)
	}
	room := spaceNamed(t, s, "Room 12 · Room")
	if fp = storedPlan(a, p); fp.Shapes[1].SpaceID != room || s.ctl.selected != spaceNode(room) {
		t.Fatalf("created room not linked/selected: %+v, selected %s", fp.Shapes[1], s.ctl.selected)
	}

	// One undo removes the room and its link together.
	if err := s.edits.undo(); err != nil {
		t.Fatal(err)
	}
	if s.model.exists(spaceNode(room)) || !storedPlan(a, p).Shapes[1].SpaceID.IsZero() {
		t.Fatal("undo left the created room or its link")
	}
	for range 4 { // polygon, scale, link, rectangle
		if err := s.edits.undo(); err != nil {
			t.Fatal(err)
		}
	}
	if fp = storedPlan(a, p); fp != nil && len(fp.Shapes) != 0 || len(p.pm.shapes) != 0 {
		t.Fatalf("after undoing everything: %+v, view %d shapes", fp, len(p.pm.shapes))
	}
	if err := s.edits.redo(); err != nil {
		t.Fatal(err)
	}
	if fp = storedPlan(a, p); fp == nil || len(fp.Shapes) != 1 || len(p.pm.shapes) != 1 {
		t.Fatalf("redo did not bring the rectangle back: %+v", fp)
	}
}

// TestPlan_moveResizeDelete moves a room by dragging it, resizes it by a
// handle and deletes it.
func TestPlan_moveResizeDelete(t *testing.T) {
	test.NewTempApp(t)
	a := mustOpenExample(t, "plan", "quickstart")
	s, w, p := planStudio(t, a)
	clearPlan(t, s, p)
	p.toolSel.SetSelected("Rectangle")
	drag(w, p, 2, 2, 6, 6)
	p.toolSel.SetSelected("Select / move")
	drag(w, p, 4, 4, 7, 5) // moves by (3, 1)
	fp := storedPlan(a, p)
	if got := fmt.Sprint(fp.Shapes[0].Points); got != "[{5 3} {9 3} {9 7} {5 7}]" {
		t.Fatalf("moved to %s", got)
	}
	drag(w, p, 9, 7, 12, 9) // the bottom right handle
	if got := fmt.Sprint(storedPlan(a, p).Shapes[0].Points); got != "[{5 3} {9 3} {12 9} {5 7}]" {
		t.Fatalf("resized to %s", got)
	}
	if err := p.deleteShape(); err != nil {
		t.Fatal(err)
	}
	if n := len(storedPlan(a, p).Shapes); n != 0 {
		t.Fatalf("%d shapes after delete", n)
	}
}

// TestPlan_placeDevice places the tree's selected device with the place
// tool, moves it by dragging, and drops a sensor from the tree.
func TestPlan_placeDevice(t *testing.T) {
	test.NewTempApp(t)
	a := mustOpenExample(t, "plan", "quickstart")
	s, w, p := planStudio(t, a)
	clearPlan(t, s, p)
	dev := mustFind(t, s.model, "Raspberry Pi 3 A1 (1234567890AB)")
	s.selectNode(dev)
	if err := p.startPlacing(s.ctl.selected); err != nil {
		t.Fatal(err)
	}
	test.TapCanvas(w.Canvas(), at(p, 12.1, 8.1))
	fp := storedPlan(a, p)
	_, devID, _ := parseNode(dev)
	if fp == nil || len(fp.Items) != 1 || fp.Items[0] != (engine.PlanItem{ID: devID, X: 12, Y: 8}) {
		t.Fatalf("placed: %+v (error %v)", fp, s.lastErr)
	}
	if !p.pm.items[0].offline || p.pm.items[0].icon == nil {
		t.Errorf("item %+v: want an icon and offline (no broker)", p.pm.items[0])
	}
	drag(w, p, 12, 8, 15, 9)
	if it := storedPlan(a, p).Items[0]; it.X != 15 || it.Y != 9 {
		t.Fatalf("moved to %+v", it)
	}
	sensor := mustFind(t, s.model, "Motion · SAMPLE_SENSOR_MOTION")
	if !p.dropFromTree(sensor, driverAt(p, 3, 4)) {
		t.Fatalf("drop on the plan refused (error %v)", s.lastErr)
	}
	if p.dropFromTree(sensor, fyne.NewPos(1, 1)) {
		t.Error("a drop outside the plan was taken")
	}
	if fp = storedPlan(a, p); len(fp.Items) != 2 || fp.Items[1].X != 3 || fp.Items[1].Y != 4 {
		t.Fatalf("dropped: %+v", fp.Items)
	}
	// A real drag of the CO₂ sensor's row from the tree onto the plan.
	co2 := mustFind(t, s.model, "CarbonDioxide · SAMPLE_SENSOR_CARBONDIOXIDE")
	s.selectNode(co2)
	var row *treeRow
	s.tree.rowsMu.Lock()
	for r := range s.tree.rows {
		if r.uid == co2 {
			row = r
		}
	}
	s.tree.rowsMu.Unlock()
	if row == nil {
		t.Fatal("no tree row for the CO₂ sensor")
	}
	from := fyne.CurrentApp().Driver().AbsolutePositionForObject(row).AddXY(30, 10)
	// The row turns a synthetic drag's press point into an absolute one
	// by the driver's position of the row, which differs from where the
	// driver found it by off.
	off := fyne.CurrentApp().Driver().AbsolutePositionForObject(row).Subtract(treePosition(w.Canvas(), row))
	to := driverAt(p, 20, 10).Subtract(off)
	test.Drag(w.Canvas(), from, to.X-from.X, to.Y-from.Y)
	if fp = storedPlan(a, p); len(fp.Items) != 3 || fp.Items[2].X != 20 || fp.Items[2].Y != 10 {
		t.Fatalf("dragged from the tree: %+v (error %v)", fp.Items, s.lastErr)
	}
	if err := p.startPlacing(mustFind(t, s.model, "Floor 1 · Floor")); err == nil {
		t.Error("placing a space accepted")
	}
}

// send submits a reading of the quickstart's sensor hw and polls.
func send(t *testing.T, s *Studio, hw, value string) { sendPoll(t, s, hw, value, time.Now()) }

// sendPoll submits a reading received at when, waits for it and polls.
func sendPoll(t *testing.T, s *Studio, hw, value string, when time.Time) {
	t.Helper()
	a := s.app
	before := a.Pipeline().Stats().Accepted
	sendAt(t, a, hw, value, when)
	waitFor(t, "the reading", func() bool { return a.Pipeline().Stats().Accepted > before },
		func() string { return fmt.Sprintf("%+v", a.Pipeline().Rejections()) })
	s.tick()
}

// quickPlan stores a plan of the quickstart's three rooms on Floor 1.
func quickPlan(t *testing.T, s *Studio, p *planTab) {
	t.Helper()
	fp := &engine.FloorPlan{FloorID: p.floor, Scale: 0.5, Width: 40, Height: 25, Grid: 0.5}
	for i, name := range []string{"Focus Room A1 · Room/FocusRoom", "Conference Room 11 · Room/ConferenceRoom", "Area A · Area"} {
		x := 2 + 13*float64(i)
		fp.Shapes = append(fp.Shapes, engine.PlanShape{SpaceID: spaceNamed(t, s, name),
			Points: []engine.PlanPoint{{X: x, Y: 2}, {X: x + 11, Y: 2}, {X: x + 11, Y: 14}, {X: x, Y: 14}}})
	}
	fp.Shapes = append(fp.Shapes, engine.PlanShape{Points: []engine.PlanPoint{{X: 2, Y: 16}, {X: 20, Y: 16}, {X: 11, Y: 23}}})
	_, dev, _ := parseNode(mustFind(t, s.model, "Raspberry Pi 3 A1 (1234567890AB)"))
	fp.Items = []engine.PlanItem{{ID: dev, X: 7.5, Y: 11}}
	if err := p.store("Plan", fp, ""); err != nil {
		t.Fatal(err)
	}
}

// planStudioWith opens the quickstart in a test app's studio window on
// the Plan tab, its Floor 1 plan prepared by prepare (clearPlan,
// quickPlan).
func planStudioWith(t *testing.T, prepare func(*testing.T, *Studio, *planTab)) (*app.App, *Studio, *planTab) {
	t.Helper()
	test.NewTempApp(t)
	a := mustOpenExample(t, "plan", "quickstart")
	s, _, p := planStudio(t, a)
	prepare(t, s, p)
	return a, s, p
}

// fillAt is the canvas colour at plan point (x, y).
func fillAt(w fyne.Window, p *planTab, x, y float64) color.Color {
	q := at(p, x, y)
	return w.Canvas().Capture().At(int(q.X), int(q.Y))
}

// TestPlan_coloursFollowValues: a motion reading turns the room occupied,
// the next one free; coloured by CO₂ it follows the scale; the hover
// names the room and its values; a click selects the room.
func TestPlan_coloursFollowValues(t *testing.T) {
	test.NewTempApp(t)
	a := mustOpenExample(t, "plan", "quickstart")
	s, w, p := planStudio(t, a)
	quickPlan(t, s, p)
	if got := p.pm.shapes[0].fill; got != planpaint.Unknown {
		t.Fatalf("no value yet: fill %v", got)
	}
	before := fillAt(w, p, 4, 4)
	send(t, s, "SAMPLE_SENSOR_MOTION", "true")
	if got := p.pm.shapes[0].fill; got != planpaint.Occupied {
		t.Fatalf("after motion: fill %v, want occupied", got)
	}
	if fillAt(w, p, 4, 4) == before {
		t.Error("the canvas did not change colour")
	}
	send(t, s, "SAMPLE_SENSOR_MOTION", "false")
	if got := p.pm.shapes[0].fill; got != planpaint.Free {
		t.Fatalf("after no motion: fill %v, want free", got)
	}

	send(t, s, "SAMPLE_SENSOR_CARBONDIOXIDE", "1500")
	if !contains(p.colourSel.Options, "CarbonDioxide") {
		t.Fatalf("colour options %v", p.colourSel.Options)
	}
	p.colourSel.SetSelected("CarbonDioxide")
	if got := p.pm.shapes[0].fill; got != planpaint.Ramp(1500, 400, 1500) {
		t.Fatalf("CO₂ 1500: fill %v", got)
	}
	send(t, s, "SAMPLE_SENSOR_CARBONDIOXIDE", "450")
	if got := p.pm.shapes[0].fill; got != planpaint.Ramp(450, 400, 1500) {
		t.Fatalf("CO₂ 450: fill %v", got)
	}

	// The quickstart's UDF judges the room from motion and CO₂.
	waitFor(t, "AvailableAndFresh", func() bool {
		v, ok := s.model.spaceValue(p.pm.shapes[0].space, "AvailableAndFresh")
		return ok && v == "Room is available and air is fresh"
	})
	s.tick()
	p.colourSel.SetSelected(alertPrefix + "AvailableAndFresh")
	if got := p.pm.shapes[0].fill; got != planpaint.AlertOff {
		t.Fatalf("available and fresh: fill %v", got)
	}
	send(t, s, "SAMPLE_SENSOR_MOTION", "true")
	waitFor(t, "not available", func() bool {
		v, _ := s.model.spaceValue(p.pm.shapes[0].space, "AvailableAndFresh")
		return v == "Room is not available or air quality is poor"
	})
	s.tick()
	if got := p.pm.shapes[0].fill; got != planpaint.AlertOn {
		t.Fatalf("not available: fill %v", got)
	}

	// The hover gives a sensor's unit where it has one.
	co2 := *mustSensor(t, a, "SAMPLE_SENSOR_CARBONDIOXIDE")
	if err := a.Engine().Update(func(tx *engine.Tx) (err error) {
		if co2.DataUnitTypeID, err = tx.ResolveType(engine.SensorDataUnitType, "PartsPerMillion", co2.SpaceID); err != nil {
			return err
		}
		return tx.UpdateSensor(&co2)
	}); err != nil {
		t.Fatal(err)
	}
	send(t, s, "SAMPLE_SENSOR_CARBONDIOXIDE", "450")
	s.tick()
	p.view.hover(at(p, 4, 4).Subtract(treePosition(w.Canvas(), p.view)))
	if got := p.view.r.tip.Text; !p.view.r.tip.Visible() ||
		!containsPrefix([]string{got}, "Focus Room A1 · 33.0 m²\nAvailableAndFresh: Room is not available or air quality is poor\nCarbonDioxide: 450 ppm\nMotion: true") {
		t.Errorf("hover %q", got)
	}
	test.TapCanvas(w.Canvas(), at(p, 20, 5))
	if s.ctl.selected != mustFind(t, s.model, "Conference Room 11 · Room/ConferenceRoom") {
		t.Errorf("click selected %q", s.ctl.selected)
	}
}

// TestPlan_goldenImages compares the Plan tab of the quickstart's plan
// coloured by occupancy (Focus Room A1 occupied, the others without a
// value, the device placed) with testdata/plan-dark.png and
// plan-light.png.
func TestPlan_goldenImages(t *testing.T) {
	fa := test.NewTempApp(t)
	dir := filepath.Join(os.TempDir(), "twinstudio-plan-golden")
	os.RemoveAll(dir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	a, err := app.Open(filepath.Join(dir, "quickstart.twin"), app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	if _, err := a.ProvisionFile(filepath.Join("..", "examples", "quickstart", "provision.yaml")); err != nil {
		t.Fatal(err)
	}
	for _, v := range []struct {
		name    string
		variant fyne.ThemeVariant
	}{{"plan-dark.png", theme.VariantDark}, {"plan-light.png", theme.VariantLight}} {
		fa.Settings().SetTheme(variantTheme{theme.DefaultTheme(), v.variant})
		s, w, p := planStudio(t, a)
		if _, ok := s.model.sensorValue(mustSensor(t, a, "SAMPLE_SENSOR_MOTION").ID); !ok {
			send(t, s, "SAMPLE_SENSOR_MOTION", "true")
		}
		s.tick()
		p.recolour()
		s.timeBar.content.Hide() // its range follows the readings' wall-clock times
		test.AssertImageMatches(t, v.name, w.Canvas().Capture())
	}
}

// TestPlan_imports: a GeoJSON file's rooms become the plan as one undoable
// edit; a PNG and an SVG background show under the rooms; a file that is
// neither is refused.
func TestPlan_imports(t *testing.T) {
	a, s, p := planStudioWith(t, clearPlan)
	dir := t.TempDir()
	geo := filepath.Join(dir, "floor1.geojson")
	writeFile(t, geo, `{"type": "FeatureCollection", "features": [
	  {"type": "Feature", "properties": {"name": "Focus Room A1"},
	   "geometry": {"type": "Polygon", "coordinates": [[[0,0],[6,0],[6,4],[0,4],[0,0]]]}},
	  {"type": "Feature", "properties": {"name": "Nowhere"},
	   "geometry": {"type": "Polygon", "coordinates": [[[8,0],[12,0],[12,4],[8,0]]]}}]}`)
	if err := p.importGeoJSON(geo); err != nil {
		t.Fatal(err)
	}
	fp := storedPlan(a, p)
	if fp == nil || len(fp.Shapes) != 2 || fp.Shapes[0].SpaceID != spaceNamed(t, s, "Focus Room A1 · Room/FocusRoom") ||
		!fp.Shapes[1].SpaceID.IsZero() || len(p.pm.shapes) != 2 || p.pm.shapes[0].label != "Focus Room A1" {
		t.Fatalf("imported %+v", fp)
	}
	if err := s.edits.undo(); err != nil || len(p.pm.shapes) != 0 {
		t.Fatalf("undo of the import: %v, %d shapes", err, len(p.pm.shapes))
	}

	svg := filepath.Join(dir, "floor1.svg")
	writeFile(t, svg, `<svg xmlns="http://www.w3.org/2000/svg" width="400" height="250"><rect x="10" y="10" width="380" height="230" fill="none" stroke="black"/></svg>`)
	if err := p.importBackground(svg); err != nil {
		t.Fatal(err)
	}
	if p.pm.bg == nil || filepath.Ext(p.pm.bg.Name()) != ".svg" {
		t.Fatalf("background %v", p.pm.bg)
	}
	// Any later edit of the plan reloads it: the drawing stays shown.
	if err := p.setScale("1.6"); err != nil {
		t.Fatal(err)
	}
	if p.pm.bg == nil || filepath.Ext(p.pm.bg.Name()) != ".svg" {
		t.Fatalf("after setting the scale the plan shows background %v", p.pm.bg)
	}
	bad := filepath.Join(dir, "floor1.txt")
	writeFile(t, bad, "not an image")
	if err := p.importBackground(bad); err == nil {
		t.Error("a text file accepted as background")
	}
	if p.pm.bg == nil || filepath.Ext(p.pm.bg.Name()) != ".svg" {
		t.Errorf("a refused background replaced the SVG: %v", p.pm.bg)
	}
}

// TestPlan_occupancyStates: occupancy is free, occupied or stale by the
// reading's value and age (space values: stale after staleMin).
func TestPlan_occupancyStates(t *testing.T) {
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	c := &planColours{}
	for _, tc := range []struct {
		value string
		age   time.Duration
		want  color.NRGBA
	}{
		{"true", time.Minute, planpaint.Occupied}, {"1", 0, planpaint.Occupied}, {"occupied", 0, planpaint.Occupied},
		{"false", 14 * time.Minute, planpaint.Free}, {"0", 0, planpaint.Free},
		{"true", 16 * time.Minute, planpaint.Stale}, {"false", time.Hour, planpaint.Stale},
	} {
		vals := map[string]roomValue{"Occupancy": {Value: engine.Value{Value: tc.value, Time: now.Add(-tc.age)}}}
		if got := c.occupancy(vals, now); got != tc.want {
			t.Errorf("%s %v old: %v, want %v", tc.value, tc.age, got, tc.want)
		}
	}
	if got := c.occupancy(map[string]roomValue{"Temperature": {}}, now); got != planpaint.Unknown {
		t.Errorf("no occupancy value: %v", got)
	}
	for text, want := range map[string]bool{"Room is not available or air quality is poor": true,
		"Room is available and air is fresh": false, "true": true, "false": false, "CO2 high": true} {
		if alerting(text) != want {
			t.Errorf("alerting(%q) = %v", text, !want)
		}
	}
}

// spaceValue is space id's current value name.
func (m *viewModel) spaceValue(id engine.ID, name string) (string, bool) {
	var v engine.Value
	var ok bool
	m.view(func(view *engine.View) { v, ok = view.SpaceValue(id, name) })
	return v.Value, ok
}

// TestPlan_pastMoment: with the time slider on an older moment the plan
// shows the occupancy of then; back to live, of now.
func TestPlan_pastMoment(t *testing.T) {
	a, s, p := planStudioWith(t, quickPlan)
	send(t, s, "SAMPLE_SENSOR_MOTION", "true")
	v, _ := s.model.sensorValue(mustSensor(t, a, "SAMPLE_SENSOR_MOTION").ID)
	time.Sleep(20 * time.Millisecond)
	send(t, s, "SAMPLE_SENSOR_MOTION", "false")
	if got := p.pm.shapes[0].fill; got != planpaint.Free {
		t.Fatalf("live: %v, want free", got)
	}
	s.cursor.Set(v.Time)
	if got := p.pm.shapes[0].fill; got != planpaint.Occupied {
		t.Fatalf("at %v: %v, want occupied", v.Time, got)
	}
	s.cursor.Set(time.Time{})
	if got := p.pm.shapes[0].fill; got != planpaint.Free {
		t.Fatalf("live again: %v, want free", got)
	}
}

// sensorValue is sensor id's current value.
func (m *viewModel) sensorValue(id engine.ID) (engine.Value, bool) {
	var v engine.Value
	var ok bool
	m.view(func(view *engine.View) { v, ok = view.SensorValue(id) })
	return v, ok
}

// TestPlan_staleReading: a motion sensor that reported every 10 minutes
// and fell silent for 40 is stale (3× its interval); after a fresh
// reading it is occupied again.
func TestPlan_staleReading(t *testing.T) {
	a, s, p := planStudioWith(t, quickPlan)
	now := time.Now()
	for i := 7; i >= 4; i-- {
		sendPoll(t, s, "SAMPLE_SENSOR_MOTION", "true", now.Add(-time.Duration(i)*10*time.Minute))
	}
	if v, _ := s.model.sensorValue(mustSensor(t, a, "SAMPLE_SENSOR_MOTION").ID); now.Sub(v.Time) < 35*time.Minute {
		t.Fatalf("the reading's time %v is not the message's", v.Time)
	}
	if got := p.pm.shapes[0].fill; got != planpaint.Stale {
		t.Fatalf("silent for 40 min (every 10): %v, want stale", got)
	}
	if got := p.colour.staleAfter(mustSensor(t, a, "SAMPLE_SENSOR_MOTION").ID, now.Add(-40*time.Minute)); got != 30*time.Minute {
		t.Errorf("stale after %v, want 30m", got)
	}
	send(t, s, "SAMPLE_SENSOR_MOTION", "true")
	if got := p.pm.shapes[0].fill; got != planpaint.Occupied {
		t.Fatalf("fresh: %v, want occupied", got)
	}
}

// TestPlan_backgroundUndo: setting, replacing and removing the background
// are edits like the others: undo and redo bring back the plan's
// background name and the drawing shown, and the undo menu names them.
func TestPlan_backgroundUndo(t *testing.T) {
	a, s, p := planStudioWith(t, clearPlan)
	dir := t.TempDir()
	first, second := filepath.Join(dir, "first.svg"), filepath.Join(dir, "sub", "first.svg")
	writeFile(t, first, `<svg xmlns="http://www.w3.org/2000/svg" width="40" height="25"><rect width="40" height="25"/></svg>`)
	if err := os.Mkdir(filepath.Dir(second), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, second, `<svg xmlns="http://www.w3.org/2000/svg" width="40" height="25"><circle r="5"/></svg>`)
	shows := func(what, want, file string) {
		t.Helper()
		stored := ""
		if fp := storedPlan(a, p); fp != nil {
			stored = fp.Background
		}
		if stored != want {
			t.Fatalf("%s: stored background %q, want %q (error %v)", what, stored, want, s.lastErr)
		}
		if file == "" {
			if p.pm.bg != nil {
				t.Fatalf("%s: the plan shows %s", what, p.pm.bg.Name())
			}
			return
		}
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if p.pm.bg == nil || string(p.pm.bg.Content()) != string(data) {
			t.Fatalf("%s: the plan shows %v, want the drawing of %s", what, p.pm.bg, file)
		}
	}
	if err := p.removeBackground(); err == nil {
		t.Error("removing no background succeeded")
	}
	if err := p.importBackground(first); err != nil {
		t.Fatal(err)
	}
	shows("set", "first.svg", first)
	if l, _ := s.ctl.editor.UndoLabel(); l != "Set plan background first.svg" {
		t.Errorf("undo label %q", l)
	}
	if err := p.importBackground(second); err != nil { // another drawing of the same name
		t.Fatal(err)
	}
	shows("replaced", "first (2).svg", second)
	if err := p.removeBackground(); err != nil {
		t.Fatal(err)
	}
	shows("removed", "", "")

	steps := []struct {
		undo       bool
		what, want string
		file       string
	}{
		{true, "undo remove", "first (2).svg", second},
		{true, "undo replace", "first.svg", first},
		{true, "undo set", "", ""},
		{false, "redo set", "first.svg", first},
		{false, "redo replace", "first (2).svg", second},
	}
	for _, st := range steps {
		f := s.edits.redo
		if st.undo {
			f = s.edits.undo
		}
		if err := f(); err != nil {
			t.Fatalf("%s: %v", st.what, err)
		}
		shows(st.what, st.want, st.file)
	}
}

// TestPlan_offlineAtPastMoment: at a past moment a placed device is
// marked offline by its readings then, not by its latest one: online
// just after a reading, offline an hour after it with none since; live
// it is online after its latest reading. The legend explains the mark.
func TestPlan_offlineAtPastMoment(t *testing.T) {
	_, s, p := planStudioWith(t, quickPlan)
	now := time.Now()
	sendPoll(t, s, "SAMPLE_SENSOR_MOTION", "true", now.Add(-2*time.Hour))
	send(t, s, "SAMPLE_SENSOR_MOTION", "false")
	offline := func(what string, want bool) {
		t.Helper()
		if got := p.pm.items[0].offline; got != want {
			t.Errorf("%s: offline %v, want %v", what, got, want)
		}
	}
	offline("live", false)
	s.cursor.Set(now.Add(-2*time.Hour + time.Minute))
	offline("a minute after a reading", false)
	s.cursor.Set(now.Add(-time.Hour))
	offline("an hour after a reading", true)
	s.cursor.Set(now.Add(-3 * time.Hour))
	offline("before any reading", true)
	s.cursor.Set(time.Time{})
	offline("live again", false)
	if got := strings.Join(texts(visibleLabels(p.legend)), "\n"); !strings.Contains(got, "device offline") {
		t.Errorf("legend:\n%s", got)
	}
}
