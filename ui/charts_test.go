package ui

import (
	"bytes"
	"encoding/csv"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/twinstudio/twinstudio/app"
	"github.com/twinstudio/twinstudio/app/chart"
	"github.com/twinstudio/twinstudio/engine"
)

// chartsBase is when the readings of the chart tests start (a Monday).
var chartsBase = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// openCharts opens the quickstart on the Charts tab with a morning of
// readings in Focus Room A1: CO₂ every 10 minutes rising from 600 ppm,
// motion on for the first half hour.
func openCharts(t *testing.T) (*Studio, fyne.Window, *charts) {
	t.Helper()
	test.NewTempApp(t)
	a := mustOpenExample(t, "quickstart", "quickstart")
	for i := range 12 {
		at := chartsBase.Add(time.Duration(i) * 10 * time.Minute)
		sendAt(t, a, "SAMPLE_SENSOR_CARBONDIOXIDE", strconv.Itoa(600+50*i), at)
		motion := "false"
		if i < 3 {
			motion = "true"
		}
		sendAt(t, a, "SAMPLE_SENSOR_MOTION", motion, at.Add(time.Minute))
	}
	waitFor(t, "24 readings", func() bool { return a.Pipeline().Stats().Accepted == 24 })
	s, w := newStudioWindow(t, a)
	t.Cleanup(func() { s.Close() })
	s.showCharts()
	return s, w, s.charts
}

// sendAt submits one reading of the quickstart's device, received at at.
func sendAt(t *testing.T, a *app.App, sensor, value string, at time.Time) {
	t.Helper()
	_, err := a.Pipeline().Submit(&engine.IngressMessage{Topic: engine.SensorTopic("1234567890AB", sensor),
		Payload: []byte(`{"SensorValue":"` + value + `"}`), QoS: 1, Username: "1234567890AB", Received: at})
	if err != nil {
		t.Fatal(err)
	}
}

// tickSignal ticks the signal labelled label in the picker.
func tickSignal(t *testing.T, c *charts, label string) {
	t.Helper()
	c.search.SetText(label)
	for _, s := range c.found {
		if s.Label == label {
			c.pick(s, true)
			return
		}
	}
	t.Fatalf("no signal %q among %d found", label, len(c.found))
}

func TestChartsSignals(t *testing.T) {
	_, _, c := openCharts(t)
	if c.fig != nil || !strings.Contains(c.note.Text, "Tick sensors") || c.note.Importance == widget.DangerImportance {
		t.Fatalf("with nothing picked: figure %v, note %q (importance %v: a hint, not an error)", c.fig != nil, c.note.Text, c.note.Importance)
	}
	tickSignal(t, c, "SAMPLE_SENSOR_CARBONDIOXIDE")
	tickSignal(t, c, "SAMPLE_SENSOR_MOTION")
	f := c.fig
	if f == nil {
		t.Fatalf("no figure: %q", c.note.Text)
	}
	if len(f.Lines) != 2 {
		t.Fatalf("%d series", len(f.Lines))
	}
	co2, motion := f.Lines[0], f.Lines[1]
	if co2.Bool || len(co2.Y) != 12 || co2.Y[0] != 600 || co2.Y[11] != 1150 {
		t.Errorf("CO₂ series: bool %v, %d points %v", co2.Bool, len(co2.Y), co2.Y)
	}
	if !motion.Bool || len(motion.Y) != 12 || motion.Y[0] != 1 || motion.Y[5] != 0 {
		t.Errorf("motion series: bool %v, %v", motion.Bool, motion.Y)
	}
	if len(f.Refs) != 1 || f.Refs[0].Y != 1000 {
		t.Errorf("CO₂ reference lines %+v, want the 1000 ppm limit", f.Refs)
	}
	if !strings.Contains(f.YLabel, "CarbonDioxide") {
		t.Errorf("y label %q", f.YLabel)
	}
	// The last day, ending at the newest reading (simulated dates are old).
	if want := "Sun 2026-03-01 10:51 – Mon 2026-03-02 10:51 (UTC)"; c.note.Text != want {
		t.Errorf("note %q, want %q", c.note.Text, want)
	}

	// The read-out at 09:25 gives the values then.
	at := float64(chartsBase.Add(25 * time.Minute).Unix())
	if got := readout(f, at, 0); got != "Mon 03-02 09:25:00 · SAMPLE_SENSOR_CARBONDIOXIDE 700 · SAMPLE_SENSOR_MOTION on" {
		t.Errorf("read-out %q", got)
	}
	// And the mouse over the middle of the data area reads the data there.
	fr := c.views[0].frame
	mid := fyne.NewPos(float32((fr.Left+fr.Right)/2)*c.views[0].Size().Width/float32(c.views[0].w), float32((fr.Top+fr.Bottom)/2)*c.views[0].Size().Height/float32(c.views[0].h))
	c.views[0].MouseMoved(&desktop.MouseEvent{PointEvent: fyne.PointEvent{Position: mid}})
	if !strings.Contains(c.readout.Text, "SAMPLE_SENSOR_CARBONDIOXIDE") {
		t.Errorf("hovering the chart reads %q", c.readout.Text)
	}
	c.views[0].MouseOut()
	if c.readout.Text != "" {
		t.Errorf("after the mouse left: %q", c.readout.Text)
	}

	// The last hour holds the readings of 09:51–10:51.
	c.span.SetSelected("Last hour")
	if n := len(c.fig.Lines[0].Y); n != 6 {
		t.Errorf("the last hour has %d CO₂ points, want 6", n)
	}
}

