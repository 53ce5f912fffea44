package ui

import (
	"context"
	"fmt"
	"image"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/twinstudio/twinstudio/app"
	"github.com/twinstudio/twinstudio/app/chart"
)

// resultView shows a run's or a comparison's KPIs in a table (base,
// variant, delta, the better side marked ✓) and its charts, one at a time.
type resultView struct {
	t       *simTab
	rows    []app.KPIRow
	compare bool
	figs    []chart.Figure
	drawn   atomic.Int64 // the chart drawing wanted; older ones are dropped

	title   *widget.Label
	table   *widget.Table
	pickFig *widget.Select
	image   *canvas.Image
	content fyne.CanvasObject
}

// Widths of the KPI table's columns: the KPI, then the values.
const (
	kpiColumn   = 220
	valueColumn = 104
)

func newResultView(t *simTab) *resultView {
	v := &resultView{t: t}
	v.title = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	v.title.Truncation = fyne.TextTruncateEllipsis
	v.table = widget.NewTableWithHeaders(func() (int, int) { return len(v.rows), v.columns() },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(id widget.TableCellID, o fyne.CanvasObject) {
			text, better := v.cell(id.Row, id.Col)
			l := o.(*widget.Label)
			l.Importance = widget.MediumImportance
			if better {
				l.Importance = widget.SuccessImportance
			}
			l.TextStyle.Monospace = id.Col > 0
			l.SetText(text)
		})
	v.table.ShowHeaderColumn = false
	v.table.CreateHeader = func() fyne.CanvasObject {
		return widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	v.table.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Row < 0 {
			o.(*widget.Label).SetText(v.header(id.Col))
		}
	}
	v.setWidths()
	v.pickFig = widget.NewSelect(nil, func(string) { v.drawSelected() })
	v.pickFig.PlaceHolder = "Chart"
	v.image = canvas.NewImageFromImage(nil)
	v.image.FillMode = canvas.ImageFillContain
	v.image.SetMinSize(fyne.NewSize(440, 200))
	charts := container.NewBorder(v.pickFig, nil, nil, nil, v.image)
	split := container.NewVSplit(container.NewBorder(v.title, nil, nil, nil, v.table), charts)
	split.Offset = 0.5
	v.content = split
	return v
}

func (v *resultView) columns() int {
	if v.compare {
		return 4
	}
	return 2
}

func (v *resultView) setWidths() {
	v.table.SetColumnWidth(0, kpiColumn)
	for c := 1; c < 4; c++ {
		v.table.SetColumnWidth(c, valueColumn)
	}
}

func (v *resultView) header(col int) string {
	if !v.compare {
		return []string{"KPI", "Value"}[col]
	}
	return []string{"KPI", "Base", "Variant", "Δ"}[col]
}

// cell is the text of a table cell and whether it is the better side.
func (v *resultView) cell(row, col int) (string, bool) {
	if row >= len(v.rows) {
		return "", false
	}
	r := v.rows[row]
	switch col {
	case 0:
		return kpiLabel(r), false
	case 1:
		return mark(r.Base, r.Better == app.BetterBase), r.Better == app.BetterBase
	case 2:
		return mark(r.Variant, r.Better == app.BetterVariant), r.Better == app.BetterVariant
	}
	return r.Delta, false
}

// mark appends ✓ to the better side's value.
func mark(s string, better bool) string {
	if better {
		return s + " ✓"
	}
	return s
}

// kpiLabel names a KPI row: the space's or floor's last name, the KPI, the unit.
func kpiLabel(r app.KPIRow) string {
	name := strings.ReplaceAll(r.KPI, "_", " ")
	if r.Scope != "run" && r.Name != "" {
		name = r.Name[strings.LastIndexByte(r.Name, '/')+1:] + " · " + name
	}
	if r.Unit != "" {
		name += " (" + r.Unit + ")"
	}
	return name
}

