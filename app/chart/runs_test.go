package chart

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// twoRooms is a run of two rooms on two floors: Room A (floor 1) has
// motion, CO₂ and temperature; Room B (floor 2) motion only.
func twoRooms(motionA string) Run {
	series := "time,sensor,value\n" +
		"2026-03-02T09:00:00Z,A-MOT," + motionA + "\n" +
		"2026-03-02T09:00:00Z,A-CO2,800\n" +
		"2026-03-02T09:00:00Z,A-TMP,21.5\n" +
		"2026-03-02T09:00:00Z,B-MOT,false\n" +
		"2026-03-02T09:40:00Z,A-MOT,true\n" +
		"2026-03-02T09:40:00Z,A-CO2,850\n" +
		"2026-03-02T09:40:00Z,A-TMP,21.7\n" +
		"2026-03-02T09:40:00Z,B-MOT,true\n" +
		"2026-03-02T09:40:00Z,X-UNKNOWN,1\n" +
		"not,a reading\n"
	return Run{
		Series: []byte(series),
		Sensors: map[string]Sensor{"A-MOT": {Space: "/S/F1/Room A", Kind: "Motion"}, "A-CO2": {Space: "/S/F1/Room A", Kind: "CarbonDioxide"},
			"A-TMP": {Space: "/S/F1/Room A", Kind: "Temperature"}, "B-MOT": {Space: "/S/F2/Room B", Kind: "Motion"}},
		Spaces:   []Space{{Name: "/S/F1/Room A", Floor: "/S/F1", PersonHours: 3}, {Name: "/S/F2/Room B", Floor: "/S/F2", PersonHours: 1}},
		Duration: 50 * time.Minute,
	}
}

// TestRunFigures: a run maps to the occupancy per floor, the heat map and
// the busiest rooms' CO₂ and temperature, from the readings of the
// sensors it knows; a comparison overlays the variant dashed.
func TestRunFigures(t *testing.T) {
	figs := RunFigures([]Run{twoRooms("false")})
	var files []string
	for _, f := range figs {
		files = append(files, f.File)
	}
	if got := strings.Join(files, " "); got != "occupancy_floors.png occupancy_heatmap.png co2_busiest.png temperature_busiest.png" {
		t.Fatalf("figures %s", got)
	}
	occ := figs[0].Lines
	if len(occ) != 2 || occ[0].Name != "F1" || occ[1].Name != "F2" {
		t.Fatalf("occupancy lines %+v", occ)
	}
	// Floor 1 at 09:00: Room A's motion false → 0 %; at 09:40 true → 100 %.
	if occ[0].Y[0] != 0 || occ[0].Y[1] != 100 || occ[1].Y[0] != 0 || occ[1].Y[1] != 100 {
		t.Errorf("occupancy %v %v", occ[0].Y, occ[1].Y)
	}
	// Monday 09:00: 2 of 4 motion readings true.
	if h := figs[1].Heat; h == nil || h[0][9] != 50 {
		t.Errorf("heat map Monday 09:00 = %v, want 50", h[0][9])
	}
	if co2 := figs[2].Lines; len(co2) != 1 || co2[0].Name != "Room A" || co2[0].Y[1] != 850 {
		t.Errorf("CO₂ lines %+v", co2)
	}
	// A comparison: both runs' lines, the variant's dashed and labelled.
	cmp := RunFigures([]Run{twoRooms("false"), twoRooms("true")})
	occ = cmp[0].Lines
	if len(occ) != 4 || occ[0].Name != "F1 (base)" || occ[2].Name != "F1 (variant)" || !occ[2].Dashed || occ[0].Dashed {
		t.Fatalf("compare lines %+v", occ)
	}
	if occ[2].Y[0] != 100 {
		t.Errorf("variant floor 1 at 09:00 = %v, want 100", occ[2].Y[0])
	}
	if !strings.HasSuffix(cmp[1].Title, "(base)") {
		t.Errorf("heat map title %q", cmp[1].Title)
	}
	// No readings of a kind: no figure.
	if figs := RunFigures([]Run{{Series: []byte("time,sensor,value\n")}}); len(figs) != 0 {
		t.Errorf("%d figures without readings", len(figs))
	}
	if RunFigures(nil) != nil {
		t.Error("figures of no run")
	}
}

func TestWriteFigures(t *testing.T) {
	dir := t.TempDir()
	files, err := WriteFigures(dir, RunFigures([]Run{twoRooms("true")}), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 4 {
		t.Fatalf("files %v", files)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil || !strings.HasPrefix(string(data), "\x89PNG") {
			t.Errorf("%s: not a PNG (%v)", f, err)
		}
	}
	_, err = WriteFigures(filepath.Join(dir, "missing"), RunFigures([]Run{twoRooms("true")}), nil)
	if err == nil || !strings.Contains(err.Error(), "occupancy_floors.png") {
		t.Errorf("writing into a missing folder: %v", err)
	}
}
