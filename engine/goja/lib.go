package goja

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/dop251/goja"

	"github.com/twinstudio/twinstudio/engine"
)

// The client library is a bridge: each function converts its JavaScript
// arguments, calls the engine's UDFContext (which owns lookups,
// authorization, read-your-own-writes, data types, writes and
// notifications, and records the call) and converts the result back: an
// object with PascalCase fields, camelCase aliases and methods, or null. An
// error the library returns is thrown into the script as a TypeError with
// the library's text ("Not Authorized", "Data Not Found: space …").

// buildGlobals are globals that only a build with a test tag gives
// scripts (stuck_twinstuck.go); the normal build has none. They are set
// at package initialisation and read-only afterwards.
var buildGlobals map[string]func(goja.FunctionCall) goja.Value

type protos struct {
	space, sensor, device, value *goja.Object
}

// install registers the client library on the runtime's global object.
func (m *vm) install() {
	rt := m.rt
	// No timers, no require: goja has none by default. Remove eval-like
	// escape hatches that are not part of the library.
	rt.Set("require", goja.Undefined())
	// eval stays, but only ever indirect (global scope): a direct eval
	// could reach the wrapper's locals, the budget counter among them.
	indirect, err := rt.RunString("(function(e){return function eval(x){return e(x)}})(eval)")
	if err != nil {
		panic(err)
	}
	// Configurable until harden replaces it with the checked version.
	rt.GlobalObject().DefineDataProperty("eval", indirect, goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)

	m.protos.space = rt.NewObject()
	m.protos.sensor = rt.NewObject()
	m.protos.device = rt.NewObject()
	m.protos.value = rt.NewObject()

	lib := map[string]func(goja.FunctionCall) goja.Value{
		"getSpaceMetadata":          m.fnGetSpace,
		"getSensorMetadata":         m.fnGetSensor,
		"getDeviceMetadata":         m.fnGetDevice,
		"getSensorValue":            m.fnGetSensorValue,
		"getSpaceValue":             m.fnGetSpaceValue,
		"getSensorHistoryValues":    m.fnSensorHistory,
		"getSpaceHistoryValues":     m.fnSpaceHistory,
		"getSpaceChildSpaces":       m.fnSpaceChildSpaces,
		"getSpaceChildSensors":      m.fnSpaceChildSensors,
		"getSpaceChildDevices":      m.fnSpaceChildDevices,
		"getDeviceChildSensors":     m.fnDeviceChildSensors,
		"getSpaceParentSpace":       m.fnSpaceParent,
		"getSensorParentSpace":      m.fnSensorParentSpace,
		"getDeviceParentSpace":      m.fnDeviceParentSpace,
		"getSensorParentDevice":     m.fnSensorParentDevice,
		"getSpaceExtendedProperty":  m.fnExtProp(engine.KindSpace, "getSpaceExtendedProperty"),
		"getSensorExtendedProperty": m.fnExtProp(engine.KindSensor, "getSensorExtendedProperty"),
		"getDeviceExtendedProperty": m.fnExtProp(engine.KindDevice, "getDeviceExtendedProperty"),
		"setSensorValue":            m.fnSetSensorValue,
		"setSpaceValue":             m.fnSetSpaceValue,
		"log":                       m.fnLog,
		"sendNotification":          m.fnSendNotification,
		TraceHook:                   m.traceFunc(), // line tracing (instrument.go)
	}
	// Library globals are read-only, so one UDF cannot replace them for the
	// others that share this runtime.
	g := rt.GlobalObject()
	for name, fn := range lib {
		g.DefineDataProperty(name, rt.ToValue(m.guard(fn)), goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_TRUE)
	}
	for name, fn := range buildGlobals { // none in the normal build
		g.DefineDataProperty(name, rt.ToValue(fn), goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_TRUE)
	}
	// Methods live on prototypes and read this.Id; camelCase aliases are
	// getters over the PascalCase fields.
	method := func(o *goja.Object, name string, fn func(id string, call goja.FunctionCall) goja.Value) {
		o.Set(name, m.guard(func(call goja.FunctionCall) goja.Value {
			return fn(call.This.ToObject(rt).Get("Id").String(), call)
		}))
	}
	call1 := func(f func(goja.FunctionCall) goja.Value) func(string, goja.FunctionCall) goja.Value {
		return func(id string, c goja.FunctionCall) goja.Value {
			return f(goja.FunctionCall{This: c.This, Arguments: append([]goja.Value{rt.ToValue(id)}, c.Arguments...)})
		}
	}
	sp := m.protos.space
	method(sp, "Parent", call1(m.fnSpaceParent))
	method(sp, "ChildSpaces", call1(m.fnSpaceChildSpaces))
	method(sp, "ChildSensors", call1(m.fnSpaceChildSensors))
	method(sp, "ChildDevices", call1(m.fnSpaceChildDevices))
	method(sp, "ExtendedProperty", call1(m.fnExtProp(engine.KindSpace, "getSpaceExtendedProperty")))
	method(sp, "Value", call1(m.fnGetSpaceValue))
	method(sp, "History", call1(m.fnSpaceHistory))
	method(sp, "Notify", func(id string, c goja.FunctionCall) goja.Value { return m.notify(id, "Space", c.Argument(0)) })
	se := m.protos.sensor
	method(se, "Space", call1(m.fnSensorParentSpace))
	method(se, "Device", call1(m.fnSensorParentDevice))
	method(se, "ExtendedProperty", call1(m.fnExtProp(engine.KindSensor, "getSensorExtendedProperty")))
	method(se, "Value", func(id string, c goja.FunctionCall) goja.Value { return m.sensorValue(id, "Value") })
	method(se, "History", func(id string, c goja.FunctionCall) goja.Value { return m.sensorHistory(id, "History") })
	method(se, "Notify", func(id string, c goja.FunctionCall) goja.Value { return m.notify(id, "Sensor", c.Argument(0)) })
	dv := m.protos.device
	method(dv, "Parent", call1(m.fnDeviceParentSpace))
	method(dv, "ChildSensors", call1(m.fnDeviceChildSensors))
	method(dv, "ExtendedProperty", call1(m.fnExtProp(engine.KindDevice, "getDeviceExtendedProperty")))
	method(dv, "Notify", func(id string, c goja.FunctionCall) goja.Value { return m.notify(id, "Device", c.Argument(0)) })

	aliases := map[*goja.Object][]string{
		sp:             engine.Describe(engine.KindSpace).MetaNames(),
		se:             engine.Describe(engine.KindSensor).MetaNames(),
		dv:             engine.Describe(engine.KindDevice).MetaNames(),
		m.protos.value: {"Value", "CreatedTime", "DataType"},
	}
	for proto, fields := range aliases {
		for _, f := range fields {
			f := f
			camel := strings.ToLower(f[:1]) + f[1:]
			getter := rt.ToValue(func(call goja.FunctionCall) goja.Value { return call.This.ToObject(rt).Get(f) })
			proto.DefineAccessorProperty(camel, getter, nil, goja.FLAG_FALSE, goja.FLAG_TRUE)
		}
	}
	freeze, _ := goja.AssertFunction(rt.Get("Object").ToObject(rt).Get("freeze"))
	for _, p := range []*goja.Object{sp, se, dv, m.protos.value} {
		freeze(goja.Undefined(), p)
	}
}

