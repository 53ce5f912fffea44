package ui

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/twinstudio/twinstudio/app"
	"github.com/twinstudio/twinstudio/app/planpaint"
	"github.com/twinstudio/twinstudio/engine"
)

// valuesAtFunc answers the values of owners (spaces and sensors) at a past
// moment: (*app.App).ValuesAt.
type valuesAtFunc func(owners []engine.ID, t time.Time) (map[engine.ID]map[string]engine.Value, error)

// planTab is the Plan tab: a floor's plan (planView) with its tools above
// (floor, tool, place, delete, background and GeoJSON imports, the
// selected room's link, the scale, the colouring) and the legend below.
// Every geometry edit is one undoable step of the studio's editor. It is
// used on Fyne's goroutine only.
type planTab struct {
	sh       *shell
	a        *app.App
	m        *viewModel
	ctl      *controller
	cursor   *timeCursor
	valuesAt valuesAtFunc             // the values at a past moment (tests may replace it)
	onSelect func(node string)        // a linked room was clicked
	simClock func() (time.Time, bool) // the running simulation's clock, if one runs
	showing  func() bool              // the tab is the one shown

	floors []engine.ID
	floor  engine.ID
	plan   *engine.FloorPlan // the floor's plan as stored, or a new one
	bgKey  string            // the background the model's resource was made from

	pm      *planModel
	view    *planView
	placing engine.ID // the device or sensor the place tool places
	colour  *planColours

	floorSel, toolSel, roomSel, colourSel *widget.Select
	scale, grid                           *widget.Entry  // metres per unit; the snap step in units
	noBg                                  *widget.Button // removes the background: enabled when there is one
	info                                  *widget.Label
	legend                                *fyne.Container
	content                               fyne.CanvasObject
}

// The tools, as the tool select names them.
var planTools = []string{"Select / move", "Rectangle", "Polygon"}

// noRoom is the room select's entry for an unlinked shape.
const noRoom = "(not linked)"

func newPlanTab(sh *shell, a *app.App, m *viewModel, ctl *controller, cursor *timeCursor) *planTab {
	t := &planTab{sh: sh, a: a, m: m, ctl: ctl, cursor: cursor, pm: &planModel{}, valuesAt: a.ValuesAt}
	t.colour = &planColours{t: t}
	t.view = newPlanView(t.pm)
	t.view.onEdit = t.commit
	t.view.onPick = t.picked
	t.view.onPlace = t.placeAt
	t.floorSel = widget.NewSelect(nil, func(string) { t.pickFloor() })
	t.floorSel.PlaceHolder = "(no floor)"
	t.toolSel = widget.NewSelect(planTools, func(s string) {
		for i, n := range planTools {
			if n == s {
				t.view.setTool(planTool(i))
			}
		}
	})
	t.toolSel.SetSelectedIndex(0)
	t.roomSel = widget.NewSelect(nil, t.link)
	t.roomSel.PlaceHolder = "Link to room…"
	t.colourSel = widget.NewSelect(nil, func(string) { t.recolour() })
	t.scale = widget.NewEntry()
	t.scale.OnSubmitted = func(s string) { t.sh.act(t.setScale(s)) }
	t.grid = widget.NewEntry()
	t.grid.OnSubmitted = func(s string) { t.sh.act(t.setGrid(s)) }
	t.info = widget.NewLabel("")
	t.legend = container.New(newWrapRows())
	place := widget.NewButton("Place selected device", func() { t.sh.act(t.startPlacing(t.ctl.selected)) })
	del := widget.NewButton("Delete shape", func() { t.sh.act(t.deleteShape()) })
	create := widget.NewButton("Create room…", t.askRoomName)
	bg := widget.NewButton("Background…", func() {
		chooseFile(t.sh.win, t.a.Path(), "Plan background (PNG or SVG)", []string{".png", ".svg"}, t.sh.fail,
			func(p string) { t.sh.act(t.importBackground(p)) })
	})
	t.noBg = widget.NewButton("No background", func() { t.sh.act(t.removeBackground()) })
	geo := widget.NewButton("GeoJSON…", func() {
		chooseFile(t.sh.win, t.a.Path(), "Rooms from GeoJSON", []string{".geojson", ".json"}, t.sh.fail,
			func(p string) { t.sh.act(t.importGeoJSON(p)) })
	})
	// The tools wrap rather than push the inspector away.
	top := container.New(newWrapRows(),
		container.NewHBox(widget.NewLabel("Floor"), sized(t.floorSel, 230)), sized(t.toolSel, 150), place, del, bg, t.noBg, geo,
		container.NewHBox(widget.NewLabel("Room"), sized(t.roomSel, 200)), create,
		container.NewHBox(widget.NewLabel("Metres per unit"), sized(t.scale, 70)),
		container.NewHBox(widget.NewLabel("Grid"), sized(t.grid, 60)),
		container.NewHBox(widget.NewLabel("Colour by"), sized(t.colourSel, 190)),
	)
	t.info.Wrapping = fyne.TextWrapWord
	t.content = container.NewBorder(top, container.NewVBox(t.legend, t.info), nil, nil, t.view)
	return t
}

