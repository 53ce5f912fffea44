package engine_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/twinstudio/twinstudio/engine"
)

// The walk visits every space once, in tree order, a space before the
// spaces under it and leave after them; an error stops it.
func TestView_WalkSpaces(t *testing.T) {
	e, _ := openEngine(t)
	if _, err := e.Provision(quickstartPlan()); err != nil {
		t.Fatal(err)
	}
	var trace []string
	stop := errors.New("stop")
	must(t, e.View(func(v *engine.View) error {
		err := v.WalkSpaces(func(s *engine.Space) error {
			trace = append(trace, "+"+s.Name)
			return nil
		}, func(s *engine.Space) error {
			trace = append(trace, "-"+s.Name)
			return nil
		})
		if err != nil {
			return err
		}
		n := 0
		if err := v.WalkSpaces(func(*engine.Space) error { n++; return stop }, nil); err != stop || n != 1 {
			t.Errorf("a failing enter: %v after %d spaces", err, n)
		}
		room, err := v.ResolveSpace("/Quickstart Building/Floor 1/Focus Room A1")
		if err != nil {
			return err
		}
		top, _ := v.ResolveSpace("/Quickstart Building")
		if got := v.RootSpace(room); got != top {
			t.Errorf("RootSpace of the room is %s, want the building %s", got, top)
		}
		if got := v.RootSpace(top); got != top {
			t.Errorf("RootSpace of a root is %s", got)
		}
		return nil
	}))
	want := "+Quickstart Building +Floor 1 +Area A -Area A +Conference Room 11 -Conference Room 11 " +
		"+Focus Room A1 -Focus Room A1 -Floor 1 -Quickstart Building"
	if got := strings.Join(trace, " "); got != want {
		t.Errorf("walk\n%s\nwant\n%s", got, want)
	}
}

func TestSensorTopic_parsesBack(t *testing.T) {
	topic := engine.SensorTopic("PI-1", "PI-1-T")
	if topic != "devices/PI-1/sensors/PI-1-T" {
		t.Fatalf("topic %q", topic)
	}
	tp, err := engine.ParseTopic(topic)
	if err != nil || tp.DeviceHardwareID != "PI-1" || tp.SensorHardwareID != "PI-1-T" {
		t.Errorf("ParseTopic(%q) = %+v, %v", topic, tp, err)
	}
}

// UpdateObject edits a copy of the object (its properties too) and stores
// it checked; a deleted object or a refused change leaves the graph as it
// was.
func TestTx_UpdateObjectAndEnsurePropertyKey(t *testing.T) {
	e, _ := openEngine(t)
	if _, err := e.Provision(quickstartPlan()); err != nil {
		t.Fatal(err)
	}
	var room engine.ID
	must(t, e.View(func(v *engine.View) error {
		var err error
		room, err = v.ResolveSpace("/Quickstart Building/Floor 1/Focus Room A1")
		return err
	}))
	before := dump(t, e)
	// A property without a key is refused; with EnsurePropertyKey it is kept.
	err := e.Update(func(tx *engine.Tx) error {
		return tx.UpdateObject(engine.KindSpace, room, func(o engine.Object) {
			ps := engine.PropertiesOf(o)
			*ps = engine.SetProperty(*ps, "Seats", "4")
		})
	})
	if !errors.Is(err, engine.ErrUnknownKey) {
		t.Fatalf("a property without a key: %v", err)
	}
	if dump(t, e) != before {
		t.Fatal("the refused update changed the graph")
	}
	must(t, e.Update(func(tx *engine.Tx) error {
		created, err := tx.EnsurePropertyKey("Seats", engine.ScopeSpaces, room, tx.RootSpace(room))
		if err != nil || !created {
			t.Errorf("EnsurePropertyKey: created %v, %v", created, err)
		}
		if again, err := tx.EnsurePropertyKey("seats", engine.ScopeSpaces, room, tx.RootSpace(room)); err != nil || again {
			t.Errorf("EnsurePropertyKey again: created %v, %v", again, err)
		}
		return tx.UpdateObject(engine.KindSpace, room, func(o engine.Object) {
			o.(*engine.Space).Name = "Focus Room B1"
			ps := engine.PropertiesOf(o)
			*ps = engine.SetProperty(*ps, "Seats", "4")
		})
	}))
	must(t, e.View(func(v *engine.View) error {
		s, _ := v.Space(room)
		if s.Name != "Focus Room B1" || len(s.Properties) != 1 || s.Properties[0].Value != "4" {
			t.Errorf("after the update: %q %+v", s.Name, s.Properties)
		}
		k, ok := v.FindPropertyKey("Seats", engine.ScopeSpaces, room)
		if !ok || k.SpaceID != v.RootSpace(room) || k.PrimitiveDataType != engine.PrimNone {
			t.Errorf("the key made: %+v", k)
		}
		return nil
	}))
	err = e.Update(func(tx *engine.Tx) error {
		return tx.UpdateObject(engine.KindDevice, room, func(engine.Object) { t.Error("mutate called for no object") })
	})
	if !errors.Is(err, engine.ErrNotFound) {
		t.Errorf("no such device: %v", err)
	}
}

func TestSetProperty(t *testing.T) {
	ps := []engine.Property{{Name: "A", Value: "1"}, {Name: "B", Value: "2"}}
	for _, c := range []struct{ name, value, want string }{
		{"a", "9", "A=9 B=2"},
		{"C", "3", "A=1 B=2 C=3"},
		{"b", "", "A=1"},
		{"D", "", "A=1 B=2"},
	} {
		var got []string
		for _, p := range engine.SetProperty(ps, c.name, c.value) {
			got = append(got, p.Name+"="+p.Value)
		}
		if strings.Join(got, " ") != c.want {
			t.Errorf("SetProperty(%s, %q) = %v, want %s", c.name, c.value, got, c.want)
		}
	}
	if ps[0].Value != "1" || len(ps) != 2 {
		t.Errorf("SetProperty changed its argument: %+v", ps)
	}
}

func TestChildSpaceType(t *testing.T) {
	for parent, want := range map[string]string{"": "Building", "Building": "Floor", "Floor": "Room", "Room": "Desk", "Tenant": "Venue", "Whatever": "Room"} {
		if got := engine.ChildSpaceType(parent); got != want {
			t.Errorf("ChildSpaceType(%q) = %q, want %q", parent, got, want)
		}
	}
}
