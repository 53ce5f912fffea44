package app_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/twinstudio/twinstudio/app"
	"github.com/twinstudio/twinstudio/engine"
	"github.com/twinstudio/twinstudio/simulator"
)

// clockPlan is one room whose motion readings run a UDF that records the
// time its script sees (Date) as the room's SeenAt value.
const clockPlan = `
- name: Clock House
  type: Venue
  spaces:
  - name: Room
    type: Room
    subType: Office
    devices:
    - name: Pod
      hardwareId: CLOCK-POD
      sensors:
      - {dataType: Motion, hardwareId: CLOCK-MOTION}
    matchers:
    - {name: Motion, dataTypeValue: Motion}
    userdefinedfunctions:
    - name: Seen
      matcherNames: [Motion]
      script: seen.js
    roleassignments:
    - roleId: 98e44ad7-28d4-4007-853b-b9968ad132d1
      objectName: Seen
      objectIdType: UserDefinedFunctionId
`

const seenJS = `function process(telemetry, executionContext) {
    var room = getSensorMetadata(telemetry.SensorId).Space();
    setSpaceValue(room.Id, "SeenAt", new Date().toISOString());
}
`

const clockScenario = `name: clock
seed: 1
start: 2026-03-02T09:00:00Z
duration: 2h
step: 1m
report: 10m
spaces:
- path: /Clock House
`

// TestStudioUDFsSeeSimulatedTime: in the studio (a project opened with the
// wall clock, a simulation started on it) UDF scripts see the simulated
// time, as in twin simulate; once the run is over the project is back on
// the wall clock.
func TestStudioUDFsSeeSimulatedTime(t *testing.T) {
	dir := t.TempDir()
	for name, text := range map[string]string{"plan.yaml": clockPlan, "seen.js": seenJS, "clock.yaml": clockScenario} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	a, err := app.Open(filepath.Join(dir, "clock.twin"), app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if _, err := a.ProvisionFile(filepath.Join(dir, "plan.yaml")); err != nil {
		t.Fatal(err)
	}
	sc, err := simulator.LoadScenario(filepath.Join(dir, "clock.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, speed := range []float64{0, 360_000} {
		run, err := a.StartSimulation(sc, app.SimOptions{Speed: speed})
		if err != nil {
			t.Fatal(err)
		}
		<-run.Done()
		if err := run.Err(); err != nil {
			t.Fatal(err)
		}
		if res := run.Result(); res.UDFExecutions == 0 || res.UDFFailures != 0 {
			t.Fatalf("speed %v: %d UDF executions, %d failed", speed, res.UDFExecutions, res.UDFFailures)
		}
		var seen string
		a.Engine().View(func(v *engine.View) error {
			for _, sp := range v.Roots() {
				for _, room := range v.ChildSpaces(sp.ID) {
					if val, ok := v.SpaceValue(room.ID, "SeenAt"); ok {
						seen = val.Value
					}
				}
			}
			return nil
		})
		at, err := time.Parse(time.RFC3339, seen)
		if err != nil {
			t.Fatalf("speed %v: SeenAt %q: %v", speed, seen, err)
		}
		if at.Before(sc.Start) || at.After(sc.Start.Add(sc.Duration)) {
			t.Errorf("speed %v: the UDF saw %v, want simulated time in [%v, %v]", speed, at, sc.Start, sc.Start.Add(sc.Duration))
		}
		if d := time.Since(a.Engine().Now()); d < -time.Minute || d > time.Minute {
			t.Errorf("speed %v: after the run the engine's clock is %v, want the wall clock", speed, a.Engine().Now())
		}
	}
}
