package engine

import (
	"fmt"
	"reflect"
	"time"
)

// objRef names a stored object: its kind and its key (the GUID, or
// IntKey of the integer id for property keys, types and ontologies).
type objRef struct {
	Kind Kind
	Key  ID
}

func (r objRef) String() string {
	if d := Describe(r.Kind); d != nil && d.IntKeyed() {
		return fmt.Sprintf("%s %d", r.Kind, KeyInt(r.Key))
	}
	return fmt.Sprintf("%s %s", r.Kind, r.Key)
}

// change is one object touched by a recorded transaction: its image before
// the transaction (nil if the transaction created it) and after it (nil if
// the transaction deleted it). Images are immutable graph objects.
type change struct {
	Ref           objRef
	Before, After Object
}

// recording collects the before-images of a transaction, captured when
// each object is first touched.
type recording struct {
	before map[objRef]Object
	order  []objRef
	// kept holds the values (current and recent history) of the sensors
	// and spaces the transaction deleted: a recorded delete leaves their
	// values in the store, so that undoing it brings them back. Values of
	// objects that stay deleted are dropped when the project is next
	// opened (graph.orphans).
	kept map[ID]keptValues
}

// keptValues are the in-memory values of a deleted sensor or space.
type keptValues struct {
	sensor *valueCell
	space  map[string]*valueCell
}

// dropSensorValues drops the values of sensor n, which is being deleted,
// or keeps them when an Editor records the transaction.
func (tx *Tx) dropSensorValues(n *sensorNode) {
	if tx.rec == nil {
		tx.dropValues(n.s.ID)
		return
	}
	if n.value != nil {
		tx.rec.keep(n.s.ID, keptValues{sensor: n.value})
	}
}

// dropSpaceValues drops the values of space n, which is being deleted, or
// keeps them when an Editor records the transaction.
func (tx *Tx) dropSpaceValues(n *spaceNode) {
	if len(n.values) == 0 {
		return
	}
	if tx.rec == nil {
		tx.dropValues(n.s.ID)
		return
	}
	tx.rec.keep(n.s.ID, keptValues{space: n.values})
}

// dropUDFValues drops the execution records of UDF id, which is being
// deleted, or keeps them in the store when an Editor records the
// transaction (the runtime reads them back when the UDF returns).
func (tx *Tx) dropUDFValues(id ID) {
	if tx.rec == nil {
		tx.dropValues(id)
		tx.forgetScriptVersions(id)
	}
}

func (r *recording) keep(owner ID, v keptValues) {
	if r.kept == nil {
		r.kept = map[ID]keptValues{}
	}
	r.kept[owner] = v
}

// reattach gives the sensors and spaces in kept that exist again and have
// no values their kept values back (undo reverts it).
func (tx *Tx) reattach(kept map[ID]keptValues) {
	g := tx.g
	for owner, v := range kept {
		if n := g.sensors[owner]; n != nil && v.sensor != nil && n.value == nil {
			n.value = v.sensor
			tx.onUndo(func() { n.value = nil })
		}
		if n := g.spaces[owner]; n != nil && v.space != nil && len(n.values) == 0 {
			old := n.values
			n.values = v.space
			tx.onUndo(func() { n.values = old })
		}
	}
}

// record switches the transaction into recording mode: from now on every
// object a Tx method creates, changes or deletes is remembered with its
// image as it was when first touched. Values (SetSensorValue,
// SetSpaceValue) are not objects and are not recorded.
func (tx *Tx) record() {
	if tx.rec == nil {
		tx.rec = &recording{before: map[objRef]Object{}}
	}
}

// touch notes that object k/key is about to change; before is its current
// image (nil if it does not exist yet). Only the first touch counts. It
// costs one nil check when the transaction is not recorded.
func (tx *Tx) touch(k Kind, key ID, before Object) {
	if tx.rec != nil {
		tx.rec.add(k, key, before)
	}
}

func (r *recording) add(k Kind, key ID, before Object) {
	ref := objRef{k, key}
	if _, ok := r.before[ref]; ok {
		return
	}
	r.before[ref] = before
	r.order = append(r.order, ref)
}

// changes returns the recorded objects whose after-image differs from
// their before-image, in first-touch order.
func (tx *Tx) changes() []change {
	if tx.rec == nil {
		return nil
	}
	var out []change
	for _, ref := range tx.rec.order {
		b := tx.rec.before[ref]
		a := tx.g.lookup(ref)
		if sameObject(b, a) {
			continue
		}
		out = append(out, change{Ref: ref, Before: b, After: a})
	}
	return out
}

