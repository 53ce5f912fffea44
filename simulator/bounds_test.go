package simulator

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/twinstudio/twinstudio/engine"
)

// TestScenarioBounds: every number a scenario accepts is read at its
// bound and refused one past it, with a one-line error naming the file,
// the line and the field. One row per field (and per end of a signed
// range).
func TestScenarioBounds(t *testing.T) {
	rule := func(kv string) string { return "spaces:\n- path: /A\n  " + kv + "\n" }
	in := func(group string) func(string) string {
		return func(kv string) string { return rule(group + ": {" + kv + "}") }
	}
	arrivals, visitors, garden := in("arrivals"), in("visitors"), in("garden")
	fault := func(kv string) string { return "faults:\n- type: Temperature\n  " + kv + "\n" }
	top := func(kv string) string { return kv + "\n" }
	list := func(key, item string, n int) string {
		return key + ": [" + strings.TrimSuffix(strings.Repeat(item+", ", n), ", ") + "]\n"
	}
	rules := func(n int) string {
		return "spaces:\n" + strings.Repeat("- path: /A\n", n)
	}
	variants := func(n int) string {
		var b strings.Builder
		b.WriteString("variants:\n")
		for i := range n {
			fmt.Fprintf(&b, "  v%d: {seed: 2}\n", i)
		}
		return b.String()
	}
	rows := []struct {
		field    string
		at, past string // YAML at the bound and one past it
		want     string // the error of past
	}{
		{"seed", top("seed: 0"), top("seed: -1"), "s.yaml:1: seed: must not be negative, got -1"},
		{"start (first)", top("start: 1970-01-01T00:00:00Z"), top("start: 1969-12-31T23:59:59Z"), `s.yaml:1: start: want a time from 1970-01-01 to before 2200-01-01, got "1969-12-31T23:59:59Z"`},
		{"start (last)", top("start: 2199-12-31T23:59:59Z"), top("start: 2200-01-01T00:00:00Z"), `s.yaml:1: start: want a time from 1970-01-01 to before 2200-01-01, got "2200-01-01T00:00:00Z"`},
		{"duration", "step: 1h\nduration: 8784h\n", "step: 1h\nduration: 8785h\n", "s.yaml:2: duration: must be between 1ns and 8784h0m0s, got 8785h"},
		{"duration (steps)", "step: 1s\nduration: 2777h46m40s\n", "step: 1s\nduration: 2777h46m41s\n", "s.yaml:1: duration: more than 10,000,000 steps of 1s"},
		{"step (least)", top("step: 1s"), top("step: 999ms"), "s.yaml:1: step: must be between 1s and 1h0m0s, got 999ms"},
		{"step (most)", top("step: 1h"), top("step: 1h0m1s"), "s.yaml:1: step: must be between 1s and 1h0m0s, got 1h0m1s"},
		{"report", "step: 1h\nreport: 24h\n", "step: 1h\nreport: 25h\n", "s.yaml:2: report: must be between 1ns and 24h0m0s, got 25h"},
		{"outdoor.co2", top("outdoor: {co2: 10000}"), top("outdoor: {co2: 10001}"), "s.yaml:1: outdoor.co2: must be at most 10000, got 10001"},
		{"outdoor.temperature (warmest)", top("outdoor: {temperature: 60}"), top("outdoor: {temperature: 60.5}"), "s.yaml:1: outdoor.temperature: must be between -60 and 60, got 60.5"},
		{"outdoor.temperature (coldest)", top("outdoor: {temperature: -60}"), top("outdoor: {temperature: -60.5}"), "s.yaml:1: outdoor.temperature: must be between -60 and 60, got -60.5"},
		{"outdoor.temperature.mean", top("outdoor: {temperature: {mean: 60}}"), top("outdoor: {temperature: {mean: 61}}"), "s.yaml:1: outdoor.temperature.mean: must be between -60 and 60, got 61"},
		{"outdoor.temperature.amplitude", top("outdoor: {temperature: {amplitude: 30}}"), top("outdoor: {temperature: {amplitude: 31}}"), "s.yaml:1: outdoor.temperature.amplitude: must be at most 30, got 31"},
		{"outdoor.humidity", top("outdoor: {humidity: 100}"), top("outdoor: {humidity: 101}"), "s.yaml:1: outdoor.humidity: is a percentage (0 to 100)"},
		{"outdoor.daylight", top("outdoor: {daylight: 200000}"), top("outdoor: {daylight: 200001}"), "s.yaml:1: outdoor.daylight: must be at most 200000, got 200001"},
		{"outdoor.cloudy", top("outdoor: {cloudy: 1}"), top("outdoor: {cloudy: 1.01}"), "s.yaml:1: outdoor.cloudy: is a fraction (0 to 1)"},
		{"scale.people", top("scale: {people: 100}"), top("scale: {people: 101}"), "s.yaml:1: scale.people: must be at most 100, got 101"},
		{"scale.ventilation", top("scale: {ventilation: 100}"), top("scale: {ventilation: 101}"), "s.yaml:1: scale.ventilation: must be at most 100, got 101"},
		{"holidays", list("holidays", "2026-12-25", 1000), list("holidays", "2026-12-25", 1001), "s.yaml:1: holidays: at most 1000 holidays, got 1001"},
		{"spaces", rules(1000), rules(1001), "s.yaml:2: spaces: at most 1000 rules, got 1001"},
		{"variants", variants(100), variants(101), "s.yaml:2: variants: at most 100 variants, got 101"},
		{"faults", "faults:\n" + strings.Repeat("- {noise: 1}\n", 1000), "faults:\n" + strings.Repeat("- {noise: 1}\n", 1001), "s.yaml:2: faults: at most 1000 faults, got 1001"},
		{"people", rule("people: 10000"), rule("people: 10001"), "s.yaml:3: spaces[0].people: must be at most 10000, got 10001"},
		{"volume", rule("volume: 1e7"), rule("volume: 1.0001e7"), "s.yaml:3: spaces[0].volume: must be at most 1e+07, got 1.0001e7"},
		{"ventilation", rule("ventilation: 10000"), rule("ventilation: 10001"), "s.yaml:3: spaces[0].ventilation: must be at most 10000, got 10001"},
		{"setpoint (warmest)", rule("setpoint: 60"), rule("setpoint: 60.5"), "s.yaml:3: spaces[0].setpoint: must be between -50 and 60, got 60.5"},
		{"setpoint (coldest)", rule("setpoint: -50"), rule("setpoint: -50.5"), "s.yaml:3: spaces[0].setpoint: must be between -50 and 60, got -50.5"},
		{"hvac", rule("hvac: 1e6"), rule("hvac: 1000001"), "s.yaml:3: spaces[0].hvac: must be at most 1e+06, got 1000001"},
		{"envelope", rule("envelope: 1e6"), rule("envelope: 1000001"), "s.yaml:3: spaces[0].envelope: must be at most 1e+06, got 1000001"},
		{"chargers", rule("chargers: 10000"), rule("chargers: 10001"), "s.yaml:3: spaces[0].chargers: must be at most 10000, got 10001"},
		{"chargerPower", rule("chargerPower: 10000"), rule("chargerPower: 10001"), "s.yaml:3: spaces[0].chargerPower: must be at most 10000, got 10001"},
		{"gridLimit", rule("gridLimit: 1e7"), rule("gridLimit: 10000001"), "s.yaml:3: spaces[0].gridLimit: must be at most 1e+07, got 10000001"},
		{"arrivals.cars", arrivals("cars: 10000"), arrivals("cars: 10001"), "s.yaml:3: spaces[0].arrivals.cars: must be at most 10000, got 10001"},
		{"arrivals.arriveSpread", arrivals("arriveSpread: 12h"), arrivals("arriveSpread: 12h1s"), "s.yaml:3: spaces[0].arrivals.arriveSpread: must be between 1ns and 12h0m0s, got 12h1s"},
		{"arrivals.departSpread", arrivals("departSpread: 12h"), arrivals("departSpread: 12h1s"), "s.yaml:3: spaces[0].arrivals.departSpread: must be between 1ns and 12h0m0s, got 12h1s"},
		{"arrivals.soc", arrivals("soc: 100"), arrivals("soc: 101"), "s.yaml:3: spaces[0].arrivals.soc: is a percentage (0 to 100)"},
		{"arrivals.socSpread", arrivals("socSpread: 100"), arrivals("socSpread: 101"), "s.yaml:3: spaces[0].arrivals.socSpread: is a percentage (0 to 100)"},
		{"arrivals.battery", arrivals("battery: 1000"), arrivals("battery: 1001"), "s.yaml:3: spaces[0].arrivals.battery: must be at most 1000, got 1001"},
		{"visitors.rate", visitors("rate: 10000"), visitors("rate: 10001"), "s.yaml:3: spaces[0].visitors.rate: must be at most 10000, got 10001"},
		{"visitors.stay", visitors("stay: 24h"), visitors("stay: 24h1s"), "s.yaml:3: spaces[0].visitors.stay: must be between 1ns and 24h0m0s, got 24h1s"},
		{"garden.et", garden("et: 50"), garden("et: 51"), "s.yaml:3: spaces[0].garden.et: must be at most 50, got 51"},
		{"garden.rainPerDay", garden("rainPerDay: 100"), garden("rainPerDay: 101"), "s.yaml:3: spaces[0].garden.rainPerDay: must be at most 100, got 101"},
		{"garden.rainMean", garden("rainMean: 1000"), garden("rainMean: 1001"), "s.yaml:3: spaces[0].garden.rainMean: must be at most 1000, got 1001"},
		{"garden.threshold", garden("threshold: 100"), garden("threshold: 101"), "s.yaml:3: spaces[0].garden.threshold: must be at most 100, got 101"},
		{"garden.irrigation", garden("irrigation: 1000"), garden("irrigation: 1001"), "s.yaml:3: spaces[0].garden.irrigation: must be at most 1000, got 1001"},
		{"garden.rootDepth", garden("rootDepth: 10000"), garden("rootDepth: 10001"), "s.yaml:3: spaces[0].garden.rootDepth: must be at most 10000, got 10001"},
		{"garden.capacity", garden("capacity: 100"), garden("capacity: 101"), "s.yaml:3: spaces[0].garden.capacity: must be at most 100, got 101"},
		{"garden.initial", garden("initial: 100"), garden("initial: 101"), "s.yaml:3: spaces[0].garden.initial: must be at most 100, got 101"},
		{"faults.dropout", fault("dropout: 1"), fault("dropout: 1.01"), "s.yaml:3: faults[0].dropout: is a probability (0 to 1)"},
		{"faults.noise", fault("noise: 1e6"), fault("noise: 1000001"), "s.yaml:3: faults[0].noise: must be at most 1e+06, got 1000001"},
		{"faults.drift (up)", fault("drift: 1e6"), fault("drift: 1000001"), "s.yaml:3: faults[0].drift: must be between -1e+06 and 1e+06, got 1000001"},
		{"faults.drift (down)", fault("drift: -1e6"), fault("drift: -1000001"), "s.yaml:3: faults[0].drift: must be between -1e+06 and 1e+06, got -1000001"},
	}
	for _, r := range rows {
		t.Run(r.field, func(t *testing.T) {
			if _, err := ParseScenario("s.yaml", []byte(r.at)); err != nil {
				t.Errorf("at the bound: %v", err)
			}
			_, err := ParseScenario("s.yaml", []byte(r.past))
			if err == nil || err.Error() != r.want {
				t.Errorf("past the bound: %v\nwant %s", err, r.want)
			}
			var pe *engine.PosError
			if err != nil && (!errors.As(err, &pe) || !errors.Is(err, engine.ErrInvalid)) {
				t.Errorf("%T %v is not a positioned ErrInvalid", err, err)
			}
		})
	}
}

