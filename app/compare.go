package app

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/twinstudio/twinstudio/app/chart"
	"github.com/twinstudio/twinstudio/simulator"
)

// Better says which side of a comparison a KPI favours.
type Better int

const (
	// BetterNone: equal, missing on a side, or a KPI without a better
	// direction (readings sent, person-hours, occupancy).
	BetterNone Better = iota
	// BetterBase: the base run's value is the better one.
	BetterBase
	// BetterVariant: the variant's value is the better one.
	BetterVariant
)

func (b Better) String() string {
	switch b {
	case BetterBase:
		return "base"
	case BetterVariant:
		return "variant"
	}
	return ""
}

// kpiDirections are the KPIs (kpis.csv's kpi column) with a better
// direction: -1 lower is better, +1 higher is better. The others (counts
// of readings and people, occupancy, rain) only describe the run.
var kpiDirections = map[string]int{
	"readings_rejected": -1, "udf_failures": -1,
	"energy_kwh": -1, "hvac_kwh": -1, "peak_kw": -1,
	"ev_energy_delivered": +1, "ev_unmet_demand": -1, "ev_peak_kw": -1, "ev_cars_turned_away": -1,
	"ev_hours_over_grid_limit": -1,
	"co2_hours_above_1000":     -1, "comfort_hours_out_of_range": -1,
	"irrigation_mm": -1, "irrigations": -1, "soil_moisture_min": +1,
}

// KPIDirection says which way KPI kpi (as named in kpis.csv) is better:
// -1 lower, +1 higher, 0 neither.
func KPIDirection(kpi string) int { return kpiDirections[kpi] }

// KPIRow is one KPI of a run or of a comparison, as kpis.csv gives it.
// For a single run Variant and Delta are "" and Better is BetterNone.
type KPIRow struct {
	Scope string // run, floor or space
	Name  string // the floor's or space's full name; "" for run KPIs of a comparison
	KPI   string // co2_hours_above_1000, occupancy_rate, …
	Unit  string
	// Base, Variant and Delta (variant − base, with base's decimals) are
	// the values as written in kpis.csv; "" where a side lacks the KPI.
	Base, Variant, Delta string
	Better               Better
}

// Comparison is a what-if: two runs of the same project from the same
// state with the same seed (CompareScenarios).
type Comparison struct {
	Base, Variant *SimReport
	// Rows are every KPI of either run, in the base run's order.
	Rows []KPIRow
}

// CompareScenarios runs base and then variant, each on its own temporary
// copy of the project as it is now (a consistent copy, the project itself
// is not changed), in process and as fast as possible, with base's seed
// for both, and compares their KPIs. o.Record is implied; only
// o.Progress is used, which, if set, sees both runs' steps in turn. ctx stops it (its error is then ctx's). The result is the same
// for the same scenarios, seed and project (the what-if of `twin simulate
// --compare`). Safe for concurrent use; it may run while a simulation of
// the app itself runs.
func (a *App) CompareScenarios(ctx context.Context, base, variant *simulator.Scenario, o SimOptions) (*Comparison, error) {
	if base == nil || variant == nil {
		return nil, errors.New("compare: two scenarios are needed")
	}
	v := *variant
	v.Seed = base.Seed // both runs use the same seed
	o = SimOptions{Record: true, Progress: o.Progress}
	br, err := a.simulateCopy(ctx, base, o)
	if err != nil {
		return nil, err
	}
	vr, err := a.simulateCopy(ctx, &v, o)
	if err != nil {
		return nil, err
	}
	return NewComparison(br, vr), nil
}

// NewComparison compares two finished runs' KPIs.
func NewComparison(base, variant *SimReport) *Comparison {
	return &Comparison{Base: base, Variant: variant, Rows: compareRows(base.KPIs(), variant.KPIs())}
}