// show shows rows and figures under title.
func (v *resultView) show(title string, rows []app.KPIRow, compare bool, figs []chart.Figure) {
	v.title.SetText(title)
	v.rows, v.compare, v.figs = rows, compare, figs
	v.setWidths()
	v.table.Refresh()
	v.table.ScrollToTop()
	opts := make([]string, len(figs))
	for i, f := range figs {
		opts[i] = f.Title
	}
	v.pickFig.Options = opts
	v.pickFig.ClearSelected()
	if len(opts) > 0 {
		v.pickFig.SetSelectedIndex(0) // draws it
	} else {
		v.image.Image = nil
		v.image.Refresh()
	}
}

// drawSelected draws the chart picked on a goroutine of its own.
func (v *resultView) drawSelected() {
	i := v.pickFig.SelectedIndex()
	if i < 0 || i >= len(v.figs) {
		return
	}
	f := v.figs[i]
	gen := v.drawn.Add(1)
	var img image.Image
	var err error
	v.t.work(func() { img, err = f.Draw() }, func() {
		if gen != v.drawn.Load() {
			return // another chart was picked meanwhile
		}
		if err != nil {
			v.t.sh.fail(err)
			return
		}
		v.image.Image = img
		v.image.Refresh()
	})
}

// comparePanel runs a what-if: the scenario shown against one of its
// variants or another scenario file, both from the project as it is,
// with the same seed; the KPI table and the overlay charts show the
// result, which is kept in the run list.
type comparePanel struct {
	t       *simTab
	choices []compareChoice
	pick    *widget.Select
	run     *widget.Button
	cancel  *widget.Button
	state   *widget.Label
	result  *resultView
	stop    context.CancelFunc
	last    *app.Comparison
	content fyne.CanvasObject
}

// compareChoice is a variant of the scenario or a second scenario file.
type compareChoice struct {
	label, variant, file string
}

func newComparePanel(t *simTab) *comparePanel {
	c := &comparePanel{t: t}
	c.pick = widget.NewSelect(nil, func(string) { c.refresh() })
	c.pick.PlaceHolder = "Compare with…"
	other := widget.NewButtonWithIcon("", theme.FolderOpenIcon(), c.chooseFile)
	c.run = widget.NewButtonWithIcon("Run comparison", theme.MediaPlayIcon(), c.onRun)
	c.run.Importance = widget.HighImportance
	c.cancel = widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), c.onCancel)
	c.state = widget.NewLabel("")
	c.state.Wrapping = fyne.TextWrapWord
	c.result = newResultView(t)
	head := container.NewVBox(
		container.NewBorder(nil, nil, widget.NewLabel("Variant"), other, c.pick),
		container.NewBorder(nil, nil, container.NewHBox(c.run, c.cancel), nil, c.state))
	c.content = container.NewBorder(head, nil, nil, nil, c.result.content)
	c.refresh()
	return c
}

// scenarioChanged lists the scenario's variants and the other scenario
// files as choices, keeping the one picked when it is still there.
func (c *comparePanel) scenarioChanged() {
	sel := c.pick.Selected
	c.choices = nil
	if sc := c.t.scen.sc; sc != nil {
		for _, v := range sc.VariantNames() {
			c.choices = append(c.choices, compareChoice{label: "variant " + v, variant: v})
		}
	}
	for _, f := range c.t.scen.files {
		if f != c.t.scen.path {
			c.choices = append(c.choices, compareChoice{label: "file " + filepath.Base(f), file: f})
		}
	}
	opts := make([]string, len(c.choices))
	for i, ch := range c.choices {
		opts[i] = ch.label
	}
	c.pick.Options = opts
	if indexOf(opts, sel) < 0 {
		c.pick.Selected = ""
		if len(opts) > 0 {
			c.pick.Selected = opts[0]
		}
	}
	c.pick.Refresh()
	c.refresh()
}

