package engine

// SensorTopic is the shorthand telemetry topic on which device hardware id
// device publishes the readings of its sensor hardware id sensor:
//
//	devices/{device}/sensors/{sensor}
//
// ParseTopic reads it back. It does not check the ids; a hardware id
// holding '/' makes a topic ParseTopic refuses.
func SensorTopic(device, sensor string) string {
	return TopicPrefix + device + "/sensors/" + sensor
}