// simulateCopy runs sc on a temporary consistent copy of the project.
func (a *App) simulateCopy(ctx context.Context, sc *simulator.Scenario, o SimOptions) (*SimReport, error) {
	tmp, err := os.MkdirTemp("", "twin-compare-")
	if err != nil {
		return nil, fmt.Errorf("compare: %w", err)
	}
	defer os.RemoveAll(tmp)
	run := filepath.Join(tmp, filepath.Base(a.path))
	if err := a.SaveAs(run); err != nil {
		return nil, fmt.Errorf("compare: %w", err)
	}
	return runOnFile(run, sc, FileSimOptions{SimOptions: o, Context: ctx})
}

// Figures are the overlay charts of both runs (chart.RunFigures), those
// `twin simulate --compare` writes.
func (c *Comparison) Figures() []chart.Figure {
	return chart.RunFigures([]chart.Run{c.Base.ChartRun(), c.Variant.ChartRun()})
}

// KPIs is the comparison's kpis.csv: scope,name,kpi,base,variant,delta,unit.
func (c *Comparison) KPIs() []byte { return compareCSV(c.Rows) }

// Summary is the comparison's summary.txt: both runs, then base,
// variant and delta of every KPI.
func (c *Comparison) Summary() []byte {
	var w bytes.Buffer
	b, v := c.Base.Result, c.Variant.Result
	fmt.Fprintf(&w, "base    scenario %s, seed %d\n", b.Scenario, b.Seed)
	fmt.Fprintf(&w, "variant scenario %s, seed %d\n", v.Scenario, v.Seed)
	fmt.Fprintf(&w, "simulated %s to %s (%v, step %v)\n", b.Start.Format(time.RFC3339), b.Start.Add(b.Duration).Format(time.RFC3339), b.Duration, b.Step)
	if v.Start != b.Start || v.Duration != b.Duration || v.Step != b.Step {
		fmt.Fprintf(&w, "variant simulated %s to %s (%v, step %v)\n", v.Start.Format(time.RFC3339), v.Start.Add(v.Duration).Format(time.RFC3339), v.Duration, v.Step)
	}
	fmt.Fprintln(&w)
	tw := tabwriter.NewWriter(&w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SCOPE\tNAME\tKPI\tBASE\tVARIANT\tDELTA\tUNIT")
	for _, r := range c.Rows {
		fmt.Fprintln(tw, strings.Join([]string{r.Scope, r.Name, r.KPI, r.Base, r.Variant, r.Delta, r.Unit}, "\t"))
	}
	tw.Flush()
	return w.Bytes()
}

// outputs are the comparison's files but the charts: what `twin simulate
// --compare --out` writes.
func (c *Comparison) outputs() map[string][]byte {
	return map[string][]byte{
		"kpis.csv": c.KPIs(), "summary.txt": c.Summary(),
		"series.csv": c.Base.Series, "series_variant.csv": c.Variant.Series,
		"spaces.csv": c.Base.Spaces, "spaces_variant.csv": c.Variant.Spaces,
	}
}

// WriteOutputs writes the comparison's folder into dir (created if
// absent): kpis.csv, summary.txt, series.csv, series_variant.csv,
// spaces.csv, spaces_variant.csv and the overlay charts, as `twin
// simulate --compare --out` does; it returns the paths written, charts
// last.
func (c *Comparison) WriteOutputs(dir string) ([]string, error) { return c.WriteOutputsAs(dir, nil) }

// WriteOutputsAs is WriteOutputs with the charts in the given image
// formats (chart.WriteFigures: "png", "svg"; nil: png).
func (c *Comparison) WriteOutputsAs(dir string, formats []string) ([]string, error) {
	return writeWithCharts(dir, c.outputs(), c.Figures(), formats)
}

// writeWithCharts writes files and then figures as PNG into dir.
func writeWithCharts(dir string, files map[string][]byte, figs []chart.Figure, formats []string) ([]string, error) {
	out, err := WriteFiles(dir, files)
	if err != nil {
		return out, err
	}
	charts, err := chart.WriteFigures(dir, figs, formats)
	return append(out, charts...), err
}

// kpiRecord is a kpis.csv row keyed for matching across two runs.
type kpiRecord struct {
	key string
	rec []string // scope,name,kpi,value,unit
}

// kpiRecords parses a run's kpis.csv in order; a run KPI's key leaves out
// the name, since the two runs' scenario names differ.
func kpiRecords(data []byte) []kpiRecord {
	recs, _ := csv.NewReader(bytes.NewReader(data)).ReadAll()
	var out []kpiRecord
	for i, r := range recs {
		if i == 0 || len(r) != 5 {
			continue
		}
		k := r[0] + "\x00" + r[1] + "\x00" + r[2]
		if r[0] == "run" {
			k = "run\x00\x00" + r[2]
		}
		out = append(out, kpiRecord{k, r})
	}
	return out
}

// compareRows merges two runs' kpis.csv: the base run's KPIs in order,
// then those only the variant has.
func compareRows(base, variant []byte) []KPIRow {
	rb, rv := kpiRecords(base), kpiRecords(variant)
	vals := func(rs []kpiRecord) map[string][]string {
		m := map[string][]string{}
		for _, r := range rs {
			m[r.key] = r.rec
		}
		return m
	}
	mb, mv := vals(rb), vals(rv)
	var keys []string
	seen := map[string]bool{}
	for _, r := range append(rb, rv...) {
		if !seen[r.key] {
			seen[r.key] = true
			keys = append(keys, r.key)
		}
	}
	rows := make([]KPIRow, 0, len(keys))
	for _, k := range keys {
		b, v := mb[k], mv[k]
		r := b
		if r == nil {
			r = v
		}
		row := KPIRow{Scope: r[0], Name: r[1], KPI: r[2], Unit: r[4]}
		if r[0] == "run" {
			row.Name = ""
		}
		if b != nil {
			row.Base = b[3]
		}
		if v != nil {
			row.Variant = v[3]
		}
		row.Delta, row.Better = delta(row.KPI, row.Base, row.Variant)
		rows = append(rows, row)
	}
	return rows
}

// delta is variant − base with base's decimals, and the better side.
func delta(kpi, b, v string) (string, Better) {
	x, err1 := strconv.ParseFloat(b, 64)
	y, err2 := strconv.ParseFloat(v, 64)
	if err1 != nil || err2 != nil {
		return "", BetterNone
	}
	dec := 0
	if i := strings.IndexByte(b, '.'); i >= 0 {
		dec = len(b) - i - 1
	}
	better := BetterNone
	switch d := KPIDirection(kpi); {
	case d == 0 || x == y:
	case (y < x) == (d < 0):
		better = BetterVariant
	default:
		better = BetterBase
	}
	return strconv.FormatFloat(y-x, 'f', dec, 64), better
}

// compareCSV writes rows as a comparison's kpis.csv.
func compareCSV(rows []KPIRow) []byte {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write([]string{"scope", "name", "kpi", "base", "variant", "delta", "unit"})
	for _, r := range rows {
		w.Write([]string{r.Scope, r.Name, r.KPI, r.Base, r.Variant, r.Delta, r.Unit})
	}
	w.Flush()
	return buf.Bytes()
}

// parseCompareCSV reads a comparison's kpis.csv back into rows.
func parseCompareCSV(data []byte) []KPIRow {
	recs, _ := csv.NewReader(bytes.NewReader(data)).ReadAll()
	var rows []KPIRow
	for i, r := range recs {
		if i == 0 || len(r) != 7 {
			continue
		}
		row := KPIRow{Scope: r[0], Name: r[1], KPI: r[2], Base: r[3], Variant: r[4], Delta: r[5], Unit: r[6]}
		_, row.Better = delta(row.KPI, row.Base, row.Variant)
		rows = append(rows, row)
	}
	return rows
}

// runRows reads a run's kpis.csv into rows with only Base set.
func runRows(data []byte) []KPIRow {
	var rows []KPIRow
	for _, r := range kpiRecords(data) {
		rows = append(rows, KPIRow{Scope: r.rec[0], Name: r.rec[1], KPI: r.rec[2], Base: r.rec[3], Unit: r.rec[4]})
	}
	return rows
}
