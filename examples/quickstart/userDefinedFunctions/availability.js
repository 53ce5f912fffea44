// availability.js — decides whether the room a reading comes from is free
// and has fresh air, and records the answer as the room's
// "AvailableAndFresh" space value.
//
// It runs for every message that matches "Matcher Motion A1" or
// "Matcher CarbonDioxide A1". A device sends {"SensorValue": "..."}.

var MOTION = "Motion";
var CO2 = "CarbonDioxide";
var RESULT = "AvailableAndFresh";
var CO2_LIMIT = 1000.0; // ppm: above this the air counts as stale

var FREE_AND_FRESH = "Room is available and air is fresh";
var BUSY_OR_STALE = "Room is not available or air quality is poor";

// firstOfType returns the first sensor in list whose DataType is dataType.
function firstOfType(list, dataType) {
    for (var i = 0; i < list.length; i++) {
        if (list[i].DataType === dataType) {
            return list[i];
        }
    }
    return null;
}

// currentValue returns a sensor's current value as a string, or null.
function currentValue(sensor) {
    if (!sensor) {
        return null;
    }
    var v = sensor.Value();
    if (!v || v.Value === undefined || v.Value === null || v.Value === "") {
        return null;
    }
    return String(v.Value);
}

function process(telemetry, executionContext) {
    try {
        log("availability: sensor " + telemetry.SensorId + " sent " + telemetry.Message);

        // Keep the reading as the sensor's current value.
        var sensor = getSensorMetadata(telemetry.SensorId);
        var reading = JSON.parse(telemetry.Message);
        setSensorValue(telemetry.SensorId, sensor.DataType, reading.SensorValue);

        // Look at the room the sensor is in, and at its other sensors.
        var room = sensor.Space();
        var sensors = room.ChildSensors();
        var motionText = currentValue(firstOfType(sensors, MOTION));
        var co2Text = currentValue(firstOfType(sensors, CO2));

        var co2 = co2Text === null ? null : parseFloat(co2Text);
        if (motionText === null || co2 === null || isNaN(co2)) {
            sendNotification(telemetry.SensorId, "Sensor",
                "Error: carbon dioxide or motion has no value yet; nothing decided");
            return;
        }
        var someoneThere = motionText.toLowerCase() === "true";

        if (co2 < CO2_LIMIT && !someoneThere) {
            log("availability: " + room.Name + ": free, CO2 " + co2);
            setSpaceValue(room.Id, RESULT, FREE_AND_FRESH);
        } else {
            log("availability: " + room.Name + ": taken or stale air, CO2 " + co2 + ", motion " + motionText);
            setSpaceValue(room.Id, RESULT, BUSY_OR_STALE);
            // Tell whoever listens (a UdfCustom event on the room).
            room.Notify(JSON.stringify(BUSY_OR_STALE));
        }
    } catch (e) {
        log("availability: failed: " + e);
    }
}
