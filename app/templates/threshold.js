// Threshold alert: when a sensor's reading goes above THRESHOLD, sets the
// room's "Alert" space value and sends a notification (a UdfCustom event
// with a JSON payload); when it drops back, clears the alert.
//
// Bind it to a matcher that selects the sensors to watch (for example
// Sensor  $.dataType  Equals  "CarbonDioxide"). The UDF needs a role
// assignment on the rooms it writes to; without one its calls are refused
// as "Not Authorized".

const THRESHOLD = 1000;   // alert above this value (ppm for CarbonDioxide)
const ALERT = "Alert";    // the space value it writes
const CLEAR = "OK";       // the alert's value while the reading is fine

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
    return parseFloat(v); // "812" and 812 alike; NaN for anything else
}

function process(telemetry, executionContext) {
    var value = reading(telemetry.Message);
    if (isNaN(value)) {
        log("threshold: no number in " + telemetry.Message);
        return;
    }
    var sensor = getSensorMetadata(telemetry.SensorId);
    setSensorValue(telemetry.SensorId, sensor.DataType, value);

    var room = sensor.Space();
    // The alert as it was before this reading (null if never set): only a
    // reading that crosses the threshold notifies, not every one above it.
    var before = getSpaceValue(room.Id, ALERT);
    var wasAlert = before !== null && before.Value !== undefined && before.Value !== CLEAR;

    if (value > THRESHOLD) {
        var text = sensor.DataType + " " + value + " is above " + THRESHOLD;
        setSpaceValue(room.Id, ALERT, text);
        if (!wasAlert) {
            // The payload is JSON text; listeners get it in the event.
            sendNotification(telemetry.SensorId, "Sensor", JSON.stringify({
                alert: text,
                space: room.Name,
                dataType: sensor.DataType,
                value: value,
                threshold: THRESHOLD
            }));
        }
    } else if (wasAlert) {
        setSpaceValue(room.Id, ALERT, CLEAR);
        log("threshold: " + room.Name + " is back below " + THRESHOLD);
    }
}
