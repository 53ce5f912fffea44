package engine

import (
	"fmt"
	"slices"
	"sort"
)

// restore sets every object of chs back to its before-image (undo) or
// forward to its after-image (redo), through the ordinary Tx methods so
// that every index and the store are kept right. The graph must still hold
// the other image of every object; otherwise, or if restoring would also
// change an object outside chs, or if any image no longer fits the graph
// (a hardwareId or a sibling name was taken meanwhile), it returns an error
// and the caller rolls the transaction back.
func (tx *Tx) restore(chs []change, undo bool) error {
	g := tx.g
	tx.record()
	from, to := func(c change) Object { return c.Before }, func(c change) Object { return c.After }
	if undo {
		from, to = to, from
	}
	target := make(map[objRef]Object, len(chs))
	for _, c := range chs {
		target[c.Ref] = to(c)
		cur := g.lookup(c.Ref)
		if sameObject(cur, from(c)) {
			continue
		}
		switch {
		case cur == nil:
			return fmt.Errorf("%w: %s was deleted since", ErrConflict, describe(from(c)))
		case from(c) == nil:
			return fmt.Errorf("%w: %s %s exists again", ErrConflict, c.Ref, describe(cur))
		default:
			return fmt.Errorf("%w: %s was changed since", ErrConflict, describe(cur))
		}
	}
	byKind := func(k Kind, want func(cur, to Object) bool) []change {
		var out []change
		for _, c := range chs {
			if c.Ref.Kind == k && want(g.lookup(c.Ref), target[c.Ref]) {
				out = append(out, c)
			}
		}
		return out
	}
	gone := func(cur, to Object) bool { return cur != nil && to == nil }
	wanted := func(cur, to Object) bool { return to != nil && !sameObject(cur, to) }

	// 1. Delete what must go, dependents first.
	for _, k := range []Kind{KindFloorPlan, KindRoleAssignment, KindUDF, KindMatcher, KindEndpoint, KindResource, KindUser, KindSensor, KindDevice} {
		for _, c := range byKind(k, gone) {
			if g.lookup(c.Ref) == nil { // went with an earlier delete
				continue
			}
			if err := tx.Delete(k, c.Ref.Key); err != nil {
				return err
			}
		}
	}
	spaces := byKind(KindSpace, gone)
	// Deepest first; among siblings the newest first, which is at the end
	// of its parent's list of children, so removing it costs nothing.
	slices.Reverse(spaces)
	sort.SliceStable(spaces, func(i, j int) bool { return tx.Level(spaces[i].Ref.Key) > tx.Level(spaces[j].Ref.Key) })
	for _, c := range spaces {
		if g.spaces[c.Ref.Key] == nil {
			continue
		}
		if err := tx.DeleteSpace(c.Ref.Key); err != nil {
			return err
		}
	}

	// 2. Load ontologies that must be loaded (types in them may be used below).
	for _, c := range byKind(KindOntology, wanted) {
		o := target[c.Ref].(*Ontology)
		if o.Loaded {
			if err := tx.SetOntologyLoaded(o.ID, true); err != nil {
				return err
			}
		}
	}

	// 3. Recreate spaces parent-first, bare: their types, property keys may
	// be anchored in themselves and do not exist yet.
	depth := func(list []change) func(i, j int) bool {
		memo := map[ID]int{}
		var d func(id ID, n int) int
		d = func(id ID, n int) int {
			if id.IsZero() || n > len(list)+1 {
				return 0
			}
			if v, ok := memo[id]; ok {
				return v
			}
			var v int
			if s, ok := target[objRef{KindSpace, id}].(*Space); ok {
				v = 1 + d(s.ParentID, n+1)
			} else {
				v = tx.Level(id)
			}
			memo[id] = v
			return v
		}
		return func(i, j int) bool { return d(list[i].Ref.Key, 0) < d(list[j].Ref.Key, 0) }
	}
	spaces = byKind(KindSpace, func(cur, to Object) bool { return cur == nil && to != nil })
	sort.SliceStable(spaces, depth(spaces))
	for _, c := range spaces {
		s := cloneObject(target[c.Ref]).(*Space)
		s.TypeID, s.SubtypeID, s.StatusID, s.Properties = 0, 0, 0, nil
		if err := tx.CreateSpace(s); err != nil {
			return fmt.Errorf("cannot recreate space %q: %w", s.Name, err)
		}
	}

	// 4. Property keys and types.
	for _, c := range byKind(KindPropertyKey, wanted) {
		if err := tx.putPropertyKey(cloneObject(target[c.Ref]).(*PropertyKey), true); err != nil {
			return err
		}
	}
	for _, c := range byKind(KindType, wanted) {
		if err := tx.putType(cloneObject(target[c.Ref]).(*ExtendedType), true); err != nil {
			return err
		}
	}

	// 5. Spaces in full, parent-first.
	spaces = byKind(KindSpace, wanted)
	sort.SliceStable(spaces, depth(spaces))
	for _, c := range spaces {
		s := cloneObject(target[c.Ref]).(*Space)
		if err := tx.UpdateSpace(s); err != nil {
			return fmt.Errorf("cannot restore space %q: %w", s.Name, err)
		}
	}

	// 6. Devices, sensors, users.
	for _, c := range byKind(KindDevice, wanted) {
		d := cloneObject(target[c.Ref]).(*Device)
		var err error
		if cur, ok := tx.Device(d.ID); ok {
			d.ConnectionState, d.ConnectionStateUpdated = cur.ConnectionState, cur.ConnectionStateUpdated
			err = tx.UpdateDevice(d)
		} else {
			d.ConnectionState = Disconnected
			err = tx.CreateDevice(d)
		}
		if err != nil {
			return fmt.Errorf("cannot restore device %q: %w", d.Name, err)
		}
	}
	for _, c := range byKind(KindSensor, wanted) {
		s := cloneObject(target[c.Ref]).(*Sensor)
		var err error
		if g.sensors[s.ID] != nil {
			err = tx.UpdateSensor(s)
		} else {
			err = tx.CreateSensor(s)
		}
		if err != nil {
			return fmt.Errorf("cannot restore sensor %s: %w", s.HardwareID, err)
		}
	}
	for _, c := range byKind(KindUser, wanted) {
		u := cloneObject(target[c.Ref]).(*User)
		var err error
		if g.users[u.ID] != nil {
			err = tx.UpdateUser(u)
		} else {
			err = tx.CreateUser(u)
		}
		if err != nil {
			return fmt.Errorf("cannot restore user %q: %w", u.UPN, err)
		}
	}

	// 7. The rest; matchers before the UDFs that name them, role
	// assignments last (their paths need the spaces in place).
	for _, k := range []Kind{KindResource, KindEndpoint, KindMatcher, KindUDF, KindRoleAssignment, KindFloorPlan} {
		for _, c := range byKind(k, wanted) {
			var err error
			switch x := cloneObject(target[c.Ref]).(type) {
			case *Resource:
				err = tx.PutResource(x)
			case *Endpoint:
				err = tx.PutEndpoint(x)
			case *Matcher:
				err = tx.PutMatcher(x)
			case *UDF:
				err = tx.PutUDF(x)
			case *RoleAssignment:
				err = tx.PutRoleAssignment(x)
			case *FloorPlan:
				err = tx.PutFloorPlan(x)
			}
			if err != nil {
				return fmt.Errorf("cannot restore %s: %w", describe(target[c.Ref]), err)
			}
		}
	}

	// 8. Unload ontologies, then drop property keys and types that must go
	// (nothing kept may still use a type).
	for _, c := range byKind(KindOntology, wanted) {
		o := target[c.Ref].(*Ontology)
		if !o.Loaded {
			if err := tx.SetOntologyLoaded(o.ID, false); err != nil {
				return err
			}
		}
	}
	for _, c := range byKind(KindPropertyKey, gone) {
		tx.deletePropertyKey(g.propKeys[KeyInt(c.Ref.Key)])
	}
	// (byKind skips what a space delete above took with it.)
	if types := byKind(KindType, gone); len(types) > 0 {
		drop := map[int]bool{}
		for _, c := range types {
			drop[KeyInt(c.Ref.Key)] = true
		}
		if o := g.typeUser(drop); o != nil {
			return fmt.Errorf("%w: %s uses a type that would be removed", ErrConflict, describe(o))
		}
		for _, c := range types {
			tx.deleteType(g.types.byID[KeyInt(c.Ref.Key)])
		}
	}

	// 9. Check: every object is at its target and nothing else changed.
	for _, c := range chs {
		if cur := g.lookup(c.Ref); !sameObject(cur, target[c.Ref]) {
			return fmt.Errorf("%w: %s could not be restored", ErrConflict, c.Ref)
		}
	}
	for _, ref := range tx.rec.order {
		if _, ok := target[ref]; ok {
			continue
		}
		if b := tx.rec.before[ref]; !sameObject(b, g.lookup(ref)) {
			o := b
			if o == nil {
				o = g.lookup(ref)
			}
			return fmt.Errorf("%w: it would also change %s, which was added or changed since", ErrConflict, describe(o))
		}
	}
	return nil
}

// typeUser returns a space, device or sensor that uses one of the type ids
// in ids, or nil.
func (g *graph) typeUser(ids map[int]bool) Object {
	for _, n := range g.spaces {
		if s := n.s; ids[s.TypeID] || ids[s.SubtypeID] || ids[s.StatusID] {
			return s
		}
	}
	for _, n := range g.devices {
		if d := n.d; ids[d.TypeID] || ids[d.SubtypeID] {
			return d
		}
	}
	for _, n := range g.sensors {
		if s := n.s; ids[s.TypeID] || ids[s.DataTypeID] || ids[s.DataSubtypeID] || ids[s.DataUnitTypeID] || ids[s.PortTypeID] {
			return s
		}
	}
	return nil
}
