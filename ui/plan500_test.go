package ui

import (
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/twinstudio/twinstudio/app"
	"github.com/twinstudio/twinstudio/engine"
)

// plan500Dir, when set, makes TestPlan500Project also write the 500-room
// project's provision.yaml and week.yaml into DIR. Made a data folder's
// smart-office/, the studio started without a file opens the project and
// runs the scenario (TWINSTUDIO_DATA names the data folder).
var plan500Dir = flag.String("plan500", "", "write the 500-room plan project (provision.yaml, week.yaml) to `DIR`")

// plan500 is the size of the speed test's floor: 25 rooms of 4×4 plan
// units in each of 20 rows.
const (
	plan500Rooms = 500
	plan500Cols  = 25
	plan500Room  = 4.0
)

// plan500YAML is a provisioning file of one floor with 500 rooms on its
// plan, each with a device (placed on the plan) with a Temperature
// sensor: D001…D500 and T001…T500.
func plan500YAML() string {
	var b strings.Builder
	rows := plan500Rooms / plan500Cols
	fmt.Fprintf(&b, "# 500 rooms on one floor plan, each with a temperature sensor: the plan's speed test.\n")
	fmt.Fprintf(&b, "- name: Plan 500\n  type: Building\n  resources:\n  - type: IoTHub\n  spaces:\n  - name: Floor 1\n    type: Floor\n")
	fmt.Fprintf(&b, "    plan:\n      scale: 1\n      width: %g\n      height: %g\n      grid: 1\n      rooms:\n",
		plan500Cols*plan500Room, float64(rows)*plan500Room)
	for i := range plan500Rooms {
		x, y := float64(i%plan500Cols)*plan500Room, float64(i/plan500Cols)*plan500Room
		fmt.Fprintf(&b, "      - space: Room %03d\n        rect: [%g, %g, %g, %g]\n", i+1, x, y, plan500Room, plan500Room)
	}
	fmt.Fprintf(&b, "      devices:\n")
	for i := range plan500Rooms {
		x, y := float64(i%plan500Cols)*plan500Room, float64(i/plan500Cols)*plan500Room
		fmt.Fprintf(&b, "      - hardwareId: D%03d\n        at: [%g, %g]\n", i+1, x+plan500Room-1, y+plan500Room-1)
	}
	fmt.Fprintf(&b, "    spaces:\n")
	for i := range plan500Rooms {
		fmt.Fprintf(&b, "    - name: Room %03d\n      type: Room\n      subType: Office\n      devices:\n", i+1)
		fmt.Fprintf(&b, "      - name: Sensor box %03d\n        hardwareId: D%03d\n        sensors:\n", i+1, i+1)
		fmt.Fprintf(&b, "        - {dataType: Temperature, dataUnitType: Celsius, hardwareId: T%03d}\n", i+1)
	}
	return b.String()
}

// plan500Scenario runs the 500 rooms from a Monday 08:00 with a reading
// of every sensor every 6 simulated seconds: at the studio's 60× that is
// 10 readings a second of each room, noisy enough (σ 1.5 °C) that the
// colours change at each one.
const plan500Scenario = `# Every room of Plan 500 reports its temperature every 6 simulated seconds.
name: Plan 500 speed
seed: 7
start: 2026-03-02T08:00:00Z
duration: 24h
step: 6s
report: 6s
payload: sensorvalue
spaces:
- subtype: Office
  model: office
  people: 2
faults:
- type: Temperature
  noise: 1.5
`

// TestPlan500Project: the generated project provisions 500 rooms linked
// on one plan with their devices placed, and its scenario loads. With
// -plan500=DIR it also writes both files to DIR.
func TestPlan500Project(t *testing.T) {
	dir := t.TempDir()
	if *plan500Dir != "" {
		dir = *plan500Dir
	}
	prov, scen := filepath.Join(dir, "provision.yaml"), filepath.Join(dir, app.SmartOfficeScenario)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for path, text := range map[string]string{prov: plan500YAML(), scen: plan500Scenario} {
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := app.LoadScenario(scen); err != nil {
		t.Fatal(err)
	}
	a := openPlan500(t, prov)
	var plans []*engine.FloorPlan
	for _, f := range a.Floors() { // the building and its floor
		if fp, ok := a.FloorPlan(f); ok {
			plans = append(plans, fp)
		}
	}
	if len(plans) != 1 || len(plans[0].Shapes) != plan500Rooms || len(plans[0].Items) != plan500Rooms {
		t.Fatalf("%d plans, want 1 with %d shapes and items", len(plans), plan500Rooms)
	}
	fp := plans[0]
	for i, s := range fp.Shapes {
		if s.SpaceID.IsZero() {
			t.Fatalf("shape %d is not linked to its room", i)
		}
	}
}

// openPlan500 is a new project provisioned from the file at prov.
func openPlan500(t testing.TB, prov string) *app.App {
	t.Helper()
	a, err := app.Open(filepath.Join(t.TempDir(), "plan500.twin"), app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	if _, err := a.ProvisionFile(prov); err != nil {
		t.Fatal(err)
	}
	return a
}

// BenchmarkPlanTab500 is a live update of the Plan tab on the 500-room
// project coloured by temperature, every room with a new reading: the
// tab's recolour (reading the values, colours, hover texts), its refresh
// and the paint of the rooms, as Fyne's GL driver asks for it; not the
// submission of the readings, nor Fyne's drawing of the window.
func BenchmarkPlanTab500(b *testing.B) {
	test.NewTempApp(b)
	prov := filepath.Join(b.TempDir(), "provision.yaml")
	if err := os.WriteFile(prov, []byte(plan500YAML()), 0o644); err != nil {
		b.Fatal(err)
	}
	a := openPlan500(b, prov)
	s, _ := newStudioWindow(b, a)
	if !s.ShowPlan() {
		b.Fatal("no plan")
	}
	p := s.plan
	frame := 0
	submit := func() {
		frame++
		before := a.Pipeline().Stats().Accepted
		for i := range plan500Rooms {
			v := 21 + 4*math.Sin(float64(frame)/3+float64(i)/7)
			hw := fmt.Sprintf("D%03d", i+1)
			if _, err := a.Pipeline().Submit(&engine.IngressMessage{Topic: engine.SensorTopic(hw, fmt.Sprintf("T%03d", i+1)),
				Payload: []byte(fmt.Sprintf(`{"SensorValue":"%.2f"}`, v)), QoS: 1, Username: hw, Received: time.Now()}); err != nil {
				b.Fatal(err)
			}
		}
		waitFor(b, "the readings", func() bool { return a.Pipeline().Stats().Accepted >= before+plan500Rooms })
	}
	submit()
	p.recolour()
	p.colourSel.SetSelected("Temperature")
	raster := p.view.r.raster
	for b.Loop() {
		b.StopTimer()
		submit()
		b.StartTimer()
		p.recolour()
		raster.Generator(1280, 800)
	}
}
