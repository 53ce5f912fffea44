package ui

import (
	"fmt"
	"image/color"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/twinstudio/twinstudio/engine"
)

// openLevels is how many levels of spaces the tree opens when it is built:
// the root spaces and their children, so that a building shows its floors
// and their rooms.
const openLevels = 2

// searchDelay is how long the search waits after the last keystroke.
const searchDelay = 250 * time.Millisecond

// hierarchy is the left pane: a search box over the tree of spaces,
// devices and sensors. Children load lazily from the model as branches
// open; rows can be dragged onto another row to move what they show.
type hierarchy struct {
	model  *viewModel
	tree   *modelTree
	search *widget.Entry
	info   *widget.Label // what the search found
	top    *fyne.Container
	body   fyne.CanvasObject

	rowsMu sync.Mutex
	rows   map[*treeRow]bool // every row widget the tree made

	searchTimer *time.Timer
	gen         uint64 // the engine generation of the last refresh

	// onSelected is called with the id of the node the user selects.
	onSelected func(uid string)
	// onKey gets the keys the tree does not use itself (F2, Delete…) and
	// reports whether it used them.
	onKey func(*fyne.KeyEvent) bool
	// onDrop is called when row src is dropped on row dst.
	onDrop func(src, dst string)
	// onDropOut, if set, is called when row src is dropped outside the
	// tree at absolute position at (on the plan); it reports whether it
	// took the drop.
	onDropOut func(src string, at fyne.Position) bool
}

func newHierarchy(m *viewModel) *hierarchy {
	h := &hierarchy{model: m, rows: map[*treeRow]bool{}}
	h.tree = newModelTree(h)
	h.tree.OnSelected = func(uid widget.TreeNodeID) {
		if h.onSelected != nil {
			h.onSelected(uid)
		}
	}
	h.search = widget.NewEntry()
	h.search.SetPlaceHolder("Search names, hardware ids, types")
	h.search.ActionItem = widget.NewButtonWithIcon("", theme.ContentClearIcon(), func() { h.search.SetText("") })
	h.search.OnChanged = func(string) { h.scheduleSearch() }
	h.search.OnSubmitted = func(q string) { h.applySearch(q) }
	h.info = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Italic: true})
	h.info.Hide()
	h.top = container.NewVBox(h.search, h.info)
	h.body = container.NewBorder(h.top, nil, nil, nil, h.tree)
	h.openTop("", openLevels)
	return h
}

// openTop opens the branches below uid down to levels levels.
func (h *hierarchy) openTop(uid string, levels int) {
	if levels == 0 {
		return
	}
	for _, c := range h.model.childNodes(uid) {
		if nodeKind(c) == engine.KindSpace && h.model.isBranch(c) {
			// Below first: while c is closed, opening its children redraws
			// nothing of its subtree (each OpenBranch redraws the tree).
			h.openTop(c, levels-1)
			h.tree.OpenBranch(c)
		}
	}
}

// scheduleSearch runs the search once typing pauses.
func (h *hierarchy) scheduleSearch() {
	if h.searchTimer != nil {
		h.searchTimer.Stop()
	}
	h.searchTimer = time.AfterFunc(searchDelay, func() {
		fyne.Do(func() { h.applySearch(h.search.Text) })
	})
}

// applySearch filters the tree to the nodes matching q (and what is above
// them) and opens their branches; an empty q shows the whole tree again.
func (h *hierarchy) applySearch(q string) {
	if h.searchTimer != nil {
		h.searchTimer.Stop()
	}
	matches, total := h.model.search(q, searchLimit)
	if q == "" {
		h.model.setFilter(nil)
		h.info.Hide()
		h.body.Refresh() // the info line went
		h.tree.CloseAllBranches()
		h.openTop("", openLevels)
		h.tree.Refresh()
		return
	}
	if matches == nil {
		matches = []string{}
	}
	h.model.setFilter(matches)
	switch {
	case total == 0:
		h.info.SetText("Nothing matches “" + q + "”.")
	case total > len(matches):
		h.info.SetText(fmt.Sprintf("%d matches; showing the first %d.", total, len(matches)))
	default:
		h.info.SetText(plural(total, "match", "matches") + ".")
	}
	h.info.Show()
	h.body.Refresh() // room for the info line
	// Under the filter the branches are the matches' ancestors: open them
	// all with one redraw (OpenBranch redraws the tree each time).
	h.tree.OpenAllBranches()
	if len(matches) > 0 {
		h.tree.ScrollTo(matches[0])
	}
}

// refresh redraws the tree with the graph as it is now.
func (h *hierarchy) refresh() {
	h.gen = h.model.e.Generation()
	h.tree.Refresh()
}

// refreshValues redraws the labels of the rows the tree made (those on
// screen and a few pooled) without walking the open branches, for
// telemetry, which changes values and not the graph. When the graph
// changed since the last refresh it redraws the whole tree.
func (h *hierarchy) refreshValues() {
	if h.model.e.Generation() != h.gen {
		h.refresh()
		return
	}
	h.rowsMu.Lock()
	rows := make([]*treeRow, 0, len(h.rows))
	for r := range h.rows {
		rows = append(rows, r)
	}
	h.rowsMu.Unlock()
	for _, r := range rows {
		r.set(r.uid)
	}
}