// ---- the execution and errors ----

// guard runs a library function holding m.lib, so that an execution the
// runtime gave up on (see Execute) can never reach its UDFContext after
// Execute returned: m.ex is cleared under the same lock.
func (m *vm) guard(f func(goja.FunctionCall) goja.Value) func(goja.FunctionCall) goja.Value {
	return func(c goja.FunctionCall) goja.Value {
		m.lib.Lock()
		defer m.lib.Unlock()
		return f(c)
	}
}

func (m *vm) x() *engine.UDFContext {
	if m.ex == nil {
		panic(m.rt.NewGoError(fmt.Errorf("the client library is only available while process runs")))
	}
	return m.ex
}

func argStrings(c goja.FunctionCall) []string {
	out := make([]string, len(c.Arguments))
	for i, a := range c.Arguments {
		out[i] = a.String()
	}
	return out
}

// named names the next library call in the record as the script made it.
func (m *vm) named(name string, args []string) *engine.UDFContext {
	x := m.x()
	x.Named(name, args)
	return x
}

// throw throws a library error into the script.
func (m *vm) throw(err error) goja.Value { panic(m.rt.NewTypeError(err.Error())) }

// ---- object builders ----

func (m *vm) spaceObj(s *engine.UDFSpace) goja.Value {
	if s == nil {
		return goja.Null()
	}
	return m.metaObj(engine.KindSpace, s, s.Space, m.protos.space)
}

