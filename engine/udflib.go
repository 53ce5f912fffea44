package engine

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// UDFContext is one user-defined function execution's view of the graph:
// the client library of the preview (getSpaceMetadata, setSpaceValue,
// sendNotification, …) with its meaning. A UDFRuntime turns script calls
// into calls of these methods and their results back into script objects;
// it adds no semantics of its own.
//
// Every method:
//   - looks up under the UDF's own identity: an object outside the UDF's
//     role assignments is refused with ErrNotAuthorized (text "Not
//     Authorized"), which also makes the execution's outcome
//     OutcomeNotAuthorized if it otherwise succeeds; a write
//     (setSpaceValue, setSensorValue: the value name is the sensor's data
//     type) outside a value limit of the UDF's roles is refused the same
//     way, with an error naming the role and the limit
//     (View.AuthorizeValue);
//   - reports an unknown object as ErrDataNotFound ("Data Not Found: space
//     <id>"), and an id that does not parse as an error naming it;
//   - sees the execution's own writes (read-your-own-writes): a value set
//     earlier in the execution is what a later read returns;
//   - appends a LibCall to the execution record (see Named).
//
// Reads take the engine's read lock for the call only, so a long execution
// does not hold writers up. Objects handed out are immutable snapshots. If
// the topology (Engine.Generation) moves while an execution runs, the
// engine runs it again, so that the record is always of an execution that
// saw one topology; values are read as they are at each call.
//
// Writes and notifications are collected, not applied: the engine applies
// them after the execution, and only if it succeeded (ExecutionRecord.OK).
//
// A UDFContext belongs to one execution and is not safe for concurrent use.
type UDFContext struct {
	e      *Engine
	udf    *UDF
	in     ExecInput
	rec    *ExecutionRecord
	p      Principal
	gen    uint64 // topology generation the execution started at
	stale  bool   // the topology moved during the execution
	locked bool   // the caller holds the engine's read lock throughout

	refused  bool
	limitErr error // the first call over an output limit
	finished bool
	label    string
	args     []string
	labelSet bool

	// Authorization within the execution (see authorize).
	grants  []grant
	granted bool
	decided []decision
	inline  [4]decision // decided's first array: most executions check a few objects

	writes []WriteRecord // in order; read back by written
	notes  []UdfCustomData
}

// written returns the value this execution last wrote to the sensor
// (kind "Sensor", name "") or space value (kind "Space") id, name. An
// execution writes a few values, so a scan beats a map.
func (x *UDFContext) written(kind string, id ID, name string) (string, bool) {
	for i := len(x.writes) - 1; i >= 0; i-- {
		w := &x.writes[i]
		if w.ID == id && w.Kind == kind && (kind == "Sensor" || w.Name == name) {
			return w.New, true
		}
	}
	return "", false
}

// ErrDataNotFound is the library's error for an unknown object.
var ErrDataNotFound = errors.New("Data Not Found")

// Output limits of one execution: the defaults. A UDF may set its own
// (UDF.ValueSizeLimit, …), each up to its ceiling (CeilUDFValue, …); see
// UDF.OutputLimits. A call over a limit fails the execution (whether or
// not the script catches the call's error) with an error naming the call
// and the limit; the execution applies nothing.
const (
	MaxUDFLogLines      = 200      // log lines per execution
	MaxUDFLogLine       = 4096     // bytes per log line
	MaxUDFValue         = 4096     // bytes per value written (setSensorValue, setSpaceValue)
	MaxUDFWrites        = 100      // values written per execution
	MaxUDFNotification  = 64 << 10 // bytes per notification payload
	MaxUDFNotifications = 20       // notifications per execution
)

// Ceilings of a UDF's own output limits. Provisioning refuses a larger
// limit; UDF.OutputLimits cuts one (from a project file written by hand)
// to its ceiling. At every ceiling one execution still keeps at most
// 1,000 writes of 64 KiB, 100 notifications of 1 MiB and 1,000 log lines
// of 16 KiB: 64 MiB, 100 MiB and 16 MiB.
const (
	CeilUDFLogLines      = 1000     // log lines per execution
	CeilUDFLogLine       = 16 << 10 // bytes per log line
	CeilUDFValue         = 64 << 10 // bytes per value written
	CeilUDFWrites        = 1000     // values written per execution
	CeilUDFNotification  = 1 << 20  // bytes per notification payload
	CeilUDFNotifications = 100      // notifications per execution
)

