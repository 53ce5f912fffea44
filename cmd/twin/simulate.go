package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/twinstudio/twinstudio/app"
	"github.com/twinstudio/twinstudio/simulator"
)

type simulateCmd struct {
	projectFlag
	Scenario string        `required:"" placeholder:"FILE.yaml" help:"Scenario file (docs/scenarios.md)."`
	Duration time.Duration `placeholder:"24h" help:"Simulated time to run (default: the scenario's duration)."`
	Out      string        `placeholder:"DIR" help:"Write kpis.csv, series.csv, spaces.csv, summary.txt and the charts to DIR (created if absent)."`
	Format   []string      `default:"png" placeholder:"FORMAT" help:"Image formats of the charts written to --out: png (the default), svg, or both: png,svg."`
	Seed     int64         `default:"-1" placeholder:"N" help:"Seed for every random draw (default: the scenario's seed)."`
	Variant  string        `placeholder:"NAME" help:"Run the scenario's variant NAME (its overrides applied)."`
	Compare  string        `placeholder:"FILE.yaml" help:"Also run scenario FILE.yaml with the same seed and compare; both runs start from the project as it is."`
	InPlace  bool          `name:"in-place" help:"Run in the project file itself, which keeps the run's values, history and virtual devices (default: on a temporary copy, the project is left as it was). Not with --compare."`
	Quiet    bool          `help:"Print only the summary: no progress line, no list of the files written."`

	source string // the file the runs copy: a served project's snapshot, "" for Project
}

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
	for _, f := range c.Format {
		if f != "png" && f != "svg" {
			return usageError{fmt.Errorf("--format: unknown format %q (want png, svg or png,svg)", f)}
		}
	}
	if c.InPlace && c.Compare != "" {
		return usageError{fmt.Errorf("--in-place runs one scenario: not with --compare")}
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
		_, err := c.open(e, false) // the error saying how to create it
		return err
	}
	if socket := app.ControlPath(c.Project); app.ControlListening(socket) {
		if c.InPlace {
			return fmt.Errorf("project %s is held by a running twin serve: 'twin simulate --in-place' needs the file to itself; stop the server first, or run on a copy without --in-place", c.Project)
		}
		// A copy of a file being written could be torn: the server
		// writes a consistent one, and the runs copy that.
		copy, dir, err := servedSnapshot(socket, c.Project)
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		c.source = copy
	}
	progress := terminal(e.stderr) && !c.Quiet
	if sc2 != nil {
		// Each run gets its own copy of the project, so both start from
		// the same state, the base run equals a plain run, and the
		// project is not changed.
		base, err := c.runOnce(sc, false, progress, e.stderr)
		if err != nil {
			return err
		}
		variant, err := c.runOnce(sc2, false, progress, e.stderr)
		if err != nil {
			return err
		}
		if err := c.writeCompare(e, base, variant); err != nil {
			return err
		}
		c.printWhere(e)
		return nil
	}
	run, err := c.runOnce(sc, c.InPlace, progress, e.stderr)
	if err != nil {
		return err
	}
	if _, err := e.stdout.Write(run.Summary()); err != nil {
		return err
	}
	if c.Out != "" && !c.Quiet {
		fmt.Fprintf(e.stdout, "\nwrote %s, %s, %s and %s\n", filepath.Join(c.Out, "kpis.csv"), filepath.Join(c.Out, "series.csv"),
			filepath.Join(c.Out, "spaces.csv"), filepath.Join(c.Out, "summary.txt"))
		if charts := chartFiles(run.Files); len(charts) > 0 {
			fmt.Fprintf(e.stdout, "charts %s\n", strings.Join(charts, ", "))
		}
	}
	if !c.Quiet {
		printCreated(e.stdout, run.Created, c.InPlace)
	}
	c.printWhere(e)
	return nil
}

// printWhere says whether the run changed the project (not with
// --quiet).
func (c *simulateCmd) printWhere(e *env) {
	if c.Quiet {
		return
	}
	w := e.stdout
	if c.InPlace {
		fmt.Fprintf(w, "ran in %s itself (--in-place): it keeps the run's values and virtual devices\n", c.Project)
	} else {
		fmt.Fprintf(w, "ran on a temporary copy of %s: the project is unchanged (--in-place runs in it)\n", c.Project)
	}
}

