package main

import (
	"strings"
	"testing"
	"time"

	"github.com/twinstudio/twinstudio/app"
	"github.com/twinstudio/twinstudio/engine"
)

// TestRetentionCmd shows and sets the retention of a real project, then
// records more motion values than it keeps: twin history says on stderr
// that older values were dropped when the range reaches before them.
func TestRetentionCmd(t *testing.T) {
	_, project := provisioned(t)
	out, stderr, code := twin(t, "retention", "--project", project)
	if code != 0 || out != "keep-count: 10000\nkeep-age:   none\n" {
		t.Fatalf("show: exit %d %q %s", code, out, stderr)
	}
	out, stderr, code = twin(t, "retention", "--project", project, "--keep-count", "2", "--keep-age", "720h")
	if code != 0 || out != "keep-count: 2\nkeep-age:   30 days\n" || !strings.Contains(stderr, "next value") {
		t.Fatalf("set: exit %d %q %s", code, out, stderr)
	}
	if _, stderr, code := twin(t, "retention", "--project", project, "--keep-count", "-1"); code == 0 || !strings.Contains(stderr, "keepCount") {
		t.Errorf("a negative count: exit %d %s", code, stderr)
	}
	a, err := app.Open(project, app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	for i, v := range []string{"true", "false", "true", "false"} {
		tk, err := a.Pipeline().Submit(&engine.IngressMessage{Topic: engine.SensorTopic("1234567890AB", "SAMPLE_SENSOR_MOTION"),
			Payload: []byte(`{"SensorValue": "` + v + `"}`), QoS: 1, Username: "1234567890AB", Received: t0.Add(time.Duration(i) * 10 * time.Minute)})
		if err == nil {
			err = tk.Wait()
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	a.Close()
	tests := []struct {
		name string
		args []string
		note bool
	}{
		{"all", nil, true},
		{"from before the oldest kept", []string{"--from", "2026-03-02"}, true},
		{"from the oldest kept", []string{"--from", "2026-03-02T08:20:00Z"}, false},
		{"the newest only", []string{"-n", "1"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, stderr, code := twin(t, append([]string{"history", "--project", project, "SAMPLE_SENSOR_MOTION", "--no-headers"}, tc.args...)...)
			if code != 0 || !strings.HasSuffix(out, "2026-03-02T08:30:00Z  false\n") {
				t.Fatalf("exit %d %q %s", code, out, stderr)
			}
			const want = "values before 2026-03-02T08:20:00Z were dropped by the retention (keep 30 days and 2 entries per value; 2 dropped)"
			if got := strings.Contains(stderr, want); got != tc.note {
				t.Errorf("note %v, want %v: %q", got, tc.note, stderr)
			}
		})
	}
}
