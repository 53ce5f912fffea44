package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/twinstudio/twinstudio/app"
)

// TestExportFormatsRegistered: --format's values, help and the registry
// agree.
func TestExportFormatsRegistered(t *testing.T) {
	for _, c := range []struct {
		list []string
		keys func() []string
	}{
		{exportFormats, func() []string {
			var k []string
			for f := range exporters {
				k = append(k, f)
			}
			return k
		}},
		{importFormats, func() []string {
			var k []string
			for f := range importers {
				k = append(k, f)
			}
			return k
		}},
	} {
		keys := c.keys()
		slices.Sort(keys)
		list := slices.Sorted(slices.Values(c.list))
		if !slices.Equal(keys, list) {
			t.Errorf("formats %v, registry %v", list, keys)
		}
	}
}

// TestExport: each format writes to standard output, and the same to
// --out; csv is the recorded history; yaml is a golden file.
func TestExport(t *testing.T) {
	dir, project := recorded(t)
	tests := []struct {
		format string
		check  func(out string) bool
	}{
		{"dtdl", func(out string) bool {
			return strings.HasPrefix(out, "[") && strings.Contains(out, `"@type": "Interface"`)
		}},
		{"adt-import", func(out string) bool {
			return strings.HasPrefix(out, `{"Section": "Header"}`) || strings.Contains(out, "Header")
		}},
		{"yaml", func(out string) bool { golden(t, "export-yaml", out); return strings.Contains(out, "source: |") }},
		{"csv", func(out string) bool {
			return strings.HasPrefix(out, app.CSVHeader+"\n") && strings.Contains(out,
				"2026-03-02T08:10:00Z,sensor,/Quickstart Building/Floor 1/Focus Room A1,SAMPLE_SENSOR_MOTION,Motion,,false\n") &&
				strings.Contains(out, ",space,/Quickstart Building/Floor 1/Focus Room A1,,,AvailableAndFresh,")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			out, stderr, code := twin(t, "export", "--project", project, "--format", tt.format)
			if code != 0 || stderr != "" || !tt.check(out) {
				t.Fatalf("exit %d, stderr %q, stdout:\n%s", code, stderr, out)
			}
			if tt.format == "yaml" {
				return // --out writes the file form: TestExportYAMLOut
			}
			file := filepath.Join(dir, "out."+tt.format)
			if o, stderr, code := twin(t, "export", "--project", project, "--format", tt.format, "--out", file); code != 0 || o != "" {
				t.Fatalf("--out: exit %d %q %q", code, o, stderr)
			}
			if data, _ := os.ReadFile(file); string(data) != out {
				t.Errorf("--out wrote otherwise than standard output")
			}
			// No overwriting without --force.
			_, stderr, code = twin(t, "export", "--project", project, "--format", tt.format, "--out", file)
			if code != 1 || stderr != "twin: "+file+": file exists (overwrite it with --force)\n" {
				t.Errorf("overwrite: exit %d %q", code, stderr)
			}
			if _, stderr, code := twin(t, "export", "--project", project, "--format", tt.format, "--out", file, "--force"); code != 0 {
				t.Errorf("--force: exit %d %q", code, stderr)
			}
		})
	}
}

// TestExportUsage: a bad format or --force without --out is bad usage.
func TestExportUsage(t *testing.T) {
	_, project := provisioned(t)
	for _, args := range [][]string{
		{"export", "--project", project, "--format", "xml"},
		{"export", "--project", project},
		{"import", "--project", project, "--format", "csv", quickstart},
		{"export", "--project", project, "--format", "csv", "--force"},
	} {
		out, stderr, code := twin(t, args...)
		if code != 2 || out != "" || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%v: exit %d %q %q", args, code, out, stderr)
		}
		if slices.Contains(args, "xml") && !strings.Contains(stderr, `"dtdl","adt-import","yaml","csv"`) {
			t.Errorf("the formats are not listed: %q", stderr)
		}
	}
}

// TestExportYAMLOut: export --out writes the YAML with its scripts;
// importing it into a new project and exporting that gives the same; the
// files are not overwritten without --force.
func TestExportYAMLOut(t *testing.T) {
	dir, project := provisioned(t)
	out := filepath.Join(dir, "x", "export.yaml")
	if o, stderr, code := twin(t, "export", "--project", project, "--format", "yaml", "--out", out); code != 0 || o != "" || stderr != "" {
		t.Fatalf("exit %d %q %q", code, o, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "x", "udfs", "motion-processor.js")); err != nil {
		t.Fatal(err)
	}
	p2 := filepath.Join(dir, "p2.twin")
	o, stderr, code := twin(t, "import", "--project", p2, "--format", "yaml", out)
	if code != 0 || !strings.HasPrefix(o, "imported "+out+" into "+p2+": 14 created, 0 updated, 0 unchanged\n") {
		t.Fatalf("import: exit %d %q %q", code, o, stderr)
	}
	a, _, _ := twin(t, "export", "--project", project, "--format", "yaml")
	b, _, _ := twin(t, "export", "--project", p2, "--format", "yaml")
	if a != b || a == "" {
		t.Errorf("the import of the export exports otherwise:\n%s\n---\n%s", a, b)
	}
	// Importing it again changes nothing.
	if o, _, code := twin(t, "import", "--project", p2, "--format", "yaml", out); code != 0 || !strings.Contains(o, ": 0 created, 0 updated, 14 unchanged") {
		t.Errorf("second import: %q", o)
	}
	_, stderr, code = twin(t, "export", "--project", project, "--format", "yaml", "--out", out)
	if code != 1 || !strings.Contains(stderr, "file exists") || strings.Count(stderr, "\n") != 1 {
		t.Errorf("overwrite: exit %d %q", code, stderr)
	}
	if _, stderr, code = twin(t, "export", "--project", project, "--format", "yaml", "--out", out, "--force"); code != 0 {
		t.Errorf("--force: exit %d %q", code, stderr)
	}
}

