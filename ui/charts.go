package ui

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"io"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/twinstudio/twinstudio/app"
	"github.com/twinstudio/twinstudio/app/chart"
	"github.com/twinstudio/twinstudio/engine"
)

// Chart kinds of the Charts tab.
const (
	chartSignals   = "Signals"
	chartOccupancy = "Occupancy"
	chartHeatmap   = "Heatmap"
)

// Time ranges of the Charts tab, each ending at the newest reading of
// what is charted (simulated telemetry carries the scenario's dates).
var chartRanges = []struct {
	label string
	span  time.Duration
}{
	{"Last hour", time.Hour},
	{"Last day", 24 * time.Hour},
	{"Last week", 7 * 24 * time.Hour},
	{"Custom", 0},
}

// chartHint is why a chart shows nothing that is not a fault: what the
// user has yet to pick.
type chartHint string

func (h chartHint) Error() string { return string(h) }

// maxChartSignals bounds the signals charted together.
const maxChartSignals = 12

// maxPanels bounds the panels of a signals chart: one per unit, signals
// of further units share the last.
const maxPanels = 4

// chartLiveEvery is how often a chart redraws while telemetry flows.
const chartLiveEvery = time.Second

// charts is the Charts tab: signals (sensors and space values, lines for
// numbers and bands for on/off), a space's occupancy over time (count or
// rate) and its hour × weekday heat map, over a time range, redrawn while
// telemetry flows, with the reference lines the model knows (CO₂ limit,
// comfort band, grid limit), a read-out of the values under the mouse and
// export of exactly what is shown as PNG, SVG or CSV. Every chart reads
// the project's history, so live, recorded and simulated telemetry look
// the same. All its methods run on Fyne's goroutine.
type charts struct {
	sh       *shell
	a        *app.App
	scenario func() string // the scenario file the studio simulates ("" none)
	shown    func() bool   // whether the tab shows (redraws wait until it does)

	cursor *timeCursor // the time slider's moment, drawn on the figures when not live; nil none

	space  engine.ID // the tree's space: the search scope and the space of occupancy and heat maps
	stale  bool      // space changed while the tab was hidden: the signals are not found yet
	kind   *widget.RadioGroup
	span   *widget.Select
	from   *widget.Entry // custom range, RFC 3339 or a date
	to     *widget.Entry
	custom *fyne.Container

	search  *widget.Entry
	found   []app.Signal
	list    *widget.List
	picked  []app.Signal
	pickBox *fyne.Container // the signals' side panel
	rate    *widget.Check   // occupancy as a rate instead of a count

	views   []*chartView    // one a panel, maxPanels of them
	stack   *fyne.Container // the panels shown, one above the other
	note    *widget.Label   // what the chart shows, or why it shows nothing
	readout *widget.Label
	figs    []*chart.Figure // the panels shown: signals of one unit each (on/off lanes under the last)
	fig     *chart.Figure   // figs[0], nil none
	last    time.Time       // the last live redraw

	top     *fyne.Container  // the controls above the chart
	split   *container.Split // the signals' side panel and the chart
	content fyne.CanvasObject
}

