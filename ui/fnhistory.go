package ui

import (
	"fmt"
	"image/color"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/twinstudio/twinstudio/app"
	"github.com/twinstudio/twinstudio/engine"
)

// historyPanel lists the execution records of the UDF shown, newest
// first, failures marked; a tap opens a record in the test panel and runs
// its message again, dry.
type historyPanel struct {
	f       *functions
	recs    []*engine.ExecutionRecord
	failed  *widget.Check
	count   *widget.Label
	list    *widget.List
	content fyne.CanvasObject
}

func newHistoryPanel(f *functions) *historyPanel {
	p := &historyPanel{f: f}
	p.count = widget.NewLabel("")
	p.count.Truncation = fyne.TextTruncateEllipsis
	p.failed = widget.NewCheck("Failures only", func(bool) { p.refresh() })
	p.list = widget.NewList(func() int { return len(p.recs) },
		newMonoLine,
		func(i widget.ListItemID, o fyne.CanvasObject) {
			l := o.(*widget.Label)
			r := p.recs[i]
			l.Importance = widget.MediumImportance
			if r.Outcome != engine.OutcomeOK {
				l.Importance = widget.DangerImportance
			}
			l.SetText(recordLine(r))
		})
	p.list.OnSelected = func(i widget.ListItemID) {
		p.list.UnselectAll()
		if i >= 0 && i < len(p.recs) {
			p.f.test.open(p.recs[i])
		}
	}
	p.content = container.NewBorder(container.NewBorder(nil, nil, p.failed, nil, p.count), nil, nil, nil, p.list)
	return p
}

// newMonoLine is a list row of monospace text cut with an ellipsis.
func newMonoLine() fyne.CanvasObject {
	l := widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
	l.Truncation = fyne.TextTruncateEllipsis
	return l
}

// refresh re-reads the records of the UDF shown.
func (p *historyPanel) refresh() {
	p.recs = p.recs[:0]
	if !p.f.udf.IsZero() {
		for _, r := range p.f.a.UDFRecords(p.f.udf) {
			if !p.failed.Checked || r.Outcome != engine.OutcomeOK {
				p.recs = append(p.recs, r)
			}
		}
	}
	p.count.SetText(fmt.Sprintf("%s, newest first; tap one to run its message again", plural(len(p.recs), "record", "records")))
	p.list.Refresh()
}

// versionsPanel lists the saved versions of the UDF shown, newest first,
// with the difference between the version picked and the current script
// and a button to restore it.
type versionsPanel struct {
	f       *functions
	vers    []app.UDFVersion
	picked  int // index in vers, -1 none
	list    *widget.List
	diff    *widget.TextGrid
	restore *widget.Button
	content fyne.CanvasObject
}

func newVersionsPanel(f *functions) *versionsPanel {
	p := &versionsPanel{f: f, picked: -1}
	p.list = widget.NewList(func() int { return len(p.vers) },
		func() fyne.CanvasObject { return widget.NewLabel("") },
		func(i widget.ListItemID, o fyne.CanvasObject) {
			v := p.vers[i]
			text := fmt.Sprintf("Version %d · %s", v.N, logTime(v.Saved, time.Now()))
			if v.Current {
				text = fmt.Sprintf("Version %d (current) · %s", v.N, logTime(v.Saved, time.Now()))
			}
			o.(*widget.Label).SetText(text)
		})
	p.list.OnSelected = func(i widget.ListItemID) { p.pick(i) }
	p.diff = widget.NewTextGrid()
	p.diff.Scroll = fyne.ScrollNone // in a scroll of its own: a long line must not widen the tab
	p.restore = widget.NewButtonWithIcon("Restore", theme.HistoryIcon(), p.askRestore)
	right := container.NewBorder(container.NewHBox(p.restore), nil, nil, nil, container.NewScroll(p.diff))
	split := container.NewHSplit(p.list, right)
	split.Offset = 0.3
	p.content = split
	return p
}

