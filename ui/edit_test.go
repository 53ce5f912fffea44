package ui

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/twinstudio/twinstudio/app"
	"github.com/twinstudio/twinstudio/engine"
)

// overlay is the dialog on top of w, failing the test when there is none.
func overlay(t testing.TB, w fyne.Window) fyne.CanvasObject {
	t.Helper()
	o := w.Canvas().Overlays().Top()
	if o == nil {
		t.Fatal("no dialog is showing")
	}
	return o
}

// entries returns the entries drawn inside o, in drawing order.
func entries(o fyne.CanvasObject) []*widget.Entry {
	var out []*widget.Entry
	walkObjects(o, func(x fyne.CanvasObject) bool {
		switch e := x.(type) {
		case *widget.Entry:
			out = append(out, e)
			return false
		case *fieldEntry:
			out = append(out, &e.Entry)
			return false
		}
		return true
	})
	return out
}

// walkObjects calls fn for every visible object inside o; fn returns
// whether to look inside the object.
func walkObjects(o fyne.CanvasObject, fn func(fyne.CanvasObject) bool) {
	if o == nil || !o.Visible() || !fn(o) {
		return
	}
	switch x := o.(type) {
	case *fyne.Container:
		for _, c := range x.Objects {
			walkObjects(c, fn)
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(x).Objects() {
			walkObjects(c, fn)
		}
	}
}

// typeInto replaces the text of the i-th entry of the dialog on top.
func typeInto(t testing.TB, w fyne.Window, i int, text string) {
	t.Helper()
	es := entries(overlay(t, w))
	if i >= len(es) {
		t.Fatalf("the dialog has %d entries, want entry %d", len(es), i)
	}
	// As a user would: select what is there and type over it.
	es[i].TypedShortcut(&fyne.ShortcutSelectAll{})
	test.Type(es[i], text)
	if es[i].Text != text {
		t.Fatalf("typed %q into the entry, it holds %q", text, es[i].Text)
	}
}

// selects returns the dropdowns drawn inside o, in drawing order.
func selects(o fyne.CanvasObject) []*widget.Select {
	var out []*widget.Select
	walkObjects(o, func(x fyne.CanvasObject) bool {
		if s, ok := x.(*widget.Select); ok {
			out = append(out, s)
			return false
		}
		return true
	})
	return out
}

// dialogText is every label of the dialog on top, joined.
func dialogText(t testing.TB, w fyne.Window) string {
	return strings.Join(texts(visibleLabels(overlay(t, w))), "\n")
}

// reopen closes a and opens its file again, to check what was committed.
func reopen(t testing.TB, a *app.App) *app.App {
	t.Helper()
	path := a.Path()
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := app.Open(path, app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

func spaceNames(t testing.TB, a *app.App, parentPath string) []string {
	t.Helper()
	var out []string
	_ = a.Engine().View(func(v *engine.View) error {
		id, err := v.ResolveSpace(parentPath)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range v.ChildSpaces(id) {
			out = append(out, s.Name)
		}
		return nil
	})
	return out
}

// A designer adds a room to the floor with the toolbar, renames it with
// F2, adds a device and a sensor to it, deletes it (the confirmation names
// what goes with it) and undoes and redoes, all through the UI; every
// step is in the project file at once.
func TestEdit_throughTheUI(t *testing.T) {
	test.NewTempApp(t)
	a := mustOpenExample(t, "quickstart", "quickstart")
	s, w := newStudioWindow(t, a)
	floor := mustFind(t, s.model, "Floor 1 · Floor")
	s.selectNode(floor)

	// Add: the toolbar's Space button asks for a name and a type, a room
	// on a floor.
	tapButton(t, s.tools.content, "Space")
	typeInto(t, w, 0, "Focus Room A2")
	if got := selects(overlay(t, w))[0].Selected; got != "Room" {
		t.Errorf("the type offered for a space on a floor is %q", got)
	}
	tapButton(t, overlay(t, w), "Add")
	room := mustFind(t, s.model, "Focus Room A2 · Room")
	if s.ctl.selected != room {
		t.Errorf("the new room is not selected: %q", s.ctl.selected)
	}
	if got := spaceNames(t, a, "/Quickstart Building/Floor 1"); !contains(got, "Focus Room A2") {
		t.Errorf("floor holds %q", got)
	}

	// Rename with F2 in the tree.
	s.tree.tree.TypedKey(&fyne.KeyEvent{Name: fyne.KeyF2})
	if !strings.Contains(dialogText(t, w), "Rename Focus Room A2") {
		t.Fatalf("rename dialog: %q", dialogText(t, w))
	}
	typeInto(t, w, 0, "Focus Room B1")
	tapButton(t, overlay(t, w), "Rename")
	room = mustFind(t, s.model, "Focus Room B1 · Room")
	if got := s.insp.title.Text; got != "Focus Room B1" {
		t.Errorf("inspector title %q after rename", got)
	}

	// A device with a hardware id, and a sensor on it.
	tapButton(t, s.tools.content, "Device")
	typeInto(t, w, 0, "Pi B1")
	typeInto(t, w, 1, "PI-B1")
	tapButton(t, overlay(t, w), "Add")
	if s.ctl.selected != mustFind(t, s.model, "Pi B1 (PI-B1)") {
		t.Fatalf("device not selected: %q", s.model.label(s.ctl.selected))
	}
	tapButton(t, s.tools.content, "Sensor")
	typeInto(t, w, 0, "PI-B1-T")
	tapButton(t, overlay(t, w), "Add")
	if got := s.model.label(s.ctl.selected); got != "Temperature · PI-B1-T" {
		t.Errorf("sensor label %q", got)
	}

	// Duplicate the room with its device: new hardware ids from the
	// pattern.
	s.selectNode(room)
	tapButton(t, s.tools.content, "Duplicate")
	typeInto(t, w, 0, "Focus Room B2")
	typeInto(t, w, 1, "B2-{hw}")
	tapButton(t, overlay(t, w), "Duplicate")
	copyRoom := mustFind(t, s.model, "Focus Room B2 · Room")
	if s.ctl.selected != copyRoom {
		t.Errorf("the copy is not selected: %q", s.model.label(s.ctl.selected))
	}
	_ = a.Engine().View(func(v *engine.View) error {
		if _, ok := v.SensorByHardwareID("B2-PI-B1-T"); !ok {
			t.Error("the copied sensor has no hardware id B2-PI-B1-T")
		}
		return nil
	})

	// Delete the room: the confirmation names the device and sensor.
	s.selectNode(room)
	s.tree.tree.TypedKey(&fyne.KeyEvent{Name: fyne.KeyDelete})
	msg := dialogText(t, w)
	if !strings.Contains(msg, "Delete Focus Room B1?") || !strings.Contains(msg, "This also deletes 1 device and 1 sensor.") {
		t.Errorf("confirmation says %q", msg)
	}
	tapButton(t, overlay(t, w), "Yes")
	if got := spaceNames(t, a, "/Quickstart Building/Floor 1"); contains(got, "Focus Room B1") {
		t.Errorf("room still there: %q", got)
	}
	if s.ctl.selected != floor {
		t.Errorf("after delete the floor should be selected, is %q", s.model.label(s.ctl.selected))
	}

	// Undo brings the room back with its device (same hardware id and
	// key) and sensor; redo deletes it again; undo once more.
	tapButton(t, s.tools.content, "Undo")
	if got := spaceNames(t, a, "/Quickstart Building/Floor 1"); !contains(got, "Focus Room B1") {
		t.Fatalf("undo did not restore the room: %q", got)
	}
	mustFind(t, s.model, "Pi B1 (PI-B1)")
	tapButton(t, s.tools.content, "Redo")
	if got := spaceNames(t, a, "/Quickstart Building/Floor 1"); contains(got, "Focus Room B1") {
		t.Errorf("redo did not delete the room: %q", got)
	}
	tapButton(t, s.tools.content, "Undo")

	// The project file has it all.
	b := reopen(t, a)
	if got := spaceNames(t, b, "/Quickstart Building/Floor 1"); !contains(got, "Focus Room B1") {
		t.Errorf("after reopening the floor holds %q", got)
	}
	_ = b.Engine().View(func(v *engine.View) error {
		if _, ok := v.SensorByHardwareID("PI-B1-T"); !ok {
			t.Error("sensor PI-B1-T lost")
		}
		return nil
	})
}

// Undo and redo walk back and forth through every kind of edit; the
// shortcuts reach them.
func TestEdit_undoEveryKindOfEdit(t *testing.T) {
	test.NewTempApp(t)
	a := mustOpenExample(t, "quickstart", "quickstart")
	s, _ := newStudioWindow(t, a)
	before := countsText(a.Engine().Stats())
	area := mustFind(t, s.model, "Area A · Area")
	focus := mustFind(t, s.model, "Focus Room A1 · Room/FocusRoom")
	conf := mustFind(t, s.model, "Conference Room 11 · Room/ConferenceRoom")
	pi := mustFind(t, s.model, "Raspberry Pi 3 A1 (1234567890AB)")

	steps := []struct {
		name string
		do   func() error
	}{
		{"add", func() error {
			s.selectNode(area)
			return s.edits.add(engine.KindSpace, addFields{name: "Phone Booth", typ: "Room"})
		}},
		{"rename", func() error { return s.edits.rename(conf, "Board Room") }},
		{"move device", func() error { return s.edits.move(pi, conf) }},
		{"duplicate", func() error { return s.edits.duplicate(conf, "Board Room 2", "") }}, // with the device moved in
		{"delete", func() error { return s.edits.remove(focus) }},
	}
	var after []string
	for _, st := range steps {
		if err := st.do(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		after = append(after, s.model.document(conf)+countsText(a.Engine().Stats()))
	}
	for i := len(steps) - 1; i >= 0; i-- {
		if err := s.edits.undo(); err != nil {
			t.Fatalf("undo %s: %v", steps[i].name, err)
		}
	}
	if got := countsText(a.Engine().Stats()); got != before {
		t.Errorf("after undoing everything: %s, want %s", got, before)
	}
	if got := s.model.label(conf); got != "Conference Room 11 · Room/ConferenceRoom" {
		t.Errorf("conference room is %q after undo", got)
	}
	for i := range steps {
		if err := s.edits.redo(); err != nil {
			t.Fatalf("redo %s: %v", steps[i].name, err)
		}
		if got := s.model.document(conf) + countsText(a.Engine().Stats()); got != after[i] {
			t.Errorf("redo %s: graph differs from after the edit", steps[i].name)
		}
	}
	// The duplicate's device got a hardware id from the pattern.
	_ = a.Engine().View(func(v *engine.View) error {
		if _, ok := v.DeviceByHardwareID("1234567890AB-2"); !ok {
			t.Error("the duplicated device has no hardware id 1234567890AB-2")
		}
		return nil
	})
	// Nothing left to redo: the button is disabled, and Redo does nothing.
	if !s.tools.redo.Disabled() {
		t.Error("redo is enabled with nothing to redo")
	}
	if err := s.edits.redo(); err != nil {
		t.Error(err)
	}
}

// Dragging a device's row onto another room's row moves it there; cut and
// paste does the same from the keyboard.
func TestEdit_dragAndDropAndCutPaste(t *testing.T) {
	test.NewTempApp(t)
	a := mustOpenExample(t, "quickstart", "quickstart")
	s, w := newStudioWindow(t, a)
	m := s.model
	focus := mustFind(t, m, "Focus Room A1 · Room/FocusRoom")
	conf := mustFind(t, m, "Conference Room 11 · Room/ConferenceRoom")
	s.tree.tree.OpenBranch(focus)
	pi := mustFind(t, m, "Raspberry Pi 3 A1 (1234567890AB)")
	s.tree.tree.Refresh()

	from, to := rowOf(t, s, pi), rowOf(t, s, conf)
	d := fyne.CurrentApp().Driver()
	start := d.AbsolutePositionForObject(from).AddXY(20, from.Size().Height/2)
	end := d.AbsolutePositionForObject(to).AddXY(20, to.Size().Height/2)
	test.Drag(w.Canvas(), start, end.X-start.X, end.Y-start.Y)
	if err := s.lastErr; err != nil {
		t.Fatal(err)
	}
	if got := m.ancestors(pi); len(got) == 0 || got[len(got)-1] != conf {
		t.Fatalf("after the drop the device is under %q", labels(m, got))
	}
	if got := inspected(s)["Space"]; got != "/Quickstart Building/Floor 1/Area A/Conference Room 11" && got != "/Quickstart Building/Floor 1/Conference Room 11" {
		t.Errorf("inspector Space %q", got)
	}

	// Cut (Ctrl+X) the device, select the focus room, paste (Ctrl+V).
	s.selectNode(pi)
	s.edits.cut(pi)
	s.selectNode(focus)
	if err := s.edits.paste(); err != nil {
		t.Fatal(err)
	}
	if got := m.ancestors(pi); got[len(got)-1] != focus {
		t.Errorf("after paste the device is under %q", labels(m, got))
	}

	// A space cannot go under itself: the error says so and nothing moves.
	building := mustFind(t, m, "Quickstart Building · Venue")
	if err := s.edits.move(building, focus); err == nil || !strings.Contains(err.Error(), "under itself") {
		t.Errorf("moving the building into its room: %v", err)
	}
}

func labels(m *viewModel, uids []string) []string {
	var out []string
	for _, u := range uids {
		out = append(out, m.label(u))
	}
	return out
}

// rowOf is the tree row showing node uid.
func rowOf(t testing.TB, s *Studio, uid string) *treeRow {
	t.Helper()
	s.tree.rowsMu.Lock()
	defer s.tree.rowsMu.Unlock()
	for r := range s.tree.rows {
		if r.uid == uid && r.Visible() {
			return r
		}
	}
	t.Fatalf("no row shows %s", s.model.label(uid))
	return nil
}

// The inspector edits names, types and properties; what the engine
// refuses shows beside the field, and nothing changes.
func TestInspector_editsAndValidation(t *testing.T) {
	test.NewTempApp(t)
	a := mustOpenExample(t, "quickstart", "quickstart")
	s, _ := newStudioWindow(t, a)
	room := mustFind(t, s.model, "Focus Room A1 · Room/FocusRoom")
	s.selectNode(room)

	// Types come from the loaded ontologies.
	sel := s.insp.selects["Type"]
	if !contains(sel.Options, "Room") || !contains(sel.Options, "Floor") || contains(sel.Options, "AirFlow") {
		t.Errorf("space types %q", sel.Options)
	}
	sel.SetSelected("Area")
	if got := s.model.label(room); !strings.HasPrefix(got, "Focus Room A1 · Area") {
		t.Errorf("after choosing Area the room is %q", got)
	}

	// A name that clashes with a sibling is refused beside the field.
	name := s.insp.entries["Name"]
	name.SetText("Conference Room 11")
	name.commit()
	if e := s.insp.errs["Name"]; !e.Visible() || !strings.Contains(e.Text, "already exists") {
		t.Errorf("name error %q (visible %v)", e.Text, e.Visible())
	}
	if got := s.model.name(room); got != "Focus Room A1" {
		t.Errorf("the refused rename changed the name to %q", got)
	}

	// A property with a typed key: a bad value is refused with the key's
	// rule, a good one is saved.
	if err := a.Engine().Update(func(tx *engine.Tx) error {
		return tx.PutPropertyKey(&engine.PropertyKey{Name: "Capacity", Scope: engine.ScopeSpaces, PrimitiveDataType: engine.PrimInt, Min: "1", Max: "40"})
	}); err != nil {
		t.Fatal(err)
	}
	s.insp.refresh()
	s.insp.newPropKey.SetText("Capacity")
	if got := s.insp.newPropVal.PlaceHolder; got != "Int from 1 to 40" {
		t.Errorf("the value's hint for Capacity is %q", got)
	}
	s.insp.newPropVal.SetText("many")
	test.Tap(s.insp.newPropAdd)
	if e := s.insp.errs["new property"]; !e.Visible() || !strings.Contains(e.Text, "Capacity") {
		t.Errorf("bad property value error %q (visible %v)", e.Text, e.Visible())
	}
	s.insp.newPropKey.SetText("Capacity")
	s.insp.newPropVal.SetText("6")
	test.Tap(s.insp.newPropAdd)
	if got := inspected(s)["Capacity"]; got != "6" {
		t.Errorf("Capacity shows %q", got)
	}
	// Editing it to something out of range is refused beside it.
	en := s.insp.entries["Capacity"]
	en.SetText("99")
	en.commit()
	if e := s.insp.errs["Capacity"]; !e.Visible() {
		t.Error("out-of-range capacity not refused")
	}
	var props []engine.Property
	_ = a.Engine().View(func(v *engine.View) error {
		_, id, _ := parseNode(room)
		sp, _ := v.Space(id)
		props = sp.Properties
		return nil
	})
	if len(props) != 1 || props[0].Value != "6" {
		t.Errorf("properties %v", props)
	}
}

// The device's key shows only when asked, and the connection settings and
// mosquitto_pub command go to the clipboard.
func TestInspector_deviceConnection(t *testing.T) {
	test.NewTempApp(t)
	a := mustOpenWithBroker(t, "quickstart", "quickstart")
	s, _ := newStudioWindow(t, a)
	pi := mustFind(t, s.model, "Raspberry Pi 3 A1 (1234567890AB)")
	s.selectNode(pi)
	var key string
	_ = a.Engine().View(func(v *engine.View) error {
		d, _ := v.DeviceByHardwareID("1234567890AB")
		key = d.Key
		return nil
	})
	if strings.Contains(s.insp.key.Text, key) {
		t.Fatal("the key shows before it was asked for")
	}
	test.Tap(s.insp.keyToggle)
	if s.insp.key.Text != key {
		t.Errorf("key shows %q", s.insp.key.Text)
	}
	tapButton(t, s.insp.content, "Copy mosquitto_pub command")
	cmd := fyne.CurrentApp().Clipboard().Content()
	want := "mosquitto_pub -h 127.0.0.1 -p " + portOf(a.Broker().Addr()) + " -i 1234567890AB -u 1234567890AB -P " + key +
		" -q 1 -t devices/1234567890AB/sensors/SAMPLE_SENSOR_MOTION -m '{\"SensorValue\":\"true\"}'"
	if cmd != want {
		t.Errorf("clipboard\n%s\nwant\n%s", cmd, want)
	}
	if !strings.Contains(s.status.shownMessage(), "copied") {
		t.Errorf("status says %q", s.status.shownMessage())
	}
	tapButton(t, s.insp.content, "Copy connection settings")
	if got := fyne.CurrentApp().Clipboard().Content(); !strings.Contains(got, "Password:    "+key) ||
		!strings.Contains(got, "devices/1234567890AB/sensors/SAMPLE_SENSOR_CARBONDIOXIDE") {
		t.Errorf("settings:\n%s", got)
	}
}

func portOf(addr string) string { return addr[strings.LastIndexByte(addr, ':')+1:] }

// The search box filters the tree to what matches and what is above it.
func TestHierarchy_search(t *testing.T) {
	test.NewTempApp(t)
	a := mustOpenExample(t, "office", "smart-office")
	s, _ := newStudioWindow(t, a)
	s.tree.applySearch("SO-F2-R07-CARBON")
	shown := texts(visibleLabels(s.tree.tree))
	if !containsPrefix(shown, "CarbonDioxide · SO-F2-R07-CARBONDIOXIDE") {
		t.Errorf("search does not show the sensor; shows %q", shown)
	}
	if containsPrefix(shown, "Floor 1") {
		t.Errorf("search shows an unrelated floor: %q", shown)
	}
	if got := s.tree.info.Text; got != "1 match." {
		t.Errorf("info %q", got)
	}
	s.tree.applySearch("no such thing")
	if got := s.tree.info.Text; !strings.HasPrefix(got, "Nothing matches") {
		t.Errorf("info %q", got)
	}
	s.tree.applySearch("")
	if shown := texts(visibleLabels(s.tree.tree)); !containsPrefix(shown, "Floor 1") {
		t.Errorf("clearing the search does not show the floors: %q", shown)
	}
}

// The file operations: Save As writes a copy and goes on with it; New
// makes an empty project; Open switches back; Import previews first,
// then applies as one undoable edit.
func TestFiles_saveAsNewOpenImport(t *testing.T) {
	test.NewTempApp(t)
	a := mustOpenWithBroker(t, "quickstart", "quickstart")
	s, w := newStudioWindow(t, a)
	defer s.Close()
	s.opener = func(path string) (*app.App, error) {
		return app.Open(path, app.Options{Broker: &app.BrokerOptions{Addr: "127.0.0.1:0"}})
	}
	dir := t.TempDir()
	orig := a.Path()

	copyPath := filepath.Join(dir, "copy.twin")
	if err := s.files.saveAs(copyPath); err != nil {
		t.Fatal(err)
	}
	if s.app.Path() != copyPath || w.Title() != "Twin Studio — copy" {
		t.Errorf("after Save As: %s, title %q", s.app.Path(), w.Title())
	}
	if got := countsText(s.app.Engine().Stats()); !strings.HasPrefix(got, "5 spaces · 1 device · 2 sensors") {
		t.Errorf("the copy has %s", got)
	}
	if s.app.Broker() == nil {
		t.Error("the copy has no broker")
	}

	if err := s.files.newProject(filepath.Join(dir, "blank")); err != nil {
		t.Fatal(err)
	}
	if got := s.app.Path(); got != filepath.Join(dir, "blank.twin") || s.app.Engine().Stats().Spaces != 0 {
		t.Errorf("new project %s with %d spaces", got, s.app.Engine().Stats().Spaces)
	}
	if err := s.files.newProject(copyPath); err == nil {
		t.Error("New over an existing file succeeded")
	}

	// Import into the blank project: the preview changes nothing.
	plan, sum, err := s.files.importPreview(filepath.Join("..", "examples", "quickstart", "provision.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if sum.Counts[engine.KindSpace].Created != 5 || s.app.Engine().Stats().Spaces != 0 {
		t.Errorf("preview: %s; project has %d spaces", sum, s.app.Engine().Stats().Spaces)
	}
	var calls, last int
	if _, _, err := s.ctl.importPlan(plan, func(done, total int) { calls++; last = done }); err != nil {
		t.Fatal(err)
	}
	s.sh.imported("")
	if s.app.Engine().Stats().Spaces != 5 || calls == 0 || last == 0 {
		t.Errorf("after import %d spaces; progress called %d times, last %d", s.app.Engine().Stats().Spaces, calls, last)
	}
	if err := s.edits.undo(); err != nil || s.app.Engine().Stats().Spaces != 0 {
		t.Errorf("undo import: %v, %d spaces", err, s.app.Engine().Stats().Spaces)
	}
	// A bad file names the file and line, and changes nothing.
	bad := filepath.Join(dir, "bad.yaml")
	writeFile(t, bad, "- name: A\n  type: NoSuchType\n")
	if _, _, err := s.files.importPreview(bad); err == nil || !strings.Contains(err.Error(), "bad.yaml:2") {
		t.Errorf("bad import: %v", err)
	}

	if err := s.files.openPath(orig); err != nil {
		t.Fatal(err)
	}
	if s.app.Path() != orig {
		t.Errorf("open: %s", s.app.Path())
	}
	if r := recentProjects(); len(r) < 3 || r[0] != orig {
		t.Errorf("recent %q", r)
	}
}

// The toolbar stops and starts the broker.
func TestToolbar_brokerStartStop(t *testing.T) {
	test.NewTempApp(t)
	a := mustOpenWithBroker(t, "quickstart", "quickstart")
	s, _ := newStudioWindow(t, a)
	addr := a.Broker().Addr()
	tapButton(t, s.tools.content, "Stop broker")
	if a.Broker() != nil {
		t.Fatal("broker still running")
	}
	if got := s.status.broker.Text; got != "MQTT broker off" {
		t.Errorf("status %q", got)
	}
	tapButton(t, s.tools.content, "Start broker")
	if a.Broker() == nil || a.Broker().Addr() != addr {
		t.Fatalf("broker not back on %s", addr)
	}
}

func writeFile(t testing.TB, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// The keyboard shortcuts reach undo, redo, cut and paste through the
// window's canvas, in the form Fyne's desktop driver sends them: Ctrl+Z,
// Ctrl+X and Ctrl+V as its standard shortcuts, Ctrl+Shift+Z as a custom
// one.
func TestShortcuts_undoRedo(t *testing.T) {
	test.NewTempApp(t)
	a := mustOpenExample(t, "quickstart", "quickstart")
	s, w := newStudioWindow(t, a)
	conf := mustFind(t, s.model, "Conference Room 11 · Room/ConferenceRoom")
	if err := s.edits.rename(conf, "Board Room"); err != nil {
		t.Fatal(err)
	}
	sh := w.Canvas().(interface{ TypedShortcut(fyne.Shortcut) })
	ctl := fyne.KeyModifierShortcutDefault
	sh.TypedShortcut(&fyne.ShortcutUndo{})
	if got := s.model.name(conf); got != "Conference Room 11" {
		t.Errorf("after Ctrl+Z the room is %q", got)
	}
	sh.TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyZ, Modifier: ctl | fyne.KeyModifierShift})
	if got := s.model.name(conf); got != "Board Room" {
		t.Errorf("after Ctrl+Shift+Z the room is %q", got)
	}
	// Ctrl+X, select the floor, Ctrl+V moves the room up to the floor.
	floor := mustFind(t, s.model, "Floor 1 · Floor")
	s.selectNode(conf)
	sh.TypedShortcut(&fyne.ShortcutCut{})
	s.selectNode(floor)
	sh.TypedShortcut(&fyne.ShortcutPaste{})
	if got := s.model.ancestors(conf); got[len(got)-1] != floor {
		t.Errorf("after cut and paste the room is under %q", labels(s.model, got))
	}
}

// Import through its dialogs: the preview, then the import on its own
// goroutine behind a progress bar.
func TestFiles_importDialog(t *testing.T) {
	test.NewTempApp(t)
	a := mustOpenEmpty(t)
	s, w := newStudioWindow(t, a)
	s.files.showImport(filepath.Join("..", "examples", "smart-office", "provision.yaml"))
	if msg := dialogText(t, w); !strings.Contains(msg, "nothing has changed yet") || !strings.Contains(msg, "64 created") {
		t.Fatalf("preview says %q", msg)
	}
	if a.Engine().Stats().Spaces != 0 {
		t.Fatal("the preview changed the project")
	}
	tapButton(t, overlay(t, w), "Import")
	s.files.imports.Wait()
	if n := a.Engine().Stats().Spaces; n != 64 {
		t.Errorf("imported %d spaces", n)
	}
	if w.Canvas().Overlays().Top() != nil {
		t.Error("the progress dialog is still showing")
	}
	if msg := s.status.shownMessage(); !strings.Contains(msg, "Imported provision.yaml: 3") {
		t.Errorf("status says %q", msg)
	}
	if label, ok := s.ctl.editor.UndoLabel(); !ok || label != "Import provision.yaml" {
		t.Errorf("undo label %q", label)
	}
}

// The first start's simulation moves values within seconds, and reaches
// the first morning at once.
func TestFirstStart_simulationMovesValues(t *testing.T) {
	test.NewTempApp(t)
	t.Setenv("TWINSTUDIO_DATA", t.TempDir())
	a, scenario, err := OpenProject("")
	if err != nil {
		t.Fatal(err)
	}
	s, _ := newStudioWindow(t, a)
	defer s.Close()
	if err := s.StartSimulation(scenario); err != nil {
		t.Fatal(err)
	}
	temp := mustSensor(t, a, "SO-F1-R05-TEMPERATURE")
	waitFor(t, "a temperature", func() bool {
		var ok bool
		_ = a.Engine().View(func(v *engine.View) error { _, ok = v.SensorValue(temp.ID); return nil })
		return ok
	})
	// The night runs at full speed: Monday 08:30 comes within seconds,
	// and from there the clock keeps to simSpeed.
	morning := time.Date(2026, 3, 2, 8, 30, 0, 0, time.UTC)
	waitFor(t, "Monday 08:30", func() bool { return !a.Simulation().Clock().Before(morning) })
	if c := a.Simulation().Clock(); c.After(morning.Add(90 * time.Minute)) {
		t.Errorf("the clock is at %v: it did not slow down to %v× at 08:30", c, simSpeed)
	}
	s.tick()
	if text, _ := s.sim.text(); !strings.HasPrefix(text, "▶ Smart Office week · Mon 2026-03-02") {
		t.Errorf("status bar simulation %q", text)
	}
	if !strings.HasPrefix(s.tools.simBtn.Text, "Stop simulation") {
		t.Errorf("simulation button %q", s.tools.simBtn.Text)
	}
	s.sim.onToggle()
	if s.sim.running() || s.tools.simBtn.Text != "Simulate week.yaml" {
		t.Errorf("after stopping: simulating %v, button %q", s.sim.running(), s.tools.simBtn.Text)
	}
}

// Run ▸ Broker Address moves the broker and remembers the address for the
// project; a bad or busy address changes nothing.
func TestBroker_address(t *testing.T) {
	test.NewTempApp(t)
	a := mustOpenWithBroker(t, "quickstart", "quickstart")
	s, _ := newStudioWindow(t, a)
	old := a.Broker().Addr()

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	busy := l.Addr().String()
	if err := s.broker.setAddr(busy); err == nil || !strings.Contains(err.Error(), "in use") {
		t.Errorf("busy address: %v", err)
	}
	l.Close()
	if a.Broker() == nil || a.Broker().Addr() != old {
		t.Fatalf("after a refused address the broker is not back on %s", old)
	}
	if err := s.broker.setAddr("nonsense"); err == nil || !strings.Contains(err.Error(), "HOST:PORT") {
		t.Errorf("bad address: %v", err)
	}

	// busy is free now: the broker moves there and the project keeps it.
	if err := s.broker.setAddr(busy); err != nil {
		t.Fatal(err)
	}
	if a.Broker().Addr() != busy || brokerAddrFor(a.Path()) != busy {
		t.Errorf("broker on %s, remembered %s, want %s", a.Broker().Addr(), brokerAddrFor(a.Path()), busy)
	}
	if !strings.Contains(s.status.broker.Text, busy) {
		t.Errorf("status %q", s.status.broker.Text)
	}
}

// A dialog whose input the engine refuses stays open with the reason, so
// the user can fix it.
func TestEdit_dialogKeepsRefusedInput(t *testing.T) {
	test.NewTempApp(t)
	a := mustOpenExample(t, "quickstart", "quickstart")
	s, w := newStudioWindow(t, a)
	s.selectNode(mustFind(t, s.model, "Floor 1 · Floor"))
	before := a.Engine().Stats().Spaces
	s.edits.onAdd(engine.KindSpace)
	typeInto(t, w, 0, "Conference Room 11") // a sibling has that name
	tapButton(t, overlay(t, w), "Add")
	msg := dialogText(t, w)
	if !strings.Contains(msg, "already exists") {
		t.Fatalf("the dialog says %q", msg)
	}
	if es := entries(overlay(t, w)); es[0].Text != "Conference Room 11" {
		t.Errorf("the name typed is gone: %q", es[0].Text)
	}
	typeInto(t, w, 0, "Conference Room 12")
	tapButton(t, overlay(t, w), "Add")
	if n := a.Engine().Stats().Spaces; n != before+1 {
		t.Errorf("%d spaces, want %d", n, before+1)
	}
	if w.Canvas().Overlays().Top() != nil {
		t.Error("the dialog is still open after a good name")
	}
}

// Opening a project another process holds fails with a clear error, and
// the studio goes on with its project and broker.
func TestFiles_openLockedProject(t *testing.T) {
	test.NewTempApp(t)
	a := mustOpenWithBroker(t, "quickstart", "quickstart")
	s, _ := newStudioWindow(t, a)
	s.opener = func(path string) (*app.App, error) {
		return app.Open(path, app.Options{Broker: &app.BrokerOptions{Addr: "127.0.0.1:0"}})
	}
	addr := a.Broker().Addr()
	other := mustOpenEmpty(t) // holds its file, as twin serve would
	err := s.files.openPath(other.Path())
	if err == nil || !strings.Contains(err.Error(), "in use") {
		t.Fatalf("opening a held project: %v", err)
	}
	if s.app != a || a.Broker() == nil || a.Broker().Addr() != addr {
		t.Errorf("after the refusal the studio shows %s with broker %v", s.app.Path(), a.Broker())
	}
}

// Importing a provisioning file whose floor plan names a background
// drawing keeps the drawing in the project, as twin provision does.
func TestFiles_importKeepsPlanBackground(t *testing.T) {
	test.NewTempApp(t)
	a := mustOpenEmpty(t)
	s, w := newStudioWindow(t, a)
	dir := t.TempDir()
	svg := `<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>`
	yml := "- name: B\n  type: Building\n  spaces:\n  - name: F1\n    type: Floor\n    spaces:\n    - name: R1\n      type: Room\n" +
		"    plan:\n      background: f1.svg\n      rooms:\n      - space: R1\n        rect: [1, 1, 4, 3]\n"
	if err := os.WriteFile(filepath.Join(dir, "f1.svg"), []byte(svg), 0o644); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "p.yaml")
	if err := os.WriteFile(path, []byte(yml), 0o644); err != nil {
		t.Fatal(err)
	}
	s.files.showImport(path)
	tapButton(t, overlay(t, w), "Import")
	s.files.imports.Wait()
	var floor engine.ID
	for _, id := range a.Floors() {
		if _, ok := a.FloorPlan(id); ok {
			floor = id
		}
	}
	if floor.IsZero() {
		t.Fatal("no floor plan was imported")
	}
	if name, data, err := a.PlanBackground(floor); err != nil || name != "f1.svg" || string(data) != svg {
		t.Errorf("background after the import: %q %q %v", name, data, err)
	}
}
