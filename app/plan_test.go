package app_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/twinstudio/twinstudio/app"
	"github.com/twinstudio/twinstudio/engine"
	"github.com/twinstudio/twinstudio/engine/bbolt"
)

const planProvision = `- name: Building
  type: Venue
  spaces:
  - name: Floor 1
    type: Floor
    plan:
      background: floor1.svg
      rooms:
      - space: Room A
        rect: [1, 1, 8, 6]
    spaces:
    - name: Room A
      type: Room
    - name: Area
      type: Area
      spaces:
      - name: Desk 3
  - name: Lobby
    type: Room
`

const svgDrawing = `<?xml version="1.0"?>
<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>`

var pngDrawing = []byte("\x89PNG\r\n\x1a\n0000")

// openPlanProject provisions planProvision (with its SVG background) into
// a new project and returns the app and the floor's id.
func openPlanProject(t *testing.T) (*app.App, string, engine.ID) {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "floor1.svg"), []byte(svgDrawing), 0o644); err != nil {
		t.Fatal(err)
	}
	yml := filepath.Join(dir, "provision.yaml")
	if err := os.WriteFile(yml, []byte(planProvision), 0o644); err != nil {
		t.Fatal(err)
	}
	project := filepath.Join(dir, "p.twin")
	a, err := app.Open(project, app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	if _, err := a.ProvisionFile(yml); err != nil {
		t.Fatal(err)
	}
	return a, project, resolve(t, a, "/Building/Floor 1")
}

