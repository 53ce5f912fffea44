package engine_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twinstudio/twinstudio/engine"
)

// dump is a canonical text of every object of the graph, one line per
// object sorted by kind and key, with zero fields left out and times in
// UTC, so that graphs compare equal across a reopen.
func dump(t testing.TB, e *engine.Engine) string {
	t.Helper()
	var objs []engine.Object
	must(t, e.View(func(v *engine.View) error {
		var walk func(s *engine.Space)
		walk = func(s *engine.Space) {
			objs = append(objs, s)
			for _, d := range v.SpaceDevices(s.ID) {
				objs = append(objs, d)
				for _, sn := range v.DeviceSensors(d.ID) {
					objs = append(objs, sn)
				}
			}
			for _, u := range v.SpaceUsers(s.ID) {
				objs = append(objs, u)
			}
			for _, c := range v.ChildSpaces(s.ID) {
				walk(c)
			}
		}
		for _, r := range v.Roots() {
			walk(r)
		}
		for _, x := range v.Matchers() {
			objs = append(objs, x)
		}
		for _, x := range v.UDFs() {
			objs = append(objs, x)
		}
		for _, x := range v.RoleAssignments() {
			objs = append(objs, x)
		}
		for _, x := range v.Endpoints() {
			objs = append(objs, x)
		}
		for _, x := range v.Resources() {
			objs = append(objs, x)
		}
		for _, x := range v.PropertyKeys() {
			objs = append(objs, x)
		}
		for _, x := range v.Types("") {
			objs = append(objs, x)
		}
		for _, x := range v.Ontologies() {
			objs = append(objs, x)
		}
		for _, x := range v.FloorPlans() {
			objs = append(objs, x)
		}
		return nil
	}))
	lines := make([]string, 0, len(objs))
	for _, o := range objs {
		b, err := json.Marshal(o)
		must(t, err)
		var x any
		must(t, json.Unmarshal(b, &x))
		b, err = json.Marshal(canon(x))
		must(t, err)
		k := o.ObjectKey()
		lines = append(lines, fmt.Sprintf("%02d %x %s", o.Kind(), k[:], b))
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// canon drops zero values and puts times in UTC.
func canon(x any) any {
	switch v := x.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range v {
			if c := canon(e); c != nil {
				out[k] = c
			}
		}
		if len(out) == 0 {
			return nil
		}
		return out
	case []any:
		if len(v) == 0 {
			return nil
		}
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = canon(e)
		}
		return out
	case string:
		if tm, err := time.Parse(time.RFC3339Nano, v); err == nil {
			if tm.IsZero() {
				return nil
			}
			return tm.UTC().Format(time.RFC3339Nano)
		}
		if v == "" {
			return nil
		}
		return v
	case float64:
		if v == 0 {
			return nil
		}
		return v
	case bool:
		if !v {
			return nil
		}
		return v
	}
	return x
}

// diffLines shows the first differing lines of two dumps.
func diffLines(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	var out []string
	am, bm := map[string]bool{}, map[string]bool{}
	for _, l := range al {
		am[l] = true
	}
	for _, l := range bl {
		bm[l] = true
	}
	for _, l := range al {
		if !bm[l] {
			out = append(out, "- "+l)
		}
	}
	for _, l := range bl {
		if !am[l] {
			out = append(out, "+ "+l)
		}
	}
	if len(out) > 20 {
		out = append(out[:20], "…")
	}
	return strings.Join(out, "\n")
}

func sameDump(t testing.TB, what, got, want string) {
	t.Helper()
	if got != want {
		t.Fatalf("%s: graph differs:\n%s", what, diffLines(want, got))
	}
}

// proj is a small project:
//
//	Building (Venue; Address, key at Building; IoTHub resource)
//	  Floor 1 (Floor, subtype Wing: custom, anchored at Floor 1)
//	    Room A1 (Lab: custom SpaceType at Floor 1)  Pi A1: S-A1-M (Zone=north, key at Floor 1), S-A1-T; role assignment
//	    Room A2 (Room)                               Pi A2: S-A2-T
//	    matcher "Motion A", UDF "Proc A"
//	  Floor 2 (Floor)
//	    Room B1 (Room)  Pi B1: S-B1-M, S-B1-T; user ann
//	    Room B2 (Room)  role assignment
//	    matcher "Motion B", UDF "Proc B"
//	  Floor 3 (Floor, empty)
type proj struct {
	building, floor1, roomA1, roomA2, floor2, roomB1, roomB2, floor3 engine.ID
	piA1, piA2, piB1                                                 engine.ID
	senA1M, senA2T, senB1M                                           engine.ID
	matcherB, udfB                                                   engine.ID
	labType, wingType                                                int
}