// TestImportBadFile: a file with a mistake is refused in one line naming
// the file and line; the project stays as it was, and a project the
// import would have created is not left behind.
func TestImportBadFile(t *testing.T) {
	dir, project := provisioned(t)
	before, _, _ := twin(t, "export", "--project", project, "--format", "yaml")
	bad := filepath.Join(dir, "bad.yaml")
	// The first space is good; the role is unknown, which provisioning
	// finds only after the spaces before it were made.
	os.WriteFile(bad, []byte("- name: New Building\n  spaces:\n  - name: New Floor\n- name: Other\n  roleassignments:\n  - role: Boss\n    objectId: \"@example.com\"\n    objectIdType: DomainName\n"), 0o644)
	notJSON := filepath.Join(dir, "bad.json")
	os.WriteFile(notJSON, []byte("[{\"@id\": \"dtmi:x;1\", \"@type\": \"Interface\", \"@context\": \"dtmi:dtdl:context;3\", \"contents\": 7}]"), 0o644)
	for _, c := range []struct {
		format, file, want string
	}{
		{"yaml", bad, "twin: " + bad + ":6: role: "},
		{"dtdl", notJSON, "twin: " + notJSON},
	} {
		out, stderr, code := twin(t, "import", "--project", project, "--format", c.format, c.file)
		if code != 1 || out != "" || strings.Count(stderr, "\n") != 1 || !strings.HasPrefix(stderr, c.want) {
			t.Errorf("%s: exit %d %q %q; want one line starting %q", c.format, code, out, stderr, c.want)
		}
		if after, _, _ := twin(t, "export", "--project", project, "--format", "yaml"); after != before {
			t.Errorf("%s: a refused import changed the project", c.format)
		}
		p := filepath.Join(dir, "new-"+c.format+".twin")
		if _, _, code := twin(t, "import", "--project", p, "--format", c.format, c.file); code != 1 {
			t.Errorf("%s into a new project: exit %d", c.format, code)
		}
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s: a refused import left %s", c.format, p)
		}
	}
}

// TestImportDTDL: the DTDL an export writes imports into a new project.
func TestImportDTDL(t *testing.T) {
	dir, project := provisioned(t)
	file := filepath.Join(dir, "models.json")
	if _, stderr, code := twin(t, "export", "--project", project, "--format", "dtdl", "--out", file); code != 0 {
		t.Fatal(stderr)
	}
	p2 := filepath.Join(dir, "p2.twin")
	out, stderr, code := twin(t, "import", "--project", p2, "--format", "dtdl", file)
	if code != 0 || !strings.HasPrefix(out, "imported "+file+" into "+p2+": ") || !strings.Contains(out, "types") {
		t.Errorf("exit %d %q %q", code, out, stderr)
	}
}

// TestExportThroughServer: while twin serve holds the project, export
// runs in the server and streams its output back (--out relative to the
// client's folder); import is refused in one line.
func TestExportThroughServer(t *testing.T) {
	dir, project := recorded(t)
	var alone []string
	for _, f := range exportFormats {
		out, stderr, code := twin(t, "export", "--project", project, "--format", f)
		if code != 0 {
			t.Fatalf("%s: %s", f, stderr)
		}
		alone = append(alone, out)
	}
	serving(t, project)
	for i, f := range exportFormats {
		out, stderr, code := twin(t, "export", "--project", project, "--format", f)
		if code != 0 || out != alone[i] {
			t.Errorf("%s through the server: exit %d %q, %d bytes (%d without it)", f, code, stderr, len(out), len(alone[i]))
		}
	}
	wd, _ := os.Getwd()
	t.Cleanup(func() { os.Chdir(wd) })
	os.Chdir(dir)
	if _, stderr, code := twin(t, "export", "--project", project, "--format", "yaml", "--out", "served/export.yaml"); code != 0 {
		t.Fatalf("export --out through the server: %s", stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "served", "udfs", "motion-processor.js")); err != nil {
		t.Error(err)
	}
	// Importing the export into the served project changes nothing.
	out, stderr, code := twin(t, "import", "--project", project, "--format", "yaml", "served/export.yaml")
	if code != 0 || !strings.Contains(out, " 0 created, 0 updated") {
		t.Errorf("import through the server: exit %d %q %q", code, out, stderr)
	}
}
