// library.js exercises every function of the UDF client library (docs/udf.md)
// against the quickstart project. The Go test runs it as a UDF on the
// motion sensor with the message {"SensorValue":"true"} after setting CO2
// to 800; any failed check throws and fails the execution.

function check(cond, what) {
    if (!cond) {
        throw new Error("check failed: " + what);
    }
}

function process(telemetry, executionContext) {
    // executionContext and telemetry
    check(typeof executionContext.UserDefinedFunctionId === "string", "UserDefinedFunctionId");
    check(executionContext.EnqueuedTime.length > 0 && executionContext.ProcessorReceivedTime.length > 0, "times");
    check(executionContext.CorrelationId !== undefined, "CorrelationId");
    check(JSON.parse(telemetry.Message).SensorValue === "true", "Message");

    // metadata, PascalCase and camelCase
    var sensor = getSensorMetadata(telemetry.SensorId);
    check(sensor.Id === telemetry.SensorId && sensor.id === sensor.Id, "sensor Id/id");
    check(sensor.DataType === "Motion" && sensor.dataType === "Motion", "sensor DataType");
    check(sensor.HardwareId === "SAMPLE_SENSOR_MOTION", "sensor HardwareId");
    var device = getDeviceMetadata(sensor.DeviceId);
    check(device.HardwareId === "1234567890AB" && device.hardwareId === device.HardwareId, "device");
    check(device.Name === "Raspberry Pi 3 A1", "device Name");
    var room = getSpaceMetadata(sensor.SpaceId);
    check(room.Name === "Focus Room A1" && room.Type === "Room" && room.Subtype === "FocusRoom", "space");
    check(room.subtype === "FocusRoom" && room.typeId === room.TypeId, "space camelCase");

    // navigation functions and methods
    check(getSensorParentSpace(sensor.Id).Id === room.Id, "getSensorParentSpace");
    check(getDeviceParentSpace(device.Id).Id === room.Id, "getDeviceParentSpace");
    check(getSensorParentDevice(sensor.Id).Id === device.Id, "getSensorParentDevice");
    var floor = getSpaceParentSpace(room.Id);
    check(floor.Name === "Floor 1", "getSpaceParentSpace");
    check(room.Parent().Id === floor.Id, "space.Parent()");
    check(getSpaceChildSpaces(floor.Id).length === 3 && floor.ChildSpaces().length === 3, "child spaces");
    check(getSpaceChildSensors(room.Id).length === 2 && room.ChildSensors().length === 2, "child sensors");
    check(getSpaceChildDevices(room.Id).length === 1 && room.ChildDevices()[0].Id === device.Id, "child devices");
    check(getDeviceChildSensors(device.Id).length === 2 && device.ChildSensors().length === 2, "device sensors");
    check(device.Parent().Id === room.Id, "device.Parent()");
    check(sensor.Space().Id === room.Id && sensor.Device().Id === device.Id, "sensor.Space()/Device()");

    // values and history
    var co2 = null;
    room.ChildSensors().forEach(function (s) { if (s.DataType === "CarbonDioxide") { co2 = s; } });
    check(getSensorValue(co2.Id, "CarbonDioxide").Value === "800", "getSensorValue");
    check(co2.Value().Value === "800" && co2.Value().value === "800", "sensor.Value()");
    check(typeof co2.Value().CreatedTime === "string", "CreatedTime");
    check(getSensorHistoryValues(co2.Id, "CarbonDioxide").length >= 1 && co2.History().length >= 1, "sensor history");
    check(getSpaceValue(room.Id, "Missing") === null, "missing space value is null");

    // writes are read back within the execution
    setSensorValue(sensor.Id, "Motion", "true");
    check(getSensorValue(sensor.Id, "Motion").Value === "true" && sensor.Value().Value === "true", "own sensor write");
    setSpaceValue(room.Id, "Occupied", true);
    check(getSpaceValue(room.Id, "Occupied").Value === "true" && room.Value("Occupied").Value === "true", "own space write");
    check(getSpaceHistoryValues(room.Id, "Occupied").length === 1 && room.History("Occupied").length === 1, "space history");

    // extended properties
    var addr = getSpaceExtendedProperty(room.Parent().Parent().Id, "Address");
    check(addr === null || typeof addr.Value === "string", "getSpaceExtendedProperty");
    check(getSensorExtendedProperty(sensor.Id, "Nope") === null, "getSensorExtendedProperty");
    check(getDeviceExtendedProperty(device.Id, "Nope") === null, "getDeviceExtendedProperty");
    check(room.ExtendedProperty("Nope") === null && sensor.ExtendedProperty("Nope") === null && device.ExtendedProperty("Nope") === null, "ExtendedProperty()");

    // notifications and log
    sendNotification(room.Id, "Space", JSON.stringify({ msg: "hello" }));
    room.Notify("space note");
    sensor.Notify("sensor note");
    device.Notify("device note");
    sendNotification(room.Id, "Sensor", "type mismatch: not sent");
    log("library checks passed", 42);

    // errors are thrown for bad ids
    var threw = false;
    try { getSpaceMetadata("not-an-id"); } catch (e) { threw = true; }
    check(threw, "bad id throws");
}