func setupProject(t testing.TB, e *engine.Engine) *proj {
	t.Helper()
	p := &proj{}
	must(t, e.Update(func(tx *engine.Tx) error {
		space := func(name string, parent engine.ID, typ string) engine.ID {
			id, err := tx.ResolveType(engine.SpaceType, typ, parent)
			must(t, err)
			s := &engine.Space{Name: name, ParentID: parent, TypeID: id}
			must(t, tx.CreateSpace(s))
			return s.ID
		}
		device := func(name, hw string, space engine.ID) engine.ID {
			d := &engine.Device{Name: name, HardwareID: hw, SpaceID: space}
			must(t, tx.CreateDevice(d))
			return d.ID
		}
		sensor := func(hw string, dev engine.ID, dataType string, props ...engine.Property) engine.ID {
			s := &engine.Sensor{HardwareID: hw, DeviceID: dev, DataTypeID: typ(t, tx, engine.SensorDataType, dataType), Properties: props}
			must(t, tx.CreateSensor(s))
			return s.ID
		}
		motion := []engine.Condition{{Target: "Sensor", Path: "$.dataType", Value: `"Motion"`, Comparison: "Equals"}}
		p.building = space("Building", engine.NilID, "Venue")
		must(t, tx.PutPropertyKey(&engine.PropertyKey{Name: "Address", Scope: engine.ScopeSpaces, SpaceID: p.building}))
		b, _ := tx.Space(p.building)
		bc := *b
		bc.Properties = []engine.Property{{Name: "Address", Value: "1 Main St"}}
		must(t, tx.UpdateSpace(&bc))
		must(t, tx.PutResource(&engine.Resource{SpaceID: p.building}))

		p.floor1 = space("Floor 1", p.building, "Floor")
		wing := &engine.ExtendedType{Category: engine.SpaceSubtype, Name: "Wing", SpaceID: p.floor1}
		must(t, tx.PutType(wing))
		lab := &engine.ExtendedType{Category: engine.SpaceType, Name: "Lab", SpaceID: p.floor1}
		must(t, tx.PutType(lab))
		p.wingType, p.labType = wing.ID, lab.ID
		f1, _ := tx.Space(p.floor1)
		f1c := *f1
		f1c.SubtypeID = wing.ID
		must(t, tx.UpdateSpace(&f1c))
		must(t, tx.PutPropertyKey(&engine.PropertyKey{Name: "Zone", Scope: engine.ScopeSensors, SpaceID: p.floor1}))
		p.roomA1 = space("Room A1", p.floor1, "Lab")
		p.roomA2 = space("Room A2", p.floor1, "Room")
		p.piA1 = device("Pi A1", "PI-A1", p.roomA1)
		p.senA1M = sensor("S-A1-M", p.piA1, "Motion", engine.Property{Name: "Zone", Value: "north"})
		sensor("S-A1-T", p.piA1, "Temperature")
		p.piA2 = device("Pi A2", "PI-A2", p.roomA2)
		p.senA2T = sensor("S-A2-T", p.piA2, "Temperature")
		ma := &engine.Matcher{Name: "Motion A", SpaceID: p.floor1, Conditions: motion}
		must(t, tx.PutMatcher(ma))
		ua := &engine.UDF{Name: "Proc A", SpaceID: p.floor1, MatcherIDs: []engine.ID{ma.ID}, Script: "function process(t, c) {}"}
		must(t, tx.PutUDF(ua))
		must(t, tx.PutRoleAssignment(&engine.RoleAssignment{RoleID: engine.RoleSpaceAdministrator, ObjectID: ua.ID.String(),
			ObjectIDType: engine.ObjectUserDefinedFunctionID, Path: tx.SpacePath(p.roomA1)}))

		p.floor2 = space("Floor 2", p.building, "Floor")
		p.roomB1 = space("Room B1", p.floor2, "Room")
		p.roomB2 = space("Room B2", p.floor2, "Room")
		p.piB1 = device("Pi B1", "PI-B1", p.roomB1)
		p.senB1M = sensor("S-B1-M", p.piB1, "Motion")
		sensor("S-B1-T", p.piB1, "Temperature")
		must(t, tx.CreateUser(&engine.User{UPN: "ann@example.com", SpaceID: p.roomB1}))
		mb := &engine.Matcher{Name: "Motion B", SpaceID: p.floor2, Conditions: motion}
		must(t, tx.PutMatcher(mb))
		ub := &engine.UDF{Name: "Proc B", SpaceID: p.floor2, MatcherIDs: []engine.ID{mb.ID}, Script: "function process(t, c) {}"}
		must(t, tx.PutUDF(ub))
		p.matcherB, p.udfB = mb.ID, ub.ID
		must(t, tx.PutRoleAssignment(&engine.RoleAssignment{RoleID: engine.RoleSpaceAdministrator, ObjectID: "@example.com",
			ObjectIDType: engine.ObjectDomainName, Path: tx.SpacePath(p.roomB2)}))
		p.floor3 = space("Floor 3", p.building, "Floor")
		return nil
	}))
	return p
}

// updateSpace applies f to a copy of space id.
func updateSpace(tx *engine.Tx, id engine.ID, f func(s *engine.Space)) error {
	s, ok := tx.Space(id)
	if !ok {
		return fmt.Errorf("no space %s", id)
	}
	c := *s
	f(&c)
	return tx.UpdateSpace(&c)
}

