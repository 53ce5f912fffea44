// Package bench runs Twin Studio's benchmarks (the table of twin bench) against real
// components (bbolt files in a temp dir, the engine) and prints one table.
// `twin bench` and `make bench` call Run. Micro-benchmarks live beside the
// code as testing.B functions; these are the end-to-end figures.
package bench

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"text/tabwriter"
	"time"
)

// Row is one figure of the table.
type Row struct {
	Name   string
	Value  float64
	Unit   string
	Target string // e.g. ">= 50000"
	OK     bool
	Note   string
}

// Bench is one benchmark: it returns its rows, which Rows lists in order.
type Bench struct {
	Name string
	// Group, if set, is a name that runs this benchmark with the others of
	// the group (twin bench --only ingest).
	Group string
	Rows  []RowDoc
	Run   func(cfg Config) ([]Row, error)
}

// RowDoc names a row of the table and says in one line what it measures.
type RowDoc struct{ Name, Doc string }

// Config sizes the benchmarks. The zero value means the full sizes that
// twin bench reports against its targets; tests use small sizes.
type Config struct {
	Dir         string // temp folder for project files; default os.MkdirTemp
	OpenObjects int    // graph_open_1m / mem_per_object size; default 1,000,000
	Provision   int    // graph_provision size; default 200,000
	// FlatProvision is how many sibling rooms graph_provision_flat_100k
	// provisions under one floor; default 100,000.
	FlatProvision int
	// IngestMessages is the QoS 0 load of ingest_mqtt_udf_qos0 (QoS 1 sends a
	// quarter); default 200,000.
	IngestMessages int
	// LatencySeconds is how long ingest_p99_ms_at_5k paces; default 5.
	LatencySeconds int
	// UDFSeconds is how long udf_exec and udf_goja_bare run; default 3.
	UDFSeconds int
	// LosslessSeconds bounds each search of ingest_lossless_qos0_udf and
	// broker_lossless_qos0; default 25. Below 10, steps are shortened to
	// 0.2 s (test sizes).
	LosslessSeconds int
	// ChartPoints is chart_1m_points_ms's number of points; default 1,000,000.
	ChartPoints int
	Log         io.Writer

	// provRate, set by Run, carries graph_provision's rate to
	// graph_provision_flat_100k.
	provRate *float64
}

func (c *Config) ensureDefaults() {
	if c.OpenObjects <= 0 {
		c.OpenObjects = 1_000_000
	}
	if c.Provision <= 0 {
		c.Provision = 200_000
	}
	if c.FlatProvision <= 0 {
		c.FlatProvision = 100_000
	}
	if c.IngestMessages <= 0 {
		c.IngestMessages = 200_000
	}
	if c.LatencySeconds <= 0 {
		c.LatencySeconds = 5
	}
	if c.UDFSeconds <= 0 {
		c.UDFSeconds = 3
	}
	if c.LosslessSeconds <= 0 {
		c.LosslessSeconds = 25
	}
	if c.ChartPoints <= 0 {
		c.ChartPoints = 1_000_000
	}
	if c.Log == nil {
		c.Log = io.Discard
	}
}