// sized is o at width w.
func sized(o fyne.CanvasObject, w float32) fyne.CanvasObject {
	return container.NewGridWrap(fyne.NewSize(w, o.MinSize().Height), o)
}

// reload re-reads the floors and the shown floor's plan, keeping the
// floor and the selection when they still exist.
func (t *planTab) reload() {
	t.floors = t.floors[:0]
	for _, f := range t.a.Floors() {
		if t.m.exists(spaceNode(f)) { // the floors the viewer may read
			t.floors = append(t.floors, f)
		}
	}
	names := make([]string, len(t.floors))
	keep := -1
	for i, f := range t.floors {
		names[i] = t.floorName(f)
		if f == t.floor {
			keep = i
		}
	}
	t.floorSel.OnChanged = nil
	t.floorSel.SetOptions(names)
	switch {
	case keep >= 0:
		t.floorSel.SetSelectedIndex(keep)
	case len(t.floors) > 0:
		i := t.firstFloor()
		t.floor = t.floors[i]
		t.floorSel.SetSelectedIndex(i)
	default:
		t.floor = engine.NilID
		t.floorSel.ClearSelected()
	}
	t.floorSel.OnChanged = func(string) { t.pickFloor() }
	t.load()
}

// firstFloor is the floor shown first: the first with a plan, else the
// first of type Floor, else the first.
func (t *planTab) firstFloor() int {
	for i, f := range t.floors {
		if _, ok := t.a.FloorPlan(f); ok {
			return i
		}
	}
	for i, f := range t.floors {
		if t.m.spaceTypeName(f) == "Floor" {
			return i
		}
	}
	return 0
}

// floorName is a floor's name after its parent's: "Building 1 / Floor 2".
func (t *planTab) floorName(id engine.ID) string {
	n := t.m.name(spaceNode(id))
	if p := t.m.parent(spaceNode(id)); p != "" {
		return t.m.name(p) + " / " + n
	}
	return n
}

// pickFloor shows the floor picked in the floor select.
func (t *planTab) pickFloor() {
	if i := t.floorSel.SelectedIndex(); i >= 0 && i < len(t.floors) && t.floors[i] != t.floor {
		t.floor = t.floors[i]
		t.view.selected = -1
		t.load()
	}
}

// load fills the view's model from the floor's stored plan.
func (t *planTab) load() {
	t.plan = nil
	if !t.floor.IsZero() {
		if p, ok := t.a.FloorPlan(t.floor); ok {
			t.plan = p
		} else {
			t.plan = &engine.FloorPlan{FloorID: t.floor, Scale: 1, Width: 40, Height: 25, Grid: 0.5}
		}
	}
	pm := t.pm
	// The drawing stays loaded: loadBackground replaces it only when the
	// floor or the background's name changed.
	*pm = planModel{w: 40, h: 25, grid: 0.5, bg: pm.bg}
	if t.plan != nil {
		pm.w, pm.h, pm.grid = orDefault(t.plan.Width, 40), orDefault(t.plan.Height, 25), orDefault(t.plan.Grid, 0.5)
		for _, s := range t.plan.Shapes {
			pts := make([]planpaint.Point, len(s.Points))
			for j, p := range s.Points {
				pts[j] = planpaint.Point{X: p.X, Y: p.Y}
			}
			pm.shapes = append(pm.shapes, planShape{pts: pts, space: s.SpaceID, label: t.roomName(s.SpaceID)})
		}
		for _, it := range t.plan.Items {
			pm.items = append(pm.items, planItem{id: it.ID, x: it.X, y: it.Y})
		}
		t.scale.SetText(strconv.FormatFloat(orDefault(t.plan.Scale, 1), 'g', -1, 64))
		t.grid.SetText(strconv.FormatFloat(pm.grid, 'g', -1, 64))
	}
	if t.view.selected >= len(pm.shapes) {
		t.view.selected = -1
	}
	t.loadBackground()
	if t.plan != nil && t.plan.Background != "" {
		t.noBg.Enable()
	} else {
		t.noBg.Disable()
	}
	t.colour.options()
	t.recolour()
	t.showSelection()
}

