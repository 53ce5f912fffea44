package ui

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

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
func recentProjects() []string { return recentPaths(recentKey) }

// remember puts project path first in the recent list.
func remember(path string) { rememberPath(recentKey, path, recentSize) }

// recentPaths is the preference key's list of files, newest first, without
// those that no longer exist.
func recentPaths(key string) []string {
	a := fyne.CurrentApp()
	if a == nil {
		return nil
	}
	var out []string
	for _, p := range a.Preferences().StringList(key) {
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			out = append(out, p)
		}
	}
	return out
}

// rememberPath puts path first in the preference key's list of at most n.
func rememberPath(key, path string, n int) {
	a := fyne.CurrentApp()
	if a == nil {
		return
	}
	path = absPath(path)
	list := []string{path}
	for _, p := range a.Preferences().StringList(key) {
		if p != path && len(list) < n {
			list = append(list, p)
		}
	}
	a.Preferences().SetStringList(key, list)
}

// files is the File menu: New, Open, Open Recent, Save As and Import,
// each with its dialog.
type files struct {
	sh   *shell
	app  *app.App
	ctl  *controller
	open func(path string) error // opens path in place of the project shown

	imports sync.WaitGroup // imports running (importDialog.run)
}

func newFiles(sh *shell, a *app.App, ctl *controller, open func(path string) error) *files {
	return &files{sh: sh, app: a, ctl: ctl, open: open}
}

// openPath opens project file path (it must exist) in place of the current
// project. The current project stays open when it fails.
func (f *files) openPath(path string) error {
	if absPath(path) == absPath(f.app.Path()) {
		return nil
	}
	st, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("open %s: not a project file", path)
	}
	return f.open(path)
}

// newProject creates an empty project file at path (which must not exist)
// and opens it in place of the current project.
func (f *files) newProject(path string) error {
	if filepath.Ext(path) == "" {
		path += ".twin"
	}
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("%w: %s", errExists, path)
	}
	return f.open(path)
}

// saveAs writes a copy of the project to path and goes on with the copy
// (the original stays as it was at the copy).
func (f *files) saveAs(path string) error {
	if filepath.Ext(path) == "" {
		path += ".twin"
	}
	if absPath(path) == absPath(f.app.Path()) {
		return nil
	}
	if err := f.app.SaveAs(path); err != nil {
		return err
	}
	return f.open(path)
}

// importPreview reads provisioning file path and says what importing it
// would create, update and leave unchanged, without changing anything.
func (f *files) importPreview(path string) (*engine.Plan, *engine.ProvisionSummary, error) {
	plan, err := app.ReadPlan(path)
	if err != nil {
		return nil, nil, err
	}
	sum, err := f.app.Engine().PreviewProvision(plan)
	if err != nil {
		return nil, nil, err
	}
	return plan, sum, nil
}

// onOpen asks for a project file to open.
func (f *files) onOpen() {
	chooseFile(f.sh.win, f.app.Path(), "Open a project", []string{".twin"}, f.sh.fail, func(path string) { f.sh.act(f.openPath(path)) })
}

// onNew asks where to create a new project.
func (f *files) onNew() {
	f.saveDialog("New project", "building.twin", []string{".twin"}, f.newProject)
}

// onSaveAs asks where to save a copy of the project.
func (f *files) onSaveAs() {
	f.saveDialog("Save a copy of the project as", f.app.Name()+" copy.twin", []string{".twin"}, f.saveAs)
}

// onImport asks for a provisioning file, shows what importing it would do
// and, when confirmed, imports it with a progress bar.
func (f *files) onImport() {
	chooseFile(f.sh.win, f.app.Path(), "Import a provisioning file", []string{".yaml", ".yml"}, f.sh.fail, f.showImport)
}

// onExport asks where to write the project as a provisioning file and
// writes it there with its scripts and floor plan drawings beside it
// (exportYAML); files that exist are overwritten only when the user
// confirms. A failure shows an error dialog.
func (f *files) onExport() {
	f.saveDialog("Export the project as a provisioning file", f.app.Name()+".yaml", []string{".yaml", ".yml"},
		func(path string) error { f.exportAsked(path); return nil })
}

