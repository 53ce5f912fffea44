// Aggregate to the parent space: averages the readings of the sensors of
// the same data type in the reading's space, and writes the average to
// the parent space as "Average<DataType>" (a room's temperatures become
// its floor's "AverageTemperature").
//
// Bind it to a matcher that selects numeric sensors (for example
// Sensor  $.dataType  Equals  "Temperature"). The UDF needs a role
// assignment covering the spaces it reads and writes; without one its
// calls are refused as "Not Authorized".

const PREFIX = "Average"; // the parent's value is PREFIX + the data type
const DIGITS = 2;         // decimals kept in the average

// reading returns the number a message carries: a bare number,
// {"SensorValue": …} or {"value": …}; NaN when there is none.
function reading(message) {
    var v;
    try {
        v = JSON.parse(message);
    } catch (e) {
        return NaN;
    }
    if (v !== null && typeof v === "object") {
        v = v.SensorValue !== undefined ? v.SensorValue : v.value;
    }
    return parseFloat(v);
}

// currentNumber returns a sensor's current value as a number, or NaN.
function currentNumber(sensor) {
    var v = getSensorValue(sensor.Id);
    return v === null || v === undefined ? NaN : parseFloat(v.Value);
}

function process(telemetry, executionContext) {
    var value = reading(telemetry.Message);
    if (isNaN(value)) {
        log("aggregate: no number in " + telemetry.Message);
        return;
    }
    var sensor = getSensorMetadata(telemetry.SensorId);
    // Keep the reading first: the average below reads it back.
    setSensorValue(telemetry.SensorId, sensor.DataType, value);

    var space = getSpaceMetadata(sensor.SpaceId);
    var parent = getSpaceParentSpace(space.Id);
    if (!parent) {
        log("aggregate: " + space.Name + " has no parent space");
        return;
    }
    var sum = 0, count = 0;
    var sensors = getSpaceChildSensors(space.Id);
    for (var i = 0; i < sensors.length; i++) {
        if (sensors[i].DataType !== sensor.DataType) {
            continue;
        }
        var n = currentNumber(sensors[i]);
        if (!isNaN(n)) { // sensors without a value yet do not count
            sum += n;
            count++;
        }
    }
    var average = Number((sum / count).toFixed(DIGITS));
    setSpaceValue(parent.Id, PREFIX + sensor.DataType, average);
    log("aggregate: " + count + " " + sensor.DataType + " sensors in " + space.Name + " average " + average);
}
