package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestProvisionRefusesBadInput: twin provision refuses, before a project
// is created or touched, a matcher JSONPath that does not parse, a script
// that does not compile or is not text, a script outside the provisioning
// file's folder, and a provisioning file that is not a regular file; each
// with one line naming file, line and field.
func TestProvisionRefusesBadInput(t *testing.T) {
	dir := t.TempDir()
	write := func(name, s string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write("ok.js", "function process(telemetry, executionContext) {}\n")
	write("bad.js", "function process(telemetry, executionContext) {\n  var x = ;\n}\n")
	write("bad1.js", "var = 1;\n")
	write("nul.js", "function process() {}\n\x00\x01\x02\n")
	write("latin1.js", "// caf\xe9\nfunction process() {}\n")
	udf := func(script string) string {
		return "- name: HQ\n  userdefinedfunctions:\n  - name: U\n    script: " + script + "\n"
	}
	matcher := "- name: HQ\n  matchers:\n  - name: M\n    conditions:\n    - path: $..[\n      value: '1'\n"
	cases := []struct{ name, yaml, want string }{
		{"bad JSONPath", matcher, `p.yaml:5: path: matcher "M": bad path: "$..[": unexpected eof`},
		{"script does not compile", udf("bad.js"), `p.yaml:4: script: bad.js:2:11: SyntaxError: Unexpected token ;`},
		{"script does not compile on line 1", udf("bad1.js"), `p.yaml:4: script: bad1.js:1:5: SyntaxError: Unexpected token =`},
		{"binary script", udf("nul.js"), `p.yaml:4: script: nul.js:2: binary file (NUL byte): a script must be UTF-8 text`},
		{"script not UTF-8", udf("latin1.js"), `p.yaml:4: script: latin1.js:1: not valid UTF-8: a script must be UTF-8 text`},
		{"absolute script path", udf("/etc/passwd"), `p.yaml:4: script: cannot read "/etc/passwd": outside the provisioning file's folder: an absolute path`},
		{"script path leaving the folder", udf("../../../../etc/hostname"), `p.yaml:4: script: cannot read "../../../../etc/hostname": outside the provisioning file's folder: the path leaves it`},
	}
	project := filepath.Join(dir, "p.twin")
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := write("p.yaml", c.yaml)
			out, stderr, code := twin(t, "provision", "--project", project, p)
			if code != 1 || !strings.HasPrefix(stderr, "twin: "+p[:len(p)-len("p.yaml")]+c.want) && !strings.Contains(stderr, c.want) ||
				strings.Count(stderr, "\n") != 1 || out != "" {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit 1 and one line with %q", code, out, stderr, c.want)
			}
			if _, err := os.Stat(project); !os.IsNotExist(err) {
				t.Errorf("a refused provisioning left %s (%v)", project, err)
			}
		})
	}
	// The good script is accepted.
	p := write("p.yaml", udf("ok.js"))
	if _, stderr, code := twin(t, "provision", "--project", project, p); code != 0 {
		t.Fatalf("ok.js: %s", stderr)
	}
	// Not a regular file: one line, no project touched.
	for _, f := range []string{"/dev/zero", dir} {
		_, stderr, code := twin(t, "provision", "--project", filepath.Join(dir, "other.twin"), f)
		if code != 1 || !strings.Contains(stderr, "read "+f+": not a regular file") || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%s: exit %d, %q", f, code, stderr)
		}
	}
}

// TestProvisionEmptyProjectFile: an existing empty project file is refused
// with a clear message and left alone, never made into a new project; a
// missing one is created.
func TestProvisionEmptyProjectFile(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.twin")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	_, stderr, code := twin(t, "provision", "--project", empty, quickstart)
	want := "twin: open " + empty + ": the file is empty (0 bytes), not a Twin Studio project; delete it to start a new project under this name\n"
	if code != 1 || stderr != want {
		t.Errorf("exit %d, stderr %q; want 1, %q", code, stderr, want)
	}
	if fi, err := os.Stat(empty); err != nil || fi.Size() != 0 {
		t.Errorf("the empty project file was changed or removed: %v", err)
	}
	_, stderr, code = twin(t, "query", "--project", empty)
	if code != 1 || !strings.Contains(stderr, "the file is empty") {
		t.Errorf("query: exit %d, stderr %q", code, stderr)
	}
	if _, stderr, code := twin(t, "provision", "--project", filepath.Join(dir, "new.twin"), quickstart); code != 0 {
		t.Errorf("a missing project file: %s", stderr)
	}
}
