package bench

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/twinstudio/twinstudio/app"
	"github.com/twinstudio/twinstudio/engine"
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

// simProject provisions the Smart Office into a fresh project file, its
// UDFs disabled unless udfs, and returns its path.
func simProject(cfg Config, name string, udfs bool) (string, error) {
	prov, err := smartOfficeFile("provision.yaml")
	if err != nil {
		return "", err
	}
	path := filepath.Join(cfg.Dir, fmt.Sprintf("%s-%d.twin", name, time.Now().UnixNano()))
	a, err := app.Open(path, app.Options{})
	if err != nil {
		return "", err
	}
	if _, err := a.ProvisionFile(prov); err != nil {
		a.Close()
		return "", err
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
			return "", err
		}
	}
	return path, a.Close()
}

// simulate runs sc in place on the project at path the way `twin
// simulate` does (app.SimulateFile: simulated time, as fast as possible,
// in process).
func simulate(path string, sc *simulator.Scenario) (*app.SimReport, error) {
	return app.SimulateFile(path, sc, app.FileSimOptions{InPlace: true,
		Open: app.Options{Pipeline: engine.PipelineOptions{Queue: 4096}}})
}

// benchSim measures sim_readings: simulated readings per second into the
// engine (pipeline, values, history, commits to the project file) in fast
// mode with no UDF, every sensor of the Smart Office reporting every
// simulated minute; and sim_week_smart_office_s: wall-clock seconds for the
// week.yaml scenario with the example's Availability UDF. Both time the
// run itself (Result.Wall), not opening and closing the project.
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
	path, err := simProject(cfg, "sim", false)
	if err != nil {
		return nil, err
	}
	res, err := simulate(path, &fast)
	if err != nil {
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
	if path, err = simProject(cfg, "week", true); err != nil {
		return nil, err
	}
	if res, err = simulate(path, &wk); err != nil {
		return nil, err
	}
	secs := res.Wall.Seconds()
	rows = append(rows, Row{Name: "sim_week_smart_office_s", Value: secs, Unit: "s", Target: "<= 60", OK: secs <= 60,
		Note: fmt.Sprintf("%s; %d readings", note, res.Readings)})
	return rows, nil
}
