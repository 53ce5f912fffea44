package engine_test

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twinstudio/twinstudio/engine"
)

func TestFailedUpdateChangesNothing(t *testing.T) {
	e, path := openEngine(t)
	var root engine.ID
	must(t, e.Update(func(tx *engine.Tx) error {
		s := &engine.Space{Name: "Building"}
		must(t, tx.CreateSpace(s))
		root = s.ID
		return nil
	}))
	before := e.Stats()
	boom := errors.New("boom")
	err := e.Update(func(tx *engine.Tx) error {
		for i := 0; i < 10; i++ {
			s := &engine.Space{Name: fmt.Sprint("Floor ", i), ParentID: root}
			must(t, tx.CreateSpace(s))
			d := &engine.Device{Name: "Pi", SpaceID: s.ID, HardwareID: fmt.Sprint("HW", i)}
			must(t, tx.CreateDevice(d))
			must(t, tx.CreateSensor(&engine.Sensor{DeviceID: d.ID, HardwareID: fmt.Sprint("S", i)}))
		}
		r, _ := tx.Space(root)
		c := *r
		c.Name = "Renamed"
		must(t, tx.UpdateSpace(&c))
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	if after := e.Stats(); after != before {
		t.Fatalf("stats changed: %+v -> %+v", before, after)
	}
	must(t, e.View(func(v *engine.View) error {
		if s, _ := v.Space(root); s.Name != "Building" {
			t.Errorf("name = %q", s.Name)
		}
		if len(v.ChildSpaces(root)) != 0 {
			t.Errorf("children left behind")
		}
		if _, ok := v.DeviceByHardwareID("HW1"); ok {
			t.Errorf("device index left behind")
		}
		return nil
	}))
	// The hardware ids are free again, and nothing of it reached the file.
	must(t, e.Update(func(tx *engine.Tx) error {
		d := &engine.Device{Name: "Pi", SpaceID: root, HardwareID: "HW1"}
		return tx.CreateDevice(d)
	}))
	must(t, e.Close())
	e2 := reopen(t, path)
	if st := e2.Stats(); st.Spaces != 1 || st.Devices != 1 || st.Sensors != 0 {
		t.Fatalf("reopened stats %+v", st)
	}
}

// TestReadersNeverSeeHalfAWrite runs readers against a writer that adds a
// floor with 20 rooms per transaction: every read must see whole floors.
func TestReadersNeverSeeHalfAWrite(t *testing.T) {
	e, _ := openEngine(t)
	var root engine.ID
	must(t, e.Update(func(tx *engine.Tx) error {
		s := &engine.Space{Name: "B"}
		root = s.ID
		err := tx.CreateSpace(s)
		root = s.ID
		return err
	}))
	var stop atomic.Bool
	var wg sync.WaitGroup
	var bad atomic.Int64
	for r := 0; r < 2; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				res, err := e.Query(engine.Query{SpaceID: root, Traverse: engine.TraverseDown, MinLevel: engine.L(2), MinRelative: false})
				if err != nil {
					bad.Add(1)
					return
				}
				// 1 + floors*(1+20) minus the root: floors*21
				if len(res.Spaces)%21 != 0 {
					bad.Add(1)
				}
			}
		}()
	}
	for f := 0; f < 30; f++ {
		must(t, e.Update(func(tx *engine.Tx) error {
			fl := &engine.Space{Name: fmt.Sprint("F", f), ParentID: root}
			if err := tx.CreateSpace(fl); err != nil {
				return err
			}
			for i := 0; i < 20; i++ {
				if err := tx.CreateSpace(&engine.Space{Name: fmt.Sprint("R", i), ParentID: fl.ID}); err != nil {
					return err
				}
			}
			return nil
		}))
	}
	stop.Store(true)
	wg.Wait()
	if bad.Load() != 0 {
		t.Fatalf("%d reads saw a partial write", bad.Load())
	}
}

