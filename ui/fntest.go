package ui

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/twinstudio/twinstudio/app"
	"github.com/twinstudio/twinstudio/engine"
)

// maxSensorChoices bounds the sensors the test panel offers.
const maxSensorChoices = 500

// recordedChoices is how many recorded messages of a sensor the test
// panel offers.
const recordedChoices = 30

// testPanel runs the UDF shown on a message, dry: pick a sensor, type a
// message or pick one the sensor sent, run it, and read the execution
// record (calls, logs, writes before → after, notifications, duration and
// the error with its line). "Step through" runs it with the line trace
// and opens the step-through.
type testPanel struct {
	f        *functions
	sensors  []sensorChoice
	sensor   *widget.Select
	recorded *widget.Select
	replays  []app.Replay
	message  *widget.Entry
	run      *widget.Button
	trace    *widget.Button
	summary  *widget.Label // the record in one line
	result   *widget.Label
	last     *engine.ExecutionRecord // the record shown, nil none
	content  fyne.CanvasObject
}

// sensorChoice is a sensor the panel offers, labelled by hardware id and
// data type.
type sensorChoice struct {
	ID      engine.ID
	Label   string
	Matched bool // the UDF's matchers select it: it runs on its telemetry
}

func newTestPanel(f *functions) *testPanel {
	p := &testPanel{f: f}
	p.sensor = widget.NewSelect(nil, func(string) { p.sensorPicked() })
	p.sensor.PlaceHolder = "Pick a sensor"
	p.recorded = widget.NewSelect(nil, func(string) { p.recordPicked() })
	p.recorded.PlaceHolder = "Recorded messages"
	p.message = widget.NewEntry()
	p.message.TextStyle.Monospace = true
	p.message.SetPlaceHolder(`{"SensorValue":"true"}`)
	p.message.OnSubmitted = func(string) { p.runDry(false) }
	p.run = widget.NewButtonWithIcon("Run dry", theme.MediaPlayIcon(), func() { p.runDry(false) })
	p.run.Importance = widget.HighImportance
	p.trace = widget.NewButtonWithIcon("Step through", theme.MediaSkipNextIcon(), func() { p.runDry(true) })
	p.summary = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	p.summary.Wrapping = fyne.TextWrapWord
	p.result = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
	form := widget.NewForm(
		widget.NewFormItem("Sensor", p.sensor),
		widget.NewFormItem("Message", container.NewBorder(nil, nil, nil, p.recorded, p.message)),
	)
	p.content = container.NewBorder(container.NewVBox(form, container.NewBorder(nil, nil, container.NewHBox(p.run, p.trace), nil, p.summary), widget.NewSeparator()),
		nil, nil, nil, container.NewScroll(p.result))
	return p
}

// forUDF offers the sensors of the UDF shown: those its matchers select
// first, then the others of its space's subtree.
func (p *testPanel) forUDF() {
	p.sensors = udfSensors(p.f.a, p.f.udf)
	labels := make([]string, len(p.sensors))
	for i, s := range p.sensors {
		labels[i] = s.Label
	}
	p.sensor.Options = labels
	p.sensor.ClearSelected()
	p.message.SetText("")
	p.show(nil)
	if len(labels) > 0 {
		p.sensor.SetSelectedIndex(0)
	}
	p.sensor.Refresh()
	if p.f.udf.IsZero() {
		p.run.Disable()
		p.trace.Disable()
	} else {
		p.run.Enable()
		p.trace.Enable()
	}
}