func orDefault(x, d float64) float64 {
	if x <= 0 {
		return d
	}
	return x
}

// roomName is the name of space id, "" for none or a deleted one.
func (t *planTab) roomName(id engine.ID) string {
	if id.IsZero() || !t.m.exists(spaceNode(id)) {
		return ""
	}
	return t.m.name(spaceNode(id))
}

// loadBackground makes the floor's background image the view's, when it
// changed.
func (t *planTab) loadBackground() {
	key := ""
	if t.plan != nil && t.plan.Background != "" {
		key = t.floor.String() + "/" + t.plan.Background
	}
	if key == t.bgKey {
		return
	}
	t.bgKey, t.pm.bg = key, nil
	if key == "" {
		return
	}
	name, data, err := t.a.PlanBackground(t.floor)
	if err != nil {
		t.sh.fail(err)
		return
	}
	t.pm.bg = fyne.NewStaticResource(backgroundName(name, data), data)
}

// backgroundName is name with the extension its bytes call for, so that
// Fyne renders an SVG as SVG.
func backgroundName(name string, data []byte) string {
	base := strings.TrimSuffix(name, filepath.Ext(name))
	if bytes.HasPrefix(data, []byte("\x89PNG")) {
		return base + ".png"
	}
	return base + ".svg"
}

// refreshItems sets the placed items' kinds, icons and states: offline
// is a device (or a sensor's device) not connected to the broker whose
// sensors sent nothing for staleMin before the colours' moment
// (simulated devices deliver without connecting). At a past moment, when
// the connection then is not known, offline is a device none of whose
// sensors sent anything in the staleMin before it.
func (t *planTab) refreshItems() {
	now := t.colour.now
	_, past := t.cursor.At()
	var heard map[engine.ID]bool
	if past {
		heard = t.heardAt(now)
	}
	t.m.view(func(v *engine.View) {
		for i := range t.pm.items {
			it := &t.pm.items[i]
			dev := it.id
			if s, ok := v.Sensor(it.id); ok {
				it.kind, dev = engine.KindSensor, s.DeviceID
			} else {
				it.kind = engine.KindDevice
			}
			d, ok := v.Device(dev)
			switch {
			case !ok:
				it.offline = true
			case past:
				it.offline = !heard[dev]
			default:
				it.offline = d.ConnectionState != engine.Connected && !heardFrom(v, dev, now)
			}
		}
	})
	for i := range t.pm.items {
		node := deviceNode(t.pm.items[i].id)
		if t.pm.items[i].kind == engine.KindSensor {
			node = sensorNode(t.pm.items[i].id)
		}
		t.pm.items[i].icon = iconResource(t.m.iconName(node))
	}
}

// heardAt is the set of the placed items' devices (an item's own, or its
// sensor's) one of whose sensors sent a reading in the staleMin before
// the past moment at.
func (t *planTab) heardAt(at time.Time) map[engine.ID]bool {
	deviceOf := map[engine.ID]engine.ID{} // sensor → device
	t.m.view(func(v *engine.View) {
		for _, it := range t.pm.items {
			dev := it.id
			if s, ok := v.Sensor(it.id); ok {
				dev = s.DeviceID
			}
			for _, n := range v.DeviceSensors(dev) {
				deviceOf[n.ID] = dev
			}
		}
	})
	heard := map[engine.ID]bool{}
	if len(deviceOf) == 0 || t.valuesAt == nil {
		return heard
	}
	sensors := make([]engine.ID, 0, len(deviceOf))
	for id := range deviceOf {
		sensors = append(sensors, id)
	}
	vals, err := t.valuesAt(sensors, at)
	if err != nil {
		t.sh.fail(err)
		return heard
	}
	for id, m := range vals {
		if v, ok := m[""]; ok && at.Sub(v.Time) <= staleMin {
			heard[deviceOf[id]] = true
		}
	}
	return heard
}

