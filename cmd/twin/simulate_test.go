package main

import (
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const smartOffice = "../../examples/smart-office/provision.yaml"

func TestSimulateGolden(t *testing.T) {
	dir := t.TempDir()
	project := filepath.Join(dir, "o.twin")
	if _, stderr, code := twin(t, "provision", "--project", project, smartOffice); code != 0 {
		t.Fatal(stderr)
	}
	before, err := os.ReadFile(project)
	if err != nil {
		t.Fatal(err)
	}
	var series, spaces, kpiFiles []string
	for i, out := range []string{filepath.Join(dir, "a"), filepath.Join(dir, "b"), filepath.Join(dir, "c")} {
		args := []string{"simulate", "--project", project, "--scenario", "testdata/simulate_small.yaml", "--out", out}
		if i == 1 {
			args = append(args, "--in-place")
		}
		stdout, stderr, code := twin(t, args...)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		kpis, err := os.ReadFile(filepath.Join(out, "kpis.csv"))
		if err != nil {
			t.Fatal(err)
		}
		s, err := os.ReadFile(filepath.Join(out, "series.csv"))
		if err != nil {
			t.Fatal(err)
		}
		summary := mustRead(t, filepath.Join(out, "summary.txt"))
		if !strings.HasPrefix(stdout, string(summary)) {
			t.Errorf("stdout does not start with summary.txt")
		}
		series = append(series, string(s))
		kpiFiles = append(kpiFiles, string(kpis)+string(summary))
		sp, err := os.ReadFile(filepath.Join(out, "spaces.csv"))
		if err != nil {
			t.Fatal(err)
		}
		spaces = append(spaces, string(sp))
		if i == 0 {
			// A run on a copy leaves the project file as it was.
			if after := mustRead(t, project); string(after) != string(before) {
				t.Error("a run without --in-place changed the project file")
			}
			// spaces.csv: its size and hash, the first report and the last.
			sl := strings.SplitAfter(string(sp), "\n")
			n := len(sl) - 1
			golden(t, "simulate_spaces", fmt.Sprintf("%d lines, sha256 %x\n%s...\n%s", n, sha256.Sum256(sp),
				strings.Join(sl[:min(25, n)], ""), strings.Join(sl[max(0, n-12):], "")))
			golden(t, "simulate_stdout", normalise(stdout, dir))
			golden(t, "simulate_kpis", string(kpis))
			lines := strings.SplitAfter(string(s), "\n")
			head := strings.Join(lines[:min(40, len(lines))], "")
			golden(t, "simulate_series", fmt.Sprintf("%d lines, sha256 %x\n%s", len(lines)-1, sha256.Sum256(s), head))
		}
		if i == 1 {
			if !strings.Contains(stdout, "ran in "+project+" itself (--in-place)") {
				t.Errorf("an --in-place run does not say so:\n%s", stdout)
			}
			if after := mustRead(t, project); string(after) == string(before) {
				t.Error("an --in-place run left the project file as it was")
			}
		}
	}
	// The in-place run gives the same bytes as the run on a copy (both
	// started from the provisioned project).
	if series[0] != series[1] || spaces[0] != spaces[1] || kpiFiles[0] != kpiFiles[1] {
		t.Error("a run on a copy and an --in-place run from the same project differ")
	}
	// The third run, on a copy of the project the in-place run changed,
	// sends the same readings (they depend on the scenario and seed only).
	if series[0] != series[2] || spaces[0] != spaces[2] {
		t.Error("two runs gave different series.csv or spaces.csv")
	}
	// The Availability UDF ran on the simulated readings, at simulated time.
	got, _, _ := twin(t, "get", "--project", project, "/Smart Office/Floor 2/Conference Room 2.02")
	if !strings.Contains(got, "value AvailableAndFresh:") || !strings.Contains(got, "(2026-03-02T09:50:00Z)") {
		t.Errorf("the UDF did not set AvailableAndFresh at simulated time:\n%s", got)
	}
	// A variant and a seed change the run.
	out, stderr, code := twin(t, "simulate", "--project", project, "--scenario", "testdata/simulate_small.yaml", "--variant", "crowded", "--seed", "9", "--duration", "1h")
	if code != 0 {
		t.Fatal(stderr)
	}
	if !strings.Contains(out, "scenario small (crowded), seed 9") || !strings.Contains(out, "(1h0m0s,") {
		t.Errorf("variant run:\n%s", out)
	}
}

func TestSimulateErrors(t *testing.T) {
	dir, project := provisioned(t)
	cases := []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"compare missing", []string{"simulate", "--project", project, "--scenario", "testdata/simulate_small.yaml", "--compare", filepath.Join(dir, "x.yaml")}, 1, "x.yaml"},
		{"bad scenario", []string{"simulate", "--project", project, "--scenario", "testdata/simulate_bad.yaml"}, 1, "testdata/simulate_bad.yaml:4: spaces[0].volume: must be positive"},
		{"missing scenario", []string{"simulate", "--project", project, "--scenario", filepath.Join(dir, "none.yaml")}, 1, "none.yaml"},
		{"no variant", []string{"simulate", "--project", project, "--scenario", "testdata/simulate_small.yaml", "--variant", "x"}, 1, `no variant "x" (have crowded)`},
		{"no spaces", []string{"simulate", "--project", project, "--scenario", "testdata/simulate_small.yaml"}, 1, "no space with sensors matches"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, stderr, code := twin(t, c.args...)
			if code != c.code {
				t.Fatalf("exit %d, want %d (stderr %q)", code, c.code, stderr)
			}
			if !strings.Contains(stderr, c.msg) {
				t.Errorf("stderr %q does not contain %q", stderr, c.msg)
			}
			if c.code == 1 && (strings.Count(stderr, "\n") != 1 || out != "") {
				t.Errorf("want one line on stderr and nothing on stdout; got %q / %q", stderr, out)
			}
		})
	}
}

