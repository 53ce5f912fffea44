package simulator

import (
	"bytes"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/twinstudio/twinstudio/engine"
	"github.com/twinstudio/twinstudio/engine/yaml"
)

// meteredPlan is one office with a power meter, an energy meter, CO₂ and
// temperature sensors, and a second room with a CO₂ sensor.
const meteredPlan = `
- name: Metered
  type: Venue
  spaces:
  - name: Floor 1
    type: Floor
    spaces:
    - name: Office 1
      type: Room
      subType: Office
      devices:
      - name: Meter
        hardwareId: METER01
        sensors:
        - {dataType: Power, hardwareId: M_POWER}
        - {dataType: Energy, hardwareId: M_ENERGY}
        - {dataType: CarbonDioxide, hardwareId: M_CO2}
        - {dataType: Temperature, hardwareId: M_TEMP}
    - name: Office 2
      type: Room
      subType: Office
      devices:
      - name: Other
        hardwareId: OTHER01
        sensors:
        - {dataType: CarbonDioxide, hardwareId: O_CO2}
`

func meteredEngine(t *testing.T) *engine.Engine {
	t.Helper()
	e, err := engine.New(memStore{}, engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	plan, err := yaml.Parse("metered.yaml", []byte(meteredPlan), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Provision(plan); err != nil {
		t.Fatal(err)
	}
	return e
}

const meteredScenario = `
name: metered
seed: 3
start: 2026-03-02T00:00:00Z
duration: 24h
step: 1m
report: 1m
outdoor: {temperature: {mean: 0, amplitude: 3}}
spaces:
- path: /Metered
  people: 6
  hvac: 3000
`

func parseSc(t *testing.T, text string) *Scenario {
	t.Helper()
	sc, err := ParseScenario("test.yaml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// series runs sc and returns the sim and each sensor's readings in order.
func seriesOf(t *testing.T, e *engine.Engine, sc *Scenario) (*Sim, *Result, map[string][]string, map[string][]time.Time) {
	t.Helper()
	s, err := New(e, sc)
	if err != nil {
		t.Fatal(err)
	}
	p := e.NewPipeline(engine.PipelineOptions{NoEvents: true})
	var buf bytes.Buffer
	res, err := s.Run(p, Options{Series: &buf})
	p.Close()
	if err != nil {
		t.Fatal(err)
	}
	vals, times := map[string][]string{}, map[string][]time.Time{}
	for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n")[1:] {
		f := strings.Split(line, ",")
		tm, _ := time.Parse(time.RFC3339, f[0])
		vals[f[1]] = append(vals[f[1]], f[2])
		times[f[1]] = append(times[f[1]], tm)
	}
	return s, res, vals, times
}

func floats(t *testing.T, ss []string) []float64 {
	t.Helper()
	out := make([]float64, len(ss))
	for i, s := range ss {
		x, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatalf("reading %q: %v", s, err)
		}
		out[i] = x
	}
	return out
}

func TestSpacePower(t *testing.T) {
	// 60 m³ → 20 m²: base plugs 40 W; lights 160 W; 3 people 240 W; 1500 W of heat at COP 3 is 500 W.
	cases := []struct {
		n     float64
		lamps bool
		hvac  float64
		want  float64
	}{
		{0, false, 0, 40},
		{3, true, 0, 40 + 160 + 240},
		{3, true, 1500, 40 + 160 + 240 + 500},
		{0, false, -900, 40 + 300},
	}
	for _, c := range cases {
		if got := SpacePower(60, c.n, c.lamps, c.hvac); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("SpacePower(60, %v, %v, %v) = %v, want %v", c.n, c.lamps, c.hvac, got, c.want)
		}
	}
}

// TestEnergyIntegratesPower: the energy meter is the integral of the power
// meter's readings, and HVAC power follows the heating effort.
func TestEnergyIntegratesPower(t *testing.T) {
	e := meteredEngine(t)
	s, _, vals, _ := seriesOf(t, e, parseSc(t, meteredScenario))
	power, energy := floats(t, vals["M_POWER"]), floats(t, vals["M_ENERGY"])
	if len(power) != 1440 || len(energy) != 1440 {
		t.Fatalf("%d power and %d energy readings, want 1440 each", len(power), len(energy))
	}
	if energy[0] != 0 {
		t.Errorf("energy at the start = %v, want 0", energy[0])
	}
	// Power at t_k is the mean over [t_{k-1}, t_k): E(t_k) = Σ_{j≤k} P(t_j)·Δt.
	sum := 0.0
	for k := 1; k < len(power); k++ {
		sum += power[k] / 60 / 1000
		if d := math.Abs(energy[k] - sum); d > 0.002+0.001*sum {
			t.Fatalf("step %d: energy %v, integral of power %v", k, energy[k], sum)
		}
		if energy[k] < energy[k-1] {
			t.Fatalf("energy decreased at step %d", k)
		}
	}
	spaces, total, peak := s.Energy()
	var office SpaceEnergy
	for _, sp := range spaces {
		if sp.Name == "/Metered/Floor 1/Office 1" {
			office = sp
		}
	}
	if office.KWh < energy[len(energy)-1] || office.KWh > energy[len(energy)-1]+power[len(power)-1]/60/1000*1.5+0.01 {
		t.Errorf("Energy() gives %v kWh, the meter read %v before the last step", office.KWh, energy[len(energy)-1])
	}
	// A cold day: the HVAC heats from 06:00 to 19:00 and draws power doing it.
	if office.HVACKWh <= 0 || office.HVACKWh >= office.KWh {
		t.Errorf("HVAC energy %v kWh of %v", office.HVACKWh, office.KWh)
	}
	if office.PeakKW*1000 < maxOf(power)-1 || total < office.KWh || peak < office.PeakKW {
		t.Errorf("peak %v kW (power readings up to %v W), total %v, site peak %v", office.PeakKW, maxOf(power), total, peak)
	}
	// At 03:00 nobody is in and the HVAC is off: only the base plug load (20 m² × 2 W/m²).
	if p := power[3*60]; p != 40 {
		t.Errorf("power at 03:00 = %v W, want 40", p)
	}
	// Without HVAC, no HVAC energy and less energy overall.
	noHVAC := parseSc(t, strings.Replace(meteredScenario, "hvac: 3000", "hvac: 0", 1))
	s2, _, _, _ := seriesOf(t, meteredEngine(t), noHVAC)
	sp2, total2, _ := s2.Energy()
	for _, sp := range sp2 {
		if sp.HVACKWh != 0 {
			t.Errorf("%s: HVAC energy %v without HVAC", sp.Name, sp.HVACKWh)
		}
	}
	if total2 >= total {
		t.Errorf("energy without HVAC %v ≥ with %v", total2, total)
	}
}

func maxOf(x []float64) float64 {
	m := math.Inf(-1)
	for _, v := range x {
		m = max(m, v)
	}
	return m
}

// TestFaults: each fault does what it says, and only to the sensors it
// selects.
func TestFaults(t *testing.T) {
	e := meteredEngine(t)
	base := parseSc(t, meteredScenario)
	_, resBase, vb, _ := seriesOf(t, e, base)

	faulty := parseSc(t, meteredScenario+`
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
`)
	_, res, vf, tf := seriesOf(t, meteredEngine(t), faulty)
	// Sensors without faults (and the physics) are untouched.
	if strings.Join(vb["O_CO2"], " ") != strings.Join(vf["O_CO2"], " ") {
		t.Error("a sensor without faults changed")
	}
	// Dropout: about a quarter lost (binomial, n = 1440: σ ≈ 16).
	lost := 1440 - len(vf["M_CO2"])
	if lost < 300 || lost > 420 {
		t.Errorf("dropout 0.25 lost %d of 1440 readings", lost)
	}
	// Drift 2/day: the mean offset over a day is 1; noise 0.5 → σ of the
	// difference ≈ 0.5 (Temperature's own 0.05 noise is shared: same rng draws).
	b, f := floats(t, vb["M_TEMP"]), floats(t, vf["M_TEMP"])
	var mean, sq float64
	for i := range b {
		d := f[i] - b[i] - 2*float64(i)/1440
		mean += d
		sq += d * d
	}
	mean /= float64(len(b))
	sd := math.Sqrt(sq/float64(len(b)) - mean*mean)
	if math.Abs(mean) > 0.05 || sd < 0.45 || sd > 0.55 {
		t.Errorf("drift+noise: residual mean %v, σ %v; want ≈0 and ≈0.5", mean, sd)
	}
	// Stuck from 10:00 to 12:00 at the 09:59 value.
	pw, pt := vf["M_POWER"], tf["M_POWER"]
	for i := range pw {
		if h := pt[i].Hour(); h >= 10 && h < 12 && pw[i] != pw[10*60-1] {
			t.Fatalf("power at %v = %s, stuck at %s", pt[i], pw[i], pw[10*60-1])
		}
	}
	if pw[12*60] == pw[10*60-1] && vb["M_POWER"][12*60] != pw[12*60] {
		t.Error("power stayed stuck after the window")
	}
	// Offline 10:00–11:00: 60 readings missing, none in the window.
	if n := len(vf["M_ENERGY"]); n != 1440-60 {
		t.Errorf("%d energy readings, want %d", n, 1440-60)
	}
	for _, tm := range tf["M_ENERGY"] {
		if tm.Hour() == 10 {
			t.Fatalf("energy reading at %v while offline", tm)
		}
	}
	if res.Readings != resBase.Readings-uint64(lost)-60 {
		t.Errorf("readings %d, want %d", res.Readings, resBase.Readings-uint64(lost)-60)
	}
	// Same seed, same faults: same readings.
	_, _, vf2, _ := seriesOf(t, meteredEngine(t), faulty)
	for k := range vf {
		if strings.Join(vf[k], " ") != strings.Join(vf2[k], " ") {
			t.Errorf("%s: two runs with faults differ", k)
		}
	}
}

func TestFaultErrors(t *testing.T) {
	cases := map[string]string{
		"faults: {a: 1}":                                 "test.yaml:3: faults: want a list",
		"faults:\n- sensor: X":                           "test.yaml:4: faults[0]: a fault needs",
		"faults:\n- dropout: 2":                          "test.yaml:4: faults[0].dropout: is a probability",
		"faults:\n- noise: 1\n  colour: red":             "test.yaml:5: faults[0].colour: unknown field",
		"faults:\n- stuck: {from: 2026-03-02T10:00:00Z}": "test.yaml:4: faults[0].stuck: want both from and to",
		"faults:\n- offline: {from: 2026-03-02T10:00:00Z, to: 2026-03-02T09:00:00Z}": "to must be after from",
		"faults:\n- path: Smart\n  noise: 1":                                         "faults[0].path: a path starts with /",
	}
	for text, want := range cases {
		_, err := ParseScenario("test.yaml", []byte("name: x\nspaces: [{path: /}]\n"+text+"\n"))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want %q", text, err, want)
		}
	}
}

