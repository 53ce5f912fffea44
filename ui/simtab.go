package ui

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/twinstudio/twinstudio/app"
	"github.com/twinstudio/twinstudio/engine"
)

// simTab is the Simulation tab: the scenario (a picker, a form of its
// common fields and its YAML), the run's controls (play, pause, step,
// speed, clock, progress), the what-if comparison and the list of
// finished runs kept in the project. Each part is its own small struct
// over package app; the run itself is the studio's simControl, which the
// toolbar's button shares.
//
// All its methods run on Fyne's goroutine; long work (comparisons,
// saving, exporting, drawing charts, pausing) runs on goroutines of its
// own and comes back through fyne.Do.
type simTab struct {
	sh  *shell
	a   *app.App
	sim *simControl

	scen *scenarioPanel
	ctl  *runPanel
	what *comparePanel
	runs *runsPanel
	tabs *container.AppTabs

	busy atomic.Int32 // goroutines of the tab still at work (tests wait for 0)
	// post hands a redraw from a goroutine to Fyne's: fyne.Do (tests
	// queue them and run them on the test's goroutine).
	post func(func())

	content fyne.CanvasObject
}

// Indexes of the Simulation tab's own tabs.
const (
	simRunTab = iota
	simWhatIfTab
	simRunsTab
)

func newSimTab(sh *shell, a *app.App, sim *simControl) *simTab {
	t := &simTab{sh: sh, a: a, sim: sim, post: fyne.Do}
	t.scen = newScenarioPanel(t)
	t.ctl = newRunPanel(t)
	t.what = newComparePanel(t)
	t.runs = newRunsPanel(t)
	run := container.NewBorder(container.NewVBox(t.scen.head, t.ctl.content, widget.NewSeparator()),
		t.scen.problem, nil, nil, t.scen.editor)
	t.tabs = container.NewAppTabs(
		container.NewTabItem("Run", run),
		container.NewTabItem("What-if", t.what.content),
		container.NewTabItem("Runs", t.runs.content),
	)
	t.tabs.OnSelected = func(*container.TabItem) {
		if t.tabs.SelectedIndex() == simRunsTab {
			t.runs.reload()
		}
	}
	t.content = t.tabs
	sim.onChanged = t.refresh
	sim.onFinished = t.keep
	t.scen.loadDefault()
	return t
}

// work runs fn on a goroutine of its own, counted in busy; then, on Fyne's
// goroutine, done (if not nil).
func (t *simTab) work(fn func(), done func()) {
	t.busy.Add(1)
	go func() {
		defer t.busy.Add(-1)
		fn()
		if done != nil {
			t.post(done)
		}
	}()
}

// refresh redraws what follows the run: the controls, clock and progress.
func (t *simTab) refresh() { t.ctl.refresh() }

// keep saves a run that ended by itself into the project's run list.
func (t *simTab) keep(run *app.SimRun) {
	rep := run.Report()
	var err error
	t.work(func() { _, err = t.a.SaveRun("", rep) }, func() {
		t.sh.act(err)
		t.runs.reload()
	})
}

// speeds are the speed selector's choices.
var speeds = []struct {
	label string
	speed float64
}{{"1×", 1}, {"10×", 10}, {"60×", 60}, {"600×", 600}, {"3600×", 3600}, {"As fast as possible", 0}}

// speedText is how a speed shows: ×60, or "max speed" for 0.
func speedText(speed float64) string {
	if speed == 0 {
		return "max speed"
	}
	return fmt.Sprintf("×%g", speed)
}

// scenarioPanel is the scenario being edited: a picker of the project's
// scenario files and recent ones, a form of the common fields and the
// YAML editor holding all of it. Editing either updates the other; a YAML
// error shows under the editor with its line marked.
type scenarioPanel struct {
	t       *simTab
	path    string        // the file the text came from ("": none)
	sc      *app.Scenario // the text parsed; nil while it has an error
	files   []string      // the picker's files
	syncing bool

	pick                                      *widget.Select
	duration, step, seed, people, ventilation *widget.Entry
	editor                                    *codeEditor
	problem                                   *widget.Label
	head                                      fyne.CanvasObject
}