// reveal opens the branches above uid, selects it and scrolls to it. A
// node hidden by the search clears the search first.
func (h *hierarchy) reveal(uid string) {
	if !h.model.shows(uid) {
		h.search.SetText("")
		h.applySearch("")
	}
	for _, a := range h.model.ancestors(uid) {
		h.tree.OpenBranch(a)
	}
	h.tree.Select(uid)
	h.tree.ScrollTo(uid)
}

// rowAt returns the row widget under the absolute position p.
func (h *hierarchy) rowAt(p fyne.Position) *treeRow {
	d := fyne.CurrentApp().Driver()
	h.rowsMu.Lock()
	defer h.rowsMu.Unlock()
	for r := range h.rows {
		if r.uid == "" || !r.Visible() {
			continue
		}
		at := d.AbsolutePositionForObject(r)
		sz := r.Size()
		if p.X >= at.X && p.Y >= at.Y && p.X < at.X+sz.Width && p.Y < at.Y+sz.Height {
			return r
		}
	}
	return nil
}

// modelTree is the tree widget, extended to hand the keys it does not use
// to the studio.
type modelTree struct {
	widget.Tree
	h *hierarchy
}

func newModelTree(h *hierarchy) *modelTree {
	t := &modelTree{h: h}
	t.ChildUIDs = h.model.childNodes
	t.IsBranch = h.model.isBranch
	t.CreateNode = func(bool) fyne.CanvasObject { return newTreeRow(h) }
	t.UpdateNode = func(uid widget.TreeNodeID, _ bool, o fyne.CanvasObject) { o.(*treeRow).set(uid) }
	t.ExtendBaseWidget(t)
	return t
}

// TypedKey gives keys the tree does not use to the studio.
func (t *modelTree) TypedKey(ev *fyne.KeyEvent) {
	if t.h.onKey != nil && t.h.onKey(ev) {
		return
	}
	t.Tree.TypedKey(ev)
}

// treeRow is one row of the tree: the node's icon and label. Dragging it
// onto another row moves the node there.
type treeRow struct {
	widget.BaseWidget
	h     *hierarchy
	uid   string
	icon  *widget.Icon
	label *widget.Label
	drop  *canvas.Rectangle // shown while something is dragged over the row

	dragAt   fyne.Position // the pointer, while this row is dragged
	dragging bool
	over     *treeRow // the row under the pointer
}

func newTreeRow(h *hierarchy) *treeRow {
	r := &treeRow{h: h, icon: widget.NewIcon(nil), label: widget.NewLabel("")}
	r.label.Truncation = fyne.TextTruncateEllipsis
	r.drop = canvas.NewRectangle(color.Transparent)
	r.drop.StrokeWidth = 2
	r.drop.CornerRadius = 4
	r.drop.Hide()
	r.ExtendBaseWidget(r)
	return r
}

func (r *treeRow) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewStack(r.drop,
		container.NewBorder(nil, nil, r.icon, nil, r.label)))
}

func (r *treeRow) set(uid string) {
	if r.uid == "" {
		// A row the tree shows (the tree also makes rows only to measure
		// them, which are never set and must not be kept).
		r.h.rowsMu.Lock()
		r.h.rows[r] = true
		r.h.rowsMu.Unlock()
	}
	r.uid = uid
	// Unchanged text is not set again: setting it reshapes the text.
	if res := iconResource(r.h.model.iconName(uid)); r.icon.Resource != res {
		r.icon.SetResource(res)
	}
	if l := r.h.model.label(uid); r.label.Text != l {
		r.label.SetText(l)
	}
}

// Dragged follows the pointer and marks the row under it.
func (r *treeRow) Dragged(ev *fyne.DragEvent) {
	switch {
	case !ev.AbsolutePosition.IsZero(): // a real pointer
		r.dragAt = ev.AbsolutePosition
	case !r.dragging: // a synthetic drag (Fyne's test driver): from the press point by the delta
		r.dragAt = fyne.CurrentApp().Driver().AbsolutePositionForObject(r).Add(ev.Position).AddXY(ev.Dragged.DX, ev.Dragged.DY)
	default:
		r.dragAt = r.dragAt.AddXY(ev.Dragged.DX, ev.Dragged.DY)
	}
	r.dragging = true
	over := r.h.rowAt(r.dragAt)
	if over == r {
		over = nil
	}
	if over != r.over {
		if r.over != nil {
			r.over.mark(false)
		}
		if over != nil {
			over.mark(true)
		}
		r.over = over
	}
}

// DragEnd drops this row's node on the row under the pointer.
func (r *treeRow) DragEnd() {
	r.dragging = false
	if r.over != nil {
		r.over.mark(false)
		r.over = nil
	}
	dst := r.h.rowAt(r.dragAt)
	if dst == nil && r.h.onDropOut != nil && r.h.onDropOut(r.uid, r.dragAt) {
		return
	}
	if dst == nil || dst == r || r.h.onDrop == nil {
		return
	}
	r.h.onDrop(r.uid, dst.uid)
}

func (r *treeRow) mark(on bool) {
	if on {
		r.drop.StrokeColor = theme.Color(theme.ColorNamePrimary)
		r.drop.FillColor = theme.Color(theme.ColorNameHover)
		r.drop.Show()
	} else {
		r.drop.Hide()
	}
	r.drop.Refresh()
}
