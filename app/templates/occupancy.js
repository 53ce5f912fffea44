// Occupancy: marks the room a motion sensor is in as occupied or
// available, the pattern of the 2018 preview's samples.
//
// Bind it to a matcher that selects motion sensors (for example one with
// the condition Sensor  $.dataType  Equals  "Motion"). For each reading it
//   1. keeps the reading as the sensor's current value,
//   2. writes the room's "Availability" space value: "Occupied" while
//      someone moves there, "Available" otherwise.
// The UDF needs a role assignment (SpaceAdministrator, say) on the rooms
// it writes to; without one its calls are refused as "Not Authorized".

const MOTION = "Motion";          // the data type this function handles
const RESULT = "Availability";    // the space value it writes
const OCCUPIED = "Occupied";
const AVAILABLE = "Available";

// reading returns the value a message carries, as a string: a bare
// number, boolean or string, {"SensorValue": …} or {"value": …}; null when
// there is none. Devices send all of these forms.
function reading(message) {
    var v;
    try {
        v = JSON.parse(message);
    } catch (e) {
        return message.trim() === "" ? null : message.trim(); // a bare string
    }
    if (v !== null && typeof v === "object") {
        v = v.SensorValue !== undefined ? v.SensorValue : v.value;
    }
    if (v === undefined || v === null || typeof v === "object") {
        return null;
    }
    return String(v);
}

// process is the entry point: it runs once per matched message.
function process(telemetry, executionContext) {
    var sensor = getSensorMetadata(telemetry.SensorId);
    if (sensor.DataType !== MOTION) {
        log("occupancy: ignoring a " + sensor.DataType + " reading");
        return;
    }
    var value = reading(telemetry.Message);
    if (value === null) {
        log("occupancy: no value in " + telemetry.Message);
        return;
    }
    // Reads later in this execution see this write (writes apply together
    // when process returns).
    setSensorValue(telemetry.SensorId, sensor.DataType, value);

    var someoneThere = value.toLowerCase() === "true";
    var room = sensor.Space();
    setSpaceValue(room.Id, RESULT, someoneThere ? OCCUPIED : AVAILABLE);
    log("occupancy: " + room.Name + " is " + (someoneThere ? OCCUPIED : AVAILABLE));
}
