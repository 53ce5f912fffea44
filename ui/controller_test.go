package ui

import (
	"errors"
	"sort"
	"strings"
	"testing"

	"github.com/twinstudio/twinstudio/engine"
)

// quickstartController is the editor of a fresh quickstart project in
// t.TempDir(), with no widgets.
func quickstartController(t *testing.T) *controller {
	t.Helper()
	a := mustOpenExample(t, "quickstart", "quickstart")
	return newController(a.Engine(), newViewModel(a.Engine()), undoDepth)
}

// graphText is what the tree shows of the whole graph: each node's path of
// labels, one a line, sorted (an undone move may change the order of
// siblings), for comparing graphs before and after edits.
func graphText(m *viewModel) string {
	var lines []string
	var walk func(uid, path string)
	walk = func(uid, path string) {
		for _, c := range m.childNodes(uid) {
			p := path + " / " + m.label(c)
			lines = append(lines, p)
			walk(c, p)
		}
	}
	walk("", "")
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// Every edit of the controller, on a fresh quickstart project: what it
// selects afterwards and where that is in the tree, or the error it gives
// (and then the graph is as it was). Each edit undoes to the graph before
// it and redoes to the graph after it.
func TestController_edits(t *testing.T) {
	const (
		building = "Quickstart Building · Venue"
		floor    = "Floor 1 · Floor"
		area     = "Area A · Area"
		conf     = "Conference Room 11 · Room/ConferenceRoom"
		focus    = "Focus Room A1 · Room/FocusRoom"
		pi       = "Raspberry Pi 3 A1 (1234567890AB)"
		motion   = "Motion · SAMPLE_SENSOR_MOTION"
	)
	for _, c := range []struct {
		name   string
		prep   func(c *controller, find func(string) string) // before the edit
		sel    string                                        // the label of the node selected first, "" none
		edit   func(c *controller, find func(string) string) (string, error)
		want   string // the label of the node selected afterwards
		under  string // the label of the node above it ("" the top)
		errHas string // the error says this; nothing changes
	}{
		{name: "add a root space", edit: func(c *controller, _ func(string) string) (string, error) {
			return c.add(engine.KindSpace, addFields{name: " Annex ", typ: "Building"})
		}, want: "Annex · Building"},
		{name: "add a room on the floor", sel: floor, edit: func(c *controller, _ func(string) string) (string, error) {
			return c.add(engine.KindSpace, addFields{name: "Focus Room A2", typ: "Room"})
		}, want: "Focus Room A2 · Room", under: floor},
		{name: "a space does not go on a device", sel: pi, edit: func(c *controller, _ func(string) string) (string, error) {
			return c.add(engine.KindSpace, addFields{name: "X", typ: "Room"})
		}, errHas: "a space goes into a space"},
		{name: "add a device in a room", sel: conf, edit: func(c *controller, _ func(string) string) (string, error) {
			return c.add(engine.KindDevice, addFields{name: "Pi 2", typ: "Generic", hardwareID: "PI-2"})
		}, want: "Pi 2 (PI-2)", under: conf},
		{name: "a device does not go at the top", edit: func(c *controller, _ func(string) string) (string, error) {
			return c.add(engine.KindDevice, addFields{name: "Pi 2", typ: "Generic"})
		}, errHas: "a device goes into a space"},
		{name: "a sensor added at a sensor goes on its device", sel: motion, edit: func(c *controller, _ func(string) string) (string, error) {
			return c.add(engine.KindSensor, addFields{typ: "Temperature", hardwareID: "PI-T"})
		}, want: "Temperature · PI-T", under: pi},
		{name: "a sensor does not go in a space", sel: conf, edit: func(c *controller, _ func(string) string) (string, error) {
			return c.add(engine.KindSensor, addFields{typ: "Temperature", hardwareID: "PI-T"})
		}, errHas: "a sensor goes on a device"},
		{name: "an unknown type is refused", sel: floor, edit: func(c *controller, _ func(string) string) (string, error) {
			return c.add(engine.KindSpace, addFields{name: "X", typ: "NoSuchType"})
		}, errHas: "NoSuchType"},
		{name: "rename", edit: func(c *controller, find func(string) string) (string, error) {
			return c.rename(find(conf), " Board Room ")
		}, want: "Board Room · Room/ConferenceRoom", under: floor},
		{name: "a name a sibling has is refused", edit: func(c *controller, find func(string) string) (string, error) {
			return c.rename(find(focus), "Area A")
		}, errHas: "already exists"},
		{name: "move a device into a room", edit: func(c *controller, find func(string) string) (string, error) {
			return c.move(find(pi), find(conf))
		}, want: pi, under: conf},
		{name: "a device dropped on a sensor goes into its space", prep: func(c *controller, find func(string) string) {
			c.selected = find(conf)
			if _, err := c.add(engine.KindDevice, addFields{name: "Pi 2", typ: "Generic", hardwareID: "PI-2"}); err != nil {
				panic(err)
			}
		}, edit: func(c *controller, find func(string) string) (string, error) {
			return c.move(find("Pi 2 (PI-2)"), find(motion))
		}, want: "Pi 2 (PI-2)", under: focus},
		{name: "a sensor dropped on a room has no device to go on", edit: func(c *controller, find func(string) string) (string, error) {
			return c.move(find(motion), find(conf))
		}, errHas: "drop a device on a space, a sensor on a device"},
		{name: "a space does not go under itself", edit: func(c *controller, find func(string) string) (string, error) {
			return c.move(find(building), find(focus))
		}, errHas: "under itself"},
		{name: "a space dropped at the top becomes a root", edit: func(c *controller, find func(string) string) (string, error) {
			return c.move(find(area), "")
		}, want: area},
		{name: "cut and paste", sel: conf, edit: func(c *controller, find func(string) string) (string, error) {
			if !c.cutNode(find(pi)) {
				return "", errors.New("cut refused")
			}
			sel, err := c.paste()
			if c.cut != "" {
				return "", errors.New("still cut after the paste")
			}
			return sel, err
		}, want: pi, under: conf},
		{name: "duplicate a room with its device", edit: func(c *controller, find func(string) string) (string, error) {
			return c.duplicate(find(focus), "Focus Room A2", "{hw}-B")
		}, want: "Focus Room A2 · Room/FocusRoom", under: floor},
		{name: "a sensor cannot be duplicated", edit: func(c *controller, find func(string) string) (string, error) {
			return c.duplicate(find(motion), "x", "")
		}, errHas: "select a space or a device"},
		{name: "delete selects the node above", sel: focus, edit: func(c *controller, find func(string) string) (string, error) {
			sel, err := c.remove(find(focus))
			if c.selected != "" {
				return "", errors.New("the deleted node is still selected")
			}
			return sel, err
		}, want: floor, under: building},
		{name: "a property with a new key", edit: func(c *controller, find func(string) string) (string, error) {
			return find(conf), c.setProperty("Set Seats", find(conf), "Seats", "8", true)
		}, want: conf, under: floor},
		{name: "a property without a key is refused", edit: func(c *controller, find func(string) string) (string, error) {
			return "", c.setProperty("Set Seats", find(conf), "Seats", "8", false)
		}, errHas: "no property key"},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctl := quickstartController(t)
			m := ctl.model
			find := func(label string) string { return mustFind(t, m, label) }
			if c.prep != nil {
				c.prep(ctl, find)
			}
			undoable := ctl.canUndo()
			if c.sel != "" {
				ctl.selected = find(c.sel)
			}
			before := graphText(m)
			sel, err := c.edit(ctl, find)
			if c.errHas != "" {
				if err == nil || !strings.Contains(err.Error(), c.errHas) {
					t.Fatalf("error %v, want one saying %q", err, c.errHas)
				}
				if graphText(m) != before {
					t.Errorf("the refused edit changed the graph:\n%s", graphText(m))
				}
				if ctl.canUndo() != undoable {
					t.Error("the refused edit can be undone")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := m.label(sel); got != c.want {
				t.Errorf("selects %q, want %q", got, c.want)
			}
			up := ""
			if p := m.parent(sel); p != "" {
				up = m.label(p)
			}
			if up != c.under {
				t.Errorf("%q is under %q, want %q", c.want, up, c.under)
			}
			after := graphText(m)
			if label, err := ctl.undo(); err != nil || label == "" {
				t.Fatalf("undo: %q, %v", label, err)
			}
			if got := graphText(m); got != before {
				t.Errorf("after undo:\n%s\nwant\n%s", got, before)
			}
			if _, err := ctl.redo(); err != nil {
				t.Fatal(err)
			}
			if got := graphText(m); got != after {
				t.Errorf("after redo:\n%s\nwant\n%s", got, after)
			}
		})
	}
}

// deletesWith names what goes with a node, not the node itself.
func TestController_deletesWith(t *testing.T) {
	ctl := quickstartController(t)
	find := func(label string) string { return mustFind(t, ctl.model, label) }
	for label, want := range map[string]string{
		"Focus Room A1 · Room/FocusRoom":   "1 device, 2 sensors, 2 matchers, 1 user-defined function and 1 role assignment",
		"Raspberry Pi 3 A1 (1234567890AB)": "2 sensors",
		"Motion · SAMPLE_SENSOR_MOTION":    "",
	} {
		if got := ctl.deletesWith(find(label)); got != want {
			t.Errorf("deleting %s also deletes %q, want %q", label, got, want)
		}
	}
}

// undo and redo with nothing to undo or redo do nothing and say so with
// an empty label.
func TestController_nothingToUndo(t *testing.T) {
	ctl := quickstartController(t)
	if label, err := ctl.undo(); label != "" || err != nil {
		t.Errorf("undo: %q, %v", label, err)
	}
	if label, err := ctl.redo(); label != "" || err != nil {
		t.Errorf("redo: %q, %v", label, err)
	}
	if sel, err := ctl.paste(); sel != "" || err != nil {
		t.Errorf("paste with nothing cut: %q, %v", sel, err)
	}
}