// UDFOutputLimits are the output limits of one execution.
type UDFOutputLimits struct {
	ValueSize        int // bytes per value written
	Writes           int // values written
	NotificationSize int // bytes per notification payload
	Notifications    int // notifications sent
	LogLineSize      int // bytes per log line
	LogLines         int // log lines
}

// OutputLimits returns u's output limits: each of u's own (a field such
// as ValueSizeLimit, more than 0) cut to its ceiling, the default
// (MaxUDFValue, …) where u has none. u may be nil (all defaults).
func (u *UDF) OutputLimits() UDFOutputLimits {
	l := UDFOutputLimits{MaxUDFValue, MaxUDFWrites, MaxUDFNotification, MaxUDFNotifications, MaxUDFLogLine, MaxUDFLogLines}
	if u == nil {
		return l
	}
	own := func(dst *int, v, ceil int) {
		if v > 0 {
			*dst = min(v, ceil)
		}
	}
	own(&l.ValueSize, u.ValueSizeLimit, CeilUDFValue)
	own(&l.Writes, u.WriteLimit, CeilUDFWrites)
	own(&l.NotificationSize, u.NotificationSizeLimit, CeilUDFNotification)
	own(&l.Notifications, u.NotificationLimit, CeilUDFNotifications)
	own(&l.LogLineSize, u.LogLineSizeLimit, CeilUDFLogLine)
	own(&l.LogLines, u.LogLineLimit, CeilUDFLogLines)
	return l
}

// ErrUDFLimit is the error of a library call over one of the output
// limits (UDF.OutputLimits); the execution fails with it.
var ErrUDFLimit = errors.New("over the limit")

// overLimit records that a call went over a limit: the execution fails
// with that error, whatever the script does next.
func (x *UDFContext) overLimit(name string, args []string, what string, n, max int) error {
	err := fmt.Errorf("%s: %s (%d) is %w of %d", name, what, n, ErrUDFLimit, max)
	if x.limitErr == nil {
		x.limitErr = err
	}
	for i, a := range args { // keep the record small
		if len(a) > 256 {
			args[i] = a[:256] + "…"
		}
	}
	return x.fail(name, args, err)
}

// UDFSpace is a space as the UDF library hands it out: the snapshot and
// the names of its types.
type UDFSpace struct {
	*Space
	Type, Subtype, Status string
}

// TypeName names the space's own type ids (a TypeNamer for its metadata,
// KindDesc.Meta).
func (s *UDFSpace) TypeName(id int) string {
	switch id {
	case s.TypeID:
		return s.Type
	case s.SubtypeID:
		return s.Subtype
	case s.StatusID:
		return s.Status
	}
	return ""
}

// UDFDevice is a device as the UDF library hands it out.
type UDFDevice struct {
	*Device
	Type, Subtype string
}

// TypeName names the device's own type ids (a TypeNamer for its metadata).
func (d *UDFDevice) TypeName(id int) string {
	switch id {
	case d.TypeID:
		return d.Type
	case d.SubtypeID:
		return d.Subtype
	}
	return ""
}

// UDFSensor is a sensor as the UDF library hands it out.
type UDFSensor struct {
	*Sensor
	Type, DataType, DataSubtype, DataUnitType, PortType string
}

// TypeName names the sensor's own type ids (a TypeNamer for its metadata).
func (s *UDFSensor) TypeName(id int) string {
	switch id {
	case s.TypeID:
		return s.Type
	case s.DataTypeID:
		return s.DataType
	case s.DataSubtypeID:
		return s.DataSubtype
	case s.DataUnitTypeID:
		return s.DataUnitType
	case s.PortTypeID:
		return s.PortType
	}
	return ""
}

// UDFValue is a value as the UDF library hands it out: a sensor's (DataType
// is the sensor's data type) or a space's (DataType is the value name).
type UDFValue struct {
	Value
	DataType string
}

func (e *Engine) newUDFContext(u *UDF, in ExecInput, gen uint64, locked bool) *UDFContext {
	rec := &ExecutionRecord{ID: NewID(), UDF: u.ID, UDFName: u.Name, Message: in.Message, Start: time.Now()}
	if in.Sensor != nil {
		rec.Sensor, rec.SensorHW = in.Sensor.ID, in.Sensor.HardwareID
	}
	return &UDFContext{e: e, udf: u, in: in, rec: rec, gen: gen, locked: locked,
		p: Principal{Type: ObjectUserDefinedFunctionID, ID: u.ID.String()}}
}

// UDF is the function being executed.
func (x *UDFContext) UDF() *UDF { return x.udf }