// heardFrom reports whether a sensor of device dev sent a reading within
// staleMin before now.
func heardFrom(v *engine.View, dev engine.ID, now time.Time) bool {
	for _, n := range v.DeviceSensors(dev) {
		if val, ok := v.SensorValue(n.ID); ok && now.Sub(val.Time) <= staleMin {
			return true
		}
	}
	return false
}

// live redraws the colours and device marks after a poll found new
// values; the poll runs at most 10 times a second.
func (t *planTab) live() {
	if t.plan != nil {
		t.recolour()
	}
}

// recolour colours every room by the chosen value at the cursor's moment
// and redraws.
func (t *planTab) recolour() {
	t.colour.apply()
	t.refreshItems()
	t.view.Refresh()
}

// ---- edits ----

// toPlan is the stored plan with the view's geometry.
func (t *planTab) toPlan() *engine.FloorPlan {
	p := *t.plan
	p.Shapes = make([]engine.PlanShape, len(t.pm.shapes))
	for i, s := range t.pm.shapes {
		pts := make([]engine.PlanPoint, len(s.pts))
		for j, q := range s.pts {
			pts[j] = engine.PlanPoint{X: q.X, Y: q.Y}
		}
		p.Shapes[i] = engine.PlanShape{SpaceID: s.space, Points: pts}
	}
	p.Items = make([]engine.PlanItem, len(t.pm.items))
	for i, it := range t.pm.items {
		p.Items[i] = engine.PlanItem{ID: it.id, X: it.x, Y: it.y}
	}
	return &p
}

// commit stores the view's geometry as one undoable edit labelled label;
// a refused edit puts the stored plan back.
func (t *planTab) commit(label string) {
	t.sh.act(t.store(label, t.toPlan(), ""))
}

// store puts plan p as one edit and redraws, selecting node sel.
func (t *planTab) store(label string, p *engine.FloorPlan, sel string) error {
	return t.edit(label, func(tx *engine.Tx) error { return tx.PutFloorPlan(p) }, sel)
}

// edit applies fn, a change of the floor's plan, as one edit labelled
// label if the viewer may update the floor, and redraws, selecting node
// sel; a refused edit puts the stored plan back.
func (t *planTab) edit(label string, fn func(tx *engine.Tx) error, sel string) error {
	if t.plan == nil {
		return errNoFloor
	}
	if err := t.m.may(engine.ActionUpdate, engine.ResSpace, t.floor); err != nil {
		t.load()
		return err
	}
	if err := t.ctl.do(label, fn); err != nil {
		t.load()
		return err
	}
	return t.sh.done(sel, nil)
}

var errNoFloor = fmt.Errorf("%w: the project has no floor (a space with rooms) to draw", engine.ErrInvalid)

// selectedShape is the selected shape's index, or an error.
func (t *planTab) selectedShape() (int, error) {
	if i := t.view.selected; i >= 0 && i < len(t.pm.shapes) {
		return i, nil
	}
	return -1, errors.New("select a shape on the plan first")
}

// link links the selected shape to the floor's child space named name
// (noRoom: unlinks it); a space linked to another shape leaves it.
func (t *planTab) link(name string) {
	i, err := t.selectedShape()
	if err != nil || t.roomSel.Selected == "" {
		return
	}
	id := engine.NilID
	if name != noRoom {
		if id = t.childSpace(name); id.IsZero() {
			return
		}
	}
	if t.pm.shapes[i].space == id {
		return
	}
	for j := range t.pm.shapes {
		if t.pm.shapes[j].space == id {
			t.pm.shapes[j].space = engine.NilID
		}
	}
	t.pm.shapes[i].space = id
	label := "Unlink room shape"
	if !id.IsZero() {
		label = "Link shape to " + name
	}
	t.commit(label)
}

// children are the floor's child spaces' names and ids.
func (t *planTab) children() (names []string, ids []engine.ID) {
	t.m.view(func(v *engine.View) {
		for _, s := range v.ChildSpaces(t.floor) {
			names, ids = append(names, s.Name), append(ids, s.ID)
		}
	})
	return names, ids
}

// childSpace is the floor's child space named name, or NilID.
func (t *planTab) childSpace(name string) engine.ID {
	names, ids := t.children()
	for i, n := range names {
		if n == name {
			return ids[i]
		}
	}
	return engine.NilID
}