func TestFaultsInVariant(t *testing.T) {
	sc := parseSc(t, meteredScenario+`
faults:
- type: CarbonDioxide
  noise: 5
variants:
  clean:
    faults: []
  worse:
    faults:
    - type: CarbonDioxide
      dropout: 1
`)
	if len(sc.Faults) != 1 {
		t.Fatalf("%d faults", len(sc.Faults))
	}
	clean, err := sc.Variant("clean")
	if err != nil || len(clean.Faults) != 0 {
		t.Fatalf("clean: %v, %d faults", err, len(clean.Faults))
	}
	worse, err := sc.Variant("worse")
	if err != nil || len(worse.Faults) != 1 || worse.Faults[0].Dropout != 1 || sc.Faults[0].Noise != 5 {
		t.Fatalf("worse: %v, %+v; base %+v", err, worse.Faults, sc.Faults)
	}
	_, _, v, _ := seriesOf(t, meteredEngine(t), worse)
	if len(v["M_CO2"]) != 0 || len(v["O_CO2"]) != 0 || len(v["M_TEMP"]) != 1440 {
		t.Errorf("dropout 1 on CO₂: %d and %d CO₂ readings, %d temperature", len(v["M_CO2"]), len(v["O_CO2"]), len(v["M_TEMP"]))
	}
}
