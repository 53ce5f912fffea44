package ui

import (
	"fmt"
	"image/color"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/twinstudio/twinstudio/app"
	"github.com/twinstudio/twinstudio/app/planpaint"
	"github.com/twinstudio/twinstudio/engine"
)

// colourOccupancy is the colour select's occupancy entry; alertPrefix
// starts its entries of true/false space values.
const (
	colourOccupancy = "Occupancy"
	alertPrefix     = "Alert: "
)

// Stale data: a room's occupancy reading is stale when it is older than
// staleFactor times the sensor's usual interval (the median of its last
// readings' gaps), and at least staleMin.
const (
	staleFactor = 3
	staleMin    = 15 * time.Minute
)

// occupancyNames are the sensor data types and space values occupancy is
// read from, in order of preference.
var occupancyNames = []string{"Motion", "Occupancy", "OccupancyStatus", "Presence"}

// valueRanges are the colour scales' ends of the usual values; others
// scale from the lowest to the highest value shown.
var valueRanges = map[string][2]float64{
	"Temperature": {16, 28}, "CarbonDioxide": {400, 1500}, "Humidity": {20, 70},
	"Light": {0, 800}, "Noise": {30, 80}, "Sound": {30, 80},
}

// roomValue is one value of a room: a space value or its sensor's.
type roomValue struct {
	engine.Value
	sensor engine.ID // the sensor it comes from, zero: a space value
	unit   string    // the sensor's unit symbol (app.UnitSymbol), "" for none
}

// planColours colours the Plan tab's rooms by the chosen value and draws
// the legend.
type planColours struct {
	t     *planTab
	names []string // the colour select's options
	shown string   // the legend drawn (mode and scale)

	alertOn, alertOff string    // the legend's texts of an alert value
	now               time.Time // the moment the colours were judged at
	intervals         map[engine.ID]staleEntry
}

// options offers the colour choices of the floor's values.
func (c *planColours) options() {
	if c.t.colourSel.Selected == "" {
		c.setOptions([]string{colourOccupancy})
		c.t.colourSel.SetSelected(colourOccupancy)
	}
}

func (c *planColours) setOptions(names []string) {
	if slices.Equal(names, c.names) {
		return
	}
	c.names = names
	sel := c.t.colourSel
	cb := sel.OnChanged
	sel.OnChanged = nil
	sel.SetOptions(names)
	sel.OnChanged = cb
}

// read is each shape's values at the cursor's moment, by name (sensor
// values by their data type), and the moment they are judged at.
func (c *planColours) read() ([]map[string]roomValue, time.Time) {
	t := c.t
	out := make([]map[string]roomValue, len(t.pm.shapes))
	var owners []engine.ID
	sensorType := map[engine.ID]string{}
	latest := time.Time{}
	seen := make([]bool, len(t.pm.shapes)) // rooms the viewer may read
	for i, s := range t.pm.shapes {
		seen[i] = !s.space.IsZero() && t.m.exists(spaceNode(s.space))
	}
	t.m.view(func(v *engine.View) {
		for i, s := range t.pm.shapes {
			if !seen[i] {
				continue
			}
			vals := map[string]roomValue{}
			for _, nv := range v.SpaceValues(s.space) {
				vals[nv.Name] = roomValue{Value: nv.Value}
			}
			owners = append(owners, s.space)
			for _, n := range v.SpaceSensors(s.space) {
				name := sensorTitle(v, n)
				sensorType[n.ID] = name
				owners = append(owners, n.ID)
				if val, ok := v.SensorValue(n.ID); ok {
					vals[name] = roomValue{Value: val, sensor: n.ID, unit: app.UnitSymbol(v.TypeName(n.DataUnitTypeID))}
					if val.Time.After(latest) {
						latest = val.Time
					}
				}
			}
			out[i] = vals
		}
	})
	at, past := t.cursor.At()
	if !past {
		if t.simClock != nil {
			if _, ok := t.simClock(); ok && !latest.IsZero() {
				// Simulated readings carry simulated time, and the
				// engine may trail the simulation's clock: judge them
				// against the floor's latest reading.
				return out, latest
			}
		}
		return out, laterOf(time.Now(), latest)
	}
	if t.valuesAt != nil {
		c.readAt(out, owners, sensorType, at)
	}
	return out, at
}