// Input is the execution's input.
func (x *UDFContext) Input() ExecInput { return x.in }

// Record is the execution's record. The runtime fills in the outcome, the
// error and its position; the library calls fill in the rest.
func (x *UDFContext) Record() *ExecutionRecord { return x.rec }

// Finish settles the record and returns it: an execution that succeeded
// but had a call refused becomes OutcomeNotAuthorized; one that may apply
// (ExecutionRecord.OK) gets its writes and notifications, any other none.
// The runtime calls it last in Execute; calling it again changes nothing.
func (x *UDFContext) Finish() *ExecutionRecord {
	if x.finished {
		return x.rec
	}
	x.finished = true
	r := x.rec
	if r.Duration == 0 {
		r.Duration = time.Since(r.Start)
	}
	if r.Outcome == "" {
		r.Outcome = OutcomeOK
	}
	if x.limitErr != nil {
		r.Outcome, r.Error, r.Line, r.Column = OutcomeFailed, x.limitErr.Error(), 0, 0
	}
	if r.Outcome == OutcomeOK && x.refused {
		r.Outcome = OutcomeNotAuthorized
	}
	if r.OK() {
		r.Writes, r.Notifications = x.writes, x.notes
	} else {
		r.Writes, r.Notifications = nil, nil
	}
	return r
}

// Named makes the next library call appear in the record under name with
// args, as the script wrote it (a runtime calls it when a method such as
// sensor.Value() stands for a library function). Without it a call is
// recorded under the library function's name and its arguments.
func (x *UDFContext) Named(name string, args []string) {
	x.label, x.args, x.labelSet = name, args, true
}

// call appends a library call to the record.
func (x *UDFContext) call(name string, args []string, result string, err error) {
	if x.labelSet {
		name, args = x.label, x.args
		x.labelSet = false
	}
	lc := LibCall{Name: name, Args: args, Result: result}
	if err != nil {
		lc.Err = err.Error()
	}
	if x.rec.Calls == nil {
		// Most scripts make a few calls: one allocation instead of three.
		x.rec.Calls = make([]LibCall, 0, 4)
	}
	x.rec.Calls = append(x.rec.Calls, lc)
}

// ErrBadValue is wrapped by the error of a write whose value is not a
// string, number or boolean (RefuseValue).
var ErrBadValue = errors.New("a string, number or boolean is required")

// RefuseValue records library call name (setSensorValue, setSpaceValue)
// as failed because the script passed a value that cannot be stored, and
// returns the error the runtime throws into the script: "setSpaceValue:
// value is undefined (a string, number or boolean is required)". what
// describes the value ("undefined", "NaN", "a function", "an object").
// Nothing is written. The error wraps ErrBadValue. Only the runtime
// executing x may call it.
func (x *UDFContext) RefuseValue(name string, args []string, what string) error {
	return x.fail(name, args, fmt.Errorf("%s: value is %s (%w)", name, what, ErrBadValue))
}

// fail records a refused or failed call and returns its error.
func (x *UDFContext) fail(name string, args []string, err error) error {
	x.call(name, args, "", err)
	if errors.Is(err, ErrNotAuthorized) {
		x.refused = true
	}
	return err
}

// read runs fn with a view of the graph under the read lock (unless the
// caller already holds it for the whole execution), noting a topology
// change since the execution started.
func (x *UDFContext) read(fn func(v *View)) {
	if x.locked {
		fn(&View{g: x.e.g})
		return
	}
	x.e.mu.RLock()
	if x.e.gen.Load() != x.gen {
		x.stale = true
	}
	fn(&View{g: x.e.g})
	x.e.mu.RUnlock()
}

// authorize decides whether the UDF may do action on res for id, as
// View.Authorize does. Within one execution the UDF's role assignments are
// resolved once and each decision is made once: the cache dies with the
// execution, and a topology change (which a role change is) makes the
// engine run the execution again with a new context.
func (x *UDFContext) authorize(v *View, action Action, res string, id ID) error {
	for i := range x.decided {
		if d := &x.decided[i]; d.id == id && d.action == action && d.res == res {
			if !d.ok {
				return ErrNotAuthorized
			}
			return nil
		}
	}
	if !x.granted {
		x.grants, x.granted = v.grantsOf(x.p), true
	}
	ok, err := v.allowedBy(x.grants, action, res, id)
	if err != nil {
		return ErrNotAuthorized
	}
	if x.decided == nil {
		x.decided = x.inline[:0]
	}
	if len(x.decided) < maxDecisions {
		x.decided = append(x.decided, decision{action: action, res: res, id: id, ok: ok})
	}
	if !ok {
		return ErrNotAuthorized
	}
	return nil
}

