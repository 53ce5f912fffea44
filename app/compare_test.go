package app_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/twinstudio/twinstudio/app"
	"github.com/twinstudio/twinstudio/app/chart"
	"github.com/twinstudio/twinstudio/engine"
	"github.com/twinstudio/twinstudio/simulator"
)

// officeCompare installs the smart office and compares week.yaml with
// more-people.yaml, both shortened to a working morning.
func officeCompare(t *testing.T) (*app.App, string, *app.Comparison) {
	t.Helper()
	dir, project := installOffice(t)
	a, err := app.Open(project, app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { closeWithin(a, 30*time.Second) })
	load := func(name string) *simulator.Scenario {
		sc, err := simulator.LoadScenario(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		sc.Start = sc.Start.Add(8 * time.Hour) // Monday 08:00
		sc.Duration = 2 * time.Hour
		return sc
	}
	base, variant := load("week.yaml"), load("more-people.yaml")
	variant.Seed = 7 // CompareScenarios uses base's
	c, err := a.CompareScenarios(t.Context(), base, variant, app.SimOptions{Speed: 60})
	if err != nil {
		t.Fatal(err)
	}
	return a, project, c
}

// TestCompareScenarios: the what-if runs both scenarios with the same seed
// on copies (the project keeps no virtual device or value of them), fills
// base, variant and delta with the better side, and draws the overlay
// charts of both runs. A rerun gives the same comparison.
func TestCompareScenarios(t *testing.T) {
	a, _, c := officeCompare(t)
	if c.Base.Result.Seed != c.Variant.Result.Seed || c.Base.Result.Seed != 42 {
		t.Errorf("seeds %d and %d, want 42 both", c.Base.Result.Seed, c.Variant.Result.Seed)
	}
	if len(c.Base.Series) == 0 || len(c.Variant.Series) == 0 {
		t.Fatal("the runs were not recorded")
	}
	rows := map[string]app.KPIRow{}
	for _, r := range c.Rows {
		rows[r.Scope+"/"+r.Name+"/"+r.KPI] = r
	}
	ph := rows["run//person_hours"]
	if ph.Base == "" || ph.Variant == "" || ph.Delta == "" || ph.Unit != "h" || ph.Better != app.BetterNone {
		t.Errorf("person_hours row %+v: want both values, a delta, no better side", ph)
	}
	if ph.Base == ph.Variant || strings.HasPrefix(ph.Delta, "-") {
		t.Errorf("30 %% more people give the same person-hours: %+v", ph)
	}
	co2 := rows["run//co2_hours_above_1000"]
	cb, _ := strconv.ParseFloat(co2.Base, 64)
	cv, _ := strconv.ParseFloat(co2.Variant, 64)
	want := app.BetterNone
	switch {
	case cv > cb:
		want = app.BetterBase
	case cv < cb:
		want = app.BetterVariant
	}
	if co2.Base == "" || co2.Better != want {
		t.Errorf("co2 row %+v: better %v, want %v (lower is better)", co2, co2.Better, want)
	}
	better := 0
	for _, r := range c.Rows {
		if r.Better != app.BetterNone {
			better++
		}
	}
	if better == 0 {
		t.Error("no KPI has a better side")
	}
	figs := c.Figures()
	if len(figs) == 0 {
		t.Fatal("no figures")
	}
	if img, err := figs[0].Draw(); err != nil || img.Bounds().Dx() == 0 {
		t.Errorf("Draw: %v", err)
	}
	if app.KPIDirection("co2_hours_above_1000") != -1 || app.KPIDirection("ev_energy_delivered") != 1 || app.KPIDirection("person_hours") != 0 {
		t.Error("KPI directions")
	}
	// The project itself ran nothing.
	if st := a.Pipeline().Stats(); st.Accepted != 0 {
		t.Errorf("the project accepted %d readings", st.Accepted)
	}
	_, _, c2 := officeCompare(t)
	if !bytes.Equal(c.KPIs(), c2.KPIs()) || !bytes.Equal(c.Variant.Series, c2.Variant.Series) {
		t.Error("a rerun of the comparison differs")
	}
	dir := t.TempDir()
	files, err := c.WriteOutputs(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"kpis.csv", "summary.txt", "series.csv", "series_variant.csv", "spaces.csv", "spaces_variant.csv"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("%s not written: %v", f, err)
		}
	}
	if len(files) <= 6 {
		t.Errorf("no charts written: %v", files)
	}
	if _, err := a.CompareScenarios(t.Context(), nil, c.Base.Scenario, app.SimOptions{}); err == nil {
		t.Error("a comparison without a base")
	}
}

