package engine

import "fmt"

// checkMove refuses to move the subtree of n under np (nil: to the roots)
// when an object in it uses a custom type or property key defined in a
// space above n that is not np or above it: definitions made inside a
// tenant apply only there, so its spaces, devices, sensors and users
// cannot take them elsewhere. Definitions made inside the subtree move
// with it.
func (tx *Tx) checkMove(n, np *spaceNode) error {
	fits := func(def ID) bool {
		d := tx.g.spaces[def]
		return def.IsZero() || within(d, n.s.ID) || (np != nil && within(np, def))
	}
	var err error
	walkNode(n, func(sp *spaceNode) bool {
		objs := []Object{sp.s}
		for _, d := range sp.devices {
			objs = append(objs, d.d)
		}
		for _, s := range sp.sensors {
			objs = append(objs, s.s)
		}
		for _, u := range sp.users {
			objs = append(objs, u.u)
		}
		for _, o := range objs {
			if err = tx.definitionsFit(o, sp.s.ID, fits); err != nil {
				return false
			}
		}
		return true
	})
	return err
}

// definitionsFit checks that the custom types and property keys object o
// (in space at) uses are defined where fits allows.
func (tx *Tx) definitionsFit(o Object, at ID, fits func(def ID) bool) error {
	d := DescribeObject(o)
	for i := range d.Fields {
		f := &d.Fields[i]
		if !f.HasObject() {
			continue
		}
		switch f.Type {
		case FieldTypeRef:
			if t := tx.g.types.byID[*f.Ptr(o).(*int)]; t != nil && !fits(t.SpaceID) {
				return fmt.Errorf("%w: %s uses %s %q of %s, which does not apply at the new place", ErrConflict,
					describe(o), t.Category, t.Name, orRoot(tx.FullName(t.SpaceID)))
			}
		case FieldProperties:
			for _, p := range *f.Ptr(o).(*[]Property) {
				if k, ok := tx.FindPropertyKey(p.Name, propertyScope(o), at); ok && !fits(k.SpaceID) {
					return fmt.Errorf("%w: %s has property %q of %s, which does not apply at the new place", ErrConflict,
						describe(o), p.Name, orRoot(tx.FullName(k.SpaceID)))
				}
			}
		}
	}
	return nil
}

// propertyScope is the property key scope of o's properties.
func propertyScope(o Object) string {
	switch o.(type) {
	case *Device:
		return ScopeDevices
	case *Sensor:
		return ScopeSensors
	case *User:
		return ScopeUsers
	}
	return ScopeSpaces
}

// walkNode calls fn for n and its descendants, depth first, until fn
// returns false.
func walkNode(n *spaceNode, fn func(*spaceNode) bool) bool {
	if !fn(n) {
		return false
	}
	for _, c := range n.children {
		if !walkNode(c, fn) {
			return false
		}
	}
	return true
}
