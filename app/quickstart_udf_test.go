package app_test

import (
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/twinstudio/twinstudio/engine"
)

// TestQuickstartUDFOverMQTT drives the quickstart (its availability UDF
// unmodified) over MQTT with motion and CO2 messages from a real paho
// client: the room's AvailableAndFresh value follows, and the busy room
// sends a UdfCustom notification out on twins/events/UdfCustom/{roomId}.
func TestQuickstartUDFOverMQTT(t *testing.T) {
	e := newEnv(t, "../examples/quickstart/provision.yaml")
	var room engine.ID
	e.a.Engine().View(func(v *engine.View) error {
		id, err := v.ResolveSpace("/Quickstart Building/Floor 1/Focus Room A1")
		room = id
		return err
	})
	var mu sync.Mutex
	var notes []engine.UdfCustomData
	if err := e.a.Broker().Subscribe("twins/events/UdfCustom/"+room.String(), 7, func(topic string, payload []byte) {
		var ev struct {
			EventType string               `json:"eventType"`
			Data      engine.UdfCustomData `json:"data"`
		}
		if json.Unmarshal(payload, &ev) == nil && ev.EventType == engine.EventUdfCustom {
			mu.Lock()
			notes = append(notes, ev.Data)
			mu.Unlock()
		}
	}); err != nil {
		t.Fatal(err)
	}
	c := e.connect3("quickstart-pi", devHW, e.key)
	defer c.Disconnect(0)
	room3 := func(want string) {
		t.Helper()
		eventually(t, 3*time.Second, func() bool {
			var got string
			e.a.Engine().View(func(v *engine.View) error {
				val, _ := v.SpaceValue(room, "AvailableAndFresh")
				got = val.Value
				return nil
			})
			return got == want
		}, func() string { return "AvailableAndFresh is not " + want })
	}
	steps := []struct {
		topic, payload, want string
	}{
		{"devices/1234567890AB/messages/events/DigitalTwins-SensorHardwareId=SAMPLE_SENSOR_MOTION&DigitalTwins-Telemetry=1.0", `{"SensorValue":"false"}`, ""},
		{"devices/1234567890AB/messages/events/DigitalTwins-SensorHardwareId=SAMPLE_SENSOR_CARBONDIOXIDE&DigitalTwins-Telemetry=1.0", `{"SensorValue":"812"}`, "Room is available and air is fresh"},
		{"devices/1234567890AB/sensors/SAMPLE_SENSOR_MOTION", `{"SensorValue":"true"}`, "Room is not available or air quality is poor"},
		{"devices/1234567890AB/sensors/SAMPLE_SENSOR_MOTION", `{"SensorValue":"false"}`, "Room is available and air is fresh"},
		{"devices/1234567890AB/sensors/SAMPLE_SENSOR_CARBONDIOXIDE", `{"SensorValue":"1450"}`, "Room is not available or air quality is poor"},
	}
	for _, s := range steps {
		if err := publish3(t, c, s.topic, 1, s.payload); err != nil {
			t.Fatal(err)
		}
		if s.want != "" {
			room3(s.want)
		}
	}
	eventually(t, 3*time.Second, func() bool { mu.Lock(); defer mu.Unlock(); return len(notes) >= 2 },
		func() string { return "fewer than 2 UdfCustom events for the room" })
	mu.Lock()
	defer mu.Unlock()
	for _, n := range notes {
		if n.TopologyObjectID != room.String() || n.ResourceType != "Space" || n.Payload != `"Room is not available or air quality is poor"` {
			t.Errorf("notification %+v", n)
		}
	}
}
