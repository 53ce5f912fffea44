package ui

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/widget"

	"github.com/twinstudio/twinstudio/app"
	"github.com/twinstudio/twinstudio/engine"
)

// recentSize is how many projects File ▸ Open Recent lists.
const recentSize = 10

// recentKey is the preference holding the recent projects, newest first.
const recentKey = "recentProjects"

// errExists is returned when New or Save As would overwrite a file.
var errExists = errors.New("a file of that name exists already")

func absPath(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}

// recentProjects is the list of recently opened projects, newest first, without
// those that no longer exist.
func recentProjects() []string {
	a := fyne.CurrentApp()
	if a == nil {
		return nil
	}
	var out []string
	for _, p := range a.Preferences().StringList(recentKey) {
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			out = append(out, p)
		}
	}
	return out
}

// remember puts project path first in the recent list.
func remember(path string) {
	a := fyne.CurrentApp()
	if a == nil {
		return
	}
	path = absPath(path)
	list := []string{path}
	for _, p := range a.Preferences().StringList(recentKey) {
		if p != path && len(list) < recentSize {
			list = append(list, p)
		}
	}
	a.Preferences().SetStringList(recentKey, list)
}

// switchTo shows project a in place of the current one, which is closed.
func (s *Studio) switchTo(a *app.App) error {
	s.stopSimulation()
	s.stopPolling()
	old := s.app
	s.scenario = ""
	s.load(a)
	remember(a.Path())
	if s.win != nil {
		s.installMenu() // Open Recent changed
	}
	return old.Close()
}

// openPath opens project file path (it must exist) in place of the current
// project. The current project stays open when it fails.
func (s *Studio) openPath(path string) error {
	if absPath(path) == absPath(s.app.Path()) {
		return nil
	}
	st, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("open %s: not a project file", path)
	}
	return s.openOther(path)
}

// openOther opens path in place of the current project; the broker of
// the current one is stopped first so the new one can take its address.
func (s *Studio) openOther(path string) error {
	addr := s.brokerAddr()
	if addr != "" {
		_ = s.app.StopBroker()
	}
	a, err := s.opener(path)
	if err != nil {
		if addr != "" { // back as it was
			_ = s.app.StartBroker(app.BrokerOptions{Addr: addr})
		}
		return err
	}
	return s.switchTo(a)
}

// newProject creates an empty project file at path (which must not exist)
// and opens it in place of the current project.
func (s *Studio) newProject(path string) error {
	if filepath.Ext(path) == "" {
		path += ".twin"
	}
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("%w: %s", errExists, path)
	}
	return s.openOther(path)
}

// saveAs writes a copy of the project to path and goes on with the copy
// (the original stays as it was at the copy).
func (s *Studio) saveAs(path string) error {
	if filepath.Ext(path) == "" {
		path += ".twin"
	}
	if absPath(path) == absPath(s.app.Path()) {
		return nil
	}
	if err := s.app.SaveAs(path); err != nil {
		return err
	}
	return s.openOther(path)
}

// importPreview reads provisioning file path and says what importing it
// would create, update and leave unchanged, without changing anything.
func (s *Studio) importPreview(path string) (*engine.Plan, *engine.ProvisionSummary, error) {
	plan, err := app.ReadPlan(path)
	if err != nil {
		return nil, nil, err
	}
	sum, err := s.app.Engine().PreviewProvision(plan)
	if err != nil {
		return nil, nil, err
	}
	return plan, sum, nil
}

// importPlan applies plan as one undoable edit. progress, if not nil, is
// called from the importing goroutine with the objects done and the
// total. It may take a while for a large plan: call it off Fyne's main
// goroutine and redraw with ImportDone.
func (s *Studio) importPlan(plan *engine.Plan, progress func(done, total int)) (*engine.ProvisionSummary, error) {
	var sum *engine.ProvisionSummary
	err := s.editor.Do("Import "+filepath.Base(plan.File), func(tx *engine.Tx) error {
		var err error
		sum, err = tx.Provision(plan, progress)
		return err
	})
	return sum, err
}

