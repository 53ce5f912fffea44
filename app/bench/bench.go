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

// Bench is one benchmark: it returns its rows.
type Bench struct {
	Name string
	Run  func(cfg Config) ([]Row, error)
}

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
	// UDFSeconds is how long udf_exec runs; default 3.
	UDFSeconds int
	Log        io.Writer

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
	if c.Log == nil {
		c.Log = io.Discard
	}
}

// All lists the benchmarks in table order.
func All() []Bench {
	return []Bench{
		{"ingest", benchIngest}, // ingest_mqtt_udf_qos0, _qos1, broker_only_qos0, ingest_pipeline_ratio, ingest_p99_ms_at_5k
		{"ingest_p99_ms_during_edits", benchEditLatency},
		{"udf_exec", benchUDF},
		{"graph_provision", benchProvision},
		{"graph_provision_flat_100k", benchProvisionFlat},
		{"graph_traverse_down_10k", benchTraverse},
		{"graph_open_1m", benchOpen}, // also reports mem_per_object
		{"sim_readings", benchSim},
	}
}

// Names lists every row name Run can print.
func Names() []string {
	return []string{"ingest_mqtt_udf_qos0", "ingest_mqtt_udf_qos1", "ingest_mqtt_qos0_no_udf", "broker_only_qos0", "ingest_pipeline_ratio", "ingest_p99_ms_at_5k",
		"ingest_p99_ms_during_edits", "udf_exec", "graph_provision", "graph_provision_flat_100k", "graph_traverse_down_10k", "graph_open_1m", "mem_per_object", "sim_readings", "sim_week_smart_office_s"}
}

// Run runs the benchmarks (only the one named only, if set) and writes the
// table to w.
func Run(w io.Writer, only string, cfg Config) error {
	cfg.ensureDefaults()
	cfg.provRate = new(float64)
	if cfg.Dir == "" {
		d, err := os.MkdirTemp("", "twin-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		cfg.Dir = d
	}
	var rows []Row
	found := only == ""
	for _, b := range All() {
		if only != "" && b.Name != only && !covers(b.Name, only) {
			continue
		}
		found = true
		fmt.Fprintf(cfg.Log, "running %s…\n", b.Name)
		rs, err := b.Run(cfg)
		if err != nil {
			return fmt.Errorf("bench %s: %w", b.Name, err)
		}
		for _, r := range rs {
			if only == "" || r.Name == only || b.Name == only {
				rows = append(rows, r)
			}
		}
	}
	if !found {
		return fmt.Errorf("bench: no benchmark named %q (have %s)", only, strings.Join(Names(), ", "))
	}
	Print(w, rows)
	return nil
}

// covers says which benchmark produces a row of another name.
func covers(bench, row string) bool {
	switch bench {
	case "graph_open_1m":
		return row == "mem_per_object"
	case "ingest":
		return (strings.HasPrefix(row, "ingest_") && row != "ingest_p99_ms_during_edits") || row == "broker_only_qos0"
	case "sim_readings":
		return row == "sim_week_smart_office_s"
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