// lookup returns the current object ref, or nil (an untyped nil).
func (g *graph) lookup(ref objRef) Object {
	id := ref.Key
	switch ref.Kind {
	case KindSpace:
		if n := g.spaces[id]; n != nil {
			return n.s
		}
	case KindDevice:
		if n := g.devices[id]; n != nil {
			return n.d
		}
	case KindSensor:
		if n := g.sensors[id]; n != nil {
			return n.s
		}
	case KindUser:
		if n := g.users[id]; n != nil {
			return n.u
		}
	case KindMatcher:
		if x := g.matchers[id]; x != nil {
			return x
		}
	case KindUDF:
		if x := g.udfs[id]; x != nil {
			return x
		}
	case KindRoleAssignment:
		if x := g.roles[id]; x != nil {
			return x
		}
	case KindEndpoint:
		if x := g.endpoints[id]; x != nil {
			return x
		}
	case KindResource:
		if x := g.resources[id]; x != nil {
			return x
		}
	case KindPropertyKey:
		if x := g.propKeys[KeyInt(id)]; x != nil {
			return x
		}
	case KindType:
		if x := g.types.byID[KeyInt(id)]; x != nil {
			return x
		}
	case KindOntology:
		if x := g.types.ontologies[KeyInt(id)]; x != nil {
			return x
		}
	case KindToken:
		if x := g.tokens[id]; x != nil {
			return x
		}
	case KindRole:
		if x := g.customRoles[id]; x != nil {
			return x
		}
	case KindFloorPlan:
		if x := g.floorPlans[id]; x != nil {
			return x
		}
	}
	return nil
}

// sameObject reports whether a and b are the same image. A device's
// connection state is runtime state the broker sets outside transactions;
// it is ignored. Times compare as instants.
func sameObject(a, b Object) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	if a.Kind() != b.Kind() {
		return false
	}
	switch x := a.(type) {
	case *Device:
		y := b.(*Device)
		c, d := *x, *y
		c.ConnectionState, c.ConnectionStateUpdated = "", time.Time{}
		d.ConnectionState, d.ConnectionStateUpdated = "", time.Time{}
		return reflect.DeepEqual(&c, &d)
	case *UDF:
		y := b.(*UDF)
		if !x.Updated.Equal(y.Updated) {
			return false
		}
		c, d := *x, *y
		c.Updated, d.Updated = time.Time{}, time.Time{}
		return reflect.DeepEqual(&c, &d)
	}
	return reflect.DeepEqual(a, b)
}

// cloneObject returns a deep copy of o that a Tx method may take over and
// normalise without touching the immutable original.
func cloneObject(o Object) Object {
	d := DescribeObject(o)
	if d == nil {
		panic(fmt.Sprintf("engine: cloneObject: unexpected %T", o))
	}
	return d.Clone(o)
}

// cloneSlice copies s keeping nil nil and empty empty.
func cloneSlice[T any](s []T) []T {
	if s == nil {
		return nil
	}
	return append(make([]T, 0, len(s)), s...)
}

// describe names an object for error messages: `space "Floor 1"`.
func describe(o Object) string {
	switch x := o.(type) {
	case *Space:
		return fmt.Sprintf("space %q", x.Name)
	case *Device:
		return fmt.Sprintf("device %q (hardwareId %s)", x.Name, x.HardwareID)
	case *Sensor:
		return fmt.Sprintf("sensor %s", x.HardwareID)
	case *User:
		return fmt.Sprintf("user %q", x.UPN)
	case *Matcher:
		return fmt.Sprintf("matcher %q", x.Name)
	case *UDF:
		return fmt.Sprintf("user-defined function %q", x.Name)
	case *RoleAssignment:
		return fmt.Sprintf("role assignment %s", x.ID)
	case *Endpoint:
		return fmt.Sprintf("endpoint %s", x.ID)
	case *Resource:
		return fmt.Sprintf("resource %s", x.ID)
	case *PropertyKey:
		return fmt.Sprintf("property key %q", x.Name)
	case *ExtendedType:
		return fmt.Sprintf("%s %q", x.Category, x.Name)
	case *Ontology:
		return fmt.Sprintf("ontology %q", x.Name)
	case *Token:
		return fmt.Sprintf("token %q", x.Name)
	case *Role:
		return fmt.Sprintf("role %q", x.Name)
	case *FloorPlan:
		return fmt.Sprintf("floor plan %s", x.FloorID)
	}
	return fmt.Sprintf("%T", o)
}
