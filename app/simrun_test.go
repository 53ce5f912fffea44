package app_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twinstudio/twinstudio/app"
	"github.com/twinstudio/twinstudio/engine"
	"github.com/twinstudio/twinstudio/engine/mqtt"
	"github.com/twinstudio/twinstudio/simulator"
)

const smartOfficeYAML = "../examples/smart-office/provision.yaml"

// simScenario is one simulated Monday-morning hour of the Smart Office.
const simScenario = `name: mqtt-hour
seed: 5
start: 2026-03-02T09:00:00Z
duration: 1h
step: 1m
report: 10m
payload: sensorvalue
spaces:
- path: /Smart Office
- subtype: ConferenceRoom
  people: 10
`

// openSmartOffice provisions the Smart Office in a fresh project and opens
// it with its broker on a free loopback port.
func openSmartOffice(t *testing.T) (*app.App, *simulator.Scenario) {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "office.twin")
	a, err := app.Open(path, app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.ProvisionFile(smartOfficeYAML); err != nil {
		a.Close()
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	a, err = app.Open(path, app.Options{Broker: &mqtt.Options{Addr: "127.0.0.1:0"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	scPath := filepath.Join(dir, "hour.yaml")
	if err := os.WriteFile(scPath, []byte(simScenario), 0o644); err != nil {
		t.Fatal(err)
	}
	sc, err := simulator.LoadScenario(scPath)
	if err != nil {
		t.Fatal(err)
	}
	return a, sc
}

// TestSimulateOverMQTT: each virtual device connects to the broker with its
// own hardwareId and key; every reading goes through the broker into the
// pipeline and sets its sensor's value.
func TestSimulateOverMQTT(t *testing.T) {
	a, sc := openSmartOffice(t)
	sim, err := simulator.New(a.Engine(), sc)
	if err != nil {
		t.Fatal(err)
	}
	devices := sim.Devices()
	if len(devices) == 0 {
		t.Fatal("no virtual devices")
	}
	before := a.Pipeline().Stats()
	sink, err := a.NewMQTTSink(devices)
	if err != nil {
		t.Fatal(err)
	}
	if got := a.Broker().Connected(); got < len(devices) {
		t.Errorf("broker has %d clients connected, want at least %d", got, len(devices))
	}
	// During the run every virtual device is recorded Connected.
	var checked atomic.Bool
	pace := func(time.Time) error {
		if checked.Swap(true) {
			return nil
		}
		return a.Engine().View(func(v *engine.View) error {
			for _, hw := range devices {
				d, ok := v.DeviceByHardwareID(hw)
				if !ok {
					t.Errorf("device %s: not found", hw)
				} else if d.ConnectionState != engine.Connected {
					t.Errorf("device %s: connection state %q during the run, want Connected", hw, d.ConnectionState)
				}
			}
			return nil
		})
	}
	res, err := sim.Run(sink, simulator.Options{Pace: pace})
	if err != nil {
		t.Fatal(err)
	}
	sink.Close()
	after := a.Pipeline().Stats()
	if res.Readings == 0 || uint64(res.Readings) != sink.Sent() {
		t.Fatalf("readings %d, published %d", res.Readings, sink.Sent())
	}
	if acc := after.Accepted - before.Accepted; acc != sink.Sent() {
		t.Errorf("pipeline accepted %d, want the %d readings published (rejected %d: %v)", acc, sink.Sent(),
			after.Rejected-before.Rejected, a.Pipeline().Rejections())
	}
	if res.Rejected != 0 {
		t.Errorf("%d readings rejected", res.Rejected)
	}
	// Every driven sensor has a value.
	set := 0
	err = a.Engine().View(func(v *engine.View) error {
		for _, hw := range devices {
			d, _ := v.DeviceByHardwareID(hw)
			for _, sn := range v.DeviceSensors(d.ID) {
				switch v.TypeName(sn.DataTypeID) {
				case "Motion", "CarbonDioxide", "Temperature", "Light", "Humidity":
				default:
					continue
				}
				if val, ok := v.SensorValue(sn.ID); !ok || val.Value == "" {
					t.Errorf("sensor %s: no value after the run", sn.HardwareID)
				} else {
					set++
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if set == 0 {
		t.Error("no sensor value set")
	}
	// Closing the sink disconnects the virtual devices.
	deadline := time.Now().Add(5 * time.Second)
	for {
		var connected string
		a.Engine().View(func(v *engine.View) error {
			for _, hw := range devices {
				if d, ok := v.DeviceByHardwareID(hw); ok && d.ConnectionState == engine.Connected {
					connected = hw
				}
			}
			return nil
		})
		if connected == "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("device %s still Connected after the sink closed", connected)
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("%d devices, %d readings over MQTT, %d sensor values", len(devices), res.Readings, set)
}

// TestRunSimulationRealTime: what twin serve --simulate runs, at a high
// speed, in both modes; a cancelled context stops a run.
func TestRunSimulationRealTime(t *testing.T) {
	a, sc := openSmartOffice(t)
	sc.Duration = 30 * time.Minute
	for _, mode := range []app.SimMode{app.SimInProcess, app.SimMQTT} {
		before := a.Pipeline().Stats().Accepted
		start := time.Now()
		// 30 simulated minutes at 3600× take half a second.
		res, err := a.RunSimulation(context.Background(), sc, app.SimOptions{Mode: mode, Speed: 3600})
		if err != nil {
			t.Fatalf("%v: %v", mode, err)
		}
		wall := time.Since(start)
		if wall < 400*time.Millisecond || wall > 10*time.Second {
			t.Errorf("%v: 30 simulated minutes at 3600× took %v, want about 0.5 s", mode, wall)
		}
		if acc := a.Pipeline().Stats().Accepted - before; res.Readings == 0 || acc != uint64(res.Readings) {
			t.Errorf("%v: %d readings, pipeline accepted %d", mode, res.Readings, acc)
		}
	}
	// Cancelled: the run stops with the context's error.
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	sc.Duration = time.Hour
	start := time.Now()
	_, err := a.RunSimulation(ctx, sc, app.SimOptions{Mode: app.SimMQTT, Speed: 60})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("cancelled run: err %v, want context.DeadlineExceeded", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("cancelled run took %v to stop", d)
	}
}

// TestHistorySpanFollowsTheRun: after a simulated hour in March, the time
// slider's range is that hour, not March to today (the broker recorded
// device states on the wall clock when it started).
func TestHistorySpanFollowsTheRun(t *testing.T) {
	a, sc := openSmartOffice(t)
	if _, err := a.RunSimulation(t.Context(), sc, app.SimOptions{Mode: app.SimInProcess}); err != nil {
		t.Fatal(err)
	}
	from, to, ok := a.HistorySpan()
	end := sc.Start.Add(sc.Duration)
	if !ok || !from.Equal(sc.Start) || to.Before(end.Add(-sc.Step)) || to.After(end) {
		t.Errorf("HistorySpan = %v .. %v (%v); want the run's %v .. %v", from, to, ok, sc.Start, end)
	}
}
