package simulator

import (
	"bytes"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/twinstudio/twinstudio/engine"
	"github.com/twinstudio/twinstudio/engine/yaml"
)

func TestSteadyStateCO2(t *testing.T) {
	c := 420.0
	const n, v, q, out = 4.0, 60.0, 100.0, 420.0
	for i := 0; i < 24*60; i++ { // a day of minutes
		c = CO2Step(c, n, v, q, out, 1.0/60)
	}
	want := out + 1e6*0.005e-3*3600*n/q // G = 0.005 L/s per person
	if math.Abs(c-want)/want > 0.01 {
		t.Errorf("steady state %.1f ppm, want %.1f ± 1 %%", c, want)
	}
	if s := SteadyCO2(n, q, out); math.Abs(s-want) > 1e-9 {
		t.Errorf("SteadyCO2 %.3f, want %.3f", s, want)
	}
}

func TestEmptyRoomDecay(t *testing.T) {
	const v, q, out, c0 = 60.0, 120.0, 400.0, 1400.0
	tau := v / q // hours
	c := c0
	steps := int(tau * 60) // one time constant in minutes
	for i := 0; i < steps; i++ {
		c = CO2Step(c, 0, v, q, out, 1.0/60)
	}
	want := out + (c0-out)*math.Exp(-1)
	if math.Abs(c-want) > 0.5 {
		t.Errorf("after one time constant (%.2f h): %.1f ppm, want %.1f", tau, c, want)
	}
}

func TestTemperatureTendsToOutdoor(t *testing.T) {
	r := Room{V: 60, Q: 100, UA: 20, Set: 21, HVAC: 0, T: 22}
	for i := 0; i < 7*24*60; i++ {
		r.TempStep(0, 5, 1.0/60, true) // HVAC on but of no capacity
	}
	if math.Abs(r.T-5) > 0.01 {
		t.Errorf("after a week without HVAC: %.3f °C, want 5", r.T)
	}
	// With HVAC of enough capacity it holds the setpoint near 21.
	r = Room{V: 60, Q: 100, UA: 20, Set: 21, HVAC: 3000, T: 15}
	for i := 0; i < 24*60; i++ {
		r.TempStep(2, 5, 1.0/60, true)
	}
	if math.Abs(r.T-21) > 0.5 {
		t.Errorf("with HVAC: %.2f °C, want about 21", r.T)
	}
}

// memStore is a Store that keeps nothing: enough for the engine in tests.
type memStore struct{}

func (memStore) Load(func(engine.Object) error, func(engine.ID, string, engine.Value) error) error {
	return nil
}
func (memStore) Apply([]engine.Op) error                                { return nil }
func (memStore) History(engine.ID, string, int) ([]engine.Value, error) { return nil, nil }
func (memStore) Close() error                                           { return nil }