func TestEditorUndoRedo(t *testing.T) {
	cases := []struct {
		name  string
		label string
		edit  func(t *testing.T, tx *engine.Tx, p *proj) error
		check func(t *testing.T, v *engine.View, p *proj)
	}{
		{"create space", "Add Room A3", func(t *testing.T, tx *engine.Tx, p *proj) error {
			return tx.CreateSpace(&engine.Space{Name: "Room A3", ParentID: p.floor1})
		}, func(t *testing.T, v *engine.View, p *proj) {
			if _, ok := v.ChildSpaceByName(p.floor1, "Room A3"); !ok {
				t.Error("no Room A3")
			}
		}},
		{"create device with sensors", "Add Pi A2b", func(t *testing.T, tx *engine.Tx, p *proj) error {
			d := &engine.Device{Name: "Pi A2b", HardwareID: "PI-A2B", SpaceID: p.roomA2}
			if err := tx.CreateDevice(d); err != nil {
				return err
			}
			return tx.CreateSensor(&engine.Sensor{DeviceID: d.ID, HardwareID: "S-A2B-M", DataTypeID: typ(t, tx, engine.SensorDataType, "Motion")})
		}, func(t *testing.T, v *engine.View, p *proj) {
			d, ok := v.DeviceByHardwareID("PI-A2B")
			if !ok || len(v.DeviceSensors(d.ID)) != 1 {
				t.Error("no Pi A2b with its sensor")
			}
		}},
		{"create sensor", "Add sensor", func(t *testing.T, tx *engine.Tx, p *proj) error {
			return tx.CreateSensor(&engine.Sensor{DeviceID: p.piA1, HardwareID: "S-A1-H", DataTypeID: typ(t, tx, engine.SensorDataType, "Humidity")})
		}, func(t *testing.T, v *engine.View, p *proj) {
			if s, ok := v.SensorByHardwareID("S-A1-H"); !ok || s.SpaceID != p.roomA1 {
				t.Errorf("sensor %+v", s)
			}
		}},
		{"rename", "Rename Floor 1", func(t *testing.T, tx *engine.Tx, p *proj) error {
			return updateSpace(tx, p.floor1, func(s *engine.Space) { s.Name = "Level 1" })
		}, func(t *testing.T, v *engine.View, p *proj) {
			if v.FullName(p.roomA1) != "/Building/Level 1/Room A1" {
				t.Error(v.FullName(p.roomA1))
			}
		}},
		{"type change", "Change type of Room A2", func(t *testing.T, tx *engine.Tx, p *proj) error {
			return updateSpace(tx, p.roomA2, func(s *engine.Space) { s.TypeID = p.labType })
		}, func(t *testing.T, v *engine.View, p *proj) {
			if s, _ := v.Space(p.roomA2); s.TypeID != p.labType {
				t.Error("type not changed")
			}
		}},
		{"property change", "Change Address", func(t *testing.T, tx *engine.Tx, p *proj) error {
			return updateSpace(tx, p.building, func(s *engine.Space) {
				s.Properties = []engine.Property{{Name: "Address", Value: "2 Main St"}}
			})
		}, func(t *testing.T, v *engine.View, p *proj) {
			if s, _ := v.Space(p.building); s.Properties[0].Value != "2 Main St" {
				t.Error(s.Properties)
			}
		}},
		{"move space", "Move Room B2", func(t *testing.T, tx *engine.Tx, p *proj) error {
			return tx.MoveSpace(p.roomB2, p.floor3)
		}, func(t *testing.T, v *engine.View, p *proj) {
			if s, _ := v.Space(p.roomB2); s.ParentID != p.floor3 {
				t.Error("not moved")
			}
			for _, r := range v.RoleAssignments() {
				if r.ObjectID == "@example.com" && r.Path != v.SpacePath(p.roomB2) {
					t.Errorf("role assignment path %s, want %s", r.Path, v.SpacePath(p.roomB2))
				}
			}
		}},
		{"move space to root", "Move Floor 3", func(t *testing.T, tx *engine.Tx, p *proj) error {
			return tx.MoveSpace(p.floor3, engine.NilID)
		}, func(t *testing.T, v *engine.View, p *proj) {
			if len(v.Roots()) != 2 {
				t.Error("not a root")
			}
		}},
		{"move device", "Move Pi A2", func(t *testing.T, tx *engine.Tx, p *proj) error {
			return tx.MoveDevice(p.piA2, p.roomB2)
		}, func(t *testing.T, v *engine.View, p *proj) {
			if s, _ := v.Sensor(p.senA2T); s.SpaceID != p.roomB2 {
				t.Error("sensor did not follow")
			}
		}},
		{"move sensor", "Move S-B1-M", func(t *testing.T, tx *engine.Tx, p *proj) error {
			return tx.MoveSensor(p.senB1M, p.piA2)
		}, func(t *testing.T, v *engine.View, p *proj) {
			if s, _ := v.Sensor(p.senB1M); s.DeviceID != p.piA2 || s.SpaceID != p.roomA2 {
				t.Errorf("sensor %+v", s)
			}
		}},
		{"duplicate floor", "Duplicate Floor 2", func(t *testing.T, tx *engine.Tx, p *proj) error {
			_, err := tx.DuplicateSpace(p.floor2, p.building, "Floor 2 copy", "")
			return err
		}, func(t *testing.T, v *engine.View, p *proj) {
			f, err := v.ResolveSpace("/Building/Floor 2 copy")
			must(t, err)
			if len(v.ChildSpaces(f)) != 2 {
				t.Error("rooms not copied")
			}
			d, ok := v.DeviceByHardwareID("PI-B1-2")
			if !ok || len(v.DeviceSensors(d.ID)) != 2 || v.FullName(d.SpaceID) != "/Building/Floor 2 copy/Room B1" {
				t.Fatalf("device copy %+v", d)
			}
			orig, _ := v.Device(p.piB1)
			if d.Key == orig.Key || d.ID == orig.ID {
				t.Error("copy shares key or id")
			}
			if _, ok := v.SensorByHardwareID("S-B1-M-2"); !ok {
				t.Error("no S-B1-M-2")
			}
			var m *engine.Matcher
			for _, x := range v.Matchers() {
				if x.SpaceID == f {
					m = x
				}
			}
			var u *engine.UDF
			for _, x := range v.UDFs() {
				if x.SpaceID == f {
					u = x
				}
			}
			if m == nil || u == nil || len(u.MatcherIDs) != 1 || u.MatcherIDs[0] != m.ID {
				t.Errorf("matcher %+v udf %+v", m, u)
			}
			if len(v.SpaceUsers(d.SpaceID)) != 0 || len(v.RoleAssignments()) != 2 {
				t.Error("users or role assignments copied")
			}
		}},
		{"duplicate device", "Duplicate Pi B1", func(t *testing.T, tx *engine.Tx, p *proj) error {
			_, err := tx.DuplicateDevice(p.piB1, p.roomB2, "Pi B2", "{hw}-{n}")
			return err
		}, func(t *testing.T, v *engine.View, p *proj) {
			d, ok := v.DeviceByHardwareID("PI-B1-2")
			if !ok || d.Name != "Pi B2" || d.SpaceID != p.roomB2 || len(v.SpaceSensors(p.roomB2)) != 2 {
				t.Errorf("copy %+v", d)
			}
		}},
		{"delete floor with custom types", "Delete Floor 1", func(t *testing.T, tx *engine.Tx, p *proj) error {
			return tx.DeleteObject(engine.KindSpace, p.floor1)
		}, func(t *testing.T, v *engine.View, p *proj) {
			if _, ok := v.Space(p.roomA1); ok {
				t.Error("Room A1 left")
			}
			if _, ok := v.Type(p.labType); ok {
				t.Error("Lab type left")
			}
		}},
		{"delete device", "Delete Pi B1", func(t *testing.T, tx *engine.Tx, p *proj) error {
			return tx.DeleteObject(engine.KindDevice, p.piB1)
		}, func(t *testing.T, v *engine.View, p *proj) {
			if _, ok := v.SensorByHardwareID("S-B1-M"); ok {
				t.Error("sensor left")
			}
		}},
		{"delete matcher used by a UDF", "Delete Motion B", func(t *testing.T, tx *engine.Tx, p *proj) error {
			return tx.DeleteObject(engine.KindMatcher, p.matcherB)
		}, func(t *testing.T, v *engine.View, p *proj) {
			if u, _ := v.UDF(p.udfB); len(u.MatcherIDs) != 0 {
				t.Error("UDF still names the matcher")
			}
		}},
		{"load an ontology and use its type", "Use AirFlow", func(t *testing.T, tx *engine.Tx, p *proj) error {
			if err := tx.SetOntologyLoaded(engine.OntologyBACnet, true); err != nil {
				return err
			}
			s, _ := tx.Sensor(p.senA2T)
			c := *s
			c.DataTypeID = typ(t, tx, engine.SensorDataType, "AirFlow")
			return tx.UpdateSensor(&c)
		}, func(t *testing.T, v *engine.View, p *proj) {
			if s, _ := v.Sensor(p.senA2T); v.TypeName(s.DataTypeID) != "AirFlow" {
				t.Error(v.TypeName(s.DataTypeID))
			}
		}},
		{"create and delete in one edit", "Shuffle", func(t *testing.T, tx *engine.Tx, p *proj) error {
			s := &engine.Space{Name: "Temp", ParentID: p.floor3}
			if err := tx.CreateSpace(s); err != nil {
				return err
			}
			if err := tx.DeleteSpace(s.ID); err != nil {
				return err
			}
			if err := tx.DeleteSensor(p.senA2T); err != nil {
				return err
			}
			return tx.CreateUser(&engine.User{UPN: "bob@example.com", SpaceID: p.roomA2})
		}, func(t *testing.T, v *engine.View, p *proj) {
			if len(v.ChildSpaces(p.floor3)) != 0 || len(v.SpaceUsers(p.roomA2)) != 1 {
				t.Error("wrong")
			}
		}},
		{"provision into existing project", "Import plan", func(t *testing.T, tx *engine.Tx, p *proj) error {
			plan := &engine.Plan{File: "more.yaml", Spaces: []*engine.PlanSpace{{Name: "Building", Description: "HQ",
				Spaces: []*engine.PlanSpace{
					{Name: "Floor 4", Type: "Floor",
						PropertyKeys: []*engine.PlanPropertyKey{{Name: "Wing4", Scope: "Spaces"}},
						Types:        []*engine.PlanType{{Category: "SpaceType", Name: "Studio"}},
						Spaces: []*engine.PlanSpace{{Name: "Studio 1", Type: "Studio", Properties: []engine.PlanProperty{{Name: "Wing4", Value: "x"}},
							Devices: []*engine.PlanDevice{{Name: "Pi D1", HardwareID: "PI-D1", Sensors: []*engine.PlanSensor{
								{HardwareID: "S-D1-M", DataType: "Motion"}, {HardwareID: "S-D1-T", DataType: "Temperature"}}}},
							Matchers: []*engine.PlanMatcher{{Name: "Motion D", DataTypeValue: "Motion"}},
							UDFs:     []*engine.PlanUDF{{Name: "Proc D", MatcherNames: []string{"Motion D"}, Script: "function process(t, c) {}"}},
						}}},
					{Name: "Floor 2", Description: "second"},
				}}}}
			_, err := tx.Provision(plan, nil)
			return err
		}, func(t *testing.T, v *engine.View, p *proj) {
			if _, err := v.ResolveSpace("/Building/Floor 4/Studio 1"); err != nil {
				t.Error(err)
			}
			if s, _ := v.Space(p.floor2); s.Description != "second" {
				t.Error("Floor 2 not updated")
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e, path := openEngine(t)
			p := setupProject(t, e)
			ed := engine.NewEditor(e, 0)
			before := dump(t, e)
			must(t, ed.Do(c.label, func(tx *engine.Tx) error { return c.edit(t, tx, p) }))
			after := dump(t, e)
			if after == before {
				t.Fatal("the edit changed nothing")
			}
			must(t, e.View(func(v *engine.View) error { c.check(t, v, p); return nil }))
			if l, ok := ed.UndoLabel(); !ok || l != c.label {
				t.Fatalf("UndoLabel = %q, %v", l, ok)
			}
			l, err := ed.Undo()
			must(t, err)
			if l != c.label {
				t.Errorf("Undo label %q", l)
			}
			sameDump(t, "after undo", dump(t, e), before)
			if l, ok := ed.RedoLabel(); !ok || l != c.label {
				t.Fatalf("RedoLabel = %q, %v", l, ok)
			}
			_, err = ed.Redo()
			must(t, err)
			sameDump(t, "after redo", dump(t, e), after)
			must(t, e.View(func(v *engine.View) error { c.check(t, v, p); return nil }))
			_, err = ed.Undo()
			must(t, err)
			sameDump(t, "after second undo", dump(t, e), before)
			if _, err := ed.Undo(); !errors.Is(err, engine.ErrNothingToUndo) {
				t.Errorf("Undo on empty stack: %v", err)
			}
			// The undo reached the file.
			must(t, e.Close())
			e2 := reopen(t, path)
			sameDump(t, "after reopen", dump(t, e2), before)
			// And the redo too.
			ed2 := engine.NewEditor(e2, 0)
			must(t, ed2.Do(c.label, func(tx *engine.Tx) error { return c.edit(t, tx, p) }))
			after2 := dump(t, e2)
			must(t, e2.Close())
			e3 := reopen(t, path)
			sameDump(t, "after redo and reopen", dump(t, e3), after2)
		})
	}
}

// TestDeleteImpactAgrees checks DeleteImpact against what the delete does.
func TestDeleteImpactAgrees(t *testing.T) {
	type target struct {
		name string
		kind engine.Kind
		id   func(p *proj) engine.ID
		want string
	}
	for _, c := range []target{
		{"building", engine.KindSpace, func(p *proj) engine.ID { return p.building },
			"8 spaces, 3 devices, 5 sensors, 1 user, 2 matchers, 2 user-defined functions, 2 role assignments and 5 other objects"},
		{"floor 1", engine.KindSpace, func(p *proj) engine.ID { return p.floor1 },
			"3 spaces, 2 devices, 3 sensors, 1 matcher, 1 user-defined function, 1 role assignment and 3 other objects"},
		{"room B1", engine.KindSpace, func(p *proj) engine.ID { return p.roomB1 }, "1 space, 1 device, 2 sensors and 1 user"},
		{"device", engine.KindDevice, func(p *proj) engine.ID { return p.piA1 }, "1 device and 2 sensors"},
		{"sensor", engine.KindSensor, func(p *proj) engine.ID { return p.senA1M }, "1 sensor"},
		{"matcher", engine.KindMatcher, func(p *proj) engine.ID { return p.matcherB }, "1 matcher"},
		{"type", engine.KindType, func(p *proj) engine.ID { return engine.IntKey(p.wingType) }, "1 other object"},
	} {
		t.Run(c.name, func(t *testing.T) {
			e, _ := openEngine(t)
			p := setupProject(t, e)
			var im engine.Impact
			must(t, e.View(func(v *engine.View) error { im = v.DeleteImpact(c.kind, c.id(p)); return nil }))
			if im.String() != c.want {
				t.Errorf("impact %q, want %q", im, c.want)
			}
			if c.kind == engine.KindType {
				// in use: refused
				err := e.Update(func(tx *engine.Tx) error { return tx.DeleteObject(c.kind, c.id(p)) })
				if !errors.Is(err, engine.ErrConflict) {
					t.Fatalf("deleting a type in use: %v", err)
				}
				return
			}
			b := e.Stats()
			must(t, e.Update(func(tx *engine.Tx) error { return tx.DeleteObject(c.kind, c.id(p)) }))
			a := e.Stats()
			got := engine.Impact{Spaces: b.Spaces - a.Spaces, Devices: b.Devices - a.Devices, Sensors: b.Sensors - a.Sensors,
				Users: b.Users - a.Users, Matchers: b.Matchers - a.Matchers, UDFs: b.UDFs - a.UDFs, RoleAssignments: b.RoleAssignments - a.RoleAssignments,
				Others: b.Endpoints - a.Endpoints + b.Resources - a.Resources + b.PropertyKeys - a.PropertyKeys + b.Types - a.Types}
			if got != im {
				t.Errorf("delete removed %v (%+v), DeleteImpact said %v (%+v)", got, got, im, im)
			}
		})
	}
	if s := (engine.Impact{}).String(); s != "nothing" {
		t.Error(s)
	}
}

func TestDuplicateHardwareIDs(t *testing.T) {
	e, _ := openEngine(t)
	p := setupProject(t, e)
	ed := engine.NewEditor(e, 0)
	// PI-B1-2 is taken: {n} skips to 3 for devices and sensors alike.
	must(t, e.Update(func(tx *engine.Tx) error {
		return tx.CreateDevice(&engine.Device{Name: "X", HardwareID: "PI-B1-2", SpaceID: p.floor3})
	}))
	var copyID engine.ID
	must(t, ed.Do("Duplicate Floor 2", func(tx *engine.Tx) error {
		var err error
		copyID, err = tx.DuplicateSpace(p.floor2, p.building, "Floor 2b", engine.DefaultHardwareIDPattern)
		return err
	}))
	must(t, e.View(func(v *engine.View) error {
		for _, hw := range []string{"PI-B1-3", "S-B1-M-3", "S-B1-T-3"} {
			_, okD := v.DeviceByHardwareID(hw)
			_, okS := v.SensorByHardwareID(hw)
			if !okD && !okS {
				t.Errorf("no %s", hw)
			}
		}
		if v.FullName(copyID) != "/Building/Floor 2b" {
			t.Error(v.FullName(copyID))
		}
		return nil
	}))
	before := dump(t, e)
	cases := []struct {
		name    string
		fn      func(tx *engine.Tx) error
		want    error
		message string
	}{
		{"pattern without {n} collides", func(tx *engine.Tx) error {
			_, err := tx.DuplicateSpace(p.floor2, p.building, "Floor 2c", "{hw}-3")
			return err
		}, engine.ErrDuplicate, `hardwareId "PI-B1-3" is already in use`},
		{"pattern without {hw}", func(tx *engine.Tx) error {
			_, err := tx.DuplicateSpace(p.floor2, p.building, "Floor 2c", "DEV{n}")
			return err
		}, engine.ErrDuplicate, `gives two sensors hardwareId "DEV2"`},
		{"invalid hardwareId", func(tx *engine.Tx) error {
			_, err := tx.DuplicateDevice(p.piB1, p.roomB1, "", "{hw} copy")
			return err
		}, engine.ErrInvalid, `hardwareId "PI-B1 copy"`},
		{"name taken", func(tx *engine.Tx) error {
			_, err := tx.DuplicateSpace(p.floor2, p.building, "Floor 3", "")
			return err
		}, engine.ErrDuplicate, `"Floor 3" already exists`},
		{"custom type out of scope", func(tx *engine.Tx) error {
			_, err := tx.DuplicateSpace(p.floor1, p.building, "Floor 1 copy", "")
			return err
		}, engine.ErrUnknownType, `Wing`},
		{"move under itself", func(tx *engine.Tx) error { return tx.MoveSpace(p.floor2, p.roomB1) }, engine.ErrConflict, `under itself`},
		{"move onto itself", func(tx *engine.Tx) error { return tx.MoveSpace(p.floor2, p.floor2) }, engine.ErrConflict, `under itself`},
		{"move out of a custom type's subtree", func(tx *engine.Tx) error { return tx.MoveSpace(p.roomA1, p.floor2) }, engine.ErrConflict, `SpaceType "Lab"`},
		{"move with a sibling of the same name", func(tx *engine.Tx) error {
			if err := tx.CreateSpace(&engine.Space{Name: "Room B1", ParentID: p.floor3}); err != nil {
				return err
			}
			return tx.MoveSpace(p.roomB1, p.floor3)
		}, engine.ErrDuplicate, `"Room B1"`},
		{"move device out of a key's subtree", func(tx *engine.Tx) error { return tx.MoveDevice(p.piA1, p.roomB1) }, engine.ErrUnknownKey, `Pi A1`},
		{"move to unknown space", func(tx *engine.Tx) error { return tx.MoveDevice(p.piA1, engine.NewID()) }, engine.ErrNotFound, `space`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := ed.Do(c.name, c.fn)
			if !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.message) {
				t.Fatalf("err = %v, want %v containing %q", err, c.want, c.message)
			}
			sameDump(t, "after failed edit", dump(t, e), before)
			if l, _ := ed.UndoLabel(); l != "Duplicate Floor 2" {
				t.Errorf("a failed edit was pushed: %q", l)
			}
		})
	}
}

