package simulator

import (
	"bytes"
	"crypto/sha256"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/twinstudio/twinstudio/engine"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestOutputsGolden: every model's readings, space series, KPIs and
// summary are byte for byte those recorded in testdata/outputs.golden
// (sha256 of each output), so that a change to the run loop or a model
// that alters any output shows. Refresh with go test -run OutputsGolden -update
// only when an output is meant to change.
func TestOutputsGolden(t *testing.T) {
	type run struct {
		name string
		e    func(*testing.T) *engine.Engine
		sc   func(*testing.T) *Scenario
	}
	faults := meteredScenario + `
faults:
- sensor: M_CO2
  dropout: 0.25
- sensor: M_TEMP
  drift: 2
  noise: 0.5
- device: METER01
  type: Power
  stuck: {from: 2026-03-02T10:00:00Z, to: 2026-03-02T12:00:00Z}
- device: METER01
  type: Energy
  offline: {from: 2026-03-02T10:00:00Z, to: 2026-03-02T11:00:00Z}
`
	week := func(t *testing.T) *Scenario {
		sc, err := LoadScenario("../examples/smart-office/week.yaml")
		if err != nil {
			t.Fatal(err)
		}
		sc.Duration = 36 * 3600e9
		return sc
	}
	runs := []run{
		{"small", func(t *testing.T) *engine.Engine { return smartOffice(t) }, func(t *testing.T) *Scenario { return parseSc(t, small) }},
		{"week36h", func(t *testing.T) *engine.Engine { return smartOffice(t) }, week},
		{"metered", meteredEngine, func(t *testing.T) *Scenario { return parseSc(t, meteredScenario) }},
		{"faults", meteredEngine, func(t *testing.T) *Scenario { return parseSc(t, faults) }},
		{"ev4", evEngine, func(t *testing.T) *Scenario { return evScenario(t, "four.yaml") }},
		{"ev8", evEngine, func(t *testing.T) *Scenario { return evScenario(t, "eight.yaml") }},
		{"town", townEngine, func(t *testing.T) *Scenario {
			return parseSc(t, `
name: town
seed: 5
start: 2026-03-01T00:00:00Z
duration: 72h
step: 1m
report: 10m
spaces:
- subtype: Shop
  visitors: {rate: 30, stay: 20m, open: "09:00", close: "20:00"}
- subtype: GardenBed
`)
		}},
	}
	var got strings.Builder
	for _, r := range runs {
		e := r.e(t)
		s, err := New(e, r.sc(t))
		if err != nil {
			t.Fatalf("%s: %v", r.name, err)
		}
		p := e.NewPipeline(engine.PipelineOptions{NoEvents: true})
		var series, spaces, kpis, summary bytes.Buffer
		res, err := s.Run(p, Options{Series: &series, SpaceSeries: &spaces})
		p.Close()
		if err != nil {
			t.Fatalf("%s: %v", r.name, err)
		}
		res.Wall = 0
		if err := res.WriteKPIs(&kpis, nil); err != nil {
			t.Fatal(err)
		}
		if err := res.WriteSummary(&summary); err != nil {
			t.Fatal(err)
		}
		for _, o := range []struct {
			n string
			b []byte
		}{{"series.csv", series.Bytes()}, {"spaces.csv", spaces.Bytes()}, {"kpis.csv", kpis.Bytes()}, {"summary.txt", summary.Bytes()}} {
			fmt.Fprintf(&got, "%s %s %d lines sha256 %x\n", r.name, o.n, bytes.Count(o.b, []byte("\n")), sha256.Sum256(o.b))
		}
	}
	path := filepath.Join("testdata", "outputs.golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got.String() != string(want) {
		t.Errorf("outputs differ from %s:\ngot\n%s\nwant\n%s", path, got.String(), want)
	}
}
