package bench

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/twinstudio/twinstudio/app"
	"github.com/twinstudio/twinstudio/engine"
	"github.com/twinstudio/twinstudio/engine/goja"
	"github.com/twinstudio/twinstudio/simulator"
)

// smartOfficeFile finds a file of the example the simulation benchmarks run on,
// relative to this package's folder or the repository root.
func smartOfficeFile(name string) (string, error) {
	for _, dir := range []string{"examples/smart-office", "../../examples/smart-office", "../examples/smart-office"} {
		p := filepath.Join(dir, name)
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p, nil
		}
	}
	return "", fmt.Errorf("examples/smart-office/%s not found (run from the repository)", name)
}

// simProject opens a fresh project provisioned with the Smart Office,
// its UDFs disabled unless udfs.
func simProject(cfg Config, name string, udfs bool, clock *simulator.Clock) (*app.App, error) {
	prov, err := smartOfficeFile("provision.yaml")
	if err != nil {
		return nil, err
	}
	path := filepath.Join(cfg.Dir, fmt.Sprintf("%s-%d.twin", name, time.Now().UnixNano()))
	a, err := app.Open(path, app.Options{Engine: engine.Options{Now: clock.Now}, Pipeline: engine.PipelineOptions{NoEvents: true, Queue: 4096},
		UDF: goja.Options{Now: clock.Now, Seed: 1}})
	if err != nil {
		return nil, err
	}
	if _, err := a.ProvisionFile(prov); err != nil {
		a.Close()
		return nil, err
	}
	if !udfs {
		err := a.Engine().Update(func(tx *engine.Tx) error {
			for _, u := range tx.UDFs() {
				c := *u
				c.Disabled = true
				if err := tx.PutUDF(&c); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			a.Close()
			return nil, err
		}
	}
	return a, nil
}

// benchSim measures sim_readings: simulated readings per second into the
// engine (pipeline, values, history, commits to the project file) in fast
// mode with no UDF, every sensor of the Smart Office reporting every
// simulated minute; and sim_week_smart_office_s: wall-clock seconds for the
// week.yaml scenario with the example's Availability UDF.
func benchSim(cfg Config) ([]Row, error) {
	week, err := smartOfficeFile("week.yaml")
	if err != nil {
		return nil, err
	}
	sc, err := simulator.LoadScenario(week)
	if err != nil {
		return nil, err
	}
	// sim_readings: a simulated day (a tenth of it at test sizes) reported every minute.
	fast := *sc
	fast.Report = fast.Step
	fast.Duration = 24 * time.Hour
	small := cfg.IngestMessages < 200_000
	if small {
		fast.Duration = 2 * time.Hour
	}
	clock := simulator.NewClock(fast.Start, fast.Step)
	a, err := simProject(cfg, "sim", false, clock)
	if err != nil {
		return nil, err
	}
	s, err := simulator.New(a.Engine(), &fast)
	if err != nil {
		a.Close()
		return nil, err
	}
	res, err := s.Run(a.Pipeline(), simulator.Options{Clock: clock})
	if err != nil {
		a.Close()
		return nil, err
	}
	if err := a.Close(); err != nil {
		return nil, err
	}
	rate := float64(res.Readings) / res.Wall.Seconds()
	rows := []Row{{Name: "sim_readings", Value: rate, Unit: "readings/s", Target: ">= 200000", OK: rate >= 200000,
		Note: fmt.Sprintf("%d readings, %v simulated, %d sensors every %v, durable, no UDF", res.Readings, fast.Duration, res.Readings/uint64(fast.Duration/fast.Report), fast.Report)}}

	// sim_week_smart_office_s: the week with its UDF (a day at test sizes).
	wk := *sc
	note := "examples/smart-office/week.yaml: 168 h simulated, readings every 5 min, Availability UDF"
	if small {
		wk.Duration = 2 * time.Hour
		note = "2 h of week.yaml (test size)"
	}
	clock = simulator.NewClock(wk.Start, wk.Step)
	a, err = simProject(cfg, "week", true, clock)
	if err != nil {
		return nil, err
	}
	s, err = simulator.New(a.Engine(), &wk)
	if err != nil {
		a.Close()
		return nil, err
	}
	start := time.Now()
	res, err = s.Run(a.Pipeline(), simulator.Options{Clock: clock})
	if err != nil {
		a.Close()
		return nil, err
	}
	if err := a.Close(); err != nil {
		return nil, err
	}
	secs := since(start)
	rows = append(rows, Row{Name: "sim_week_smart_office_s", Value: secs, Unit: "s", Target: "<= 60", OK: secs <= 60,
		Note: fmt.Sprintf("%s; %d readings", note, res.Readings)})
	return rows, nil
}
