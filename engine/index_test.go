package engine_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/twinstudio/twinstudio/engine"
)

// TestFoldKey: foldKey(a) == foldKey(b) exactly when strings.EqualFold(a, b).
func TestFoldKey(t *testing.T) {
	words := []string{"", "room", "Room", "ROOM", "rooM", "kelvin", "\u212aelvin", "Kelvin", "ſtraße", "Straße", "STRASSE",
		"straße", "Σίσυφος", "ΣΊΣΥΦΟΣ", "σίσυφος", "ς", "σ", "Σ", "\xff", "\xfe", "a\xffb", "A\xfeB", "İ", "i", "I", "ı",
		"Ǆ", "ǅ", "ǆ", "ﬀ", "ff", "Room 1", "room 1 ", "ῼ", "ῳ", "Ω", "Ω", "ω"}
	for _, a := range words {
		for _, b := range words {
			if got, want := engine.FoldKeyForTest(a) == engine.FoldKeyForTest(b), strings.EqualFold(a, b); got != want {
				t.Errorf("foldKey(%q) == foldKey(%q) is %v, EqualFold says %v", a, b, got, want)
			}
		}
	}
}

// TestNameIndexesStayConsistent creates, renames, moves and deletes spaces
// and property keys at random, in transactions of which some fail (and
// roll back), through the Editor's undo and redo too; after every step the
// name indexes must match a scan of the graph, and every name lookup must
// give what a scan gives. The run is the same every time.
func TestNameIndexesStayConsistent(t *testing.T) {
	// Index the devices and users of a space from 2 on (17 otherwise),
	// so that both the scan and the index are exercised.
	defer engine.SetSmallListForTest(1)()
	e, path := openEngine(t)
	ed := engine.NewEditor(e, 50)
	rng := rand.New(rand.NewPCG(11, 7))
	names := []string{"Room", "room", "ROOM", "Hall", "hall", "Kitchen", "Σ", "σ", "ς", "Office 1", "office 1", "Lab"}
	keyNames := []string{"Room", "room", "ROOM", "Hall", "hall", "Area_1", "AREA_1"}
	var ids []engine.ID
	pick := func(v *engine.View) (engine.ID, bool) {
		for len(ids) > 0 {
			i := rng.IntN(len(ids))
			if _, ok := v.Space(ids[i]); ok {
				return ids[i], true
			}
			ids = append(ids[:i], ids[i+1:]...)
		}
		return engine.NilID, false
	}
	errRollback := errors.New("roll back")
	step := func(tx *engine.Tx) error {
		for k := 0; k < 1+rng.IntN(6); k++ {
			switch op := rng.IntN(13); {
			case op < 4: // create (a duplicate name is refused)
				parent, _ := pick(&tx.View)
				if rng.IntN(4) == 0 {
					parent = engine.NilID
				}
				s := &engine.Space{Name: names[rng.IntN(len(names))], ParentID: parent}
				if err := tx.CreateSpace(s); err == nil {
					ids = append(ids, s.ID)
				} else if !errors.Is(err, engine.ErrDuplicate) {
					return err
				}
			case op < 6: // rename
				id, ok := pick(&tx.View)
				if !ok {
					continue
				}
				s, _ := tx.Space(id)
				c := *s
				c.Name = names[rng.IntN(len(names))]
				if err := tx.UpdateSpace(&c); err != nil && !errors.Is(err, engine.ErrDuplicate) {
					return err
				}
			case op < 8: // move, maybe renaming
				id, ok := pick(&tx.View)
				if !ok {
					continue
				}
				to, _ := pick(&tx.View)
				if rng.IntN(3) == 0 {
					to = engine.NilID
				}
				s, _ := tx.Space(id)
				c := *s
				c.ParentID = to
				if rng.IntN(2) == 0 {
					c.Name = names[rng.IntN(len(names))]
				}
				if err := tx.UpdateSpace(&c); err != nil && !errors.Is(err, engine.ErrDuplicate) && !errors.Is(err, engine.ErrConflict) {
					return err
				}
			case op < 9: // delete a subtree (now and then: it takes much with it)
				if id, ok := pick(&tx.View); ok && rng.IntN(3) == 0 {
					if err := tx.DeleteSpace(id); err != nil {
						return err
					}
				}
			case op == 9: // matchers, UDFs, role assignments
				id, ok := pick(&tx.View)
				if !ok {
					continue
				}
				ms, us := tx.Matchers(), tx.UDFs()
				switch r := rng.IntN(6); {
				case r == 0 || len(ms) == 0:
					m := &engine.Matcher{Name: keyNames[rng.IntN(len(keyNames))], SpaceID: id,
						Conditions: []engine.Condition{{Target: "Sensor", Path: "$.dataType", Comparison: "Equals", Value: `"Motion"`}}}
					if err := tx.PutMatcher(m); err != nil && !errors.Is(err, engine.ErrDuplicate) {
						return err
					}
				case r == 1: // rename or move a matcher
					c := *ms[rng.IntN(len(ms))]
					c.Name, c.SpaceID = keyNames[rng.IntN(len(keyNames))], id
					if err := tx.PutMatcher(&c); err != nil && !errors.Is(err, engine.ErrDuplicate) {
						return err
					}
				case r == 2: // delete a matcher (UDFs using it change too)
					if err := tx.Delete(engine.KindMatcher, ms[rng.IntN(len(ms))].ID); err != nil {
						return err
					}
				case r == 3 || len(us) == 0:
					u := &engine.UDF{Name: keyNames[rng.IntN(len(keyNames))], SpaceID: id, Script: "function process(t, c) {}",
						MatcherIDs: []engine.ID{ms[rng.IntN(len(ms))].ID}}
					if err := tx.PutUDF(u); err != nil && !errors.Is(err, engine.ErrDuplicate) {
						return err
					}
				case r == 4 && rng.IntN(3) == 0: // resources come and go with their space
					if err := tx.PutResource(&engine.Resource{SpaceID: id}); err != nil {
						return err
					}
				case r == 4:
					r := &engine.RoleAssignment{RoleID: engine.SystemRoles()[0].ID, ObjectID: us[rng.IntN(len(us))].ID.String(),
						ObjectIDType: engine.ObjectUserDefinedFunctionID, Path: tx.SpacePath(id)}
					if err := tx.PutRoleAssignment(r); err != nil && !errors.Is(err, engine.ErrDuplicate) {
						return err
					}
				default:
					if err := tx.Delete(engine.KindUDF, us[rng.IntN(len(us))].ID); err != nil {
						return err
					}
				}
			case op == 10 || op == 11: // devices and users: create, rename, move, delete
				id, ok := pick(&tx.View)
				if !ok {
					continue
				}
				devs, users := tx.SpaceDevices(id), tx.SpaceUsers(id)
				to, ok := pick(&tx.View)
				if !ok {
					continue
				}
				switch r := rng.IntN(6); {
				case r == 0 || r == 1 && len(devs) == 0:
					if err := tx.CreateDevice(&engine.Device{Name: names[rng.IntN(len(names))], SpaceID: id}); err != nil {
						return err
					}
				case r == 1:
					c := *devs[rng.IntN(len(devs))]
					c.Name, c.SpaceID = names[rng.IntN(len(names))], to
					if err := tx.UpdateDevice(&c); err != nil {
						return err
					}
				case r == 2 && len(devs) > 0:
					if err := tx.DeleteDevice(devs[rng.IntN(len(devs))].ID); err != nil {
						return err
					}
				case r == 3 || len(users) == 0:
					if err := tx.CreateUser(&engine.User{UPN: names[rng.IntN(len(names))] + "@x", SpaceID: id}); err != nil && !errors.Is(err, engine.ErrDuplicate) {
						return err
					}
				case r == 4:
					c := *users[rng.IntN(len(users))]
					c.UPN, c.SpaceID = names[rng.IntN(len(names))]+"@y", to
					if err := tx.UpdateUser(&c); err != nil {
						return err
					}
				default:
					if err := tx.DeleteUser(users[rng.IntN(len(users))].ID); err != nil {
						return err
					}
				}
			default: // property keys: create, rename or delete
				keys := tx.PropertyKeys()
				switch {
				case len(keys) > 0 && rng.IntN(3) == 0:
					if err := tx.DeletePropertyKey(keys[rng.IntN(len(keys))].ID); err != nil {
						return err
					}
				case len(keys) > 0 && rng.IntN(2) == 0:
					c := *keys[rng.IntN(len(keys))]
					c.Name = keyNames[rng.IntN(len(keyNames))]
					if err := tx.PutPropertyKey(&c); err != nil && !errors.Is(err, engine.ErrDuplicate) {
						return err
					}
				default:
					k := &engine.PropertyKey{Name: keyNames[rng.IntN(len(keyNames))], Scope: engine.ScopeSpaces, PrimitiveDataType: engine.PrimNone}
					if err := tx.PutPropertyKey(k); err != nil && !errors.Is(err, engine.ErrDuplicate) {
						return err
					}
				}
			}
		}
		if rng.IntN(4) == 0 {
			return errRollback
		}
		return nil
	}
	check := func(i int, what string) {
		t.Helper()
		err := e.View(func(v *engine.View) error {
			if err := v.CheckIndexesForTest(); err != nil {
				return err
			}
			return checkLookups(v, names, keyNames)
		})
		if err != nil {
			t.Fatalf("step %d (%s): %v", i, what, err)
		}
	}
	for i := 0; i < 400; i++ {
		switch r := rng.IntN(10); {
		case r < 7:
			before := treeOf(e)
			err := ed.Do("step", step)
			if err != nil && !errors.Is(err, errRollback) {
				t.Fatalf("step %d: %v", i, err)
			}
			if after := treeOf(e); err != nil && after != before {
				t.Fatalf("step %d: a rolled-back edit changed the tree:\n%s\nwas\n%s", i, after, before)
			}
			check(i, "edit")
		case r < 9:
			if _, err := ed.Undo(); err != nil && !errors.Is(err, engine.ErrNothingToUndo) && !errors.Is(err, engine.ErrConflict) {
				t.Fatalf("step %d: undo: %v", i, err)
			}
			check(i, "undo")
		default:
			if _, err := ed.Redo(); err != nil && !errors.Is(err, engine.ErrNothingToRedo) && !errors.Is(err, engine.ErrConflict) {
				t.Fatalf("step %d: redo: %v", i, err)
			}
			check(i, "redo")
		}
	}
	st := e.Stats()
	t.Logf("at the end: %d spaces, %d devices, %d users, %d matchers, %d UDFs, %d role assignments, %d resources, %d property keys",
		st.Spaces, st.Devices, st.Users, st.Matchers, st.UDFs, st.RoleAssignments, st.Resources, st.PropertyKeys)
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	e = reopen(t, path)
	e.View(func(v *engine.View) error {
		if err := v.CheckIndexesForTest(); err != nil {
			t.Errorf("after reopening: %v", err)
		}
		if err := checkLookups(v, names, keyNames); err != nil {
			t.Errorf("after reopening: %v", err)
		}
		return nil
	})
}

