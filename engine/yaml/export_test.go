package yaml_test

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/twinstudio/twinstudio/engine"
	"github.com/twinstudio/twinstudio/engine/yaml"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// exportOf exports e's graph.
func exportOf(t *testing.T, e *engine.Engine, opts yaml.ExportOptions) *yaml.Exported {
	t.Helper()
	var x *yaml.Exported
	err := e.View(func(v *engine.View) error {
		var err error
		x, err = yaml.Export(v, opts)
		return err
	})
	must(t, err)
	return x
}

// writeExport writes x into dir (the YAML as export.yaml) and returns the
// YAML's path.
func writeExport(t *testing.T, dir string, x *yaml.Exported) string {
	t.Helper()
	for _, f := range x.Files {
		p := filepath.Join(dir, filepath.FromSlash(f.Path))
		must(t, os.MkdirAll(filepath.Dir(p), 0o755))
		must(t, os.WriteFile(p, f.Data, 0o644))
	}
	p := filepath.Join(dir, "export.yaml")
	must(t, os.WriteFile(p, x.YAML, 0o644))
	return p
}

// graphCounts counts what a graph holds.
func graphCounts(e *engine.Engine) map[string]int {
	c := map[string]int{}
	_ = e.View(func(v *engine.View) error {
		_ = v.WalkSpaces(func(s *engine.Space) error {
			c["spaces"]++
			c["devices"] += len(v.SpaceDevices(s.ID))
			c["sensors"] += len(v.SpaceSensors(s.ID))
			c["users"] += len(v.SpaceUsers(s.ID))
			c["properties"] += len(s.Properties)
			if p, ok := v.FloorPlan(s.ID); ok {
				c["plans"]++
				c["plan shapes"] += len(p.Shapes)
				c["plan items"] += len(p.Items)
			}
			return nil
		}, nil)
		c["matchers"] = len(v.Matchers())
		c["udfs"] = len(v.UDFs())
		c["role assignments"] = len(v.RoleAssignments())
		c["property keys"] = len(v.PropertyKeys())
		c["resources"] = len(v.Resources())
		return nil
	})
	return c
}

// TestExportRoundTrip provisions each example, exports it, provisions the
// export into an empty project and exports that: the two exports (and
// their script files) are byte for byte the same, and so are the graphs'
// counts. The quickstart's export is a golden file. The inline export
// (scripts as `source: |`) gives the same graph too.
func TestExportRoundTrip(t *testing.T) {
	for _, ex := range []string{"quickstart", "smart-office"} {
		t.Run(ex, func(t *testing.T) {
			p, err := yaml.ReadFile(filepath.Join("..", "..", "examples", ex, "provision.yaml"))
			must(t, err)
			dir := t.TempDir()
			e1 := openProject(t, filepath.Join(dir, "1.twin"))
			_, err = e1.Provision(p)
			must(t, err)
			x1 := exportOf(t, e1, yaml.ExportOptions{})
			if len(x1.Left) != 0 {
				t.Errorf("left out: %q", x1.Left)
			}
			if ex == "quickstart" {
				golden(t, filepath.Join("testdata", "export-quickstart.yaml"), x1.YAML)
				if len(x1.Files) != 1 || x1.Files[0].Path != "udfs/motion-processor.js" || !strings.Contains(string(x1.YAML), "script: udfs/motion-processor.js") {
					t.Errorf("files %+v", x1.Files)
				}
			}

			path := writeExport(t, filepath.Join(dir, "out1"), x1)
			p2, err := yaml.ReadFile(path)
			must(t, err)
			e2 := openProject(t, filepath.Join(dir, "2.twin"))
			sum, err := e2.Provision(p2)
			must(t, err)
			if tot := sum.Total(); tot.Updated != 0 || tot.Unchanged != 0 {
				t.Errorf("provisioning the export into an empty project:\n%s", sum)
			}
			x2 := exportOf(t, e2, yaml.ExportOptions{})
			if !bytes.Equal(x1.YAML, x2.YAML) {
				t.Errorf("the export of the export differs:\n%s", diffLines(string(x1.YAML), string(x2.YAML)))
			}
			if len(x1.Files) != len(x2.Files) {
				t.Fatalf("%d files, then %d", len(x1.Files), len(x2.Files))
			}
			for i := range x1.Files {
				if x1.Files[i].Path != x2.Files[i].Path || !bytes.Equal(x1.Files[i].Data, x2.Files[i].Data) {
					t.Errorf("file %d: %s, then %s", i, x1.Files[i].Path, x2.Files[i].Path)
				}
			}
			c1, c2 := graphCounts(e1), graphCounts(e2)
			for k, n := range c1 {
				if c2[k] != n {
					t.Errorf("%s: %d in the example's project, %d in the export's", k, n, c2[k])
				}
			}
			if c1["spaces"] == 0 || c1["udfs"] == 0 || c1["plan shapes"] == 0 || c1["matchers"] == 0 {
				t.Errorf("the example holds too little to test: %v", c1)
			}
			// Provisioning the export into the project it came from
			// changes nothing.
			sum, err = e1.Provision(p2)
			must(t, err)
			if tot := sum.Total(); tot.Created != 0 || tot.Updated != 0 {
				t.Errorf("provisioning the export into its own project changed it:\n%s", sum)
			}

			// Inline: one file, scripts as source.
			xi := exportOf(t, e1, yaml.ExportOptions{Inline: true})
			if len(xi.Files) != 0 || !strings.Contains(string(xi.YAML), "source: |") || strings.Contains(string(xi.YAML), "script:") {
				t.Fatalf("inline export: %d files\n%s", len(xi.Files), xi.YAML)
			}
			pi, err := yaml.Parse("inline.yaml", xi.YAML, nil)
			must(t, err)
			e3 := openProject(t, filepath.Join(dir, "3.twin"))
			_, err = e3.Provision(pi)
			must(t, err)
			if x3 := exportOf(t, e3, yaml.ExportOptions{}); !bytes.Equal(x1.YAML, x3.YAML) {
				t.Errorf("the inline export gives another graph:\n%s", diffLines(string(x1.YAML), string(x3.YAML)))
			}
		})
	}
}