// askRoomName asks for the name of the room to create from the selected
// shape.
func (t *planTab) askRoomName() {
	if _, err := t.selectedShape(); err != nil {
		t.sh.fail(err)
		return
	}
	if t.sh.win == nil {
		return
	}
	e := widget.NewEntry()
	dialog.ShowForm("Create room from shape", "Create", "Cancel", []*widget.FormItem{widget.NewFormItem("Name", e)},
		func(ok bool) {
			if ok {
				t.sh.act(t.createRoom(e.Text))
			}
		}, t.sh.win)
}

// createRoom creates a Room space named name under the floor and links
// the selected shape to it, as one edit; the new room is selected.
func (t *planTab) createRoom(name string) error {
	i, err := t.selectedShape()
	if err != nil {
		return err
	}
	name = strings.TrimSpace(name)
	if err := t.m.may(engine.ActionCreate, engine.ResSpace, t.floor); err != nil {
		return err
	}
	p := t.toPlan()
	var made engine.ID
	err = t.ctl.do("Create room "+name, func(tx *engine.Tx) error {
		sp := &engine.Space{Name: name, ParentID: t.floor}
		var err error
		if sp.TypeID, err = tx.ResolveType(engine.SpaceType, "Room", t.floor); err != nil {
			return err
		}
		if err = tx.CreateSpace(sp); err != nil {
			return err
		}
		made = sp.ID
		p.Shapes[i].SpaceID = sp.ID
		return tx.PutFloorPlan(p)
	})
	if err != nil {
		return err
	}
	return t.sh.done(spaceNode(made), nil)
}

// deleteShape deletes the selected shape (not its room).
func (t *planTab) deleteShape() error {
	i, err := t.selectedShape()
	if err != nil {
		return err
	}
	p := t.toPlan()
	p.Shapes = append(p.Shapes[:i], p.Shapes[i+1:]...)
	t.view.selected = -1
	return t.store("Delete room shape", p, "")
}

// setScale sets the plan's metres per unit.
func (t *planTab) setScale(s string) error {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || !(f > 0) || f > 1000 {
		return fmt.Errorf("%w: metres per unit: want a number above 0, got %q", engine.ErrInvalid, s)
	}
	return t.setSize(fmt.Sprintf("Set plan scale to %g m", f), func(p *engine.FloorPlan) { p.Scale = f })
}

// setGrid sets the plan's snap step, in plan units.
func (t *planTab) setGrid(s string) error {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || !(f >= 0.01) || f > 1000 {
		return fmt.Errorf("%w: grid: want a step in plan units from 0.01 to 1000, got %q", engine.ErrInvalid, s)
	}
	return t.setSize(fmt.Sprintf("Set plan grid to %g", f), func(p *engine.FloorPlan) { p.Grid = f })
}

// setSize stores the plan with set applied, as one edit labelled label.
func (t *planTab) setSize(label string, set func(p *engine.FloorPlan)) error {
	if t.plan == nil {
		return errNoFloor
	}
	p := t.toPlan()
	set(p)
	return t.store(label, p, "")
}

// startPlacing arms the place tool for tree node uid (a device or a
// sensor): the next tap on the plan places it.
func (t *planTab) startPlacing(uid string) error {
	k, id, ok := parseNode(uid)
	if !ok || (k.kind != engine.KindDevice && k.kind != engine.KindSensor) {
		return errors.New("select a device or sensor in the tree first")
	}
	if t.plan == nil {
		return errNoFloor
	}
	t.placing = id
	t.view.setTool(toolPlace)
	t.info.SetText("Click the plan where " + t.m.name(uid) + " goes.")
	return nil
}

// placeAt places the armed device or sensor at plan point at.
func (t *planTab) placeAt(at planpaint.Point) {
	id := t.placing
	t.placing = engine.NilID
	t.toolSel.SetSelectedIndex(0)
	if id.IsZero() {
		return
	}
	t.sh.act(t.place(id, at))
}

// place puts device or sensor id at plan point at (moving it if it is
// already on the plan) as one edit.
func (t *planTab) place(id engine.ID, at planpaint.Point) error {
	if t.plan == nil {
		return errNoFloor
	}
	p := t.toPlan()
	found := false
	for i := range p.Items {
		if p.Items[i].ID == id {
			p.Items[i].X, p.Items[i].Y, found = at.X, at.Y, true
		}
	}
	if !found {
		p.Items = append(p.Items, engine.PlanItem{ID: id, X: at.X, Y: at.Y})
	}
	return t.store("Place "+t.nodeName(id)+" on the plan", p, "")
}

