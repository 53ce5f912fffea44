package main

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/twinstudio/twinstudio/app"
	"github.com/twinstudio/twinstudio/app/chart"
	"github.com/twinstudio/twinstudio/engine"
	"github.com/twinstudio/twinstudio/simulator"
)

type simulateCmd struct {
	projectFlag
	Scenario string        `required:"" placeholder:"FILE.yaml" help:"Scenario file (docs/scenarios.md)."`
	Duration time.Duration `placeholder:"24h" help:"Simulated time to run (default: the scenario's duration)."`
	Out      string        `placeholder:"DIR" help:"Write kpis.csv, series.csv, spaces.csv, summary.txt and PNG charts to DIR (created if absent)."`
	Seed     int64         `default:"-1" placeholder:"N" help:"Seed for every random draw (default: the scenario's seed)."`
	Variant  string        `placeholder:"NAME" help:"Run the scenario's variant NAME (its overrides applied)."`
	Compare  string        `placeholder:"FILE.yaml" help:"Also run scenario FILE.yaml with the same seed, on a copy of the project, and compare (the project is not changed)."`
}

// simRun is one run's result and what the charts need.
type simRun struct {
	sc      *simulator.Scenario
	res     *simulator.Result
	series  []byte            // series.csv
	spaces  []byte            // spaces.csv
	created simulator.Created // virtual devices the scenario created
	sensors map[string]sensor // by hardwareId
}

type sensor struct{ space, kind string }

// scenario loads a scenario with the command's variant, duration and seed.
func (c *simulateCmd) scenario(path, variant string) (*simulator.Scenario, error) {
	sc, err := simulator.LoadScenario(path)
	if err != nil {
		return nil, err
	}
	if variant != "" {
		if sc, err = sc.Variant(variant); err != nil {
			return nil, err
		}
	}
	if c.Duration > 0 {
		sc.Duration = c.Duration
	}
	if c.Seed >= 0 {
		sc.Seed = uint64(c.Seed)
	}
	return sc, nil
}

