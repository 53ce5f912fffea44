package engine_test

import (
	"errors"
	"sort"
	"strings"
	"testing"

	"github.com/twinstudio/twinstudio/engine"
)

// navGraph builds:
//
//	R (Tenant, 1)
//	  V (Venue, 2)
//	    F1 (Floor, 3)
//	      A (Area, 4)
//	        R1 (Room, 5)
//	          D1 (Desk, 6)
//	      R2 (Room/FocusRoom, 4)
//	    F2 (Floor, 3)
//	      R3 (Room/ConferenceRoom, 4)
//	X (Venue, 1)
//	  F3 (Floor, 2)
//
// with one device "dev-<space>" on every space, each with a Motion sensor.
func navGraph(t *testing.T) (*engine.Engine, map[string]engine.ID) {
	e, _ := openEngine(t)
	ids := map[string]engine.ID{}
	must(t, e.Update(func(tx *engine.Tx) error {
		mk := func(name, parent, st, sub string) {
			s := &engine.Space{Name: name, ParentID: ids[parent], TypeID: typ(t, tx, engine.SpaceType, st)}
			if sub != "" {
				s.SubtypeID = typ(t, tx, engine.SpaceSubtype, sub)
			}
			must(t, tx.CreateSpace(s))
			ids[name] = s.ID
			d := &engine.Device{Name: "dev-" + name, HardwareID: "HW-" + name, SpaceID: s.ID}
			must(t, tx.CreateDevice(d))
			must(t, tx.CreateSensor(&engine.Sensor{HardwareID: "S-" + name, DeviceID: d.ID, DataTypeID: typ(t, tx, engine.SensorDataType, "Motion")}))
		}
		mk("R", "", "Tenant", "")
		mk("V", "R", "Venue", "")
		mk("F1", "V", "Floor", "")
		mk("A", "F1", "Area", "")
		mk("R1", "A", "Room", "")
		mk("D1", "R1", "Desk", "")
		mk("R2", "F1", "Room", "FocusRoom")
		mk("F2", "V", "Floor", "")
		mk("R3", "F2", "Room", "ConferenceRoom")
		mk("X", "", "Venue", "")
		mk("F3", "X", "Floor", "")
		return nil
	}))
	return e, ids
}

func names(r *engine.Result) string {
	var out []string
	for _, s := range r.Spaces {
		out = append(out, s.Name)
	}
	for _, d := range r.Devices {
		out = append(out, strings.TrimPrefix(d.Name, "dev-"))
	}
	for _, s := range r.Sensors {
		out = append(out, strings.TrimPrefix(s.HardwareID, "S-"))
	}
	sort.Strings(out)
	return strings.Join(out, ",")
}