// recentScenariosKey is the preference of the recent scenario files.
const recentScenariosKey = "recentScenarios"

func newScenarioPanel(t *simTab) *scenarioPanel {
	p := &scenarioPanel{t: t}
	p.pick = widget.NewSelect(nil, func(s string) {
		if i := indexOf(p.pick.Options, s); i >= 0 && p.files[i] != p.path {
			p.load(p.files[i])
		}
	})
	p.pick.PlaceHolder = "Choose a scenario"
	open := widget.NewButtonWithIcon("", theme.FolderOpenIcon(), p.choose)
	p.editor = newCodeEditorLang("yaml")
	p.editor.OnChanged = func(string) { p.parse(true) }
	p.problem = widget.NewLabel("")
	p.problem.Importance = widget.DangerImportance
	p.problem.Wrapping = fyne.TextWrapWord
	p.problem.Hide()
	field := func(path, hint string) *widget.Entry {
		e := widget.NewEntry()
		e.SetPlaceHolder(hint)
		e.OnChanged = func(v string) { p.formEdited(path, v) }
		return e
	}
	p.duration, p.step, p.seed = field("duration", "24h"), field("step", "1m"), field("seed", "1")
	p.people, p.ventilation = field("scale.people", "1"), field("scale.ventilation", "1")
	form := container.NewGridWithColumns(2,
		container.New(layout.NewFormLayout(), widget.NewLabel("Duration"), p.duration, widget.NewLabel("Step"), p.step,
			widget.NewLabel("Seed"), p.seed),
		container.New(layout.NewFormLayout(), widget.NewLabel("People ×"), p.people, widget.NewLabel("Ventilation ×"), p.ventilation))
	p.head = container.NewVBox(container.NewBorder(nil, nil, widget.NewLabel("Scenario"), open, p.pick), form)
	return p
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

// projectScenarios are the scenario files in the project's folder: its
// .yaml files but provision files.
func projectScenarios(project string) []string {
	entries, _ := os.ReadDir(filepath.Dir(absPath(project)))
	var out []string
	for _, e := range entries {
		n := e.Name()
		if e.Type().IsRegular() && (strings.HasSuffix(n, ".yaml") || strings.HasSuffix(n, ".yml")) && !strings.HasPrefix(n, "provision") {
			out = append(out, filepath.Join(filepath.Dir(absPath(project)), n))
		}
	}
	sort.Strings(out)
	return out
}

// listFiles fills the picker: the project's scenarios, then recent ones.
func (p *scenarioPanel) listFiles() {
	p.files = projectScenarios(p.t.a.Path())
	for _, f := range append(recentPaths(recentScenariosKey), p.path) {
		if f != "" && indexOf(p.files, f) < 0 {
			p.files = append(p.files, f)
		}
	}
	opts := make([]string, len(p.files))
	for i, f := range p.files {
		opts[i] = filepath.Base(f)
		if filepath.Dir(f) != filepath.Dir(absPath(p.t.a.Path())) {
			opts[i] += " (" + filepath.Dir(f) + ")"
		}
	}
	p.pick.Options = opts
	if i := indexOf(p.files, p.path); i >= 0 {
		p.pick.Selected = opts[i]
	}
	p.pick.Refresh()
}

// loadDefault shows the toolbar's scenario, else the project's week.yaml,
// else its first scenario.
func (p *scenarioPanel) loadDefault() {
	p.listFiles()
	path := p.t.sim.scenario
	if path == "" && len(p.files) > 0 {
		path = p.files[0]
		for _, f := range p.files {
			if filepath.Base(f) == app.SmartOfficeScenario {
				path = f
			}
		}
	}
	if path != "" {
		p.load(path)
	}
}

// choose asks for a scenario file.
func (p *scenarioPanel) choose() {
	chooseFile(p.t.sh.win, p.t.a.Path(), "Choose a scenario", []string{".yaml", ".yml"}, p.t.sh.fail, func(path string) {
		rememberPath(recentScenariosKey, path, recentSize)
		p.load(path)
	})
}

// load shows scenario file path.
func (p *scenarioPanel) load(path string) {
	data, err := os.ReadFile(path)
	if err != nil {
		p.t.sh.fail(err)
		return
	}
	p.path = absPath(path)
	p.listFiles()
	p.editor.SetText(string(data))
	p.parse(true)
}

// name is the scenario's name for ParseScenario: its file, or a file in
// the project's folder (where "extends" is looked up).
func (p *scenarioPanel) name() string {
	if p.path != "" {
		return p.path
	}
	return filepath.Join(filepath.Dir(absPath(p.t.a.Path())), "scenario.yaml")
}

// parse reads the editor's text; fill puts its values into the form.
func (p *scenarioPanel) parse(fill bool) {
	p.editor.ClearMarkers(markerError)
	sc, err := app.ParseScenario(p.name(), []byte(p.editor.Text()))
	if err != nil {
		p.sc = nil
		p.problem.SetText(errorText(err))
		p.problem.Show()
		if pe, ok := posError(err); ok && pe.Pos.Line > 0 && (pe.Pos.File == "" || pe.Pos.File == p.name()) {
			p.editor.SetMarker(pe.Pos.Line, markerError)
		}
	} else {
		p.sc = sc
		p.problem.Hide()
		if fill {
			p.fill(sc)
		}
	}
	p.editor.Refresh()
	p.t.ctl.refresh()
	p.t.what.scenarioChanged()
}

// fill sets the form from sc, without writing back into the YAML.
func (p *scenarioPanel) fill(sc *app.Scenario) {
	p.syncing = true
	defer func() { p.syncing = false }()
	p.duration.SetText(shortDuration(sc.Duration))
	p.step.SetText(shortDuration(sc.Step))
	p.seed.SetText(fmt.Sprint(sc.Seed))
	p.people.SetText(shortFloat(sc.Scale.People))
	p.ventilation.SetText(shortFloat(sc.Scale.Ventilation))
}

// formEdited writes a form field into the YAML.
func (p *scenarioPanel) formEdited(path, value string) {
	if p.syncing {
		return
	}
	value = strings.TrimSpace(value)
	if value == "" {
		value = `""`
	}
	p.editor.SetText(setYAMLField(p.editor.Text(), path, value))
	p.parse(false)
}

// posError finds the position of a scenario error.
func posError(err error) (*engine.PosError, bool) {
	for err != nil {
		if pe, ok := err.(*engine.PosError); ok {
			return pe, true
		}
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			return nil, false
		}
		err = u.Unwrap()
	}
	return nil, false
}