func newCharts(sh *shell, a *app.App, scenario func() string, shown func() bool) *charts {
	c := &charts{sh: sh, a: a, scenario: scenario, shown: shown}
	c.kind = widget.NewRadioGroup([]string{chartSignals, chartOccupancy, chartHeatmap}, func(string) { c.kindChanged() })
	c.kind.Horizontal = true
	labels := make([]string, len(chartRanges))
	for i, r := range chartRanges {
		labels[i] = r.label
	}
	c.span = widget.NewSelect(labels, func(string) { c.rangeChanged() })
	c.from, c.to = widget.NewEntry(), widget.NewEntry()
	c.from.SetPlaceHolder("from: 2026-03-02T08:00:00Z")
	c.to.SetPlaceHolder("to (empty: the newest reading)")
	c.from.OnSubmitted = func(string) { c.redraw() }
	c.to.OnSubmitted = func(string) { c.redraw() }
	c.custom = container.NewGridWithColumns(2, c.from, c.to)
	c.custom.Hide()
	c.rate = widget.NewCheck("Rate (%) instead of rooms occupied", func(bool) { c.redraw() })

	c.search = widget.NewEntry()
	c.search.SetPlaceHolder("Find sensors and space values")
	c.search.OnChanged = func(string) { c.find() }
	c.list = widget.NewList(func() int { return len(c.found) },
		func() fyne.CanvasObject {
			ch := widget.NewCheck("", nil)
			return ch
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			ch := o.(*widget.Check)
			s := c.found[i]
			ch.OnChanged = nil
			ch.Text = signalText(s)
			ch.SetChecked(c.isPicked(s))
			ch.OnChanged = func(on bool) { c.pick(s, on) }
			ch.Refresh()
		})
	clear := widget.NewButtonWithIcon("Clear", theme.ContentClearIcon(), func() { c.picked = nil; c.list.Refresh(); c.redraw() })
	c.pickBox = container.NewBorder(c.search, clear, nil, nil, c.list)

	c.stack = container.NewGridWithRows(1)
	for i := range maxPanels {
		v := newChartView()
		v.onHover = func(x, y float64, in bool) { c.hover(i, x, y, in) }
		c.views = append(c.views, v)
	}
	c.note = widget.NewLabel("")
	c.note.Wrapping = fyne.TextWrapWord
	c.readout = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
	c.readout.Truncation = fyne.TextTruncateEllipsis
	export := container.NewHBox(widget.NewLabel("Export"),
		widget.NewButton("PNG", func() { c.askExport("png") }),
		widget.NewButton("SVG", func() { c.askExport("svg") }),
		widget.NewButton("CSV", func() { c.askExport("csv") }))
	c.top = container.NewVBox(c.kind, container.NewBorder(nil, nil, nil, c.rate, c.span), c.custom, c.note)
	bottom := container.NewVBox(c.readout, export)
	main := container.NewBorder(c.top, bottom, nil, nil, c.stack)
	c.split = container.NewHSplit(c.pickBox, main)
	c.split.Offset = 0.3
	c.content = c.split
	c.kind.SetSelected(chartSignals)
	c.span.SetSelectedIndex(1)
	return c
}

// signalText is a signal as the picker lists it.
func signalText(s app.Signal) string {
	if s.Unit != "" {
		return s.Label + " (" + s.Kind + ", " + s.Unit + ")"
	}
	if s.Name == "" {
		return s.Label + " (" + s.Kind + ")"
	}
	return s.Label
}

// scopeTo follows the tree's selection: its space scopes the search and
// is the space occupancy and heat maps show.
func (c *charts) scopeTo(space engine.ID) {
	if space == c.space {
		return
	}
	c.space = space
	if !c.shown() {
		c.stale = true // found and drawn when the tab shows
		return
	}
	c.find()
	if c.kind.Selected != chartSignals {
		c.redraw()
	}
}

// showing brings the tab up to date as it shows: the signals of the
// space selected meanwhile, and the chart.
func (c *charts) showing() {
	if c.stale {
		c.stale = false
		c.find()
	}
	c.redraw()
}

// find lists the signals under the space that match the search.
func (c *charts) find() {
	c.found = c.a.Signals(c.space, c.search.Text, 200)
	c.list.Refresh()
}

// pickSensor puts sensor id on the signals chart (a sensor selected in the
// tree while the tab shows) and switches to the signals.
func (c *charts) pickSensor(id engine.ID) {
	for _, s := range c.a.Signals(c.space, "", 0) { // the sensor's space: scopeTo came first
		if s.Owner == id && s.Name == "" {
			if c.kind.Selected != chartSignals {
				c.kind.SetSelected(chartSignals)
			}
			c.pick(s, true)
			c.list.Refresh()
			return
		}
	}
}

func (c *charts) isPicked(s app.Signal) bool {
	for _, p := range c.picked {
		if p.Owner == s.Owner && p.Name == s.Name {
			return true
		}
	}
	return false
}