func TestUndoConflicts(t *testing.T) {
	t.Run("hardwareId reused", func(t *testing.T) {
		e, _ := openEngine(t)
		p := setupProject(t, e)
		ed := engine.NewEditor(e, 0)
		must(t, ed.Do("Rename Floor 2", func(tx *engine.Tx) error {
			return updateSpace(tx, p.floor2, func(s *engine.Space) { s.Name = "Level 2" })
		}))
		must(t, ed.Do("Delete Pi B1", func(tx *engine.Tx) error { return tx.DeleteDevice(p.piB1) }))
		must(t, e.Update(func(tx *engine.Tx) error {
			return tx.CreateDevice(&engine.Device{Name: "Newcomer", HardwareID: "PI-B1", SpaceID: p.floor3})
		}))
		before := dump(t, e)
		l, err := ed.Undo()
		if !errors.Is(err, engine.ErrConflict) || !errors.Is(err, engine.ErrDuplicate) || !strings.Contains(err.Error(), `"PI-B1"`) ||
			!strings.Contains(err.Error(), `cannot undo "Delete Pi B1"`) || l != "Delete Pi B1" {
			t.Fatalf("Undo = %q, %v", l, err)
		}
		sameDump(t, "after failed undo", dump(t, e), before)
		// The entry is gone; the one below still works.
		if l, _ := ed.UndoLabel(); l != "Rename Floor 2" {
			t.Fatalf("UndoLabel %q", l)
		}
		_, err = ed.Undo()
		must(t, err)
		must(t, e.View(func(v *engine.View) error {
			if s, _ := v.Space(p.floor2); s.Name != "Floor 2" {
				t.Error(s.Name)
			}
			return nil
		}))
	})
	t.Run("object changed outside the editor", func(t *testing.T) {
		e, _ := openEngine(t)
		p := setupProject(t, e)
		ed := engine.NewEditor(e, 0)
		must(t, ed.Do("Rename Floor 2", func(tx *engine.Tx) error {
			return updateSpace(tx, p.floor2, func(s *engine.Space) { s.Name = "Level 2" })
		}))
		must(t, e.Update(func(tx *engine.Tx) error {
			return updateSpace(tx, p.floor2, func(s *engine.Space) { s.Description = "changed" })
		}))
		before := dump(t, e)
		if _, err := ed.Undo(); !errors.Is(err, engine.ErrConflict) || !strings.Contains(err.Error(), `space "Level 2" was changed since`) {
			t.Fatalf("Undo: %v", err)
		}
		sameDump(t, "after failed undo", dump(t, e), before)
		if _, ok := ed.UndoLabel(); ok {
			t.Error("entry kept")
		}
	})
	t.Run("undoing a create would delete a newer object", func(t *testing.T) {
		e, _ := openEngine(t)
		p := setupProject(t, e)
		ed := engine.NewEditor(e, 0)
		var room engine.ID
		must(t, ed.Do("Add Room", func(tx *engine.Tx) error {
			s := &engine.Space{Name: "Room C", ParentID: p.floor3}
			err := tx.CreateSpace(s)
			room = s.ID
			return err
		}))
		must(t, e.Update(func(tx *engine.Tx) error {
			return tx.CreateDevice(&engine.Device{Name: "Late", HardwareID: "LATE", SpaceID: room})
		}))
		before := dump(t, e)
		if _, err := ed.Undo(); !errors.Is(err, engine.ErrConflict) || !strings.Contains(err.Error(), `device "Late"`) {
			t.Fatalf("Undo: %v", err)
		}
		sameDump(t, "after failed undo", dump(t, e), before)
	})
	t.Run("redo after a conflicting change", func(t *testing.T) {
		e, _ := openEngine(t)
		p := setupProject(t, e)
		ed := engine.NewEditor(e, 0)
		must(t, ed.Do("Add Room C", func(tx *engine.Tx) error {
			return tx.CreateSpace(&engine.Space{Name: "Room C", ParentID: p.floor3})
		}))
		must(t, ed.Do("Rename Floor 3", func(tx *engine.Tx) error {
			return updateSpace(tx, p.floor3, func(s *engine.Space) { s.Name = "Level 3" })
		}))
		_, err := ed.Undo()
		must(t, err)
		_, err = ed.Undo()
		must(t, err)
		must(t, e.Update(func(tx *engine.Tx) error {
			return tx.CreateSpace(&engine.Space{Name: "Room C", ParentID: p.floor3})
		}))
		before := dump(t, e)
		if _, err := ed.Redo(); !errors.Is(err, engine.ErrConflict) || !errors.Is(err, engine.ErrDuplicate) {
			t.Fatalf("Redo: %v", err)
		}
		sameDump(t, "after failed redo", dump(t, e), before)
		if _, err := ed.Redo(); !errors.Is(err, engine.ErrNothingToRedo) {
			t.Errorf("redo stack not cleared: %v", err)
		}
	})
}

