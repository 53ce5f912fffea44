package app

import (
	"strconv"
	"strings"
)

// SampleValue is a plausible reading, as a bare value, for a sensor of
// data type dataType (case-insensitive): "21.5" for a Temperature, "true"
// for a Motion sensor, "1" for a type it does not know.
func SampleValue(dataType string) string {
	switch strings.ToLower(dataType) {
	case "temperature":
		return "21.5"
	case "carbondioxide":
		return "812"
	case "humidity":
		return "45"
	case "motion", "occupancy":
		return "true"
	case "light":
		return "350"
	case "power":
		return "1.2"
	case "stateofcharge":
		return "64"
	case "sound":
		return "42"
	}
	return "1"
}

// SamplePayload is SampleValue in the payload form the example projects'
// user-defined functions read, as the 2018 preview's samples sent it:
// {"SensorValue":"812"}. The engine takes a sensor's value from this form
// too (docs/mqtt.md). The studio's publish panel and its copied
// mosquitto_pub command send it.
func SamplePayload(dataType string) string {
	return `{"SensorValue":` + strconv.Quote(SampleValue(dataType)) + `}`
}
