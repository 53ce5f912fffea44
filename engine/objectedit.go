package engine

import (
	"fmt"
	"strings"
)

// UpdateObject replaces space, device or sensor id (k says which) by a copy
// that mutate changed: mutate gets a *Space, *Device or *Sensor whose
// Properties it may change freely (they are copied). The object is
// checked and stored as UpdateSpace, UpdateDevice or UpdateSensor does;
// their errors are returned. An object that is not there (any more) gives
// ErrNotFound; another kind, ErrInvalid.
func (tx *Tx) UpdateObject(k Kind, id ID, mutate func(o Object)) error {
	switch k {
	case KindSpace:
		if s, ok := tx.Space(id); ok {
			c := *s
			c.Properties = append([]Property(nil), s.Properties...)
			mutate(&c)
			return tx.UpdateSpace(&c)
		}
	case KindDevice:
		if d, ok := tx.Device(id); ok {
			c := *d
			c.Properties = append([]Property(nil), d.Properties...)
			mutate(&c)
			return tx.UpdateDevice(&c)
		}
	case KindSensor:
		if s, ok := tx.Sensor(id); ok {
			c := *s
			c.Properties = append([]Property(nil), s.Properties...)
			mutate(&c)
			return tx.UpdateSensor(&c)
		}
	default:
		return fmt.Errorf("%w: UpdateObject of a %s", ErrInvalid, k)
	}
	return fmt.Errorf("%w: the object was deleted", ErrNotFound)
}

// PropertiesOf is the extended property list of a *Space, *Device or
// *Sensor (for changing it in an UpdateObject mutate), or nil for any
// other object.
func PropertiesOf(o Object) *[]Property {
	switch x := o.(type) {
	case *Space:
		return &x.Properties
	case *Device:
		return &x.Properties
	case *Sensor:
		return &x.Properties
	}
	return nil
}

// SetProperty returns ps with property name (matched case-insensitively)
// set to value: changed in place when present, appended when not, removed
// when value is "". ps itself is not changed.
func SetProperty(ps []Property, name, value string) []Property {
	out := ps[:0:0]
	found := false
	for _, p := range ps {
		if strings.EqualFold(p.Name, name) {
			found = true
			if value == "" {
				continue
			}
			p.Value = value
		}
		out = append(out, p)
	}
	if !found && value != "" {
		out = append(out, Property{Name: name, Value: value})
	}
	return out
}

// EnsurePropertyKey makes sure a property key name applies to scope at
// space at: when none does, it creates one that takes any value (PrimNone)
// scoped to space root (provisioning passes the plan's root space, the
// studio RootSpace(at)), and reports created. PutPropertyKey's errors are
// returned.
func (tx *Tx) EnsurePropertyKey(name, scope string, at, root ID) (created bool, err error) {
	if _, ok := tx.FindPropertyKey(name, scope, at); ok {
		return false, nil
	}
	k := &PropertyKey{Name: name, Scope: scope, SpaceID: root, PrimitiveDataType: PrimNone}
	if err := tx.PutPropertyKey(k); err != nil {
		return false, err
	}
	return true, nil
}
