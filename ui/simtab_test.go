package ui

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/twinstudio/twinstudio/app"
)

// openSimTab installs the smart office (its project and scenarios) and
// shows the studio's Simulation tab with week.yaml loaded.
func openSimTab(t *testing.T) (*Studio, *simTab) {
	t.Helper()
	test.NewTempApp(t)
	project, err := app.InstallSmartOffice(filepath.Join(t.TempDir(), "office"))
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.Open(project, app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s, _ := newStudioWindow(t, a)
	t.Cleanup(func() { s.Close() })
	s.showSimulation()
	st := s.simTab
	queuePosts(st)
	if filepath.Base(st.scen.path) != "week.yaml" || st.scen.sc == nil {
		t.Fatalf("the tab shows %q (%v), want week.yaml", st.scen.path, st.scen.problem.Text)
	}
	return s, st
}

// postQueue holds the redraws the tab's goroutines post, for the test's
// goroutine to run (Fyne's test driver would run them on the posting
// goroutine, racing with the test).
type postQueue struct {
	mu  sync.Mutex
	fns []func()
}

func (q *postQueue) add(fn func()) {
	q.mu.Lock()
	q.fns = append(q.fns, fn)
	q.mu.Unlock()
}

func (q *postQueue) take() []func() {
	q.mu.Lock()
	defer q.mu.Unlock()
	fns := q.fns
	q.fns = nil
	return fns
}

var postQueues sync.Map // *simTab → *postQueue

// queuePosts makes st post its redraws to a queue that settle runs.
func queuePosts(st *simTab) {
	q := &postQueue{}
	postQueues.Store(st, q)
	st.post = q.add
}

// settle waits until the tab's goroutines are done and runs their
// redraws. Comparisons of a day take seconds: it waits up to a minute.
func settle(t *testing.T, st *simTab) {
	t.Helper()
	v, _ := postQueues.Load(st)
	q := v.(*postQueue)
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("timed out waiting for the Simulation tab's work")
		}
		busy := st.busy.Load() != 0
		fns := q.take()
		for _, fn := range fns {
			fn()
		}
		if !busy && len(fns) == 0 && st.busy.Load() == 0 {
			return
		}
	}
}

// editYAML replaces the editor's text as the user would, calling OnChanged.
func editYAML(p *scenarioPanel, text string) {
	p.editor.SetText(text)
	p.editor.OnChanged(text)
}

// TestSimTabFormAndYAML: a form field edits its line of the YAML (keeping
// the rest), and an edit of the YAML fills the form.
func TestSimTabFormAndYAML(t *testing.T) {
	_, st := openSimTab(t)
	p := st.scen
	if p.duration.Text != "168h" || p.seed.Text != "42" || p.people.Text != "1" || p.step.Text != "1m" {
		t.Fatalf("form %q %q %q %q", p.duration.Text, p.seed.Text, p.people.Text, p.step.Text)
	}
	p.duration.SetText("2h")
	p.people.SetText("1.5")
	text := p.editor.Text()
	if !strings.Contains(text, "\nduration: 2h\n") || !strings.Contains(text, "scale:\n  people: 1.5\n") || !strings.Contains(text, "step: 1m        # physics step") {
		t.Errorf("the YAML after the form's edits:\n%s", text)
	}
	if p.sc == nil || p.sc.Duration != 2*time.Hour || p.sc.Scale.People != 1.5 {
		t.Fatalf("the scenario parsed: %+v", p.sc)
	}
	editYAML(p, strings.Replace(text, "seed: 42", "seed: 7", 1))
	if p.seed.Text != "7" || p.duration.Text != "2h" {
		t.Errorf("after editing the YAML the form shows seed %q duration %q", p.seed.Text, p.duration.Text)
	}
}