func laterOf(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// readAt replaces the values with those at the past moment at.
func (c *planColours) readAt(out []map[string]roomValue, owners []engine.ID, sensorType map[engine.ID]string, at time.Time) {
	got, err := c.t.valuesAt(owners, at)
	if err != nil {
		c.t.sh.fail(err)
		return
	}
	for i, s := range c.t.pm.shapes {
		if out[i] == nil {
			continue
		}
		vals := map[string]roomValue{}
		for name, v := range got[s.space] {
			vals[name] = roomValue{Value: v}
		}
		for id, name := range sensorType {
			if _, mine := out[i][name]; !mine || out[i][name].sensor != id {
				continue
			}
			for _, v := range got[id] {
				vals[name] = roomValue{Value: v, sensor: id, unit: out[i][name].unit}
			}
		}
		out[i] = vals
	}
}

// apply colours the rooms, sets their hover texts and draws the legend.
func (c *planColours) apply() {
	frameStats.updating()
	t := c.t
	vals, now := c.read()
	c.now = now
	c.setOptions(choices(vals))
	mode := t.colourSel.Selected
	var lo, hi float64
	if !strings.HasPrefix(mode, alertPrefix) && mode != colourOccupancy {
		lo, hi = valueRange(mode, vals)
	}
	if strings.HasPrefix(mode, alertPrefix) {
		c.alertOn, c.alertOff = alertTexts(vals, strings.TrimPrefix(mode, alertPrefix))
	}
	for i := range t.pm.shapes {
		s := &t.pm.shapes[i]
		s.label = t.roomName(s.space)
		s.fill = planpaint.Unknown
		switch {
		case vals[i] == nil:
		case mode == colourOccupancy:
			s.fill = c.occupancy(vals[i], now)
		case strings.HasPrefix(mode, alertPrefix):
			s.fill = alertColour(vals[i], strings.TrimPrefix(mode, alertPrefix))
		default:
			if v, ok := vals[i][mode]; ok {
				s.fill = planpaint.Ramp(number(v.Value.Value), lo, hi)
			}
		}
		s.hover = c.hoverText(i, vals[i])
	}
	c.legend(mode, lo, hi)
}

// choices are the colour select's options for values vals: occupancy,
// the numeric values, then the true/false space values as alerts.
func choices(vals []map[string]roomValue) []string {
	numeric, alerts := map[string]bool{}, map[string]bool{}
	for _, m := range vals {
		for name, v := range m {
			switch {
			case slices.Contains(occupancyNames, name):
			case !math.IsNaN(number(v.Value.Value)):
				numeric[name] = true
			case v.sensor.IsZero():
				alerts[alertPrefix+name] = true // true/false or a UDF's text
			}
		}
	}
	out := []string{colourOccupancy}
	out = append(out, sortedKeys(numeric)...)
	return append(out, sortedKeys(alerts)...)
}

// number is s as a number, NaN when it is not one.
func number(s string) float64 {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil {
		return math.NaN()
	}
	return f
}

// truthy reports whether s says yes: true, a number above 0, occupied…
func truthy(s string) bool {
	s = strings.ToLower(strings.TrimSpace(s))
	if b, err := strconv.ParseBool(s); err == nil {
		return b
	}
	if f := number(s); !math.IsNaN(f) {
		return f > 0
	}
	return s == "occupied" || s == "yes" || s == "on"
}

// occupancy is a room's occupancy colour at now: free, occupied, or stale
// when its reading is older than expected.
func (c *planColours) occupancy(vals map[string]roomValue, now time.Time) color.NRGBA {
	for _, name := range occupancyNames {
		v, ok := vals[name]
		if !ok {
			continue
		}
		if now.Sub(v.Time) > c.staleAfter(v.sensor, v.Time) {
			return planpaint.Stale
		}
		if truthy(v.Value.Value) {
			return planpaint.Occupied
		}
		return planpaint.Free
	}
	return planpaint.Unknown
}

// staleAfter is how old sensor id's reading may be before it is stale:
// staleFactor times the median gap of its last readings, at least
// staleMin (also for space values, whose rhythm is their UDF's).
func (c *planColours) staleAfter(id engine.ID, last time.Time) time.Duration {
	if id.IsZero() {
		return staleMin
	}
	if e, ok := c.intervals[id]; ok && e.last.Equal(last) {
		return e.after // the history is read again only after a new reading
	}
	var hist []engine.Value
	c.t.m.view(func(v *engine.View) { hist = v.SensorHistory(id) })
	if len(hist) > 9 {
		hist = hist[len(hist)-9:]
	}
	var gaps []time.Duration
	for i := 1; i < len(hist); i++ {
		gaps = append(gaps, hist[i].Time.Sub(hist[i-1].Time).Abs())
	}
	after := staleMin
	if len(gaps) > 0 {
		slices.Sort(gaps)
		after = max(staleMin, staleFactor*gaps[len(gaps)/2])
	}
	if c.intervals == nil {
		c.intervals = map[engine.ID]staleEntry{}
	}
	c.intervals[id] = staleEntry{last: last, after: after}
	return after
}

// staleEntry is a sensor's stale age, computed at its reading last.
type staleEntry struct {
	last  time.Time
	after time.Duration
}

// alertWords are the words that make a text value an alert ("Room is not
// available or air quality is poor").
var alertWords = map[string]bool{"not": true, "no": true, "poor": true, "bad": true, "alert": true, "alarm": true,
	"stale": true, "high": true, "low": true, "error": true, "warning": true, "busy": true, "occupied": true}

// alerting reports whether space value s is an alert: true, or a text
// with one of alertWords.
func alerting(s string) bool {
	s = strings.ToLower(strings.TrimSpace(s))
	if b, err := strconv.ParseBool(s); err == nil {
		return b
	}
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) }) {
		if alertWords[w] {
			return true
		}
	}
	return false
}

