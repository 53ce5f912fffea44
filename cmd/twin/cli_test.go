package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

var guidRE = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)

// twin runs the CLI in process and returns stdout, stderr and the status.
func twin(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return out.String(), errb.String(), code
}

// normalise hides what changes from run to run: ids and the temp folder.
func normalise(s, dir string) string {
	s = strings.ReplaceAll(s, dir, "$TMP")
	s = guidRE.ReplaceAllString(s, "<id>")
	return s
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/twin -update)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from %s:\n--- got\n%s\n--- want\n%s", name, path, got, want)
	}
}

const quickstart = "../../examples/quickstart/provision.yaml"

func provisioned(t *testing.T) (dir, project string) {
	t.Helper()
	dir = t.TempDir()
	project = filepath.Join(dir, "q.twin")
	if _, stderr, code := twin(t, "provision", "--project", project, quickstart); code != 0 {
		t.Fatalf("provision: %d %s", code, stderr)
	}
	return dir, project
}

func TestCLIGolden(t *testing.T) {
	dir := t.TempDir()
	project := filepath.Join(dir, "q.twin")
	cases := []struct {
		name string
		args []string
	}{
		{"provision", []string{"provision", "--project", project, quickstart}},
		{"provision_again", []string{"provision", "--project", project, quickstart}},
		{"query_down", []string{"query", "--project", project, "--space", "/Quickstart Building", "--traverse", "down"}},
		{"query_children", []string{"query", "--project", project, "--space", "/Quickstart Building/Floor 1", "--traverse", "down", "--min-level", "1", "--max-level", "1", "--relative"}},
		{"query_rooms", []string{"query", "--project", project, "--types", "Room"}},
		{"query_devices", []string{"query", "--project", project, "--kind", "devices", "--space", "/", "--max-level", "5"}},
		{"query_sensors_json", []string{"query", "--project", project, "--kind", "sensors", "-o", "json"}},
		{"query_up", []string{"query", "--project", project, "--space", "/Quickstart Building/Floor 1/Focus Room A1", "--traverse", "up", "--max-level", "-1", "--relative"}},
		{"get_room", []string{"get", "--project", project, "/Quickstart Building/Floor 1/Focus Room A1"}},
		{"get_room_json", []string{"get", "--project", project, "/Quickstart Building/Floor 1/Focus Room A1", "-o", "json"}},
		{"get_device", []string{"get", "--project", project, "1234567890AB"}},
		{"get_sensor", []string{"get", "--project", project, "SAMPLE_SENSOR_MOTION"}},
		{"matcher_evaluate", []string{"matcher", "evaluate", "--project", project, "--matcher", "Matcher Motion A1", "--sensor", "SAMPLE_SENSOR_MOTION"}},
		{"matcher_evaluate_other", []string{"matcher", "evaluate", "--project", project, "--matcher", "Matcher Motion A1", "--sensor", "SAMPLE_SENSOR_CARBONDIOXIDE"}},
	}
	for _, c := range cases {
		out, stderr, code := twin(t, c.args...)
		// A matcher that does not match exits 1 (with its evaluation).
		want := 0
		if strings.HasSuffix(out, ": false\n") {
			want = 1
		}
		if code != want {
			t.Fatalf("%s: exit %d: %s", c.name, code, stderr)
		}
		golden(t, c.name, normalise(out, dir))
	}
}

func TestCLIErrors(t *testing.T) {
	dir, project := provisioned(t)
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("- name: B\n  type: Venue\n  spaces:\n  - name: R\n    type: Spaceship\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"no args", nil, 2, "twin:"},
		{"unknown command", []string{"frobnicate"}, 2, "unexpected argument frobnicate"},
		{"missing --project", []string{"query"}, 2, "--project"},
		{"bad traverse", []string{"query", "--project", project, "--traverse", "sideways"}, 2, "--traverse"},
		{"project missing", []string{"query", "--project", filepath.Join(dir, "none.twin")}, 1, "does not exist"},
		{"unknown space", []string{"query", "--project", project, "--space", "/Nope"}, 1, `no space "Nope" under the root`},
		{"unknown object", []string{"get", "--project", project, "NOPE"}, 1, "not an id, a space path"},
		{"unknown device", []string{"device", "key", "--project", project, "NOPE"}, 1, `no device has hardwareId "NOPE"`},
		{"bad provisioning", []string{"provision", "--project", project, bad}, 1, `bad.yaml:5: type: unknown type: SpaceType "Spaceship"`},
		{"missing file", []string{"provision", "--project", project, filepath.Join(dir, "nope.yaml")}, 1, "nope.yaml"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, stderr, code := twin(t, c.args...)
			if code != c.code {
				t.Fatalf("exit %d, want %d (stderr %q)", code, c.code, stderr)
			}
			if !strings.Contains(stderr, c.msg) {
				t.Errorf("stderr %q does not contain %q", stderr, c.msg)
			}
			if c.code == 1 && (strings.Count(stderr, "\n") != 1 || out != "") {
				t.Errorf("want exactly one line on stderr and nothing on stdout; got %q / %q", stderr, out)
			}
		})
	}
	// A failed provisioning of a new project leaves no file behind.
	fresh := filepath.Join(dir, "fresh.twin")
	if _, _, code := twin(t, "provision", "--project", fresh, bad); code != 1 {
		t.Fatal("bad provisioning of a new project succeeded")
	}
	if _, err := os.Stat(fresh); !os.IsNotExist(err) {
		t.Errorf("bad provisioning left %s behind (%v)", fresh, err)
	}
	// The failed provisioning changed nothing.
	out, stderr, _ := twin(t, "query", "--project", project)
	if strings.Count(out, "\n") != 6 || stderr != "(5 spaces)\n" {
		t.Errorf("after failed provisioning: %s %s", out, stderr)
	}
}

func TestDeviceKey(t *testing.T) {
	_, project := provisioned(t)
	out, stderr, code := twin(t, "device", "key", "--project", project, "1234567890AB")
	if code != 0 {
		t.Fatal(stderr)
	}
	key := strings.TrimSpace(out)
	if len(key) != 44 || strings.Count(out, "\n") != 1 {
		t.Errorf("key %q", out)
	}
	again, _, _ := twin(t, "device", "key", "--project", project, "1234567890AB")
	if again != out {
		t.Error("key changed between calls")
	}
}