// authorizeValue decides a write of value to the value name of object id
// as View.AuthorizeValue does, for the UDF: Update on res through the
// execution's cached decisions, then the value limits of the UDF's
// grants. A refusal by a limit names the role and the limit.
func (x *UDFContext) authorizeValue(v *View, res string, id ID, name, value string) error {
	if err := x.authorize(v, ActionUpdate, res, id); err != nil {
		return err
	}
	limited := false
	for i := range x.grants {
		if x.grants[i].role.limit(name) != nil {
			limited = true
		}
	}
	if !limited {
		return nil
	}
	space, err := v.objectSpaceNode(id)
	if err != nil {
		return ErrNotAuthorized
	}
	return valueWithin(x.grants, res, space, name, value)
}

// maxDecisions bounds the authorization decisions one execution keeps: a
// script that walks the graph gets no slower than a scan of them.
const maxDecisions = 32

// decision is one authorization decision of an execution.
type decision struct {
	action Action
	res    string
	id     ID
	ok     bool
}

func parseLibID(s string) (ID, error) {
	id, err := ParseID(s)
	if err != nil {
		return NilID, fmt.Errorf("%q is not an id", s)
	}
	return id, nil
}

func notFound(kind string, id ID) error { return fmt.Errorf("%w: %s %s", ErrDataNotFound, kind, id) }

func udfSpace(v *View, s *Space) *UDFSpace {
	if s == nil {
		return nil
	}
	t := v.g.types
	return &UDFSpace{Space: s, Type: t.name(s.TypeID), Subtype: t.name(s.SubtypeID), Status: t.name(s.StatusID)}
}

func udfDevice(v *View, d *Device) *UDFDevice {
	if d == nil {
		return nil
	}
	t := v.g.types
	return &UDFDevice{Device: d, Type: t.name(d.TypeID), Subtype: t.name(d.SubtypeID)}
}

func udfSensor(v *View, s *Sensor) *UDFSensor {
	if s == nil {
		return nil
	}
	t := v.g.types
	return &UDFSensor{Sensor: s, Type: t.name(s.TypeID), DataType: t.name(s.DataTypeID), DataSubtype: t.name(s.DataSubtypeID),
		DataUnitType: t.name(s.DataUnitTypeID), PortType: t.name(s.PortTypeID)}
}

// ---- metadata ----

// lookup is the shape of the metadata calls: parse the id, find the
// object, check it may be read, build the result.
func lookup[T any](x *UDFContext, name, idText, kind, res string, find func(v *View, id ID) (*T, string, bool)) (*T, error) {
	args := []string{idText}
	id, err := parseLibID(idText)
	if err != nil {
		return nil, x.fail(name, args, err)
	}
	var out *T
	var label string
	var ok bool
	x.read(func(v *View) {
		if out, label, ok = find(v, id); !ok {
			err = notFound(kind, id)
		} else {
			err = x.authorize(v, ActionRead, res, id)
		}
	})
	if err != nil {
		return nil, x.fail(name, args, err)
	}
	x.call(name, args, label, nil)
	return out, nil
}

// GetSpaceMetadata returns space id.
func (x *UDFContext) GetSpaceMetadata(id string) (*UDFSpace, error) {
	return lookup(x, "getSpaceMetadata", id, "space", ResSpace, func(v *View, id ID) (*UDFSpace, string, bool) {
		s, ok := v.Space(id)
		if !ok {
			return nil, "", false
		}
		return udfSpace(v, s), s.Name, true
	})
}

// GetSensorMetadata returns sensor id.
func (x *UDFContext) GetSensorMetadata(id string) (*UDFSensor, error) {
	return lookup(x, "getSensorMetadata", id, "sensor", ResSensor, func(v *View, id ID) (*UDFSensor, string, bool) {
		s, ok := v.Sensor(id)
		if !ok {
			return nil, "", false
		}
		return udfSensor(v, s), s.HardwareID, true
	})
}

// GetDeviceMetadata returns device id.
func (x *UDFContext) GetDeviceMetadata(id string) (*UDFDevice, error) {
	return lookup(x, "getDeviceMetadata", id, "device", ResDevice, func(v *View, id ID) (*UDFDevice, string, bool) {
		d, ok := v.Device(id)
		if !ok {
			return nil, "", false
		}
		return udfDevice(v, d), d.HardwareID, true
	})
}

