package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/twinstudio/twinstudio/app"
	"github.com/twinstudio/twinstudio/engine"
)

// TestOutputFormats: every command that prints objects takes -o
// table|json|yaml with table the default, YAML holds what JSON holds,
// --no-headers drops the header row, and counts go to stderr.
func TestOutputFormats(t *testing.T) {
	_, project := provisioned(t)
	if _, stderr, code := twin(t, "token", "create", "--project", project, "--principal", "ops", "--name", "ops1"); code != 0 {
		t.Fatal(stderr)
	}
	if _, stderr, code := twin(t, "udf", "run", "--project", project, "--udf", "Motion Processor", "--sensor", "SAMPLE_SENSOR_MOTION", "--message", "true"); code != 0 {
		t.Fatal(stderr)
	}
	room := "/Quickstart Building/Floor 1/Focus Room A1"
	cases := []struct {
		args    []string
		header  string // the table's first line starts so; "" no header row
		trailer string // stderr of -o table
		code    int
		varies  bool // a UDF run's record: its own start and duration
	}{
		{[]string{"query"}, "PATH ", "(5 spaces)\n", 0, false},
		{[]string{"query", "--kind", "sensors"}, "HARDWAREID ", "(2 sensors)\n", 0, false},
		{[]string{"query", "--kind", "devices"}, "NAME ", "(1 device)\n", 0, false},
		{[]string{"get", room}, "", "", 0, false},
		{[]string{"get", "SAMPLE_SENSOR_MOTION"}, "", "", 0, false},
		{[]string{"history", "SAMPLE_SENSOR_MOTION"}, "TIME ", "", 0, false},
		{[]string{"udf", "list"}, "SPACE ", "(1 user-defined function)\n", 0, false},
		{[]string{"udf", "records", "Motion Processor"}, "TIME ", "(1 record of Motion Processor in " + room + "; 1 kept)\n", 0, false},
		{[]string{"udf", "versions", "Motion Processor"}, "VERSION ", "(1 version of Motion Processor in " + room + "; at most 50 previous ones are kept)\n", 0, false},
		{[]string{"udf", "run", "--udf", "Motion Processor", "--sensor", "SAMPLE_SENSOR_MOTION", "--message", "true", "--dry-run"}, "", "", 0, true},
		{[]string{"matcher", "list"}, "SPACE ", "(2 matchers)\n", 0, false},
		{[]string{"matcher", "evaluate", "--matcher", "Matcher Motion A1", "--sensor", "SAMPLE_SENSOR_MOTION"}, "", "", 0, false},
		{[]string{"matcher", "evaluate", "--matcher", "Matcher Motion A1", "--sensor", "SAMPLE_SENSOR_CARBONDIOXIDE"}, "", "twin: matcher Matcher Motion A1 does not match sensor SAMPLE_SENSOR_CARBONDIOXIDE\n", 1, false},
		{[]string{"token", "list"}, "NAME ", "(1 token)\n", 0, false},
	}
	for _, c := range cases {
		name := strings.Join(c.args, " ")
		// A run's record has its own start and duration: compare the
		// shapes only.
		volatile := c.varies
		cmd := func(extra ...string) (string, string, int) {
			args := append(append(clone(c.args), "--project", project), extra...)
			return twin(t, args...)
		}
		def, stderr, code := cmd()
		if code != c.code || stderr != c.trailer {
			t.Errorf("%s: exit %d, stderr %q; want %d, %q", name, code, stderr, c.code, c.trailer)
		}
		if tbl, _, _ := cmd("-o", "table"); tbl != def && !(volatile && strings.Count(tbl, "\n") == strings.Count(def, "\n")) {
			t.Errorf("%s: -o table differs from the default:\n%s\n%s", name, tbl, def)
		}
		if c.header != "" {
			if !strings.HasPrefix(def, c.header) {
				t.Errorf("%s: the table starts %q, want %q", name, firstLine(def), c.header)
			}
			// Without the header the columns may be narrower.
			squeeze := func(s string) string { return regexp.MustCompile(` +`).ReplaceAllString(s, " ") }
			if bare, _, _ := cmd("--no-headers"); !strings.HasSuffix(squeeze(def), squeeze(bare)) || strings.Count(def, "\n")-strings.Count(bare, "\n") != 1 {
				t.Errorf("%s --no-headers: %q, the table %q", name, bare, def)
			}
		}
		js, stderr, code := cmd("-o", "json")
		ym, _, _ := cmd("-o", "yaml")
		if code != c.code || (code == 0 && stderr != "") {
			t.Errorf("%s -o json: exit %d, stderr %q (counts are for tables)", name, code, stderr)
		}
		var fromJSON, fromYAML any
		if err := json.Unmarshal([]byte(js), &fromJSON); err != nil {
			t.Errorf("%s -o json: %v\n%s", name, err, js)
			continue
		}
		if err := yaml.Unmarshal([]byte(ym), &fromYAML); err != nil {
			t.Errorf("%s -o yaml: %v\n%s", name, err, ym)
			continue
		}
		if volatile {
			fromYAML, fromJSON = keys(fromYAML), keys(fromJSON)
		}
		if !reflect.DeepEqual(jsonish(fromYAML), jsonish(fromJSON)) {
			t.Errorf("%s: -o yaml and -o json differ:\n%s\n%s", name, ym, js)
		}
	}
}