func TestChartsCustomRangeAndText(t *testing.T) {
	_, _, c := openCharts(t)
	tickSignal(t, c, "SAMPLE_SENSOR_CARBONDIOXIDE")
	c.span.SetSelected("Custom")
	c.from.SetText("2026-03-02T10:00:00Z")
	c.to.SetText("2026-03-02")
	c.redraw()
	if c.fig == nil || len(c.fig.Lines[0].Y) != 6 {
		t.Fatalf("10:00 to the end of the day: %q", c.note.Text)
	}
	c.to.SetText("2026-03-01")
	c.redraw()
	if c.fig != nil || !strings.Contains(c.note.Text, "ends") {
		t.Errorf("a range that ends before it starts: %q", c.note.Text)
	}
	c.to.SetText("yesterday")
	c.redraw()
	if !strings.Contains(c.note.Text, `to "yesterday" is neither an RFC 3339 time`) {
		t.Errorf("a bad time: %q", c.note.Text)
	}

	// The room's AvailableAndFresh is a sentence: said, not drawn.
	c.span.SetSelected("Last week")
	c.picked = nil
	tickSignal(t, c, "/Quickstart Building/Floor 1/Focus Room A1 · AvailableAndFresh")
	if c.fig != nil || !strings.Contains(c.note.Text, "nothing to chart") {
		t.Errorf("a text value charted: %q", c.note.Text)
	}
}

