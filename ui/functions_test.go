package ui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/twinstudio/twinstudio/app"
	"github.com/twinstudio/twinstudio/engine"
)

// openFunctions opens the quickstart in a studio window on the Functions
// tab, with its UDF "Motion Processor" in the editor.
func openFunctions(t *testing.T) (*Studio, fyne.Window, *functions) {
	t.Helper()
	test.NewTempApp(t)
	a := mustOpenExample(t, "quickstart", "quickstart")
	s, w := newStudioWindow(t, a)
	t.Cleanup(func() { s.Close() })
	s.showFunctions()
	f := s.fns
	pickItem(t, f, "ƒ Motion Processor")
	if f.name != "Motion Processor" || f.editor.Text() != f.saved || !strings.Contains(f.saved, "function process(") {
		t.Fatalf("the editor shows %q (%d bytes)", f.name, len(f.editor.Text()))
	}
	return s, w, f
}

// pickItem taps the Functions list's row named name.
func pickItem(t *testing.T, f *functions, name string) {
	t.Helper()
	var have []string
	for i, it := range f.items {
		n, _ := it.texts()
		if n == name {
			f.list.Select(i)
			return
		}
		have = append(have, n)
	}
	t.Fatalf("no row %q in the Functions list; have %q", name, have)
}

// typeAt types text into the editor at line:col as a user would, a
// Return key for each newline.
func typeAt(w fyne.Window, e *codeEditor, line, col int, text string) {
	w.Canvas().Focus(e)
	e.SetCursor(line, col)
	for i, part := range strings.Split(text, "\n") {
		if i > 0 {
			e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
		}
		test.Type(e, part)
	}
}

// udfScript is the saved script of the quickstart's UDF.
func udfScript(t *testing.T, a *app.App, id engine.ID) string {
	t.Helper()
	var script string
	_ = a.Engine().View(func(v *engine.View) error {
		u, _ := v.UDF(id)
		script = u.Script
		return nil
	})
	return script
}

func TestFunctionsListScope(t *testing.T) {
	s, _, f := openFunctions(t)
	if !strings.Contains(f.scope.Text, "1 function and 2 matchers of all spaces") {
		t.Errorf("scope line %q", f.scope.Text)
	}
	_, detail := f.items[0].texts()
	if !strings.HasPrefix(detail, "enabled · never ran") {
		t.Errorf("the UDF's row says %q", detail)
	}
	// The UDF and its matchers are in Focus Room A1: the floor above does
	// not see them, the room and its device do.
	for _, c := range []struct{ node, want string }{
		{"Floor 1 · Floor", "0 functions and 0 matchers of /Quickstart Building/Floor 1 and the spaces above it"},
		{"Focus Room A1 · Room/FocusRoom", "1 function and 2 matchers of /Quickstart Building/Floor 1/Focus Room A1 and the spaces above it"},
	} {
		s.selectNode(mustFind(t, s.model, c.node))
		if f.scope.Text != c.want {
			t.Errorf("%s: scope line %q, want %q", c.node, f.scope.Text, c.want)
		}
	}
}

