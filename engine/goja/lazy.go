package goja

import (
	"sync"
	"time"

	"github.com/dop251/goja"

	"github.com/twinstudio/twinstudio/engine"
)

// Library objects (metadata and values) are lazy: a goja DynamicObject over
// the Go snapshot the library returned, whose fields become script values
// only when the script reads them. A script that reads only SpaceId pays
// for one field, not for the object's twenty.
//
// Towards the script such an object behaves as the plain object it stands
// for: its own properties are the PascalCase fields in field order
// (Object.keys, for-in and JSON.stringify list them so), reading one twice
// gives the same value, assigning one changes it, a property assigned that
// is no field is added after the fields, delete removes one; the prototype
// adds the camelCase aliases and the methods. Unlike a plain object it
// cannot be frozen, sealed or made non-extensible, and its properties
// cannot be redefined as accessors or as read-only (a TypeError).

// shape is the ordered field names of one kind of library object.
type shape struct {
	names []string
	index map[string]int
	// fields[i] is the kind's field that yields names[i] (metadata only).
	fields []*engine.Field
}

func newShape(names []string, fields []*engine.Field) *shape {
	s := &shape{names: names, index: make(map[string]int, len(names)), fields: fields}
	for i, n := range names {
		s.index[n] = i
	}
	return s
}

// metaShape is the shape of kind k's metadata objects: the names
// engine.KindDesc.MetaNames gives, in its order.
func metaShape(k engine.Kind) *shape {
	d := engine.Describe(k)
	names := d.MetaNames()
	if len(names) > 64 {
		panic("goja: more than 64 metadata fields of a " + k.String())
	}
	byName := map[string]*engine.Field{}
	for i := range d.Fields {
		f := &d.Fields[i]
		if f.Meta != "" {
			byName[f.Meta] = f
		}
		if f.MetaID != "" {
			byName[f.MetaID] = f
		}
	}
	fields := make([]*engine.Field, len(names))
	for i, n := range names {
		fields[i] = byName[n]
	}
	return newShape(names, fields)
}

// The shapes of the library's objects, made once.
var (
	spaceShape  = sync.OnceValue(func() *shape { return metaShape(engine.KindSpace) })
	sensorShape = sync.OnceValue(func() *shape { return metaShape(engine.KindSensor) })
	deviceShape = sync.OnceValue(func() *shape { return metaShape(engine.KindDevice) })
	valueShape  = newShape([]string{"Value", "CreatedTime", "DataType"}, nil)
	// process's arguments.
	telemetryShape = newShape([]string{"SensorId", "Message"}, nil)
	contextShape   = newShape([]string{"UserDefinedFunctionId", "EnqueuedTime", "ProcessorReceivedTime", "CorrelationId"}, nil)
)

// lazyObj is one lazy library object (see above). Not safe for concurrent
// use: it belongs to the runtime that made it.
type lazyObj struct {
	m  *vm
	sh *shape
	// The snapshot: a metadata object's typed object and its type names,
	// a value, or (telemetry and executionContext) the execution.
	n   engine.TypeNamer
	o   engine.Object
	val engine.UDFValue
	x   *engine.UDFContext
	// vals[i] is field i as the script sees it (nil: not read yet).
	vals []goja.Value
	gone uint64 // bit i: field i was deleted
	set  uint64 // bit i: field i was assigned by the script
	// Properties the script added, in the order added.
	extraKeys []string
	extra     map[string]goja.Value
}

// lazy makes l, of shape sh, a script object with prototype proto (nil:
// Object.prototype).
func (m *vm) lazy(sh *shape, proto *goja.Object, l *lazyObj) goja.Value {
	l.m, l.sh = m, sh
	obj := m.rt.NewDynamicObject(l)
	if proto != nil {
		obj.SetPrototype(proto)
	}
	return obj
}

func formatTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// field converts field i of the snapshot.
func (l *lazyObj) field(i int) goja.Value {
	rt := l.m.rt
	switch l.sh {
	case valueShape:
		switch i {
		case 0:
			return rt.ToValue(l.val.Value.Value)
		case 1:
			return rt.ToValue(formatTime(l.val.Time))
		default:
			return rt.ToValue(l.val.DataType)
		}
	case telemetryShape:
		if i == 0 {
			return rt.ToValue(l.x.Record().Sensor.String())
		}
		return rt.ToValue(l.x.Input().Message)
	case contextShape:
		in := l.x.Input()
		switch i {
		case 0:
			return rt.ToValue(l.x.UDF().ID.String())
		case 1, 2:
			// The two times are often the same: formatted once then.
			if other := l.vals[3-i]; other != nil && in.EnqueuedTime.Equal(in.ReceivedTime) && !l.changed(3-i) {
				return other
			}
			if i == 1 {
				return rt.ToValue(formatTime(in.EnqueuedTime))
			}
			return rt.ToValue(formatTime(in.ReceivedTime))
		default:
			return rt.ToValue(in.CorrelationID)
		}
	}
	name := l.sh.names[i]
	var out any
	l.sh.fields[i].MetaValues(l.n, l.o, func(n string, v any) {
		if n == name {
			out = v
		}
	})
	return rt.ToValue(out)
}

// changed reports whether the script assigned field i.
func (l *lazyObj) changed(i int) bool { return l.set&(1<<uint(i)) != 0 }

func (l *lazyObj) fieldIndex(key string) (int, bool) {
	i, ok := l.sh.index[key]
	if !ok || l.gone&(1<<uint(i)) != 0 {
		return 0, false
	}
	return i, true
}

// Get implements goja.DynamicObject.
func (l *lazyObj) Get(key string) goja.Value {
	if i, ok := l.fieldIndex(key); ok {
		if l.vals == nil {
			l.vals = make([]goja.Value, len(l.sh.names))
		}
		if l.vals[i] == nil {
			l.vals[i] = l.field(i)
		}
		return l.vals[i]
	}
	return l.extra[key] // nil when absent
}

// Set implements goja.DynamicObject.
func (l *lazyObj) Set(key string, v goja.Value) bool {
	if i, ok := l.fieldIndex(key); ok {
		if l.vals == nil {
			l.vals = make([]goja.Value, len(l.sh.names))
		}
		l.vals[i] = v
		l.set |= 1 << uint(i)
		return true
	}
	if l.extra == nil {
		l.extra = map[string]goja.Value{}
	}
	if _, ok := l.extra[key]; !ok {
		l.extraKeys = append(l.extraKeys, key)
	}
	l.extra[key] = v
	return true
}

// Has implements goja.DynamicObject.
func (l *lazyObj) Has(key string) bool {
	if _, ok := l.fieldIndex(key); ok {
		return true
	}
	_, ok := l.extra[key]
	return ok
}

// Delete implements goja.DynamicObject.
func (l *lazyObj) Delete(key string) bool {
	if i, ok := l.fieldIndex(key); ok {
		l.gone |= 1 << uint(i)
		if l.vals != nil {
			l.vals[i] = nil
		}
		return true
	}
	if _, ok := l.extra[key]; ok {
		delete(l.extra, key)
		for j, k := range l.extraKeys {
			if k == key {
				l.extraKeys = append(l.extraKeys[:j], l.extraKeys[j+1:]...)
				break
			}
		}
	}
	return true
}

// Keys implements goja.DynamicObject: the fields in order, then the added
// properties.
func (l *lazyObj) Keys() []string {
	out := make([]string, 0, len(l.sh.names)+len(l.extraKeys))
	for i, n := range l.sh.names {
		if l.gone&(1<<uint(i)) == 0 {
			out = append(out, n)
		}
	}
	return append(out, l.extraKeys...)
}
