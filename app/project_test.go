package app_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/twinstudio/twinstudio/app"
	"github.com/twinstudio/twinstudio/engine"
	"github.com/twinstudio/twinstudio/engine/bbolt"
	"github.com/twinstudio/twinstudio/examples"
	"github.com/twinstudio/twinstudio/simulator"
)

// installOffice installs the bundled smart-office example into a fresh
// folder and returns the folder and the project.
func installOffice(t testing.TB) (dir, project string) {
	t.Helper()
	dir = filepath.Join(t.TempDir(), "smart-office")
	project, err := app.InstallExample(examples.SmartOffice, dir)
	if err != nil {
		t.Fatal(err)
	}
	return dir, project
}

// names lists the entries of dir.
func names(t testing.TB, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

func TestInstallExample(t *testing.T) {
	dir, project := installOffice(t)
	if want := filepath.Join(dir, "smart-office.twin"); project != want {
		t.Fatalf("project %s, want %s", project, want)
	}
	want := []string{"README.md", "more-people.yaml", "provision.yaml", "smart-office.twin", "userDefinedFunctions", "week.yaml"}
	if got := names(t, dir); !slices.Equal(got, want) {
		t.Fatalf("installed %v, want %v", got, want)
	}
	a, err := app.Open(project, app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	st := a.Engine().Stats()
	if st.Spaces < 60 || st.Devices < 60 || st.Sensors < 120 || st.UDFs != 1 || st.Matchers < 2 {
		t.Errorf("installed project holds %+v, want the Smart Office with its UDF", st)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}

	// Again: the user's edits stay, deleted files come back, the project
	// is not touched.
	week := filepath.Join(dir, "week.yaml")
	if err := os.WriteFile(week, []byte("edited\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, "README.md")); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(project)
	fi0, _ := os.Stat(project)
	again, err := app.InstallExample(examples.SmartOffice, dir)
	if err != nil {
		t.Fatal(err)
	}
	if again != project {
		t.Errorf("second install: project %s, want %s", again, project)
	}
	if data, _ := os.ReadFile(week); string(data) != "edited\n" {
		t.Errorf("week.yaml overwritten: %q", data)
	}
	if _, err := os.Stat(filepath.Join(dir, "README.md")); err != nil {
		t.Errorf("README.md not restored: %v", err)
	}
	after, _ := os.ReadFile(project)
	fi1, _ := os.Stat(project)
	if !bytes.Equal(before, after) || !fi0.ModTime().Equal(fi1.ModTime()) {
		t.Error("second install changed the project file")
	}
	if got := names(t, dir); !slices.Equal(got, want) {
		t.Errorf("after the second install the folder holds %v, want %v", got, want)
	}
}

// TestInstallExampleFails: a provisioning file that does not provision
// leaves the copied files and no project, temporary or not.
func TestInstallExampleFails(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "broken")
	fsys := fstest.MapFS{
		"provision.yaml": {Data: []byte("spaces:\n- name: A\n  type: NoSuchTypeField\n  bogus: [\n")},
		"notes/x.txt":    {Data: []byte("x")},
	}
	_, err := app.InstallExample(fsys, dir)
	t.Logf("broken: %v", err)
	if err == nil || !strings.Contains(err.Error(), "provision.yaml") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("InstallExample(broken provision.yaml): %v, want one line naming provision.yaml", err)
	}
	if got, want := names(t, dir), []string{"notes", "provision.yaml"}; !slices.Equal(got, want) {
		t.Errorf("folder holds %v after the failure, want %v", got, want)
	}

	// No provision.yaml at all.
	dir = filepath.Join(t.TempDir(), "empty")
	_, err = app.InstallExample(fstest.MapFS{"a.txt": {Data: []byte("a")}}, dir)
	t.Logf("missing: %v", err)
	if err == nil || !strings.Contains(err.Error(), "provision.yaml") {
		t.Errorf("InstallExample(no provision.yaml): %v, want an error naming it", err)
	}
	if got, want := names(t, dir), []string{"a.txt"}; !slices.Equal(got, want) {
		t.Errorf("folder holds %v after the failure, want %v", got, want)
	}
}

// snapshot is what a project holds, as text: every space (full name, its
// values), device and sensor (with value) and the counts of the rest.
func snapshot(t testing.TB, a *app.App) string {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "%+v\n", a.Engine().Stats())
	a.Engine().View(func(v *engine.View) error {
		var walk func([]*engine.Space)
		walk = func(list []*engine.Space) {
			for _, sp := range list {
				fmt.Fprintf(&b, "space %s %s %v\n", sp.ID, v.FullName(sp.ID), v.SpaceValues(sp.ID))
				for _, d := range v.SpaceDevices(sp.ID) {
					fmt.Fprintf(&b, " device %s %s %s\n", d.ID, d.HardwareID, d.Key)
					for _, s := range v.DeviceSensors(d.ID) {
						val, _ := v.SensorValue(s.ID)
						fmt.Fprintf(&b, "  sensor %s %s %q %s\n", s.ID, s.HardwareID, val.Value, val.Time.Format(time.RFC3339Nano))
					}
				}
				walk(v.ChildSpaces(sp.ID))
			}
		}
		walk(v.Roots())
		for _, u := range v.UDFs() {
			fmt.Fprintf(&b, "udf %s %s\n", u.ID, u.Name)
		}
		return nil
	})
	return b.String()
}

// TestSaveAs: the copy opens as a project holding what the original
// holds; the original stays open and usable.
func TestSaveAs(t *testing.T) {
	_, project := installOffice(t)
	a, err := app.Open(project, app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	// An hour of readings: values and history to copy.
	sc, err := simulator.LoadScenario(filepath.Join(filepath.Dir(project), "week.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	sc.Duration = time.Hour
	if _, err := a.RunSimulation(t.Context(), sc, app.SimOptions{}); err != nil {
		t.Fatal(err)
	}
	want := snapshot(t, a)
	dst := filepath.Join(t.TempDir(), "copy.twin")
	if err := a.SaveAs(dst); err != nil {
		t.Fatal(err)
	}
	if got := snapshot(t, a); got != want {
		t.Fatal("SaveAs changed the original")
	}
	c, err := app.Open(dst, app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := snapshot(t, c); got != want {
		t.Errorf("the copy differs from the original:\n%s\nwant\n%s", clip(got), clip(want))
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}

	// Onto itself, or onto a project open elsewhere.
	if err := a.SaveAs(project); !errors.Is(err, bbolt.ErrSameFile) || !strings.Contains(err.Error(), project) {
		t.Errorf("SaveAs(own file): %v, want bbolt.ErrSameFile naming the file", err)
	}
	other := filepath.Join(t.TempDir(), "other.twin")
	o, err := app.Open(other, app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.SaveAs(other); !errors.Is(err, bbolt.ErrLocked) {
		t.Errorf("SaveAs(open project): %v, want bbolt.ErrLocked", err)
	}
	o.Close()
	if err := a.SaveAs(other); err != nil {
		t.Errorf("SaveAs over a closed project: %v", err)
	}
	a.Close()
	if err := a.SaveAs(filepath.Join(t.TempDir(), "late.twin")); !errors.Is(err, engine.ErrClosed) {
		t.Errorf("SaveAs after Close: %v, want engine.ErrClosed", err)
	}
}

// TestSaveAsWhileTelemetryFlows: copies taken while a simulation streams
// readings are whole projects; the simulation is not disturbed.
func TestSaveAsWhileTelemetryFlows(t *testing.T) {
	dir, project := installOffice(t)
	a, err := app.Open(project, app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	sc, err := simulator.LoadScenario(filepath.Join(dir, "week.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	run, err := a.StartSimulation(sc, app.SimOptions{Speed: 200_000})
	if err != nil {
		t.Fatal(err)
	}
	defer run.Stop()
	stats := a.Engine().Stats()
	var wg sync.WaitGroup
	out := t.TempDir()
	var accepted []uint64
	// Copies start once readings flow (a loaded machine may take a while
	// to start the simulation).
	for deadline := time.Now().Add(10 * time.Second); a.Pipeline().Stats().Accepted == 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the simulation sent no reading within 10 s")
		}
	}
	for i := range 4 {
		time.Sleep(100 * time.Millisecond)
		dst := filepath.Join(out, fmt.Sprintf("copy%d.twin", i))
		if err := a.SaveAs(dst); err != nil {
			t.Fatal(err)
		}
		accepted = append(accepted, a.Pipeline().Stats().Accepted)
		wg.Go(func() {
			c, err := app.Open(dst, app.Options{})
			if err != nil {
				t.Errorf("open copy %d: %v", i, err)
				return
			}
			defer c.Close()
			if got := c.Engine().Stats(); got != stats {
				t.Errorf("copy %d holds %+v, want %+v", i, got, stats)
			}
		})
	}
	wg.Wait()
	if accepted[0] == 0 || accepted[len(accepted)-1] == accepted[0] {
		t.Errorf("no telemetry flowed during the copies: accepted %v", accepted)
	}
	if err := run.Err(); err != nil {
		t.Errorf("simulation: %v", err)
	}
}

func clip(s string) string {
	if len(s) > 2000 {
		return s[:2000] + "…"
	}
	return s
}