func TestFunctionsSaveShowsCompileErrorThenSaves(t *testing.T) {
	s, w, f := openFunctions(t)
	before := f.saved
	motion := mustSensor(t, s.app, "SAMPLE_SENSOR_MOTION").ID
	rec, err := s.app.DryRun(f.udf, motion, `{"SensorValue":"true"}`, true)
	if err != nil || len(rec.Trace) == 0 {
		t.Fatalf("a traced run: %v, %d steps", err, len(rec.Trace))
	}
	firstLine := rec.Trace[0].Line
	typeAt(w, f.editor, 1, 1, "var broken = ;\n")
	if !strings.HasSuffix(f.title.Text, "•") || !strings.HasPrefix(f.state.Text, "unsaved changes") {
		t.Errorf("after typing the header says %q / %q", f.title.Text, f.state.Text)
	}
	test.Tap(f.save)
	if s.lastErr == nil || !strings.Contains(f.problem.Text, "Line 1, column 14") || !strings.Contains(f.problem.Text, "SyntaxError") {
		t.Fatalf("saving a broken script: err %v, problem line %q", s.lastErr, f.problem.Text)
	}
	if got := f.editor.Markers(markerError); len(got) != 1 || got[0] != 1 {
		t.Errorf("error markers %v, want [1]", got)
	}
	if udfScript(t, s.app, f.udf) != before {
		t.Fatal("a script that does not compile was saved")
	}

	// Fix it: the line becomes a valid statement.
	f.editor.SetCursor(1, 14)
	test.Type(f.editor, "1")
	f.editor.OnSave() // Ctrl+S
	if s.lastErr != nil || f.problem.Text != "" || len(f.editor.Markers(markerError)) != 0 {
		t.Fatalf("saving the fixed script: err %v, problem %q, markers %v", s.lastErr, f.problem.Text, f.editor.Markers(markerError))
	}
	want := "var broken = 1;\n" + before
	if got := udfScript(t, s.app, f.udf); got != want {
		t.Fatalf("saved script starts %q", got[:40])
	}
	if strings.HasSuffix(f.title.Text, "•") {
		t.Errorf("the title still marks unsaved changes: %q", f.title.Text)
	}
	// The saved version runs for the next message: its lines moved by one.
	rec, err = s.app.DryRun(f.udf, motion, `{"SensorValue":"true"}`, true)
	if err != nil || len(rec.Trace) == 0 || rec.Trace[0].Line != firstLine+1 {
		t.Fatalf("the next run does not start on line %d: %v %+v", firstLine+1, err, rec.Trace[:min(len(rec.Trace), 1)])
	}
}

// newCO2Alert makes "CO2 Alert" from the threshold template, as a user
// would with New function…, and a new matcher "CO2 sensors" selecting
// CarbonDioxide sensors, ticked in the binding but not yet applied.
func newCO2Alert(t *testing.T, f *functions) {
	t.Helper()
	tpl := -1
	for i, x := range app.UDFTemplates() {
		if x.Name == "threshold" {
			tpl = i
		}
	}
	if err := f.create("CO2 Alert", tpl, true); err != nil {
		t.Fatal(err)
	}
	if f.name != "CO2 Alert" || !strings.Contains(f.editor.Text(), "sendNotification") {
		t.Fatalf("the new UDF is not in the editor: %q", f.name)
	}
	p := f.matchers
	p.edit(engine.NilID)
	p.name.SetText("CO2 sensors")
	p.conds[0].value.SetText(`"CarbonDioxide"`)
	if err := p.saveMatcher(); err != nil {
		t.Fatal(err)
	}
	p.binding.SetSelected([]string{"CO2 sensors"})
}

func TestFunctionsBindMatcherAndEvaluate(t *testing.T) {
	s, _, f := openFunctions(t)
	newCO2Alert(t, f)
	p := f.matchers
	test.Tap(p.bind)
	if s.lastErr != nil {
		t.Fatal(s.lastErr)
	}
	var bound []string
	_ = s.app.Engine().View(func(v *engine.View) error {
		u, _ := v.UDF(f.udf)
		for _, id := range u.MatcherIDs {
			m, _ := v.Matcher(id)
			bound = append(bound, m.Name)
		}
		return nil
	})
	if len(bound) != 1 || bound[0] != "CO2 sensors" {
		t.Fatalf("CO2 Alert is bound to %q", bound)
	}
	// The test panel now offers the matched sensor first.
	if got := f.test.sensor.Selected; !strings.HasPrefix(got, "SAMPLE_SENSOR_CARBONDIOXIDE") || !strings.HasSuffix(got, "matched") {
		t.Errorf("the test panel offers %q first", got)
	}

	for _, c := range []struct{ sensor, want string }{
		{"SAMPLE_SENSOR_CARBONDIOXIDE", "✓ 1. Sensor $.dataType selects [\"CarbonDioxide\"]; Equals \"CarbonDioxide\": true\nThe matcher matches"},
		{"SAMPLE_SENSOR_MOTION", "✗ 1. Sensor $.dataType selects [\"Motion\"]; Equals \"CarbonDioxide\": false\nThe matcher does not match"},
	} {
		for i, o := range p.sensor.Options {
			if strings.HasPrefix(o, c.sensor) {
				p.sensor.SetSelectedIndex(i)
			}
		}
		if err := p.evaluate(); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(p.evalText.Text, c.want) {
			t.Errorf("against %s the panel says\n%s\nwant it to start\n%s", c.sensor, p.evalText.Text, c.want)
		}
	}

	// A bad condition is refused with its field, and nothing changes.
	p.conds[0].path.SetText("$[")
	if err := p.saveMatcher(); err == nil || !strings.Contains(err.Error(), "condition 1") {
		t.Errorf("a bad JSONPath saved, or its error does not name the condition: %v", err)
	}
}

