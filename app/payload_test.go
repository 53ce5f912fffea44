package app_test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/twinstudio/twinstudio/app"
	"github.com/twinstudio/twinstudio/engine"
)

// TestSamplePayloadsWithShippedUDFs: the sample payload the studio's
// publish panel and copied mosquitto_pub command send for each sensor data
// type of each shipped example, fed through the pipeline with the
// example's own UDFs, gives the sensor its value (not empty, not
// "undefined"), makes no UDF fail, and gives the rooms their state.
func TestSamplePayloadsWithShippedUDFs(t *testing.T) {
	cases := []struct {
		example string
		space   string // a space the UDFs must have given a value
		value   string
	}{
		{"quickstart", "/Quickstart Building/Floor 1/Focus Room A1", "AvailableAndFresh"},
		{"smart-office", "", "AvailableAndFresh"},
		{"ev-charging", "", "ChargerLimitKW"},
	}
	for _, c := range cases {
		t.Run(c.example, func(t *testing.T) {
			a, err := app.Open(filepath.Join(t.TempDir(), c.example+".twin"), app.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			if _, err := a.ProvisionFile(filepath.Join("..", "examples", c.example, "provision.yaml")); err != nil {
				t.Fatal(err)
			}
			// One sensor of each data type per space that has any: the
			// first space's, in hardwareId order.
			type target struct{ dev, sensor, dt string }
			var targets []target
			var room engine.ID
			seen := map[string]bool{}
			a.Engine().View(func(v *engine.View) error {
				res, err := v.Query(engine.Query{Kind: engine.KindDevice})
				if err != nil {
					return err
				}
				for _, d := range res.Devices {
					for _, s := range v.DeviceSensors(d.ID) {
						dt := v.TypeName(s.DataTypeID)
						if room.IsZero() && dt == "Motion" || c.example == "ev-charging" && room.IsZero() && strings.HasSuffix(s.HardwareID, "SITE-POWER") {
							room = d.SpaceID
						}
						if !seen[dt] || s.HardwareID == "EV-SITE-POWER" {
							seen[dt] = true
							targets = append(targets, target{d.HardwareID, s.HardwareID, dt})
						}
					}
				}
				if c.space != "" {
					id, err := v.ResolveSpace(c.space)
					room = id
					return err
				}
				return nil
			})
			if len(targets) < 2 || room.IsZero() {
				t.Fatalf("targets %v, room %v", targets, room)
			}
			for _, tg := range targets {
				tk, err := a.Pipeline().Submit(&engine.IngressMessage{Topic: engine.SensorTopic(tg.dev, tg.sensor),
					Payload: []byte(app.SamplePayload(tg.dt)), QoS: 1, Username: tg.dev, Received: time.Now()})
				if err == nil {
					err = tk.Wait()
				}
				if err != nil {
					t.Fatalf("%s: %v", tg.sensor, err)
				}
			}
			a.Engine().View(func(v *engine.View) error {
				for _, tg := range targets {
					s, _ := v.SensorByHardwareID(tg.sensor)
					if val, _ := v.SensorValue(s.ID); val.Value != app.SampleValue(tg.dt) {
						t.Errorf("%s (%s): value %q after %s, want %q", tg.sensor, tg.dt, val.Value, app.SamplePayload(tg.dt), app.SampleValue(tg.dt))
					}
				}
				if val, _ := v.SpaceValue(room, c.value); val.Value == "" || strings.Contains(val.Value, "undefined") || strings.Contains(val.Value, "NaN") {
					t.Errorf("%s's %s is %q", v.FullName(room), c.value, val.Value)
				}
				for _, u := range v.UDFs() {
					for _, r := range a.Engine().Records(u.ID) {
						bad := r.Outcome != engine.OutcomeOK
						for _, l := range r.Logs {
							bad = bad || strings.Contains(l, "failed") || strings.Contains(l, "not a number") || strings.Contains(l, "undefined")
						}
						if bad {
							t.Errorf("UDF %s on %s %s: %s %q %q", u.Name, r.SensorHW, r.Message, r.Outcome, r.Error, r.Logs)
						}
					}
				}
				return nil
			})
		})
	}
}