// ---- values ----

// GetSensorValue returns sensor id's current value (this execution's
// write, if it made one), or nil when it has none.
func (x *UDFContext) GetSensorValue(id string) (*UDFValue, error) {
	const name = "getSensorValue"
	args := []string{id}
	sid, err := parseLibID(id)
	if err != nil {
		return nil, x.fail(name, args, err)
	}
	var out *UDFValue
	x.read(func(v *View) {
		s, ok := v.Sensor(sid)
		if !ok {
			err = notFound("sensor", sid)
			return
		}
		if err = x.authorize(v, ActionRead, ResSensor, sid); err != nil {
			return
		}
		dt := v.TypeName(s.DataTypeID)
		if w, ok := x.written("Sensor", sid, ""); ok {
			out = &UDFValue{Value{Value: w, Time: x.in.ReceivedTime}, dt}
		} else if val, ok := v.SensorValue(sid); ok {
			out = &UDFValue{val, dt}
		}
	})
	if err != nil {
		return nil, x.fail(name, args, err)
	}
	x.call(name, args, valueResult(out), nil)
	return out, nil
}

func valueResult(v *UDFValue) string {
	if v == nil {
		return "null"
	}
	return v.Value.Value
}

// GetSpaceValue returns space id's current value valueName (this
// execution's write, if it made one), or nil when it has none.
func (x *UDFContext) GetSpaceValue(id, valueName string) (*UDFValue, error) {
	const name = "getSpaceValue"
	args := []string{id, valueName}
	sid, err := parseLibID(id)
	if err != nil {
		return nil, x.fail(name, args, err)
	}
	var out *UDFValue
	x.read(func(v *View) {
		if _, ok := v.Space(sid); !ok {
			err = notFound("space", sid)
			return
		}
		if err = x.authorize(v, ActionRead, ResSpace, sid); err != nil {
			return
		}
		if w, ok := x.written("Space", sid, valueName); ok {
			out = &UDFValue{Value{Value: w, Time: x.in.ReceivedTime}, valueName}
		} else if val, ok := v.SpaceValue(sid, valueName); ok {
			out = &UDFValue{val, valueName}
		}
	})
	if err != nil {
		return nil, x.fail(name, args, err)
	}
	x.call(name, args, valueResult(out), nil)
	return out, nil
}

// GetSensorHistoryValues returns sensor id's recent values held in memory,
// oldest first, ending with this execution's write if it made one.
func (x *UDFContext) GetSensorHistoryValues(id string) ([]UDFValue, error) {
	const name = "getSensorHistoryValues"
	args := []string{id}
	sid, err := parseLibID(id)
	if err != nil {
		return nil, x.fail(name, args, err)
	}
	var out []UDFValue
	x.read(func(v *View) {
		s, ok := v.Sensor(sid)
		if !ok {
			err = notFound("sensor", sid)
			return
		}
		if err = x.authorize(v, ActionRead, ResSensor, sid); err != nil {
			return
		}
		dt := v.TypeName(s.DataTypeID)
		for _, h := range v.SensorHistory(sid) {
			out = append(out, UDFValue{h, dt})
		}
		if w, ok := x.written("Sensor", sid, ""); ok {
			out = append(out, UDFValue{Value{Value: w, Time: x.in.ReceivedTime}, dt})
		}
	})
	if err != nil {
		return nil, x.fail(name, args, err)
	}
	x.call(name, args, fmt.Sprintf("%d values", len(out)), nil)
	return out, nil
}

// GetSpaceHistoryValues returns the recent history of space id's value
// valueName, oldest first, ending with this execution's write if it made
// one.
func (x *UDFContext) GetSpaceHistoryValues(id, valueName string) ([]UDFValue, error) {
	const name = "getSpaceHistoryValues"
	args := []string{id, valueName}
	sid, err := parseLibID(id)
	if err != nil {
		return nil, x.fail(name, args, err)
	}
	var out []UDFValue
	x.read(func(v *View) {
		if _, ok := v.Space(sid); !ok {
			err = notFound("space", sid)
			return
		}
		if err = x.authorize(v, ActionRead, ResSpace, sid); err != nil {
			return
		}
		for _, h := range v.SpaceHistory(sid, valueName) {
			out = append(out, UDFValue{h, valueName})
		}
		if w, ok := x.written("Space", sid, valueName); ok {
			out = append(out, UDFValue{Value{Value: w, Time: x.in.ReceivedTime}, valueName})
		}
	})
	if err != nil {
		return nil, x.fail(name, args, err)
	}
	x.call(name, args, fmt.Sprintf("%d values", len(out)), nil)
	return out, nil
}