func TestEditorStacks(t *testing.T) {
	e, _ := openEngine(t)
	p := setupProject(t, e)
	ed := engine.NewEditor(e, 2)
	if _, err := ed.Redo(); !errors.Is(err, engine.ErrNothingToRedo) {
		t.Error(err)
	}
	// An edit that changes nothing is not pushed; neither are values.
	must(t, ed.Do("Nothing", func(tx *engine.Tx) error {
		_, _, err := tx.SetSensorValue(p.senA1M, engine.Value{Value: "1", Time: tx.Now()})
		return err
	}))
	if _, ok := ed.UndoLabel(); ok {
		t.Fatal("empty edit pushed")
	}
	for i := 1; i <= 3; i++ {
		must(t, ed.Do(fmt.Sprint("Rename ", i), func(tx *engine.Tx) error {
			return updateSpace(tx, p.floor3, func(s *engine.Space) { s.Name = fmt.Sprint("F", i) })
		}))
	}
	for _, want := range []string{"Rename 3", "Rename 2"} {
		if l, err := ed.Undo(); err != nil || l != want {
			t.Fatalf("Undo = %q, %v; want %q", l, err, want)
		}
	}
	if _, err := ed.Undo(); !errors.Is(err, engine.ErrNothingToUndo) {
		t.Fatalf("limit not kept: %v", err)
	}
	// A new edit clears the redo stack.
	must(t, ed.Do("Rename 4", func(tx *engine.Tx) error {
		return updateSpace(tx, p.floor3, func(s *engine.Space) { s.Name = "F4" })
	}))
	if _, ok := ed.RedoLabel(); ok {
		t.Error("redo stack kept")
	}
	ed.Clear()
	if _, ok := ed.UndoLabel(); ok {
		t.Error("Clear left the undo stack")
	}
	// A failing edit changes and pushes nothing.
	before := dump(t, e)
	boom := errors.New("boom")
	if err := ed.Do("Fail", func(tx *engine.Tx) error {
		must(t, tx.DeleteSpace(p.floor2))
		return boom
	}); err != boom {
		t.Fatal(err)
	}
	sameDump(t, "after failed Do", dump(t, e), before)
	if _, ok := ed.UndoLabel(); ok {
		t.Error("failed edit pushed")
	}
}