// chooseFile asks for a second scenario file and picks it.
func (c *comparePanel) chooseFile() {
	chooseFile(c.t.sh.win, c.t.a.Path(), "Choose a scenario to compare with", []string{".yaml", ".yml"}, c.t.sh.fail, func(path string) {
		rememberPath(recentScenariosKey, path, recentSize)
		c.t.scen.listFiles()
		c.scenarioChanged()
		c.pick.SetSelected("file " + filepath.Base(path))
	})
}

func (c *comparePanel) refresh() {
	running := c.stop != nil
	enable(c.run, !running && c.t.scen.sc != nil && c.pick.SelectedIndex() >= 0)
	enable(c.cancel, running)
}

// variant is the scenario to compare with: a variant of the base, or a
// second file run over the base's duration.
func (c *comparePanel) variant(base *app.Scenario) (*app.Scenario, error) {
	i := c.pick.SelectedIndex()
	if i < 0 || i >= len(c.choices) {
		return nil, fmt.Errorf("compare: choose a variant or a scenario file")
	}
	ch := c.choices[i]
	if ch.variant != "" {
		return base.Variant(ch.variant)
	}
	sc, err := app.LoadScenario(ch.file)
	if err != nil {
		return nil, err
	}
	sc.Duration = base.Duration
	return sc, nil
}

