package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/twinstudio/twinstudio/app"
	"github.com/twinstudio/twinstudio/engine"
)

// recorded provisions the quickstart and sends, through the pipeline,
// the Raspberry Pi's CO₂ sensor 600 at 07:55 and its motion sensor "true",
// "false", "true" at 08:00, 08:10 and 08:20 on 2 March 2026; the
// quickstart's UDF sets the room's AvailableAndFresh from them.
func recorded(t *testing.T) (dir, project string) {
	t.Helper()
	dir, project = provisioned(t)
	a, err := app.Open(project, app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	t0 := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	send := func(sensor, v string, at time.Time) {
		tk, err := a.Pipeline().Submit(&engine.IngressMessage{Topic: engine.SensorTopic("1234567890AB", sensor),
			Payload: []byte(`{"SensorValue": "` + v + `"}`), QoS: 1, Username: "1234567890AB", Received: at})
		if err == nil {
			err = tk.Wait()
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	send("SAMPLE_SENSOR_CARBONDIOXIDE", "600", t0.Add(-5*time.Minute))
	for i, v := range []string{"true", "false", "true"} {
		send("SAMPLE_SENSOR_MOTION", v, t0.Add(time.Duration(i)*10*time.Minute))
	}
	return dir, project
}

func TestHistory(t *testing.T) {
	_, project := recorded(t)
	const room = "/Quickstart Building/Floor 1/Focus Room A1"
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"all", []string{"SAMPLE_SENSOR_MOTION", "--no-headers"},
			"2026-03-02T08:00:00Z  true\n2026-03-02T08:10:00Z  false\n2026-03-02T08:20:00Z  true\n"},
		{"inclusive range", []string{"SAMPLE_SENSOR_MOTION", "--from", "2026-03-02T08:10:00Z", "--to", "2026-03-02T08:20:00Z", "--no-headers"},
			"2026-03-02T08:10:00Z  false\n2026-03-02T08:20:00Z  true\n"},
		{"open start, offset", []string{"SAMPLE_SENSOR_MOTION", "--to", "2026-03-02T09:10:00+01:00", "--no-headers"},
			"2026-03-02T08:00:00Z  true\n2026-03-02T08:10:00Z  false\n"},
		{"newest n", []string{"SAMPLE_SENSOR_MOTION", "-n", "1", "--no-headers"}, "2026-03-02T08:20:00Z  true\n"},
		{"-o table, the default", []string{"SAMPLE_SENSOR_MOTION", "-n", "1", "-o", "table"}, "TIME                  VALUE\n2026-03-02T08:20:00Z  true\n"},
		{"csv without headers", []string{"SAMPLE_SENSOR_MOTION", "-o", "csv", "--from", "2026-03-02T08:15:00Z", "--no-headers"}, "2026-03-02T08:20:00Z,true\n"},
		{"yaml", []string{"SAMPLE_SENSOR_MOTION", "-n", "1", "-o", "yaml"}, "- time: \"2026-03-02T08:20:00Z\"\n  value: \"true\"\n"},
		{"a date is the whole day", []string{"SAMPLE_SENSOR_MOTION", "--from", "2026-03-02", "--to", "2026-03-02", "-n", "2", "--no-headers"},
			"2026-03-02T08:10:00Z  false\n2026-03-02T08:20:00Z  true\n"},
		{"the day before", []string{"SAMPLE_SENSOR_MOTION", "--to", "2026-03-01", "--no-headers"}, ""},
		{"csv", []string{"SAMPLE_SENSOR_MOTION", "-o", "csv", "--from", "2026-03-02T08:15:00Z"},
			"time,value\n2026-03-02T08:20:00Z,true\n"},
		{"csv empty", []string{"SAMPLE_SENSOR_CARBONDIOXIDE", "-o", "csv", "--from", "2026-03-03"}, "time,value\n"},
		{"space value", []string{room, "--name", "AvailableAndFresh", "-n", "1", "--no-headers"}, "2026-03-02T08:20:00Z  Room is not available or air quality is poor\n"},
		{"another sensor", []string{"SAMPLE_SENSOR_CARBONDIOXIDE", "--no-headers"}, "2026-03-02T07:55:00Z  600\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, stderr, code := twin(t, append([]string{"history", "--project", project}, tc.args...)...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			if out != tc.want {
				t.Errorf("got %q, want %q", out, tc.want)
			}
		})
	}
}

func TestHistoryJSONByID(t *testing.T) {
	_, project := recorded(t)
	out, _, code := twin(t, "get", "--project", project, "SAMPLE_SENSOR_MOTION", "-o", "json")
	var doc struct{ ID string }
	if code != 0 || json.Unmarshal([]byte(out), &doc) != nil {
		t.Fatalf("get: %d %s", code, out)
	}
	out, stderr, code := twin(t, "history", "--project", project, doc.ID, "-o", "json", "--from", "2026-03-02T08:05:00Z")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var rows []struct {
		Time  time.Time
		Value string
	}
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	want := []string{"false", "true"}
	if len(rows) != 2 || rows[0].Value != want[0] || rows[1].Value != want[1] || !rows[1].Time.Equal(time.Date(2026, 3, 2, 8, 20, 0, 0, time.UTC)) {
		t.Errorf("rows %+v", rows)
	}
}

func TestHistoryErrors(t *testing.T) {
	dir, project := recorded(t)
	const room = "/Quickstart Building/Floor 1/Focus Room A1"
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"space without --name", []string{room}, 2, "pick a value with --name (its values: "},
		{"space without values", []string{"/Quickstart Building"}, 2, "(its values: none)"},
		{"unknown value", []string{room, "--name", "Nope"}, 1, `has no value "Nope"`},
		{"--name on a sensor", []string{"SAMPLE_SENSOR_MOTION", "--name", "x"}, 2, "--name is for space values"},
		{"a device", []string{"1234567890AB"}, 1, "is a device; name one of its sensors (SAMPLE_SENSOR_MOTION, SAMPLE_SENSOR_CARBONDIOXIDE)"},
		{"unknown", []string{"NOPE"}, 1, `"NOPE" is not a sensor hardwareId`},
		{"unknown id", []string{"01900000-0000-7000-8000-000000000001"}, 1, "no sensor or space has id"},
		{"unknown path", []string{"/Nope"}, 1, `no space "Nope"`},
		{"bad time", []string{"SAMPLE_SENSOR_MOTION", "--from", "yesterday"}, 2, `--from "yesterday": want an RFC 3339 time`},
		{"negative n", []string{"SAMPLE_SENSOR_MOTION", "-n", "-1"}, 2, "-n must be 0 or more"},
		{"no project", []string{"SAMPLE_SENSOR_MOTION", "--project", dir + "/none.twin"}, 1, "does not exist"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, stderr, code := twin(t, append([]string{"history", "--project", project}, tc.args...)...)
			if code != tc.code || !strings.Contains(stderr, tc.want) || strings.Count(stderr, "\n") != 1 || out != "" {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit %d and one line with %q", code, out, stderr, tc.code, tc.want)
			}
		})
	}
}