func TestChartsOccupancyAndHeatmap(t *testing.T) {
	s, _, c := openCharts(t)
	s.selectNode(mustFind(t, s.model, "Focus Room A1 · Room/FocusRoom"))
	c.kind.SetSelected(chartOccupancy)
	c.span.SetSelected("Last hour") // 5-minute buckets
	f := c.fig
	if f == nil {
		t.Fatalf("no occupancy chart: %q", c.note.Text)
	}
	if !strings.Contains(f.Title, "Focus Room A1") || f.YLabel != "rooms occupied" {
		t.Errorf("title %q, y %q", f.Title, f.YLabel)
	}
	c.rate.SetChecked(true)
	f = c.fig
	if f.YMax == nil || *f.YMax != 100 || f.YLabel != "occupied (%)" {
		t.Errorf("rate: y %q max %v", f.YLabel, f.YMax)
	}
	gaps := 0
	for _, y := range f.Lines[0].Y {
		if math.IsNaN(y) {
			gaps++
		}
	}
	if gaps == 0 {
		t.Errorf("5-minute buckets between 10-minute readings should leave gaps: %v", f.Lines[0].Y)
	}

	c.kind.SetSelected(chartHeatmap)
	c.span.SetSelected("Last day")
	f = c.fig
	if f == nil || f.Heat == nil || f.HeatUnit == "" {
		t.Fatalf("no heat map: %q", c.note.Text)
	}
	if got := f.Heat[0][9]; got != 50 {
		t.Errorf("Monday 09:00 is %v %%, want 50 (motion on 3 readings of 6)", got)
	}
	if got := readout(f, 9.5, 6.5); got != "Mon 09:00 · 50 %" {
		t.Errorf("read-out of Monday 09:00: %q", got)
	}
	if got := readout(f, 3.5, 6.5); got != "Mon 03:00 · no data" {
		t.Errorf("read-out of an hour without readings: %q", got)
	}

	// No space selected: the chart says what to do.
	s.tree.tree.UnselectAll()
	c.scopeTo(engine.NilID)
	c.redraw()
	if c.fig != nil || !strings.Contains(c.note.Text, "Select a space") {
		t.Errorf("without a space: %q", c.note.Text)
	}
}

func TestChartsExport(t *testing.T) {
	_, _, c := openCharts(t)
	tickSignal(t, c, "SAMPLE_SENSOR_CARBONDIOXIDE")
	dir := t.TempDir()
	for _, f := range []string{"png", "svg", "csv"} {
		if err := c.exportFile(filepath.Join(dir, "co2."+f), f); err != nil {
			t.Fatal(err)
		}
	}
	data, _ := os.ReadFile(filepath.Join(dir, "co2.png"))
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if w, h := c.views[0].pixels(); img.Bounds().Dx() != w || img.Bounds().Dy() != h {
		t.Errorf("the PNG is %v, the chart shown %d×%d", img.Bounds(), w, h)
	}
	svg, _ := os.ReadFile(filepath.Join(dir, "co2.svg"))
	if !bytes.Contains(svg, []byte("<svg")) || !bytes.Contains(svg, []byte("Signals")) {
		t.Errorf("the SVG is not the chart: %.200s", svg)
	}
	f, _ := os.Open(filepath.Join(dir, "co2.csv"))
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 13 || rows[12][len(rows[12])-1] != "1150" {
		t.Errorf("the CSV has %d rows, last %v; want a header and the 12 readings", len(rows), rows[len(rows)-1])
	}
}

func TestChartsLive(t *testing.T) {
	s, _, c := openCharts(t)
	tickSignal(t, c, "SAMPLE_SENSOR_CARBONDIOXIDE")
	sendAt(t, s.app, "SAMPLE_SENSOR_CARBONDIOXIDE", "1300", chartsBase.Add(2*time.Hour))
	waitFor(t, "the new reading", func() bool { return s.app.Pipeline().Stats().Accepted == 25 })
	c.last = time.Time{}
	s.tick() // the studio's poll, while the Charts tab shows
	ys := c.fig.Lines[0].Y
	if ys[len(ys)-1] != 1300 {
		t.Errorf("after a new reading the chart ends at %v", ys[len(ys)-1])
	}
}

// TestChartsTabIsNarrow: like the Functions tab, the Charts tab must not
// widen the centre of the window.
func TestChartsTabIsNarrow(t *testing.T) {
	_, _, c := openCharts(t)
	tickSignal(t, c, "SAMPLE_SENSOR_CARBONDIOXIDE")
	if w := c.content.MinSize().Width; w > 560 {
		t.Errorf("the Charts tab needs %.0f pixels of width", w)
	}
}