// ---- navigation ----

// children is the shape of the child-list calls: the parent must exist and
// its children (resource res) may be read.
func children[T any](x *UDFContext, name, idText, parentKind, res, what string, exists func(v *View, id ID) bool,
	list func(v *View, id ID) []T) ([]T, error) {
	args := []string{idText}
	id, err := parseLibID(idText)
	if err != nil {
		return nil, x.fail(name, args, err)
	}
	var out []T
	x.read(func(v *View) {
		if !exists(v, id) {
			err = notFound(parentKind, id)
			return
		}
		if err = x.authorize(v, ActionRead, res, id); err != nil {
			return
		}
		out = list(v, id)
	})
	if err != nil {
		return nil, x.fail(name, args, err)
	}
	x.call(name, args, fmt.Sprintf("%d %s", len(out), what), nil)
	return out, nil
}

func spaceExists(v *View, id ID) bool  { _, ok := v.Space(id); return ok }
func deviceExists(v *View, id ID) bool { _, ok := v.Device(id); return ok }

// GetSpaceChildSpaces returns the child spaces of space id.
func (x *UDFContext) GetSpaceChildSpaces(id string) ([]*UDFSpace, error) {
	return children(x, "getSpaceChildSpaces", id, "space", ResSpace, "spaces", spaceExists, func(v *View, id ID) (out []*UDFSpace) {
		for _, s := range v.ChildSpaces(id) {
			out = append(out, udfSpace(v, s))
		}
		return out
	})
}

// GetSpaceChildSensors returns the sensors of space id.
func (x *UDFContext) GetSpaceChildSensors(id string) ([]*UDFSensor, error) {
	return children(x, "getSpaceChildSensors", id, "space", ResSensor, "sensors", spaceExists, func(v *View, id ID) (out []*UDFSensor) {
		for _, s := range v.SpaceSensors(id) {
			out = append(out, udfSensor(v, s))
		}
		return out
	})
}

// GetSpaceChildDevices returns the devices of space id.
func (x *UDFContext) GetSpaceChildDevices(id string) ([]*UDFDevice, error) {
	return children(x, "getSpaceChildDevices", id, "space", ResDevice, "devices", spaceExists, func(v *View, id ID) (out []*UDFDevice) {
		for _, d := range v.SpaceDevices(id) {
			out = append(out, udfDevice(v, d))
		}
		return out
	})
}

// GetDeviceChildSensors returns the sensors of device id.
func (x *UDFContext) GetDeviceChildSensors(id string) ([]*UDFSensor, error) {
	return children(x, "getDeviceChildSensors", id, "device", ResSensor, "sensors", deviceExists, func(v *View, id ID) (out []*UDFSensor) {
		for _, s := range v.DeviceSensors(id) {
			out = append(out, udfSensor(v, s))
		}
		return out
	})
}

// parent is the shape of the parent calls: find the object, take its
// parent's id (none: a nil result), check the parent may be read.
func parent[T any](x *UDFContext, name, idText, kind, res string, parentOf func(v *View, id ID) (ID, bool),
	obj func(v *View, id ID) (*T, string)) (*T, error) {
	args := []string{idText}
	id, err := parseLibID(idText)
	if err != nil {
		return nil, x.fail(name, args, err)
	}
	var out *T
	label := "null"
	x.read(func(v *View) {
		pid, ok := parentOf(v, id)
		if !ok {
			err = notFound(kind, id)
			return
		}
		if pid.IsZero() {
			return
		}
		if err = x.authorize(v, ActionRead, res, pid); err != nil {
			return
		}
		out, label = obj(v, pid)
	})
	if err != nil {
		return nil, x.fail(name, args, err)
	}
	x.call(name, args, label, nil)
	return out, nil
}

func spaceOf(v *View, id ID) (*UDFSpace, string) {
	s, _ := v.Space(id)
	return udfSpace(v, s), s.Name
}

// GetSpaceParentSpace returns the parent of space id, or nil for a root.
func (x *UDFContext) GetSpaceParentSpace(id string) (*UDFSpace, error) {
	return parent(x, "getSpaceParentSpace", id, "space", ResSpace, func(v *View, id ID) (ID, bool) {
		s, ok := v.Space(id)
		if !ok {
			return NilID, false
		}
		return s.ParentID, true
	}, spaceOf)
}

