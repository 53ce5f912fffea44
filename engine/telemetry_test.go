package engine_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/twinstudio/twinstudio/engine"
)

func TestParseTopic(t *testing.T) {
	cases := []struct {
		topic, dev, sensor string
		props              map[string]string
		err                error
	}{
		{"devices/PI/sensors/S1", "PI", "S1", nil, nil},
		{"devices/PI/messages/events/DigitalTwins-SensorHardwareId=S%201&DigitalTwins-Telemetry=1.0", "PI", "S 1",
			map[string]string{"DigitalTwins-SensorHardwareId": "S 1", "DigitalTwins-Telemetry": "1.0"}, nil},
		{"devices/PI/messages/events/digitaltwins-sensorhardwareid=S2&$.ct=application%2Fjson", "PI", "S2",
			map[string]string{"DigitalTwins-SensorHardwareId": "S2", "$.ct": "application/json"}, nil},
		{"devices/PI/messages/events/", "PI", "", map[string]string{}, nil},
		{"devices/PI/messages/events", "PI", "", map[string]string{}, nil},
		{"devices/PI/messages/events/CreationTimeUtc=2026-01-01T00%3A00%3A00Z&x-ms-client-request-id=abc&DigitalTwins-SensorHardwareId=M", "PI", "M",
			map[string]string{"CreationTimeUtc": "2026-01-01T00:00:00Z", "x-ms-client-request-id": "abc", "DigitalTwins-SensorHardwareId": "M"}, nil},
		{"devices/PI/messages/events/a=%zz", "", "", nil, engine.ErrBadPropertyBag},
		{"devices/PI/sensors/", "", "", nil, engine.ErrBadTopic},
		{"devices/PI/sensors/a/b", "", "", nil, engine.ErrBadTopic},
		{"devices//sensors/a", "", "", nil, engine.ErrBadTopic},
		{"twins/events/x", "", "", nil, engine.ErrBadTopic},
		{"devices/PI/other", "", "", nil, engine.ErrBadTopic},
	}
	for _, c := range cases {
		got, err := engine.ParseTopic(c.topic)
		if c.err != nil {
			if !errors.Is(err, c.err) {
				t.Errorf("%s: err %v, want %v", c.topic, err, c.err)
			}
			continue
		}
		if err != nil || got.DeviceHardwareID != c.dev || got.SensorHardwareID != c.sensor {
			t.Errorf("%s: got %+v, %v", c.topic, got, err)
			continue
		}
		if c.props != nil {
			for k, v := range c.props {
				if got.Properties[k] != v {
					t.Errorf("%s: property %s = %q, want %q", c.topic, k, got.Properties[k], v)
				}
			}
			if len(got.Properties) != len(c.props) {
				t.Errorf("%s: properties %v", c.topic, got.Properties)
			}
		}
	}
}

func TestValueFromPayload(t *testing.T) {
	cases := []struct {
		payload string
		want    string
		ok      bool
	}{
		{"21.5", "21.5", true},
		{" 1e3 ", "1e3", true},
		{"true", "true", true},
		{"false", "false", true},
		{`"occupied"`, "occupied", true},
		{"occupied", "occupied", true},
		{`{"SensorValue":"800"}`, "800", true},
		{`{"value": 412.5, "unit": "ppm"}`, "412.5", true},
		{`{"value": true}`, "true", true},
		{`{"value": {"x": 1}}`, "", false},
		{`{"value": null}`, "", false},
		{`{"other": 1}`, "", false},
		{`[1,2]`, "", false},
		{"null", "", false},
		{"", "", false},
		{"two\nlines", "", false},
		{"\xff\xfe", "", false},
		{"{broken", "", false},
		{strings.Repeat("x", 2000), "", false},
	}
	for _, c := range cases {
		got, ok := engine.ValueFromPayload([]byte(c.payload))
		if got != c.want || ok != c.ok {
			t.Errorf("%q: got %q %v, want %q %v", c.payload, got, ok, c.want, c.ok)
		}
	}
}

func FuzzParseTopic(f *testing.F) {
	for _, s := range []string{"devices/PI/sensors/S1", "devices/PI/messages/events/DigitalTwins-SensorHardwareId=S%201&a=b", "devices/x/messages/events/%", "devices//"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, topic string) {
		tp, err := engine.ParseTopic(topic)
		if err != nil {
			if !errors.Is(err, engine.ErrBadTopic) && !errors.Is(err, engine.ErrBadPropertyBag) {
				t.Fatalf("unexpected error kind: %v", err)
			}
			return
		}
		if tp.DeviceHardwareID == "" || strings.Contains(tp.DeviceHardwareID, "/") {
			t.Fatalf("device %q from %q", tp.DeviceHardwareID, topic)
		}
	})
}

func FuzzValueFromPayload(f *testing.F) {
	for _, s := range []string{"21.5", `{"SensorValue":"800"}`, `{"value":true}`, "text", `[1]`, "\x00"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, p []byte) {
		v, ok := engine.ValueFromPayload(p)
		if !ok && v != "" {
			t.Fatalf("value %q without ok", v)
		}
	})
}