// exportAsked exports to path, asking before overwriting files.
func (f *files) exportAsked(path string) {
	err := f.exportYAML(path, false)
	if errors.Is(err, app.ErrFileExists) && f.sh.win != nil {
		msg := widget.NewLabel(fmt.Sprintf("%s\n\nReplace the files that exist (the YAML, its udfs/ scripts and plans/ drawings)?", errorText(err)))
		msg.Wrapping = fyne.TextWrapWord
		c := dialog.NewCustomConfirm("Replace files?", "Replace", "Cancel", msg, func(yes bool) {
			if yes {
				f.sh.act(f.exportYAML(path, true))
			}
		}, f.sh.win)
		c.Resize(fyne.NewSize(520, 0))
		c.Show()
		return
	}
	f.sh.act(err)
}

// exportYAML writes the project as provisioning file path (".yaml" added
// when it has no extension) with its udfs/ scripts and plans/ drawings
// beside it (app.ExportYAMLFile); unless force, nothing is written if
// any of them exists (app.ErrFileExists). On success the status bar
// says where it went.
func (f *files) exportYAML(path string, force bool) error {
	if filepath.Ext(path) == "" {
		path += ".yaml"
	}
	if err := f.app.ExportYAMLFile(path, force); err != nil {
		return err
	}
	f.sh.flash("Exported to " + path)
	return nil
}

// showImport shows what importing provisioning file path would do and
// imports it when confirmed.
func (f *files) showImport(path string) {
	plan, sum, err := f.importPreview(path)
	if err != nil {
		f.sh.fail(err)
		return
	}
	(&importDialog{f: f, path: path, plan: plan, sum: sum}).show()
}

// saveDialog asks for a file name (exts: the extensions offered) and
// calls fn with it.
func (f *files) saveDialog(title, name string, exts []string, fn func(path string) error) {
	if f.sh.win == nil {
		return
	}
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil {
			f.sh.fail(err)
			return
		}
		if w == nil {
			return
		}
		path := w.URI().Path()
		w.Close()
		// The dialog created the file empty (and asked before replacing
		// one): fn writes it.
		if st, err := os.Stat(path); err == nil && st.Size() == 0 {
			os.Remove(path)
		}
		f.sh.act(fn(path))
	}, f.sh.win)
	d.SetTitleText(title)
	d.SetFileName(name)
	d.SetFilter(storage.NewExtensionFileFilter(exts))
	dialogFolder(d, f.app.Path())
	d.Resize(fyne.NewSize(900, 600))
	d.Show()
}

// importDialog shows what importing a provisioning file would do and, when
// confirmed, imports it on a goroutine behind a progress bar.
type importDialog struct {
	f    *files
	path string
	plan *engine.Plan
	sum  *engine.ProvisionSummary
}

func (d *importDialog) show() {
	if d.f.sh.win == nil {
		return
	}
	text := widget.NewLabelWithStyle(strings.TrimRight(d.sum.String(), "\n"), fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
	intro := widget.NewLabel(fmt.Sprintf("Importing %s into %s will do this (nothing has changed yet):", filepath.Base(d.path), d.f.app.Name()))
	intro.Wrapping = fyne.TextWrapWord
	content := container.NewVBox(intro, text, widget.NewLabel("You can undo the import with Ctrl+Z."))
	c := dialog.NewCustomConfirm("Import "+filepath.Base(d.path), "Import", "Cancel", content, d.onConfirm, d.f.sh.win)
	c.Resize(fyne.NewSize(640, 0))
	c.Show()
}

// onConfirm imports the plan when the user said yes.
func (d *importDialog) onConfirm(yes bool) {
	if yes {
		d.run()
	}
}

// run imports the plan on a goroutine behind a progress dialog.
func (d *importDialog) run() {
	f, plan := d.f, d.plan
	bar := widget.NewProgressBar()
	what := widget.NewLabel("Importing " + filepath.Base(plan.File) + "…")
	p := dialog.NewCustomWithoutButtons("Importing", container.NewVBox(what, bar), f.sh.win)
	p.Resize(fyne.NewSize(480, 0))
	p.Show()
	f.imports.Add(1)
	go func() {
		defer f.imports.Done()
		sum, sel, err := f.ctl.importPlan(plan, func(done, total int) {
			if total > 0 {
				v := float64(done) / float64(total)
				fyne.Do(func() { bar.SetValue(v) })
			}
		})
		if err == nil {
			err = f.app.SavePlanBackgrounds(sum) // the floor drawings the file's plans name
		}
		fyne.DoAndWait(func() {
			p.Hide()
			if err != nil {
				f.sh.fail(err)
				return
			}
			f.sh.imported(sel)
			t := sum.Total()
			f.sh.flash(fmt.Sprintf("Imported %s: %d created, %d updated, %d unchanged",
				filepath.Base(plan.File), t.Created, t.Updated, t.Unchanged))
		})
	}()
}
