package ui

import (
	"reflect"
	"testing"
	"time"

	"github.com/twinstudio/twinstudio/engine"
)

func TestParseNode(t *testing.T) {
	id := engine.NewID()
	for _, c := range []struct {
		uid  string
		kind engine.Kind
		ok   bool
	}{
		{spaceNode(id), engine.KindSpace, true},
		{deviceNode(id), engine.KindDevice, true},
		{sensorNode(id), engine.KindSensor, true},
		{"", engine.KindNone, false},
		{"s:", engine.KindNone, false},
		{"x:" + id.String(), engine.KindNone, false},
		{"s:not-a-guid", engine.KindNone, false},
	} {
		k, got, ok := parseNode(c.uid)
		if nodeKind(c.uid) != c.kind || ok != c.ok || (ok && (got != id || k.kind != c.kind)) {
			t.Errorf("ParseNode(%q) = %v, %v, %v", c.uid, k, got, ok)
		}
	}
}

func TestModel_quickstart(t *testing.T) {
	a := mustOpenExample(t, "quickstart", "quickstart")
	m := newViewModel(a.Engine())

	building := mustFind(t, m, "Quickstart Building · Venue")
	floor := mustFind(t, m, "Floor 1 · Floor")
	room := mustFind(t, m, "Focus Room A1 · Room/FocusRoom")
	device := mustFind(t, m, "Raspberry Pi 3 A1 (1234567890AB)")
	motion := mustFind(t, m, "Motion · SAMPLE_SENSOR_MOTION")

	labels := func(uids []string) []string {
		out := make([]string, len(uids))
		for i, u := range uids {
			out[i] = m.label(u)
		}
		return out
	}
	if got, want := labels(m.childNodes(floor)), []string{
		"Area A · Area", "Conference Room 11 · Room/ConferenceRoom", "Focus Room A1 · Room/FocusRoom",
	}; !reflect.DeepEqual(got, want) {
		t.Errorf("floor's children %q, want %q", got, want)
	}
	if got, want := labels(m.childNodes(device)), []string{
		"Motion · SAMPLE_SENSOR_MOTION", "CarbonDioxide · SAMPLE_SENSOR_CARBONDIOXIDE",
	}; !reflect.DeepEqual(got, want) {
		t.Errorf("device's children %q, want %q", got, want)
	}
	for uid, want := range map[string]bool{"": true, building: true, room: true, device: true, motion: false,
		mustFind(t, m, "Area A · Area"): false} {
		if got := m.isBranch(uid); got != want {
			t.Errorf("IsBranch(%s) = %v", m.label(uid), got)
		}
	}
	if got, want := m.ancestors(motion), []string{building, floor, room, device}; !reflect.DeepEqual(got, want) {
		t.Errorf("Ancestors(motion) = %q, want %q", labels(got), labels(want))
	}
	if got := m.ancestors(building); len(got) != 0 {
		t.Errorf("a root has ancestors %q", got)
	}

	d, ok := m.details(device)
	if !ok || d.Kind != engine.KindDevice || d.Title != "Raspberry Pi 3 A1" {
		t.Fatalf("device details %+v %v", d, ok)
	}
	if f := fieldMap(d.Fields); f["Hardware ID"] != "1234567890AB" || f["Space"] != "/Quickstart Building/Floor 1/Focus Room A1" {
		t.Errorf("device fields %q", f)
	}
	if len(d.Values) != 0 {
		t.Errorf("device values before any telemetry: %+v", d.Values)
	}

	// Values show with their times: a device lists its sensors' values, a
	// space its computed values.
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	_, roomID, _ := parseNode(room)
	_, motionID, _ := parseNode(motion)
	if err := a.Engine().Update(func(tx *engine.Tx) error {
		if _, _, err := tx.SetSensorValue(motionID, engine.Value{Value: "false", Time: at}); err != nil {
			return err
		}
		_, _, err := tx.SetSpaceValue(roomID, "AvailableAndFresh", engine.Value{Value: "Room is available and air is fresh", Time: at})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	d, _ = m.details(device)
	if want := []field{{Label: "Motion (SAMPLE_SENSOR_MOTION)", Value: "false", Time: at}}; !reflect.DeepEqual(d.Values, want) {
		t.Errorf("device values %+v, want %+v", d.Values, want)
	}
	d, _ = m.details(room)
	if len(d.Values) != 1 || d.Values[0].Label != "AvailableAndFresh" || !d.Values[0].Time.Equal(at) {
		t.Errorf("room values %+v", d.Values)
	}
	if got, want := m.label(motion), "Motion · SAMPLE_SENSOR_MOTION = false"; got != want {
		t.Errorf("label %q, want %q", got, want)
	}

	// A node whose object is gone has no details and no label.
	if _, ok := m.details(sensorNode(engine.NewID())); ok {
		t.Error("details for an unknown sensor")
	}
	if got := m.label(spaceNode(engine.NewID())); got != "" {
		t.Errorf("label for an unknown space %q", got)
	}
}

func TestModel_smartOfficeProperties(t *testing.T) {
	a := mustOpenExample(t, "smart-office", "smart-office")
	m := newViewModel(a.Engine())
	d, ok := m.details(mustFind(t, m, "Smart Office · Building"))
	if !ok {
		t.Fatal("no details")
	}
	if p := fieldMap(d.Properties); p["City"] != "Springfield" || p["FloorCount"] != "3" {
		t.Errorf("properties %q", p)
	}
	if f := fieldMap(d.Fields); f["Description"] != "Three floors of offices, meeting rooms and open spaces" || f["Contains"] != "3 spaces" {
		t.Errorf("fields %q", f)
	}
	s, _ := m.details(mustFind(t, m, "Temperature · SO-F1-R05-TEMPERATURE"))
	if f := fieldMap(s.Fields); f["Unit"] != "Celsius" || f["Device"] != "Sensor Pod SO-F1-R05 (SO-F1-R05)" {
		t.Errorf("sensor fields %q", f)
	}
}

func TestField_Text(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	if got := (field{Value: "21.5"}).text(); got != "21.5" {
		t.Errorf("no time: %q", got)
	}
	if got, want := (field{Value: "21.5", Time: at}).text(), "21.5  ("+at.Local().Format("2006-01-02 15:04:05 MST")+")"; got != want {
		t.Errorf("%q, want %q", got, want)
	}
}

func TestCounts(t *testing.T) {
	for _, c := range []struct {
		st   engine.Stats
		want string
	}{
		{engine.Stats{}, "0 spaces · 0 devices · 0 sensors"},
		{engine.Stats{Spaces: 1, Devices: 1, Sensors: 1, Users: 1, UDFs: 1}, "1 space · 1 device · 1 sensor · 1 user · 1 UDF"},
		{engine.Stats{Spaces: 64, Devices: 60, Sensors: 248, Matchers: 8, UDFs: 1, RoleAssignments: 1, Types: 300},
			"64 spaces · 60 devices · 248 sensors · 8 matchers · 1 UDF · 1 role assignment"},
	} {
		if got := countsText(c.st); got != c.want {
			t.Errorf("Counts(%+v) = %q, want %q", c.st, got, c.want)
		}
	}
}

func fieldMap(fs []field) map[string]string {
	out := map[string]string{}
	for _, f := range fs {
		out[f.Label] = f.text()
	}
	return out
}