// GetSensorParentSpace returns the space of sensor id.
func (x *UDFContext) GetSensorParentSpace(id string) (*UDFSpace, error) {
	return parent(x, "getSensorParentSpace", id, "sensor", ResSpace, func(v *View, id ID) (ID, bool) {
		s, ok := v.Sensor(id)
		if !ok {
			return NilID, false
		}
		return s.SpaceID, true
	}, spaceOf)
}

// GetDeviceParentSpace returns the space of device id.
func (x *UDFContext) GetDeviceParentSpace(id string) (*UDFSpace, error) {
	return parent(x, "getDeviceParentSpace", id, "device", ResSpace, func(v *View, id ID) (ID, bool) {
		d, ok := v.Device(id)
		if !ok {
			return NilID, false
		}
		return d.SpaceID, true
	}, spaceOf)
}

// GetSensorParentDevice returns the device of sensor id.
func (x *UDFContext) GetSensorParentDevice(id string) (*UDFDevice, error) {
	return parent(x, "getSensorParentDevice", id, "sensor", ResDevice, func(v *View, id ID) (ID, bool) {
		s, ok := v.Sensor(id)
		if !ok {
			return NilID, false
		}
		return s.DeviceID, true
	}, func(v *View, id ID) (*UDFDevice, string) {
		d, _ := v.Device(id)
		return udfDevice(v, d), d.HardwareID
	})
}

// GetExtendedProperty returns the extended property propName (matched
// without regard to case) of the space, sensor or device id (kind k), or
// nil when it has none.
func (x *UDFContext) GetExtendedProperty(k Kind, id, propName string) (*Property, error) {
	var name, res string
	switch k {
	case KindSpace:
		name, res = "getSpaceExtendedProperty", ResSpaceExtendedProperty
	case KindSensor:
		name, res = "getSensorExtendedProperty", ResSensorExtendedProperty
	case KindDevice:
		name, res = "getDeviceExtendedProperty", ResDeviceExtendedProperty
	default:
		return nil, fmt.Errorf("%w: extended properties of a %s", ErrInvalid, k)
	}
	args := []string{id, propName}
	oid, err := parseLibID(id)
	if err != nil {
		return nil, x.fail(name, args, err)
	}
	var out *Property
	x.read(func(v *View) {
		var props []Property
		found := false
		switch k {
		case KindSpace:
			if s, ok := v.Space(oid); ok {
				props, found = s.Properties, true
			}
		case KindSensor:
			if s, ok := v.Sensor(oid); ok {
				props, found = s.Properties, true
			}
		case KindDevice:
			if d, ok := v.Device(oid); ok {
				props, found = d.Properties, true
			}
		}
		if !found {
			err = notFound(k.String(), oid)
			return
		}
		if err = x.authorize(v, ActionRead, res, oid); err != nil {
			return
		}
		for i := range props {
			if strings.EqualFold(props[i].Name, propName) {
				p := props[i]
				out = &p
				return
			}
		}
	})
	if err != nil {
		return nil, x.fail(name, args, err)
	}
	res = "null"
	if out != nil {
		res = out.Value
	}
	x.call(name, args, res, nil)
	return out, nil
}

// ---- writes ----

// SetSensorValue sets sensor id's value; dataType must be the sensor's
// data type (matched without regard to case). Later reads in the execution
// see the value; the engine applies it if the execution succeeds.
func (x *UDFContext) SetSensorValue(id, dataType, value string) error {
	const name = "setSensorValue"
	args := []string{id, dataType, value}
	if err := x.checkWrite(name, args, value); err != nil {
		return err
	}
	sid, err := parseLibID(id)
	if err != nil {
		return x.fail(name, args, err)
	}
	var w WriteRecord
	x.read(func(v *View) {
		s, ok := v.Sensor(sid)
		if !ok {
			err = notFound("sensor", sid)
			return
		}
		dt := v.TypeName(s.DataTypeID)
		if err = x.authorizeValue(v, ResSensor, sid, dt, value); err != nil {
			return
		}
		if !strings.EqualFold(dt, dataType) {
			err = fmt.Errorf("sensor %s has data type %s, not %q", s.HardwareID, dt, dataType)
			return
		}
		w = WriteRecord{Kind: "Sensor", ID: sid, Name: dt, New: value}
		if prev, ok := x.written("Sensor", sid, ""); ok {
			w.Previous = prev
		} else if cur, ok := v.SensorValue(sid); ok {
			w.Previous = cur.Value
		}
	})
	if err != nil {
		return x.fail(name, args, err)
	}
	x.writes = append(x.writes, w)
	x.call(name, args, "", nil)
	return nil
}

