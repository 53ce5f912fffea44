package ui

import (
	"fmt"
	"net"
	"strings"

	"github.com/twinstudio/twinstudio/app"
	"github.com/twinstudio/twinstudio/engine"
)

// connection is what a real device needs to publish to the studio's
// broker as one of the project's devices (docs/mqtt.md).
type connection struct {
	Host, Port string
	HardwareID string // the MQTT user name (and a good client id)
	Key        string // the MQTT password
	// Sensors are the device's sensors: their hardware ids and a sample
	// payload for their data type.
	Sensors []connSensor
}

// connSensor is one sensor of a Connection.
type connSensor struct {
	HardwareID, DataType, Sample string
}

// deviceConnection returns the connection of device id for a broker
// listening on addr ("" when the broker is off: the default address is
// shown), and false when there is no such device.
func deviceConnection(e *engine.Engine, id engine.ID, addr string) (connection, bool) {
	if addr == "" {
		addr = defaultBrokerAddr
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		host, port = addr, "1883"
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	var c connection
	found := false
	_ = e.View(func(v *engine.View) error {
		d, ok := v.Device(id)
		if !ok {
			return nil
		}
		found = true
		c = connection{Host: host, Port: port, HardwareID: d.HardwareID, Key: d.Key}
		for _, s := range v.DeviceSensors(id) {
			dt := v.TypeName(s.DataTypeID)
			c.Sensors = append(c.Sensors, connSensor{HardwareID: s.HardwareID, DataType: dt, Sample: app.SamplePayload(dt)})
		}
		return nil
	})
	return c, found
}

// topic is the shorthand topic for sensor hw.
func (c connection) topic(sensor string) string {
	return engine.SensorTopic(c.HardwareID, sensor)
}

// settings is the connection as text, for the clipboard.
func (c connection) settings() string {
	var b strings.Builder
	fmt.Fprintf(&b, "MQTT broker: %s:%s (MQTT 3.1.1 or 5, no TLS)\n", c.Host, c.Port)
	fmt.Fprintf(&b, "Client id:   %s\n", c.HardwareID)
	fmt.Fprintf(&b, "User name:   %s\n", c.HardwareID)
	fmt.Fprintf(&b, "Password:    %s\n", c.Key)
	if len(c.Sensors) == 0 {
		b.WriteString("Topics:      (the device has no sensors yet)\n")
	}
	for i, s := range c.Sensors {
		label := "             "
		if i == 0 {
			label = "Topics:      "
		}
		fmt.Fprintf(&b, "%s%s   (%s)\n", label, c.topic(s.HardwareID), orNone(s.DataType))
	}
	b.WriteString("Payload:     {\"SensorValue\": \"…\"} (what the example UDFs read; a bare number, true/false or {\"value\": …} also sets the value)\n")
	return b.String()
}

// mosquittoPub is a mosquitto_pub command that publishes a sample reading
// for the device's first sensor (or a sensor placeholder when it has
// none).
func (c connection) mosquittoPub() string {
	sensor, sample := "SENSOR_HARDWARE_ID", app.SamplePayload("")
	if len(c.Sensors) > 0 {
		sensor, sample = c.Sensors[0].HardwareID, c.Sensors[0].Sample
	}
	return fmt.Sprintf("mosquitto_pub -h %s -p %s -i %s -u %s -P %s -q 1 -t %s -m %s",
		c.Host, c.Port, shellQuote(c.HardwareID), shellQuote(c.HardwareID), shellQuote(c.Key),
		shellQuote(c.topic(sensor)), shellQuote(sample))
}

func orNone(s string) string {
	if s == "" {
		return "None"
	}
	return s
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	safe := s != ""
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:=,+@%", r)) {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