// onRun runs the comparison on a goroutine of its own.
func (c *comparePanel) onRun() {
	base := c.t.scen.sc
	if base == nil || c.stop != nil {
		return
	}
	variant, err := c.variant(base)
	if err != nil {
		c.t.sh.fail(err)
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	c.stop = cancel
	c.state.SetText("Running " + base.Name + " …")
	c.refresh()
	var last atomic.Int64
	progress := func(t time.Time) { // on the runs' goroutine: at most 10 redraws a second
		if now := time.Now().UnixNano(); now-last.Load() > int64(100*time.Millisecond) {
			last.Store(now)
			c.t.post(func() { c.state.SetText("Simulating " + t.Format("Mon 15:04") + " …") })
		}
	}
	var cmp *app.Comparison
	var info app.RunInfo
	c.t.work(func() {
		cmp, err = c.t.a.CompareScenarios(ctx, base, variant, app.SimOptions{Progress: progress})
		if err == nil {
			info, err = c.t.a.SaveRun("", cmp)
		}
	}, func() {
		cancel()
		c.stop = nil
		c.refresh()
		if err != nil {
			c.state.SetText("")
			if ctx.Err() == nil {
				c.t.sh.fail(err)
			}
			return
		}
		c.last = cmp
		c.state.SetText(fmt.Sprintf("Seed %d · kept in Runs", cmp.Base.Result.Seed))
		c.result.show(info.Name, cmp.Rows, true, cmp.Figures())
		c.t.runs.reload()
	})
}

func (c *comparePanel) onCancel() {
	if c.stop != nil {
		c.stop()
	}
}

// runsPanel lists the runs kept in the project, newest first: open one
// (its KPIs and charts), export it as the folder `twin simulate --out`
// writes, or delete it.
type runsPanel struct {
	t        *simTab
	infos    []app.RunInfo
	selected int
	opened   *app.SavedRun
	list     *widget.List
	open     *widget.Button
	export   *widget.Button
	del      *widget.Button
	result   *resultView
	content  fyne.CanvasObject
}

func newRunsPanel(t *simTab) *runsPanel {
	r := &runsPanel{t: t, selected: -1}
	r.list = widget.NewList(func() int { return len(r.infos) },
		newTwoLineRow,
		func(i widget.ListItemID, o fyne.CanvasObject) {
			setTwoLineRow(o, r.infos[i].Name, runDetail(r.infos[i]))
		})
	r.list.OnSelected = func(i widget.ListItemID) { r.selected = i; r.refresh() }
	r.list.OnUnselected = func(widget.ListItemID) { r.selected = -1; r.refresh() }
	r.open = widget.NewButtonWithIcon("Open", theme.FileIcon(), r.onOpen)
	r.export = widget.NewButtonWithIcon("Export…", theme.DownloadIcon(), r.onExport)
	r.del = widget.NewButtonWithIcon("Delete", theme.DeleteIcon(), r.onDelete)
	r.result = newResultView(t)
	top := container.NewBorder(container.NewHBox(r.open, r.export, r.del), nil, nil, nil, r.list)
	split := container.NewVSplit(top, r.result.content)
	split.Offset = 0.3
	r.content = split
	r.refresh()
	return r
}

// runDetail is a run's second line: kind, simulated span, when saved.
func runDetail(i app.RunInfo) string {
	kind := "run"
	if i.Compare {
		kind = "comparison"
	}
	return fmt.Sprintf("%s · %s from %s · seed %d · saved %s", kind, shortDuration(i.Duration), i.Start.Format("Mon 2006-01-02"),
		i.Seed, i.Saved.Local().Format("2006-01-02 15:04"))
}

// reload re-reads the run list.
func (r *runsPanel) reload() {
	r.infos = r.t.a.Runs()
	r.selected = -1
	r.list.UnselectAll()
	r.list.Refresh()
	r.refresh()
}

func (r *runsPanel) refresh() {
	ok := r.selected >= 0 && r.selected < len(r.infos)
	enable(r.open, ok)
	enable(r.export, ok)
	enable(r.del, ok)
}

func (r *runsPanel) current() (app.RunInfo, bool) {
	if r.selected < 0 || r.selected >= len(r.infos) {
		return app.RunInfo{}, false
	}
	return r.infos[r.selected], true
}

// onOpen reads the selected run back and shows it.
func (r *runsPanel) onOpen() {
	info, ok := r.current()
	if !ok {
		return
	}
	var s *app.SavedRun
	var err error
	r.t.work(func() { s, err = r.t.a.OpenRun(info.ID) }, func() {
		if err != nil {
			r.t.sh.fail(err)
			return
		}
		r.opened = s
		r.result.show(s.Info.Name, s.Rows, s.Info.Compare, s.Figures())
	})
}

// onExport asks for a folder and exports the selected run into it.
func (r *runsPanel) onExport() {
	info, ok := r.current()
	if !ok || r.t.sh.win == nil {
		return
	}
	d := dialog.NewFolderOpen(func(u fyne.ListableURI, err error) {
		if err != nil {
			r.t.sh.fail(err)
			return
		}
		if u != nil {
			r.exportTo(info, filepath.Join(u.Path(), exportName(info)))
		}
	}, r.t.sh.win)
	dialogFolder(d, r.t.a.Path())
	d.Resize(fyne.NewSize(900, 600))
	d.Show()
}

// exportName is the folder a run is exported into: its name made safe.
func exportName(i app.RunInfo) string {
	name := strings.Map(func(c rune) rune {
		if strings.ContainsRune(`/\:*?"<>|`, c) {
			return '-'
		}
		return c
	}, i.Name)
	return strings.TrimSpace(name) + " " + i.Saved.Local().Format("2006-01-02 1504")
}

// exportTo writes run info's folder into dir on a goroutine of its own.
func (r *runsPanel) exportTo(info app.RunInfo, dir string) {
	var err error
	r.t.work(func() { _, err = r.t.a.ExportRun(info.ID, dir) }, func() {
		if err != nil {
			r.t.sh.fail(err)
			return
		}
		r.t.sh.flash("Exported " + info.Name + " to " + dir)
	})
}

// onDelete removes the selected run (after asking, with a window).
func (r *runsPanel) onDelete() {
	info, ok := r.current()
	if !ok {
		return
	}
	if r.t.sh.win == nil {
		r.deleteRun(info)
		return
	}
	dialog.ShowConfirm("Delete run", "Delete the run "+info.Name+"?", func(ok bool) {
		if ok {
			r.deleteRun(info)
		}
	}, r.t.sh.win)
}

// deleteRun removes run info from the project and the list.
func (r *runsPanel) deleteRun(info app.RunInfo) {
	r.t.sh.act(r.t.a.DeleteRun(info.ID))
	r.reload()
}