// pick adds signal s to the chart (on) or takes it off.
func (c *charts) pick(s app.Signal, on bool) {
	if on == c.isPicked(s) {
		return
	}
	if on {
		if len(c.picked) >= maxChartSignals {
			c.sh.flash(fmt.Sprintf("At most %d signals on one chart", maxChartSignals))
			c.list.Refresh()
			return
		}
		c.picked = append(c.picked, s)
	} else {
		for i, p := range c.picked {
			if p.Owner == s.Owner && p.Name == s.Name {
				c.picked = append(c.picked[:i], c.picked[i+1:]...)
				break
			}
		}
	}
	c.redraw()
}

func (c *charts) kindChanged() {
	if c.kind.Selected == chartSignals {
		c.pickBox.Show()
	} else {
		c.pickBox.Hide()
	}
	if c.kind.Selected == chartOccupancy {
		c.rate.Show()
	} else {
		c.rate.Hide()
	}
	c.relayout()
	c.redraw()
}

// relayout lays the controls out again after some were shown or hidden
// (a container does not notice by itself).
func (c *charts) relayout() {
	if c.top == nil {
		return // still being built
	}
	for _, o := range c.top.Objects {
		if r, ok := o.(*fyne.Container); ok {
			r.Refresh()
		}
	}
	c.top.Refresh()
	c.split.Refresh()
}

func (c *charts) rangeChanged() {
	if c.span.Selected == "Custom" {
		c.custom.Show()
	} else {
		c.custom.Hide()
	}
	c.relayout()
	c.redraw()
}

// live redraws, at most once every chartLiveEvery, while telemetry flows
// and the tab shows (the studio's poll calls it).
func (c *charts) live(now time.Time) {
	if now.Sub(c.last) < chartLiveEvery || c.kind.Selected == chartSignals && len(c.picked) == 0 {
		return
	}
	c.last = now
	c.redraw()
}

// redraw rebuilds the figure from the history and shows it; a chart that
// cannot be made says why in the note.
func (c *charts) redraw() {
	if c.kind == nil || c.stack == nil {
		return // still being built
	}
	figs, note, err := c.build()
	var hint chartHint
	switch {
	case errors.As(err, &hint):
		figs, note = nil, string(hint)
		c.note.Importance = widget.MediumImportance
	case err != nil:
		figs, note = nil, errorText(err)
		c.note.Importance = widget.DangerImportance
	default:
		c.note.Importance = widget.MediumImportance
	}
	c.note.SetText(note)
	c.note.Refresh()
	c.readout.SetText("")
	c.show(figs)
}

// show puts figs in the panels, one above the other.
func (c *charts) show(figs []*chart.Figure) {
	c.figs, c.fig = figs, nil
	if len(figs) > 0 {
		c.fig = figs[0]
	}
	objs := make([]fyne.CanvasObject, max(len(figs), 1))
	for i := range objs {
		objs[i] = c.views[i]
	}
	c.stack.Layout = layout.NewGridLayoutWithRows(len(objs))
	c.stack.Objects = objs
	c.stack.Refresh()
	c.markCursor()
	for i, v := range c.views {
		if i < len(figs) {
			v.set(figs[i])
		} else {
			v.set(nil)
		}
	}
}

// window is the time range shown: its end is to, or the newest reading
// of what is charted (newest; the zero time: now).
func (c *charts) window(newest time.Time) (from, to time.Time, err error) {
	i := c.span.SelectedIndex()
	if i < 0 {
		i = 1
	}
	if chartRanges[i].span > 0 {
		if newest.IsZero() {
			newest = time.Now().UTC()
		}
		return newest.Add(-chartRanges[i].span), newest, nil
	}
	if from, err = parseWhen("from", c.from.Text, false); err != nil {
		return
	}
	if to, err = parseWhen("to", c.to.Text, true); err != nil {
		return
	}
	if to.IsZero() {
		to = newest
	}
	if !to.IsZero() && !from.IsZero() && to.Before(from) {
		err = fmt.Errorf("%w: the range ends (%s) before it starts (%s)", engine.ErrInvalid, to.Format(time.RFC3339), from.Format(time.RFC3339))
	}
	return
}

