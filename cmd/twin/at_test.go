package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestGetQueryAt reads recorded's values as they were at moments between
// its writes with get and query, in tables and JSON.
func TestGetQueryAt(t *testing.T) {
	_, project := recorded(t)
	const room = "/Quickstart Building/Floor 1/Focus Room A1"
	tests := []struct {
		name       string
		args       []string
		want, nope []string // substrings of stdout that must and must not be there
	}{
		{"sensor between writes", []string{"get", "SAMPLE_SENSOR_MOTION", "--at", "2026-03-02T08:15:00Z"},
			[]string{"value:", "false  (2026-03-02T08:10:00Z)"}, []string{"true"}},
		{"no zone is UTC", []string{"get", "SAMPLE_SENSOR_MOTION", "--at", "2026-03-02T08:05"},
			[]string{"true  (2026-03-02T08:00:00Z)"}, nil},
		{"an offset", []string{"get", "SAMPLE_SENSOR_MOTION", "--at", "2026-03-02T09:12:00+01:00"},
			[]string{"false  (2026-03-02T08:10:00Z)"}, nil},
		{"before any value", []string{"get", "SAMPLE_SENSOR_MOTION", "--at", "2026-03-01"},
			[]string{"value:", "-"}, []string{"2026-03-02"}},
		{"space", []string{"get", room, "--at", "2026-03-02T08:12:00Z"},
			[]string{"value AvailableAndFresh:", "(2026-03-02T08:10:00Z)"}, []string{"08:20"}},
		{"device's sensors", []string{"get", "1234567890AB", "--at", "2026-03-02T07:56:00Z"},
			[]string{"CarbonDioxide = 600", "Motion = -"}, nil},
		{"query sensors", []string{"query", "--kind", "sensors", "--data-types", "Motion", "--at", "2026-03-02T08:11:00Z"},
			[]string{"SAMPLE_SENSOR_MOTION  Motion    false"}, []string{"true"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{tc.args[0], "--project", project}, tc.args[1:]...)
			out, stderr, code := twin(t, args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("no %q in:\n%s", w, out)
				}
			}
			for _, w := range tc.nope {
				if strings.Contains(out, w) {
					t.Errorf("%q in:\n%s", w, out)
				}
			}
			if !strings.Contains(stderr, "as they were at") {
				t.Errorf("no note of the moment on stderr: %q", stderr)
			}
		})
	}
}

// TestGetQueryAtJSON: -o json carries the values of the moment.
func TestGetQueryAtJSON(t *testing.T) {
	_, project := recorded(t)
	out, stderr, code := twin(t, "get", "--project", project, "SAMPLE_SENSOR_MOTION", "--at", "2026-03-02T08:15:00Z", "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var s struct {
		Value struct{ Value, Timestamp string }
	}
	if err := json.Unmarshal([]byte(out), &s); err != nil || s.Value.Value != "false" || s.Value.Timestamp != "2026-03-02T08:10:00Z" {
		t.Errorf("get -o json: %v %+v\n%s", err, s, out)
	}
	out, stderr, code = twin(t, "query", "--project", project, "--kind", "sensors", "--at", "2026-03-02T07:59:00Z", "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var list []struct {
		HardwareID string
		Value      *struct{ Value string }
	}
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, s := range list {
		switch {
		case s.HardwareID == "SAMPLE_SENSOR_CARBONDIOXIDE" && (s.Value == nil || s.Value.Value != "600"):
			t.Errorf("CO₂ at 07:59: %+v", s.Value)
		case s.HardwareID == "SAMPLE_SENSOR_MOTION" && s.Value != nil:
			t.Errorf("motion at 07:59, before its first value: %+v", s.Value)
		}
		if strings.HasPrefix(s.HardwareID, "SAMPLE_SENSOR_") {
			seen++
		}
	}
	if seen < 2 {
		t.Errorf("the sensors are missing:\n%s", out)
	}
	if _, stderr, code := twin(t, "get", "--project", project, "SAMPLE_SENSOR_MOTION", "--at", "yesterday"); code == 0 || !strings.Contains(stderr, `--at "yesterday"`) {
		t.Errorf("a bad --at: exit %d, %q", code, stderr)
	}
}
