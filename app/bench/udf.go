package bench

import (
	"fmt"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twinstudio/twinstudio/app"
	"github.com/twinstudio/twinstudio/engine"
	"github.com/twinstudio/twinstudio/engine/goja"
)

// availabilityScript is the availability-style UDF of the benchmarks: it
// reads the motion and CO2 values of the message's room and writes one
// space value.
const availabilityScript = `
function process(telemetry, executionContext) {
    var sensor = getSensorMetadata(telemetry.SensorId);
    var room = sensor.SpaceId;
    var motion = getSensorValue(MOTION, "Motion");
    var co2 = getSensorValue(CO2, "CarbonDioxide");
    var free = motion !== null && motion.Value !== "true" && co2 !== null && parseFloat(co2.Value) < 1000;
    setSpaceValue(room, "AvailableAndFresh", free ? "Room is available and air is fresh" : "Room is not available or air quality is poor");
}
`

// udfRoom provisions one room with a device carrying Motion, CO2 and
// Temperature sensors, the availability-style UDF on a Temperature matcher
// with Space Administrator on the room, and sets the motion and CO2 values.
func udfRoom(a *app.App, devices int) (motion, co2 engine.ID, err error) {
	room := &engine.PlanSpace{Name: "Room", Type: "Room",
		Matchers:        []*engine.PlanMatcher{{Name: "Temperature", DataTypeValue: "Temperature"}},
		UDFs:            []*engine.PlanUDF{{Name: "Availability", MatcherNames: []string{"Temperature"}, Script: "var MOTION, CO2;"}},
		RoleAssignments: []*engine.PlanRoleAssignment{{Role: "SpaceAdministrator", ObjectName: "Availability", ObjectIDType: engine.ObjectUserDefinedFunctionID}},
		Devices: []*engine.PlanDevice{{Name: "Pod", HardwareID: "POD", Sensors: []*engine.PlanSensor{
			{HardwareID: "POD-M", DataType: "Motion"}, {HardwareID: "POD-C", DataType: "CarbonDioxide"}}}}}
	for i := 0; i < devices; i++ {
		room.Devices = append(room.Devices, &engine.PlanDevice{Name: fmt.Sprintf("Load %d", i), HardwareID: fmt.Sprintf("LOAD-%03d", i),
			Sensors: []*engine.PlanSensor{{HardwareID: fmt.Sprintf("LOAD-%03d-T", i), DataType: "Temperature"}}})
	}
	plan := &engine.Plan{File: "bench", Spaces: []*engine.PlanSpace{{Name: "Bench Building", Type: "Building", Spaces: []*engine.PlanSpace{room}}}}
	if _, err := a.Engine().Provision(plan); err != nil {
		return motion, co2, err
	}
	err = a.Engine().Update(func(tx *engine.Tx) error {
		m, _ := tx.SensorByHardwareID("POD-M")
		c, _ := tx.SensorByHardwareID("POD-C")
		motion, co2 = m.ID, c.ID
		u := *tx.UDFs()[0]
		u.Script = fmt.Sprintf("var MOTION = %q, CO2 = %q;\n%s", m.ID, c.ID, availabilityScript)
		u.Updated = time.Now()
		if err := tx.PutUDF(&u); err != nil {
			return err
		}
		if _, _, err := tx.SetSensorValue(m.ID, engine.Value{Value: "false", Time: time.Now()}); err != nil {
			return err
		}
		_, _, err := tx.SetSensorValue(c.ID, engine.Value{Value: "640", Time: time.Now()})
		return err
	})
	return motion, co2, err
}

func benchUDF(cfg Config) ([]Row, error) {
	a, err := app.Open(filepath.Join(cfg.Dir, "udf.twin"), app.Options{})
	if err != nil {
		return nil, err
	}
	defer a.Close()
	if _, _, err := udfRoom(a, 1); err != nil {
		return nil, err
	}
	rt := goja.New(goja.Options{})
	var udf *engine.UDF
	var sensor *engine.Sensor
	a.Engine().View(func(v *engine.View) error {
		udf = v.UDFs()[0]
		sensor, _ = v.SensorByHardwareID("LOAD-000-T")
		return nil
	})
	in := engine.ExecInput{Sensor: sensor, Message: "21.5", EnqueuedTime: time.Now(), ReceivedTime: time.Now()}
	// Check it works before timing it.
	first := a.Engine().ExecuteUDF(rt, udf, in)
	if first.Outcome != engine.OutcomeOK || len(first.Writes) != 1 {
		return nil, fmt.Errorf("udf_exec: the benchmark UDF did not succeed: %s %s", first.Outcome, first.Error)
	}
	// A TimedOut execution is counted, not fatal: the script's work is
	// fixed, so a timeout means the machine stalled past the wall-clock
	// limit (a loaded host); any other failure is a broken benchmark.
	var n, timedOut atomic.Int64
	var failed atomic.Value
	var wg sync.WaitGroup
	deadline := time.Now().Add(time.Duration(cfg.UDFSeconds) * time.Second)
	t0 := time.Now()
	for w := 0; w < runtime.NumCPU(); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) {
				for i := 0; i < 100; i++ {
					r := a.Engine().ExecuteUDF(rt, udf, in)
					if r.Outcome == engine.OutcomeTimedOut {
						timedOut.Add(1)
						continue
					}
					if r.Outcome != engine.OutcomeOK {
						failed.CompareAndSwap(nil, fmt.Errorf("udf_exec: an execution did not succeed: %s %s", r.Outcome, r.Error))
						return
					}
				}
				n.Add(100)
			}
		}()
	}
	wg.Wait()
	if err := failed.Load(); err != nil {
		return nil, err.(error)
	}
	rate := float64(n.Load()-timedOut.Load()) / since(t0)
	ok := rate >= 50000 && timedOut.Load()*100 <= n.Load()
	return []Row{{Name: "udf_exec", Value: rate, Unit: "executions/s", Target: ">= 50000", OK: ok,
		Note: fmt.Sprintf("availability-style UDF (metadata, 2 sensor values, 1 space value), %d goroutines, a full execution record each; %d of %d timed out",
			runtime.NumCPU(), timedOut.Load(), n.Load())}}, nil
}