// refresh re-reads the versions of the UDF shown.
func (p *versionsPanel) refresh() {
	p.vers = nil
	if !p.f.udf.IsZero() {
		vs, err := p.f.a.UDFVersions(p.f.udf)
		if err == nil {
			p.vers = vs
		}
	}
	p.list.UnselectAll()
	p.list.Refresh()
	p.pick(-1)
}

// pick shows the difference between version i and the current script.
func (p *versionsPanel) pick(i int) {
	p.picked = i
	p.restore.Disable()
	if i < 0 || i >= len(p.vers) {
		n := len(p.vers) - 1
		if n < 1 {
			showDiff(p.diff, "Each save keeps the script it replaces. There is no earlier version yet.")
		} else {
			showDiff(p.diff, fmt.Sprintf("%s kept. Pick one to see how it differs from the current script.", plural(n, "earlier version is", "earlier versions are")))
		}
		return
	}
	v, cur := p.vers[i], p.vers[0]
	if v.Current {
		showDiff(p.diff, "This is the current script.")
		return
	}
	d := app.UDFDiff(fmt.Sprintf("version %d", v.N), fmt.Sprintf("version %d (current)", cur.N), v.Script, cur.Script)
	if d == "" {
		d = "The same as the current script."
	}
	showDiff(p.diff, strings.TrimRight(d, "\n"))
	p.restore.Enable()
}

// showDiff shows unified diff text in g, removed lines tinted red and
// added ones green.
func showDiff(g *widget.TextGrid, text string) {
	g.SetText(text)
	th := fyne.CurrentApp().Settings().Theme()
	v := fyne.CurrentApp().Settings().ThemeVariant()
	tint := func(name fyne.ThemeColorName) widget.TextGridStyle {
		r, gr, b, _ := th.Color(name, v).RGBA()
		return &widget.CustomTextGridStyle{BGColor: color.NRGBA{R: uint8(r >> 8), G: uint8(gr >> 8), B: uint8(b >> 8), A: 0x40}}
	}
	removed, added := tint(theme.ColorNameError), tint(theme.ColorNameSuccess)
	for i, row := range g.Rows {
		line := string(runesOf(row))
		switch {
		case strings.HasPrefix(line, "---") || strings.HasPrefix(line, "+++"):
		case strings.HasPrefix(line, "-"):
			g.SetRowStyle(i, removed)
		case strings.HasPrefix(line, "+"):
			g.SetRowStyle(i, added)
		}
	}
	g.Refresh()
}

// runesOf is the text of a TextGrid row.
func runesOf(row widget.TextGridRow) []rune {
	out := make([]rune, len(row.Cells))
	for i, c := range row.Cells {
		out[i] = c.Rune
	}
	return out
}

// askRestore asks before restoring the version picked (at once when there
// is no window to ask in).
func (p *versionsPanel) askRestore() {
	if p.picked < 0 || p.picked >= len(p.vers) {
		return
	}
	n := p.vers[p.picked].N
	if p.f.sh.win == nil {
		p.f.sh.act(p.restoreVersion(n))
		return
	}
	msg := fmt.Sprintf("Make version %d the current script of %s? The current script is kept as a version.", n, p.f.name)
	if p.f.dirty() {
		msg += " Your unsaved changes are dropped."
	}
	dialog.ShowConfirm("Restore version", msg, func(ok bool) {
		if ok {
			p.f.sh.act(p.restoreVersion(n))
		}
	}, p.f.sh.win)
}

// restoreVersion makes version n the UDF's script and shows it.
func (p *versionsPanel) restoreVersion(n int) error {
	u, err := p.f.a.RestoreUDFVersion(p.f.udf, n)
	p.f.sh.s.lastErr = err
	if err != nil {
		return err
	}
	p.f.showUDF(u.ID)
	p.f.panels.SelectIndex(panelVersions)
	p.f.sh.flash(fmt.Sprintf("Restored version %d of %s", n, u.Name))
	p.f.reload()
	return nil
}