func smartOffice(t testing.TB) *engine.Engine {
	t.Helper()
	e, err := engine.New(memStore{}, engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	plan, err := yaml.ReadFile("../examples/smart-office/provision.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Provision(plan); err != nil {
		t.Fatal(err)
	}
	return e
}

const small = `
name: small
seed: 7
start: 2026-03-02T06:00:00Z
duration: 6h
step: 1m
report: 5m
outdoor: {co2: 420, temperature: {mean: 8, amplitude: 4}}
spaces:
- path: /Smart Office
- type: Room
  subtype: ConferenceRoom
  people: 10
  volume: 90
variants:
  dirty-air:
    outdoor: {co2: 600}
`

func run(t *testing.T, e *engine.Engine, sc *Scenario) (*Result, string, string) {
	t.Helper()
	s, err := New(e, sc)
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
	if err := res.WriteKPIs(&kpis, nil); err != nil {
		t.Fatal(err)
	}
	return res, series.String(), kpis.String()
}

func TestRunDeterministic(t *testing.T) {
	sc, err := ParseScenario("small.yaml", []byte(small))
	if err != nil {
		t.Fatal(err)
	}
	res, s1, k1 := run(t, smartOffice(t), sc)
	_, s2, k2 := run(t, smartOffice(t), sc)
	if s1 != s2 || k1 != k2 {
		t.Fatal("two runs of the same scenario and seed differ")
	}
	if res.Rejected != 0 {
		t.Errorf("%d readings rejected", res.Rejected)
	}
	lines := strings.Count(s1, "\n") - 1
	if uint64(lines) != res.Readings || res.Readings == 0 {
		t.Errorf("series has %d readings, result says %d", lines, res.Readings)
	}
	// 6 h every 5 min = 72 reports of every driven sensor.
	if res.Readings%72 != 0 {
		t.Errorf("readings %d not a multiple of 72", res.Readings)
	}
	if !strings.Contains(s1, "2026-03-02T09:00:00Z,SO-F1-R01-MOTION,") {
		t.Errorf("series lacks the lobby's motion at 09:00:\n%.300s", s1)
	}
	sc.Seed = 8
	_, s3, _ := run(t, smartOffice(t), sc)
	if s3 == s1 {
		t.Error("another seed gave the same series")
	}
}

func TestVariantChangesOnlyWhatItOverrides(t *testing.T) {
	sc, err := ParseScenario("small.yaml", []byte(small))
	if err != nil {
		t.Fatal(err)
	}
	v, err := sc.Variant("dirty-air")
	if err != nil {
		t.Fatal(err)
	}
	if v.Outdoor.CO2 != 600 || sc.Outdoor.CO2 != 420 {
		t.Fatalf("variant co2 %v, base %v", v.Outdoor.CO2, sc.Outdoor.CO2)
	}
	w := *v
	w.Outdoor.CO2, w.Name, w.overrides = sc.Outdoor.CO2, sc.Name, nil
	b := *sc
	b.overrides = nil
	if !equalScenario(&w, &b) {
		t.Errorf("the variant changed more than outdoor.co2:\n%+v\n%+v", w, b)
	}
	base, _, _ := run(t, smartOffice(t), sc)
	vr, _, _ := run(t, smartOffice(t), v)
	for i := range base.Spaces {
		if base.Spaces[i].OccupancyRate != vr.Spaces[i].OccupancyRate || base.Spaces[i].Peak != vr.Spaces[i].Peak {
			t.Errorf("%s: occupancy changed with outdoor CO2", base.Spaces[i].Name)
		}
	}
	if _, err := sc.Variant("nope"); err == nil || !strings.Contains(err.Error(), "dirty-air") {
		t.Errorf("unknown variant: %v", err)
	}
}

func equalScenario(a, b *Scenario) bool {
	var x, y bytes.Buffer
	for _, s := range []struct {
		sc  *Scenario
		out *bytes.Buffer
	}{{a, &x}, {b, &y}} {
		sc := s.sc
		s.out.WriteString(sc.Name + sc.Start.String() + sc.Duration.String() + sc.Step.String() + sc.Report.String())
		s.out.WriteString(strings.Repeat("|", int(sc.Seed%7)))
		for _, r := range sc.Spaces {
			s.out.WriteString(r.Path + r.Type + r.Subtype)
			for _, p := range []*float64{r.Params.People, r.Params.Volume, r.Params.Ventilation, r.Params.Setpoint, r.Params.HVAC, r.Params.Envelope} {
				if p != nil {
					s.out.WriteString(time.Duration(*p * 1e6).String())
				}
			}
		}
	}
	return x.String() == y.String() && a.Outdoor == b.Outdoor && a.Scale == b.Scale && a.Seed == b.Seed
}

func TestOccupancyShape(t *testing.T) {
	sc, err := ParseScenario("day.yaml", []byte("seed: 3\nstart: 2026-03-07T00:00:00Z\nduration: 48h\nspaces:\n- path: /\n"))
	if err != nil {
		t.Fatal(err)
	}
	// 2026-03-07 is a Saturday: nobody comes.
	res, _, _ := run(t, smartOffice(t), sc)
	for _, s := range res.Spaces {
		if s.Peak != 0 {
			t.Errorf("%s: %d people on a weekend", s.Name, s.Peak)
		}
	}
	sc.Start = time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC) // a Tuesday
	sc.Duration = 24 * time.Hour
	res, _, _ = run(t, smartOffice(t), sc)
	busy := 0
	for _, f := range res.Floors {
		if f.Peak > 0 && f.OccupancyRate > 0.1 && f.OccupancyRate < 1 {
			busy++
		}
	}
	if busy != 3 {
		t.Errorf("want 3 busy floors on a Tuesday, got %+v", res.Floors)
	}
}