func (t *planTab) nodeName(id engine.ID) string {
	if n := t.m.name(deviceNode(id)); n != "" {
		return n
	}
	return t.m.name(sensorNode(id))
}

// dropFromTree places tree node uid, dragged from the tree and dropped at
// absolute position abs, when abs is on the shown plan; it reports
// whether it was.
func (t *planTab) dropFromTree(uid string, abs fyne.Position) bool {
	if t.showing == nil || !t.showing() {
		return false
	}
	k, id, ok := parseNode(uid)
	if !ok || (k.kind != engine.KindDevice && k.kind != engine.KindSensor) {
		return false
	}
	d := fyne.CurrentApp().Driver()
	o := d.AbsolutePositionForObject(t.view)
	p := abs.Subtract(o)
	if s := t.view.Size(); p.X < 0 || p.Y < 0 || p.X > s.Width || p.Y > s.Height {
		return false
	}
	t.sh.act(t.place(id, t.view.snap(t.view.unit(p))))
	return true
}

// importBackground reads a PNG or SVG file and makes it the floor's
// background, as one edit (app.PlanBackgroundEdit: undo shows the
// drawing before).
func (t *planTab) importBackground(path string) error {
	if t.plan == nil {
		return errNoFloor
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return t.setBackground(filepath.Base(path), data)
}

// removeBackground removes the floor's background, as one edit.
func (t *planTab) removeBackground() error {
	if t.plan == nil {
		return errNoFloor
	}
	if t.plan.Background == "" {
		return errors.New("this floor's plan has no background")
	}
	return t.setBackground("", nil)
}

// setBackground makes drawing data named name the floor's background
// (nil data: none) as one edit.
func (t *planTab) setBackground(name string, data []byte) error {
	if err := t.m.may(engine.ActionUpdate, engine.ResSpace, t.floor); err != nil {
		return err
	}
	label, fn, err := t.a.PlanBackgroundEdit(t.floor, name, data)
	if err != nil {
		return err
	}
	return t.edit(label, fn, "")
}

// importGeoJSON reads a GeoJSON file of room polygons and applies the
// plan it gives as one edit.
func (t *planTab) importGeoJSON(path string) error {
	if t.plan == nil {
		return errNoFloor
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	p, n, err := t.a.ImportGeoJSON(t.floor, data)
	if err != nil {
		return err
	}
	if err := t.store("Import "+filepath.Base(path), p, ""); err != nil {
		return err
	}
	t.sh.flash(fmt.Sprintf("%d shapes imported, %d linked to rooms", len(p.Shapes), n))
	return nil
}

// ---- selection ----

// picked selects shape i's room in the tree and inspector.
func (t *planTab) picked(i int) {
	t.showSelection()
	if i >= 0 && !t.pm.shapes[i].space.IsZero() && t.onSelect != nil {
		t.onSelect(spaceNode(t.pm.shapes[i].space))
	}
}

// showSpace selects the shape linked to space id, if the plan has one.
func (t *planTab) showSpace(id engine.ID) {
	for i, s := range t.pm.shapes {
		if s.space == id && !id.IsZero() && t.view.selected != i {
			t.view.selected = i
			t.view.Refresh()
			t.showSelection()
		}
	}
}

// showSelection shows the selected shape's link and area.
func (t *planTab) showSelection() {
	names, _ := t.children()
	t.roomSel.OnChanged = nil
	t.roomSel.SetOptions(append([]string{noRoom}, names...))
	i := t.view.selected
	if i < 0 || i >= len(t.pm.shapes) {
		t.roomSel.ClearSelected()
		t.info.SetText("Draw a room with Rectangle or Polygon; select a shape to link it, resize it by its corners or delete it.")
	} else {
		name := t.pm.shapes[i].label
		if name == "" {
			t.roomSel.SetSelected(noRoom)
			name = "Unlinked shape"
		} else {
			t.roomSel.SetSelected(name)
		}
		t.info.SetText(fmt.Sprintf("%s · %.1f m²", name, t.areaM2(i)))
	}
	t.roomSel.OnChanged = t.link
}

// areaM2 is shape i's area in m².
func (t *planTab) areaM2(i int) float64 {
	s := 1.0
	if t.plan != nil && t.plan.Scale > 0 {
		s = t.plan.Scale
	}
	return planpaint.Area(t.pm.shapes[i].pts) * s * s
}