// TestExportEverything: a graph using every kind the format has (custom
// types, property keys, users, resources, conditions, limits, polygons,
// a background) exports to a file that gives the same graph; what the
// format cannot express is listed.
func TestExportEverything(t *testing.T) {
	dir := t.TempDir()
	src := `- name: HQ
  type: Building
  description: "head: quarters"
  properties:
    Seats: 8
    Empty: ""
    Nothing: "null"
  propertykeys:
  - name: Wing
    scope: Devices
    primitiveDataType: String
  types:
  - category: SpaceType
    name: Greenhouse
  resources:
  - type: IoTHub
    region: westeurope
  users:
  - upn: ada@example.com
    firstName: Ada
    properties:
      Team: Engines
  devices:
  - name: Gateway
    hardwareId: GW-1
    status: Active
    properties:
      Wing: North
    sensors:
    - {dataType: Temperature, dataUnitType: Celsius, hardwareId: GW-1-T, pollRate: 60, port: "3"}
  matchers:
  - name: Warm
    conditions:
    - target: SensorDevice
      path: $.properties.Wing
      value: '"North"'
    - path: $.pollRate
      value: 60
      comparison: NotEquals
    - path: $.port
      value: null
      comparison: NotEquals
  userdefinedfunctions:
  - name: "Ünïcode: fn"
    matcherNames: Warm
    source: |
      // a "quoted" comment: with colons
      function process(telemetry, executionContext) {
          log("x");   
      }
    timeLimit: 250ms
    writeLimit: 200
    disabled: true
  roleassignments:
  - role: SpaceAdministrator
    objectName: "Ünïcode: fn"
    objectIdType: UserDefinedFunctionId
  - role: GatewayDevice
    objectName: GW-1
    objectIdType: DeviceId
  - role: User
    objectId: "@example.com"
    objectIdType: DomainName
  spaces:
  - name: Floor 1
    type: Floor
    plan:
      scale: 0.5
      background: floor.png
      rooms:
      - space: Glass
        polygon: [[0, 0], [10, 0], [5, 7.5]]
      devices:
      - hardwareId: GW-1-T
        at: [1, 2]
    spaces:
    - name: Glass
      type: Greenhouse
`
	p, err := yaml.Parse("src.yaml", []byte(src), func(string) ([]byte, error) { return pngBytes, nil })
	must(t, err)
	e1 := openProject(t, filepath.Join(dir, "1.twin"))
	_, err = e1.Provision(p)
	must(t, err)
	x1 := exportOf(t, e1, yaml.ExportOptions{})
	var bg *yaml.ExportFile
	for i, f := range x1.Files {
		if f.Background != "" {
			bg = &x1.Files[i]
		}
	}
	if bg == nil || bg.Path != "plans/hq-floor-1/floor.png" || bg.Background != "floor.png" || bg.Data != nil {
		t.Fatalf("background file %+v", bg)
	}
	bg.Data = pngBytes
	p2, err := yaml.ReadFile(writeExport(t, filepath.Join(dir, "out"), x1))
	must(t, err)
	if got := p2.Spaces[0].Spaces[0].Plan; got == nil || !bytes.Equal(got.BackgroundData, pngBytes) {
		t.Errorf("the export's plan: %+v", got)
	}
	e2 := openProject(t, filepath.Join(dir, "2.twin"))
	_, err = e2.Provision(p2)
	must(t, err)
	x2 := exportOf(t, e2, yaml.ExportOptions{})
	if !bytes.Equal(x1.YAML, x2.YAML) {
		t.Errorf("the export of the export differs:\n%s", diffLines(string(x1.YAML), string(x2.YAML)))
	}
	for k, n := range graphCounts(e1) {
		if m := graphCounts(e2)[k]; m != n {
			t.Errorf("%s: %d, then %d", k, n, m)
		}
	}
	// The script keeps its trailing spaces and the condition values their
	// JSON text.
	var script string
	var conds []engine.Condition
	_ = e2.View(func(v *engine.View) error {
		script = v.UDFs()[0].Script
		conds = v.Matchers()[0].Conditions
		return nil
	})
	if !strings.Contains(script, `log("x");   `+"\n") {
		t.Errorf("script %q", script)
	}
	if len(conds) != 3 || conds[0].Value != `"North"` || conds[1].Value != "60" || conds[2].Value != "null" {
		t.Errorf("conditions %+v", conds)
	}
	// Inline: the background is left out with a comment.
	xi := exportOf(t, e1, yaml.ExportOptions{Inline: true})
	if !strings.Contains(string(xi.YAML), `# The background "floor.png" is left out`) || strings.Contains(string(xi.YAML), "background:") {
		t.Errorf("inline export:\n%s", xi.YAML)
	}
}