func TestSpaceRules(t *testing.T) {
	e, _ := openEngine(t)
	var b, f1, f2 engine.ID
	must(t, e.Update(func(tx *engine.Tx) error {
		s := &engine.Space{Name: "B"}
		must(t, tx.CreateSpace(s))
		x := &engine.Space{Name: "F1", ParentID: s.ID}
		must(t, tx.CreateSpace(x))
		y := &engine.Space{Name: "F2", ParentID: s.ID}
		must(t, tx.CreateSpace(y))
		b, f1, f2 = s.ID, x.ID, y.ID
		return nil
	}))
	cases := []struct {
		name string
		fn   func(tx *engine.Tx) error
		want error
	}{
		{"duplicate sibling name", func(tx *engine.Tx) error { return tx.CreateSpace(&engine.Space{Name: "f1", ParentID: b}) }, engine.ErrDuplicate},
		{"slash in name", func(tx *engine.Tx) error { return tx.CreateSpace(&engine.Space{Name: "a/b", ParentID: b}) }, engine.ErrInvalid},
		{"empty name", func(tx *engine.Tx) error { return tx.CreateSpace(&engine.Space{Name: " "}) }, engine.ErrInvalid},
		{"missing parent", func(tx *engine.Tx) error { return tx.CreateSpace(&engine.Space{Name: "x", ParentID: engine.NewID()}) }, engine.ErrNotFound},
		{"unknown type id", func(tx *engine.Tx) error { return tx.CreateSpace(&engine.Space{Name: "x", TypeID: 999999}) }, engine.ErrUnknownType},
		{"move under itself", func(tx *engine.Tx) error {
			s, _ := tx.Space(b)
			c := *s
			c.ParentID = f1
			return tx.UpdateSpace(&c)
		}, engine.ErrConflict},
		{"property without key", func(tx *engine.Tx) error {
			return tx.CreateSpace(&engine.Space{Name: "x", ParentID: b, Properties: []engine.Property{{Name: "Nope", Value: "1"}}})
		}, engine.ErrUnknownKey},
		{"BACnet type while unloaded", func(tx *engine.Tx) error {
			_, err := tx.ResolveType(engine.SensorDataType, "AirFlow", b)
			return err
		}, engine.ErrUnknownType},
	}
	for _, c := range cases {
		if err := e.Update(c.fn); !errors.Is(err, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, err, c.want)
		}
	}
	// Move F2 under F1: levels follow.
	must(t, e.Update(func(tx *engine.Tx) error {
		s, _ := tx.Space(f2)
		c := *s
		c.ParentID = f1
		return tx.UpdateSpace(&c)
	}))
	must(t, e.View(func(v *engine.View) error {
		if v.Level(f2) != 3 || v.FullName(f2) != "/B/F1/F2" {
			t.Errorf("after move: level %d name %s", v.Level(f2), v.FullName(f2))
		}
		return nil
	}))
	// Loading BACnet makes its types usable.
	must(t, e.Update(func(tx *engine.Tx) error { return tx.SetOntologyLoaded(engine.OntologyBACnet, true) }))
	must(t, e.View(func(v *engine.View) error {
		_, err := v.ResolveType(engine.SensorDataType, "AirFlow", b)
		return err
	}))
}