// TestSimTabYAMLError: an error marks its line in the gutter, shows under
// the editor and disables Play; fixing it enables Play again.
func TestSimTabYAMLError(t *testing.T) {
	_, st := openSimTab(t)
	p := st.scen
	good := p.editor.Text()
	lines := strings.Split(good, "\n")
	at := 0
	for i, l := range lines {
		if strings.HasPrefix(l, "step:") {
			lines[i], at = "step: soon", i+1
		}
	}
	editYAML(p, strings.Join(lines, "\n"))
	if m := p.editor.Markers(markerError); len(m) != 1 || m[0] != at {
		t.Errorf("error markers %v, want line %d", m, at)
	}
	if !p.problem.Visible() || !strings.Contains(p.problem.Text, "step") || !st.ctl.play.Disabled() || st.what.run.Visible() && !st.what.run.Disabled() {
		t.Errorf("problem %q (shown %v), play disabled %v", p.problem.Text, p.problem.Visible(), st.ctl.play.Disabled())
	}
	editYAML(p, "name: x\n  bad: [\n")
	if m := p.editor.Markers(markerError); len(m) != 1 {
		t.Errorf("a syntax error marks %v", m)
	}
	editYAML(p, good)
	if len(p.editor.Markers(markerError)) != 0 || p.problem.Visible() || st.ctl.play.Disabled() {
		t.Error("the fixed YAML still shows its error")
	}
}

// TestSimTabPlayPauseStep: Play starts the run the toolbar shows too,
// Pause holds its clock, Step moves it by one step; at full speed it
// finishes and is kept in the run list, which opens it again.
func TestSimTabPlayPauseStep(t *testing.T) {
	s, st := openSimTab(t)
	st.scen.duration.SetText("3h")
	st.ctl.speed.SetSelected("60×")
	test.Tap(st.ctl.play)
	run := st.sim.current()
	if run == nil {
		t.Fatalf("no run: %v", s.lastErr)
	}
	if s.tools.simBtn.Text != "Stop simulation" {
		t.Errorf("the toolbar's button says %q", s.tools.simBtn.Text)
	}
	waitFor(t, "the clock to move", func() bool { return run.Clock().After(st.scen.sc.Start) })
	test.Tap(st.ctl.pause)
	settle(t, st)
	if !run.Paused() || !st.ctl.pause.Disabled() || st.ctl.play.Text != "Resume" || !strings.Contains(st.ctl.clock.Text, "paused") {
		t.Fatalf("after Pause: paused %v, clock %q, play %q", run.Paused(), st.ctl.clock.Text, st.ctl.play.Text)
	}
	c0 := run.Clock()
	test.Tap(st.ctl.step)
	settle(t, st)
	if got := run.Clock(); !got.Equal(c0.Add(time.Minute)) {
		t.Errorf("Step moved the clock from %v to %v, want one minute", c0, got)
	}
	if want := run.Clock().Format("15:04"); !strings.Contains(st.ctl.clock.Text, want) {
		t.Errorf("the clock shows %q, want %s", st.ctl.clock.Text, want)
	}
	st.ctl.speed.SetSelected("As fast as possible")
	test.Tap(st.ctl.play)
	settle(t, st)
	select {
	case <-run.Done():
	case <-time.After(30 * time.Second):
		t.Fatal("the run did not finish")
	}
	s.tick() // the poller sees the end
	settle(t, st)
	if st.sim.current() != nil || !strings.HasPrefix(st.ctl.clock.Text, "Finished ") || !strings.HasSuffix(st.ctl.clock.Text, " · kept in Runs") {
		t.Errorf("after the end: clock %q", st.ctl.clock.Text)
	}
	r := st.runs
	if len(r.infos) != 1 || r.infos[0].Compare || r.infos[0].Duration != 3*time.Hour {
		t.Fatalf("runs %+v", r.infos)
	}
	r.list.Select(0)
	test.Tap(r.open)
	settle(t, st)
	if len(r.result.rows) == 0 || r.result.compare || len(r.result.figs) == 0 || r.result.image.Image == nil {
		t.Errorf("the opened run shows %d rows, %d charts", len(r.result.rows), len(r.result.figs))
	}
}

