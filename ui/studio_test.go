package ui

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/twinstudio/twinstudio/engine"
)

func TestStudio_opensOnTheBuilding(t *testing.T) {
	test.NewTempApp(t)
	a := mustOpenExample(t, "quickstart", "quickstart")
	s, w := newStudioWindow(t, a)

	if got, want := w.Title(), "Twin Studio — quickstart"; got != want {
		t.Errorf("title %q, want %q", got, want)
	}

	// The building is the only root, opened to its floor and the floor to
	// its rooms.
	roots := s.model.childNodes("")
	if len(roots) != 1 || s.model.label(roots[0]) != "Quickstart Building · Venue" {
		t.Fatalf("roots %q", roots)
	}
	shown := texts(visibleLabels(s.tree.tree))
	for _, want := range []string{
		"Quickstart Building · Venue",
		"Floor 1 · Floor",
		"Area A · Area",
		"Conference Room 11 · Room/ConferenceRoom",
		"Focus Room A1 · Room/FocusRoom",
	} {
		if !contains(shown, want) {
			t.Errorf("tree does not show %q; shows %q", want, shown)
		}
	}
	if contains(shown, "Raspberry Pi 3 A1 (1234567890AB)") {
		t.Error("rooms should start closed, but the tree shows the room's device")
	}

	// Nothing is selected yet: the inspector says what to do.
	if got := s.insp.title.Text; got != "Nothing selected" {
		t.Errorf("inspector title %q", got)
	}

	// The status bar names the project and counts its objects.
	status := texts(visibleLabels(s.status.content))
	if !contains(status, "quickstart") || !contains(status, "5 spaces · 1 device · 2 sensors · 2 matchers · 1 UDF · 1 role assignment") {
		t.Errorf("status bar %q", status)
	}
}

func TestStudio_inspectsASensor(t *testing.T) {
	test.NewTempApp(t)
	a := mustOpenExample(t, "quickstart", "quickstart")
	s, w := newStudioWindow(t, a)
	m := s.model

	// The user opens Focus Room A1 and its Raspberry Pi, and clicks the
	// motion sensor.
	s.tree.tree.OpenBranch(mustFind(t, m, "Focus Room A1 · Room/FocusRoom"))
	s.tree.tree.OpenBranch(mustFind(t, m, "Raspberry Pi 3 A1 (1234567890AB)"))
	tapLabel(t, w, s.tree.tree, "Motion · SAMPLE_SENSOR_MOTION")

	if got := s.insp.title.Text; got != "Motion" {
		t.Errorf("inspector title %q, want Motion", got)
	}
	if got := s.insp.subtitle.Text; got != "Sensor" {
		t.Errorf("inspector subtitle %q, want Sensor", got)
	}
	f := inspected(s)
	for label, want := range map[string]string{
		"Hardware ID": "SAMPLE_SENSOR_MOTION",
		"Data type":   "Motion",
		"Device":      "Raspberry Pi 3 A1 (1234567890AB)",
		"Space":       "/Quickstart Building/Floor 1/Focus Room A1",
		"ID":          mustSensor(t, a, "SAMPLE_SENSOR_MOTION").ID.String(),
	} {
		if f[label] != want {
			t.Errorf("inspector %s = %q, want %q", label, f[label], want)
		}
	}
	if shown := texts(visibleLabels(s.insp.content)); !contains(shown, "No value yet.") {
		t.Errorf("inspector should say the sensor has no value; shows %q", shown)
	}

	// A value arrives; after a refresh the tree and the inspector show it
	// with its time.
	at := time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)
	sensor := mustSensor(t, a, "SAMPLE_SENSOR_MOTION")
	if err := a.Engine().Update(func(tx *engine.Tx) error {
		_, _, err := tx.SetSensorValue(sensor.ID, engine.Value{Value: "true", Time: at})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	s.refresh()
	if shown := texts(visibleLabels(s.tree.tree)); !contains(shown, "Motion · SAMPLE_SENSOR_MOTION = true") {
		t.Errorf("tree does not show the value; shows %q", shown)
	}
	if got, want := inspected(s)["Value"], "true  ("+formatTime(at)+")"; got != want {
		t.Errorf("inspector Value = %q, want %q", got, want)
	}
}

func TestStudio_selectRevealsANode(t *testing.T) {
	test.NewTempApp(t)
	a := mustOpenExample(t, "quickstart", "quickstart")
	s, _ := newStudioWindow(t, a)

	// Selecting a sensor that is hidden in a closed room opens the room and
	// the device and shows the sensor.
	s.selectNode(sensorNode(mustSensor(t, a, "SAMPLE_SENSOR_CARBONDIOXIDE").ID))
	if shown := texts(visibleLabels(s.tree.tree)); !contains(shown, "CarbonDioxide · SAMPLE_SENSOR_CARBONDIOXIDE") {
		t.Errorf("tree does not show the selected sensor; shows %q", shown)
	}
	if got := inspected(s)["Hardware ID"]; got != "SAMPLE_SENSOR_CARBONDIOXIDE" {
		t.Errorf("inspector Hardware ID %q", got)
	}

	// A space shows its type, path and what it contains.
	s.selectNode(mustFind(t, s.model, "Focus Room A1 · Room/FocusRoom"))
	f := inspected(s)
	for label, want := range map[string]string{
		"Type":     "Room",
		"Subtype":  "FocusRoom",
		"Path":     "/Quickstart Building/Floor 1/Focus Room A1",
		"Level":    "3",
		"Contains": "1 device, 2 sensors",
	} {
		if f[label] != want {
			t.Errorf("space %s = %q, want %q", label, f[label], want)
		}
	}
}

func TestStudio_emptyProject(t *testing.T) {
	test.NewTempApp(t)
	e := mustOpenEmpty(t)
	s, _ := newStudioWindow(t, e)
	if n := len(s.model.childNodes("")); n != 0 {
		t.Fatalf("%d roots in an empty project", n)
	}
	if got := s.insp.subtitle.Text; got != "This project is empty" {
		t.Errorf("inspector subtitle %q", got)
	}
	if status := texts(visibleLabels(s.status.content)); !contains(status, "0 spaces · 0 devices · 0 sensors") {
		t.Errorf("status bar %q", status)
	}
}

// TestStudio_markup renders the main screen of the quickstart project with
// nothing selected (so no GUIDs are on screen) and compares it with
// testdata/studio.xml, the project's temporary folder replaced by $TMP.
// The studio is deterministic but for the path of the project file.
func TestStudio_markup(t *testing.T) {
	test.NewTempApp(t)
	a := mustOpenExample(t, "quickstart", "quickstart")
	_, w := newStudioWindow(t, a)
	got := strings.ReplaceAll(test.RenderToMarkup(w.Canvas()), filepath.Dir(a.Path()), "$TMP")
	// The width of the path's text depends on the folder's name too.
	got = regexp.MustCompile(`size="\d+x(\d+)">(Project file: )?\$TMP`).ReplaceAllString(got, `size="Wx$1">$2$$TMP`)
	assertGolden(t, "studio.xml", got)
}
