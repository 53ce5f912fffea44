package engine

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Telemetry topics (docs/mqtt.md).
const (
	// TopicPrefix starts every device topic: devices/{hardwareId}/…
	TopicPrefix = "devices/"
	// EventTopicPrefix starts every event topic: twins/events/{type}/{id}.
	EventTopicPrefix = "twins/events/"

	PropSensorHardwareID = "DigitalTwins-SensorHardwareId"
	PropTelemetry        = "DigitalTwins-Telemetry"
	PropCreationTimeUtc  = "CreationTimeUtc"
	PropClientRequestID  = "x-ms-client-request-id"
	PropCorrelationID    = "CorrelationId"

	// MaxPayload is the largest accepted payload (256 KiB).
	MaxPayload = 256 << 10
)

// Rejection reasons, as counted and shown.
var (
	ErrUnknownSensor  = errors.New("unknown sensor")
	ErrUnknownDevice  = errors.New("unknown device")
	ErrNotAllowed     = errors.New("not allowed")
	ErrOversize       = errors.New("oversize")
	ErrBadPropertyBag = errors.New("bad property bag")
	ErrBadTopic       = errors.New("bad topic")
)

// Topic is a parsed telemetry topic.
type Topic struct {
	DeviceHardwareID string
	SensorHardwareID string            // "" if the property bag did not name it
	Properties       map[string]string // the IoT Hub property bag, decoded
}

// ParseTopic parses a device telemetry topic:
//
//	devices/{deviceHardwareId}/messages/events/{propertyBag}
//	devices/{deviceHardwareId}/sensors/{sensorHardwareId}
//
// The property bag is URL-encoded (k=v&k2=v2) and may be empty; its
// DigitalTwins-SensorHardwareId names the sensor. Errors wrap ErrBadTopic or
// ErrBadPropertyBag.
func ParseTopic(topic string) (Topic, error) {
	rest, ok := strings.CutPrefix(topic, TopicPrefix)
	if !ok {
		return Topic{}, fmt.Errorf("%w: %q does not start with %s", ErrBadTopic, short(topic), TopicPrefix)
	}
	dev, rest, ok := strings.Cut(rest, "/")
	if !ok || dev == "" {
		return Topic{}, fmt.Errorf("%w: %q has no device hardwareId", ErrBadTopic, short(topic))
	}
	t := Topic{DeviceHardwareID: dev}
	switch {
	case strings.HasPrefix(rest, "sensors/"):
		s := strings.TrimPrefix(rest, "sensors/")
		if s == "" || strings.Contains(s, "/") {
			return Topic{}, fmt.Errorf("%w: %q: want devices/{device}/sensors/{sensor}", ErrBadTopic, short(topic))
		}
		t.SensorHardwareID = s
		return t, nil
	case rest == "messages/events" || strings.HasPrefix(rest, "messages/events/"):
		bag := strings.TrimPrefix(strings.TrimPrefix(rest, "messages/events"), "/")
		props, err := ParsePropertyBag(bag)
		if err != nil {
			return Topic{}, err
		}
		t.Properties = props
		t.SensorHardwareID = props[PropSensorHardwareID]
		return t, nil
	}
	return Topic{}, fmt.Errorf("%w: %q: want devices/{device}/messages/events/{properties} or devices/{device}/sensors/{sensor}", ErrBadTopic, short(topic))
}

// ParsePropertyBag decodes an IoT Hub property bag: URL-encoded k=v pairs
// joined by &. Keys compare case-insensitively with the known property
// names and are returned in their canonical spelling; other keys are kept
// as given. Errors wrap ErrBadPropertyBag.
func ParsePropertyBag(bag string) (map[string]string, error) {
	props := map[string]string{}
	if bag == "" {
		return props, nil
	}
	for _, pair := range strings.Split(bag, "&") {
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		key, err := url.QueryUnescape(k)
		if err != nil || key == "" {
			return nil, fmt.Errorf("%w: key %q", ErrBadPropertyBag, short(k))
		}
		val, err := url.QueryUnescape(v)
		if err != nil {
			return nil, fmt.Errorf("%w: value of %s", ErrBadPropertyBag, short(key))
		}
		props[CanonicalProperty(key)] = val
	}
	return props, nil
}

// CanonicalProperty returns the canonical spelling of a known message
// property name (matched case-insensitively), or name unchanged.
func CanonicalProperty(name string) string {
	for _, k := range []string{PropSensorHardwareID, PropTelemetry, PropCreationTimeUtc, PropClientRequestID, PropCorrelationID} {
		if strings.EqualFold(k, name) {
			return k
		}
	}
	return name
}

// ParseCreationTime parses CreationTimeUtc (ISO 8601).
func ParseCreationTime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.9999999", "2006-01-02T15:04:05.9999999Z07:00"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%w: %s %q is not ISO 8601", ErrBadPropertyBag, PropCreationTimeUtc, short(s))
}

// ValueFromPayload extracts a sensor value from a payload by this rule: a
// bare number, boolean or string, or a JSON object with a "value" or
// "SensorValue" field (a number, boolean or string). It returns false
// when the payload carries no value in that sense (an array, null, a nested
// object, binary data, or text over one line or 1 KiB).
func ValueFromPayload(p []byte) (string, bool) {
	p = bytes.TrimSpace(p)
	if len(p) == 0 {
		return "", false
	}
	switch p[0] {
	case '{':
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(p, &obj); err != nil {
			return "", false
		}
		raw, ok := obj["value"]
		if !ok {
			raw, ok = obj["SensorValue"]
		}
		if !ok {
			return "", false
		}
		return scalar(raw)
	case '[':
		return "", false
	}
	if json.Valid(p) {
		return scalar(p)
	}
	if len(p) > 1024 || !utf8.Valid(p) || bytes.ContainsAny(p, "\n\r\x00") {
		return "", false
	}
	return string(p), true
}

func scalar(raw []byte) (string, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "", false
	}
	switch raw[0] {
	case '"':
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return "", false
		}
		return s, true
	case 't', 'f':
		var b bool
		if json.Unmarshal(raw, &b) != nil {
			return "", false
		}
		return strconv.FormatBool(b), true
	case 'n', '{', '[':
		return "", false
	}
	var n json.Number
	if json.Unmarshal(raw, &n) != nil {
		return "", false
	}
	return n.String(), true
}

func short(s string) string {
	if len(s) > 80 {
		return s[:77] + "..."
	}
	return s
}
