package dtdl_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/twinstudio/twinstudio/engine"
)

// richYAML has a key of every primitive type, bounds, a regex, names DTDL
// does not allow, a key named like a standard field, keys of every scope
// and custom types of the four exported categories.
const richYAML = `
- name: Campus
  type: Campus
  propertykeys:
  - {name: Level, primitiveDataType: Int, min: -5, max: 100, category: Layout, description: Floor number}
  - {name: Wing, primitiveDataType: Enum, validationData: North;South;East West}
  - {name: Tags, primitiveDataType: Set, validationData: a;b;c}
  - {name: Notes, primitiveDataType: Set}
  - {name: Opened, primitiveDataType: DateTime, min: "2000-01-01T00:00:00Z"}
  - {name: Big, primitiveDataType: Long}
  - {name: Count, primitiveDataType: UInt}
  - {name: Open, primitiveDataType: Bool}
  - {name: Extra, primitiveDataType: Json, max: 200}
  - {name: Free}
  - {name: 1st_floor, primitiveDataType: String}
  - {name: name, primitiveDataType: String}
  - {name: AssetTag, scope: Devices, primitiveDataType: String, validationData: "^AT-[0-9]{4}$"}
  - {name: Calibrated, scope: Sensors, primitiveDataType: Bool}
  - {name: Badge, scope: Users, primitiveDataType: String}
  types:
  - {category: SpaceType, name: Bench, description: A greenhouse bench}
  - {category: SpaceType, name: 3DLab}
  - {category: DeviceType, name: LeafSensor}
  - {category: SensorType, name: Capacitive}
  - {category: SensorDataType, name: LeafWetness}
  properties:
    Level: 2
    Wing: East West
    Tags: a;c
    Open: "true"
    Big: 12345678901
    Extra: '{"a":1}'
    1st_floor: yes
  spaces:
  - name: Bench 1
    type: Bench
    devices:
    - name: Leaf sensor
      type: LeafSensor
      hardwareId: LEAF-1
      properties: {AssetTag: AT-0042}
      sensors:
      - {dataType: LeafWetness, type: Capacitive, hardwareId: LEAF-1-WET, properties: {Calibrated: "true"}}
      - {type: Capacitive, hardwareId: LEAF-1-CAP}
      - {hardwareId: LEAF-1-RAW}
`

func writeFile(t testing.TB, name, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	must(t, os.WriteFile(path, []byte(text), 0o644))
	return path
}

// TestRoundTrip: export, import into a fresh project, export again: the
// same bytes; importing again changes nothing.
func TestRoundTrip(t *testing.T) {
	for _, tc := range []struct{ name, path string }{
		{"quickstart", quickstart},
		{"rich", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := tc.path
			if path == "" {
				path = writeFile(t, "rich.yaml", richYAML)
			}
			first := export(t, provisioned(t, path))
			fresh := openProject(t)
			sum, err := importData(t, fresh, "models.json", first)
			must(t, err)
			if len(sum.Warnings) != 0 {
				t.Errorf("warnings: %q", sum.Warnings)
			}
			if second := export(t, fresh); !bytes.Equal(first, second) {
				t.Fatalf("round trip differs:\n--- first\n%s\n--- second\n%s", first, second)
			}
			gen := fresh.Generation()
			sum, err = importData(t, fresh, "models.json", first)
			must(t, err)
			if tot := sum.Total(); tot.Created+tot.Updated != 0 || fresh.Generation() != gen {
				t.Fatalf("second import changed something:\n%s", sum)
			}
		})
	}
}

// TestRichKeys: the keys come back with their definitions.
func TestRichKeys(t *testing.T) {
	data := export(t, provisioned(t, writeFile(t, "rich.yaml", richYAML)))
	fresh := openProject(t)
	sum, err := importData(t, fresh, "models.json", data)
	must(t, err)
	if c := sum.Counts[engine.KindPropertyKey]; c.Created != 14 {
		t.Errorf("keys created: %+v, want 14 (name collides with a standard field)", c)
	}
	if c := sum.Counts[engine.KindType]; c.Created != 5 { // Bench, 3DLab, LeafSensor, Capacitive, LeafWetness
		t.Errorf("types: %+v, want 5 created", c)
	}
	want := map[string]engine.PropertyKey{
		"Level":     {Scope: "Spaces", PrimitiveDataType: "Int", Min: "-5", Max: "100", Category: "Layout", Description: "Floor number"},
		"Wing":      {Scope: "Spaces", PrimitiveDataType: "Enum", ValidationData: "North;South;East West"},
		"1st_floor": {Scope: "Spaces", PrimitiveDataType: "String"},
		"Free":      {Scope: "Spaces", PrimitiveDataType: "None"},
		"Extra":     {Scope: "Spaces", PrimitiveDataType: "Json", Max: "200"},
		"AssetTag":  {Scope: "Devices", PrimitiveDataType: "String", ValidationData: "^AT-[0-9]{4}$"},
		"Badge":     {Scope: "Users", PrimitiveDataType: "String"},
	}
	must(t, fresh.View(func(v *engine.View) error {
		for _, k := range v.PropertyKeys() {
			w, ok := want[k.Name]
			if !ok {
				continue
			}
			w.ID, w.Name = k.ID, k.Name
			if *k != w {
				t.Errorf("key %s = %+v, want %+v", k.Name, *k, w)
			}
			delete(want, k.Name)
		}
		return nil
	}))
	if len(want) != 0 {
		t.Errorf("keys missing: %v", want)
	}
}
