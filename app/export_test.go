package app_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/twinstudio/twinstudio/app"
	"github.com/twinstudio/twinstudio/engine"
)

// TestExportYAMLFile: the export of a project with a floor plan's
// background writes the YAML, the background beside it; provisioning it
// into a new project gives the same export and the same drawing. A second
// export refuses to overwrite without force and writes nothing.
func TestExportYAMLFile(t *testing.T) {
	a, _, _ := openPlanProject(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "export.yaml")
	if err := a.ExportYAMLFile(out, false); err != nil {
		t.Fatal(err)
	}
	bg := filepath.Join(dir, "plans", "building-floor-1", "floor1.svg")
	if data, err := os.ReadFile(bg); err != nil || string(data) != svgDrawing {
		t.Fatalf("background: %q, %v", data, err)
	}
	first, _ := os.ReadFile(out)
	if !strings.Contains(string(first), "background: plans/building-floor-1/floor1.svg") {
		t.Errorf("export:\n%s", first)
	}

	b, err := app.Open(filepath.Join(t.TempDir(), "b.twin"), app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if _, err := b.ProvisionFile(out); err != nil {
		t.Fatal(err)
	}
	var again bytes.Buffer
	if err := b.ExportYAML(&again); err != nil {
		t.Fatal(err)
	}
	var inline bytes.Buffer
	if err := a.ExportYAML(&inline); err != nil {
		t.Fatal(err)
	}
	if again.String() != inline.String() {
		t.Errorf("the export's project exports otherwise:\n%s\n---\n%s", inline.String(), again.String())
	}
	if _, data, err := b.PlanBackground(resolve(t, b, "/Building/Floor 1")); err != nil || string(data) != svgDrawing {
		t.Errorf("the export's background: %q, %v", data, err)
	}

	// No overwriting without force: nothing changes.
	if err := os.WriteFile(bg, []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	os.Remove(out)
	err = a.ExportYAMLFile(out, false)
	if !errors.Is(err, app.ErrFileExists) || !strings.Contains(err.Error(), bg) {
		t.Errorf("overwriting: %v", err)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a refused export wrote %s", out)
	}
	if err := a.ExportYAMLFile(out, true); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(bg); string(data) != svgDrawing {
		t.Errorf("force did not overwrite the background: %q", data)
	}
	if data, _ := os.ReadFile(out); !bytes.Equal(data, first) {
		t.Errorf("the second export differs")
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("temporary file left: %s", e.Name())
		}
	}
}

// TestExportCSV: the value history of sensors and spaces, sorted by time
// then path, in RFC 3339 UTC.
func TestExportCSV(t *testing.T) {
	a, _ := occupancyApp(t, app.Options{})
	publish(t, a, "POD-B", "MOTION-B", "true", monday.Add(time.Minute))
	publish(t, a, "POD-A", "TEMP-A", "21.5", monday.Add(time.Minute))
	publish(t, a, "POD-A", "MOTION-A", "false", monday)
	room := spaceID(t, a, "/Office/Floor 1/Room A")
	err := a.Engine().Update(func(tx *engine.Tx) error {
		_, _, err := tx.SetSpaceValue(room, "Note", engine.Value{Value: `say "hi", then go`, Time: monday.Add(2 * time.Minute)})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := a.ExportCSV(&buf); err != nil {
		t.Fatal(err)
	}
	want := app.CSVHeader + `
2026-03-02T00:00:00Z,sensor,/Office/Floor 1/Room A,MOTION-A,Motion,,false
2026-03-02T00:01:00Z,sensor,/Office/Floor 1/Room A,TEMP-A,Temperature,,21.5
2026-03-02T00:01:00Z,sensor,/Office/Floor 1/Room B,MOTION-B,Motion,,true
2026-03-02T00:02:00Z,space,/Office/Floor 1/Room A,,,Note,"say ""hi"", then go"
`
	if buf.String() != want {
		t.Errorf("got\n%s\nwant\n%s", buf.String(), want)
	}
}