// SetSpaceValue sets space id's value valueName. Later reads in the
// execution see the value; the engine applies it if the execution
// succeeds.
func (x *UDFContext) SetSpaceValue(id, valueName, value string) error {
	const name = "setSpaceValue"
	args := []string{id, valueName, value}
	if err := x.checkWrite(name, args, value); err != nil {
		return err
	}
	sid, err := parseLibID(id)
	if err != nil {
		return x.fail(name, args, err)
	}
	var w WriteRecord
	x.read(func(v *View) {
		if _, ok := v.Space(sid); !ok {
			err = notFound("space", sid)
			return
		}
		if valueName == "" {
			err = errors.New("setSpaceValue needs a value name")
			return
		}
		if err = CheckValueName(valueName); err != nil {
			return
		}
		if err = x.authorizeValue(v, ResSpace, sid, valueName, value); err != nil {
			return
		}
		w = WriteRecord{Kind: "Space", ID: sid, Name: valueName, New: value}
		if prev, ok := x.written("Space", sid, valueName); ok {
			w.Previous = prev
		} else if cur, ok := v.SpaceValue(sid, valueName); ok {
			w.Previous = cur.Value
		}
	})
	if err != nil {
		return x.fail(name, args, err)
	}
	x.writes = append(x.writes, w)
	x.call(name, args, "", nil)
	return nil
}

// Log appends a line to the record's log. A line longer than the UDF's
// log line size limit, or more lines than its log line limit (see
// UDF.OutputLimits), fail the execution (ErrUDFLimit).
func (x *UDFContext) Log(line string) error {
	l := x.udf.OutputLimits()
	if len(line) > l.LogLineSize {
		return x.overLimit("log", []string{line}, "line size in bytes", len(line), l.LogLineSize)
	}
	if len(x.rec.Logs) >= l.LogLines {
		return x.overLimit("log", []string{line}, "number of log lines", len(x.rec.Logs)+1, l.LogLines)
	}
	x.rec.Logs = append(x.rec.Logs, line)
	return nil
}

// checkWrite checks a write against the UDF's value size and write
// limits (UDF.OutputLimits).
func (x *UDFContext) checkWrite(name string, args []string, value string) error {
	l := x.udf.OutputLimits()
	if len(value) > l.ValueSize {
		return x.overLimit(name, args, "value size in bytes", len(value), l.ValueSize)
	}
	if len(x.writes) >= l.Writes {
		return x.overLimit(name, args, "number of writes", len(x.writes)+1, l.Writes)
	}
	return nil
}

// SendNotification sends a UdfCustom notification about the space, sensor
// or device id (objectType, matched without regard to case) with payload,
// if the execution succeeds. As in the preview, an id that is no object of
// that type sends nothing and is no error (the call's record says why).
func (x *UDFContext) SendNotification(id, objectType, payload string) error {
	const name = "sendNotification"
	args := []string{id, objectType, payload}
	l := x.udf.OutputLimits()
	if len(payload) > l.NotificationSize {
		return x.overLimit(name, args, "payload size in bytes", len(payload), l.NotificationSize)
	}
	if len(x.notes) >= l.Notifications {
		return x.overLimit(name, args, "number of notifications", len(x.notes)+1, l.Notifications)
	}
	oid, err := parseLibID(id)
	if err != nil {
		return x.fail(name, args, err)
	}
	var ok bool
	var res, typ string
	x.read(func(v *View) {
		switch strings.ToLower(objectType) {
		case "space":
			_, ok = v.Space(oid)
			typ, res = "Space", ResSpace
		case "sensor":
			_, ok = v.Sensor(oid)
			typ, res = "Sensor", ResSensor
		case "device":
			_, ok = v.Device(oid)
			typ, res = "Device", ResDevice
		}
		if ok {
			err = x.authorize(v, ActionRead, res, oid)
		}
	})
	if !ok {
		if typ == "" {
			typ = objectType
		}
		x.call(name, args, "", fmt.Errorf("no %s with id %s: no notification sent", typ, oid))
		return nil
	}
	if err != nil {
		return x.fail(name, args, err)
	}
	x.notes = append(x.notes, UdfCustomData{TopologyObjectID: oid.String(), ResourceType: typ, Payload: payload,
		CorrelationID: x.in.CorrelationID})
	x.call(name, args, "", nil)
	return nil
}
