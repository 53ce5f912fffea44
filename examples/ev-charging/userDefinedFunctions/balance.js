// balance.js — shares the site's grid connection between the EV chargers.
//
// Attached at the site to "Matcher Power", it runs for every Power
// reading but acts only on the site meter's (EV-SITE-POWER, kW): it
// rescales the per-charger limit, the car park's "ChargerLimitKW" space
// value, so that the chargers together draw the grid limit:
//
//   limit' = clamp(limit · GRID_LIMIT_KW / site, MIN_KW, CHARGER_MAX_KW)
//
// When every charging car draws the limit, site = n · limit and the new
// limit is GRID_LIMIT_KW / n, the equal share. A car that arrives raises
// the site's draw above the limit for one reading until the next one
// corrects it. The simulator (policy: udf) reads ChargerLimitKW every step.

var SITE_METER = "EV-SITE-POWER";
var VALUE = "ChargerLimitKW";
var GRID_LIMIT_KW = 44.0;   // the site's connection
var CHARGER_MAX_KW = 11.0;  // one charger's maximum
var MIN_KW = 1.4;           // below this a car would not charge

// reading is the number a message carries: a bare number ("17.5"), or
// {"SensorValue": "17.5"} as the studio's samples send it, or
// {"value": 17.5}; NaN for anything else.
function reading(message) {
    var n = parseFloat(message);
    if (!isNaN(n)) {
        return n;
    }
    try {
        var o = JSON.parse(message);
        if (o !== null && typeof o === "object") {
            return parseFloat(o.SensorValue !== undefined ? o.SensorValue : o.value);
        }
    } catch (e) {
        // not JSON
    }
    return NaN;
}

function process(telemetry, executionContext) {
    var sensor = getSensorMetadata(telemetry.SensorId);
    if (sensor.HardwareId !== SITE_METER) {
        return; // a charger's own reading
    }
    var site = reading(telemetry.Message);
    if (isNaN(site)) {
        log("balance: not a number: " + telemetry.Message);
        return;
    }
    var park = sensor.Space();
    var limit = CHARGER_MAX_KW;
    var current = getSpaceValue(park.Id, VALUE);
    if (current && !isNaN(parseFloat(current.Value))) {
        limit = parseFloat(current.Value);
    }
    var next = CHARGER_MAX_KW;
    if (site > 0.01) {
        next = limit * GRID_LIMIT_KW / site;
    }
    next = Math.max(MIN_KW, Math.min(CHARGER_MAX_KW, next));
    next = Math.floor(next * 100) / 100; // down: n · limit stays within the grid limit
    if (next !== limit || !current) {
        setSpaceValue(park.Id, VALUE, String(next));
    }
    if (site > GRID_LIMIT_KW * 1.001) {
        park.Notify(JSON.stringify("Grid limit exceeded: " + site + " kW"));
    }
}