// udfSensors lists the sensors under UDF id's space, those its matchers
// select first, each group by hardware id (at most maxSensorChoices).
func udfSensors(a *app.App, id engine.ID) []sensorChoice {
	var space engine.ID
	found := false
	_ = a.Engine().View(func(v *engine.View) error {
		if u, ok := v.UDF(id); ok {
			space, found = u.SpaceID, true
		}
		return nil
	})
	if !found {
		return nil
	}
	out := spaceSensors(a, space)
	for i := range out {
		for _, u := range a.Engine().MatchedUDFs(out[i].ID) {
			if u.ID == id {
				out[i].Matched = true
				out[i].Label += " · matched"
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Matched && !out[j].Matched })
	return out
}

// spaceSensors lists the sensors of space and the spaces under it (zero:
// all), by hardware id, at most maxSensorChoices.
func spaceSensors(a *app.App, space engine.ID) []sensorChoice {
	var out []sensorChoice
	for _, s := range a.Signals(space, "", 0) {
		if s.Name == "" && len(out) < maxSensorChoices {
			out = append(out, sensorChoice{ID: s.Owner, Label: s.Label + " · " + s.Kind})
		}
	}
	return out
}

// current is the sensor picked, zero for none.
func (p *testPanel) current() engine.ID {
	if i := p.sensor.SelectedIndex(); i >= 0 && i < len(p.sensors) {
		return p.sensors[i].ID
	}
	return engine.NilID
}

// sensorPicked offers the picked sensor's recorded messages and fills in
// the newest (or, when it has none, the payload form the shipped UDFs
// read with a value of its data type).
func (p *testPanel) sensorPicked() {
	id := p.current()
	p.replays = nil
	if !id.IsZero() {
		p.replays = p.f.a.SensorMessages(id, recordedChoices)
	}
	opts := make([]string, len(p.replays))
	for i, r := range p.replays {
		opts[i] = fmt.Sprintf("%s  %s", r.Time.Local().Format("Jan 02 15:04:05"), app.OneLine(r.Message))
	}
	p.recorded.Options = opts
	p.recorded.ClearSelected()
	p.recorded.Refresh()
	if len(p.replays) > 0 {
		p.message.SetText(p.replays[0].Message)
		return
	}
	var dt string
	_ = p.f.a.Engine().View(func(v *engine.View) error {
		if s, ok := v.Sensor(id); ok {
			dt = v.TypeName(s.DataTypeID)
		}
		return nil
	})
	if dt != "" {
		p.message.SetText(app.SamplePayload(dt))
	}
}

// recordPicked puts the recorded message picked in the message field.
func (p *testPanel) recordPicked() {
	if i := p.recorded.SelectedIndex(); i >= 0 && i < len(p.replays) {
		p.message.SetText(p.replays[i].Message)
	}
}

// runDry runs the UDF shown on the message, dry, as saved (with the line
// trace for the step-through, which it then opens).
func (p *testPanel) runDry(trace bool) {
	f := p.f
	sensor := p.current()
	if f.udf.IsZero() || sensor.IsZero() {
		f.sh.fail(fmt.Errorf("%w: pick a sensor to run the function on", engine.ErrInvalid))
		return
	}
	if f.dirty() {
		f.sh.flash("Running the saved script: save to run your changes")
	}
	rec, err := f.a.DryRun(f.udf, sensor, p.message.Text, trace)
	f.sh.s.lastErr = err
	if err != nil {
		f.sh.fail(err)
		return
	}
	p.show(rec)
	f.showRunProblem(rec)
	f.reload() // its state, last run and history
	if trace {
		f.step.load(rec, f.saved)
		f.panels.SelectIndex(panelStep)
	}
}

// open shows record rec (from the history): its sensor and message, and
// runs that message again, dry.
func (p *testPanel) open(rec *engine.ExecutionRecord) {
	for i, s := range p.sensors {
		if s.ID == rec.Sensor {
			p.sensor.SetSelectedIndex(i)
		}
	}
	p.message.SetText(rec.Message)
	p.f.panels.SelectIndex(panelTest)
	p.runDry(false)
}

// show prints rec as `twin udf run` does (nil: a hint).
func (p *testPanel) show(rec *engine.ExecutionRecord) {
	p.last = rec
	p.summary.SetText(recordSummary(rec))
	p.summary.Importance = widget.SuccessImportance
	if rec != nil && rec.Outcome != engine.OutcomeOK {
		p.summary.Importance = widget.DangerImportance
	}
	p.summary.Refresh()
	if rec == nil {
		p.result.SetText("Run the function on a message to see what it does: its calls, logs,\nwrites (before → after), notifications and errors. Nothing is applied.")
		return
	}
	var b strings.Builder
	_ = p.f.a.Engine().View(func(v *engine.View) error { app.WriteRecord(&b, v, rec, false); return nil })
	p.result.SetText(strings.TrimRight(b.String(), "\n"))
}

// recordSummary is rec in one line: its outcome and duration and what it
// did ("" for nil).
func recordSummary(rec *engine.ExecutionRecord) string {
	if rec == nil {
		return ""
	}
	if rec.Outcome != engine.OutcomeOK {
		s := rec.Outcome
		if rec.Line > 0 {
			s += fmt.Sprintf(" at line %d", rec.Line)
		}
		return s + ": " + app.RecordFailure(rec)
	}
	return fmt.Sprintf("%s in %s · %s · %s · %s", rec.Outcome, rec.Duration.Round(time.Microsecond),
		plural(len(rec.Writes), "write", "writes"), plural(len(rec.Notifications), "notification", "notifications"),
		plural(len(rec.Logs), "log line", "log lines"))
}

// recordLine is one execution record in the history list.
func recordLine(r *engine.ExecutionRecord) string {
	mark := "✓"
	if r.Outcome != engine.OutcomeOK {
		mark = "✗"
	}
	s := fmt.Sprintf("%s %s  %s  %s  %s", mark, r.Start.Local().Format("Jan 02 15:04:05.000"), r.SensorHW, r.Outcome, r.Duration.Round(time.Microsecond))
	if r.DryRun {
		s += "  (dry run)"
	}
	if r.Outcome != engine.OutcomeOK {
		s += "  " + app.RecordFailure(r)
	}
	return app.OneLine(s)
}