func TestEditorConcurrent(t *testing.T) {
	e, _ := openEngine(t)
	p := setupProject(t, e)
	ed := engine.NewEditor(e, 50)
	before := dump(t, e)
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 10; i++ {
				if err := ed.Do("Add", func(tx *engine.Tx) error {
					return tx.CreateSpace(&engine.Space{Name: fmt.Sprintf("R%d-%d", w, i), ParentID: p.floor3})
				}); err != nil {
					t.Errorf("Do: %v", err)
				}
				ed.UndoLabel()
				if err := e.View(func(v *engine.View) error { v.ChildSpaces(p.floor3); return nil }); err != nil {
					t.Errorf("View: %v", err)
				}
			}
		}()
	}
	wg.Wait()
	undone := 0
	for {
		if _, err := ed.Undo(); errors.Is(err, engine.ErrNothingToUndo) {
			break
		} else {
			must(t, err)
		}
		undone++
	}
	if undone != 40 {
		t.Errorf("undid %d edits, want the 40 made", undone)
	}
	sameDump(t, "after undoing everything", dump(t, e), before)
}

func TestPreviewProvisionAndProgress(t *testing.T) {
	e, _ := openEngine(t)
	before := dump(t, e)
	plan := quickstartPlan()
	prev, err := e.PreviewProvision(plan)
	must(t, err)
	sameDump(t, "after preview", dump(t, e), before)
	if e.CommitStats() != (engine.CommitStats{}) {
		t.Errorf("preview wrote: %+v", e.CommitStats())
	}
	var calls [][2]int
	var sum *engine.ProvisionSummary
	must(t, e.Update(func(tx *engine.Tx) error {
		var err error
		sum, err = tx.Provision(plan, func(done, total int) { calls = append(calls, [2]int{done, total}) })
		return err
	}))
	if prev.String() != sum.String() {
		t.Errorf("preview\n%s\nprovision\n%s", prev, sum)
	}
	// 5 spaces, 1 resource, 1 device, 2 sensors, 2 matchers, 1 UDF, 1 role assignment
	if len(calls) < 2 || calls[0] != [2]int{0, 13} || calls[len(calls)-1] != [2]int{13, 13} {
		t.Errorf("progress calls %v", calls)
	}
	for i := 1; i < len(calls); i++ {
		if calls[i][0] < calls[i-1][0] {
			t.Errorf("progress went back: %v", calls)
		}
	}
	// Errors are Provision's; nothing changes.
	bad := quickstartPlan()
	bad.Spaces[0].Spaces[0].Spaces[1].Type = "Spaceship"
	mid := dump(t, e)
	if _, err := e.PreviewProvision(bad); !errors.Is(err, engine.ErrUnknownType) || !strings.Contains(err.Error(), "p.yaml:8") {
		t.Errorf("preview error %v", err)
	}
	sameDump(t, "after failed preview", dump(t, e), mid)
	// A big plan reports about 100 times.
	big := &engine.Plan{File: "big.yaml", Spaces: []*engine.PlanSpace{{Name: "Big"}}}
	for i := 0; i < 1000; i++ {
		big.Spaces[0].Devices = append(big.Spaces[0].Devices, &engine.PlanDevice{Name: fmt.Sprint("D", i), HardwareID: fmt.Sprint("BIG", i)})
	}
	n, last := 0, 0
	must(t, e.Update(func(tx *engine.Tx) error {
		_, err := tx.Provision(big, func(done, total int) { n++; last = done })
		return err
	}))
	if n > 102 || last != 1001 {
		t.Errorf("%d progress calls, last %d", n, last)
	}
}