// TestNavigationPreviewTable runs every row of the preview's documented
// examples (the devices route) and more.
func TestNavigationPreviewTable(t *testing.T) {
	e, ids := navGraph(t)
	F1 := ids["F1"]
	cases := []struct {
		name string
		q    engine.Query
		want string
	}{
		{"maxLevel=1: devices on root spaces", engine.Query{Kind: engine.KindDevice, MaxLevel: engine.L(1)}, "R,X"},
		{"minLevel=2&maxLevel=4: devices on levels 2-4", engine.Query{Kind: engine.KindDevice, MinLevel: engine.L(2), MaxLevel: engine.L(4)}, "A,F1,F2,F3,R2,R3,V"},
		{"spaceId=S: devices directly on S", engine.Query{Kind: engine.KindDevice, SpaceID: F1}, "F1"},
		{"spaceId=S&traverse=Down: S and its subtree", engine.Query{Kind: engine.KindDevice, SpaceID: F1, Traverse: engine.TraverseDown}, "A,D1,F1,R1,R2"},
		{"Down&minLevel=1&minRelative: subtree without S", engine.Query{Kind: engine.KindDevice, SpaceID: F1, Traverse: engine.TraverseDown, MinLevel: engine.L(1), MinRelative: true}, "A,D1,R1,R2"},
		{"Down&min 1 rel&max 1 rel: direct children of S", engine.Query{Kind: engine.KindDevice, SpaceID: F1, Traverse: engine.TraverseDown, MinLevel: engine.L(1), MinRelative: true, MaxLevel: engine.L(1), MaxRelative: true}, "A,R2"},
		{"Up&maxLevel=-1&maxRelative: ancestors only", engine.Query{Kind: engine.KindDevice, SpaceID: F1, Traverse: engine.TraverseUp, MaxLevel: engine.L(-1), MaxRelative: true}, "R,V"},
		{"Down&maxLevel=5: subtree down to absolute level 5", engine.Query{Kind: engine.KindDevice, SpaceID: F1, Traverse: engine.TraverseDown, MaxLevel: engine.L(5)}, "A,F1,R1,R2"},
		{"Span&min 0 rel&max 0 rel: spaces at S's level", engine.Query{Kind: engine.KindDevice, SpaceID: F1, Traverse: engine.TraverseSpan, MinLevel: engine.L(0), MinRelative: true, MaxLevel: engine.L(0), MaxRelative: true}, "F1,F2"},

		{"spaces: Up from a room", engine.Query{SpaceID: ids["R1"], Traverse: engine.TraverseUp}, "A,F1,R,R1,V"},
		{"spaces: useParentSpace lists children", engine.Query{SpaceID: F1, UseParentSpace: true}, "A,R2"},
		{"spaces: useParentSpace&Down&types=Room", engine.Query{SpaceID: ids["V"], UseParentSpace: true, Traverse: engine.TraverseDown, Types: []string{"Room"}}, "R1,R2,R3"},
		{"spaces: subtypes", engine.Query{Subtypes: []string{"focusroom", "ConferenceRoom"}}, "R2,R3"},
		{"spaces: names", engine.Query{Names: []string{"f2", "X"}}, "F2,X"},
		{"spaces: unknown type matches nothing", engine.Query{Types: []string{"Spaceship"}}, ""},
		{"spaces: Span over two levels", engine.Query{SpaceID: F1, Traverse: engine.TraverseSpan, MinLevel: engine.L(-1), MinRelative: true, MaxLevel: engine.L(0), MaxRelative: true}, "F1,F2,F3,V"},
		{"sensors: dataTypes + Down", engine.Query{Kind: engine.KindSensor, SpaceID: ids["F2"], Traverse: engine.TraverseDown, DataTypes: []string{"Motion"}}, "F2,R3"},
		{"sensors: other dataType", engine.Query{Kind: engine.KindSensor, DataTypes: []string{"Temperature"}}, ""},
		{"devices: hardwareIds", engine.Query{Kind: engine.KindDevice, HardwareIDs: []string{"HW-D1", "HW-X"}}, "D1,X"},
		{"devices: ids", engine.Query{Kind: engine.KindDevice, Traverse: engine.TraverseNone, SpaceID: ids["R3"]}, "R3"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := e.Query(c.q)
			must(t, err)
			if got := names(r); got != c.want {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}

func TestNavigationErrors(t *testing.T) {
	e, ids := navGraph(t)
	cases := []struct {
		name string
		q    engine.Query
		want error
	}{
		{"Span without relative", engine.Query{SpaceID: ids["F1"], Traverse: engine.TraverseSpan}, engine.ErrInvalid},
		{"relative without spaceId", engine.Query{MinLevel: engine.L(1), MinRelative: true}, engine.ErrInvalid},
		{"traverse without spaceId", engine.Query{Traverse: engine.TraverseDown}, engine.ErrInvalid},
		{"unknown space", engine.Query{SpaceID: engine.NewID()}, engine.ErrNotFound},
	}
	for _, c := range cases {
		if _, err := e.Query(c.q); !errors.Is(err, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, err, c.want)
		}
	}
}

func TestPaths(t *testing.T) {
	e, ids := navGraph(t)
	must(t, e.View(func(v *engine.View) error {
		if got := v.FullName(ids["D1"]); got != "/R/V/F1/A/R1/D1" {
			t.Errorf("FullName = %q", got)
		}
		p := v.SpacePath(ids["F1"])
		want := "/" + ids["R"].String() + "/" + ids["V"].String() + "/" + ids["F1"].String()
		if p != want {
			t.Errorf("SpacePath = %q, want %q", p, want)
		}
		for ref, want := range map[string]engine.ID{"/R/V/F1": ids["F1"], "/r/v/f2/R3": ids["R3"], ids["X"].String(): ids["X"], "/": engine.NilID} {
			got, err := v.ResolveSpace(ref)
			if err != nil || got != want {
				t.Errorf("ResolveSpace(%q) = %v, %v", ref, got, err)
			}
		}
		if _, err := v.ResolveSpace("/R/Nope"); !errors.Is(err, engine.ErrNotFound) || !strings.Contains(err.Error(), `no space "Nope" under /R`) {
			t.Errorf("ResolveSpace(/R/Nope) error = %v", err)
		}
		return nil
	}))
}

// BenchmarkTraverseDown10k measures a Down query that returns 10,000
// sensors.
func BenchmarkTraverseDown10k(b *testing.B) {
	e, _ := openEngine(b)
	var root engine.ID
	must(b, e.Update(func(tx *engine.Tx) error {
		r := &engine.Space{Name: "B"}
		must(b, tx.CreateSpace(r))
		root = r.ID
		motion := typ(b, tx, engine.SensorDataType, "Motion")
		for f := 0; f < 10; f++ {
			fl := &engine.Space{Name: "F" + string(rune('0'+f)), ParentID: r.ID}
			must(b, tx.CreateSpace(fl))
			for i := 0; i < 250; i++ {
				rm := &engine.Space{Name: "R" + itoa(i), ParentID: fl.ID}
				must(b, tx.CreateSpace(rm))
				d := &engine.Device{Name: "d", SpaceID: rm.ID}
				must(b, tx.CreateDevice(d))
				for s := 0; s < 4; s++ {
					must(b, tx.CreateSensor(&engine.Sensor{DeviceID: d.ID, DataTypeID: motion}))
				}
			}
		}
		return nil
	}))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r, err := e.Query(engine.Query{Kind: engine.KindSensor, SpaceID: root, Traverse: engine.TraverseDown})
		if err != nil || len(r.Sensors) != 10000 {
			b.Fatal(err, len(r.Sensors))
		}
	}
}

func itoa(i int) string {
	const d = "0123456789"
	if i < 10 {
		return d[i : i+1]
	}
	return itoa(i/10) + d[i%10:i%10+1]
}