func TestFunctionsDryRunRecordedMessage(t *testing.T) {
	s, _, f := openFunctions(t)
	a := s.app
	for _, m := range []struct{ hw, payload string }{
		{"SAMPLE_SENSOR_CARBONDIOXIDE", `{"SensorValue":"612"}`},
		{"SAMPLE_SENSOR_MOTION", `{"SensorValue":"true"}`},
		{"SAMPLE_SENSOR_MOTION", `{"SensorValue":"false"}`},
	} {
		if _, err := a.Pipeline().Submit(&engine.IngressMessage{Topic: engine.SensorTopic("1234567890AB", m.hw),
			Payload: []byte(m.payload), QoS: 1, Username: "1234567890AB", Received: time.Now()}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(5 * time.Millisecond) // distinct record times
	}
	waitFor(t, "three records", func() bool { return len(a.UDFRecords(f.udf)) == 3 })
	f.reload()

	p := f.test
	for i, o := range p.sensor.Options {
		if strings.HasPrefix(o, "SAMPLE_SENSOR_MOTION") {
			p.sensor.SetSelectedIndex(i)
		}
	}
	if len(p.recorded.Options) != 2 || !strings.HasSuffix(p.recorded.Options[1], `{"SensorValue":"true"}`) {
		t.Fatalf("recorded messages offered: %q", p.recorded.Options)
	}
	p.recorded.SetSelectedIndex(1) // the older one: motion true
	if p.message.Text != `{"SensorValue":"true"}` {
		t.Fatalf("picking a recorded message fills in %q", p.message.Text)
	}
	test.Tap(p.run)
	if s.lastErr != nil {
		t.Fatal(s.lastErr)
	}
	out := strings.Join(strings.Fields(p.result.Text), " ") // columns aligned with spaces
	for _, want := range []string{
		"outcome: Succeeded (dry run: nothing applied)",
		"getSensorMetadata(",
		`Sensor SAMPLE_SENSOR_MOTION Motion: "false" → "true"`,
		`AvailableAndFresh: "Room is available and air is fresh" → "Room is not available or air quality is poor"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the record shown lacks %q:\n%s", want, out)
		}
	}
	if got := p.summary.Text; !strings.HasPrefix(got, "Succeeded in ") || !strings.HasSuffix(got, " · 2 writes · 1 notification · 2 log lines") {
		t.Errorf("the summary line says %q", got)
	}
	// Nothing was applied.
	var motion string
	_ = a.Engine().View(func(v *engine.View) error {
		val, _ := v.SensorValue(mustSensor(t, a, "SAMPLE_SENSOR_MOTION").ID)
		motion = val.Value
		return nil
	})
	if motion != "false" {
		t.Errorf("a dry run changed the sensor's value to %q", motion)
	}

	// The history lists the dry run on top; a tap opens the oldest record and replays it.
	h := f.history
	h.refresh()
	if len(h.recs) != 4 || !h.recs[0].DryRun || !strings.Contains(recordLine(h.recs[0]), "(dry run)") {
		t.Fatalf("history: %d records, newest %q", len(h.recs), recordLine(h.recs[0]))
	}
	h.list.Select(3)
	if p.message.Text != `{"SensorValue":"612"}` || !strings.HasPrefix(p.sensor.Selected, "SAMPLE_SENSOR_CARBONDIOXIDE") {
		t.Errorf("opening the oldest record shows %s %s", p.sensor.Selected, p.message.Text)
	}
	if f.panels.SelectedIndex() != panelTest || p.last == nil || p.last.Message != `{"SensorValue":"612"}` || !p.last.DryRun {
		t.Errorf("the record's message was not run again on the test panel: %+v", p.last)
	}
}

func TestFunctionsFailureMarksLine(t *testing.T) {
	s, w, f := openFunctions(t)
	w.Canvas().Focus(f.editor)
	f.editor.SetText("function process(t, c) {\n  var x = null;\n  return x.field;\n}\n")
	test.Tap(f.save)
	if s.lastErr != nil {
		t.Fatal(s.lastErr)
	}
	test.Tap(f.test.run)
	if got := f.editor.Markers(markerError); len(got) != 1 || got[0] != 3 {
		t.Errorf("error markers after a failing run: %v, want [3]", got)
	}
	if !strings.Contains(f.problem.Text, "Line 3") || !strings.Contains(f.problem.Text, "TypeError") {
		t.Errorf("the problem line says %q", f.problem.Text)
	}
	if got := f.test.summary.Text; !strings.HasPrefix(got, "Failed at line 3: TypeError") {
		t.Errorf("the summary line says %q", got)
	}
	h := f.history
	h.failed.SetChecked(true)
	if len(h.recs) != 1 || h.recs[0].Outcome != engine.OutcomeFailed {
		t.Errorf("failures only lists %d records", len(h.recs))
	}
}

func TestFunctionsStepThrough(t *testing.T) {
	s, w, f := openFunctions(t)
	script := "function process(telemetry, executionContext) {\n" +
		"  var total = 0;\n" +
		"  for (var i = 1; i <= 3; i++) {\n" +
		"    total += i;\n" +
		"  }\n" +
		"  log(\"total \" + total);\n" +
		"}\n"
	w.Canvas().Focus(f.editor)
	f.editor.SetText(script)
	test.Tap(f.save)
	if s.lastErr != nil {
		t.Fatal(s.lastErr)
	}
	test.Tap(f.test.trace)
	if s.lastErr != nil {
		t.Fatal(s.lastErr)
	}
	p := f.step
	if f.panels.SelectedIndex() != panelStep || p.st == nil {
		t.Fatal("Step through did not open the step-through")
	}
	local := func(name string) (string, bool) {
		for _, r := range p.locals {
			if r.Name == name {
				return r.Value, r.Changed
			}
		}
		return "", false
	}
	forward := p.buttons[2]
	back := p.buttons[1]
	if !strings.HasPrefix(p.status.Text, "Step 1 of ") || f.editor.CurrentLine() != 2 {
		t.Fatalf("first step: %q, line %d", p.status.Text, f.editor.CurrentLine())
	}
	if _, ok := local("telemetry"); !ok {
		t.Errorf("the first step does not show telemetry: %+v", p.locals)
	}
	// Step until total is 3 (after i = 1 and i = 2).
	for n := 0; n < 20; n++ {
		if v, _ := local("total"); v == "3" {
			break
		}
		test.Tap(forward)
	}
	if v, changed := local("total"); v != "3" || !changed {
		t.Fatalf("stepping forward never showed total = 3 as just changed: %+v (%s)", p.locals, p.status.Text)
	}
	at := p.status.Text
	test.Tap(forward)
	test.Tap(back)
	if p.status.Text != at {
		t.Errorf("forward then back: %q, want %q", p.status.Text, at)
	}
	if v, _ := local("total"); v != "3" {
		t.Errorf("back shows total = %q", v)
	}

	// A breakpoint on the log line, set from the gutter: continue stops there.
	f.editor.OnGutterTapped(6)
	if got := f.editor.Markers(markerBreakpoint); len(got) != 1 || got[0] != 6 {
		t.Errorf("breakpoint markers %v", got)
	}
	test.Tap(p.buttons[0]) // first
	test.Tap(p.buttons[len(p.buttons)-1])
	if f.editor.CurrentLine() != 6 {
		t.Errorf("continue stopped on line %d, want the breakpoint's 6", f.editor.CurrentLine())
	}
	if v, _ := local("total"); v != "6" {
		t.Errorf("at the log line total = %q", v)
	}
	// Run to the cursor's line goes back to the loop body from the start.
	test.Tap(p.buttons[0])
	f.editor.SetCursor(4, 1)
	test.Tap(p.buttons[4])
	if f.editor.CurrentLine() != 4 {
		t.Errorf("run to cursor stopped on line %d", f.editor.CurrentLine())
	}
	// Editing the script says the trace no longer lines up.
	typeAt(w, f.editor, 7, 2, "\n")
	if !p.note.Visible() || !strings.Contains(p.note.Text, "script changed") {
		t.Errorf("after an edit the note says %q", p.note.Text)
	}
}

func TestFunctionsStepThroughLongLoopIsCut(t *testing.T) {
	s, w, f := openFunctions(t)
	w.Canvas().Focus(f.editor)
	f.editor.SetText("function process(t, c) {\n  var n = 0;\n  for (var i = 0; i < 20000; i++) { n++; }\n}\n")
	test.Tap(f.save)
	test.Tap(f.test.trace)
	if s.lastErr != nil {
		t.Fatal(s.lastErr)
	}
	p := f.step
	if p.st.Len() != 10000 || !p.note.Visible() || !strings.Contains(p.note.Text, "cut after 10000 steps") {
		t.Errorf("a 20,000-turn loop: %d steps, note %q", p.st.Len(), p.note.Text)
	}
	test.Tap(p.buttons[3]) // last
	if !strings.HasPrefix(p.status.Text, "Step 10000 of 10000") {
		t.Errorf("last step: %q", p.status.Text)
	}
}

func TestFunctionsRestoreVersion(t *testing.T) {
	s, w, f := openFunctions(t)
	first := f.saved
	typeAt(w, f.editor, 1, 1, "// version two\n")
	test.Tap(f.save)
	typeAt(w, f.editor, 1, 1, "// version three\n")
	test.Tap(f.save)
	if s.lastErr != nil {
		t.Fatal(s.lastErr)
	}
	f.panels.SelectIndex(panelVersions)
	v := f.versions
	if len(v.vers) != 3 || !v.vers[0].Current {
		t.Fatalf("versions: %+v", v.vers)
	}
	v.list.Select(2) // the provisioned script
	if !strings.Contains(v.diff.Text(), "+// version three") || !strings.Contains(v.diff.Text(), "+// version two") {
		t.Errorf("the diff against the current script:\n%s", v.diff.Text())
	}
	test.Tap(v.restore)
	if msg := dialogText(t, w); !strings.Contains(msg, "Make version 1 the current script of Motion Processor?") {
		t.Errorf("the confirmation says %q", msg)
	}
	tapButton(t, overlay(t, w), "Yes")
	if s.lastErr != nil {
		t.Fatal(s.lastErr)
	}
	if got := udfScript(t, s.app, f.udf); got != first || f.editor.Text() != first {
		t.Fatalf("after restoring, the script starts %q", got[:30])
	}
	if len(v.vers) != 4 {
		t.Errorf("restoring kept %d versions, want 4 (the replaced one kept)", len(v.vers))
	}
}

func TestFunctionsLiveState(t *testing.T) {
	s, _, f := openFunctions(t)
	if !strings.Contains(f.state.Text, "never ran") {
		t.Fatalf("header %q", f.state.Text)
	}
	f.panels.SelectIndex(panelHistory)
	a := s.app
	if _, err := a.Pipeline().Submit(&engine.IngressMessage{Topic: engine.SensorTopic("1234567890AB", "SAMPLE_SENSOR_MOTION"),
		Payload: []byte(`{"SensorValue":"true"}`), QoS: 1, Username: "1234567890AB", Received: time.Now()}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the record", func() bool { return len(a.UDFRecords(f.udf)) == 1 })
	f.lastLive = time.Time{}
	s.tick() // the studio's poll, while the Functions tab shows
	if !strings.Contains(f.state.Text, "last run succeeded") {
		t.Errorf("after a message the header says %q", f.state.Text)
	}
	if _, detail := f.items[0].texts(); !strings.Contains(detail, "last run succeeded") {
		t.Errorf("after a message the list says %q", detail)
	}
	if len(f.history.recs) != 1 {
		t.Errorf("the history shows %d records", len(f.history.recs))
	}
}

// TestFunctionsTabIsNarrow: the tabs share the window with the tree and
// the inspector, and a tab as wide as its widest row would squeeze the
// inspector on every tab (a 1280-pixel window leaves the tabs about 580).
func TestFunctionsTabIsNarrow(t *testing.T) {
	s, _, f := openFunctions(t)
	f.test.runDry(true) // a record, a trace and the versions filled in
	f.versions.list.Select(0)
	for name, o := range map[string]fyne.CanvasObject{"the Functions tab": f.content, "the main tabs": s.tabs} {
		if w := o.MinSize().Width; w > 560 {
			t.Errorf("%s need %.0f pixels of width", name, w)
		}
	}
}