// alertColour colours a room by its space value name: an alert or not.
func alertColour(vals map[string]roomValue, name string) color.NRGBA {
	v, ok := vals[name]
	if !ok || strings.TrimSpace(v.Value.Value) == "" {
		return planpaint.Unknown
	}
	if alerting(v.Value.Value) {
		return planpaint.AlertOn
	}
	return planpaint.AlertOff
}

// alertTexts are the distinct values of name shown, alerts and others,
// for the legend.
func alertTexts(vals []map[string]roomValue, name string) (on, off string) {
	seen := map[bool][]string{}
	for _, m := range vals {
		if v, ok := m[name]; ok && !slices.Contains(seen[alerting(v.Value.Value)], v.Value.Value) {
			seen[alerting(v.Value.Value)] = append(seen[alerting(v.Value.Value)], v.Value.Value)
		}
	}
	join := func(l []string, none string) string {
		if len(l) == 0 {
			return none
		}
		sort.Strings(l)
		return strings.Join(l, " · ")
	}
	return join(seen[true], name+" is an alert"), join(seen[false], name+" is fine")
}

// valueRange is the colour scale's ends for value name.
func valueRange(name string, vals []map[string]roomValue) (lo, hi float64) {
	if r, ok := valueRanges[name]; ok {
		return r[0], r[1]
	}
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, m := range vals {
		if v, ok := m[name]; ok {
			if f := number(v.Value.Value); !math.IsNaN(f) {
				lo, hi = math.Min(lo, f), math.Max(hi, f)
			}
		}
	}
	if hi <= lo {
		return lo - 1, lo + 1
	}
	return lo, hi
}

// hoverText is shape i's name, area and values.
func (c *planColours) hoverText(i int, vals map[string]roomValue) string {
	s := c.t.pm.shapes[i]
	name := s.label
	if name == "" {
		name = "Unlinked shape"
	}
	lines := []string{fmt.Sprintf("%s · %.1f m²", name, c.t.areaM2(i))}
	names := make([]string, 0, len(vals))
	for n := range vals {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		line := n + ": " + vals[n].Value.Value
		if u := vals[n].unit; u != "" {
			line += " " + u
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}

// legend draws the legend of mode.
func (c *planColours) legend(mode string, lo, hi float64) {
	items := len(c.t.pm.items) > 0
	if key := fmt.Sprint(mode, lo, hi, c.alertOn, c.alertOff, items); key == c.shown {
		return
	} else {
		c.shown = key
	}
	var objs []fyne.CanvasObject
	add := func(col color.NRGBA, text string) {
		r := canvas.NewRectangle(col)
		r.StrokeColor, r.StrokeWidth = planpaint.Outline(col), 1
		r.SetMinSize(fyne.NewSquareSize(14))
		objs = append(objs, container.NewHBox(container.NewCenter(r), widget.NewLabel(text)))
	}
	switch {
	case mode == colourOccupancy:
		add(planpaint.Free, "free")
		add(planpaint.Occupied, "occupied")
		add(planpaint.Stale, fmt.Sprintf("stale: no reading for %d× its usual interval (at least %d min)", staleFactor, int(staleMin.Minutes())))
	case strings.HasPrefix(mode, alertPrefix):
		add(planpaint.AlertOn, "alert: "+c.alertOn)
		add(planpaint.AlertOff, c.alertOff)
	default:
		for k := 0; k <= 4; k++ {
			v := lo + (hi-lo)*float64(k)/4
			add(planpaint.Ramp(v, lo, hi), strconv.FormatFloat(v, 'g', 4, 64))
		}
	}
	add(planpaint.Unknown, "no value / not linked")
	if items { // the mark the plan view draws on offline devices
		dot := canvas.NewCircle(theme.Color(theme.ColorNameError))
		objs = append(objs, container.NewHBox(container.NewCenter(container.NewGridWrap(fyne.NewSquareSize(9), dot)),
			widget.NewLabel(fmt.Sprintf("device offline: not connected, no reading for %d min", int(staleMin.Minutes())))))
	}
	c.t.legend.Objects = objs
	c.t.legend.Refresh()
}