func (c *simulateCmd) Run(e *env) error {
	if c.Duration < 0 {
		return usageError{fmt.Errorf("--duration must be positive, got %v", c.Duration)}
	}
	sc, err := c.scenario(c.Scenario, c.Variant)
	if err != nil {
		return err
	}
	var sc2 *simulator.Scenario
	if c.Compare != "" {
		if sc2, err = c.scenario(c.Compare, ""); err != nil {
			return err
		}
		sc2.Seed = sc.Seed // both runs use the same seed
	}
	if _, err := os.Stat(c.Project); err != nil {
		_, err := c.open(false) // the error saying how to create it
		return err
	}
	progress := terminal(e.stderr)
	project := c.Project
	if sc2 != nil {
		// Each run gets its own copy of the project so that both start
		// from the same state and the user's project is not changed.
		tmp, err := os.MkdirTemp("", "twin-compare-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		a, b := filepath.Join(tmp, "base.twin"), filepath.Join(tmp, "variant.twin")
		for _, p := range []string{a, b} {
			if err := copyFile(c.Project, p); err != nil {
				return err
			}
		}
		project = a
		base, err := c.runOnce(a, sc, progress, e.stderr)
		if err != nil {
			return err
		}
		variant, err := c.runOnce(b, sc2, progress, e.stderr)
		if err != nil {
			return err
		}
		return c.writeCompare(e, base, variant)
	}
	run, err := c.runOnce(project, sc, progress, e.stderr)
	if err != nil {
		return err
	}
	var summary bytes.Buffer
	if err := run.res.WriteSummary(&summary); err != nil {
		return err
	}
	var files []string
	if c.Out != "" {
		var kpis bytes.Buffer
		if err := run.res.WriteKPIs(&kpis, sc.KPIs); err != nil {
			return err
		}
		if err := writeFiles(c.Out, map[string][]byte{"series.csv": run.series, "spaces.csv": run.spaces, "kpis.csv": kpis.Bytes(), "summary.txt": summary.Bytes()}); err != nil {
			return err
		}
		if files, err = writeCharts(c.Out, []*simRun{run}); err != nil {
			return err
		}
	}
	if _, err := e.stdout.Write(summary.Bytes()); err != nil {
		return err
	}
	if c.Out != "" {
		fmt.Fprintf(e.stdout, "\nwrote %s, %s, %s and %s\n", filepath.Join(c.Out, "kpis.csv"), filepath.Join(c.Out, "series.csv"),
			filepath.Join(c.Out, "spaces.csv"), filepath.Join(c.Out, "summary.txt"))
		if len(files) > 0 {
			fmt.Fprintf(e.stdout, "charts %s\n", strings.Join(files, ", "))
		}
	}
	printCreated(e.stdout, run.created)
	return nil
}

// runOnce runs sc on the project file at path.
func (c *simulateCmd) runOnce(path string, sc *simulator.Scenario, progress bool, stderr io.Writer) (*simRun, error) {
	clock := simulator.NewClock(sc.Start, sc.Step)
	// UDFs see the simulated time and a seeded Math.random; the counter
	// gives the udf KPIs.
	var udfs *simulator.UDFCounter
	a, err := projectFlag{Project: path}.open(false, app.Options{
		Engine:   engine.Options{Now: clock.Now},
		Pipeline: engine.PipelineOptions{NoEvents: true},
		UDF:      app.UDFOptions{Now: clock.Now, Seed: int64(sc.Seed) + 1},
		WrapUDF: func(rt engine.UDFRuntime) engine.UDFRuntime {
			udfs = &simulator.UDFCounter{RT: rt}
			return udfs
		},
	})
	if err != nil {
		return nil, err
	}
	defer a.Close()
	sim, err := simulator.New(a.Engine(), sc)
	if err != nil {
		return nil, err
	}
	run := &simRun{sc: sc, sensors: sensorsOf(a.Engine(), sim.Spaces()), created: sim.Created()}
	var series, spaces bytes.Buffer
	opts := simulator.Options{UDFs: udfs, Clock: clock}
	if c.Out != "" {
		opts.Series, opts.SpaceSeries = &series, &spaces
	}
	var sub simulator.Sink = a.Pipeline()
	var pr *progressSubmitter
	if progress {
		pr = &progressSubmitter{p: a.Pipeline(), clock: clock, sc: sc, w: stderr, wall: time.Now()}
		sub = pr
	}
	run.res, err = sim.Run(sub, opts)
	if pr != nil {
		pr.done()
	}
	if err != nil {
		return nil, err
	}
	run.series, run.spaces = series.Bytes(), spaces.Bytes()
	return run, a.Close()
}

// printCreated tells which virtual devices a run created in the project.
func printCreated(w io.Writer, c simulator.Created) {
	if len(c.Sensors) > 0 {
		plural := func(n int, what string) string {
			if n == 1 {
				return fmt.Sprintf("%d %s", n, what)
			}
			return fmt.Sprintf("%d %ss", n, what)
		}
		fmt.Fprintf(w, "created %s and %s for the scenario's create lists\n", plural(len(c.Devices), "virtual device"), plural(len(c.Sensors), "sensor"))
	}
}

// sensorsOf maps the simulated spaces' sensors to their space and data type.
func sensorsOf(e *engine.Engine, spaces []string) map[string]sensor {
	want := map[string]bool{}
	for _, s := range spaces {
		want[s] = true
	}
	out := map[string]sensor{}
	e.View(func(v *engine.View) error {
		var walk func(list []*engine.Space)
		walk = func(list []*engine.Space) {
			for _, sp := range list {
				if name := v.FullName(sp.ID); want[name] {
					for _, sn := range v.SpaceSensors(sp.ID) {
						out[sn.HardwareID] = sensor{space: name, kind: v.TypeName(sn.DataTypeID)}
					}
				}
				walk(v.ChildSpaces(sp.ID))
			}
		}
		walk(v.Roots())
		return nil
	})
	return out
}

func writeFiles(dir string, files map[string][]byte) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		if err := os.WriteFile(filepath.Join(dir, name), files[name], 0o644); err != nil {
			return err
		}
	}
	return nil
}

func copyFile(from, to string) error {
	data, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	return os.WriteFile(to, data, 0o600)
}

// terminal reports whether w is a terminal (for the progress line).
func terminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// progressSubmitter passes readings on to the pipeline and, once the run
// has taken a second, shows the simulated time done as a percentage.
type progressSubmitter struct {
	p         *engine.Pipeline
	clock     *simulator.Clock
	sc        *simulator.Scenario
	w         io.Writer
	wall      time.Time
	last      time.Time
	shown     bool
	lastShown int
}

