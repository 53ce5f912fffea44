package ui

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"

	"github.com/twinstudio/twinstudio/app"
	"github.com/twinstudio/twinstudio/simulator"
)

// simSpeed is how much faster than real time the studio's simulations run:
// a simulated minute per second, so that values move within seconds.
const simSpeed = 60

// setScenario sets the scenario file the simulation button runs.
func (s *Studio) setScenario(path string) { s.scenario = path }

// StartSimulation runs scenario file path over the project in process at
// simSpeed, until it ends or stopSimulation. Its clock shows in the status
// bar.
func (s *Studio) StartSimulation(path string) error {
	sc, err := simulator.LoadScenario(path)
	if err != nil {
		return err
	}
	s.simMu.Lock()
	if s.sim != nil {
		s.simMu.Unlock()
		return fmt.Errorf("a simulation is running already: stop it first")
	}
	run, err := s.app.StartSimulation(sc, app.SimOptions{Speed: simSpeed})
	if err != nil {
		s.simMu.Unlock()
		return err
	}
	s.sim = run
	s.scenario = path
	s.simMu.Unlock()
	if s.tools != nil {
		s.tools.refresh()
	}
	return nil
}

// stopSimulation stops the simulation running, if any.
func (s *Studio) stopSimulation() {
	s.simMu.Lock()
	run := s.sim
	s.sim = nil
	s.simMu.Unlock()
	if run != nil {
		run.Stop()
	}
	if s.tools != nil && !s.closed {
		s.tools.refresh()
	}
}

// simulating reports whether a simulation runs.
func (s *Studio) simulating() bool {
	s.simMu.Lock()
	defer s.simMu.Unlock()
	return s.sim != nil
}

// simText is the status bar's simulation text: the scenario, its clock
// and speed; "" when none runs. ended reports a simulation that has ended
// by itself (or failed) since the last call. Safe from any goroutine.
func (s *Studio) simText() (text string, ended bool) {
	s.simMu.Lock()
	defer s.simMu.Unlock()
	if s.sim == nil {
		return "", false
	}
	select {
	case <-s.sim.Done():
		return "", true
	default:
	}
	return fmt.Sprintf("▶ %s · %s · ×%g", s.sim.Scenario(), s.sim.Clock().Format("Mon 2006-01-02 15:04"), s.sim.Speed()), false
}

// simEnded tidies up after a simulation that ended by itself, reporting
// its error if it failed.
func (s *Studio) simEnded() {
	s.simMu.Lock()
	run := s.sim
	s.sim = nil
	s.simMu.Unlock()
	if run == nil {
		return
	}
	if err := run.Err(); err != nil {
		s.fail(fmt.Errorf("the simulation stopped: %w", err))
	} else {
		s.status.flash("The simulation " + run.Scenario() + " has ended")
	}
	s.tools.refresh()
}

// toggleSimulation stops the simulation running, or starts the scenario
// set with setScenario, or asks for a scenario file.
func (s *Studio) toggleSimulation() {
	if s.simulating() {
		s.stopSimulation()
		return
	}
	if s.scenario != "" {
		s.act(s.StartSimulation(s.scenario))
		return
	}
	s.chooseFile("Choose a scenario to simulate", []string{".yaml", ".yml"}, func(path string) {
		s.act(s.StartSimulation(path))
	})
}

// chooseFile shows an open-file dialog for files with the extensions and
// calls fn with the path chosen.
func (s *Studio) chooseFile(title string, exts []string, fn func(path string)) {
	if s.win == nil {
		return
	}
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil {
			s.fail(err)
			return
		}
		if r == nil {
			return
		}
		path := r.URI().Path()
		r.Close()
		fn(path)
	}, s.win)
	d.SetTitleText(title)
	d.SetFilter(storage.NewExtensionFileFilter(exts))
	s.dialogFolder(d)
	d.Resize(fyne.NewSize(900, 600))
	d.Show()
}

// dialogFolder starts a file dialog in the current project's folder.
func (s *Studio) dialogFolder(d interface{ SetLocation(fyne.ListableURI) }) {
	dir := s.app.Path()
	if i := strings.LastIndexByte(dir, '/'); i > 0 {
		dir = dir[:i]
	}
	if u, err := storage.ListerForURI(storage.NewFileURI(absPath(dir))); err == nil {
		d.SetLocation(u)
	}
}
