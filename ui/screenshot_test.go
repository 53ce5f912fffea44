package ui

import (
	"flag"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/twinstudio/twinstudio/app"
	"github.com/twinstudio/twinstudio/engine"
)

var screenshots = flag.String("screenshots", "", "write the documentation screenshots (studio.png, telemetry.png, …) to `DIR`")

// TestScreenshots renders every screen of the studio on the bundled
// smart-office example, installed and opened as the studio's first start
// does, with Fyne's default theme, into DIR (make screenshots):
//
//	studio.png     the Model tab with a room selected and its inspector
//	device.png     a device: its connection settings and sensor values
//	telemetry.png  the Telemetry tab after a few messages, one rejected
//	search.png     the tree filtered by a search
//	add.png        the Add space dialog
//	duplicate.png  the Duplicate dialog with its hardware id pattern
//	delete.png     the delete confirmation naming what goes with it
//	import.png     the import preview of a provisioning file
//	light.png      the studio in the light theme
//	functions.png  the Functions tab: a threshold alert made from its
//	               template, run dry on a recorded CO2 reading
//	step.png       stepping through that run, the locals beside the line
//	matchers.png   binding it to a matcher evaluated against a sensor
//	versions.png   its saved versions and the diff against the current one
//	charts.png     the Charts tab: a room's CO₂, temperature and motion on
//	               a simulated day
//	occupancy.png  a floor's occupancy over the simulated week
//	heatmap.png    the building's hour × weekday occupancy
//	simulation.png the Simulation tab mid-run: the scenario's form and
//	               YAML, the controls, the clock and the progress
//	plan.png       the Plan tab at that moment: Floor 1 coloured by
//	               occupancy
//	compare.png    a what-if of the week against more-people.yaml: the
//	               KPI table with the better side marked and a chart
//
// It runs only with -screenshots=DIR.
func TestScreenshots(t *testing.T) {
	if *screenshots == "" {
		t.Skip("run with -screenshots=DIR to write the documentation screenshots")
	}
	fa := test.NewTempApp(t)
	fa.Settings().SetTheme(variantTheme{theme.DefaultTheme(), theme.VariantDark})
	t.Setenv("TWINSTUDIO_DATA", t.TempDir())
	a, scenario, err := OpenProject("")
	if err != nil {
		t.Fatal(err)
	}
	s, w := newStudioWindow(t, a)
	defer s.Close()
	s.sim.setScenario(scenario)
	s.tools.refresh()
	shot := func(name string) { writePNG(t, filepath.Join(*screenshots, name), w) }

	// A day's readings so that the rooms have values, as after the studio
	// has simulated for a while.
	room := mustFind(t, s.model, "Conference Room 1.01 · Room/ConferenceRoom")
	send := func(device, sensor, payload string) {
		_, err := a.Pipeline().Submit(&engine.IngressMessage{Topic: engine.SensorTopic(device, sensor),
			Payload: []byte(payload), QoS: 1, Username: device, Received: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
	}
	readings := []struct{ sensor, value string }{
		{"MOTION", "true"}, {"CARBONDIOXIDE", "612"}, {"TEMPERATURE", "21.5"}, {"HUMIDITY", "41"}, {"LIGHT", "340"},
		{"TEMPERATURE", "21.7"}, {"CARBONDIOXIDE", "655"}, {"MOTION", "false"},
	}
	for _, r := range readings {
		send("SO-F1-R05", "SO-F1-R05-"+r.sensor, `{"SensorValue": "`+r.value+`"}`)
	}
	send("SO-F1-R05", "SO-F1-R05-NOISE", `{"SensorValue": "40"}`)
	waitFor(t, "the messages", func() bool {
		st := a.Pipeline().Stats()
		return st.Accepted == uint64(len(readings)) && st.Rejected == 1
	}, func() string { return fmt.Sprintf("%+v %+v", a.Pipeline().Stats(), a.Pipeline().Rejections()) })
	s.tick()

	s.selectNode(room)
	s.tree.tree.OpenBranch(room)
	shot("studio.png")

	s.selectNode(mustFind(t, s.model, "Sensor Pod SO-F1-R05 (SO-F1-R05)"))
	shot("device.png")

	s.showTelemetry()
	s.tele.pub.device.SetText("SO-F1-R05")
	s.tele.pub.sensor.SetText("SO-F1-R05-TEMPERATURE")
	s.tele.pub.value.SetText(`{"SensorValue": "22.0"}`)
	shot("telemetry.png")
	s.showModel()

	s.tree.search.SetText("carbon")
	s.tree.applySearch("carbon")
	s.selectNode(mustFind(t, s.model, "CarbonDioxide · SO-F2-R07-CARBONDIOXIDE"))
	shot("search.png")
	s.tree.search.SetText("")
	s.tree.applySearch("")

	floor := mustFind(t, s.model, "Floor 2 · Floor")
	s.selectNode(floor)
	s.edits.onAdd(engine.KindSpace)
	typeInto(t, w, 0, "Focus Room 2.21")
	shot("add.png")
	closeDialog(w)

	s.edits.onDuplicate()
	shot("duplicate.png")
	closeDialog(w)

	s.edits.onDelete()
	shot("delete.png")
	closeDialog(w)

	s.files.showImport(filepath.Join("..", "examples", "quickstart", "provision.yaml"))
	shot("import.png")
	closeDialog(w)

	workbenchShots(t, s, room, shot)
	chartShots(t, s, scenario, shot)
	simulationShots(t, s, shot)

	fa.Settings().SetTheme(variantTheme{theme.DefaultTheme(), theme.VariantLight})
	s.showModel()
	s.selectNode(room)
	shot("light.png")
}

// workbenchShots authors a threshold alert on the smart office's first
// floor from its template, binds it to a CO2 matcher, runs it dry on a
// reading and steps through it, shooting each panel.
func workbenchShots(t *testing.T, s *Studio, room string, shot func(string)) {
	t.Helper()
	// The workbench on a larger screen, as it is used.
	s.win.Resize(fyne.NewSize(1600, 1000))
	defer s.win.Resize(fyne.NewSize(1280, 800))
	s.selectNode(mustFind(t, s.model, "Floor 1 · Floor"))
	s.showFunctions()
	f := s.fns
	newCO2Alert(t, f)
	m := f.matchers
	if err := m.applyBinding(); err != nil {
		t.Fatal(err)
	}
	pickOption(t, m.sensor, "SO-F1-R05-CARBONDIOXIDE")
	if err := m.evaluate(); err != nil {
		t.Fatal(err)
	}
	f.panels.SelectIndex(panelMatchers)
	shot("matchers.png")

	p := f.test
	pickOption(t, p.sensor, "SO-F1-R05-CARBONDIOXIDE")
	p.message.SetText(`{"SensorValue": "1250"}`)
	p.runDry(false)
	f.panels.SelectIndex(panelTest)
	shot("functions.png")

	p.runDry(true)
	f.editor.OnGutterTapped(35)
	for i := 0; i < 9; i++ {
		f.step.st.Forward()
	}
	f.step.showStep()
	shot("step.png")

	text := strings.Replace(f.saved, "const THRESHOLD = 1000;", "const THRESHOLD = 1200;", 1)
	f.editor.SetText(text)
	f.saveScript()
	f.panels.SelectIndex(panelVersions)
	f.versions.list.Select(1)
	shot("versions.png")
}

// simulationShots runs the week in the Simulation tab, shooting it mid-run,
// then compares a day of it with more-people.yaml.
func simulationShots(t *testing.T, s *Studio, shot func(string)) {
	t.Helper()
	s.win.Resize(fyne.NewSize(1600, 1000))
	defer s.win.Resize(fyne.NewSize(1280, 800))
	s.selectNode("")
	s.showSimulation()
	st := s.simTab
	queuePosts(st)
	st.tabs.SelectIndex(simRunTab)
	st.ctl.speed.SetSelected("As fast as possible")
	test.Tap(st.ctl.play)
	run := st.sim.current()
	if run == nil {
		t.Fatalf("no run: %v", s.lastErr)
	}
	waitFor(t, "Monday 10:00", func() bool { return run.Clock().After(st.scen.sc.Start.Add(10 * time.Hour)) })
	st.ctl.speed.SetSelected("600×")
	time.Sleep(500 * time.Millisecond) // an ETA at the new speed
	s.tick()
	st.refresh()
	shot("simulation.png")
	planShots(t, s, shot)
	st.sim.stop()

	st.scen.duration.SetText("24h")
	st.tabs.SelectIndex(simWhatIfTab)
	c := st.what
	pickOption(t, c.pick, "file more-people.yaml")
	test.Tap(c.run)
	settle(t, st)
	if s.lastErr != nil {
		t.Fatal(s.lastErr)
	}
	pickOption(t, c.result.pickFig, "CO")
	settle(t, st)
	s.tick()
	shot("compare.png")
	st.tabs.SelectIndex(simRunTab)
}

// chartShots simulates the smart office's week as fast as possible and
// shoots the Charts tab over it.
func chartShots(t *testing.T, s *Studio, scenario string, shot func(string)) {
	t.Helper()
	s.win.Resize(fyne.NewSize(1600, 1000))
	defer s.win.Resize(fyne.NewSize(1280, 800))
	run, err := s.app.StartScenarioFile(scenario, app.SimOptions{})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-run.Done():
	case <-time.After(5 * time.Minute):
		t.Fatal("the simulated week took over 5 minutes")
	}
	if err := run.Err(); err != nil {
		t.Fatal(err)
	}
	c := s.charts
	s.selectNode(mustFind(t, s.model, "Conference Room 1.02 · Room/ConferenceRoom"))
	s.showCharts()
	c.kind.SetSelected(chartSignals)
	c.span.SetSelected("Last day")
	for _, sensor := range []string{"SO-F1-R06-CARBONDIOXIDE", "SO-F1-R06-TEMPERATURE", "SO-F1-R06-MOTION"} {
		tickSignal(t, c, sensor)
	}
	c.search.SetText("SO-F1-R06")
	c.hover(0, float64(c.fig.Lines[0].T[len(c.fig.Lines[0].T)/2].Unix()), 0, true)
	shot("charts.png")

	// The simulated week (the studio also has today's live readings).
	s.selectNode(mustFind(t, s.model, "Floor 1 · Floor"))
	c.kind.SetSelected(chartOccupancy)
	c.span.SetSelected("Custom")
	c.from.SetText("2026-03-02")
	c.to.SetText("2026-03-08")
	c.rate.SetChecked(true)
	shot("occupancy.png")

	s.selectNode(mustFind(t, s.model, "Smart Office · Building"))
	c.kind.SetSelected(chartHeatmap)
	shot("heatmap.png")
	s.showModel()
}

// pickOption selects the option of sel that starts with prefix.
func pickOption(t *testing.T, sel *widget.Select, prefix string) {
	t.Helper()
	for i, o := range sel.Options {
		if strings.HasPrefix(o, prefix) {
			sel.SetSelectedIndex(i)
			return
		}
	}
	t.Fatalf("no option %q in %q", prefix, sel.Options)
}

// closeDialog hides the dialog on top of w.
func closeDialog(w fyne.Window) {
	if o := w.Canvas().Overlays().Top(); o != nil {
		w.Canvas().Overlays().Remove(o)
	}
}

// TestStudio_goldenImages compares the main screen, rendered by Fyne's
// software driver, with testdata/studio-dark.png and studio-light.png: the
// quickstart project just opened, nothing selected, no broker. A
// difference writes testdata/failed/*.png to review and copy over.
func TestStudio_goldenImages(t *testing.T) {
	fa := test.NewTempApp(t)
	// A fixed path: the Model tab names the project file.
	dir := filepath.Join(os.TempDir(), "twinstudio-golden")
	os.RemoveAll(dir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	a, err := app.Open(filepath.Join(dir, "quickstart.twin"), app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	if _, err := a.ProvisionFile(filepath.Join("..", "examples", "quickstart", "provision.yaml")); err != nil {
		t.Fatal(err)
	}
	for _, v := range []struct {
		name    string
		variant fyne.ThemeVariant
	}{{"studio-dark.png", theme.VariantDark}, {"studio-light.png", theme.VariantLight}} {
		fa.Settings().SetTheme(variantTheme{theme.DefaultTheme(), v.variant})
		_, w := newStudioWindow(t, a)
		test.AssertImageMatches(t, v.name, w.Canvas().Capture())
	}
}

func writePNG(t *testing.T, path string, w fyne.Window) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(f, w.Canvas().Capture()); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s", path)
}

// TestScreenshotsAccess renders the Access tab and View as on the bundled
// smart-office example into DIR (make screenshots):
//
//	access.png  the Access tab's role assignments: a facilities team's
//	            program reads Floor 2, an occupant may set a room's
//	            temperature within a custom role's limit
//	viewas.png  the Model tab viewing as that program: only Floor 2,
//	            and the toolbar says whose view it is
//
// It runs only with -screenshots=DIR.
func TestScreenshotsAccess(t *testing.T) {
	if *screenshots == "" {
		t.Skip("run with -screenshots=DIR to write the documentation screenshots")
	}
	fa := test.NewTempApp(t)
	fa.Settings().SetTheme(variantTheme{theme.DefaultTheme(), theme.VariantDark})
	t.Setenv("TWINSTUDIO_DATA", t.TempDir())
	a, _, err := OpenProject("")
	if err != nil {
		t.Fatal(err)
	}
	s, w := newStudioWindow(t, a)
	defer s.Close()
	shot := func(name string) { writePNG(t, filepath.Join(*screenshots, name), w) }

	floor := mustFind(t, s.model, "Floor 2 · Floor")
	s.selectNode(floor)
	assignThroughDialog(t, s, "floor-2-facilities", "Support Specialist")
	if _, err := a.CreateToken(engine.Principal{Type: engine.ObjectServicePrincipalID, ID: "floor-2-facilities"},
		"facilities-dashboard", time.Now().Add(30*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	lo, hi := 20.0, 24.0
	occupant := &engine.Role{Name: "Occupant", FriendlyName: "Room Occupant", Permissions: []engine.Permission{
		{Actions: []engine.Action{engine.ActionRead}, ResourceTypes: []string{engine.ResSpace, engine.ResSpaceExtendedProperty, engine.ResSensor}},
		{Actions: []engine.Action{engine.ActionUpdate}, ResourceTypes: []string{engine.ResSpaceExtendedProperty}}},
		Limits: []engine.ValueLimit{{Name: "TemperatureSetpoint", Min: &lo, Max: &hi}}}
	if err := a.PutRole(occupant); err != nil {
		t.Fatal(err)
	}
	s.selectNode(mustFind(t, s.model, "Conference Room 2.01 · Room/ConferenceRoom"))
	assignThroughDialog(t, s, "UserId:maria@contoso.com", "Room Occupant")
	s.access.asgList.Select(1)
	shot("access.png")

	pickOption(t, s.seeAs.sel, "ServicePrincipalId floor-2-facilities")
	s.showModel()
	s.selectNode(mustFind(t, s.model, "Conference Room 2.01 · Room/ConferenceRoom"))
	shot("viewas.png")
}