// parseWhen reads a custom range bound: RFC 3339 or a date (the end of
// the day for an end). Empty is the zero time.
func parseWhen(field, s string, end bool) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if d, err := time.Parse("2006-01-02", s); err == nil {
		if end {
			return d.Add(24*time.Hour - time.Nanosecond), nil
		}
		return d, nil
	}
	return time.Time{}, fmt.Errorf("%w: %s %q is neither an RFC 3339 time (2026-03-02T08:00:00Z) nor a date (2026-03-02)", engine.ErrInvalid, field, s)
}

// build makes the panels of the chosen kind, and a line saying what they
// show.
func (c *charts) build() ([]*chart.Figure, string, error) {
	one := func(f *chart.Figure, note string, err error) ([]*chart.Figure, string, error) {
		if err != nil {
			return nil, "", err
		}
		return []*chart.Figure{f}, note, nil
	}
	switch c.kind.Selected {
	case chartOccupancy:
		return one(c.buildOccupancy())
	case chartHeatmap:
		return one(c.buildHeatmap())
	}
	return c.buildSignals()
}

// spaceName is the full name of the space charted, or why there is none.
func (c *charts) spaceName() (string, error) {
	if c.space.IsZero() {
		return "", chartHint("Select a space in the tree (a room, a floor or the building) to chart its occupancy.")
	}
	name := ""
	_ = c.a.Engine().View(func(v *engine.View) error { name = v.FullName(c.space); return nil })
	return name, nil
}

// newestMotion is the time of the newest motion reading under the space
// (the zero time if none).
func (c *charts) newestMotion() time.Time {
	var newest time.Time
	for _, s := range c.a.Signals(c.space, "Motion", 500) {
		if s.Name != "" || s.Kind != "Motion" {
			continue
		}
		if h, err := c.a.SignalHistory(s, time.Time{}, time.Time{}, 1); err == nil && len(h) > 0 && h[0].Time.After(newest) {
			newest = h[0].Time
		}
	}
	return newest
}

// bucketFor is the occupancy bucket of a time range: 5 minutes for an
// hour, 30 for a day, an hour beyond.
func bucketFor(span time.Duration) time.Duration {
	switch {
	case span <= 2*time.Hour:
		return 5 * time.Minute
	case span <= 36*time.Hour:
		return 30 * time.Minute
	}
	return time.Hour
}

// bucketText says a bucket's length: "5 min", "1 h".
func bucketText(d time.Duration) string {
	if d%time.Hour == 0 {
		return fmt.Sprintf("%d h", d/time.Hour)
	}
	return fmt.Sprintf("%d min", d/time.Minute)
}

// spaceWindow is the space charted and the time range, ending at its
// newest motion reading, for occupancy and heat maps.
func (c *charts) spaceWindow() (name string, from, to time.Time, err error) {
	if name, err = c.spaceName(); err != nil {
		return
	}
	from, to, err = c.window(c.newestMotion())
	return
}

func (c *charts) buildOccupancy() (*chart.Figure, string, error) {
	name, from, to, err := c.spaceWindow()
	if err != nil {
		return nil, "", err
	}
	bucket := bucketFor(to.Sub(from))
	pts, err := c.a.Occupancy(c.space, from, to, bucket)
	if err != nil {
		return nil, "", err
	}
	if len(pts) == 0 {
		return nil, "", fmt.Errorf("%w: %s has no motion sensors, so no occupancy", engine.ErrNotFound, name)
	}
	s := chart.Series{Name: short(name)}
	fig := &chart.Figure{File: "occupancy", XLabel: "time (UTC)"}
	for _, p := range pts {
		s.T = append(s.T, p.T)
		switch {
		case p.Rooms == 0:
			s.Y = append(s.Y, math.NaN()) // no data: a gap, not 0
		case c.rate.Checked:
			s.Y = append(s.Y, 100*p.Rate)
		default:
			s.Y = append(s.Y, float64(p.Occupied))
		}
	}
	if c.rate.Checked {
		lo, hi := 0.0, 100.0
		fig.YMin, fig.YMax = &lo, &hi
		fig.YLabel = "occupied (%)"
		fig.Title = fmt.Sprintf("Occupancy of %s (%s buckets)", name, bucketText(bucket))
	} else {
		lo := 0.0
		fig.YMin = &lo
		fig.YLabel = "rooms occupied"
		fig.Title = fmt.Sprintf("Rooms occupied in %s (%s buckets)", name, bucketText(bucket))
	}
	fig.Lines = []chart.Series{s}
	return fig, rangeNote(from, to), nil
}