func TestDeleteSpaceCascades(t *testing.T) {
	e, path := openEngine(t)
	var b, f1, outsideDev engine.ID
	must(t, e.Update(func(tx *engine.Tx) error {
		s := &engine.Space{Name: "B"}
		must(t, tx.CreateSpace(s))
		f := &engine.Space{Name: "F1", ParentID: s.ID}
		must(t, tx.CreateSpace(f))
		r := &engine.Space{Name: "R", ParentID: f.ID}
		must(t, tx.CreateSpace(r))
		d := &engine.Device{Name: "Pi", SpaceID: r.ID, HardwareID: "PI"}
		must(t, tx.CreateDevice(d))
		must(t, tx.CreateSensor(&engine.Sensor{DeviceID: d.ID, HardwareID: "PI-M"}))
		must(t, tx.CreateUser(&engine.User{UPN: "ada@example.com", SpaceID: r.ID}))
		m := &engine.Matcher{Name: "M", SpaceID: f.ID, Conditions: []engine.Condition{{Target: "Sensor", Path: "$.dataType", Comparison: "Equals", Value: `"Motion"`}}}
		must(t, tx.PutMatcher(m))
		must(t, tx.PutUDF(&engine.UDF{Name: "U", SpaceID: f.ID, MatcherIDs: []engine.ID{m.ID}, Script: "function process(){}"}))
		must(t, tx.PutRoleAssignment(&engine.RoleAssignment{RoleID: engine.RoleUser, ObjectID: "x", ObjectIDType: engine.ObjectUserID, Path: tx.SpacePath(f.ID)}))
		od := &engine.Device{Name: "Gateway", SpaceID: s.ID, HardwareID: "GW"}
		must(t, tx.CreateDevice(od))
		_, _, err := tx.SetSpaceValue(r.ID, "Occupied", engine.Value{Value: "true", Time: time.Now()})
		must(t, err)
		b, f1, outsideDev = s.ID, f.ID, od.ID
		return nil
	}))
	// A sensor of an outside device placed in the subtree blocks the delete.
	var blocker engine.ID
	must(t, e.Update(func(tx *engine.Tx) error {
		s := &engine.Sensor{DeviceID: outsideDev, SpaceID: f1, HardwareID: "GW-T"}
		err := tx.CreateSensor(s)
		blocker = s.ID
		return err
	}))
	if err := e.Update(func(tx *engine.Tx) error { return tx.DeleteSpace(f1) }); !errors.Is(err, engine.ErrConflict) {
		t.Fatalf("delete with foreign sensor: %v", err)
	}
	must(t, e.Update(func(tx *engine.Tx) error { return tx.DeleteSensor(blocker) }))
	must(t, e.Update(func(tx *engine.Tx) error { return tx.DeleteSpace(f1) }))
	check := func(e *engine.Engine) {
		st := e.Stats()
		if st.Spaces != 1 || st.Devices != 1 || st.Sensors != 0 || st.Users != 0 || st.Matchers != 0 || st.UDFs != 0 || st.RoleAssignments != 0 {
			t.Errorf("after delete: %+v", st)
		}
		must(t, e.View(func(v *engine.View) error {
			if len(v.ChildSpaces(b)) != 0 {
				t.Error("child still linked")
			}
			return nil
		}))
	}
	check(e)
	must(t, e.Close())
	check(reopen(t, path))
}

func TestValuesAndHistory(t *testing.T) {
	e, path := openEngine(t)
	var sid, rid engine.ID
	must(t, e.Update(func(tx *engine.Tx) error {
		r := &engine.Space{Name: "R"}
		must(t, tx.CreateSpace(r))
		d := &engine.Device{Name: "Pi", SpaceID: r.ID}
		must(t, tx.CreateDevice(d))
		s := &engine.Sensor{DeviceID: d.ID}
		must(t, tx.CreateSensor(s))
		sid, rid = s.ID, r.ID
		return nil
	}))
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 40; i++ {
		must(t, e.Update(func(tx *engine.Tx) error {
			_, _, err := tx.SetSensorValue(sid, engine.Value{Value: fmt.Sprint(i), Time: t0.Add(time.Duration(i) * time.Second)})
			if err != nil {
				return err
			}
			_, _, err = tx.SetSpaceValue(rid, "Count", engine.Value{Value: fmt.Sprint(i * 2), Time: t0})
			return err
		}))
	}
	check := func(e *engine.Engine) {
		must(t, e.View(func(v *engine.View) error {
			if val, _ := v.SensorValue(sid); val.Value != "39" {
				t.Errorf("sensor value %q", val.Value)
			}
			if h := v.SensorHistory(sid); len(h) != 32 || h[31].Value != "39" || h[0].Value != "8" {
				t.Errorf("history len %d", len(h))
			}
			if val, _ := v.SpaceValue(rid, "Count"); val.Value != "78" {
				t.Errorf("space value %q", val.Value)
			}
			return nil
		}))
	}
	check(e)
	must(t, e.Close())
	check(reopen(t, path))
}