func (m *vm) sensorObj(s *engine.UDFSensor) goja.Value {
	if s == nil {
		return goja.Null()
	}
	return m.metaObj(engine.KindSensor, s, s.Sensor, m.protos.sensor)
}

func (m *vm) deviceObj(d *engine.UDFDevice) goja.Value {
	if d == nil {
		return goja.Null()
	}
	return m.metaObj(engine.KindDevice, d, d.Device, m.protos.device)
}

// metaObj is the metadata object of o, of kind k: the properties its kind's
// description gives UDFs (engine.KindDesc.Meta; names are PascalCase, the
// prototype adds the camelCase aliases and the methods), types named by n.
// It is lazy (lazy.go): a field is converted when the script reads it.
func (m *vm) metaObj(k engine.Kind, n engine.TypeNamer, o engine.Object, proto *goja.Object) goja.Value {
	var sh *shape
	switch k {
	case engine.KindSpace:
		sh = spaceShape()
	case engine.KindSensor:
		sh = sensorShape()
	default:
		sh = deviceShape()
	}
	return m.lazy(sh, proto, &lazyObj{n: n, o: o})
}

// valueObj is the value object of v: Value, CreatedTime (formatted only
// when read) and DataType, lazy like metadata.
func (m *vm) valueObj(v *engine.UDFValue) goja.Value {
	if v == nil {
		return goja.Null()
	}
	return m.lazy(valueShape, m.protos.value, &lazyObj{val: *v})
}

// list converts a library list into a JavaScript array.
func list[T any](m *vm, items []T, obj func(T) goja.Value) goja.Value {
	arr := make([]any, len(items))
	for i, x := range items {
		arr[i] = obj(x)
	}
	return m.rt.NewArray(arr...)
}

// result throws err or converts v.
func result[T any](m *vm, v T, err error, obj func(T) goja.Value) goja.Value {
	if err != nil {
		return m.throw(err)
	}
	return obj(v)
}

// ---- metadata ----

func (m *vm) fnGetSpace(c goja.FunctionCall) goja.Value {
	s, err := m.named("getSpaceMetadata", argStrings(c)).GetSpaceMetadata(c.Argument(0).String())
	return result(m, s, err, m.spaceObj)
}

func (m *vm) fnGetSensor(c goja.FunctionCall) goja.Value {
	s, err := m.named("getSensorMetadata", argStrings(c)).GetSensorMetadata(c.Argument(0).String())
	return result(m, s, err, m.sensorObj)
}

func (m *vm) fnGetDevice(c goja.FunctionCall) goja.Value {
	d, err := m.named("getDeviceMetadata", argStrings(c)).GetDeviceMetadata(c.Argument(0).String())
	return result(m, d, err, m.deviceObj)
}

// ---- values ----

func (m *vm) fnGetSensorValue(c goja.FunctionCall) goja.Value {
	return m.sensorValue(c.Argument(0).String(), "getSensorValue")
}

func (m *vm) sensorValue(id, name string) goja.Value {
	v, err := m.named(name, []string{id}).GetSensorValue(id)
	return result(m, v, err, m.valueObj)
}

func (m *vm) fnGetSpaceValue(c goja.FunctionCall) goja.Value {
	v, err := m.named("getSpaceValue", argStrings(c)).GetSpaceValue(c.Argument(0).String(), c.Argument(1).String())
	return result(m, v, err, m.valueObj)
}