func (c *charts) buildHeatmap() (*chart.Figure, string, error) {
	name, from, to, err := c.spaceWindow()
	if err != nil {
		return nil, "", err
	}
	grid, err := c.a.OccupancyHeat(c.space, from, to)
	if err != nil {
		return nil, "", err
	}
	fig := &chart.Figure{File: "heatmap", Title: "Occupancy of " + name + ", hour × weekday (UTC)",
		Heat: &grid, HeatUnit: "% of motion readings detecting someone"}
	return fig, rangeNote(from, to) + " · grey cells: no data", nil
}

// rangeNote says the range a chart shows.
func rangeNote(from, to time.Time) string {
	return fmt.Sprintf("%s – %s (UTC)", from.UTC().Format("Mon 2006-01-02 15:04"), to.UTC().Format("Mon 2006-01-02 15:04"))
}

// short is the last element of a space path.
func short(path string) string {
	if i := strings.LastIndexByte(path, '/'); i >= 0 && i+1 < len(path) {
		return path[i+1:]
	}
	return path
}

func (c *charts) buildSignals() ([]*chart.Figure, string, error) {
	if len(c.picked) == 0 {
		return nil, "", chartHint("Tick sensors or space values on the left, or select a sensor in the tree, to chart them.")
	}
	var newest time.Time
	for _, s := range c.picked {
		if h, err := c.a.SignalHistory(s, time.Time{}, time.Time{}, 1); err == nil && len(h) > 0 && h[0].Time.After(newest) {
			newest = h[0].Time
		}
	}
	from, to, err := c.window(newest)
	if err != nil {
		return nil, "", err
	}
	var skipped []string
	var series []chart.Series
	var sigs []app.Signal
	for _, s := range c.picked {
		h, err := c.a.SignalHistory(s, from, to, 0)
		if err != nil {
			return nil, "", err
		}
		ser, ok := valueSeries(s, h)
		switch {
		case !ok:
			skipped = append(skipped, s.Label+" (text values)")
		case len(ser.T) == 0:
			skipped = append(skipped, s.Label+" (no readings in the range)")
		default:
			series = append(series, ser)
			sigs = append(sigs, s)
		}
	}
	if len(series) == 0 {
		return nil, "", fmt.Errorf("%w: nothing to chart in %s: %s", engine.ErrNotFound, rangeNote(from, to), strings.Join(skipped, ", "))
	}
	figs := panels(series, sigs, func(kind string) []app.Reference { return app.ScenarioReferences(kind, c.scenario()) })
	note := rangeNote(from, to)
	if len(skipped) > 0 {
		note += " · not charted: " + strings.Join(skipped, ", ")
	}
	return figs, note, nil
}

// panels lays signals out as figures sharing the time axis: one per unit
// (a y axis each; at most maxPanels, further units sharing the last), the
// on/off signals as lanes under the last, each with the references of its
// kinds. sigs[i] is the signal of series[i].
func panels(series []chart.Series, sigs []app.Signal, refs func(kind string) []app.Reference) []*chart.Figure {
	var figs []*chart.Figure
	byUnit := map[string]*chart.Figure{}
	kinds := map[*chart.Figure]map[string]bool{}
	var bools []chart.Series
	for i, ser := range series {
		if ser.Bool {
			bools = append(bools, ser)
			continue
		}
		u := axisUnit(sigs[i])
		f := byUnit[u]
		if f == nil {
			if len(figs) == maxPanels {
				f = figs[len(figs)-1]
				f.YLabel += ", " + u
			} else {
				f = &chart.Figure{File: "signals", XLabel: "time (UTC)", YLabel: u}
				figs = append(figs, f)
				kinds[f] = map[string]bool{}
			}
			byUnit[u] = f
		}
		f.Lines = append(f.Lines, ser)
		kinds[f][sigs[i].Kind] = true
	}
	if len(figs) == 0 {
		figs = append(figs, &chart.Figure{File: "signals", XLabel: "time (UTC)"})
	}
	last := figs[len(figs)-1]
	last.Lines = append(last.Lines, bools...)
	figs[0].Title = "Signals"
	for _, f := range figs {
		f.LegendBelow = len(figs) > 1
		for _, k := range sortedKeys(kinds[f]) {
			for _, r := range refs(k) {
				if r.Band {
					f.Bands = append(f.Bands, chart.Band{Lo: r.Lo, Hi: r.Hi, Label: r.Label})
				} else {
					f.Refs = append(f.Refs, chart.Ref{Y: r.Y, Label: r.Label})
				}
			}
		}
	}
	return figs
}