// treeOf lists every space under its parent, in the order of the lists of
// children.
func treeOf(e *engine.Engine) string {
	var b strings.Builder
	e.View(func(v *engine.View) error {
		var walk func(parent string, list []*engine.Space)
		walk = func(parent string, list []*engine.Space) {
			for _, s := range list {
				fmt.Fprintf(&b, "%s/%s %s\n", parent, s.ID, s.Name)
				walk(s.ID.String(), v.ChildSpaces(s.ID))
			}
		}
		walk("", v.Roots())
		return nil
	})
	return b.String()
}

// checkLookups compares ChildSpaceByName and FindPropertyKey with a scan.
func checkLookups(v *engine.View, names, keyNames []string) error {
	var parents []engine.ID
	var walk func(list []*engine.Space)
	walk = func(list []*engine.Space) {
		for _, s := range list {
			parents = append(parents, s.ID)
			walk(v.ChildSpaces(s.ID))
		}
	}
	walk(v.Roots())
	parents = append(parents, engine.NilID)
	for _, p := range parents {
		kids := v.Roots()
		if !p.IsZero() {
			kids = v.ChildSpaces(p)
		}
		for _, name := range names {
			got, ok := v.ChildSpaceByName(p, name)
			var want *engine.Space
			for _, c := range kids {
				if strings.EqualFold(c.Name, name) && (want == nil || c.Name == name && want.Name != name) {
					want = c
				}
			}
			if ok != (want != nil) || ok && got != want {
				return fmt.Errorf("ChildSpaceByName(%s, %q) = %v, %v; a scan finds %v", v.FullName(p), name, got, ok, want)
			}
		}
		for _, name := range keyNames {
			k, ok := v.FindPropertyKey(name, engine.ScopeSpaces, p)
			var wk *engine.PropertyKey
			for _, x := range v.PropertyKeys() {
				if strings.EqualFold(x.Name, name) && x.Scope == engine.ScopeSpaces && x.SpaceID.IsZero() {
					wk = x
				}
			}
			if ok != (wk != nil) || ok && k != wk {
				return fmt.Errorf("FindPropertyKey(%q) = %v, %v; a scan finds %v", name, k, ok, wk)
			}
		}
	}
	return nil
}