// runPanel is the run's controls: play, pause, step, stop and speed, the
// simulated clock and a progress bar of simulated time with the ETA.
type runPanel struct {
	t                       *simTab
	play, pause, step, stop *widget.Button
	speed                   *widget.Select
	clock                   *widget.Label
	progress                *widget.ProgressBar
	eta                     *widget.Label
	content                 fyne.CanvasObject
}

func newRunPanel(t *simTab) *runPanel {
	r := &runPanel{t: t}
	r.play = widget.NewButtonWithIcon("Play", theme.MediaPlayIcon(), r.onPlay)
	r.play.Importance = widget.HighImportance
	r.pause = widget.NewButtonWithIcon("Pause", theme.MediaPauseIcon(), r.onPause)
	r.step = widget.NewButtonWithIcon("Step", theme.MediaSkipNextIcon(), r.onStep)
	r.stop = widget.NewButtonWithIcon("Stop", theme.MediaStopIcon(), func() { t.sim.stop() })
	labels := make([]string, len(speeds))
	for i, s := range speeds {
		labels[i] = s.label
	}
	r.speed = widget.NewSelect(labels, func(string) { r.onSpeed() })
	r.speed.SetSelected("60×")
	r.clock = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
	r.progress = widget.NewProgressBar()
	r.progress.TextFormatter = func() string { return r.progressText() }
	r.eta = widget.NewLabel("")
	r.content = container.NewVBox(
		container.NewBorder(nil, nil, container.NewHBox(r.play, r.pause, r.step, r.stop), nil, r.speed),
		container.NewBorder(nil, nil, nil, r.eta, r.clock), r.progress)
	r.refresh()
	return r
}