func TestScenarioErrors(t *testing.T) {
	cases := []struct{ src, want string }{
		{"name: x\nstep: fast\n", "s.yaml:2: step: want a positive duration"},
		{"name: x\nspaces:\n- path: /A\n  model: disco\n", `s.yaml:4: spaces[0].model: unknown model "disco"`},
		{"name: x\nspaces:\n- people: 3\n", "s.yaml:3: spaces[0]: a rule needs a path"},
		{"name: x\ncolour: red\n", "s.yaml:2: colour: unknown field"},
		{"start: yesterday\n", "s.yaml:1: start: want an RFC 3339 time"},
		{"outdoor: {temperature: {mean: warm}}\n", "s.yaml:1: outdoor.temperature.mean: want a number"},
		{"variants:\n  v:\n    seed: x\n", "s.yaml:3: seed: want an integer"},
		{"step: 7m\nreport: 10m\n", "report: must be a multiple of step"},
		{"kpis: [joy]\n", `s.yaml:1: kpis: unknown KPI "joy"`},
		{"- a\n", "s.yaml:1: a scenario is a mapping"},
		{"name: [\n", "s.yaml:"},
		// Numbers are range-checked: a billion people would run the
		// process out of memory.
		{"name: x\nspaces:\n- path: /A\n  people: 1000000000\n", "s.yaml:4: spaces[0].people: must be at most 10000, got 1000000000"},
		{"name: x\nspaces:\n- path: /A\n  people: .inf\n", "s.yaml:4: spaces[0].people: want a number"},
		{"name: x\nspaces:\n- path: /A\n  setpoint: 500\n", "spaces[0].setpoint: must be between -50 and 60"},
		{"name: x\nspaces:\n- path: /A\n  chargers: 99999999\n", "spaces[0].chargers: must be at most 10000"},
		{"name: x\nscale: {people: 1e9}\n", "s.yaml:2: scale.people: must be at most 100"},
	}
	for _, c := range cases {
		_, err := ParseScenario("s.yaml", []byte(c.src))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: got %v, want %q", c.src, err, c.want)
		}
		if err != nil && strings.Contains(err.Error(), "\n") {
			t.Errorf("%q: error is not one line: %q", c.src, err)
		}
		// The same positioned error as provisioning's.
		var pe *engine.PosError
		if err != nil && (!errors.As(err, &pe) || pe.Pos.File != "s.yaml" || !errors.Is(err, engine.ErrInvalid) && !errors.Is(err, yaml.ErrSyntax)) {
			t.Errorf("%q: %T %v is not a positioned provisioning-style error", c.src, err, err)
		}
	}
}

func TestExamples(t *testing.T) {
	for _, f := range []string{"week.yaml", "more-people.yaml"} {
		path := filepath.Join("..", "examples", "smart-office", f)
		if _, err := os.Stat(path); err != nil {
			t.Skip(err)
		}
		sc, err := LoadScenario(path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := New(smartOffice(t), sc); err != nil {
			t.Fatal(err)
		}
	}
	base, _ := LoadScenario("../examples/smart-office/week.yaml")
	more, _ := LoadScenario("../examples/smart-office/more-people.yaml")
	if more.Scale.People != 1.3 || more.Scale.Ventilation != 0.8 || more.Duration != base.Duration || len(more.Spaces) != len(base.Spaces) {
		t.Errorf("more-people: %+v", more.Scale)
	}
}

func FuzzLoadScenario(f *testing.F) {
	f.Add([]byte(small))
	f.Add([]byte("name: x\nspaces:\n- type: Room\n  people: 3\n"))
	f.Add([]byte("variants: {a: {scale: {people: 2}}}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		sc, err := ParseScenario("fuzz.yaml", data)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("multi-line error %q", err)
			}
			return
		}
		for _, name := range sc.VariantNames() {
			if _, err := sc.Variant(name); err != nil && strings.Contains(err.Error(), "\n") {
				t.Errorf("multi-line error %q", err)
			}
		}
	})
}

// TestVolumeFromPlan: `volume: plan` takes a room's volume from its floor
// plan (the shape's area × CeilingHeight); a later numeric volume wins;
// without it the model's default stays.
func TestVolumeFromPlan(t *testing.T) {
	e := smartOffice(t)
	const room = "/Smart Office/Floor 1/Office 1.15"
	var area float64
	e.View(func(v *engine.View) error {
		id, err := v.ResolveSpace(room)
		if err != nil {
			t.Fatal(err)
		}
		for _, fp := range v.FloorPlans() {
			for i, sh := range fp.Shapes {
				if sh.SpaceID == id {
					area = fp.AreaM2(i)
				}
			}
		}
		return nil
	})
	if area <= 0 {
		t.Fatalf("%s has no shape on the example's plan", room)
	}
	volumeOf := func(rules string) float64 {
		t.Helper()
		sc, err := ParseScenario("v.yaml", []byte("name: v\nstart: 2026-03-02T06:00:00Z\nduration: 1h\nspaces:\n- path: /Smart Office\n"+rules))
		if err != nil {
			t.Fatal(err)
		}
		s, err := New(e, sc)
		if err != nil {
			t.Fatal(err)
		}
		for _, sp := range s.spaces {
			if sp.name == room {
				return sp.room.V
			}
		}
		t.Fatalf("%s is not simulated", room)
		return 0
	}
	if v := volumeOf("  volume: plan\n"); math.Abs(v-area*CeilingHeight) > 1e-9 {
		t.Errorf("volume: plan gave %.2f m³; want %.2f m² × %.1f m", v, area, CeilingHeight)
	}
	if v := volumeOf("  volume: plan\n- subtype: Office\n  volume: 80\n"); v != 80 {
		t.Errorf("a later volume: 80 gave %.2f m³", v)
	}
	if v, def := volumeOf(""), kindByName(defaultModel("Office")).defaults.volume; v != def {
		t.Errorf("without volume: %.2f m³; want the model's %.2f", v, def)
	}
}