// TestProvisionFlatScales provisions 2,000 and then 40,000 sibling rooms
// under one floor (and as many properties on one space; 1,000 and 20,000
// rooms each with a matcher, a UDF and a role assignment; as many devices
// without hardwareId and users in one space; and it undoes an import of
// 2,000 and 40,000 rooms): the time per item must not grow with the number
// of siblings. The bound is loose (10× and 5 µs against 20× and more for a
// scan of the siblings: about 500 µs per room at 40,000) so that a loaded
// machine does not fail it.
func TestProvisionFlatScales(t *testing.T) {
	if testing.Short() {
		t.Skip("provisions about 250,000 objects")
	}
	perObject := func(n int, shape string) time.Duration {
		e, _ := openEngine(t)
		f := &engine.PlanSpace{Name: "Floor"}
		for i := 0; i < n; i++ {
			switch shape {
			case "properties":
				f.Properties = append(f.Properties, engine.PlanProperty{Name: fmt.Sprintf("p%06d", i), Value: "1"})
			case "rooms":
				f.Spaces = append(f.Spaces, &engine.PlanSpace{Name: fmt.Sprintf("Room %06d", i)})
			case "devices without hardwareId and users in one space":
				f.Devices = append(f.Devices, &engine.PlanDevice{Name: fmt.Sprintf("Pod %06d", i)})
				f.Users = append(f.Users, &engine.PlanUser{UPN: fmt.Sprintf("u%06d@x", i)})
			case "rooms with a matcher, a UDF and a role assignment":
				f.Spaces = append(f.Spaces, &engine.PlanSpace{Name: fmt.Sprintf("Room %06d", i),
					Matchers:        []*engine.PlanMatcher{{Name: "Motion", DataTypeValue: "Motion"}},
					UDFs:            []*engine.PlanUDF{{Name: "Proc", MatcherNames: []string{"Motion"}, Script: "function process(t, c) {}"}},
					RoleAssignments: []*engine.PlanRoleAssignment{{Role: "SpaceAdministrator", ObjectIDType: engine.ObjectUserDefinedFunctionID, ObjectName: "Proc"}},
				})
			}
		}
		best := time.Duration(1 << 62)
		for try := 0; try < 3; try++ { // the best of three dry runs
			t0 := time.Now()
			if _, err := e.PreviewProvision(&engine.Plan{File: "flat.yaml", Spaces: []*engine.PlanSpace{f}}); err != nil {
				t.Fatal(err)
			}
			best = min(best, time.Since(t0))
		}
		return best / time.Duration(n)
	}
	// Undoing an import deletes every sibling on its own.
	undoPerObject := func(n int) time.Duration {
		e, _ := openEngine(t)
		ed := engine.NewEditor(e, 10)
		f := &engine.PlanSpace{Name: "Floor"}
		for i := 0; i < n; i++ {
			f.Spaces = append(f.Spaces, &engine.PlanSpace{Name: fmt.Sprintf("Room %06d", i)})
		}
		if err := ed.Do("import", func(tx *engine.Tx) error {
			_, err := tx.Provision(&engine.Plan{File: "flat.yaml", Spaces: []*engine.PlanSpace{f}}, nil)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		t0 := time.Now()
		if _, err := ed.Undo(); err != nil {
			t.Fatal(err)
		}
		return time.Since(t0) / time.Duration(n)
	}
	_ = undoPerObject(2000) // warm up
	if small, big := undoPerObject(2000), undoPerObject(40000); big > 10*small+5*time.Microsecond {
		t.Errorf("undoing an import of 40,000 siblings takes %v per space, of 2,000 %v: the cost grows with the number of siblings", big, small)
	} else {
		t.Logf("undo of an import: %v per space at 2,000, %v at 40,000", small, big)
	}
	for _, c := range []struct {
		shape      string
		small, big int
	}{{"rooms", 2000, 40000}, {"properties", 2000, 40000}, {"rooms with a matcher, a UDF and a role assignment", 1000, 20000},
		{"devices without hardwareId and users in one space", 1000, 20000}} {
		small, big := perObject(c.small, c.shape), perObject(c.big, c.shape)
		t.Logf("%s: %v per item at %d, %v at %d", c.shape, small, c.small, big, c.big)
		if big > 10*small+5*time.Microsecond {
			t.Errorf("%s: provisioning %d takes %v per item, %d take %v: the cost grows with the number of siblings", c.shape, c.big, big, c.small, small)
		}
	}
}