// axisUnit is how a signal's unit reads on the y axis.
func axisUnit(s app.Signal) string {
	if s.Unit != "" {
		return s.Kind + " (" + s.Unit + ")"
	}
	return s.Kind
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// valueSeries is signal s's history as a chart series: "true"/"false" as
// an on/off signal, numbers as a line. ok is false when its values are
// text (a space value such as a sentence).
func valueSeries(s app.Signal, h []engine.Value) (chart.Series, bool) {
	ser := chart.Series{Name: s.Label, Unit: s.Unit}
	bools, nums := 0, 0
	for _, v := range h {
		switch strings.ToLower(strings.TrimSpace(v.Value)) {
		case "true", "false":
			bools++
			continue
		}
		if _, err := strconv.ParseFloat(strings.TrimSpace(v.Value), 64); err == nil {
			nums++
		}
	}
	if bools == 0 && nums == 0 {
		return ser, len(h) == 0
	}
	ser.Bool = bools >= nums
	var lastT time.Time
	for _, v := range h {
		var y float64
		if ser.Bool {
			on, ok := app.Detected(v.Value)
			if !ok {
				continue
			}
			if on {
				y = 1
			}
		} else {
			f, err := strconv.ParseFloat(strings.TrimSpace(v.Value), 64)
			if err != nil || math.IsInf(f, 0) {
				continue
			}
			y = f
		}
		if v.Time.Before(lastT) {
			continue // the chart's x goes forward
		}
		lastT = v.Time
		ser.T = append(ser.T, v.Time)
		ser.Y = append(ser.Y, y)
	}
	return ser, true
}

// hover shows the values under the mouse over panel i at data abscissa x
// (Unix seconds; for a heat map the hour) and ordinate y: every panel's
// signals at that time.
func (c *charts) hover(i int, x, y float64, in bool) {
	if !in || i >= len(c.figs) {
		c.readout.SetText("")
		return
	}
	if c.figs[i].Heat != nil {
		c.readout.SetText(readout(c.figs[i], x, y))
		return
	}
	c.readout.SetText(readout(merged(c.figs), x, y))
}

// merged is one figure with the series of all of figs (for the read-out
// and CSV export).
func merged(figs []*chart.Figure) *chart.Figure {
	if len(figs) == 1 {
		return figs[0]
	}
	m := *figs[0]
	m.Lines = nil
	for _, f := range figs {
		m.Lines = append(m.Lines, f.Lines...)
	}
	return &m
}

// readout describes the data of fig at (x, y): for a heat map the cell's
// value, else the time and each series' value nearest before it.
func readout(fig *chart.Figure, x, y float64) string {
	if fig.Heat != nil {
		h, d := int(math.Floor(x)), 6-int(math.Floor(y)) // rows are drawn Monday on top
		if h < 0 || h > 23 || d < 0 || d > 6 {
			return ""
		}
		days := [...]string{"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"}
		v := fig.Heat[d][h]
		if math.IsNaN(v) {
			return fmt.Sprintf("%s %02d:00 · no data", days[d], h)
		}
		return fmt.Sprintf("%s %02d:00 · %.0f %%", days[d], h, v)
	}
	t := time.Unix(int64(x), 0).UTC()
	parts := []string{t.Format("Mon 01-02 15:04:05")}
	for _, s := range fig.Lines {
		i := sort.Search(len(s.T), func(i int) bool { return s.T[i].After(t) }) - 1
		if i < 0 {
			continue
		}
		v := strconv.FormatFloat(s.Y[i], 'f', -1, 64)
		if s.Bool {
			v = map[bool]string{true: "on", false: "off"}[s.Y[i] == 1]
		} else if s.Unit != "" {
			v += " " + s.Unit
		}
		parts = append(parts, s.Name+" "+v)
	}
	return strings.Join(parts, " · ")
}

// askExport asks where to save the chart shown as format (png, svg, csv).
func (c *charts) askExport(format string) {
	if len(c.figs) == 0 {
		c.sh.fail(errors.New("there is no chart to export"))
		return
	}
	if c.sh.win == nil {
		return
	}
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			c.sh.act(err)
			return
		}
		path := w.URI().Path()
		err = c.export(w, format)
		if cerr := w.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			c.sh.fail(fmt.Errorf("export %s: %w", path, err))
			return
		}
		c.sh.flash("Exported " + path)
	}, c.sh.win)
	d.SetFileName(c.fig.File + "." + format)
	d.Show()
}