// smartOfficeProject provisions the Smart Office into a temporary project.
func smartOfficeProject(t *testing.T) (dir, project string) {
	t.Helper()
	dir = t.TempDir()
	project = filepath.Join(dir, "o.twin")
	if _, stderr, code := twin(t, "provision", "--project", project, smartOffice); code != 0 {
		t.Fatal(stderr)
	}
	return dir, project
}

func TestSimulateCompareGolden(t *testing.T) {
	dir, project := smartOfficeProject(t)
	before, err := os.ReadFile(project)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "cmp")
	stdout, stderr, code := twin(t, "simulate", "--project", project, "--scenario", "testdata/simulate_small.yaml",
		"--compare", "testdata/simulate_small_more.yaml", "--seed", "3", "--out", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if stderr != "" {
		t.Errorf("stderr %q (no progress line when not a terminal)", stderr)
	}
	summary, err := os.ReadFile(filepath.Join(out, "summary.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(stdout, string(summary)) {
		t.Errorf("stdout does not start with summary.txt")
	}
	golden(t, "simulate_compare_summary", string(summary))
	kpis := mustRead(t, filepath.Join(out, "kpis.csv"))
	golden(t, "simulate_compare_kpis", string(kpis))
	if !strings.Contains(string(summary), "seed 3\nvariant scenario small more, seed 3\n") {
		t.Errorf("both runs should use seed 3:\n%s", summary)
	}
	for _, f := range []string{"occupancy_floors.png", "occupancy_heatmap.png", "co2_busiest.png", "temperature_busiest.png", "series.csv", "series_variant.csv", "spaces.csv", "spaces_variant.csv"} {
		if st, err := os.Stat(filepath.Join(out, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
	after := mustRead(t, project)
	if string(before) != string(after) {
		t.Error("--compare changed the project")
	}
	// The base of the comparison is a plain run of the same scenario and seed.
	plain := filepath.Join(dir, "plain")
	if _, stderr, code := twin(t, "simulate", "--project", project, "--scenario", "testdata/simulate_small.yaml", "--seed", "3", "--out", plain); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, f := range []string{"series.csv", "spaces.csv"} {
		a := mustRead(t, filepath.Join(out, f))
		b := mustRead(t, filepath.Join(plain, f))
		if len(a) == 0 || string(a) != string(b) {
			t.Errorf("%s of the comparison's base differs from a plain run's", f)
		}
	}
	pk := mustRead(t, filepath.Join(plain, "kpis.csv"))
	base := map[string]string{}
	for _, line := range strings.Split(string(kpis), "\n") {
		if f := strings.Split(line, ","); len(f) == 7 {
			base[f[0]+","+f[1]+","+f[2]] = f[3]
		}
	}
	n := 0
	for _, line := range strings.Split(string(pk), "\n")[1:] {
		f := strings.Split(line, ",")
		if len(f) != 5 {
			continue
		}
		if f[0] == "run" {
			f[1] = "" // the comparison leaves the scenario name out
		}
		n++
		if got := base[f[0]+","+f[1]+","+f[2]]; got != f[3] {
			t.Errorf("KPI %s,%s,%s: base %q in the comparison, %q in a plain run", f[0], f[1], f[2], got, f[3])
		}
	}
	if n < 10 {
		t.Errorf("only %d KPIs compared", n)
	}
}

func TestSimulateCharts(t *testing.T) {
	dir, project := smartOfficeProject(t)
	out := filepath.Join(dir, "out")
	stdout, stderr, code := twin(t, "simulate", "--project", project, "--scenario", "testdata/simulate_small.yaml", "--out", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "charts "+filepath.Join(out, "occupancy_floors.png")) {
		t.Errorf("stdout:\n%s", stdout)
	}
	for _, f := range []string{"occupancy_floors.png", "occupancy_heatmap.png", "co2_busiest.png", "temperature_busiest.png"} {
		data, err := os.ReadFile(filepath.Join(out, f))
		if err != nil || !strings.HasPrefix(string(data), "\x89PNG") {
			t.Errorf("%s: not a PNG (%v)", f, err)
		}
	}
}

// TestSimulateEV runs the EV example as its README says: four chargers
// against eight under the same grid limit, with balance.js steering the
// per-charger limit. Eight deliver more; the runs are deterministic.
func TestSimulateEV(t *testing.T) {
	dir := t.TempDir()
	project := filepath.Join(dir, "ev.twin")
	if _, stderr, code := twin(t, "provision", "--project", project, "../../examples/ev-charging/provision.yaml"); code != 0 {
		t.Fatal(stderr)
	}
	var kpis []string
	for _, out := range []string{filepath.Join(dir, "a"), filepath.Join(dir, "b")} {
		_, stderr, code := twin(t, "simulate", "--project", project, "--scenario", "../../examples/ev-charging/four.yaml",
			"--compare", "../../examples/ev-charging/eight.yaml", "--out", out)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		k, err := os.ReadFile(filepath.Join(out, "kpis.csv"))
		if err != nil {
			t.Fatal(err)
		}
		s1 := mustRead(t, filepath.Join(out, "series_variant.csv"))
		kpis = append(kpis, string(k)+string(s1))
	}
	if kpis[0] != kpis[1] {
		t.Error("two runs with the UDF gave different outputs")
	}
	rows := map[string][]string{}
	for _, line := range strings.Split(kpis[0], "\n") {
		f := strings.Split(line, ",")
		if len(f) == 7 && f[0] == "run" {
			rows[f[2]] = f
		}
	}
	num := func(kpi string, col int) float64 {
		r, ok := rows[kpi]
		if !ok {
			t.Fatalf("no run row %s in\n%s", kpi, kpis[0])
		}
		var x float64
		fmt.Sscan(r[col], &x)
		return x
	}
	if num("udf_failures", 3) != 0 || num("udf_failures", 4) != 0 || num("udf_executions", 3) == 0 {
		t.Errorf("UDF executions %v, failures %v/%v", num("udf_executions", 3), num("udf_failures", 3), num("udf_failures", 4))
	}
	if d4, d8 := num("ev_energy_delivered", 3), num("ev_energy_delivered", 4); d8 <= d4 || d4 <= 0 {
		t.Errorf("delivered: 4 chargers %v kWh, 8 chargers %v kWh", d4, d8)
	}
	if u4, u8 := num("ev_unmet_demand", 3), num("ev_unmet_demand", 4); u8 >= u4 {
		t.Errorf("unmet: 4 chargers %v kWh, 8 chargers %v kWh", u4, u8)
	}
	// Without the UDF eight chargers could draw 88 kW; balance.js holds the
	// site near its 44 kW (a car that arrives overshoots for a minute).
	if p := num("ev_peak_kw", 4); p > 55 {
		t.Errorf("peak %v kW with balance.js", p)
	}
	// The UDF steers the chargers through the car park's space value (the
	// --compare runs were on copies, so run on the project itself).
	_, stderr, code := twin(t, "simulate", "--project", project, "--scenario", "../../examples/ev-charging/eight.yaml", "--duration", "12h", "--in-place")
	if code != 0 {
		t.Fatal(stderr)
	}
	got, _, _ := twin(t, "get", "--project", project, "/EV Site/Car Park")
	if !strings.Contains(got, "ChargerLimitKW") {
		t.Errorf("balance.js did not set ChargerLimitKW:\n%s", got)
	}
}

// mustRead returns the contents of path, failing the test when it cannot
// be read or is empty: an output the command should have written.
func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) == 0 {
		t.Fatalf("%s is empty", path)
	}
	return b
}

// TestSimulateFormats: --format png,svg writes every chart as PNG and as
// SVG for a Smart Office day, an EV charging comparison and a garden
// week, and no other charts; an unknown format is a usage error.
func TestSimulateFormats(t *testing.T) {
	dir, project := smartOfficeProject(t)
	evProject := filepath.Join(dir, "ev.twin")
	gardenProject := filepath.Join(dir, "garden.twin")
	for project, plan := range map[string]string{evProject: "../../examples/ev-charging/provision.yaml", gardenProject: "testdata/garden_provision.yaml"} {
		if _, stderr, code := twin(t, "provision", "--project", project, plan); code != 0 {
			t.Fatal(stderr)
		}
	}
	cases := []struct {
		name   string
		args   []string
		charts []string
	}{
		{"smart office day", []string{"--project", project, "--scenario", "../../examples/smart-office/week.yaml", "--duration", "24h"},
			[]string{"occupancy_floors", "occupancy_heatmap", "co2_busiest", "temperature_busiest"}},
		{"ev charging", []string{"--project", evProject, "--scenario", "../../examples/ev-charging/four.yaml",
			"--compare", "../../examples/ev-charging/eight.yaml", "--duration", "12h"},
			[]string{"ev_power", "ev_soc", "ev_cars"}},
		{"garden", []string{"--project", gardenProject, "--scenario", "testdata/simulate_garden.yaml"},
			[]string{"garden_moisture", "garden_water"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			args := append([]string{"simulate", "--out", out, "--format", "png,svg"}, c.args...)
			stdout, stderr, code := twin(t, args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			for _, name := range c.charts {
				png := string(mustRead(t, filepath.Join(out, name+".png")))
				svg := string(mustRead(t, filepath.Join(out, name+".svg")))
				if !strings.HasPrefix(png, "\x89PNG") || !strings.Contains(svg, "<svg") || !strings.Contains(svg, "</svg>") {
					t.Errorf("%s: not a PNG and an SVG", name)
				}
				if !strings.Contains(stdout, filepath.Join(out, name+".svg")) {
					t.Errorf("stdout does not name %s.svg:\n%s", name, stdout)
				}
			}
			ents, _ := os.ReadDir(out)
			if n := len(ents); n != 2*len(c.charts)+4 && n != 2*len(c.charts)+6 {
				t.Errorf("%d files in %s", n, out)
			}
		})
	}
	_, stderr, code := twin(t, "simulate", "--project", project, "--scenario", "testdata/simulate_small.yaml", "--out", filepath.Join(dir, "x"), "--format", "gif")
	if code != 2 || !strings.Contains(stderr, `--format: unknown format "gif"`) {
		t.Errorf("--format gif: exit %d, %q", code, stderr)
	}
}