func TestPropertyKeyValidation(t *testing.T) {
	cases := []struct {
		key   engine.PropertyKey
		value string
		want  string // normalised value, or "!" for an error
	}{
		{engine.PropertyKey{Name: "A", PrimitiveDataType: "Bool"}, "TRUE", "true"},
		{engine.PropertyKey{Name: "A", PrimitiveDataType: "Bool"}, "yes", "!"},
		{engine.PropertyKey{Name: "A", PrimitiveDataType: "Int", Min: "0", Max: "10"}, " 7 ", "7"},
		{engine.PropertyKey{Name: "A", PrimitiveDataType: "Int", Min: "0", Max: "10"}, "11", "!"},
		{engine.PropertyKey{Name: "A", PrimitiveDataType: "UInt"}, "-1", "!"},
		{engine.PropertyKey{Name: "A", PrimitiveDataType: "Long"}, "9000000000", "9000000000"},
		{engine.PropertyKey{Name: "A", PrimitiveDataType: "String", Min: "2", Max: "4"}, "abcde", "!"},
		{engine.PropertyKey{Name: "A", PrimitiveDataType: "String", ValidationData: "^[a-z]+$"}, "ABC", "ABC"},
		{engine.PropertyKey{Name: "A", PrimitiveDataType: "String", ValidationData: "^[a-z]+$"}, "a1", "!"},
		{engine.PropertyKey{Name: "A", PrimitiveDataType: "Enum", ValidationData: "Red;Green"}, "green", "Green"},
		{engine.PropertyKey{Name: "A", PrimitiveDataType: "Enum", ValidationData: "Red;Green"}, "Blue", "!"},
		{engine.PropertyKey{Name: "A", PrimitiveDataType: "Set", ValidationData: "a;b;c", Max: "2"}, "A;c", "a;c"},
		{engine.PropertyKey{Name: "A", PrimitiveDataType: "Set", ValidationData: "a;b;c", Max: "2"}, "a;b;c", "!"},
		{engine.PropertyKey{Name: "A", PrimitiveDataType: "DateTime", Min: "2020-01-01T00:00:00Z"}, "2019-01-01T00:00:00Z", "!"},
		{engine.PropertyKey{Name: "A", PrimitiveDataType: "DateTime"}, "2021-01-01T00:00:00Z", "2021-01-01T00:00:00Z"},
		{engine.PropertyKey{Name: "A", PrimitiveDataType: "Json"}, `{"a":1}`, `{"a":1}`},
		{engine.PropertyKey{Name: "A", PrimitiveDataType: "Json"}, `{a:1}`, "!"},
	}
	for _, c := range cases {
		got, err := c.key.Validate(c.value)
		if c.want == "!" {
			if !errors.Is(err, engine.ErrInvalid) {
				t.Errorf("%s %q: want an error, got %q", c.key.PrimitiveDataType, c.value, got)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%s %q: got %q, %v; want %q", c.key.PrimitiveDataType, c.value, got, err, c.want)
		}
	}
}

func TestAuthorize(t *testing.T) {
	e, ids := navGraph(t)
	udf := engine.Principal{Type: engine.ObjectUserDefinedFunctionID, ID: "udf-1"}
	ada := engine.Principal{Type: engine.ObjectUserID, ID: "ada", UPN: "ada@contoso.com"}
	gw := engine.Principal{Type: engine.ObjectDeviceID, ID: "gw"}
	must(t, e.Update(func(tx *engine.Tx) error {
		must(t, tx.PutRoleAssignment(&engine.RoleAssignment{RoleID: engine.RoleSpaceAdministrator, ObjectID: udf.ID, ObjectIDType: udf.Type, Path: tx.SpacePath(ids["F1"])}))
		must(t, tx.PutRoleAssignment(&engine.RoleAssignment{RoleID: engine.RoleUser, ObjectID: "@contoso.com", ObjectIDType: engine.ObjectDomainName, Path: tx.SpacePath(ids["F2"])}))
		must(t, tx.PutRoleAssignment(&engine.RoleAssignment{RoleID: engine.RoleGatewayDevice, ObjectID: gw.ID, ObjectIDType: engine.ObjectDeviceID, Path: "/"}))
		return nil
	}))
	var sensorR1, devR3 engine.ID
	must(t, e.View(func(v *engine.View) error {
		sensorR1 = v.SpaceSensors(ids["R1"])[0].ID
		devR3 = v.SpaceDevices(ids["R3"])[0].ID
		return nil
	}))
	cases := []struct {
		p      engine.Principal
		action engine.Action
		res    string
		obj    engine.ID
		ok     bool
	}{
		{udf, engine.ActionUpdate, engine.ResSpace, ids["R1"], true},  // beneath the assignment
		{udf, engine.ActionRead, engine.ResSensor, sensorR1, true},    // object in the subtree
		{udf, engine.ActionRead, engine.ResSpace, ids["V"], false},    // above it
		{udf, engine.ActionRead, engine.ResSpace, ids["F2"], false},   // beside it
		{ada, engine.ActionRead, engine.ResSpace, ids["R3"], true},    // domain match
		{ada, engine.ActionUpdate, engine.ResSpace, ids["R3"], false}, // User role is read-only
		{ada, engine.ActionRead, engine.ResDevice, devR3, false},      // User role has no devices
		{engine.Principal{Type: engine.ObjectUserID, ID: "bob", UPN: "bob@other.com"}, engine.ActionRead, engine.ResSpace, ids["R3"], false},
		{gw, engine.ActionCreate, engine.ResSensor, ids["X"], true}, // "/" covers all
		{gw, engine.ActionDelete, engine.ResSensor, ids["X"], false},
		{engine.Owner, engine.ActionDelete, engine.ResSpace, ids["R"], true}, // the local owner
	}
	for i, c := range cases {
		err := e.Authorize(c.p, c.action, c.res, c.obj)
		if (err == nil) != c.ok {
			t.Errorf("case %d (%s %s %s): err = %v", i, c.p, c.action, c.res, err)
		}
		if err != nil && !errors.Is(err, engine.ErrNotAuthorized) {
			t.Errorf("case %d: error %v does not wrap ErrNotAuthorized", i, err)
		}
	}
	// Query filters by what the principal may read.
	r, err := e.Query(engine.Query{Principal: &ada})
	must(t, err)
	if got := names(r); got != "F2,R3" {
		t.Errorf("ada sees %q", got)
	}
}

// Deleting a space deletes the matchers in it, and a UDF outside the
// space that used one of them no longer refers to it.
func TestDeleteSpace_dropsMatcherReferences(t *testing.T) {
	e, _ := openEngine(t)
	var room, m engine.ID
	var udf *engine.UDF
	must(t, e.Update(func(tx *engine.Tx) error {
		b := &engine.Space{Name: "B"}
		must(t, tx.CreateSpace(b))
		r := &engine.Space{Name: "R", ParentID: b.ID}
		must(t, tx.CreateSpace(r))
		room = r.ID
		mm := &engine.Matcher{Name: "M", SpaceID: r.ID}
		must(t, tx.PutMatcher(mm))
		m = mm.ID
		udf = &engine.UDF{Name: "U", SpaceID: b.ID, MatcherIDs: []engine.ID{m}, Script: "function process(){}"}
		return tx.PutUDF(udf)
	}))
	must(t, e.Update(func(tx *engine.Tx) error { return tx.DeleteSpace(room) }))
	_ = e.View(func(v *engine.View) error {
		u, ok := v.UDF(udf.ID)
		if !ok {
			t.Fatal("the UDF outside the space was deleted")
		}
		if len(u.MatcherIDs) != 0 {
			t.Errorf("the UDF still refers to matchers %v", u.MatcherIDs)
		}
		if _, ok := v.Matcher(m); ok {
			t.Error("the matcher in the space survived")
		}
		return nil
	})
}