// Undoing the delete of a room brings back its sensor's value and history
// and the room's computed value, also after a reopen; values of objects
// that stay deleted are dropped from the file at the next open.
func TestEditorUndoDeleteKeepsValues(t *testing.T) {
	e, path := openEngine(t)
	var room, sensor, gone engine.ID
	must(t, e.Update(func(tx *engine.Tx) error {
		b := &engine.Space{Name: "B"}
		must(t, tx.CreateSpace(b))
		r := &engine.Space{Name: "R", ParentID: b.ID}
		must(t, tx.CreateSpace(r))
		d := &engine.Device{Name: "D", SpaceID: r.ID, HardwareID: "D1"}
		must(t, tx.CreateDevice(d))
		s := &engine.Sensor{DeviceID: d.ID, HardwareID: "T1"}
		must(t, tx.CreateSensor(s))
		d2 := &engine.Device{Name: "D2", SpaceID: b.ID, HardwareID: "D2"}
		must(t, tx.CreateDevice(d2))
		s2 := &engine.Sensor{DeviceID: d2.ID, HardwareID: "T2"}
		must(t, tx.CreateSensor(s2))
		room, sensor, gone = r.ID, s.ID, s2.ID
		return nil
	}))
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	for i := 0; i < 5; i++ {
		must(t, e.Update(func(tx *engine.Tx) error {
			v := engine.Value{Value: fmt.Sprint(20 + i), Time: t0.Add(time.Duration(i) * time.Minute)}
			if _, _, err := tx.SetSensorValue(sensor, v); err != nil {
				return err
			}
			if _, _, err := tx.SetSensorValue(gone, v); err != nil {
				return err
			}
			_, _, err := tx.SetSpaceValue(room, "Comfort", engine.Value{Value: "ok", Time: v.Time})
			return err
		}))
	}
	values := func(e *engine.Engine) (hist []engine.Value, comfort string) {
		_ = e.View(func(v *engine.View) error {
			hist = v.SensorHistory(sensor)
			c, _ := v.SpaceValue(room, "Comfort")
			comfort = c.Value
			return nil
		})
		return hist, comfort
	}
	wantHist, _ := values(e)
	if len(wantHist) != 5 {
		t.Fatalf("history %v", wantHist)
	}

	ed := engine.NewEditor(e, 0)
	must(t, ed.Do("delete room", func(tx *engine.Tx) error { return tx.DeleteSpace(room) }))
	must(t, ed.Do("delete T2", func(tx *engine.Tx) error { return tx.DeleteSensor(gone) }))
	if h, _ := values(e); len(h) != 0 {
		t.Fatalf("deleted sensor still has history %v", h)
	}
	if _, err := ed.Undo(); err != nil { // T2 comes back
		t.Fatal(err)
	}
	if _, err := ed.Redo(); err != nil { // and goes again, for good
		t.Fatal(err)
	}
	if _, err := ed.Undo(); err != nil { // T2 back
		t.Fatal(err)
	}
	if _, err := ed.Redo(); err != nil { // T2 gone
		t.Fatal(err)
	}
	if _, err := ed.Undo(); err != nil { // T2 back once more
		t.Fatal(err)
	}
	must(t, ed.Do("delete T2 again", func(tx *engine.Tx) error { return tx.DeleteSensor(gone) }))
	if _, err := ed.Undo(); err != nil {
		t.Fatal(err)
	}
	if _, err := ed.Undo(); err != nil { // the room
		t.Fatal(err)
	}
	h, comfort := values(e)
	if fmt.Sprint(h) != fmt.Sprint(wantHist) || comfort != "ok" {
		t.Fatalf("after undo: history %v (want %v), comfort %q", h, wantHist, comfort)
	}
	// Redo the room's delete and leave it deleted; T2 is back with its
	// history. Reopen: the room's values are gone from the file, T2's
	// history is intact.
	if _, err := ed.Redo(); err != nil {
		t.Fatal(err)
	}
	must(t, e.Close())
	e = reopen(t, path)
	_ = e.View(func(v *engine.View) error {
		if got := v.SensorHistory(gone); len(got) != 5 {
			t.Errorf("T2 history after reopen: %v", got)
		}
		return nil
	})
	must(t, e.Close())
	st := openStore(t, path)
	if h, err := st.History(sensor, "", 100); err != nil || len(h) != 0 {
		t.Errorf("the deleted room's sensor still has history in the file: %v %v", h, err)
	}
	if h, err := st.History(room, "Comfort", 100); err != nil || len(h) != 0 {
		t.Errorf("the deleted room still has values in the file: %v %v", h, err)
	}
}
