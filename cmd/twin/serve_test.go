package main

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestServeSimulateDuration runs twin serve --simulate with --duration
// shorter than the scenario's at a speed that makes it take about two
// seconds: it logs progress lines (simulated clock, percent, ETA), stops
// at the duration, and the history holds readings up to it and no later.
func TestServeSimulateDuration(t *testing.T) {
	_, project := smartOfficeProject(t)
	defer func(d time.Duration) { serveProgressEvery = d }(serveProgressEvery)
	serveProgressEvery = 300 * time.Millisecond
	t0 := time.Now()
	out, stderr, code := twin(t, "serve", "--project", project, "--mqtt", "127.0.0.1:0", "--simulate", "testdata/simulate_small.yaml",
		"--duration", "40m", "--speed", "1200", "--sim-mode", "in-process")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if wall := time.Since(t0); wall < 1500*time.Millisecond {
		t.Errorf("40 simulated minutes at 1200x took %v, want about 2 s", wall)
	}
	if !strings.Contains(stderr, "duration=40m0s") {
		t.Errorf("the run's duration is not 40m in the log:\n%s", stderr)
	}
	re := regexp.MustCompile(`msg="simulation progress" clock=2026-03-02T08:(\d\d):00Z done=(\d+)% eta=(\S+)`)
	lines := re.FindAllStringSubmatch(stderr, -1)
	if len(lines) < 3 {
		t.Fatalf("%d progress lines, want at least 3:\n%s", len(lines), stderr)
	}
	for _, l := range lines {
		if _, err := time.ParseDuration(l[3]); err != nil {
			t.Errorf("eta %q is not a duration: %s", l[3], l[0])
		}
		if l[2] == "100" || l[1] >= "40" {
			t.Errorf("progress past the end: %s", l[0])
		}
	}
	if !strings.Contains(out, "simulated") {
		t.Errorf("no summary on stdout: %q", out)
	}
	h, stderr, code := twin(t, "history", "--project", project, "/Smart Office/Floor 2/Conference Room 2.02", "--name", "AvailableAndFresh", "-o", "csv")
	if code != 0 {
		t.Fatalf("history: %s", stderr)
	}
	rows := strings.Split(strings.TrimSpace(h), "\n")
	if last := rows[len(rows)-1]; len(rows) < 3 || !strings.HasPrefix(last, "2026-03-02T08:30:00Z,") {
		t.Errorf("the run went on past 40 min (readings every 10 min): %s", h)
	}
}

func TestServeDurationErrors(t *testing.T) {
	_, project := smartOfficeProject(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--duration", "1h"}, "--speed, --variant, --duration and --sim-mode need --simulate"},
		{[]string{"--simulate", "testdata/simulate_small.yaml", "--duration", "-1h"}, "--duration must be positive, got -1h0m0s"},
	} {
		_, stderr, code := twin(t, append([]string{"serve", "--project", project, "--mqtt", "127.0.0.1:0"}, tc.args...)...)
		if code != 2 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, %q; want 2 and %q", tc.args, code, stderr, tc.want)
		}
	}
}

// TestServeMissingProject: a mistyped project name is refused instead of
// serving a new, empty project; --create makes one.
func TestServeMissingProject(t *testing.T) {
	typo := filepath.Join(t.TempDir(), "typo.twin")
	_, stderr, code := twin(t, "serve", "--project", typo, "--mqtt", "127.0.0.1:0")
	if code != 1 || !strings.Contains(stderr, "project "+typo+" does not exist") || !strings.Contains(stderr, "--create") {
		t.Errorf("exit %d, %q", code, stderr)
	}
	if _, err := os.Stat(typo); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the refused serve left a file: %v", err)
	}
	// With --create the file is made: here the broker's address is bad,
	// so the server stops at once, after creating it.
	_, stderr, code = twin(t, "serve", "--project", typo, "--create", "--mqtt", "256.0.0.1:1")
	if _, err := os.Stat(typo); err != nil {
		t.Errorf("--create did not create the project (exit %d, %q): %v", code, stderr, err)
	}
}