func TestChartPanels(t *testing.T) {
	ts := []time.Time{chartsBase, chartsBase.Add(time.Minute)}
	ser := func(name string, b bool) chart.Series {
		return chart.Series{Name: name, T: ts, Y: []float64{1, 0}, Bool: b}
	}
	sig := func(kind, unit string) app.Signal { return app.Signal{Kind: kind, Unit: unit} }
	refs := func(kind string) []app.Reference { return app.References(kind, nil) }
	tests := []struct {
		name   string
		series []chart.Series
		sigs   []app.Signal
		want   []string // each panel: its y label and series names
	}{
		{"one unit and on/off",
			[]chart.Series{ser("co2 a", false), ser("motion", true), ser("co2 b", false)},
			[]app.Signal{sig("CarbonDioxide", "ppm"), sig("Motion", ""), sig("CarbonDioxide", "ppm")},
			[]string{"CarbonDioxide (ppm): co2 a, co2 b, motion"}},
		{"two units: a panel each, on/off under the last",
			[]chart.Series{ser("co2", false), ser("temp", false), ser("motion", true)},
			[]app.Signal{sig("CarbonDioxide", "ppm"), sig("Temperature", "°C"), sig("Motion", "")},
			[]string{"CarbonDioxide (ppm): co2", "Temperature (°C): temp, motion"}},
		{"only on/off",
			[]chart.Series{ser("motion", true)}, []app.Signal{sig("Motion", "")},
			[]string{": motion"}},
		{"five units: the fifth shares the fourth panel",
			[]chart.Series{ser("a", false), ser("b", false), ser("c", false), ser("d", false), ser("e", false)},
			[]app.Signal{sig("A", ""), sig("B", ""), sig("C", ""), sig("D", ""), sig("E", "")},
			[]string{"A: a", "B: b", "C: c", "D, E: d, e"}},
	}
	for _, tt := range tests {
		figs := panels(tt.series, tt.sigs, refs)
		var got []string
		for _, f := range figs {
			var names []string
			for _, s := range f.Lines {
				names = append(names, s.Name)
			}
			got = append(got, f.YLabel+": "+strings.Join(names, ", "))
		}
		if strings.Join(got, " | ") != strings.Join(tt.want, " | ") {
			t.Errorf("%s: panels %q, want %q", tt.name, got, tt.want)
		}
		if figs[0].Title != "Signals" {
			t.Errorf("%s: first title %q", tt.name, figs[0].Title)
		}
	}
	// The references go with their kinds' panels.
	figs := panels(tests[1].series, tests[1].sigs, refs)
	if len(figs[0].Refs) != 1 || figs[0].Refs[0].Y != 1000 || len(figs[0].Bands) != 0 {
		t.Errorf("CO₂ panel: refs %+v bands %+v", figs[0].Refs, figs[0].Bands)
	}
	if len(figs[1].Bands) != 1 || figs[1].Bands[0].Lo != 20 || len(figs[1].Refs) != 0 {
		t.Errorf("temperature panel: refs %+v bands %+v", figs[1].Refs, figs[1].Bands)
	}
}

// TestChartsPickFromTree: a sensor selected in the tree while the Charts
// tab shows goes on the chart.
func TestChartsPickFromTree(t *testing.T) {
	s, _, c := openCharts(t)
	c.kind.SetSelected(chartHeatmap)
	dev := mustFind(t, s.model, "Raspberry Pi 3 A1 (1234567890AB)")
	var sensor string
	for _, n := range s.model.childNodes(dev) {
		if strings.Contains(s.model.label(n), "SAMPLE_SENSOR_CARBONDIOXIDE") {
			sensor = n
		}
	}
	s.selectNode(sensor)
	if c.kind.Selected != chartSignals || len(c.picked) != 1 || c.picked[0].Label != "SAMPLE_SENSOR_CARBONDIOXIDE" {
		t.Fatalf("after selecting the CO₂ sensor: %s, picked %+v", c.kind.Selected, c.picked)
	}
	if c.fig == nil || len(c.fig.Lines) != 1 {
		t.Errorf("the chart does not show it: %q", c.note.Text)
	}
}
