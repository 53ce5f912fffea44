package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/twinstudio/twinstudio/app"
	"github.com/twinstudio/twinstudio/engine"
	"github.com/twinstudio/twinstudio/engine/goja"
	"github.com/twinstudio/twinstudio/simulator"
)

type simulateCmd struct {
	projectFlag
	Scenario string        `required:"" placeholder:"FILE.yaml" help:"Scenario file (docs/scenarios.md)."`
	Duration time.Duration `placeholder:"24h" help:"Simulated time to run (default: the scenario's duration)."`
	Out      string        `placeholder:"DIR" help:"Write kpis.csv, series.csv and summary.txt to DIR (created if absent)."`
	Seed     int64         `default:"-1" placeholder:"N" help:"Seed for every random draw (default: the scenario's seed)."`
	Variant  string        `placeholder:"NAME" help:"Run the scenario's variant NAME (its overrides applied)."`
	Compare  string        `placeholder:"FILE.yaml" help:"Compare with another scenario (not available yet)."`
}

func (c *simulateCmd) Run(e *env) error {
	if c.Compare != "" {
		return usageError{fmt.Errorf("--compare is not available yet: run each scenario with its own --out and compare their kpis.csv")}
	}
	sc, err := simulator.LoadScenario(c.Scenario)
	if err != nil {
		return err
	}
	if c.Variant != "" {
		if sc, err = sc.Variant(c.Variant); err != nil {
			return err
		}
	}
	if c.Duration < 0 {
		return usageError{fmt.Errorf("--duration must be positive, got %v", c.Duration)}
	}
	if c.Duration > 0 {
		sc.Duration = c.Duration
	}
	if c.Seed >= 0 {
		sc.Seed = uint64(c.Seed)
	}
	clock := simulator.NewClock(sc.Start, sc.Step)
	a, err := c.open(false, app.Options{
		Engine:   engine.Options{Now: clock.Now},
		Pipeline: engine.PipelineOptions{NoEvents: true},
	})
	if err != nil {
		return err
	}
	defer a.Close()
	// UDFs see the simulated time and a seeded Math.random; the counter
	// gives the udf KPIs.
	udfs := &simulator.UDFCounter{RT: goja.New(goja.Options{Now: clock.Now, Seed: int64(sc.Seed) + 1})}
	a.Engine().SetUDFRuntime(udfs)
	sim, err := simulator.New(a.Engine(), sc)
	if err != nil {
		return err
	}
	var series *os.File
	if c.Out != "" {
		if err := os.MkdirAll(c.Out, 0o755); err != nil {
			return err
		}
		if series, err = os.Create(filepath.Join(c.Out, "series.csv")); err != nil {
			return err
		}
		defer series.Close()
	}
	opts := simulator.Options{UDFs: udfs, Clock: clock}
	if series != nil {
		opts.Series = series
	}
	res, err := sim.Run(a.Pipeline(), opts)
	if err != nil {
		return err
	}
	var summary bytes.Buffer
	if err := res.WriteSummary(&summary); err != nil {
		return err
	}
	if c.Out != "" {
		if err := series.Close(); err != nil {
			return err
		}
		var kpis bytes.Buffer
		if err := res.WriteKPIs(&kpis, sc.KPIs); err != nil {
			return err
		}
		for name, data := range map[string][]byte{"kpis.csv": kpis.Bytes(), "summary.txt": summary.Bytes()} {
			if err := os.WriteFile(filepath.Join(c.Out, name), data, 0o644); err != nil {
				return err
			}
		}
	}
	if err := a.Close(); err != nil {
		return err
	}
	_, err = e.stdout.Write(summary.Bytes())
	if err == nil && c.Out != "" {
		fmt.Fprintf(e.stdout, "\nwrote %s, %s and %s\n", filepath.Join(c.Out, "kpis.csv"), filepath.Join(c.Out, "series.csv"), filepath.Join(c.Out, "summary.txt"))
	}
	return err
}