func clone(s []string) []string { return append([]string(nil), s...) }

// keys are the keys of a decoded object.
func keys(x any) any {
	m, _ := x.(map[string]any)
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func firstLine(s string) string { l, _, _ := strings.Cut(s, "\n"); return l }

// jsonish makes YAML's decoded values comparable with JSON's (numbers as
// float64, times as their text).
func jsonish(x any) any {
	b, _ := json.Marshal(x)
	var out any
	json.Unmarshal(b, &out)
	return out
}

// TestYAMLKeepsOrderAndTypes: -o yaml has the JSON's keys in its order,
// and strings that look like other types stay strings.
func TestYAMLKeepsOrderAndTypes(t *testing.T) {
	var b bytes.Buffer
	x := struct {
		Zeta  string   `json:"zeta"`
		Alpha int      `json:"alpha"`
		Flag  string   `json:"flag"`
		Num   string   `json:"num"`
		F     float64  `json:"f"`
		Null  *int     `json:"null"`
		List  []string `json:"list"`
	}{"z", 3, "true", "42", 1.5, nil, []string{"a"}}
	if err := writeYAML(&b, x); err != nil {
		t.Fatal(err)
	}
	want := "zeta: z\nalpha: 3\nflag: \"true\"\nnum: \"42\"\nf: 1.5\n\"null\": null\nlist:\n  - a\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}

// packagePrefixRE finds internal package prefixes in messages.
var packagePrefixRE = regexp.MustCompile(`(^|[\s(:])(engine|bbolt|app|goja|mqtt|jsonpath|yaml|simulator|httpapi|kong): `)

// TestErrorsOneLine runs failing commands: each says what was wrong in
// one line on stderr, in the CLI's terms, and prints nothing on stdout.
func TestErrorsOneLine(t *testing.T) {
	dir, project := provisioned(t)
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("- name: B\n  type: Spaceship\n"), 0o644)
	notJS := filepath.Join(dir, "bad.js")
	os.WriteFile(notJS, []byte("function (\n"), 0o644)
	missing := filepath.Join(dir, "none.twin")
	p := []string{"--project", project}
	cases := []struct {
		args []string
		code int
		want string
	}{
		{nil, 2, "twin --help"},
		{[]string{"frobnicate"}, 2, "unexpected argument frobnicate"},
		{[]string{"query"}, 2, "missing flags: --project=FILE (see 'twin query --help')"},
		{[]string{"query", "--project", project, "-o", "xml"}, 2, "--output"},
		{[]string{"query", "--project", missing}, 1, "does not exist"},
		{append([]string{"query", "--space", "/Nope"}, p...), 1, `--space: no space "Nope" under the root`},
		{append([]string{"query", "--ids", "x"}, p...), 2, "--ids"},
		{append([]string{"get", "NOPE"}, p...), 1, "not an id, a space path"},
		{append([]string{"get", "/"}, p...), 1, "whole graph"},
		{append([]string{"history", "NOPE"}, p...), 1, "NOPE"},
		{append([]string{"history", "SAMPLE_SENSOR_MOTION", "--from", "yesterday"}, p...), 2, "--from"},
		{append([]string{"device", "key", "NOPE"}, p...), 1, `no device has hardwareId "NOPE"`},
		{append([]string{"udf", "records", "Nope"}, p...), 1, "Nope"},
		{append([]string{"udf", "set", "Motion Processor", notJS}, p...), 1, "bad.js"},
		{append([]string{"udf", "run", "--udf", "Motion Processor"}, p...), 2, "--sensor"},
		{append([]string{"matcher", "evaluate", "--matcher", "Nope", "--sensor", "SAMPLE_SENSOR_MOTION"}, p...), 1, `no matcher named "Nope"`},
		{append([]string{"token", "create", "--principal", "ops", "--role", "Nope", "--path", "/"}, p...), 1, `--role: role "Nope"`},
		{append([]string{"token", "create", "--principal", "ops", "--role", "User"}, p...), 2, "--role and --path"},
		{append([]string{"token", "create", "--principal", "ops", "--role", "User", "--path", "/Nope"}, p...), 1, "--path: "},
		{append([]string{"token", "create", "--principal", "ops", "--expires", "soon"}, p...), 2, "--expires"},
		{append([]string{"token", "create", "--principal", "ops", "--name", "a b"}, p...), 1, "--name"},
		{append([]string{"token", "revoke", "nope"}, p...), 1, "nope"},
		{[]string{"provision", "--project", project, bad}, 1, "bad.yaml:2: type"},
		{[]string{"serve", "--project", missing}, 1, "--create"},
		{append([]string{"serve", "--speed", "10"}, p...), 2, "--speed"},
		{append([]string{"serve", "--tls-cert", "c.pem", "--http", "127.0.0.1:0"}, p...), 2, "--tls-key"},
		{append([]string{"serve", "--tls-key", "k.pem", "--http", "127.0.0.1:0"}, p...), 2, "--tls-cert"},
		{append([]string{"serve", "--tls-self-signed"}, p...), 2, "--http"},
		{append([]string{"serve", "--sim-mode", "in-process"}, p...), 2, "--simulate"},
		{append([]string{"simulate", "--scenario", filepath.Join(dir, "none.yaml")}, p...), 1, "none.yaml"},
		{[]string{"completion", "tcsh"}, 2, "bash"},
	}
	for _, c := range cases {
		name := strings.Join(c.args, " ")
		out, stderr, code := twin(t, c.args...)
		if code != c.code {
			t.Errorf("%s: exit %d, want %d (%q)", name, code, c.code, stderr)
		}
		if out != "" || strings.Count(stderr, "\n") != 1 || !strings.HasPrefix(stderr, "twin: ") {
			t.Errorf("%s: want one line on stderr and nothing on stdout; got %q / %q", name, out, stderr)
		}
		if !strings.Contains(stderr, c.want) {
			t.Errorf("%s: %q does not say %q", name, stderr, c.want)
		}
		if m := packagePrefixRE.FindString(stderr); m != "" {
			t.Errorf("%s: %q has the package prefix %q", name, stderr, m)
		}
	}
}

func TestVersion(t *testing.T) {
	out, stderr, code := twin(t, "--version")
	if code != 0 || out != "twin devel\n" || stderr != "" {
		t.Errorf("exit %d %q %q", code, out, stderr)
	}
}

// TestTwinProjectEnv: TWIN_PROJECT is --project's default; the flag wins;
// without either, --project is missing (usage).
func TestTwinProjectEnv(t *testing.T) {
	_, project := provisioned(t)
	want, _, _ := twin(t, "query", "--project", project)
	t.Setenv("TWIN_PROJECT", project)
	if out, stderr, code := twin(t, "query"); code != 0 || out != want {
		t.Errorf("TWIN_PROJECT: exit %d %q", code, stderr)
	}
	if _, stderr, code := twin(t, "query", "--project", filepath.Join(t.TempDir(), "other.twin")); code != 1 || !strings.Contains(stderr, "other.twin does not exist") {
		t.Errorf("--project does not win over TWIN_PROJECT: exit %d %q", code, stderr)
	}
	t.Setenv("TWIN_PROJECT", "")
	os.Unsetenv("TWIN_PROJECT")
	if _, stderr, code := twin(t, "query"); code != 2 || !strings.Contains(stderr, "--project") {
		t.Errorf("no project: exit %d %q", code, stderr)
	}
}

// TestQuietKeeps: --quiet drops routine lines and keeps warnings,
// refusals and the final stats.
func TestQuietKeeps(t *testing.T) {
	for _, c := range []struct {
		level slog.Level
		msg   string
		kept  bool
	}{
		{slog.LevelInfo, "serving", false},
		{slog.LevelInfo, "mqtt: connected", false},
		{slog.LevelInfo, "simulation progress", false},
		{slog.LevelInfo, "ran a command for the CLI", false},
		{slog.LevelInfo, "rejected message", true},
		{slog.LevelInfo, "mqtt: refused connection: wrong username or key", true},
		{slog.LevelInfo, "simulation finished", true},
		{slog.LevelInfo, "stopped", true},
		{slog.LevelWarn, "udf failed", true},
		{slog.LevelError, "websocket listener stopped", true},
	} {
		for _, quiet := range []bool{false, true} {
			var b bytes.Buffer
			newLogger(&b, quiet).Log(context.Background(), c.level, c.msg)
			if got, want := b.Len() > 0, c.kept || !quiet; got != want {
				t.Errorf("quiet %t, %q: logged %t, want %t", quiet, c.msg, got, want)
			}
		}
	}
}

// TestServeQuiet: twin serve --quiet prints the final stats and nothing
// routine.
func TestServeQuiet(t *testing.T) {
	_, project := smartOfficeProject(t)
	_, stderr, code := twin(t, "serve", "--project", project, "--mqtt", "127.0.0.1:0", "--quiet", "--simulate", "testdata/simulate_small.yaml",
		"--duration", "20m", "--speed", "6000", "--sim-mode", "in-process")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, s := range []string{`msg="simulation finished"`, `msg=stopped`} {
		if !strings.Contains(stderr, s) {
			t.Errorf("--quiet hid %s:\n%s", s, stderr)
		}
	}
	for _, s := range []string{`msg=serving`, `msg=simulating`, "mqtt broker listening"} {
		if strings.Contains(stderr, s) {
			t.Errorf("--quiet printed %s:\n%s", s, stderr)
		}
	}
}

// TestTokens: create prints only the token, which resolves to its
// principal with the role assigned; list never shows it; revoke stops it.
func TestTokens(t *testing.T) {
	_, project := provisioned(t)
	secret, hint, code := twin(t, "token", "create", "--project", project, "--principal", "ops@contoso.com", "--role", "SpaceAdministrator",
		"--path", "/Quickstart Building/Floor 1", "--expires", "30d", "--name", "ops")
	if code != 0 || !regexp.MustCompile(`^twn_[A-Za-z0-9_-]{43}\n$`).MatchString(secret) {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, secret, hint)
	}
	if !strings.Contains(hint, "token ops for ServicePrincipalId ops@contoso.com, role SpaceAdministrator on /Quickstart Building/Floor 1, expires ") ||
		strings.Count(hint, "\n") != 1 {
		t.Errorf("hint %q", hint)
	}
	// Another token, the same assignment: kept, not refused.
	if _, stderr, code := twin(t, "token", "create", "--project", project, "--principal", "ops@contoso.com", "--role", "SpaceAdministrator", "--path", "/Quickstart Building/Floor 1"); code != 0 {
		t.Errorf("second token: %s", stderr)
	}
	if _, stderr, code := twin(t, "token", "create", "--project", project, "--principal", "x", "--name", "ops"); code != 1 || !strings.Contains(stderr, `token "ops" already exists`) {
		t.Errorf("duplicate name: exit %d %q", code, stderr)
	}
	check := func(wantErr bool) {
		t.Helper()
		a, err := app.Open(project, app.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		p, err := a.Engine().ResolveToken(strings.TrimSpace(secret), time.Now())
		if wantErr != (err != nil) || (!wantErr && (p.Type != engine.ObjectServicePrincipalID || p.ID != "ops@contoso.com")) {
			t.Errorf("ResolveToken: %+v %v", p, err)
		}
		n := 0
		a.Engine().View(func(v *engine.View) error {
			for _, ra := range v.RoleAssignments() {
				if ra.ObjectID == "ops@contoso.com" {
					n++
					floor, _ := v.ResolveSpace("/Quickstart Building/Floor 1")
					if ra.Path != v.SpacePath(floor) {
						t.Errorf("assignment on %s", ra.Path)
					}
				}
			}
			return nil
		})
		if n != 1 {
			t.Errorf("%d role assignments, want 1", n)
		}
	}
	check(false)
	list, stderr, _ := twin(t, "token", "list", "--project", project, "--no-headers")
	js, _, _ := twin(t, "token", "list", "--project", project, "-o", "json")
	if strings.Contains(list+js, "twn_") || strings.Contains(js, "hash") || !strings.HasPrefix(list, "ops ") || stderr != "(2 tokens)\n" {
		t.Errorf("token list: %q %q %q", list, js, stderr)
	}
	if out, stderr, code := twin(t, "token", "revoke", "--project", project, "ops"); code != 0 || out != "token ops revoked\n" {
		t.Errorf("revoke: exit %d %q %q", code, out, stderr)
	}
	check(true)
	var items []tokenItem
	js, _, _ = twin(t, "token", "list", "--project", project, "-o", "json")
	if json.Unmarshal([]byte(js), &items); len(items) != 2 || items[0].Name != "ops" || items[0].Revoked == nil || items[0].Expires == nil ||
		items[0].Expires.Sub(items[0].Created).Round(time.Hour) != 30*24*time.Hour {
		t.Errorf("after revoke: %s", js)
	}
}

// TestSimulateQuiet: twin simulate --quiet prints the summary and nothing
// routine.
func TestSimulateQuiet(t *testing.T) {
	dir, project := smartOfficeProject(t)
	out := filepath.Join(dir, "out")
	stdout, stderr, code := twin(t, "simulate", "--project", project, "--scenario", "testdata/simulate_small.yaml", "--out", out, "--quiet")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if summary := string(mustRead(t, filepath.Join(out, "summary.txt"))); stdout != summary || stderr != "" {
		t.Errorf("--quiet printed more than the summary:\n%s\n---\n%s", stdout, stderr)
	}
}
