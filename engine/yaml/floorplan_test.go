package yaml_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/twinstudio/twinstudio/engine"
	"github.com/twinstudio/twinstudio/engine/bbolt"
	"github.com/twinstudio/twinstudio/engine/yaml"
)

const planYAML = `- name: Building
  type: Venue
  spaces:
  - name: Floor 1
    type: Floor
    plan:
      scale: 0.5
      width: 80
      height: 50
      grid: 1
      background: floor1.png
      rooms:
      - space: Room A
        rect: [0, 0, 10, 8]
      - space: Area/Desk 3
        polygon: [[0, 10], [4, 10], [2, 14]]
      devices:
      - hardwareId: PI-1
        at: [2, 2]
      - hardwareId: PI-1-T
        at: [3, 2.5]
    spaces:
    - name: Room A
      type: Room
      devices:
      - name: Pi
        hardwareId: PI-1
        sensors:
        - hardwareId: PI-1-T
          dataType: Temperature
    - name: Area
      type: Area
      spaces:
      - name: Desk 3
`

var pngBytes = []byte("\x89PNG\r\n\x1a\nfake image data")

func writePlanFiles(t *testing.T, text string) string {
	t.Helper()
	dir := t.TempDir()
	must(t, os.WriteFile(filepath.Join(dir, "floor1.png"), pngBytes, 0o644))
	path := filepath.Join(dir, "provision.yaml")
	must(t, os.WriteFile(path, []byte(text), 0o644))
	return path
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func openProject(t testing.TB, path string) *engine.Engine {
	t.Helper()
	st, err := bbolt.Open(path, bbolt.Options{})
	must(t, err)
	e, err := engine.New(st, engine.Options{})
	must(t, err)
	t.Cleanup(func() { e.Close() })
	return e
}

// TestProvisionFloorPlan provisions a floor with a plan, checks it, and
// provisions it again (nothing changes) and after a reopen.
func TestProvisionFloorPlan(t *testing.T) {
	p, err := yaml.ReadFile(writePlanFiles(t, planYAML))
	must(t, err)
	fp := p.Spaces[0].Spaces[0].Plan
	if fp == nil || !bytes.Equal(fp.BackgroundData, pngBytes) || len(fp.Rooms) != 2 || len(fp.Devices) != 2 {
		t.Fatalf("plan block read as %+v", fp)
	}
	project := filepath.Join(t.TempDir(), "p.twin")
	e := openProject(t, project)
	sum, err := e.Provision(p)
	must(t, err)
	if c := sum.Counts[engine.KindFloorPlan]; c == nil || c.Created != 1 {
		t.Fatalf("summary:\n%s", sum)
	}
	if !strings.Contains(sum.String(), "floor plans") {
		t.Errorf("summary does not list floor plans:\n%s", sum)
	}
	if len(sum.Backgrounds) != 1 || sum.Backgrounds[0].Name != "floor1.png" || !bytes.Equal(sum.Backgrounds[0].Data, pngBytes) {
		t.Errorf("backgrounds %+v", sum.Backgrounds)
	}
	want := checkProvisionedPlan(t, e)
	sum, err = e.Provision(p)
	must(t, err)
	if tot := sum.Total(); tot.Created != 0 || tot.Updated != 0 || sum.Counts[engine.KindFloorPlan].Unchanged != 1 {
		t.Fatalf("second provisioning changed things:\n%s", sum)
	}
	e.Close()
	e = openProject(t, project)
	if got := checkProvisionedPlan(t, e); !reflect.DeepEqual(got, want) {
		t.Fatalf("after reopen %+v, want %+v", got, want)
	}
}

func checkProvisionedPlan(t *testing.T, e *engine.Engine) *engine.FloorPlan {
	t.Helper()
	var out *engine.FloorPlan
	must(t, e.View(func(v *engine.View) error {
		floor, err := v.ResolveSpace("/Building/Floor 1")
		must(t, err)
		room, _ := v.ResolveSpace("/Building/Floor 1/Room A")
		desk, _ := v.ResolveSpace("/Building/Floor 1/Area/Desk 3")
		dev, _ := v.DeviceByHardwareID("PI-1")
		sen, _ := v.SensorByHardwareID("PI-1-T")
		p, ok := v.FloorPlan(floor)
		if !ok {
			t.Fatal("no plan")
		}
		want := &engine.FloorPlan{FloorID: floor, Scale: 0.5, Width: 80, Height: 50, Grid: 1, Background: "floor1.png",
			Shapes: []engine.PlanShape{{SpaceID: room, Points: engine.Rect(0, 0, 10, 8)},
				{SpaceID: desk, Points: []engine.PlanPoint{{X: 0, Y: 10}, {X: 4, Y: 10}, {X: 2, Y: 14}}}},
			Items: []engine.PlanItem{{ID: dev.ID, X: 2, Y: 2}, {ID: sen.ID, X: 3, Y: 2.5}}}
		if !reflect.DeepEqual(p, want) {
			t.Fatalf("plan %+v, want %+v", p, want)
		}
		out = p
		return nil
	}))
	return out
}

func TestFloorPlanNull(t *testing.T) {
	p, err := yaml.Parse("f.yaml", []byte("- name: HQ\n  plan: ~\n  spaces: [{name: Room}]\n"), nil)
	must(t, err)
	if p.Spaces[0].Plan != nil {
		t.Fatalf("plan: ~ read as %+v", p.Spaces[0].Plan)
	}
}

// TestFloorPlanYAMLErrors checks that bad plan blocks are refused with
// the file, the line and the field, and change nothing.
func TestFloorPlanYAMLErrors(t *testing.T) {
	tests := []struct {
		name, old, new string
		want           string
		is             error
	}{
		{"unknown key", "      grid: 1\n", "      gird: 1\n", `provision.yaml:10: unknown key "gird" in plan`, yaml.ErrUnknownKey},
		{"negative scale", "scale: 0.5", "scale: -2", "provision.yaml:7: plan.scale: want a number from 0", engine.ErrInvalid},
		{"text width", "width: 80", "width: wide", "provision.yaml:8: plan.width: want a number, got", engine.ErrInvalid},
		{"short rect", "rect: [0, 0, 10, 8]", "rect: [0, 0, 10]", "provision.yaml:14: plan.rooms[0].rect: want a list of 4 numbers", engine.ErrInvalid},
		{"empty rect", "rect: [0, 0, 10, 8]", "rect: [0, 0, 0, 8]", "provision.yaml:14: plan.rooms[0].rect: width and height must be positive", engine.ErrInvalid},
		{"both shapes", "rect: [0, 0, 10, 8]", "rect: [0, 0, 10, 8]\n        polygon: [[0, 0], [1, 0], [0, 1]]", "provision.yaml:15: plan.rooms[0].polygon: give rect or polygon, not both", engine.ErrInvalid},
		{"no shape", "        rect: [0, 0, 10, 8]\n", "", "provision.yaml:13: plan.rooms[0].rect: missing", engine.ErrInvalid},
		{"two-point polygon", "[[0, 10], [4, 10], [2, 14]]", "[[0, 10], [4, 10]]", "provision.yaml:16: plan.rooms[1].polygon: want a list of 3 to", engine.ErrInvalid},
		{"bad point", "[[0, 10], [4, 10], [2, 14]]", "[[0, 10], [4, 10], [2]]", "provision.yaml:16: plan.rooms[1].polygon[2]: want a list of 2 numbers", engine.ErrInvalid},
		{"unknown room", "space: Area/Desk 3", "space: Area/Desk 9", `provision.yaml:15: plan.rooms[1].space: engine: not found: no space "Desk 9" under /Building/Floor 1/Area`, engine.ErrNotFound},
		{"room twice", "space: Area/Desk 3", "space: room a", `provision.yaml:15: plan.rooms[1].space: `, engine.ErrDuplicate},
		{"unknown device", "hardwareId: PI-1-T\n        at", "hardwareId: PI-9\n        at", `provision.yaml:20: plan.devices[1].hardwareId: engine: not found: no device or sensor with hardwareId "PI-9"`, engine.ErrNotFound},
		{"no position", "        at: [3, 2.5]\n", "", "provision.yaml:20: plan.devices[1].at: missing", engine.ErrInvalid},
		{"missing background", "background: floor1.png", "background: floor2.png", `provision.yaml:11: plan.background: cannot read "floor2.png": no such file`, engine.ErrInvalid},
		{"background outside", "background: floor1.png", "background: ../floor1.png", `provision.yaml:11: plan.background: cannot read "../floor1.png"`, engine.ErrInvalid},
		{"plan on a room", "      type: Room\n", "      type: Room\n      plan: {rooms: []}\n", `provision.yaml:25: plan: engine: invalid: space "Room A" holds no rooms`, engine.ErrInvalid},
		{"plan not a map", "    type: Floor\n    plan:\n", "    type: Floor\n    plan: 3\n    description:\n", "provision.yaml:6: plan: want a plan (a map of keys)", engine.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(planYAML, tt.old) {
				t.Fatalf("test case does not apply: %q", tt.old)
			}
			path := writePlanFiles(t, strings.Replace(planYAML, tt.old, tt.new, 1))
			e := openProject(t, filepath.Join(t.TempDir(), "p.twin"))
			p, err := yaml.ReadFile(path)
			if err == nil {
				_, err = e.Provision(p)
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) || !errors.Is(err, tt.is) {
				t.Fatalf("err %v\nwant one with %q wrapping %v", err, tt.want, tt.is)
			}
			var pe *engine.PosError
			if !errors.As(err, &pe) || strings.ContainsAny(err.Error(), "\n") {
				t.Fatalf("not a one-line *PosError: %#v", err)
			}
			must(t, e.View(func(v *engine.View) error {
				if len(v.Roots()) != 0 || len(v.FloorPlans()) != 0 {
					t.Error("a refused file changed the project")
				}
				return nil
			}))
		})
	}
}