// TestExportEmpty: an empty project exports to a file that says so.
func TestExportEmpty(t *testing.T) {
	e := openProject(t, filepath.Join(t.TempDir(), "e.twin"))
	x := exportOf(t, e, yaml.ExportOptions{})
	if !strings.HasSuffix(string(x.YAML), "[]\n") {
		t.Errorf("%s", x.YAML)
	}
	if _, err := yaml.Parse("e.yaml", x.YAML, nil); !errors.Is(err, engine.ErrInvalid) {
		t.Errorf("provisioning an empty export: %v", err)
	}
}

// TestSourceAndScript: a UDF gives its script as a file or as text, not
// both.
func TestSourceAndScript(t *testing.T) {
	in := "- name: A\n  userdefinedfunctions:\n  - name: U\n    script: ok.js\n    source: |\n      function process() {}\n"
	_, err := yaml.Parse("f.yaml", []byte(in), scripts)
	if err == nil || err.Error() != "f.yaml:5: source: give script (a file) or source (the script's text), not both" {
		t.Errorf("got %v", err)
	}
	in = "- name: A\n  userdefinedfunctions:\n  - name: U\n    source: [1]\n"
	if _, err := yaml.Parse("f.yaml", []byte(in), scripts); err == nil || !strings.HasPrefix(err.Error(), "f.yaml:4: source: want a string") {
		t.Errorf("got %v", err)
	}
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		must(t, os.MkdirAll(filepath.Dir(path), 0o755))
		must(t, os.WriteFile(path, got, 0o644))
	}
	want, err := os.ReadFile(path)
	must(t, err)
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (go test -update rewrites it):\n%s", path, diffLines(string(want), string(got)))
	}
}

// diffLines shows the first lines where a and b differ.
func diffLines(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	var out []string
	for i := 0; i < max(len(al), len(bl)) && len(out) < 20; i++ {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			out = append(out, "- "+x, "+ "+y)
		}
	}
	return strings.Join(out, "\n")
}

// TestExportLeftOut: a role assignment the format cannot express (on the
// root path "/") is left out and said so in the head comment; the rest
// of the file still provisions.
func TestExportLeftOut(t *testing.T) {
	e := openProject(t, filepath.Join(t.TempDir(), "l.twin"))
	p, err := yaml.Parse("l.yaml", []byte("- name: HQ\n  roleassignments:\n  - role: User\n    objectId: \"@example.com\"\n    objectIdType: DomainName\n"), nil)
	must(t, err)
	_, err = e.Provision(p)
	must(t, err)
	must(t, e.Update(func(tx *engine.Tx) error {
		return tx.PutRoleAssignment(&engine.RoleAssignment{RoleID: mustRole(t, "SpaceAdministrator"), ObjectID: "ops", ObjectIDType: engine.ObjectServicePrincipalID, Path: "/"})
	}))
	x := exportOf(t, e, yaml.ExportOptions{})
	if len(x.Left) != 1 || !strings.Contains(string(x.YAML), "\n# Left out: a role assignment on the path \"/\" (only assignments on a space can be written).\n") {
		t.Fatalf("left %q:\n%s", x.Left, x.YAML)
	}
	if !strings.Contains(string(x.YAML), "  roleassignments:\n  - role: User\n    objectId: '@example.com'\n    objectIdType: DomainName\n") {
		t.Errorf("the space's assignment:\n%s", x.YAML)
	}
	if _, err := yaml.Parse("x.yaml", x.YAML, nil); err != nil {
		t.Error(err)
	}
}

func mustRole(t *testing.T, name string) engine.ID {
	t.Helper()
	for _, r := range engine.SystemRoles() {
		if r.Name == name {
			return r.ID
		}
	}
	t.Fatalf("no role %s", name)
	return engine.ID{}
}