// TestSimTabCompare: a what-if against a variant fills the KPI table with
// base, variant, delta and ✓ on the better side, draws the overlay charts,
// is kept in the run list, and exports as the folder of `twin simulate
// --compare --out`; deleting removes it.
func TestSimTabCompare(t *testing.T) {
	s, st := openSimTab(t)
	st.scen.duration.SetText("2h")
	st.scen.seed.SetText("3")
	editYAML(st.scen, strings.Replace(st.scen.editor.Text(), "start: 2026-03-02T00:00:00Z", "start: 2026-03-02T08:00:00Z", 1))
	c := st.what
	c.pick.SetSelected("variant half-ventilation")
	if c.run.Disabled() {
		t.Fatal("Run comparison is disabled")
	}
	test.Tap(c.run)
	settle(t, st)
	if s.lastErr != nil {
		t.Fatal(s.lastErr)
	}
	v := c.result
	if !v.compare || len(v.rows) == 0 {
		t.Fatalf("the table has %d rows", len(v.rows))
	}
	marks := 0
	for row := range v.rows {
		for col := 1; col <= 2; col++ {
			if text, better := v.cell(row, col); better && strings.HasSuffix(text, " ✓") {
				marks++
			}
		}
		if d, _ := v.cell(row, 3); d == "" && v.rows[row].Base != "" && v.rows[row].Variant != "" {
			t.Errorf("row %d without delta", row)
		}
	}
	if marks == 0 {
		t.Error("no better side marked")
	}
	if h := v.header(2); h != "Variant" {
		t.Errorf("header %q", h)
	}
	if len(v.figs) == 0 || v.image.Image == nil {
		t.Fatal("no chart drawn")
	}
	r := st.runs
	if len(r.infos) != 1 || !r.infos[0].Compare || r.infos[0].Seed != 3 {
		t.Fatalf("runs %+v", r.infos)
	}
	r.list.Select(0)
	dir := filepath.Join(t.TempDir(), "export")
	r.exportTo(r.infos[0], dir)
	settle(t, st)
	for _, f := range []string{"kpis.csv", "summary.txt", "series.csv", "series_variant.csv", "spaces.csv", "spaces_variant.csv"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("export: %v", err)
		}
	}
	r.deleteRun(r.infos[0])
	if len(r.infos) != 0 || len(st.a.Runs()) != 0 {
		t.Errorf("after delete: %d runs", len(r.infos))
	}
}

// TestSimTabShowsToolbarRun: a run the toolbar starts shows in the tab,
// and the toolbar stops it while the tab has it paused; a stopped run is
// not kept.
func TestSimTabShowsToolbarRun(t *testing.T) {
	s, st := openSimTab(t)
	s.sim.setScenario(st.scen.path) // as main does with the installed example's
	s.tools.refresh()
	test.Tap(s.tools.simBtn)
	run := st.sim.current()
	if run == nil {
		t.Fatalf("the toolbar started nothing: %v", s.lastErr)
	}
	s.tick()
	if st.ctl.clock.Text == "Not running" || st.ctl.stop.Disabled() || !st.ctl.play.Disabled() {
		t.Errorf("the tab shows %q", st.ctl.clock.Text)
	}
	test.Tap(st.ctl.pause)
	settle(t, st)
	s.tick()
	if !strings.Contains(s.status.sim.Text, "paused") {
		t.Errorf("the status bar shows %q", s.status.sim.Text)
	}
	test.Tap(s.tools.simBtn) // Stop simulation
	select {
	case <-run.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("a paused run did not stop")
	}
	s.tick()
	settle(t, st)
	if !run.Stopped() || st.ctl.clock.Text != "Not running" || len(st.a.Runs()) != 0 {
		t.Errorf("after stop: %q, %d runs kept", st.ctl.clock.Text, len(st.a.Runs()))
	}
}

// TestSimulationTabIsNarrow: the tab shares the window with the tree and
// the inspector.
func TestSimulationTabIsNarrow(t *testing.T) {
	s, st := openSimTab(t)
	for i := range []int{simRunTab, simWhatIfTab, simRunsTab} {
		st.tabs.SelectIndex(i)
		if w := st.content.MinSize().Width; w > 560 {
			t.Errorf("the Simulation tab (%d) needs %.0f pixels of width", i, w)
		}
	}
	if w := s.tabs.MinSize().Width; w > 560 {
		t.Errorf("the main tabs need %.0f pixels", w)
	}
}