func (s *progressSubmitter) Submit(m *engine.IngressMessage) (*engine.Ticket, error) {
	if now := time.Now(); now.Sub(s.wall) > time.Second && now.Sub(s.last) > 100*time.Millisecond {
		s.last = now
		pct := int(100 * float64(s.clock.Now().Sub(s.sc.Start)) / float64(s.sc.Duration))
		if !s.shown || pct != s.lastShown {
			fmt.Fprintf(s.w, "\rsimulating %s: %3d %%", s.sc.Name, pct)
			s.shown, s.lastShown = true, pct
		}
	}
	return s.p.Submit(m)
}

// Stats passes on the pipeline's counters (the run reads them for the
// rejected readings).
func (s *progressSubmitter) Stats() engine.IngressStats { return s.p.Stats() }

func (s *progressSubmitter) done() {
	if s.shown {
		fmt.Fprintf(s.w, "\rsimulating %s: 100 %%\n", s.sc.Name)
	}
}

// writeCompare writes and prints the comparison of two runs.
func (c *simulateCmd) writeCompare(e *env, base, variant *simRun) error {
	var summary bytes.Buffer
	writeCompareSummary(&summary, base, variant)
	if c.Out != "" {
		var kb, kv bytes.Buffer
		if err := base.res.WriteKPIs(&kb, base.sc.KPIs); err != nil {
			return err
		}
		if err := variant.res.WriteKPIs(&kv, variant.sc.KPIs); err != nil {
			return err
		}
		files := map[string][]byte{
			"kpis.csv":           compareKPIs(kb.Bytes(), kv.Bytes()),
			"summary.txt":        summary.Bytes(),
			"series.csv":         base.series,
			"series_variant.csv": variant.series,
			"spaces.csv":         base.spaces,
			"spaces_variant.csv": variant.spaces,
		}
		if err := writeFiles(c.Out, files); err != nil {
			return err
		}
		charts, err := writeCharts(c.Out, []*simRun{base, variant})
		if err != nil {
			return err
		}
		if _, err := e.stdout.Write(summary.Bytes()); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "\nwrote %s, %s, %s, %s, %s and %s\n", filepath.Join(c.Out, "kpis.csv"), filepath.Join(c.Out, "series.csv"),
			filepath.Join(c.Out, "series_variant.csv"), filepath.Join(c.Out, "spaces.csv"), filepath.Join(c.Out, "spaces_variant.csv"),
			filepath.Join(c.Out, "summary.txt"))
		if len(charts) > 0 {
			fmt.Fprintf(e.stdout, "charts %s\n", strings.Join(charts, ", "))
		}
		return nil
	}
	_, err := e.stdout.Write(summary.Bytes())
	return err
}

// kpiRows parses kpis.csv into keyed rows in order.
func kpiRows(data []byte) (keys []string, rows map[string][]string) {
	recs, _ := csv.NewReader(bytes.NewReader(data)).ReadAll()
	rows = map[string][]string{}
	for i, r := range recs {
		if i == 0 || len(r) != 5 {
			continue
		}
		k := r[0] + "\x00" + r[1] + "\x00" + r[2]
		if r[0] == "run" {
			k = "run\x00\x00" + r[2] // the two runs have different scenario names
		}
		if _, ok := rows[k]; !ok {
			keys = append(keys, k)
		}
		rows[k] = r
	}
	return keys, rows
}

