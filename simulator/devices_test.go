package simulator

import (
	"bytes"
	"strings"
	"testing"

	"github.com/twinstudio/twinstudio/engine"
)

const createScenario = `
name: create
seed: 4
start: 2026-03-02T08:00:00Z
duration: 2h
report: 10m
spaces:
- path: /Smart Office/Floor 1/Annex
  model: office
  create: [Motion, carbondioxide, Temperature, Motion]
`

// TestCreateDevices: a space provisioned without sensors gets a virtual
// device with the listed sensors, which receive readings; a second run
// creates nothing new.
func TestCreateDevices(t *testing.T) {
	e := smartOffice(t)
	var annex engine.ID
	err := e.Update(func(tx *engine.Tx) error {
		floor, err := tx.ResolveSpace("/Smart Office/Floor 1")
		if err != nil {
			return err
		}
		room, err := tx.ResolveType(engine.SpaceType, "Room", floor)
		if err != nil {
			return err
		}
		sp := &engine.Space{Name: "Annex", ParentID: floor, TypeID: room}
		if err := tx.CreateSpace(sp); err != nil {
			return err
		}
		annex = sp.ID
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sc, err := ParseScenario("create.yaml", []byte(createScenario))
	if err != nil {
		t.Fatal(err)
	}
	if got := sc.Spaces[0].Create; strings.Join(got, ",") != "Motion,CarbonDioxide,Temperature" {
		t.Fatalf("create %v", got)
	}
	hw := SimHardwareID("/Smart Office/Floor 1/Annex")
	if hw != SimHardwareID("/Smart Office/Floor 1/Annex") || !strings.HasPrefix(hw, "SIM-") || len(hw) != 12 {
		t.Fatalf("hardwareId %q", hw)
	}
	s, err := New(e, sc)
	if err != nil {
		t.Fatal(err)
	}
	c := s.Created()
	want := []string{hw + "-MOTION", hw + "-CARBONDIOXIDE", hw + "-TEMPERATURE"}
	if strings.Join(c.Devices, ",") != hw || strings.Join(c.Sensors, ",") != strings.Join(want, ",") {
		t.Fatalf("created %+v", c)
	}
	if sp := s.Spaces(); len(sp) != 1 || sp[0] != "/Smart Office/Floor 1/Annex" {
		t.Fatalf("simulated %v", sp)
	}
	e.View(func(v *engine.View) error {
		d, ok := v.DeviceByHardwareID(hw)
		if !ok || d.Name != "Simulated Annex" || d.SpaceID != annex {
			t.Errorf("device %+v", d)
		}
		if n := len(v.SpaceSensors(annex)); n != 3 {
			t.Errorf("%d sensors in the annex", n)
		}
		return nil
	})
	p := e.NewPipeline(engine.PipelineOptions{NoEvents: true})
	var series, spaces bytes.Buffer
	res, err := s.Run(p, Options{Series: &series, SpaceSeries: &spaces})
	p.Close()
	if err != nil {
		t.Fatal(err)
	}
	if res.Readings != 3*12 || res.Rejected != 0 {
		t.Errorf("readings %d, rejected %d", res.Readings, res.Rejected)
	}
	for _, sn := range want {
		if !strings.Contains(series.String(), "2026-03-02T09:50:00Z,"+sn+",") {
			t.Errorf("no reading of %s at 09:50", sn)
		}
	}
	if n := strings.Count(spaces.String(), "\n"); n != 1+12 || !strings.HasPrefix(spaces.String(), "time,space,people,co2_ppm,temperature_c\n2026-03-02T08:00:00Z,/Smart Office/Floor 1/Annex,") {
		t.Errorf("spaces.csv (%d lines):\n%s", n, spaces.String())
	}
	e.View(func(v *engine.View) error {
		for _, hw := range want {
			sn, ok := v.SensorByHardwareID(hw)
			if !ok {
				t.Fatalf("no sensor %s", hw)
			}
			if _, ok := v.SensorValue(sn.ID); !ok {
				t.Errorf("%s has no value", hw)
			}
		}
		return nil
	})
	// A second run creates nothing and drives the same sensors.
	before := e.Stats()
	s2, err := New(e, sc)
	if err != nil {
		t.Fatal(err)
	}
	if c := s2.Created(); len(c.Devices)+len(c.Sensors) != 0 {
		t.Errorf("second run created %+v", c)
	}
	if after := e.Stats(); after.Devices != before.Devices || after.Sensors != before.Sensors {
		t.Errorf("devices %d → %d, sensors %d → %d", before.Devices, after.Devices, before.Sensors, after.Sensors)
	}
	// Another listed type later reuses the virtual device.
	sc.Spaces[0].Create = append(sc.Spaces[0].Create, "Humidity")
	s3, err := New(e, sc)
	if err != nil {
		t.Fatal(err)
	}
	if c := s3.Created(); len(c.Devices) != 0 || strings.Join(c.Sensors, ",") != hw+"-HUMIDITY" {
		t.Errorf("third run created %+v", c)
	}
}

func TestCreateErrors(t *testing.T) {
	for _, c := range []struct{ src, want string }{
		{"spaces:\n- path: /A\n  create: [Smell]\n", `s.yaml:3: spaces[0].create: unknown data type "Smell" (want Motion, CarbonDioxide`},
		{"spaces:\n- path: /A\n  create: Motion\n", "s.yaml:3: spaces[0].create: want a list of data types"},
	} {
		_, err := ParseScenario("s.yaml", []byte(c.src))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: got %v, want %q", c.src, err, c.want)
		}
	}
}

func TestSimHardwareIDDocumented(t *testing.T) {
	if got := SimHardwareID("/Smart Office/Floor 4/Office 4.01"); got != "SIM-5944acda" {
		t.Errorf("got %s (docs/scenarios.md quotes SIM-5944acda)", got)
	}
}
