package goja_test

import (
	"strings"
	"testing"

	js "github.com/dop251/goja"

	"github.com/twinstudio/twinstudio/engine"
)

// plainJSON is JSON.stringify of a plain object with the metadata
// properties of object id (kind k) set one by one, in the order
// engine.KindDesc.Meta gives them: what the library's objects must look
// like.
func plainJSON(t *testing.T, e *engine.Engine, k engine.Kind, id engine.ID) string {
	t.Helper()
	rt := js.New()
	obj := rt.NewObject()
	e.View(func(v *engine.View) error {
		var o engine.Object
		switch k {
		case engine.KindSpace:
			o, _ = v.Space(id)
		case engine.KindSensor:
			o, _ = v.Sensor(id)
		case engine.KindDevice:
			o, _ = v.Device(id)
		}
		engine.Describe(k).Meta(v, o, func(name string, val any) { obj.Set(name, val) })
		return nil
	})
	stringify, _ := js.AssertFunction(rt.Get("JSON").ToObject(rt).Get("stringify"))
	s, err := stringify(js.Undefined(), obj)
	if err != nil {
		t.Fatal(err)
	}
	return s.String()
}

// TestLibraryObjectsArePlain: the library's metadata and value objects,
// built lazily, look to a script like plain objects with the fields in
// field order: JSON.stringify and Object.keys give what a plain object of
// the same fields gives, reads are stable, assignment, added properties
// and delete behave as on a plain object, and the camelCase aliases and
// methods are there.
func TestLibraryObjectsArePlain(t *testing.T) {
	s := newScopedUDF(t)
	var device engine.ID
	s.a.Engine().View(func(v *engine.View) error {
		m, _ := v.Sensor(s.motion)
		device = m.DeviceID
		return nil
	})
	rec := s.run(t, `
var sensor = getSensorMetadata(MOTION), room = getSpaceMetadata(ROOM), device = getSensorParentDevice(MOTION);
log(JSON.stringify(sensor)); log(JSON.stringify(room)); log(JSON.stringify(device));
log(Object.keys(sensor).join(","));
var forIn = []; for (var k in room) forIn.push(k); log(forIn.join(","));
function check(ok, what) { if (!ok) throw new Error(what); }
check(sensor.Id === MOTION && sensor.id === sensor.Id && sensor.dataType === "Motion", "aliases");
check(sensor.Space().Id === ROOM && room.ChildDevices().length === 1, "methods");
check(sensor.hasOwnProperty("SpaceId") && !sensor.hasOwnProperty("spaceId") && "spaceId" in sensor, "own properties");
check(sensor.Properties === sensor.Properties, "stable reads");
sensor.Id = "changed"; check(sensor.Id === "changed" && sensor.id === "changed", "assignment");
sensor.spaceId = "alias"; check(sensor.SpaceId === ROOM, "an alias has no setter");
sensor.Extra = 1; sensor.Another = 2;
delete sensor.Name; check(!("Name" in sensor) && sensor.Name === undefined, "delete");
sensor.Name = "back";
log(Object.keys(sensor).slice(-3).join(","));
setSensorValue(MOTION, "Motion", "true"); var v = getSensorValue(MOTION);
log(Object.keys(v).join(","));
check(typeof v.CreatedTime === "string" && v.createdTime === v.CreatedTime && !isNaN(Date.parse(v.CreatedTime)), "CreatedTime");
check(JSON.parse(JSON.stringify(v)).DataType === "Motion", "value JSON");
log(JSON.stringify(telemetry)); log(Object.keys(executionContext).join(","));
check(executionContext.EnqueuedTime === executionContext.ProcessorReceivedTime && Date.parse(executionContext.EnqueuedTime) > 0, "times");
executionContext.EnqueuedTime = "x"; check(executionContext.EnqueuedTime === "x" && executionContext.ProcessorReceivedTime !== "x", "own times");
check(Object.getPrototypeOf(telemetry) === Object.prototype, "telemetry's prototype");
function throwsTypeError(f) { try { f(); } catch (e) { return e instanceof TypeError; } return false; }
check(throwsTypeError(function () { Object.freeze(room); }) && throwsTypeError(function () { Object.seal(v); }), "freeze and seal throw");
check(throwsTypeError(function () { Object.defineProperty(room, "Name", {get: function () { return 1; }}); }), "an accessor throws");
check(throwsTypeError(function () { Object.defineProperty(room, "Name", {value: 1, writable: false, enumerable: true, configurable: true}); }), "read-only throws");
Object.defineProperty(room, "Name", {value: "defined", writable: true, enumerable: true, configurable: true});
check(room.Name === "defined", "a plain data property can be defined");
`)
	if rec.Outcome != engine.OutcomeOK {
		t.Fatalf("%s: %s at line %d\n%s", rec.Outcome, rec.Error, rec.Line, rec.Stack)
	}
	want := []string{
		plainJSON(t, s.a.Engine(), engine.KindSensor, s.motion),
		plainJSON(t, s.a.Engine(), engine.KindSpace, s.room),
		plainJSON(t, s.a.Engine(), engine.KindDevice, device),
		strings.Join(engine.Describe(engine.KindSensor).MetaNames(), ","),
		// for-in walks the fields, then the prototype's methods and aliases.
		strings.Join(engine.Describe(engine.KindSpace).MetaNames(), ",") + ",Parent,ChildSpaces,",
		"Extra,Another,Name",
		"Value,CreatedTime,DataType",
		`{"SensorId":"` + s.motion.String() + `","Message":"{\"SensorValue\":\"true\"}"}`,
		"UserDefinedFunctionId,EnqueuedTime,ProcessorReceivedTime,CorrelationId",
	}
	if len(rec.Logs) != len(want) {
		t.Fatalf("logs %q", rec.Logs)
	}
	for i, w := range want {
		if rec.Logs[i] != w && !(i == 4 && strings.HasPrefix(rec.Logs[i], w)) {
			t.Errorf("log %d:\n got %s\nwant %s", i, rec.Logs[i], w)
		}
	}
}
