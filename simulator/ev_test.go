package simulator

import (
	"bytes"
	"math"
	"strings"
	"testing"

	"github.com/twinstudio/twinstudio/engine"
	"github.com/twinstudio/twinstudio/engine/yaml"
)

func evEngine(t *testing.T) *engine.Engine {
	t.Helper()
	e, err := engine.New(memStore{}, engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	plan, err := yaml.ReadFile("../examples/ev-charging/provision.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Provision(plan); err != nil {
		t.Fatal(err)
	}
	return e
}

// evScenario loads an example scenario with its equal-share variant (no
// UDF runtime needed).
func evScenario(t *testing.T, file string) *Scenario {
	t.Helper()
	sc, err := LoadScenario("../examples/ev-charging/" + file)
	if err != nil {
		t.Fatal(err)
	}
	if sc, err = sc.Variant("equal"); err != nil {
		t.Fatal(err)
	}
	return sc
}

// TestEVCharging: a simulated day of the example car park with 4 and 8
// chargers under the equal policy: energy is conserved, the grid limit
// holds, no car goes past 100 %, and more chargers deliver more.
func TestEVCharging(t *testing.T) {
	var results []*Result
	for _, file := range []string{"four.yaml", "eight.yaml"} {
		sc := evScenario(t, file)
		_, res, vals, _ := seriesOf(t, evEngine(t), sc)
		if len(res.EV) != 1 {
			t.Fatalf("%s: %d car parks in the KPIs", file, len(res.EV))
		}
		ev := res.EV[0]
		site := floats(t, vals["EV-SITE-POWER"])
		if len(site) != 1440 {
			t.Fatalf("%s: %d site readings, want 1440", file, len(site))
		}
		// Energy conservation: delivered = Σ P·Δt, for the site meter and
		// for the chargers' own meters (readings have two decimals).
		sum := 0.0
		for k, p := range site {
			if p > 44+1e-9 {
				t.Errorf("%s: site power %v kW at minute %d, over the 44 kW grid limit", file, p, k)
			}
			sum += p / 60
		}
		if math.Abs(sum-ev.DeliveredKWh) > 0.2 {
			t.Errorf("%s: Σ site power × Δt = %v kWh, delivered %v kWh", file, sum, ev.DeliveredKWh)
		}
		chargers := 0.0
		for c := 1; c <= 8; c++ {
			hw := "EV-C" + string(rune('0'+c))
			for _, p := range floats(t, vals[hw+"-POWER"]) {
				if p > 11+1e-9 {
					t.Errorf("%s: charger %d at %v kW, over its 11 kW", file, c, p)
				}
				if c > ev.Chargers && p != 0 {
					t.Errorf("%s: charger %d is not in use but draws %v kW", file, c, p)
				}
				chargers += p / 60
			}
			for _, soc := range floats(t, vals[hw+"-SOC"]) {
				if soc < 0 || soc > 100 {
					t.Errorf("%s: charger %d state of charge %v %%", file, c, soc)
				}
			}
		}
		if math.Abs(chargers-ev.DeliveredKWh) > 0.5 {
			t.Errorf("%s: Σ charger power × Δt = %v kWh, delivered %v kWh", file, chargers, ev.DeliveredKWh)
		}
		if ev.PeakKW > 44+1e-9 || ev.HoursOverLimit != 0 {
			t.Errorf("%s: peak %v kW, %v h over the limit", file, ev.PeakKW, ev.HoursOverLimit)
		}
		if ev.DeliveredKWh <= 0 || ev.Cars == 0 {
			t.Errorf("%s: %+v", file, ev)
		}
		// The times of arrivals and turned-away cars (for the charts).
		if len(ev.ArrivedAt) != ev.Cars || len(ev.TurnedAwayAt) != ev.TurnedAway {
			t.Errorf("%s: %d arrival times for %d cars, %d turned-away times for %d", file, len(ev.ArrivedAt), ev.Cars, len(ev.TurnedAwayAt), ev.TurnedAway)
		}
		// The car park's meter is its chargers: energy KPIs agree.
		if len(res.Energy) != 1 || math.Abs(res.EnergyKWh-ev.DeliveredKWh) > 1e-9 || math.Abs(res.PeakKW-ev.PeakKW) > 1e-9 {
			t.Errorf("%s: energy %v kWh peak %v kW; EV %v kWh %v kW", file, res.EnergyKWh, res.PeakKW, ev.DeliveredKWh, ev.PeakKW)
		}
		results = append(results, res)
	}
	four, eight := results[0].EV[0], results[1].EV[0]
	t.Logf("4 chargers: %+v", four)
	t.Logf("8 chargers: %+v", eight)
	if eight.DeliveredKWh <= four.DeliveredKWh || eight.UnmetKWh >= four.UnmetKWh || eight.TurnedAway > four.TurnedAway {
		t.Errorf("8 chargers should deliver more and leave less unmet: 4: %+v, 8: %+v", four, eight)
	}
	// The same cars come in both runs: their total demand is the same.
	if d := (four.DeliveredKWh + four.UnmetKWh) - (eight.DeliveredKWh + eight.UnmetKWh); math.Abs(d) > 1e-6 || four.Cars != eight.Cars {
		t.Errorf("demand differs between the runs by %v kWh (%d vs %d cars)", d, four.Cars, eight.Cars)
	}
	var kpis bytes.Buffer
	results[0].WriteKPIs(&kpis, nil)
	for _, k := range []string{"ev_energy_delivered", "ev_unmet_demand", "ev_peak_kw", "energy_kwh", "peak_kw"} {
		if !strings.Contains(kpis.String(), ","+k+",") {
			t.Errorf("kpis.csv has no %s:\n%s", k, kpis.String())
		}
	}
}

// TestEVDeterministic: two runs give the same bytes.
func TestEVDeterministic(t *testing.T) {
	var out []string
	for i := 0; i < 2; i++ {
		e := evEngine(t)
		s, err := New(e, evScenario(t, "eight.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		p := e.NewPipeline(engine.PipelineOptions{NoEvents: true})
		var series, kpis bytes.Buffer
		res, err := s.Run(p, Options{Series: &series})
		p.Close()
		if err != nil {
			t.Fatal(err)
		}
		res.WriteKPIs(&kpis, nil)
		out = append(out, series.String()+kpis.String())
	}
	if out[0] != out[1] {
		t.Error("two runs differ")
	}
}

// TestEVUnlimited: without a grid limit every charger gives its maximum,
// and a car that stays long enough leaves full.
func TestEVUnlimited(t *testing.T) {
	sc := parseSc(t, `
start: 2026-03-02T00:00:00Z
spaces:
- type: Parking
  model: carpark
  chargers: 8
  chargerPower: 7.4
  arrivals: {cars: 3, arrive: "08:00", arriveSpread: 0, depart: "18:00", departSpread: 0, soc: 20, socSpread: 0, battery: 50}
`)
	_, res, vals, _ := seriesOf(t, evEngine(t), sc)
	ev := res.EV[0]
	// 3 cars × 40 kWh, 10 h at up to 7.4 kW: all delivered.
	if math.Abs(ev.DeliveredKWh-120) > 1e-6 || ev.UnmetKWh > 1e-6 || math.Abs(ev.PeakKW-3*7.4) > 1e-9 {
		t.Errorf("%+v", ev)
	}
	soc := floats(t, vals["EV-C1-SOC"])
	if soc[8*60] != 20 || soc[17*60] != 100 || soc[19*60] != 0 {
		t.Errorf("charger 1 state of charge at 08:00, 17:00, 19:00: %v %v %v", soc[8*60], soc[17*60], soc[19*60])
	}
}

func TestEVScenarioErrors(t *testing.T) {
	for _, c := range []struct{ text, msg string }{
		{"spaces:\n- type: Parking\n  policy: greedy\n", `test.yaml:3: spaces[0].policy: unknown policy "greedy"`},
		{"spaces:\n- type: Parking\n  chargerPower: 0\n", `test.yaml:3: spaces[0].chargerPower: must be positive`},
		{"spaces:\n- type: Parking\n  arrivals: {arrive: noon}\n", `spaces[0].arrivals.arrive: want a time of day`},
		{"spaces:\n- type: Parking\n  arrivals: {soc: 120}\n", `spaces[0].arrivals.soc: is a percentage`},
		{"spaces:\n- type: Parking\n  chargers: 2.5\n", `spaces[0].chargers: want an integer`},
	} {
		_, err := ParseScenario("test.yaml", []byte(c.text))
		if err == nil || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%q: got %v, want %q", c.text, err, c.msg)
		}
	}
}
