package goja

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/dop251/goja"

	"github.com/twinstudio/twinstudio/engine"
)

// execution is one run of process(): the view it reads, the writes it
// made so far (visible to its own reads), and its record.
type execution struct {
	v       *engine.View
	udf     *engine.UDF
	in      engine.ExecInput
	rec     *engine.ExecutionRecord
	m       *vm
	p       engine.Principal
	refused bool

	sensorWrites map[engine.ID]string
	spaceWrites  map[engine.ID]map[string]string
	order        []engine.WriteRecord
}

// finish moves the collected writes into the record.
func (ex *execution) finish() { ex.rec.Writes = ex.order }

// errNotAuthorized is thrown into the script, as the preview did.
const notAuthorized = "Not Authorized"

type protos struct {
	space, sensor, device, value *goja.Object
}

// install registers the client library on the runtime's global object.
func (m *vm) install() {
	rt := m.rt
	// No timers, no require: goja has none by default. Remove eval-like
	// escape hatches that are not part of the library.
	rt.Set("require", goja.Undefined())

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
		"getSpaceExtendedProperty":  m.fnExtProp(engine.KindSpace),
		"getSensorExtendedProperty": m.fnExtProp(engine.KindSensor),
		"getDeviceExtendedProperty": m.fnExtProp(engine.KindDevice),
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
		g.DefineDataProperty(name, rt.ToValue(fn), goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_TRUE)
	}
	// Methods live on prototypes and read this.Id; camelCase aliases are
	// getters over the PascalCase fields.
	method := func(o *goja.Object, name string, fn func(id string, call goja.FunctionCall) goja.Value) {
		o.Set(name, func(call goja.FunctionCall) goja.Value {
			return fn(call.This.ToObject(rt).Get("Id").String(), call)
		})
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
	method(sp, "ExtendedProperty", call1(m.fnExtProp(engine.KindSpace)))
	method(sp, "Value", call1(m.fnGetSpaceValue))
	method(sp, "History", call1(m.fnSpaceHistory))
	method(sp, "Notify", func(id string, c goja.FunctionCall) goja.Value { return m.notify(id, "Space", c.Argument(0)) })
	se := m.protos.sensor
	method(se, "Space", call1(m.fnSensorParentSpace))
	method(se, "Device", call1(m.fnSensorParentDevice))
	method(se, "ExtendedProperty", call1(m.fnExtProp(engine.KindSensor)))
	method(se, "Value", func(id string, c goja.FunctionCall) goja.Value { return m.sensorValue(id, "Value") })
	method(se, "History", func(id string, c goja.FunctionCall) goja.Value { return m.sensorHistory(id, "History") })
	method(se, "Notify", func(id string, c goja.FunctionCall) goja.Value { return m.notify(id, "Sensor", c.Argument(0)) })
	dv := m.protos.device
	method(dv, "Parent", call1(m.fnDeviceParentSpace))
	method(dv, "ChildSensors", call1(m.fnDeviceChildSensors))
	method(dv, "ExtendedProperty", call1(m.fnExtProp(engine.KindDevice)))
	method(dv, "Notify", func(id string, c goja.FunctionCall) goja.Value { return m.notify(id, "Device", c.Argument(0)) })

	aliases := map[*goja.Object][]string{
		sp:             {"Id", "Name", "FriendlyName", "Description", "Type", "TypeId", "Subtype", "SubtypeId", "ParentSpaceId", "Status"},
		se:             {"Id", "Name", "HardwareId", "DeviceId", "SpaceId", "Port", "PollRate", "Type", "TypeId", "DataType", "DataTypeId", "DataSubtype", "DataSubtypeId", "DataUnitType", "DataUnitTypeId", "PortType", "PortTypeId"},
		dv:             {"Id", "Name", "FriendlyName", "Description", "HardwareId", "GatewayId", "SpaceId", "Type", "TypeId", "Subtype", "SubtypeId", "Status"},
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

// ---- call recording and authorization ----

func (m *vm) ex_() *execution {
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

// record appends a library call to the record.
func (ex *execution) call(name string, args []string, result string, err error) {
	lc := engine.LibCall{Name: name, Args: args, Result: result}
	if err != nil {
		lc.Err = err.Error()
	}
	ex.rec.Calls = append(ex.rec.Calls, lc)
}

// fail records the call and throws into the script.
func (m *vm) fail(name string, args []string, err error) goja.Value {
	ex := m.ex_()
	ex.call(name, args, "", err)
	if err.Error() == notAuthorized {
		ex.refused = true
	}
	panic(m.rt.NewTypeError(err.Error()))
}

func (m *vm) authorize(action engine.Action, res string, id engine.ID) error {
	ex := m.ex_()
	if err := ex.v.Authorize(ex.p, action, res, id); err != nil {
		return errors.New(notAuthorized)
	}
	return nil
}

func (m *vm) parseID(name string, args []string, s string) engine.ID {
	id, err := engine.ParseID(s)
	if err != nil {
		m.fail(name, args, fmt.Errorf("%q is not an id", s))
	}
	return id
}

// ---- object builders ----

func (m *vm) spaceObj(s *engine.Space) goja.Value {
	if s == nil {
		return goja.Null()
	}
	v := m.ex.v
	o := m.rt.NewObject()
	o.SetPrototype(m.protos.space)
	o.Set("Id", s.ID.String())
	o.Set("Name", s.Name)
	o.Set("FriendlyName", s.FriendlyName)
	o.Set("Description", s.Description)
	o.Set("Type", v.TypeName(s.TypeID))
	o.Set("TypeId", s.TypeID)
	o.Set("Subtype", v.TypeName(s.SubtypeID))
	o.Set("SubtypeId", s.SubtypeID)
	o.Set("Status", v.TypeName(s.StatusID))
	if s.ParentID.IsZero() {
		o.Set("ParentSpaceId", goja.Null())
	} else {
		o.Set("ParentSpaceId", s.ParentID.String())
	}
	return o
}

func (m *vm) sensorObj(s *engine.Sensor) goja.Value {
	if s == nil {
		return goja.Null()
	}
	v := m.ex.v
	o := m.rt.NewObject()
	o.SetPrototype(m.protos.sensor)
	o.Set("Id", s.ID.String())
	o.Set("Name", s.Name)
	o.Set("HardwareId", s.HardwareID)
	o.Set("DeviceId", s.DeviceID.String())
	o.Set("SpaceId", s.SpaceID.String())
	o.Set("Port", s.Port)
	o.Set("PollRate", s.PollRate)
	o.Set("Type", v.TypeName(s.TypeID))
	o.Set("TypeId", s.TypeID)
	o.Set("DataType", v.TypeName(s.DataTypeID))
	o.Set("DataTypeId", s.DataTypeID)
	o.Set("DataSubtype", v.TypeName(s.DataSubtypeID))
	o.Set("DataSubtypeId", s.DataSubtypeID)
	o.Set("DataUnitType", v.TypeName(s.DataUnitTypeID))
	o.Set("DataUnitTypeId", s.DataUnitTypeID)
	o.Set("PortType", v.TypeName(s.PortTypeID))
	o.Set("PortTypeId", s.PortTypeID)
	return o
}

func (m *vm) deviceObj(d *engine.Device) goja.Value {
	if d == nil {
		return goja.Null()
	}
	v := m.ex.v
	o := m.rt.NewObject()
	o.SetPrototype(m.protos.device)
	o.Set("Id", d.ID.String())
	o.Set("Name", d.Name)
	o.Set("FriendlyName", d.FriendlyName)
	o.Set("Description", d.Description)
	o.Set("HardwareId", d.HardwareID)
	o.Set("GatewayId", d.GatewayID)
	o.Set("SpaceId", d.SpaceID.String())
	o.Set("Type", v.TypeName(d.TypeID))
	o.Set("TypeId", d.TypeID)
	o.Set("Subtype", v.TypeName(d.SubtypeID))
	o.Set("SubtypeId", d.SubtypeID)
	o.Set("Status", d.Status)
	return o
}

func (m *vm) valueObj(dataType string, val engine.Value) goja.Value {
	o := m.rt.NewObject()
	o.SetPrototype(m.protos.value)
	o.Set("Value", val.Value)
	o.Set("CreatedTime", val.Time.UTC().Format(time.RFC3339Nano))
	o.Set("DataType", dataType)
	return o
}

func (m *vm) array(items []goja.Value) goja.Value {
	arr := make([]any, len(items))
	for i, x := range items {
		arr[i] = x
	}
	return m.rt.NewArray(arr...)
}

// ---- metadata ----

func (m *vm) fnGetSpace(c goja.FunctionCall) goja.Value {
	const name = "getSpaceMetadata"
	args := argStrings(c)
	id := m.parseID(name, args, c.Argument(0).String())
	s, ok := m.ex_().v.Space(id)
	if !ok {
		return m.fail(name, args, fmt.Errorf("Data Not Found: space %s", id))
	}
	if err := m.authorize(engine.ActionRead, engine.ResSpace, id); err != nil {
		return m.fail(name, args, err)
	}
	m.ex.call(name, args, s.Name, nil)
	return m.spaceObj(s)
}

func (m *vm) fnGetSensor(c goja.FunctionCall) goja.Value {
	const name = "getSensorMetadata"
	args := argStrings(c)
	id := m.parseID(name, args, c.Argument(0).String())
	s, ok := m.ex_().v.Sensor(id)
	if !ok {
		return m.fail(name, args, fmt.Errorf("Data Not Found: sensor %s", id))
	}
	if err := m.authorize(engine.ActionRead, engine.ResSensor, id); err != nil {
		return m.fail(name, args, err)
	}
	m.ex.call(name, args, s.HardwareID, nil)
	return m.sensorObj(s)
}

func (m *vm) fnGetDevice(c goja.FunctionCall) goja.Value {
	const name = "getDeviceMetadata"
	args := argStrings(c)
	id := m.parseID(name, args, c.Argument(0).String())
	d, ok := m.ex_().v.Device(id)
	if !ok {
		return m.fail(name, args, fmt.Errorf("Data Not Found: device %s", id))
	}
	if err := m.authorize(engine.ActionRead, engine.ResDevice, id); err != nil {
		return m.fail(name, args, err)
	}
	m.ex.call(name, args, d.HardwareID, nil)
	return m.deviceObj(d)
}

// ---- values ----

func (m *vm) fnGetSensorValue(c goja.FunctionCall) goja.Value {
	return m.sensorValue(c.Argument(0).String(), "getSensorValue")
}

func (m *vm) sensorValue(ids, name string) goja.Value {
	args := []string{ids}
	ex := m.ex_()
	id := m.parseID(name, args, ids)
	s, ok := ex.v.Sensor(id)
	if !ok {
		return m.fail(name, args, fmt.Errorf("Data Not Found: sensor %s", id))
	}
	if err := m.authorize(engine.ActionRead, engine.ResSensor, id); err != nil {
		return m.fail(name, args, err)
	}
	dt := ex.v.TypeName(s.DataTypeID)
	if w, ok := ex.sensorWrites[id]; ok {
		ex.call(name, args, w, nil)
		return m.valueObj(dt, engine.Value{Value: w, Time: ex.in.ReceivedTime})
	}
	val, ok := ex.v.SensorValue(id)
	if !ok {
		ex.call(name, args, "null", nil)
		return goja.Null()
	}
	ex.call(name, args, val.Value, nil)
	return m.valueObj(dt, val)
}

func (m *vm) fnGetSpaceValue(c goja.FunctionCall) goja.Value {
	const name = "getSpaceValue"
	args := argStrings(c)
	ex := m.ex_()
	id := m.parseID(name, args, c.Argument(0).String())
	vname := c.Argument(1).String()
	if _, ok := ex.v.Space(id); !ok {
		return m.fail(name, args, fmt.Errorf("Data Not Found: space %s", id))
	}
	if err := m.authorize(engine.ActionRead, engine.ResSpace, id); err != nil {
		return m.fail(name, args, err)
	}
	if w, ok := ex.spaceWrites[id][vname]; ok {
		ex.call(name, args, w, nil)
		return m.valueObj(vname, engine.Value{Value: w, Time: ex.in.ReceivedTime})
	}
	val, ok := ex.v.SpaceValue(id, vname)
	if !ok {
		ex.call(name, args, "null", nil)
		return goja.Null()
	}
	ex.call(name, args, val.Value, nil)
	return m.valueObj(vname, val)
}

func (m *vm) fnSensorHistory(c goja.FunctionCall) goja.Value {
	return m.sensorHistory(c.Argument(0).String(), "getSensorHistoryValues")
}

func (m *vm) sensorHistory(ids, name string) goja.Value {
	args := []string{ids}
	ex := m.ex_()
	id := m.parseID(name, args, ids)
	s, ok := ex.v.Sensor(id)
	if !ok {
		return m.fail(name, args, fmt.Errorf("Data Not Found: sensor %s", id))
	}
	if err := m.authorize(engine.ActionRead, engine.ResSensor, id); err != nil {
		return m.fail(name, args, err)
	}
	dt := ex.v.TypeName(s.DataTypeID)
	var out []goja.Value
	for _, h := range ex.v.SensorHistory(id) {
		out = append(out, m.valueObj(dt, h))
	}
	if w, ok := ex.sensorWrites[id]; ok {
		out = append(out, m.valueObj(dt, engine.Value{Value: w, Time: ex.in.ReceivedTime}))
	}
	ex.call(name, args, fmt.Sprintf("%d values", len(out)), nil)
	return m.array(out)
}

func (m *vm) fnSpaceHistory(c goja.FunctionCall) goja.Value {
	const name = "getSpaceHistoryValues"
	args := argStrings(c)
	ex := m.ex_()
	id := m.parseID(name, args, c.Argument(0).String())
	vname := c.Argument(1).String()
	if _, ok := ex.v.Space(id); !ok {
		return m.fail(name, args, fmt.Errorf("Data Not Found: space %s", id))
	}
	if err := m.authorize(engine.ActionRead, engine.ResSpace, id); err != nil {
		return m.fail(name, args, err)
	}
	var out []goja.Value
	for _, h := range ex.v.SpaceHistory(id, vname) {
		out = append(out, m.valueObj(vname, h))
	}
	if w, ok := ex.spaceWrites[id][vname]; ok {
		out = append(out, m.valueObj(vname, engine.Value{Value: w, Time: ex.in.ReceivedTime}))
	}
	ex.call(name, args, fmt.Sprintf("%d values", len(out)), nil)
	return m.array(out)
}

// ---- navigation ----

// children is the shape of the four child-list functions: check the
// parent exists and may be read, then list its children as objects.
func (m *vm) children(c goja.FunctionCall, name, parentKind string, exists func(engine.ID) bool, res, what string,
	list func(v *engine.View, id engine.ID) []goja.Value) goja.Value {
	args := argStrings(c)
	ex := m.ex_()
	id := m.parseID(name, args, c.Argument(0).String())
	if !exists(id) {
		return m.fail(name, args, fmt.Errorf("Data Not Found: %s %s", parentKind, id))
	}
	if err := m.authorize(engine.ActionRead, res, id); err != nil {
		return m.fail(name, args, err)
	}
	out := list(ex.v, id)
	ex.call(name, args, fmt.Sprintf("%d %s", len(out), what), nil)
	return m.array(out)
}

func (m *vm) spaceExists(id engine.ID) bool  { _, ok := m.ex.v.Space(id); return ok }
func (m *vm) deviceExists(id engine.ID) bool { _, ok := m.ex.v.Device(id); return ok }

func (m *vm) fnSpaceChildSpaces(c goja.FunctionCall) goja.Value {
	return m.children(c, "getSpaceChildSpaces", "space", m.spaceExists, engine.ResSpace, "spaces",
		func(v *engine.View, id engine.ID) (out []goja.Value) {
			for _, s := range v.ChildSpaces(id) {
				out = append(out, m.spaceObj(s))
			}
			return out
		})
}

func (m *vm) fnSpaceChildSensors(c goja.FunctionCall) goja.Value {
	return m.children(c, "getSpaceChildSensors", "space", m.spaceExists, engine.ResSensor, "sensors",
		func(v *engine.View, id engine.ID) (out []goja.Value) {
			for _, s := range v.SpaceSensors(id) {
				out = append(out, m.sensorObj(s))
			}
			return out
		})
}

func (m *vm) fnSpaceChildDevices(c goja.FunctionCall) goja.Value {
	return m.children(c, "getSpaceChildDevices", "space", m.spaceExists, engine.ResDevice, "devices",
		func(v *engine.View, id engine.ID) (out []goja.Value) {
			for _, d := range v.SpaceDevices(id) {
				out = append(out, m.deviceObj(d))
			}
			return out
		})
}

func (m *vm) fnDeviceChildSensors(c goja.FunctionCall) goja.Value {
	return m.children(c, "getDeviceChildSensors", "device", m.deviceExists, engine.ResSensor, "sensors",
		func(v *engine.View, id engine.ID) (out []goja.Value) {
			for _, s := range v.DeviceSensors(id) {
				out = append(out, m.sensorObj(s))
			}
			return out
		})
}

// parent is the shape of the four parent functions: find the object, take
// its parent's id (zero: none, null), check the parent may be read, and
// return it as an object.
func (m *vm) parent(c goja.FunctionCall, name, kind string, parentOf func(v *engine.View, id engine.ID) (engine.ID, bool),
	res string, obj func(v *engine.View, id engine.ID) (goja.Value, string)) goja.Value {
	args := argStrings(c)
	ex := m.ex_()
	id := m.parseID(name, args, c.Argument(0).String())
	pid, ok := parentOf(ex.v, id)
	if !ok {
		return m.fail(name, args, fmt.Errorf("Data Not Found: %s %s", kind, id))
	}
	if pid.IsZero() {
		ex.call(name, args, "null", nil)
		return goja.Null()
	}
	if err := m.authorize(engine.ActionRead, res, pid); err != nil {
		return m.fail(name, args, err)
	}
	o, label := obj(ex.v, pid)
	ex.call(name, args, label, nil)
	return o
}

func (m *vm) spaceOf(v *engine.View, id engine.ID) (goja.Value, string) {
	s, _ := v.Space(id)
	return m.spaceObj(s), s.Name
}

func (m *vm) fnSpaceParent(c goja.FunctionCall) goja.Value {
	return m.parent(c, "getSpaceParentSpace", "space", func(v *engine.View, id engine.ID) (engine.ID, bool) {
		s, ok := v.Space(id)
		if !ok {
			return engine.NilID, false
		}
		return s.ParentID, true
	}, engine.ResSpace, m.spaceOf)
}

func (m *vm) fnSensorParentSpace(c goja.FunctionCall) goja.Value {
	return m.parent(c, "getSensorParentSpace", "sensor", func(v *engine.View, id engine.ID) (engine.ID, bool) {
		s, ok := v.Sensor(id)
		if !ok {
			return engine.NilID, false
		}
		return s.SpaceID, true
	}, engine.ResSpace, m.spaceOf)
}

func (m *vm) fnDeviceParentSpace(c goja.FunctionCall) goja.Value {
	return m.parent(c, "getDeviceParentSpace", "device", func(v *engine.View, id engine.ID) (engine.ID, bool) {
		d, ok := v.Device(id)
		if !ok {
			return engine.NilID, false
		}
		return d.SpaceID, true
	}, engine.ResSpace, m.spaceOf)
}

func (m *vm) fnSensorParentDevice(c goja.FunctionCall) goja.Value {
	return m.parent(c, "getSensorParentDevice", "sensor", func(v *engine.View, id engine.ID) (engine.ID, bool) {
		s, ok := v.Sensor(id)
		if !ok {
			return engine.NilID, false
		}
		return s.DeviceID, true
	}, engine.ResDevice, func(v *engine.View, id engine.ID) (goja.Value, string) {
		d, _ := v.Device(id)
		return m.deviceObj(d), d.HardwareID
	})
}

func (m *vm) fnExtProp(k engine.Kind) func(goja.FunctionCall) goja.Value {
	name := map[engine.Kind]string{engine.KindSpace: "getSpaceExtendedProperty", engine.KindSensor: "getSensorExtendedProperty", engine.KindDevice: "getDeviceExtendedProperty"}[k]
	res := map[engine.Kind]string{engine.KindSpace: engine.ResSpaceExtendedProperty, engine.KindSensor: engine.ResSensorExtendedProperty, engine.KindDevice: engine.ResDeviceExtendedProperty}[k]
	return func(c goja.FunctionCall) goja.Value {
		args := argStrings(c)
		ex := m.ex_()
		id := m.parseID(name, args, c.Argument(0).String())
		pname := c.Argument(1).String()
		var props []engine.Property
		found := false
		switch k {
		case engine.KindSpace:
			if s, ok := ex.v.Space(id); ok {
				props, found = s.Properties, true
			}
		case engine.KindSensor:
			if s, ok := ex.v.Sensor(id); ok {
				props, found = s.Properties, true
			}
		case engine.KindDevice:
			if d, ok := ex.v.Device(id); ok {
				props, found = d.Properties, true
			}
		}
		if !found {
			return m.fail(name, args, fmt.Errorf("Data Not Found: %s %s", k, id))
		}
		if err := m.authorize(engine.ActionRead, res, id); err != nil {
			return m.fail(name, args, err)
		}
		for _, p := range props {
			if strings.EqualFold(p.Name, pname) {
				o := m.rt.NewObject()
				o.Set("Name", p.Name)
				o.Set("Value", p.Value)
				o.Set("name", p.Name)
				o.Set("value", p.Value)
				ex.call(name, args, p.Value, nil)
				return o
			}
		}
		ex.call(name, args, "null", nil)
		return goja.Null()
	}
}

// ---- writes ----

func jsString(v goja.Value) string {
	if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
		return ""
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
	case map[string]any, []any:
		b, err := json.Marshal(x)
		if err == nil {
			return string(b)
		}
	}
	return v.String()
}

func (m *vm) fnSetSensorValue(c goja.FunctionCall) goja.Value {
	const name = "setSensorValue"
	args := argStrings(c)
	ex := m.ex_()
	id := m.parseID(name, args, c.Argument(0).String())
	dataType := c.Argument(1).String()
	value := jsString(c.Argument(2))
	s, ok := ex.v.Sensor(id)
	if !ok {
		return m.fail(name, args, fmt.Errorf("Data Not Found: sensor %s", id))
	}
	if err := m.authorize(engine.ActionUpdate, engine.ResSensor, id); err != nil {
		return m.fail(name, args, err)
	}
	if dt := ex.v.TypeName(s.DataTypeID); !strings.EqualFold(dt, dataType) {
		return m.fail(name, args, fmt.Errorf("sensor %s has data type %s, not %q", s.HardwareID, dt, dataType))
	}
	prev := ""
	if w, ok := ex.sensorWrites[id]; ok {
		prev = w
	} else if v, ok := ex.v.SensorValue(id); ok {
		prev = v.Value
	}
	if ex.sensorWrites == nil {
		ex.sensorWrites = map[engine.ID]string{}
	}
	ex.sensorWrites[id] = value
	ex.order = append(ex.order, engine.WriteRecord{Kind: "Sensor", ID: id, Name: ex.v.TypeName(s.DataTypeID), Previous: prev, New: value})
	ex.call(name, args, "", nil)
	return goja.Undefined()
}

func (m *vm) fnSetSpaceValue(c goja.FunctionCall) goja.Value {
	const name = "setSpaceValue"
	args := argStrings(c)
	ex := m.ex_()
	id := m.parseID(name, args, c.Argument(0).String())
	vname := c.Argument(1).String()
	value := jsString(c.Argument(2))
	if _, ok := ex.v.Space(id); !ok {
		return m.fail(name, args, fmt.Errorf("Data Not Found: space %s", id))
	}
	if goja.IsUndefined(c.Argument(1)) {
		return m.fail(name, args, fmt.Errorf("setSpaceValue needs a value name"))
	}
	if err := engine.CheckValueName(vname); err != nil {
		return m.fail(name, args, err)
	}
	if err := m.authorize(engine.ActionUpdate, engine.ResSpace, id); err != nil {
		return m.fail(name, args, err)
	}
	prev := ""
	if w, ok := ex.spaceWrites[id][vname]; ok {
		prev = w
	} else if v, ok := ex.v.SpaceValue(id, vname); ok {
		prev = v.Value
	}
	if ex.spaceWrites == nil {
		ex.spaceWrites = map[engine.ID]map[string]string{}
	}
	if ex.spaceWrites[id] == nil {
		ex.spaceWrites[id] = map[string]string{}
	}
	ex.spaceWrites[id][vname] = value
	ex.order = append(ex.order, engine.WriteRecord{Kind: "Space", ID: id, Name: vname, Previous: prev, New: value})
	ex.call(name, args, "", nil)
	return goja.Undefined()
}

// MaxLogLines bounds log lines per execution; MaxLogLine one line's length.
const (
	MaxLogLines = 200
	MaxLogLine  = 4096
)

func (m *vm) fnLog(c goja.FunctionCall) goja.Value {
	ex := m.ex_()
	parts := make([]string, len(c.Arguments))
	for i, a := range c.Arguments {
		parts[i] = jsString(a)
	}
	line := strings.Join(parts, " ")
	if len(line) > MaxLogLine {
		line = line[:MaxLogLine] + "…"
	}
	if len(ex.rec.Logs) < MaxLogLines {
		ex.rec.Logs = append(ex.rec.Logs, line)
	}
	return goja.Undefined()
}

func (m *vm) fnSendNotification(c goja.FunctionCall) goja.Value {
	return m.notifyAs("sendNotification", c.Argument(0).String(), c.Argument(1).String(), c.Argument(2), argStrings(c))
}

func (m *vm) notify(id, typ string, payload goja.Value) goja.Value {
	return m.notifyAs("Notify", id, typ, payload, []string{id, typ, jsString(payload)})
}

func (m *vm) notifyAs(name, ids, typ string, payload goja.Value, args []string) goja.Value {
	ex := m.ex_()
	id := m.parseID(name, args, ids)
	var ok bool
	var res string
	switch strings.ToLower(typ) {
	case "space":
		_, ok = ex.v.Space(id)
		typ, res = "Space", engine.ResSpace
	case "sensor":
		_, ok = ex.v.Sensor(id)
		typ, res = "Sensor", engine.ResSensor
	case "device":
		_, ok = ex.v.Device(id)
		typ, res = "Device", engine.ResDevice
	}
	if !ok {
		// The preview sent nothing when the type did not match the id.
		ex.call(name, args, "", fmt.Errorf("no %s with id %s: no notification sent", typ, id))
		return goja.Undefined()
	}
	if err := m.authorize(engine.ActionRead, res, id); err != nil {
		return m.fail(name, args, err)
	}
	p := jsString(payload)
	ex.rec.Notifications = append(ex.rec.Notifications, engine.UdfCustomData{TopologyObjectID: id.String(), ResourceType: typ,
		Payload: p, CorrelationID: ex.in.CorrelationID})
	ex.call(name, args, "", nil)
	return goja.Undefined()
}