func (m *vm) values(vs []engine.UDFValue) goja.Value {
	return list(m, vs, func(v engine.UDFValue) goja.Value { return m.valueObj(&v) })
}

func (m *vm) fnSensorHistory(c goja.FunctionCall) goja.Value {
	return m.sensorHistory(c.Argument(0).String(), "getSensorHistoryValues")
}

func (m *vm) sensorHistory(id, name string) goja.Value {
	vs, err := m.named(name, []string{id}).GetSensorHistoryValues(id)
	return result(m, vs, err, m.values)
}

func (m *vm) fnSpaceHistory(c goja.FunctionCall) goja.Value {
	vs, err := m.named("getSpaceHistoryValues", argStrings(c)).GetSpaceHistoryValues(c.Argument(0).String(), c.Argument(1).String())
	return result(m, vs, err, m.values)
}

// ---- navigation ----

func (m *vm) spaces(l []*engine.UDFSpace) goja.Value   { return list(m, l, m.spaceObj) }
func (m *vm) sensors(l []*engine.UDFSensor) goja.Value { return list(m, l, m.sensorObj) }
func (m *vm) devices(l []*engine.UDFDevice) goja.Value { return list(m, l, m.deviceObj) }

func (m *vm) fnSpaceChildSpaces(c goja.FunctionCall) goja.Value {
	l, err := m.named("getSpaceChildSpaces", argStrings(c)).GetSpaceChildSpaces(c.Argument(0).String())
	return result(m, l, err, m.spaces)
}

func (m *vm) fnSpaceChildSensors(c goja.FunctionCall) goja.Value {
	l, err := m.named("getSpaceChildSensors", argStrings(c)).GetSpaceChildSensors(c.Argument(0).String())
	return result(m, l, err, m.sensors)
}

func (m *vm) fnSpaceChildDevices(c goja.FunctionCall) goja.Value {
	l, err := m.named("getSpaceChildDevices", argStrings(c)).GetSpaceChildDevices(c.Argument(0).String())
	return result(m, l, err, m.devices)
}

func (m *vm) fnDeviceChildSensors(c goja.FunctionCall) goja.Value {
	l, err := m.named("getDeviceChildSensors", argStrings(c)).GetDeviceChildSensors(c.Argument(0).String())
	return result(m, l, err, m.sensors)
}

func (m *vm) fnSpaceParent(c goja.FunctionCall) goja.Value {
	s, err := m.named("getSpaceParentSpace", argStrings(c)).GetSpaceParentSpace(c.Argument(0).String())
	return result(m, s, err, m.spaceObj)
}

func (m *vm) fnSensorParentSpace(c goja.FunctionCall) goja.Value {
	s, err := m.named("getSensorParentSpace", argStrings(c)).GetSensorParentSpace(c.Argument(0).String())
	return result(m, s, err, m.spaceObj)
}

func (m *vm) fnDeviceParentSpace(c goja.FunctionCall) goja.Value {
	s, err := m.named("getDeviceParentSpace", argStrings(c)).GetDeviceParentSpace(c.Argument(0).String())
	return result(m, s, err, m.spaceObj)
}

func (m *vm) fnSensorParentDevice(c goja.FunctionCall) goja.Value {
	d, err := m.named("getSensorParentDevice", argStrings(c)).GetSensorParentDevice(c.Argument(0).String())
	return result(m, d, err, m.deviceObj)
}

func (m *vm) fnExtProp(k engine.Kind, name string) func(goja.FunctionCall) goja.Value {
	return func(c goja.FunctionCall) goja.Value {
		p, err := m.named(name, argStrings(c)).GetExtendedProperty(k, c.Argument(0).String(), c.Argument(1).String())
		return result(m, p, err, func(p *engine.Property) goja.Value {
			if p == nil {
				return goja.Null()
			}
			o := m.rt.NewObject()
			o.Set("Name", p.Name)
			o.Set("Value", p.Value)
			o.Set("name", p.Name)
			o.Set("value", p.Value)
			return o
		})
	}
}

// ---- writes ----