// export writes the chart shown as format: PNG and SVG at the size shown
// in the theme shown (the panels one above the other), CSV with every
// value of the range (not the points drawn).
func (c *charts) export(w io.Writer, format string) error {
	if len(c.figs) == 0 {
		return errors.New("there is no chart to export")
	}
	th := chartTheme()
	switch format {
	case "png":
		return c.exportPNG(w, th)
	case "svg":
		return c.exportSVG(w, th)
	case "csv":
		return merged(c.figs).WriteCSV(w)
	}
	return fmt.Errorf("%w: no export format %q", engine.ErrInvalid, format)
}

// exportPNG writes the panels, each at the size shown, one above the
// other.
func (c *charts) exportPNG(w io.Writer, th chart.Theme) error {
	var imgs []image.Image
	width, height := 0, 0
	for i, f := range c.figs {
		pw, ph := c.views[i].pixels()
		img, _, err := f.Render(pw, ph, th)
		if err != nil {
			return err
		}
		imgs = append(imgs, img)
		width, height = max(width, pw), height+ph
	}
	if len(imgs) == 1 {
		return png.Encode(w, imgs[0])
	}
	out := image.NewRGBA(image.Rect(0, 0, width, height))
	y := 0
	for _, img := range imgs {
		b := img.Bounds()
		draw.Draw(out, image.Rect(0, y, b.Dx(), y+b.Dy()), img, b.Min, draw.Src)
		y += b.Dy()
	}
	return png.Encode(w, out)
}

// exportSVG writes the panels as one SVG, each panel an SVG of its own
// placed under the one before.
func (c *charts) exportSVG(w io.Writer, th chart.Theme) error {
	if len(c.figs) == 1 {
		pw, ph := c.views[0].pixels()
		return c.figs[0].WriteSVG(w, pw, ph, th)
	}
	var body strings.Builder
	width, y := 0, 0
	for i, f := range c.figs {
		pw, ph := c.views[i].pixels()
		var b bytes.Buffer
		if err := f.WriteSVG(&b, pw, ph, th); err != nil {
			return err
		}
		svg := b.String()
		if j := strings.Index(svg, "<svg"); j > 0 {
			svg = svg[j:] // drop the XML declaration
		}
		svg = strings.Replace(svg, "<svg", fmt.Sprintf(`<svg x="0" y="%d"`, y), 1)
		body.WriteString(svg)
		width, y = max(width, pw), y+ph
	}
	_, err := fmt.Fprintf(w, "<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" width=\"%d\" height=\"%d\">\n%s</svg>\n", width, y, body.String())
	return err
}

// exportFile writes the chart shown to path as format (tests).
func (c *charts) exportFile(path, format string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := c.export(f, format); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// markCursor sets the figures' cursor to the time slider's moment (none
// while live).
func (c *charts) markCursor() {
	var at time.Time
	if c.cursor != nil {
		at, _ = c.cursor.At()
	}
	for _, f := range c.figs {
		f.Cursor = at
	}
}

// cursorMoved redraws the figures shown with the cursor at its new place.
func (c *charts) cursorMoved() {
	c.markCursor()
	for i, v := range c.views {
		if i < len(c.figs) && (c.shown == nil || c.shown()) {
			v.render()
		}
	}
}