// TestFloorPlanBlockRoundTrip writes the provisioned plan back as a
// `plan:` block, provisions the file with that block into a new project
// and finds the same plan, and the same block.
func TestFloorPlanBlockRoundTrip(t *testing.T) {
	p, err := yaml.ReadFile(writePlanFiles(t, planYAML))
	must(t, err)
	e := openProject(t, filepath.Join(t.TempDir(), "a.twin"))
	_, err = e.Provision(p)
	must(t, err)
	block := planBlockOf(t, e)
	start := strings.Index(planYAML, "    plan:\n")
	end := strings.Index(planYAML, "    spaces:\n    - name: Room A")
	again := planYAML[:start] + block + planYAML[end:]
	p, err = yaml.ReadFile(writePlanFiles(t, again))
	must(t, err)
	e2 := openProject(t, filepath.Join(t.TempDir(), "b.twin"))
	_, err = e2.Provision(p)
	must(t, err)
	checkProvisionedPlan(t, e2)
	if b2 := planBlockOf(t, e2); b2 != block {
		t.Errorf("block after the round trip:\n%s\nwant:\n%s", b2, block)
	}
	if !strings.Contains(block, "rect: [0, 0, 10, 8]") || !strings.Contains(block, "polygon: [[0, 10], [4, 10], [2, 14]]") ||
		!strings.Contains(block, "space: Area/Desk 3") || !strings.HasPrefix(block, "    plan:\n        scale: 0.5\n") {
		t.Errorf("block:\n%s", block)
	}
}

func planBlockOf(t *testing.T, e *engine.Engine) string {
	t.Helper()
	var block string
	must(t, e.View(func(v *engine.View) error {
		ps := v.FloorPlans()
		if len(ps) != 1 {
			t.Fatalf("%d plans", len(ps))
		}
		var err error
		block, err = yaml.FloorPlanBlock(v, ps[0], 4)
		return err
	}))
	return block
}
