package testkit

import (
	"net/url"

	"github.com/twinstudio/twinstudio/engine"
)

// Hardware ids of the quickstart's Raspberry Pi and its sensors, which
// both Quickstart (examples/quickstart) and the Ingress snippet provision.
const (
	QuickstartDevice   = "1234567890AB"
	QuickstartMotion   = "SAMPLE_SENSOR_MOTION"
	QuickstartCO2      = "SAMPLE_SENSOR_CARBONDIOXIDE"
	QuickstartRoom     = "/Quickstart Building/Floor 1/Focus Room A1"
	IngressOtherDevice = "OTHERDEVICE01"
	IngressOtherSensor = "OTHER_SENSOR_TEMPERATURE"
)

// Snippet is a provisioning YAML fixture.
type Snippet struct {
	Name string
	YAML string
	// Scripts are the UDF script files it refers to: path relative to the
	// YAML's folder → JavaScript.
	Scripts map[string]string
	// Err, for a snippet that must be refused, is a piece of the one-line
	// error; "" for a snippet that provisions.
	Err string
}

// Ingress is the telemetry tests' project: the quickstart's Raspberry Pi
// with its motion and carbon dioxide sensors, and a second device foreign
// to it, without matchers or UDFs, so that a message's value is set by the
// payload rule alone (a bare scalar, or the "value" or "SensorValue" field
// of a JSON object).
var Ingress = Snippet{Name: "ingress", YAML: `- name: Quickstart Building
  type: Venue
  spaces:
  - name: Floor 1
    type: Floor
    spaces:
    - name: Area A
      type: Area
      devices:
      - name: Other Device
        hardwareId: OTHERDEVICE01
        sensors:
        - dataType: Temperature
          hardwareId: OTHER_SENSOR_TEMPERATURE
    - name: Focus Room A1
      type: Room
      subType: FocusRoom
      devices:
      - name: Raspberry Pi 3 A1
        hardwareId: 1234567890AB
        sensors:
        - dataType: Motion
          hardwareId: SAMPLE_SENSOR_MOTION
        - dataType: CarbonDioxide
          hardwareId: SAMPLE_SENSOR_CARBONDIOXIDE
`}

// Snippets is the catalogue of provisioning fixtures: the ones with an
// empty Err provision into an empty project; the others are refused, and
// the project stays as it was.
var Snippets = []Snippet{
	Ingress,
	{Name: "one space", YAML: "- name: Building\n  type: Venue\n"},
	{Name: "matcher and udf", YAML: `- name: Building
  type: Venue
  devices:
  - name: Pi
    hardwareId: PI01
    sensors:
    - dataType: Temperature
      hardwareId: PI01_TEMP
  matchers:
  - name: Temperature
    dataTypeValue: Temperature
  userdefinedfunctions:
  - name: Copy
    matcherNames: [Temperature]
    script: copy.js
`, Scripts: map[string]string{"copy.js": `function process(telemetry, executionContext) {
    var sensor = getSensorMetadata(telemetry.SensorId);
    setSpaceValue(sensor.Space().Id, "Temperature", JSON.parse(telemetry.Message).SensorValue);
}
`}},
	{Name: "unknown key", YAML: "- name: Building\n  colour: blue\n", Err: "colour"},
	{Name: "nameless space", YAML: "- type: Venue\n", Err: "name"},
	{Name: "not a list", YAML: "name: Building\n", Err: ":1:"},
	{Name: "missing script", YAML: `- name: Building
  userdefinedfunctions:
  - name: Gone
    script: gone.js
`, Err: "gone.js"},
}

// Message is a telemetry message fixture.
type Message struct {
	Name    string
	Device  string // the device's hardware id, also the MQTT user name
	Sensor  string // the sensor's hardware id
	Payload string
	// Value is the sensor's value after the message is accepted; Reject,
	// for a message that is refused, is a piece of the rejection error.
	Value  string
	Reject string
	// Events sends it on the IoT Hub topic devices/{id}/messages/events/
	// with the sensor in the property bag instead of devices/{id}/sensors/{sensor}.
	Events bool
}

// Topic is the MQTT topic the message is published on.
func (m Message) Topic() string {
	if m.Events {
		return "devices/" + m.Device + "/messages/events/" +
			url.Values{"DigitalTwins-SensorHardwareId": {m.Sensor}, "DigitalTwins-Telemetry": {"1.0"}}.Encode()
	}
	return engine.SensorTopic(m.Device, m.Sensor)
}

// Messages is the catalogue of telemetry fixtures for the Ingress and
// Quickstart projects, in an order that can be sent one after the other.
var Messages = []Message{
	{Name: "SensorValue object", Device: QuickstartDevice, Sensor: QuickstartCO2, Payload: `{"SensorValue":"812"}`, Value: "812"},
	{Name: "value object", Device: QuickstartDevice, Sensor: QuickstartCO2, Payload: `{"value":640}`, Value: "640"},
	{Name: "bare number", Device: QuickstartDevice, Sensor: QuickstartCO2, Payload: "701.5", Value: "701.5"},
	{Name: "bare boolean", Device: QuickstartDevice, Sensor: QuickstartMotion, Payload: "true", Value: "true"},
	{Name: "events topic", Device: QuickstartDevice, Sensor: QuickstartMotion, Payload: `{"SensorValue":"false"}`, Value: "false", Events: true},
	{Name: "unknown sensor", Device: QuickstartDevice, Sensor: "NOPE", Payload: "1", Reject: "unknown sensor"},
	{Name: "unknown device", Device: "NODEVICE", Sensor: QuickstartCO2, Payload: "1", Reject: "unknown device"},
}