// All lists the benchmarks in table order.
func All() []Bench {
	return []Bench{
		{"ingest", "ingest", []RowDoc{
			{"ingest_mqtt_udf_qos0", "QoS 0 flood from 16 MQTT clients through the pipeline with the UDF: messages accepted per second"},
			{"ingest_mqtt_qos0_no_udf", "the same flood with the UDF disabled"},
			{"broker_only_qos0", "the same flood into mochi alone with a counting hook"},
			{"ingest_pipeline_ratio", "ingest_mqtt_qos0_no_udf / broker_only_qos0"},
		}, benchIngest},
		{"ingest_qos1", "ingest", []RowDoc{
			{"ingest_mqtt_udf_qos1", "QoS 1 from 16 clients, 64 in flight each, through the pipeline with the UDF, PUBACK after the commit"},
			{"broker_only_qos1", "the same QoS 1 load into mochi alone, acknowledging at once"},
			{"ingest_qos1_ratio", "ingest_mqtt_udf_qos1 / broker_only_qos1"},
		}, benchIngestQoS1},
		{"ingest_lossless", "ingest", []RowDoc{
			{"ingest_lossless_qos0_udf", "highest paced QoS 0 rate (stepped up, then bisected) the pipeline with the UDF takes with nothing dropped or left queued"},
			{"broker_lossless_qos0", "the same search against mochi alone with a counting hook"},
			{"ingest_lossless_ratio", "ingest_lossless_qos0_udf / broker_lossless_qos0"},
		}, benchLossless},
		{"ingest_p99", "ingest", []RowDoc{
			{"ingest_p99_ms_at_5k", "p99 publish → SensorChange event latency, QoS 0 paced at 5,000 msg/s with the UDF, durable"},
			{"ingest_p99_ms_at_10k", "the same at 10,000 msg/s"},
		}, benchLatency},
		{"ingest_p99_ms_during_edits", "", []RowDoc{
			{"ingest_p99_ms_during_edits", "ingest_p99_ms_at_5k's load while the studio renames the room every 100 ms"},
		}, benchEditLatency},
		{"udf_exec", "", []RowDoc{
			{"udf_exec", "the availability-style UDF executed by the engine (full record each), one goroutine per core"},
			{"udf_goja_bare", "the same script in plain goja with Go stubs for its library calls, same goroutines"},
			{"udf_exec_ratio", "udf_exec / udf_goja_bare"},
		}, benchUDF},
		{"graph_provision", "", []RowDoc{{"graph_provision", "objects provisioned per second, one transaction, committed"}}, benchProvision},
		{"graph_provision_flat_100k", "", []RowDoc{{"graph_provision_flat_100k", "100,000 sibling rooms under one floor, objects per second"}}, benchProvisionFlat},
		{"graph_traverse_down_10k", "", []RowDoc{{"graph_traverse_down_10k", "time of a traverse=Down sensors query under a campus root"}}, benchTraverse},
		{"graph_open_1m", "", []RowDoc{
			{"graph_open_1m", "time to open, load and link a project of 1,000,000 objects"},
			{"mem_per_object", "live heap per object after graph_open_1m"},
		}, benchOpen},
		{"sim_readings", "", []RowDoc{
			{"sim_readings", "simulated readings per second into the engine, no UDF, durable"},
			{"sim_week_smart_office_s", "wall-clock seconds of the Smart Office week scenario with its UDF"},
		}, benchSim},
		{"state_at_ms", "", []RowDoc{
			{"state_at_ms", "time to read the state of every sensor and space of the Smart Office at a random moment of its simulated week (median)"},
		}, benchStateAt},
		{"chart_1m_points_ms", "", []RowDoc{
			{"chart_1m_points_ms", "time to render a line figure of 1,000,000 points (downsampled to min/max per pixel column) to an image"},
			{"chart_2k_points_ms", "the same figure of 2,000 points"},
		}, benchChart},
		{"plan_500_rooms_ms", "", []RowDoc{
			{"plan_500_rooms_ms", "the floor plan's own drawing of a frame where all 500 rooms changed: recolour and repaint of the rooms' raster, without reading values, labels, icons or Fyne's drawing (median)"},
		}, benchPlan},
	}
}

// Names lists every row name Run can print, in table order.
func Names() []string {
	var names []string
	for _, b := range All() {
		for _, r := range b.Rows {
			names = append(names, r.Name)
		}
	}
	return names
}

// Docs is the table's rows, one indented line each, for twin bench --help.
func Docs() string {
	var sb strings.Builder
	tw := tabwriter.NewWriter(&sb, 0, 0, 2, ' ', 0)
	for _, b := range All() {
		for _, r := range b.Rows {
			fmt.Fprintf(tw, "  %s\t%s\n", r.Name, r.Doc)
		}
	}
	tw.Flush()
	return sb.String()
}

// Run runs the benchmarks and writes the table to w. only, if set, names
// a row (its benchmark runs and only that row is printed), a benchmark or
// a group (all its rows are printed).
func Run(w io.Writer, only string, cfg Config) error {
	rows, err := collect(only, cfg)
	if err != nil {
		return err
	}
	Print(w, rows)
	return nil
}

// collect runs the benchmarks Run would and returns their rows.
func collect(only string, cfg Config) ([]Row, error) {
	cfg.ensureDefaults()
	cfg.provRate = new(float64)
	if cfg.Dir == "" {
		d, err := os.MkdirTemp("", "twin-bench-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(d)
		cfg.Dir = d
	}
	var rows []Row
	found := only == ""
	for _, b := range All() {
		whole := only == "" || b.Name == only || b.Group == only
		if !whole && !b.has(only) {
			continue
		}
		found = true
		fmt.Fprintf(cfg.Log, "running %s…\n", b.Name)
		rs, err := b.Run(cfg)
		if err != nil {
			return nil, fmt.Errorf("bench %s: %w", b.Name, err)
		}
		for _, r := range rs {
			if whole || r.Name == only {
				rows = append(rows, r)
			}
		}
	}
	if !found {
		return nil, fmt.Errorf("bench: no benchmark named %q (have %s)", only, strings.Join(Names(), ", "))
	}
	return rows, nil
}

// has says whether b produces a row named row.
func (b Bench) has(row string) bool {
	for _, r := range b.Rows {
		if r.Name == row {
			return true
		}
	}
	return false
}

// Print writes rows as the benchmark table.
func Print(w io.Writer, rows []Row) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tVALUE\tUNIT\tCORES\tTARGET\tOK\tNOTE")
	for _, r := range rows {
		ok := "yes"
		if !r.OK {
			ok = "NO"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\t%s\n", r.Name, format(r.Value), r.Unit, runtime.NumCPU(), r.Target, ok, r.Note)
	}
	tw.Flush()
}

func format(v float64) string {
	switch {
	case v >= 1000:
		return fmt.Sprintf("%.0f", v)
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	default:
		return fmt.Sprintf("%.3f", v)
	}
}

func since(t time.Time) float64 { return time.Since(t).Seconds() }