func resolve(t *testing.T, a *app.App, path string) engine.ID {
	t.Helper()
	var id engine.ID
	err := a.Engine().View(func(v *engine.View) error {
		var err error
		id, err = v.ResolveSpace(path)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestFloorPlanYAML(t *testing.T) {
	a, _, floor := openPlanProject(t)
	got, err := a.FloorPlanYAML(floor)
	want := "plan:\n    width: 40\n    height: 25\n    background: floor1.svg\n    rooms:\n        - space: Room A\n          rect: [1, 1, 8, 6]\n"
	if err != nil || got != want {
		t.Fatalf("FloorPlanYAML: %v\n%s\nwant\n%s", err, got, want)
	}
	if _, err := a.FloorPlanYAML(resolve(t, a, "/Building")); !errors.Is(err, engine.ErrNotFound) {
		t.Errorf("no plan: %v", err)
	}
}

func TestFloors(t *testing.T) {
	a, _, floor := openPlanProject(t)
	want := []engine.ID{resolve(t, a, "/Building"), floor, resolve(t, a, "/Building/Floor 1/Area")}
	if got := a.Floors(); !reflect.DeepEqual(got, want) {
		t.Fatalf("Floors() = %v, want %v (Building, Floor 1, Area)", got, want)
	}
}

// TestPlanBackgrounds checks the background provisioning kept, then sets
// others, refusing what is not a drawing.
func TestPlanBackgrounds(t *testing.T) {
	a, project, floor := openPlanProject(t)
	name, data, err := a.PlanBackground(floor)
	if err != nil || name != "floor1.svg" || string(data) != svgDrawing {
		t.Fatalf("provisioned background: %q %q %v", name, data, err)
	}
	if p, ok := a.FloorPlan(floor); !ok || len(p.Shapes) != 1 || p.Background != "floor1.svg" {
		t.Fatalf("plan %+v", p)
	}
	tests := []struct {
		name string
		data []byte
		want error
	}{
		{"text", []byte("hello"), engine.ErrInvalid},
		{"jpeg", []byte("\xff\xd8\xff\xe0"), engine.ErrInvalid},
		{"too large", append(append([]byte(nil), pngDrawing...), make([]byte, app.MaxPlanBackground)...), engine.ErrInvalid},
	}
	for _, tt := range tests {
		if err := a.SetPlanBackground(floor, tt.name, tt.data); !errors.Is(err, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, err, tt.want)
		}
	}
	if _, data, _ := a.PlanBackground(floor); string(data) != svgDrawing {
		t.Fatal("a refused background replaced the drawing")
	}
	if err := a.SetPlanBackground(engine.NewID(), "x.png", pngDrawing); !errors.Is(err, engine.ErrNotFound) {
		t.Errorf("unknown floor: %v", err)
	}
	lobby := resolve(t, a, "/Building/Lobby")
	if _, _, err := a.PlanBackground(lobby); !errors.Is(err, engine.ErrNotFound) {
		t.Errorf("no background: %v", err)
	}
	if err := a.SetPlanBackground(lobby, "/tmp/drawings/lobby.png", pngDrawing); err != nil {
		t.Fatal(err)
	}
	// A drawing that says its size gives the plan its proportions: the
	// width stays, the height follows (200 × 50 px: a quarter).
	wide := `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 50"></svg>`
	if err := a.SetPlanBackground(floor, "wide.svg", []byte(wide)); err != nil {
		t.Fatal(err)
	}
	if p, _ := a.FloorPlan(floor); p.Height != p.Width/4 || p.Background != "wide.svg" {
		t.Errorf("plan %v × %v with %q, want the height a quarter of the width", p.Width, p.Height, p.Background)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	a, err = app.Open(project, app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	name, data, err = a.PlanBackground(lobby)
	if err != nil || name != "lobby.png" || !bytes.Equal(data, pngDrawing) {
		t.Fatalf("after reopen: %q %q %v", name, data, err)
	}
	if kind, err := app.PlanBackgroundKind(data); kind != "png" || err != nil {
		t.Errorf("kind %q %v", kind, err)
	}
}

func TestProvisionRefusesBadBackground(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "floor1.svg"), []byte("not a drawing"), 0o644); err != nil {
		t.Fatal(err)
	}
	yml := filepath.Join(dir, "provision.yaml")
	if err := os.WriteFile(yml, []byte(planProvision), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := app.ReadPlan(yml)
	if !errors.Is(err, engine.ErrInvalid) || !strings.Contains(err.Error(), "provision.yaml:7: plan.background: floor1.svg: ") {
		t.Fatalf("err %v", err)
	}
}

const geoRooms = `{"type": "FeatureCollection", "features": [
 {"type": "Feature", "properties": {"name": "Room A"},
  "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [10, 0], [10, 5], [0, 5], [0, 0]]]}},
 {"type": "Feature", "properties": {"space": "Area/Desk 3"},
  "geometry": {"type": "MultiPolygon", "coordinates": [[[[10, 0], [14, 0], [14, 5], [10, 0]]], [[[50, 50], [51, 50], [51, 51]]]]}},
 {"type": "Feature", "properties": {"name": "Storage"},
  "geometry": {"type": "Polygon", "coordinates": [[[0, 5], [4, 5], [4, 8], [0, 8]]]}}
]}`

// geoLonLat is a 20 m x 10 m building near Greenwich, one room.
const geoLonLat = `{"type": "FeatureCollection", "features": [
 {"type": "Feature", "properties": {"name": "Room A"},
  "geometry": {"type": "Polygon", "coordinates": [[[0, 51.5], [0.000288, 51.5], [0.000288, 51.50009], [0, 51.50009], [0, 51.5]]]}}
]}`

func TestImportGeoJSON(t *testing.T) {
	a, _, floor := openPlanProject(t)
	roomA, desk := resolve(t, a, "/Building/Floor 1/Room A"), resolve(t, a, "/Building/Floor 1/Area/Desk 3")
	p, linked, err := a.ImportGeoJSON(floor, []byte(geoRooms))
	if err != nil {
		t.Fatal(err)
	}
	if linked != 2 || len(p.Shapes) != 3 || p.Shapes[0].SpaceID != roomA || p.Shapes[1].SpaceID != desk || !p.Shapes[2].SpaceID.IsZero() {
		t.Fatalf("linked %d, shapes %+v", linked, p.Shapes)
	}
	// Y flipped (north up) and moved one unit in: Room A spans y 0..5,
	// the top of the drawing is y 8.
	if got := p.Shapes[0].Points; !reflect.DeepEqual(got, []engine.PlanPoint{{X: 1, Y: 9}, {X: 11, Y: 9}, {X: 11, Y: 4}, {X: 1, Y: 4}}) {
		t.Errorf("Room A at %v", got)
	}
	if p.Background != "floor1.svg" || p.Scale != 0 {
		t.Errorf("kept fields changed: %+v", p)
	}
	if cur, _ := a.FloorPlan(floor); len(cur.Shapes) != 1 {
		t.Fatal("ImportGeoJSON applied the plan")
	}
	ed := engine.NewEditor(a.Engine(), 0)
	if err := ed.Do("Import rooms", func(tx *engine.Tx) error { return tx.PutFloorPlan(p) }); err != nil {
		t.Fatal(err)
	}
	if _, err := ed.Undo(); err != nil {
		t.Fatal(err)
	}
	if cur, _ := a.FloorPlan(floor); len(cur.Shapes) != 1 {
		t.Fatal("undo did not bring the old plan back")
	}

	p, linked, err = a.ImportGeoJSON(floor, []byte(geoLonLat))
	if err != nil || linked != 1 || p.Scale != 1 {
		t.Fatalf("lon/lat: %v, %d linked, scale %v", err, linked, p.Scale)
	}
	if w, h := p.Shapes[0].Points[1].X-p.Shapes[0].Points[0].X, p.Shapes[0].Points[0].Y-p.Shapes[0].Points[2].Y; w < 19.5 || w > 20.5 || h < 9.5 || h > 10.5 {
		t.Errorf("projected to %.2f x %.2f m, want about 20 x 10", w, h)
	}
}

func TestImportGeoJSONErrors(t *testing.T) {
	a, _, floor := openPlanProject(t)
	poly := `{"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1]]]}`
	feature := func(geom string) string {
		return `{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}, "geometry": ` + poly + `},
			{"type": "Feature", "properties": {"name": "Room A"}, "geometry": ` + geom + `}]}`
	}
	tests := []struct{ name, in, want string }{
		{"not JSON", `{`, "not GeoJSON"},
		{"a feature", `{"type": "Feature"}`, `type: want FeatureCollection, got "Feature"`},
		{"no features", `{"type": "FeatureCollection", "features": []}`, "features: no features"},
		{"a point", feature(`{"type": "Point", "coordinates": [1, 2]}`), `features[1].geometry: want a Polygon or MultiPolygon, got "Point"`},
		{"no geometry", feature(`null`), "features[1].geometry: missing"},
		{"two points", feature(`{"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [0, 0]]]}`), "features[1].geometry.coordinates[0]: 2 distinct points"},
		{"bad coordinates", feature(`{"type": "Polygon", "coordinates": [0, 1]}`), "features[1].geometry.coordinates: want a list of rings"},
		{"short position", feature(`{"type": "Polygon", "coordinates": [[[0], [1, 1], [0, 1]]]}`), "features[1].geometry.coordinates[0][0]: want [x, y]"},
		{"room twice", `{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"name": "Room A"}, "geometry": ` + poly + `},
			{"type": "Feature", "properties": {"name": "room a"}, "geometry": ` + poly + `}]}`, `features[1].properties.name: "room a" is drawn already by features[0]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := a.ImportGeoJSON(floor, []byte(tt.in))
			if !errors.Is(err, engine.ErrInvalid) || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("err %v, want ErrInvalid naming %q", err, tt.want)
			}
		})
	}
	if _, _, err := a.ImportGeoJSON(engine.NewID(), []byte(geoRooms)); !errors.Is(err, engine.ErrNotFound) {
		t.Errorf("unknown floor: %v", err)
	}
}

// FuzzImportGeoJSON checks that the importer never panics, that its
// errors are one line, and that what it returns is a plan the engine
// accepts.
//
//	go test -fuzz=FuzzImportGeoJSON ./app/
func FuzzImportGeoJSON(f *testing.F) {
	f.Add([]byte(geoRooms))
	f.Add([]byte(geoLonLat))
	f.Add([]byte(`{"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [[[1e300, 0], [0, 1], [1, 1]]]}}]}`))
	dir := f.TempDir()
	yml := filepath.Join(dir, "provision.yaml")
	if err := os.WriteFile(yml, []byte(strings.Replace(planProvision, "      background: floor1.svg\n", "", 1)), 0o644); err != nil {
		f.Fatal(err)
	}
	a, err := app.Open(filepath.Join(dir, "p.twin"), app.Options{})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { a.Close() })
	if _, err := a.ProvisionFile(yml); err != nil {
		f.Fatal(err)
	}
	var floor engine.ID
	_ = a.Engine().View(func(v *engine.View) error { floor, err = v.ResolveSpace("/Building/Floor 1"); return nil })
	f.Fuzz(func(t *testing.T, data []byte) {
		p, _, err := a.ImportGeoJSON(floor, data)
		if err != nil {
			if strings.ContainsAny(err.Error(), "\r\n") || !errors.Is(err, engine.ErrInvalid) {
				t.Fatalf("bad error %q", err)
			}
			return
		}
		err = a.Engine().Update(func(tx *engine.Tx) error {
			if err := tx.PutFloorPlan(p.Clone()); err != nil {
				return err
			}
			return errors.New("roll back")
		})
		if err.Error() != "roll back" {
			t.Fatalf("the engine refuses the imported plan: %v", err)
		}
	})
}

// TestPlanBackgroundUndo: setting, replacing and removing a background
// through an Editor are undone and redone, drawing included; a drawing
// of a name the floor already keeps for another drawing gets a name of
// its own. A project file of the floor's one drawing (before drawings
// were kept by name) still shows it, and keeps it for undo once replaced.
func TestPlanBackgroundUndo(t *testing.T) {
	a, project, floor := openPlanProject(t)
	// Make it an older project file: the floor's drawing in its one blob.
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	st, err := bbolt.Open(project, bbolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	legacy, named := "plan-bg/"+floor.String(), "plan-bg/"+floor.String()+"/floor1.svg"
	if err := st.WriteBlobs(map[string][]byte{legacy: []byte(svgDrawing)}, []string{named}); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if a, err = app.Open(project, app.Options{}); err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	ed := engine.NewEditor(a.Engine(), 0)
	shows := func(what, wantName string, wantData []byte) {
		t.Helper()
		name, data, err := a.PlanBackground(floor)
		if wantName == "" {
			if !errors.Is(err, engine.ErrNotFound) {
				t.Errorf("%s: background %q, %v; want none", what, name, err)
			}
			return
		}
		if err != nil || name != wantName || !bytes.Equal(data, wantData) {
			t.Errorf("%s: background %q (%d bytes), %v; want %q (%d bytes)", what, name, len(data), err, wantName, len(wantData))
		}
	}
	do := func(name string, data []byte) {
		t.Helper()
		label, fn, err := a.PlanBackgroundEdit(floor, name, data)
		if err != nil {
			t.Fatal(err)
		}
		if err := ed.Do(label, fn); err != nil {
			t.Fatal(err)
		}
	}
	step := func(undo bool) {
		t.Helper()
		f := ed.Redo
		if undo {
			f = ed.Undo
		}
		if _, err := f(); err != nil {
			t.Fatal(err)
		}
	}
	svg2 := []byte(strings.Replace(svgDrawing, `height="10"/>`, `height="5"/>`, 1))
	shows("older file", "floor1.svg", []byte(svgDrawing))
	do("other/floor1.svg", svg2) // same name, another drawing
	shows("replaced", "floor1 (2).svg", svg2)
	do("plan.png", pngDrawing)
	shows("png", "plan.png", pngDrawing)
	do("floor1.svg", []byte(svgDrawing)) // the first drawing again: its name
	shows("first again", "floor1.svg", []byte(svgDrawing))
	do("", nil)
	shows("removed", "", nil)
	if _, fn, err := a.PlanBackgroundEdit(floor, "", nil); err != nil || !errors.Is(ed.Do("again", fn), engine.ErrNotFound) {
		t.Errorf("removing no background: %v", err)
	}

	step(true)
	shows("undo remove", "floor1.svg", []byte(svgDrawing))
	step(true)
	step(true)
	shows("undo png", "floor1 (2).svg", svg2)
	step(true)
	shows("undo replace", "floor1.svg", []byte(svgDrawing))
	step(false)
	shows("redo replace", "floor1 (2).svg", svg2)
	if _, _, err := a.PlanBackgroundEdit(engine.NewID(), "x.png", pngDrawing); !errors.Is(err, engine.ErrNotFound) {
		t.Errorf("unknown floor: %v", err)
	}
}