// jsString is the text a script value is written, logged or sent as:
// strings as they are, numbers and booleans as JavaScript prints them,
// arrays and objects as JSON (the hardened JSON.stringify, so its nesting
// and length are bounded), anything else as String() gives it.
func (m *vm) jsString(v goja.Value) string {
	if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
		return ""
	}
	if o, ok := v.(*goja.Object); ok {
		if cn := o.ClassName(); (cn == "Object" || cn == "Array") && m.stringify != nil {
			s, err := m.stringify(goja.Undefined(), o)
			if err != nil {
				panic(err)
			}
			if !goja.IsUndefined(s) {
				return s.String()
			}
		}
		return v.String()
	}
	switch x := v.Export().(type) {
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return v.String()
}

// badValue describes a value a write cannot store ("undefined", "NaN",
// "a function", "an object"), or returns "" for a string, a finite
// number, a boolean (or a String, Number or Boolean object) or an array.
func badValue(v goja.Value) string {
	switch {
	case v == nil || goja.IsUndefined(v):
		return "undefined"
	case goja.IsNull(v):
		return "null"
	}
	if o, ok := v.(*goja.Object); ok {
		switch o.ClassName() {
		case "String", "Boolean", "Array": // an array is written as its JSON
			return ""
		case "Number":
			return badValue(o.ToNumber())
		case "Function":
			return "a function"
		}
		return "an object"
	}
	if f, ok := v.Export().(float64); ok {
		switch {
		case math.IsNaN(f):
			return "NaN"
		case math.IsInf(f, 0):
			return v.String()
		}
	}
	return ""
}

// writeValue is the text a write stores for v; a value that cannot be
// stored makes the call fail (recorded, thrown as a TypeError at the
// script's line).
func (m *vm) writeValue(name string, c goja.FunctionCall) string {
	v := c.Argument(2)
	if what := badValue(v); what != "" {
		m.throw(m.x().RefuseValue(name, argStrings(c), what))
	}
	return m.jsString(v)
}

func (m *vm) fnSetSensorValue(c goja.FunctionCall) goja.Value {
	value := m.writeValue("setSensorValue", c)
	err := m.named("setSensorValue", argStrings(c)).SetSensorValue(c.Argument(0).String(), c.Argument(1).String(), value)
	if err != nil {
		return m.throw(err)
	}
	return goja.Undefined()
}

func (m *vm) fnSetSpaceValue(c goja.FunctionCall) goja.Value {
	name := c.Argument(1).String()
	if goja.IsUndefined(c.Argument(1)) {
		name = "" // the library refuses a write without a value name
	}
	value := m.writeValue("setSpaceValue", c)
	err := m.named("setSpaceValue", argStrings(c)).SetSpaceValue(c.Argument(0).String(), name, value)
	if err != nil {
		return m.throw(err)
	}
	return goja.Undefined()
}

// MaxLogLines bounds log lines per execution; MaxLogLine one line's length.
const (
	MaxLogLines = engine.MaxUDFLogLines
	MaxLogLine  = engine.MaxUDFLogLine
)

func (m *vm) fnLog(c goja.FunctionCall) goja.Value {
	x := m.x()
	parts := make([]string, len(c.Arguments))
	for i, a := range c.Arguments {
		parts[i] = m.jsString(a)
	}
	if err := x.Log(strings.Join(parts, " ")); err != nil {
		return m.throw(err)
	}
	return goja.Undefined()
}

func (m *vm) fnSendNotification(c goja.FunctionCall) goja.Value {
	return m.notifyAs("sendNotification", c.Argument(0).String(), c.Argument(1).String(), c.Argument(2), argStrings(c))
}

func (m *vm) notify(id, typ string, payload goja.Value) goja.Value {
	return m.notifyAs("Notify", id, typ, payload, []string{id, typ, m.jsString(payload)})
}

func (m *vm) notifyAs(name, id, typ string, payload goja.Value, args []string) goja.Value {
	if err := m.named(name, args).SendNotification(id, typ, m.jsString(payload)); err != nil {
		return m.throw(err)
	}
	return goja.Undefined()
}
