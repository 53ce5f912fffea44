package httpapi

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/twinstudio/twinstudio/engine"
)

// notFound is the error for an object the caller may not read or that
// does not exist: the two answer alike (no existence leak).
func notFound(k engine.Kind, key string) error {
	return fmt.Errorf("%w: %s %s", engine.ErrNotFound, k, key)
}

// authObject is the object whose place in the tree decides who may
// change o: the object itself for graph objects, the space of a type or
// property key (zero: "/"), the anchor of a role assignment's path.
func authObject(o engine.Object) engine.ID {
	switch x := o.(type) {
	case *engine.PropertyKey:
		return x.SpaceID
	case *engine.ExtendedType:
		return x.SpaceID
	case *engine.RoleAssignment:
		return pathAnchor(x.Path)
	case *engine.Endpoint, *engine.Ontology:
		return engine.NilID
	}
	return o.ObjectKey()
}

// pathAnchor is the last GUID of a space path ("/" and bad paths: zero).
func pathAnchor(path string) engine.ID {
	path = strings.TrimRight(path, "/")
	id, err := engine.ParseID(path[strings.LastIndexByte(path, '/')+1:])
	if err != nil {
		return engine.NilID
	}
	return id
}

// see returns the object of kind k with key, or a 404 when it is absent
// or the caller may not read it.
func (c *call) see(v *engine.View, k engine.Kind, key engine.ID, label string) (engine.Object, error) {
	o, ok := v.Object(k, key)
	if !ok || !canRead(v, c.p, k, key) {
		return nil, notFound(k, label)
	}
	return o, nil
}

// may is see, then the caller must be allowed action on the object: 403
// when it may read but not do it.
func (c *call) may(v *engine.View, k engine.Kind, key engine.ID, label string, action engine.Action) (engine.Object, error) {
	o, err := c.see(v, k, key, label)
	if err != nil {
		return nil, err
	}
	if err := v.Authorize(c.p, action, kindRes[k], authObject(o)); err != nil {
		return nil, err
	}
	return o, nil
}

// mayCreate checks that the caller may create an object of kind k in
// space (zero: at the root, "/"): 404 when it may not read the space,
// 403 when it may read it but not create there.
func (c *call) mayCreate(v *engine.View, k engine.Kind, space engine.ID) error {
	if !space.IsZero() {
		if _, err := c.see(v, engine.KindSpace, space, space.String()); err != nil {
			return err
		}
	}
	return v.Authorize(c.p, engine.ActionCreate, kindRes[k], space)
}

// propRes is the resource type of each kind's extended properties.
var propRes = map[engine.Kind]string{
	engine.KindSpace: engine.ResSpaceExtendedProperty, engine.KindDevice: engine.ResDeviceExtendedProperty,
	engine.KindSensor: engine.ResSensorExtendedProperty, engine.KindUser: engine.ResUserExtendedProperty,
}

// mayReplace checks that the caller may turn old into neu (same kind and
// key): an Update of the object when anything but its properties
// changes, and for every property set or removed an Update of the
// kind's extended properties within the value limits of the caller's
// roles (AuthorizeValue).
func (c *call) mayReplace(v *engine.View, old, neu engine.Object) error {
	k := old.Kind()
	d := engine.Describe(k)
	a, b := d.Clone(old), d.Clone(neu)
	pa, pb := engine.PropertiesOf(a), engine.PropertiesOf(b)
	var before, after []engine.Property
	if pa != nil && pb != nil {
		before, after = *pa, *pb
		*pa, *pb = nil, nil
	}
	if !reflect.DeepEqual(a, b) {
		if err := v.Authorize(c.p, engine.ActionUpdate, kindRes[k], authObject(old)); err != nil {
			return err
		}
	}
	return c.mayChangeProps(v, k, old.ObjectKey(), before, after)
}

// mayChangeProps checks the property changes from before to after.
func (c *call) mayChangeProps(v *engine.View, k engine.Kind, id engine.ID, before, after []engine.Property) error {
	old := map[string]string{}
	for _, p := range before {
		old[strings.ToLower(p.Name)] = p.Value
	}
	for _, p := range after {
		key := strings.ToLower(p.Name)
		if val, ok := old[key]; !ok || val != p.Value {
			if err := authorizeValue(v, c.p, propRes[k], id, p.Name, p.Value); err != nil {
				return err
			}
		}
		delete(old, key)
	}
	if len(old) > 0 {
		return v.Authorize(c.p, engine.ActionUpdate, propRes[k], id)
	}
	return nil
}
