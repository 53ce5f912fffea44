package simulator

import (
	"math"
	"testing"

	"github.com/twinstudio/twinstudio/engine"
	"github.com/twinstudio/twinstudio/engine/yaml"
)

const townPlan = `
- name: Town
  type: Venue
  spaces:
  - name: Shop 1
    type: Room
    subType: Shop
    devices:
    - name: Counter
      hardwareId: SHOP1
      sensors:
      - {dataType: PeopleCount, hardwareId: SHOP1-COUNT}
  - name: Bed 1
    type: Garden
    subType: GardenBed
    devices:
    - name: Probe
      hardwareId: BED1
      sensors:
      - {dataType: SoilMoisture, hardwareId: BED1-SOIL}
`

func townEngine(t *testing.T) *engine.Engine {
	t.Helper()
	e, err := engine.New(memStore{}, engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	plan, err := yaml.Parse("town.yaml", []byte(townPlan), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Provision(plan); err != nil {
		t.Fatal(err)
	}
	return e
}

// TestRetailVisitors: Poisson arrivals over opening hours; by Little's law
// the mean number present is λ · W; closed on Sundays and at night.
func TestRetailVisitors(t *testing.T) {
	sc := parseSc(t, `
start: 2026-03-02T00:00:00Z
duration: 168h
spaces:
- subtype: Shop
  people: 1000
  visitors: {rate: 30, stay: 20m, open: "09:00", close: "20:00"}
`)
	_, _, vals, times := seriesOf(t, townEngine(t), sc)
	count := floats(t, vals["SHOP1-COUNT"])
	sum, n := 0.0, 0
	for i, c := range count {
		tm := times["SHOP1-COUNT"][i]
		h := hourOfDay(tm)
		if tm.Weekday() == 0 || h < 9 || h >= 20 {
			if c != 0 {
				t.Fatalf("%v: %v visitors while closed", tm, c)
			}
			continue
		}
		if h >= 10 { // past the first hour's filling up
			sum += c
			n++
		}
	}
	if mean := sum / float64(n); math.Abs(mean-10) > 1.5 {
		t.Errorf("mean visitors present %v, want λW = 30/h × 1/3 h = 10", mean)
	}
}

// TestGardenSoilMoisture: without rain the bed loses exactly what
// evapotranspiration takes; irrigation keeps it above the threshold; rain
// wets it but never past field capacity.
func TestGardenSoilMoisture(t *testing.T) {
	dry := parseSc(t, `
start: 2026-06-01T00:00:00Z
duration: 120h
spaces:
- subtype: GardenBed
  garden: {et: 5, rainPerDay: 0, threshold: 5, rootDepth: 300, capacity: 35, initial: 30}
`)
	s, res, vals, _ := seriesOf(t, townEngine(t), dry)
	g := res.Gardens[0]
	var bed *garden
	for _, sp := range s.spaces {
		if g, ok := sp.m.(*gardenModel); ok {
			bed = &g.g
		}
	}
	if want := 30 - 100.0/300*g.EvapotranspirationMM; math.Abs(bed.theta-want) > 1e-9 || g.Irrigations != 0 || g.RainMM != 0 {
		t.Errorf("θ = %v, want 30 − 100/D · ET = %v (%+v)", bed.theta, want, g)
	}
	// 5 days at up to 5 mm/day, reduced by θ/θ_fc ≈ 0.8: about 20 mm.
	if g.EvapotranspirationMM < 15 || g.EvapotranspirationMM > 25 {
		t.Errorf("ET %v mm over 5 days", g.EvapotranspirationMM)
	}
	soil := floats(t, vals["BED1-SOIL"])
	if soil[0] != 30 || soil[3*60] != 30 || soil[len(soil)-1] >= 30 {
		t.Errorf("moisture at 00:00 %v, 03:00 %v (no ET at night), end %v", soil[0], soil[3*60], soil[len(soil)-1])
	}

	wet := parseSc(t, `
start: 2026-06-01T00:00:00Z
duration: 720h
spaces:
- subtype: GardenBed
  garden: {et: 6, rainPerDay: 0.2, rainMean: 15, threshold: 22, irrigation: 10, initial: 30}
`)
	_, res, vals, _ = seriesOf(t, townEngine(t), wet)
	g = res.Gardens[0]
	t.Logf("30 days: %+v", g)
	if g.Irrigations == 0 || g.IrrigationMM != 10*float64(g.Irrigations) || g.RainMM <= 0 {
		t.Errorf("%+v", g)
	}
	// The steps with rain or irrigation add up to the totals (for the charts).
	var rain, irr float64
	for _, w := range g.Water {
		rain, irr = rain+w.RainMM, irr+w.IrrigationMM
	}
	if math.Abs(rain-g.RainMM) > 1e-9 || math.Abs(irr-g.IrrigationMM) > 1e-9 || g.ThresholdPct != 22 {
		t.Errorf("water steps: rain %v of %v mm, irrigation %v of %v mm, threshold %v", rain, g.RainMM, irr, g.IrrigationMM, g.ThresholdPct)
	}
	if g.MinMoisture < 22-0.1 {
		t.Errorf("moisture fell to %v %% with irrigation below 22 %%", g.MinMoisture)
	}
	for _, x := range floats(t, vals["BED1-SOIL"]) {
		if x > 35 || x < 0 {
			t.Fatalf("moisture %v %% outside 0…35", x)
		}
	}
}