// compareKPIs merges two kpis.csv: scope,name,kpi,base,variant,delta,unit.
func compareKPIs(base, variant []byte) []byte {
	kb, rb := kpiRows(base)
	kv, rv := kpiRows(variant)
	for _, k := range kv {
		if _, ok := rb[k]; !ok {
			kb = append(kb, k)
		}
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write([]string{"scope", "name", "kpi", "base", "variant", "delta", "unit"})
	for _, k := range kb {
		b, v := rb[k], rv[k]
		r := b
		if r == nil {
			r = v
		}
		name := r[1]
		if r[0] == "run" {
			name = ""
		}
		bv, vv := "", ""
		if b != nil {
			bv = b[3]
		}
		if v != nil {
			vv = v[3]
		}
		w.Write([]string{r[0], name, r[2], bv, vv, delta(bv, vv), r[4]})
	}
	w.Flush()
	return buf.Bytes()
}

func delta(b, v string) string {
	x, err1 := strconv.ParseFloat(b, 64)
	y, err2 := strconv.ParseFloat(v, 64)
	if err1 != nil || err2 != nil {
		return ""
	}
	dec := 0
	if i := strings.IndexByte(b, '.'); i >= 0 {
		dec = len(b) - i - 1
	}
	return strconv.FormatFloat(y-x, 'f', dec, 64)
}

// writeCompareSummary writes base, variant and delta for every KPI.
func writeCompareSummary(w io.Writer, base, variant *simRun) {
	b, v := base.res, variant.res
	fmt.Fprintf(w, "base    scenario %s, seed %d\n", b.Scenario, b.Seed)
	fmt.Fprintf(w, "variant scenario %s, seed %d\n", v.Scenario, v.Seed)
	fmt.Fprintf(w, "simulated %s to %s (%v, step %v)\n", b.Start.Format(time.RFC3339), b.Start.Add(b.Duration).Format(time.RFC3339), b.Duration, b.Step)
	if v.Start != b.Start || v.Duration != b.Duration || v.Step != b.Step {
		fmt.Fprintf(w, "variant simulated %s to %s (%v, step %v)\n", v.Start.Format(time.RFC3339), v.Start.Add(v.Duration).Format(time.RFC3339), v.Duration, v.Step)
	}
	fmt.Fprintln(w)
	var kb, kv bytes.Buffer
	b.WriteKPIs(&kb, base.sc.KPIs)
	v.WriteKPIs(&kv, variant.sc.KPIs)
	recs, _ := csv.NewReader(bytes.NewReader(compareKPIs(kb.Bytes(), kv.Bytes()))).ReadAll()
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SCOPE\tNAME\tKPI\tBASE\tVARIANT\tDELTA\tUNIT")
	for _, r := range recs[1:] {
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	tw.Flush()
}

// readings parses series.csv into per-space series of each data type.
type reading struct {
	t time.Time
	v float64
}

func parseSeries(run *simRun) map[string]map[string][]reading {
	out := map[string]map[string][]reading{} // space → kind → readings
	seen := map[string]string{}              // space+kind → the sensor used (the first)
	for _, line := range strings.Split(string(run.series), "\n") {
		f := strings.SplitN(line, ",", 3)
		if len(f) != 3 || f[0] == "time" {
			continue
		}
		sn, ok := run.sensors[f[1]]
		if !ok {
			continue
		}
		key := sn.space + "\x00" + sn.kind
		if s, ok := seen[key]; ok && s != f[1] {
			continue
		}
		seen[key] = f[1]
		t, err := time.Parse(time.RFC3339, f[0])
		if err != nil {
			continue
		}
		var v float64
		switch f[2] {
		case "true":
			v = 1
		case "false":
			v = 0
		default:
			if v, err = strconv.ParseFloat(f[2], 64); err != nil {
				continue
			}
		}
		if out[sn.space] == nil {
			out[sn.space] = map[string][]reading{}
		}
		out[sn.space][sn.kind] = append(out[sn.space][sn.kind], reading{t, v})
	}
	return out
}

// writeCharts draws the runs' charts into dir and returns the files
// written. With two runs the second (the variant) is overlaid dashed.
func writeCharts(dir string, runs []*simRun) ([]string, error) {
	label := func(i int, name string) string {
		if len(runs) == 1 {
			return name
		}
		return name + [2]string{" (base)", " (variant)"}[i]
	}
	short := func(full string) string {
		if i := strings.LastIndexByte(full, '/'); i >= 0 {
			return full[i+1:]
		}
		return full
	}
	parsed := make([]map[string]map[string][]reading, len(runs))
	for i, r := range runs {
		parsed[i] = parseSeries(r)
	}
	var files []string
	write := func(name string, img any, err error) error {
		if err != nil {
			return fmt.Errorf("simulate: chart %s: %w", name, err)
		}
		files = append(files, filepath.Join(dir, name))
		return nil
	}
	// Occupancy per floor: the share of its spaces where motion is detected.
	var occ []chart.Series
	var heat [7][24]float64
	var heatN [7][24]float64
	floorOf := map[string]string{}
	for _, s := range runs[0].res.Spaces {
		floorOf[s.Name] = s.Floor
	}
	for i, r := range runs {
		type acc struct{ on, n float64 }
		byFloor := map[string]map[time.Time]*acc{}
		for space, kinds := range parsed[i] {
			floor := floorOf[space]
			for _, s := range r.res.Spaces {
				if s.Name == space {
					floor = s.Floor
				}
			}
			for _, rd := range kinds["Motion"] {
				if byFloor[floor] == nil {
					byFloor[floor] = map[time.Time]*acc{}
				}
				bt := rd.t
				if r.res.Duration > 24*time.Hour {
					bt = bt.Truncate(time.Hour) // hourly means over longer runs
				}
				a := byFloor[floor][bt]
				if a == nil {
					a = &acc{}
					byFloor[floor][bt] = a
				}
				a.on += rd.v
				a.n++
				if i == 0 {
					d := (int(rd.t.Weekday()) + 6) % 7
					heat[d][rd.t.Hour()] += rd.v
					heatN[d][rd.t.Hour()]++
				}
			}
		}
		floors := make([]string, 0, len(byFloor))
		for f := range byFloor {
			floors = append(floors, f)
		}
		sort.Strings(floors)
		for j, f := range floors {
			ts := make([]time.Time, 0, len(byFloor[f]))
			for t := range byFloor[f] {
				ts = append(ts, t)
			}
			sort.Slice(ts, func(a, b int) bool { return ts[a].Before(ts[b]) })
			s := chart.Series{Name: label(i, short(f)), Color: chart.Palette(j), Dashed: i == 1}
			for _, t := range ts {
				a := byFloor[f][t]
				s.T = append(s.T, t)
				s.Y = append(s.Y, 100*a.on/a.n)
			}
			occ = append(occ, s)
		}
	}
	if len(occ) > 0 {
		img, err := chart.Lines("Occupancy per floor (spaces with motion detected)", "time (UTC)", "spaces with motion (%)", occ, 1000, 450)
		if err == nil {
			err = chart.WritePNG(filepath.Join(dir, "occupancy_floors.png"), img)
		}
		if err := write("occupancy_floors.png", img, err); err != nil {
			return nil, err
		}
		for d := range heat {
			for h := range heat[d] {
				if heatN[d][h] > 0 {
					heat[d][h] = 100 * heat[d][h] / heatN[d][h]
				}
			}
		}
		title := "Occupancy: % of motion readings detecting someone, hour × weekday"
		if len(runs) > 1 {
			title += " (base)"
		}
		img, err = chart.Heatmap(title, heat)
		if err == nil {
			err = chart.WritePNG(filepath.Join(dir, "occupancy_heatmap.png"), img)
		}
		if err := write("occupancy_heatmap.png", img, err); err != nil {
			return nil, err
		}
	}
	// CO₂ and temperature of the busiest rooms (person-hours in the base run).
	top := append([]simulator.SpaceKPI(nil), runs[0].res.Spaces...)
	sort.SliceStable(top, func(i, j int) bool { return top[i].PersonHours > top[j].PersonHours })
	if len(top) > 3 {
		top = top[:3]
	}
	for _, k := range []struct{ kind, file, title, unit string }{
		{"CarbonDioxide", "co2_busiest.png", "CO₂ in the busiest rooms (most person-hours)", "CO₂ (ppm)"},
		{"Temperature", "temperature_busiest.png", "Temperature in the busiest rooms (most person-hours)", "temperature (°C)"},
	} {
		var lines []chart.Series
		for i := range runs {
			for j, sp := range top {
				rs := parsed[i][sp.Name][k.kind]
				if len(rs) == 0 {
					continue
				}
				s := chart.Series{Name: label(i, short(sp.Name)), Color: chart.Palette(j), Dashed: i == 1}
				for _, r := range rs {
					s.T = append(s.T, r.t)
					s.Y = append(s.Y, r.v)
				}
				lines = append(lines, s)
			}
		}
		if len(lines) == 0 {
			continue
		}
		img, err := chart.Lines(k.title, "time (UTC)", k.unit, lines, 1000, 450)
		if err == nil {
			err = chart.WritePNG(filepath.Join(dir, k.file), img)
		}
		if err := write(k.file, img, err); err != nil {
			return nil, err
		}
	}
	return files, nil
}
