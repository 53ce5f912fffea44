package bench

import (
	"fmt"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	gojart "github.com/dop251/goja"

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

// udfExecSetup opens a project in dir with udfRoom's UDF and returns it
// (close it when done) with a goja runtime and the UDF and input udf_exec
// executes, having checked that one execution succeeds.
func udfExecSetup(dir string) (*app.App, *goja.Runtime, *engine.UDF, engine.ExecInput, error) {
	var in engine.ExecInput
	a, err := app.Open(filepath.Join(dir, fmt.Sprintf("udf-%d.twin", time.Now().UnixNano())), app.Options{})
	if err != nil {
		return nil, nil, nil, in, err
	}
	if _, _, err := udfRoom(a, 1); err != nil {
		a.Close()
		return nil, nil, nil, in, err
	}
	rt := goja.New(goja.Options{})
	var udf *engine.UDF
	var sensor *engine.Sensor
	a.Engine().View(func(v *engine.View) error {
		udf = v.UDFs()[0]
		sensor, _ = v.SensorByHardwareID("LOAD-000-T")
		return nil
	})
	in = engine.ExecInput{Sensor: sensor, Message: "21.5", EnqueuedTime: time.Now(), ReceivedTime: time.Now()}
	if first := a.Engine().ExecuteUDF(rt, udf, in); first.Outcome != engine.OutcomeOK || len(first.Writes) != 1 {
		a.Close()
		return nil, nil, nil, in, fmt.Errorf("udf_exec: the benchmark UDF did not succeed: %s %s", first.Outcome, first.Error)
	}
	return a, rt, udf, in, nil
}

func benchUDF(cfg Config) ([]Row, error) {
	a, rt, udf, in, err := udfExecSetup(cfg.Dir)
	if err != nil {
		return nil, err
	}
	defer a.Close()
	// A TimedOut execution is counted, not fatal: the script's work is
	// fixed, so a timeout means the machine stalled past the wall-clock
	// limit (a loaded host); any other failure is a broken benchmark.
	var timedOut atomic.Int64
	n, secs, err := onCores(cfg.UDFSeconds, func() (func() error, error) {
		return func() error {
			r := a.Engine().ExecuteUDF(rt, udf, in)
			switch r.Outcome {
			case engine.OutcomeOK:
			case engine.OutcomeTimedOut:
				timedOut.Add(1)
			default:
				return fmt.Errorf("udf_exec: an execution did not succeed: %s %s", r.Outcome, r.Error)
			}
			return nil
		}, nil
	})
	if err != nil {
		return nil, err
	}
	rate := float64(n-timedOut.Load()) / secs
	ok := rate >= 50000 && timedOut.Load()*100 <= n
	exec := Row{Name: "udf_exec", Value: rate, Unit: "executions/s", Target: ">= 50000", OK: ok,
		Note: fmt.Sprintf("availability-style UDF (metadata, 2 sensor values, 1 space value), %d goroutines, a full execution record each; %d of %d timed out",
			runtime.NumCPU(), timedOut.Load(), n)}
	bare, err := gojaBare(cfg, a.Engine(), udf.Script, in)
	if err != nil {
		return nil, err
	}
	return []Row{exec, bare, ratioRow("udf_exec_ratio", exec, bare, 0.6, "x plain goja",
		"the engine's UDF execution against the same script in plain goja, same goroutines")}, nil
}

// gojaBare is udf_goja_bare: script (udf_exec's, with its sensor ids) run
// in plain goja for cfg.UDFSeconds on runtime.NumCPU() goroutines, as
// udf_exec runs it: compiled once, one runtime per goroutine, process
// called with a telemetry object and an execution context like the
// engine's, and library functions that do the equivalent trivial work in
// Go (a map lookup and an object of the same fields as the engine's, a
// recorded write) with no graph, lock, authorization, record or limit
// behind them.
func gojaBare(cfg Config, e *engine.Engine, script string, in engine.ExecInput) (Row, error) {
	start, err := bareStart(e, script, in)
	if err != nil {
		return Row{}, err
	}
	n, secs, err := onCores(cfg.UDFSeconds, start)
	if err != nil {
		return Row{}, err
	}
	rate := float64(n) / secs
	return Row{Name: "udf_goja_bare", Value: rate, Unit: "executions/s", Target: "-", OK: true,
		Note: fmt.Sprintf("udf_exec's script in plain goja: compiled once, a runtime per goroutine, %d goroutines, Go stubs for the 3 library calls returning objects of the same fields; no record, limit, lock or graph", runtime.NumCPU())}, nil
}

// bareStart compiles script and returns the start of udf_goja_bare's
// workers (see onCores): each makes a runtime with the library stubs and
// returns a function that executes process once with in's message. The
// metadata object the stub returns has the fields and values the engine's
// getSensorMetadata gives for in.Sensor, read from e once, up front.
func bareStart(e *engine.Engine, script string, in engine.ExecInput) (func() (func() error, error), error) {
	sensor, message := in.Sensor, in.Message
	prog, err := gojart.Compile("udf.js", script, false)
	if err != nil {
		return nil, fmt.Errorf("udf_goja_bare: %w", err)
	}
	type field struct {
		name  string
		value any
	}
	var meta []field
	e.View(func(v *engine.View) error {
		engine.Describe(engine.KindSensor).Meta(v, sensor, func(name string, value any) { meta = append(meta, field{name, value}) })
		return nil
	})
	type value struct{ value, dataType string }
	// The two sensors the script reads, by the ids its header sets, and the
	// message's sensor.
	motion, co2, err := scriptSensors(script)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	metas := map[string][]field{sensor.ID.String(): meta}
	values := map[string]value{motion: {"false", "Motion"}, co2: {"640", "CarbonDioxide"}}
	udfID := engine.NewID().String()

	return func() (func() error, error) {
		rt := gojart.New()
		var writes []string
		rt.Set("getSensorMetadata", func(c gojart.FunctionCall) gojart.Value {
			m, ok := metas[c.Argument(0).String()]
			if !ok {
				return gojart.Null()
			}
			o := rt.NewObject()
			for _, f := range m {
				o.Set(f.name, f.value)
			}
			return o
		})
		rt.Set("getSensorValue", func(c gojart.FunctionCall) gojart.Value {
			v, ok := values[c.Argument(0).String()]
			if !ok || v.dataType != c.Argument(1).String() {
				return gojart.Null()
			}
			o := rt.NewObject()
			o.Set("Value", v.value)
			o.Set("CreatedTime", now.UTC().Format(time.RFC3339Nano))
			o.Set("DataType", v.dataType)
			return o
		})
		rt.Set("setSpaceValue", func(c gojart.FunctionCall) gojart.Value {
			writes = append(writes, c.Argument(0).String(), c.Argument(1).String(), c.Argument(2).String())
			return gojart.Undefined()
		})
		if _, err := rt.RunProgram(prog); err != nil {
			return nil, fmt.Errorf("udf_goja_bare: top level: %w", err)
		}
		process, ok := gojart.AssertFunction(rt.Get("process"))
		if !ok {
			return nil, fmt.Errorf("udf_goja_bare: no process function")
		}
		return func() error {
			writes = writes[:0]
			tel := rt.NewObject()
			tel.Set("SensorId", sensor.ID.String())
			tel.Set("Message", message)
			ctx := rt.NewObject()
			ctx.Set("UserDefinedFunctionId", udfID)
			ctx.Set("EnqueuedTime", now.UTC().Format(time.RFC3339Nano))
			ctx.Set("ProcessorReceivedTime", now.UTC().Format(time.RFC3339Nano))
			if _, err := process(gojart.Undefined(), tel, ctx); err != nil || len(writes) != 3 {
				return fmt.Errorf("udf_goja_bare: an execution did not succeed: %v (%d writes)", err, len(writes)/3)
			}
			return nil
		}, nil
	}, nil
}

// scriptSensors reads the MOTION and CO2 sensor ids from the header udfRoom
// puts before availabilityScript.
func scriptSensors(script string) (motion, co2 string, err error) {
	if _, err := fmt.Sscanf(script, "var MOTION = %q, CO2 = %q;", &motion, &co2); err != nil {
		return "", "", fmt.Errorf("udf_goja_bare: the script's header: %w", err)
	}
	return motion, co2, nil
}

// onCores runs a worker on each of runtime.NumCPU() goroutines for secs
// seconds: start (called on the worker's goroutine) returns the function
// it calls over and over, checking the clock every 100 calls. It returns
// the calls made and the seconds taken; the first error (of a start or a
// call) stops its worker and is returned.
func onCores(secs int, start func() (func() error, error)) (int64, float64, error) {
	var n atomic.Int64
	var failed atomic.Value
	var wg sync.WaitGroup
	deadline := time.Now().Add(time.Duration(secs) * time.Second)
	t0 := time.Now()
	for w := 0; w < runtime.NumCPU(); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			call, err := start()
			if err != nil {
				failed.CompareAndSwap(nil, err)
				return
			}
			for time.Now().Before(deadline) {
				for i := 0; i < 100; i++ {
					if err := call(); err != nil {
						failed.CompareAndSwap(nil, err)
						return
					}
				}
				n.Add(100)
			}
		}()
	}
	wg.Wait()
	if err := failed.Load(); err != nil {
		return 0, 0, err.(error)
	}
	return n.Load(), since(t0), nil
}