// TestRunBounds: the size of a run, known once the scenario is bound to a
// project's sensors, is checked at its bounds: readings, model steps, and
// a duration that --duration replaced after the file was read.
func TestRunBounds(t *testing.T) {
	sc, err := ParseScenario("s.yaml", []byte("step: 1m\nduration: 1000m\n"))
	if err != nil {
		t.Fatal(err)
	}
	rows := []struct {
		name            string
		sensors, spaces int
		duration        time.Duration
		want            string // "" at the bound
	}{
		{"readings at the bound", MaxReadings / 1000, 1, 0, ""},
		{"readings past it", MaxReadings/1000 + 1, 1, 0, "s.yaml:2: duration: 16h40m0s of readings every 1m0s from 50001 sensors is 50001000 readings, more than 50000000"},
		{"model steps at the bound", 1, MaxSpaceSteps / 1000, 0, ""},
		{"model steps past it", 1, MaxSpaceSteps/1000 + 1, 0, "s.yaml:2: duration: 16h40m0s in steps of 1m0s in 500001 spaces is 500001000 model steps, more than 500000000"},
		{"duration replaced, at the bound", 1, 1, MaxDuration, ""},
		{"duration replaced, past it", 1, 1, MaxDuration + time.Minute, "s.yaml:2: duration: must be between 1ns and 8784h0m0s, got 8784h1m0s"},
	}
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			c := sc.clone()
			if r.duration > 0 {
				c.Duration = r.duration
			}
			err := c.checkRun(r.sensors, r.spaces)
			if r.want == "" && err != nil || r.want != "" && (err == nil || err.Error() != r.want) {
				t.Errorf("%v; want %q", err, r.want)
			}
		})
	}
}
