package ui

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"

	"github.com/twinstudio/twinstudio/app"
)

// simSpeed is how much faster than real time the studio's simulations run:
// a simulated minute per second, so that values move within seconds.
const simSpeed = 60

// simControl runs the project's simulation: the toolbar's and Run menu's
// simulation button, and the status bar's simulated clock (text, which the
// poller reads from its goroutine).
type simControl struct {
	sh  *shell
	app *app.App

	mu       sync.Mutex
	run      *app.SimRun
	scenario string // the scenario the button runs; "" asks for one

	// onFinished, if set, is called on Fyne's goroutine with a run that
	// ended by itself with its report (the Simulation tab keeps it).
	onFinished func(run *app.SimRun)
	// onChanged, if set, is called on Fyne's goroutine after a run
	// started, stopped or ended (the Simulation tab redraws).
	onChanged func()
}

func newSimControl(sh *shell, a *app.App) *simControl { return &simControl{sh: sh, app: a} }

// setScenario sets the scenario file the simulation button runs.
func (c *simControl) setScenario(path string) { c.scenario = path }

// start runs scenario file path over the project in process at simSpeed,
// until it ends or stop.
func (c *simControl) start(path string) error {
	sc, err := app.LoadScenario(path)
	if err != nil {
		return err
	}
	return c.startScenario(sc, path, simSpeed)
}

// startScenario runs sc (read from file path, "" if edited) over the
// project in process at speed (0: as fast as possible), recording its
// series for the run list, until it ends or stop.
func (c *simControl) startScenario(sc *app.Scenario, path string, speed float64) error {
	return c.startWith(sc, path, app.SimOptions{Speed: speed, Record: true})
}

// startExample runs the bundled example's scenario file path like start,
// but with the night before its first morning at full speed: the studio
// then opens on rooms filling up within seconds rather than on eight
// hours of empty offices at simSpeed.
func (c *simControl) startExample(path string) error {
	sc, err := app.LoadScenario(path)
	if err != nil {
		return err
	}
	return c.startWith(sc, path, app.SimOptions{Speed: simSpeed, Record: true, FastUntil: firstMorning(sc.Start)})
}

// firstMorning is 08:30 on start's day, or the zero time (no fast start)
// when start is later than that.
func firstMorning(start time.Time) time.Time {
	y, m, d := start.Date()
	t := time.Date(y, m, d, 8, 30, 0, 0, start.Location())
	if !start.Before(t) {
		return time.Time{}
	}
	return t
}

// startWith runs sc (read from file path, "" if edited) with o.
func (c *simControl) startWith(sc *app.Scenario, path string, o app.SimOptions) error {
	c.mu.Lock()
	if c.run != nil {
		c.mu.Unlock()
		return fmt.Errorf("a simulation is running already: stop it first")
	}
	run, err := c.app.StartSimulation(sc, o)
	if err != nil {
		c.mu.Unlock()
		return err
	}
	c.run = run
	if path != "" {
		c.scenario = path
	}
	c.mu.Unlock()
	c.changedAll()
	return nil
}

// current is the simulation running, or nil.
func (c *simControl) current() *app.SimRun {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.run
}

// changedAll redraws the toolbar, the status bar and the Simulation tab.
func (c *simControl) changedAll() {
	c.sh.changed()
	if c.onChanged != nil {
		c.onChanged()
	}
}

// stop stops the simulation running, if any.
func (c *simControl) stop() {
	c.mu.Lock()
	run := c.run
	c.run = nil
	c.mu.Unlock()
	if run != nil {
		run.Stop()
	}
	c.changedAll()
}

// running reports whether a simulation runs.
func (c *simControl) running() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.run != nil
}

// text is the status bar's simulation text: the scenario, its clock and
// speed; "" when none runs. ended reports a simulation that has ended by
// itself (or failed) since the last call. Safe from any goroutine.
func (c *simControl) text() (text string, ended bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.run == nil {
		return "", false
	}
	select {
	case <-c.run.Done():
		return "", true
	default:
	}
	state := "▶"
	if c.run.Paused() {
		state = "paused"
	}
	return fmt.Sprintf("%s %s · %s · %s", state, c.run.Scenario(), c.run.Clock().Format("Mon 2006-01-02 15:04"), speedText(c.run.Speed())), false
}

// ended tidies up after a simulation that ended by itself, reporting its
// error if it failed.
func (c *simControl) ended() {
	c.mu.Lock()
	run := c.run
	c.run = nil
	c.mu.Unlock()
	if run == nil {
		return
	}
	if err := run.Err(); err != nil {
		c.sh.fail(fmt.Errorf("the simulation stopped: %w", err))
	} else {
		c.sh.flash("The simulation " + run.Scenario() + " has ended")
		if c.onFinished != nil && run.Report() != nil {
			c.onFinished(run)
		}
	}
	c.changedAll()
}

// onToggle stops the simulation running, or starts the scenario set with
// setScenario, or asks for a scenario file.
func (c *simControl) onToggle() {
	if c.running() {
		c.stop()
		return
	}
	if c.scenario != "" {
		c.sh.act(c.start(c.scenario))
		return
	}
	chooseFile(c.sh.win, c.app.Path(), "Choose a scenario to simulate", []string{".yaml", ".yml"}, c.sh.fail, func(path string) {
		c.sh.act(c.start(path))
	})
}

// chooseFile shows an open-file dialog over win (nothing without one) for
// files with the extensions, in the folder of the project file project,
// and calls fn with the path chosen or fail with the dialog's error.
func chooseFile(win fyne.Window, project, title string, exts []string, fail func(error), fn func(path string)) {
	if win == nil {
		return
	}
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil {
			fail(err)
			return
		}
		if r == nil {
			return
		}
		path := r.URI().Path()
		r.Close()
		fn(path)
	}, win)
	d.SetTitleText(title)
	d.SetFilter(storage.NewExtensionFileFilter(exts))
	dialogFolder(d, project)
	d.Resize(fyne.NewSize(900, 600))
	d.Show()
}

// dialogFolder starts a file dialog in the folder of project file project.
func dialogFolder(d interface{ SetLocation(fyne.ListableURI) }, project string) {
	dir := project
	if i := strings.LastIndexByte(dir, '/'); i > 0 {
		dir = dir[:i]
	}
	if u, err := storage.ListerForURI(storage.NewFileURI(absPath(dir))); err == nil {
		d.SetLocation(u)
	}
}