// speedValue is the selected speed.
func (r *runPanel) speedValue() float64 {
	for _, s := range speeds {
		if s.label == r.speed.Selected {
			return s.speed
		}
	}
	return simSpeed
}

// onPlay starts the scenario shown, or resumes the paused run.
func (r *runPanel) onPlay() {
	if run := r.t.sim.current(); run != nil {
		r.t.work(run.Resume, r.refresh)
		return
	}
	sc := r.t.scen.sc
	if sc == nil {
		return
	}
	r.t.sh.act(r.t.sim.startScenario(sc, r.t.scen.path, r.speedValue()))
	r.refresh()
}

func (r *runPanel) onPause() {
	if run := r.t.sim.current(); run != nil {
		r.t.work(run.Pause, r.refresh)
	}
}

// onStep simulates one step of the paused run (pausing it first).
func (r *runPanel) onStep() {
	if run := r.t.sim.current(); run != nil {
		r.t.work(run.Step, r.refresh)
	}
}

func (r *runPanel) onSpeed() {
	if run := r.t.sim.current(); run != nil {
		r.t.sh.act(run.SetSpeed(r.speedValue()))
	}
}

// finishedRun is the app's last simulation if it ran to its end (not
// stopped, no error), else nil.
func finishedRun(a *app.App) *app.SimRun {
	run := a.Simulation()
	if run == nil || run.Stopped() {
		return nil
	}
	select {
	case <-run.Done():
		if run.Err() == nil {
			return run
		}
	default:
	}
	return nil
}

// refresh shows the run's state; the poller calls it while a run goes.
func (r *runPanel) refresh() {
	run := r.t.sim.current()
	if run == nil {
		enable(r.play, r.t.scen != nil && r.t.scen.sc != nil)
		r.play.SetText("Play")
		for _, b := range []*widget.Button{r.pause, r.step, r.stop} {
			b.Disable()
		}
		r.clock.SetText("Not running")
		r.progress.SetValue(0)
		r.eta.SetText("")
		if done := finishedRun(r.t.a); done != nil {
			r.clock.SetText(fmt.Sprintf("Finished %s at %s · kept in Runs", done.Scenario(), done.Clock().Format("Mon 2006-01-02 15:04")))
			r.progress.SetValue(1)
		}
		return
	}
	paused := run.Paused()
	enable(r.play, paused)
	r.play.SetText("Resume")
	if !paused {
		r.play.SetText("Play")
	}
	enable(r.pause, !paused)
	r.step.Enable()
	r.stop.Enable()
	state := ""
	if paused {
		state = " · paused"
	}
	r.clock.SetText(run.Clock().Format("Mon 2006-01-02 15:04") + state)
	r.progress.SetValue(run.Progress())
	r.eta.SetText(etaText(run))
}

// progressText is the progress bar's text: the share of simulated time
// and the simulated time done of the scenario's.
func (r *runPanel) progressText() string {
	run := r.t.sim.current()
	if run == nil {
		return ""
	}
	p := run.Progress()
	total := run.Duration()
	return fmt.Sprintf("%.0f %% · %s of %s simulated", 100*p, shortDuration((time.Duration(p * float64(total))).Truncate(time.Minute)), shortDuration(total))
}

// etaText is the run's wall time left.
func etaText(run *app.SimRun) string {
	eta, ok := run.ETA()
	switch {
	case run.Paused():
		return "ETA: paused"
	case !ok:
		return "ETA: …"
	case eta < time.Second:
		return "ETA: < 1 s"
	}
	return "ETA: " + eta.Round(time.Second).String()
}