// chartFiles are the chart images among those written.
func chartFiles(files []string) []string {
	var out []string
	for _, f := range files {
		if strings.HasSuffix(f, ".png") || strings.HasSuffix(f, ".svg") {
			out = append(out, f)
		}
	}
	return out
}

// runOnce runs sc on the project (a copy unless inPlace): simulated time,
// as fast as possible, in process.
func (c *simulateCmd) runOnce(sc *simulator.Scenario, inPlace, progress bool, stderr io.Writer) (*app.SimReport, error) {
	o := app.FileSimOptions{InPlace: inPlace, SimOptions: app.SimOptions{Record: c.Out != ""}}
	if c.Compare == "" {
		o.Out, o.Formats = c.Out, c.Format
	}
	var pr *progressLine
	if progress {
		pr = &progressLine{sc: sc, w: stderr, wall: time.Now()}
		o.Progress = pr.show
	}
	src := c.Project
	if c.source != "" {
		src = c.source
	}
	rep, err := app.SimulateFile(src, sc, o)
	if pr != nil {
		pr.done()
	}
	return rep, err
}

// printCreated tells which virtual devices a run created for the
// scenario's create lists (in the project itself, or in its copy).
func printCreated(w io.Writer, c simulator.Created, inPlace bool) {
	if len(c.Sensors) > 0 {
		plural := func(n int, what string) string {
			if n == 1 {
				return fmt.Sprintf("%d %s", n, what)
			}
			return fmt.Sprintf("%d %ss", n, what)
		}
		where := "the run's copy of the project"
		if inPlace {
			where = "the project"
		}
		fmt.Fprintf(w, "created %s and %s in %s for the scenario's create lists\n", plural(len(c.Devices), "virtual device"), plural(len(c.Sensors), "sensor"), where)
	}
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

// progressLine shows, once the run has taken a second, the simulated time
// done as a percentage (on a terminal; wall time only paces the display).
type progressLine struct {
	sc        *simulator.Scenario
	w         io.Writer
	wall      time.Time
	last      time.Time
	shown     bool
	lastShown int
}

func (s *progressLine) show(t time.Time) {
	if now := time.Now(); now.Sub(s.wall) > time.Second && now.Sub(s.last) > 100*time.Millisecond {
		s.last = now
		pct := int(100 * float64(t.Sub(s.sc.Start)) / float64(s.sc.Duration))
		if !s.shown || pct != s.lastShown {
			fmt.Fprintf(s.w, "\rsimulating %s: %3d %%", s.sc.Name, pct)
			s.shown, s.lastShown = true, pct
		}
	}
}

func (s *progressLine) done() {
	if s.shown {
		fmt.Fprintf(s.w, "\rsimulating %s: 100 %%\n", s.sc.Name)
	}
}

// writeCompare writes and prints the comparison of two runs.
func (c *simulateCmd) writeCompare(e *env, base, variant *app.SimReport) error {
	cmp := app.NewComparison(base, variant)
	var files []string
	if c.Out != "" {
		var err error
		if files, err = cmp.WriteOutputsAs(c.Out, c.Format); err != nil {
			return fmt.Errorf("simulate: %w", err)
		}
	}
	if _, err := e.stdout.Write(cmp.Summary()); err != nil || c.Out == "" || c.Quiet {
		return err
	}
	fmt.Fprintf(e.stdout, "\nwrote %s, %s, %s, %s, %s and %s\n", filepath.Join(c.Out, "kpis.csv"), filepath.Join(c.Out, "series.csv"),
		filepath.Join(c.Out, "series_variant.csv"), filepath.Join(c.Out, "spaces.csv"), filepath.Join(c.Out, "spaces_variant.csv"),
		filepath.Join(c.Out, "summary.txt"))
	if charts := chartFiles(files); len(charts) > 0 {
		fmt.Fprintf(e.stdout, "charts %s\n", strings.Join(charts, ", "))
	}
	return nil
}