// importDone redraws after an import and selects its first root.
func (s *Studio) importDone(sum *engine.ProvisionSummary) {
	sel := ""
	if sum != nil && len(sum.Roots) > 0 {
		sel = spaceNode(sum.Roots[0])
	}
	s.tree.openTop("", openLevels)
	s.afterEdit(sel)
}

// ---- dialogs ----

// openDialog asks for a project file to open.
func (s *Studio) openDialog() {
	s.chooseFile("Open a project", []string{".twin"}, func(path string) { s.act(s.openPath(path)) })
}

// saveDialog asks for a new file name with extension ext and calls fn.
func (s *Studio) saveDialog(title, name string, fn func(path string) error) {
	if s.win == nil {
		return
	}
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil {
			s.fail(err)
			return
		}
		if w == nil {
			return
		}
		path := w.URI().Path()
		w.Close()
		// The dialog created the file empty; the project must not exist.
		if st, err := os.Stat(path); err == nil && st.Size() == 0 {
			os.Remove(path)
		}
		s.act(fn(path))
	}, s.win)
	d.SetTitleText(title)
	d.SetFileName(name)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".twin"}))
	s.dialogFolder(d)
	d.Resize(fyne.NewSize(900, 600))
	d.Show()
}

// newDialog asks where to create a new project.
func (s *Studio) newDialog() {
	s.saveDialog("New project", "building.twin", s.newProject)
}

// saveAsDialog asks where to save a copy of the project.
func (s *Studio) saveAsDialog() {
	s.saveDialog("Save a copy of the project as", s.app.Name()+" copy.twin", s.saveAs)
}

// importDialog asks for a provisioning file, shows what importing it would
// do and, when confirmed, imports it with a progress bar.
func (s *Studio) importDialog() {
	s.chooseFile("Import a provisioning file", []string{".yaml", ".yml"}, s.importPreviewDialog)
}

// importPreviewDialog shows what importing provisioning file path would do
// and imports it when confirmed.
func (s *Studio) importPreviewDialog(path string) {
	plan, sum, err := s.importPreview(path)
	if err != nil {
		s.fail(err)
		return
	}
	if s.win == nil {
		return
	}
	text := widget.NewLabelWithStyle(strings.TrimRight(sum.String(), "\n"), fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
	intro := widget.NewLabel(fmt.Sprintf("Importing %s into %s will do this (nothing has changed yet):", filepath.Base(path), s.app.Name()))
	intro.Wrapping = fyne.TextWrapWord
	content := container.NewVBox(intro, text, widget.NewLabel("You can undo the import with Ctrl+Z."))
	d := dialog.NewCustomConfirm("Import "+filepath.Base(path), "Import", "Cancel", content, func(yes bool) {
		if yes {
			s.runImport(plan)
		}
	}, s.win)
	d.Resize(fyne.NewSize(640, 0))
	d.Show()
}

// runImport imports plan on a goroutine behind a progress dialog.
func (s *Studio) runImport(plan *engine.Plan) {
	bar := widget.NewProgressBar()
	what := widget.NewLabel("Importing " + filepath.Base(plan.File) + "…")
	d := dialog.NewCustomWithoutButtons("Importing", container.NewVBox(what, bar), s.win)
	d.Resize(fyne.NewSize(480, 0))
	d.Show()
	s.imports.Add(1)
	go func() {
		defer s.imports.Done()
		sum, err := s.importPlan(plan, func(done, total int) {
			if total > 0 {
				f := float64(done) / float64(total)
				fyne.Do(func() { bar.SetValue(f) })
			}
		})
		fyne.DoAndWait(func() {
			d.Hide()
			if err != nil {
				s.fail(err)
				return
			}
			s.importDone(sum)
			t := sum.Total()
			s.status.flash(fmt.Sprintf("Imported %s: %d created, %d updated, %d unchanged",
				filepath.Base(plan.File), t.Created, t.Updated, t.Unchanged))
		})
	}()
}
