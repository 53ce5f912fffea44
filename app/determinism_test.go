package app_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twinstudio/twinstudio/app"
	"github.com/twinstudio/twinstudio/simulator"
)

// burnEnv makes the test binary a CPU hog: TestCPUHog spins until the
// deadline it carries (a bounded time, so a hog never outlives its test).
const burnEnv = "TWIN_TEST_BURN_UNTIL"

// TestCPUHog is not a test: run as a child with burnEnv set, it keeps one
// CPU busy until the time in burnEnv.
func TestCPUHog(t *testing.T) {
	until, err := time.Parse(time.RFC3339Nano, os.Getenv(burnEnv))
	if err != nil {
		t.Skip("only a CPU hog for TestSimulateDeterministicUnderLoad")
	}
	for x := 0; time.Now().Before(until); x++ {
		_ = x * x
	}
}

// hog keeps every CPU busy for at most d, from this process (goroutines)
// and from others (one child process per CPU), until stop is called.
func hog(t *testing.T, d time.Duration) (stop func()) {
	t.Helper()
	until := time.Now().Add(d)
	var done atomic.Bool
	var wg sync.WaitGroup
	for i := 0; i < runtime.NumCPU(); i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for x := 0; !done.Load() && time.Now().Before(until); x++ {
				_ = x * x
			}
		}()
	}
	var procs []*exec.Cmd
	for i := 0; i < runtime.NumCPU(); i++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCPUHog$")
		cmd.Env = append(os.Environ(), burnEnv+"="+until.Format(time.RFC3339Nano))
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		procs = append(procs, cmd)
	}
	return func() {
		done.Store(true)
		for _, p := range procs {
			p.Process.Kill()
			p.Wait()
		}
		wg.Wait()
	}
}

// TestSimulateDeterministicUnderLoad: the same scenario, seed and project
// give byte-identical kpis.csv, series.csv, spaces.csv and summary.txt
// while every CPU is kept busy, UDFs included (6 h of the Smart Office
// week with its Availability UDF).
func TestSimulateDeterministicUnderLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("runs 6 simulated hours twice under a CPU hog")
	}
	dir, project := installOffice(t)
	sc, err := simulator.LoadScenario(filepath.Join(dir, "week.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	sc.Duration = 6 * time.Hour
	sc.Start = sc.Start.Add(8 * time.Hour) // a working morning: people, CO₂, UDF notifications
	before, err := os.ReadFile(project)
	if err != nil {
		t.Fatal(err)
	}
	stop := hog(t, 3*time.Minute)
	defer stop()
	var outs [2]string
	var udfs uint64
	for i := range outs {
		outs[i] = filepath.Join(dir, []string{"a", "b"}[i])
		rep, err := app.SimulateFile(project, sc, app.FileSimOptions{SimOptions: app.SimOptions{Out: outs[i]}})
		if err != nil {
			t.Fatal(err)
		}
		udfs = rep.UDFExecutions
		if rep.Notifications == 0 {
			t.Errorf("run %d: no UDF notifications", i)
		}
	}
	stop()
	if udfs == 0 {
		t.Fatal("no UDF executions")
	}
	for _, f := range []string{"kpis.csv", "series.csv", "spaces.csv", "summary.txt"} {
		a, err := os.ReadFile(filepath.Join(outs[0], f))
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(outs[1], f))
		if err != nil {
			t.Fatal(err)
		}
		if len(a) == 0 || !bytes.Equal(a, b) {
			t.Errorf("%s differs between two runs of the same scenario, seed and project under load:\n%s\n---\n%s", f, firstDiff(a), firstDiff(b))
		}
	}
	if after, _ := os.ReadFile(project); !bytes.Equal(before, after) {
		t.Error("the runs changed the project file")
	}
}

// firstDiff shows the start of a file (enough for a KPI or summary diff).
func firstDiff(b []byte) string {
	if len(b) > 1500 {
		b = b[:1500]
	}
	return string(b)
}
