package bench

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/twinstudio/twinstudio/engine"
)

// small is the test size of every benchmark.
func small(t testing.TB) Config {
	return Config{Dir: t.TempDir(), OpenObjects: 6000, Provision: 6000, FlatProvision: 6000, IngestMessages: 3200, LatencySeconds: 1,
		UDFSeconds: 1, LosslessSeconds: 2, ChartPoints: 20000}
}

// TestRunSmall runs every benchmark at a small size and checks the table:
// every row is printed, in Names' order, and the rows that compare two
// others in one run have positive values.
func TestRunSmall(t *testing.T) {
	rows, err := collect("", small(t))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	Print(&out, rows)
	names := Names()
	if len(rows) != len(names) {
		t.Errorf("%d rows, want %d:\n%s", len(rows), len(names), out.String())
	}
	for i, r := range rows {
		if i < len(names) && r.Name != names[i] {
			t.Errorf("row %d is %s, want %s", i, r.Name, names[i])
		}
	}
	positive := map[string]bool{"udf_goja_bare": true, "udf_exec_ratio": true, "broker_lossless_qos0": true, "ingest_lossless_qos0_udf": true,
		"ingest_lossless_ratio": true, "broker_only_qos1": true, "ingest_qos1_ratio": true, "ingest_p99_ms_at_10k": true,
		"chart_1m_points_ms": true, "chart_2k_points_ms": true}
	for _, r := range rows {
		if positive[r.Name] && !(r.Value > 0) {
			t.Errorf("%s = %v, want > 0 (%s)", r.Name, r.Value, r.Note)
		}
		delete(positive, r.Name)
	}
	for name := range positive {
		t.Errorf("no row %s:\n%s", name, out.String())
	}
	if err := Run(&out, "nope", Config{Dir: t.TempDir()}); err == nil || !strings.Contains(err.Error(), `no benchmark named "nope"`) {
		t.Errorf("unknown name: %v", err)
	}
}

// TestOnlyRow runs one row by name: its benchmark runs, only it is printed.
func TestOnlyRow(t *testing.T) {
	rows, err := collect("udf_exec_ratio", small(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].Name != "udf_exec_ratio" || !(rows[0].Value > 0) {
		t.Fatalf("rows %+v", rows)
	}
	if !strings.Contains(rows[0].Note, "udf_exec / udf_goja_bare") {
		t.Errorf("note %q names neither row", rows[0].Note)
	}
}

func BenchmarkProvision(b *testing.B) {
	for i := 0; i < b.N; i++ {
		if _, err := benchProvision(Config{Dir: b.TempDir(), Provision: 60000}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkUDFExec is one udf_exec execution on one goroutine (the
// engine's ExecuteUDF with a goja runtime and a full record).
func BenchmarkUDFExec(b *testing.B) {
	a, rt, udf, in, err := udfExecSetup(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	b.ReportAllocs()
	cpu := processCPU()
	for b.Loop() {
		if r := a.Engine().ExecuteUDF(rt, udf, in); r.Outcome != engine.OutcomeOK {
			b.Fatal(r.Outcome, r.Error)
		}
	}
	reportCPU(b, cpu)
}

// reportCPU reports the process's CPU time per operation since cpu (all
// threads: the GC's and timers' included), which a loaded machine's
// other processes do not inflate as they do ns/op.
func reportCPU(b *testing.B, cpu time.Duration) {
	if now := processCPU(); now > 0 {
		b.ReportMetric(float64(now-cpu)/float64(time.Microsecond)/float64(b.N), "cpu-µs/op")
	}
}

// BenchmarkUDFGojaBare is one udf_goja_bare execution on one goroutine:
// BenchmarkUDFExec's script in plain goja.
func BenchmarkUDFGojaBare(b *testing.B) {
	a, _, udf, in, err := udfExecSetup(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	start, err := bareStart(a.Engine(), udf.Script, in)
	if err != nil {
		b.Fatal(err)
	}
	call, err := start()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	cpu := processCPU()
	for b.Loop() {
		if err := call(); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, cpu)
}

// TestChartRows: the chart benchmark gives both rows with positive
// times, the big figure's target against its points.
func TestChartRows(t *testing.T) {
	rows, err := collect("chart_1m_points_ms", small(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Name != "chart_1m_points_ms" || rows[1].Name != "chart_2k_points_ms" ||
		!(rows[0].Value > 0) || !(rows[1].Value > 0) || rows[0].Target != "< 300" || !strings.Contains(rows[0].Note, "20000 points") {
		t.Fatalf("rows %+v", rows)
	}
}

// TestStateAtSmall runs state_at_ms at the test size: the row has a
// positive time and the moments found values.
func TestStateAtSmall(t *testing.T) {
	rows, err := collect("state_at_ms", small(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].Name != "state_at_ms" || !(rows[0].Value > 0) || strings.Contains(rows[0].Note, " 0 values") {
		t.Fatalf("rows %+v", rows)
	}
	t.Log(rows[0].Value, rows[0].Note)
}
