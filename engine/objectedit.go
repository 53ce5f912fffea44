package engine

import (
	"fmt"
	"strings"
)

// UpdateObject replaces the object of kind k with key id by a deep copy
// (KindDesc.Clone) that mutate changed, stored by the rules of its kind's
// update method (see Tx.Replace), whose errors are returned. An object
// that is not there (any more) gives ErrNotFound; a kind that cannot be
// replaced, ErrInvalid.
func (tx *Tx) UpdateObject(k Kind, id ID, mutate func(o Object)) error {
	d := Describe(k)
	if d == nil || d.replace == nil {
		return fmt.Errorf("%w: UpdateObject of a %s", ErrInvalid, k)
	}
	o, ok := tx.Object(k, id)
	if !ok {
		return fmt.Errorf("%w: the object was deleted", ErrNotFound)
	}
	c := d.Clone(o)
	mutate(c)
	return tx.Replace(c)
}

// PropertiesOf is the extended property list of o (for changing it in an
// UpdateObject mutate), or nil for a kind without one.
func PropertiesOf(o Object) *[]Property {
	d := DescribeObject(o)
	if d == nil {
		return nil
	}
	if f := d.Field("Properties"); f != nil && f.HasObject() {
		if p, ok := f.Ptr(o).(*[]Property); ok {
			return p
		}
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