// TestRunList: finished runs and comparisons are kept in the project file,
// listed newest first, opened again with their KPIs and charts, exported
// as the folder `twin simulate --out` writes, deleted, and bounded; they
// survive closing and reopening the project.
func TestRunList(t *testing.T) {
	a, project, c := officeCompare(t)
	if runs := a.Runs(); len(runs) != 0 {
		t.Fatalf("a new project has runs %v", runs)
	}
	ci, err := a.SaveRun("", c)
	if err != nil {
		t.Fatal(err)
	}
	if !ci.Compare || ci.Name != c.Base.Result.Scenario+" vs "+c.Variant.Result.Scenario || ci.Size == 0 || ci.Duration != 2*time.Hour {
		t.Errorf("comparison saved as %+v", ci)
	}
	ri, err := a.SaveRun("morning", c.Base)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.SaveRun("x", &app.SimReport{Result: c.Base.Result, Scenario: c.Base.Scenario}); !errors.Is(err, engine.ErrInvalid) {
		t.Errorf("saving a run without series: %v, want ErrInvalid", err)
	}
	if err := closeWithin(a, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	a, err = app.Open(project, app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer closeWithin(a, 30*time.Second)
	runs := a.Runs()
	if len(runs) != 2 || runs[0] != ri || runs[1] != ci {
		t.Fatalf("runs after reopening %+v, want %+v then %+v", runs, ri, ci)
	}
	s, err := a.OpenRun(ci.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(s.Rows, c.Rows) {
		t.Errorf("reopened rows differ:\n%+v\nwant\n%+v", s.Rows[:3], c.Rows[:3])
	}
	if len(s.Figures()) != len(c.Figures()) || !bytes.Equal(s.File("series_variant.csv"), c.Variant.Series) {
		t.Error("reopened figures or series differ")
	}
	one, err := a.OpenRun(ri.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(one.Rows) == 0 || one.Rows[0].Base == "" || one.Rows[0].Variant != "" {
		t.Errorf("a single run's rows %+v", one.Rows[:1])
	}
	dir := filepath.Join(t.TempDir(), "out")
	if _, err := a.ExportRun(ri.ID, dir); err != nil {
		t.Fatal(err)
	}
	want := t.TempDir()
	if _, err := c.Base.WriteOutputs(want); err != nil {
		t.Fatal(err)
	}
	if got, exp := names(t, dir), names(t, want); !reflect.DeepEqual(got, exp) {
		t.Errorf("export wrote %v, want %v", got, exp)
	}
	for _, f := range []string{"kpis.csv", "series.csv", "spaces.csv", "summary.txt"} {
		g, _ := os.ReadFile(filepath.Join(dir, f))
		w, _ := os.ReadFile(filepath.Join(want, f))
		if !bytes.Equal(g, w) {
			t.Errorf("exported %s differs from the run's", f)
		}
	}
	if err := a.DeleteRun(ri.ID); err != nil {
		t.Fatal(err)
	}
	if err := a.DeleteRun(ri.ID); !errors.Is(err, engine.ErrNotFound) {
		t.Errorf("deleting twice: %v, want ErrNotFound", err)
	}
	if _, err := a.OpenRun(ri.ID); !errors.Is(err, engine.ErrNotFound) {
		t.Errorf("opening a deleted run: %v", err)
	}
	for i := 0; i < app.MaxSavedRuns; i++ {
		if _, err := a.SaveRun("", c.Base); err != nil {
			t.Fatal(err)
		}
	}
	runs = a.Runs()
	if len(runs) != app.MaxSavedRuns || runs[len(runs)-1].ID == ci.ID {
		t.Errorf("%d runs kept, oldest %s; want %d without the comparison", len(runs), runs[len(runs)-1].ID, app.MaxSavedRuns)
	}
}

// TestSavedRunKeepsItsCharts: a run opened again draws the charts it drew
// when it finished, the EV car park's among them.
func TestSavedRunKeepsItsCharts(t *testing.T) {
	dir := t.TempDir()
	a, err := app.Open(filepath.Join(dir, "ev.twin"), app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	if _, err := a.ProvisionFile(filepath.Join("..", "examples", "ev-charging", "provision.yaml")); err != nil {
		t.Fatal(err)
	}
	sc, err := simulator.LoadScenario(filepath.Join("..", "examples", "ev-charging", "four.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	sc.Start = sc.Start.Add(7 * time.Hour) // 07:00, before the cars come
	sc.Duration = 4 * time.Hour
	rep, err := a.RunSimulation(t.Context(), sc, app.SimOptions{Record: true})
	if err != nil {
		t.Fatal(err)
	}
	info, err := a.SaveRun("", rep)
	if err != nil {
		t.Fatal(err)
	}
	saved, err := a.OpenRun(info.ID)
	if err != nil {
		t.Fatal(err)
	}
	want, got := rep.Figures(), saved.Figures()
	names := func(figs []chart.Figure) (out []string) {
		for _, f := range figs {
			out = append(out, f.File)
		}
		return out
	}
	if !reflect.DeepEqual(names(got), names(want)) || !slices.Contains(names(want), "ev_power.png") {
		t.Fatalf("charts of the run reopened %q, when it finished %q", names(got), names(want))
	}
	for i := range want {
		var w, g bytes.Buffer
		if err := want[i].WriteCSV(&w); err != nil {
			t.Fatal(err)
		}
		if err := got[i].WriteCSV(&g); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(w.Bytes(), g.Bytes()) {
			t.Errorf("%s differs when the run is reopened", want[i].File)
		}
	}
}
