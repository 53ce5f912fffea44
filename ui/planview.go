package ui

import (
	"image"
	"image/color"
	"math"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/twinstudio/twinstudio/app/planpaint"
	"github.com/twinstudio/twinstudio/engine"
)

// planShape is one room of the plan view: its polygon, the space it is
// linked to (zero: none), and what the view shows of it.
type planShape struct {
	pts   []planpaint.Point
	space engine.ID
	label string      // drawn in the middle: the room's name, "" unlinked
	fill  color.NRGBA // the live colour
	hover string      // the hover text: name, area and values
}

// planItem is a device or sensor placed on the plan.
type planItem struct {
	id      engine.ID
	kind    engine.Kind // KindDevice or KindSensor
	x, y    float64
	icon    fyne.Resource
	offline bool // a device not connected (or a sensor of one)
}

// planModel is what the plan view draws and edits: plain data, filled by
// the Plan tab from the project.
type planModel struct {
	w, h, grid float64 // plan units
	bg         fyne.Resource
	shapes     []planShape
	items      []planItem
}

// planTool is the plan view's pointer tool.
type planTool int

const (
	toolSelect  planTool = iota // tap selects a room, drag moves it or a handle or an item
	toolRect                    // drag draws a rectangle
	toolPolygon                 // taps add points; a double tap or the first point closes
	toolPlace                   // the next tap places the device waiting to be placed
)

// planView is the Plan tab's canvas: the background, the grid, the rooms
// as filled polygons with labels, the placed devices with their icons
// (offline ones marked) and the selected room's vertex handles. Edits
// change its model in place and are handed to onEdit once finished (the
// tab stores them through the editor and reloads). It is used on Fyne's
// goroutine only.
type planView struct {
	widget.BaseWidget
	m        *planModel
	tool     planTool
	selected int // the selected shape, -1 none
	hovered  int // the shape under the pointer, -1 none
	draft    []planpaint.Point

	onEdit  func(label string)            // the model's geometry changed
	onPick  func(i int)                   // shape i was tapped (select tool)
	onPlace func(at planpaint.Point)      // a tap with the place tool
	onHover func(i int, at fyne.Position) // the pointer moved over shape i (-1: none)

	drag planDrag
	r    *planRenderer
}

// planDrag is a drag in progress.
type planDrag struct {
	on         bool
	start, cur fyne.Position // view coordinates
	what       int           // dragNothing, dragRect, dragShape, dragVertex, dragItem
	index, vtx int
	orig       []planpaint.Point // the shape's points when the drag began
	ox, oy     float64           // the item's position when the drag began
}

const (
	dragNothing = iota
	dragRect
	dragShape
	dragVertex
	dragItem
)

const (
	planMargin = 12 // units around the drawing area
	handleSize = 8
	itemSize   = 20
)

func newPlanView(m *planModel) *planView {
	v := &planView{m: m, selected: -1, hovered: -1}
	v.ExtendBaseWidget(v)
	return v
}

// fit maps plan units to view coordinates.
func (v *planView) fit() planpaint.Fit {
	s := v.Size()
	return planpaint.FitTo(v.m.w, v.m.h, int(s.Width), int(s.Height), planMargin)
}

// unit is view position p in plan units.
func (v *planView) unit(p fyne.Position) planpaint.Point {
	return v.fit().Unit(float64(p.X), float64(p.Y))
}

// pos is plan point p in view coordinates.
func (v *planView) pos(p planpaint.Point) fyne.Position {
	x, y := v.fit().Px(p)
	return fyne.NewPos(float32(x), float32(y))
}

// snap is p on the grid, inside the drawing area.
func (v *planView) snap(p planpaint.Point) planpaint.Point {
	g := v.m.grid
	if g <= 0 {
		g = 0.5
	}
	r := func(x, hi float64) float64 { return math.Max(0, math.Min(hi, math.Round(x/g)*g)) }
	return planpaint.Point{X: r(p.X, v.m.w), Y: r(p.Y, v.m.h)}
}

// shapeAt is the topmost shape containing view position p, or -1.
func (v *planView) shapeAt(p fyne.Position) int {
	u := v.unit(p)
	for i := len(v.m.shapes) - 1; i >= 0; i-- {
		if planpaint.Inside(v.m.shapes[i].pts, u) {
			return i
		}
	}
	return -1
}

// itemAt is the placed item whose icon is under view position p, or -1.
func (v *planView) itemAt(p fyne.Position) int {
	for i := len(v.m.items) - 1; i >= 0; i-- {
		c := v.pos(planpaint.Point{X: v.m.items[i].x, Y: v.m.items[i].y})
		if abs32(p.X-c.X) <= itemSize/2 && abs32(p.Y-c.Y) <= itemSize/2 {
			return i
		}
	}
	return -1
}

// vertexAt is the selected shape's vertex whose handle is under p, or -1.
func (v *planView) vertexAt(p fyne.Position) int {
	if v.selected < 0 || v.selected >= len(v.m.shapes) {
		return -1
	}
	for j, q := range v.m.shapes[v.selected].pts {
		c := v.pos(q)
		if abs32(p.X-c.X) <= handleSize && abs32(p.Y-c.Y) <= handleSize {
			return j
		}
	}
	return -1
}

func abs32(x float32) float32 { return float32(math.Abs(float64(x))) }

// setTool switches the tool, dropping a polygon being drawn.
func (v *planView) setTool(t planTool) {
	v.tool, v.draft = t, nil
	v.Refresh()
}

// Tapped selects, adds a polygon point or places, by tool.
func (v *planView) Tapped(ev *fyne.PointEvent) {
	switch v.tool {
	case toolSelect:
		v.selected = v.shapeAt(ev.Position)
		v.Refresh()
		if v.onPick != nil {
			v.onPick(v.selected)
		}
	case toolPolygon:
		p := v.snap(v.unit(ev.Position))
		if len(v.draft) >= 3 {
			if c := v.pos(v.draft[0]); abs32(c.X-ev.Position.X) <= handleSize && abs32(c.Y-ev.Position.Y) <= handleSize {
				v.closePolygon()
				return
			}
		}
		if n := len(v.draft); n == 0 || v.draft[n-1] != p {
			v.draft = append(v.draft, p)
		}
		v.Refresh()
	case toolPlace:
		v.tool = toolSelect
		if v.onPlace != nil {
			v.onPlace(v.snap(v.unit(ev.Position)))
		}
	}
}

// DoubleTapped closes the polygon being drawn.
func (v *planView) DoubleTapped(ev *fyne.PointEvent) {
	if v.tool == toolPolygon {
		v.Tapped(ev)
		v.closePolygon()
		return
	}
	v.Tapped(ev)
}

// closePolygon adds the drawn polygon as a new shape, if it has 3 points.
func (v *planView) closePolygon() {
	pts := v.draft
	v.draft = nil
	if len(pts) >= 3 && planpaint.Area(pts) > 0 {
		v.addShape(pts)
		return
	}
	v.Refresh()
}

func (v *planView) addShape(pts []planpaint.Point) {
	v.m.shapes = append(v.m.shapes, planShape{pts: pts, fill: planpaint.Unknown})
	v.selected = len(v.m.shapes) - 1
	v.Refresh()
	if v.onEdit != nil {
		v.onEdit("Draw room")
	}
}

// Dragged draws a rectangle, or moves a shape, a vertex or an item.
func (v *planView) Dragged(ev *fyne.DragEvent) {
	d := &v.drag
	if !d.on {
		// Fyne's test driver sends one event at the press point with the
		// whole delta; a real pointer is already past its first delta.
		d.start = ev.Position
		if !ev.AbsolutePosition.IsZero() {
			d.start = ev.Position.Subtract(ev.Dragged)
		}
		d.cur, d.on = d.start, true
		v.beginDrag()
	}
	d.cur = d.cur.Add(ev.Dragged)
	v.followDrag()
	v.Refresh()
}

// beginDrag decides what the drag moves.
func (v *planView) beginDrag() {
	d := &v.drag
	d.what = dragNothing
	switch v.tool {
	case toolRect:
		d.what = dragRect
	case toolSelect:
		if j := v.vertexAt(d.start); j >= 0 {
			d.what, d.index, d.vtx = dragVertex, v.selected, j
		} else if i := v.itemAt(d.start); i >= 0 {
			d.what, d.index, d.ox, d.oy = dragItem, i, v.m.items[i].x, v.m.items[i].y
		} else if i := v.shapeAt(d.start); i >= 0 {
			d.what, d.index = dragShape, i
			v.selected = i
		}
		if d.what == dragShape || d.what == dragVertex {
			d.orig = append([]planpaint.Point(nil), v.m.shapes[d.index].pts...)
		}
	}
}

// followDrag updates the model (or the rectangle drawn) to the pointer.
func (v *planView) followDrag() {
	d := &v.drag
	a, b := v.unit(d.start), v.unit(d.cur)
	dx, dy := b.X-a.X, b.Y-a.Y
	switch d.what {
	case dragRect:
		p, q := v.snap(a), v.snap(b)
		v.draft = []planpaint.Point{p, {X: q.X, Y: p.Y}, q, {X: p.X, Y: q.Y}}
	case dragVertex:
		v.m.shapes[d.index].pts[d.vtx] = v.snap(planpaint.Point{X: d.orig[d.vtx].X + dx, Y: d.orig[d.vtx].Y + dy})
	case dragShape:
		// The first vertex snaps; the others keep their offsets from it.
		o := v.snap(planpaint.Point{X: d.orig[0].X + dx, Y: d.orig[0].Y + dy})
		sx, sy := o.X-d.orig[0].X, o.Y-d.orig[0].Y
		for j, p := range d.orig {
			v.m.shapes[d.index].pts[j] = planpaint.Point{X: p.X + sx, Y: p.Y + sy}
		}
	case dragItem:
		p := v.snap(planpaint.Point{X: d.ox + dx, Y: d.oy + dy})
		v.m.items[d.index].x, v.m.items[d.index].y = p.X, p.Y
	}
}

// DragEnd finishes the drag as one edit.
func (v *planView) DragEnd() {
	d := &v.drag
	d.on = false
	label := ""
	switch d.what {
	case dragRect:
		pts := v.draft
		v.draft = nil
		if planpaint.Area(pts) > 0 {
			v.addShape(pts)
			return
		}
	case dragVertex:
		label = "Resize room"
	case dragShape:
		label = "Move room"
	case dragItem:
		label = "Move device on plan"
	}
	v.Refresh()
	if label != "" && v.onEdit != nil && v.unit(d.start) != v.unit(d.cur) {
		v.onEdit(label)
	}
}

// MouseIn, MouseMoved and MouseOut follow the hovered shape.
func (v *planView) MouseIn(ev *desktop.MouseEvent)    { v.hover(ev.Position) }
func (v *planView) MouseMoved(ev *desktop.MouseEvent) { v.hover(ev.Position) }
func (v *planView) MouseOut()                         { v.hover(fyne.NewPos(-1e6, -1e6)) }

func (v *planView) hover(p fyne.Position) {
	i := v.shapeAt(p)
	changed := i != v.hovered
	v.hovered = i
	if v.onHover != nil {
		v.onHover(i, p)
	}
	if v.r != nil {
		v.r.tipAt = p
		v.r.tipText()
		v.r.layoutTip(v.Size())
		if changed {
			v.r.raster.Refresh()
		}
	}
}

// scene is the model as planpaint draws it: the rooms in their live
// colours, the selected one outlined thicker, the hovered one lighter, and
// the shape being drawn.
func (v *planView) scene() *planpaint.Scene { return v.sceneInto(&planpaint.Scene{}) }

// sceneInto is scene built in s, reusing its shapes' slice.
func (v *planView) sceneInto(s *planpaint.Scene) *planpaint.Scene {
	grid := theme.Color(theme.ColorNameSeparator)
	fg := theme.Color(theme.ColorNameForeground)
	*s = planpaint.Scene{W: v.m.w, H: v.m.h, Grid: v.m.grid, GridColour: nrgba(grid, 0xa0), Shapes: s.Shapes[:0]}
	if v.m.bg == nil {
		s.Paper = nrgba(theme.Color(theme.ColorNameInputBackground), 0xff)
	}
	for i, sh := range v.m.shapes {
		f := sh.fill
		if i == v.hovered {
			f.A = 0xf0
		}
		stroke := planpaint.Outline(sh.fill)
		if sh.fill == planpaint.Unknown || i == v.selected {
			stroke = nrgba(fg, 0xa0)
		}
		s.Shapes = append(s.Shapes, planpaint.Shape{Points: sh.pts, Fill: f, Stroke: stroke, Thick: i == v.selected})
	}
	if len(v.draft) > 0 {
		fg := nrgba(theme.Color(theme.ColorNamePrimary), 0xff)
		s.Shapes = append(s.Shapes, planpaint.Shape{Points: v.draft, Stroke: fg, Fill: nrgba(fg, 0x40), Thick: true})
	}
	return s
}

// nrgba is c with alpha a.
func nrgba(c color.Color, a uint8) color.NRGBA {
	n := color.NRGBAModel.Convert(c).(color.NRGBA)
	n.A = a
	return n
}

func (v *planView) CreateRenderer() fyne.WidgetRenderer {
	r := &planRenderer{v: v, bg: canvas.NewImageFromResource(nil), noBg: canvas.NewRectangle(color.Transparent)}
	r.bg.FillMode = canvas.ImageFillStretch
	r.raster = canvas.NewRaster(r.draw)
	r.tip = widget.NewLabel("")
	r.tipBg = canvas.NewRectangle(theme.Color(theme.ColorNameOverlayBackground))
	r.tipBg.StrokeColor, r.tipBg.StrokeWidth, r.tipBg.CornerRadius = theme.Color(theme.ColorNameSeparator), 1, 4
	r.tip.Hide()
	r.tipBg.Hide()
	v.r = r
	return r
}

// planRenderer draws a planView. A refresh costs what changed: the
// rooms are repainted only where their points or colours changed (none:
// the raster is not refreshed at all), a label's text is set and
// measured only when its name or room changed, and the object list is
// rebuilt only when the number of rooms, items or handles changed.
type planRenderer struct {
	v       *planView
	bg      *canvas.Image
	noBg    *canvas.Rectangle // in bg's place when the plan has no background
	raster  *canvas.Raster
	painter planpaint.Painter
	scene   planpaint.Scene // reused by each paint
	labels  []*canvas.Text
	pills   []*canvas.Rectangle // behind each label over a background drawing, so it reads on any paper
	placed  []labelPlace        // where each label was placed, and for which text
	objects []fyne.CanvasObject // nil: to be rebuilt
	objKey  objectsKey
	items   []*canvas.Image
	discs   []*canvas.Circle // behind each item over a background drawing
	marks   []*canvas.Circle
	hands   []*canvas.Rectangle
	tip     *widget.Label // the hovered room's name and values
	tipBg   *canvas.Rectangle
	tipAt   fyne.Position // the pointer
}

// labelPlace is where a label was placed: the room's name and the
// corners of its bounding box in view coordinates.
type labelPlace struct {
	name string
	a, b fyne.Position
}

// draw rasterises the rooms at w×h pixels, repainting what changed since
// the last time.
func (r *planRenderer) draw(w, h int) image.Image {
	t0 := time.Now()
	f := r.v.fit()
	if s := r.v.Size(); s.Width > 0 {
		k := float64(w) / float64(s.Width)
		f = planpaint.Fit{K: f.K * k, OX: f.OX * k, OY: f.OY * k}
	}
	img, _ := r.painter.Paint(r.v.sceneInto(&r.scene), f, w, h)
	frameStats.painted(time.Since(t0))
	return img
}

func (r *planRenderer) Layout(size fyne.Size) {
	r.raster.Resize(size)
	v := r.v
	if v.m.bg != nil {
		a, b := v.pos(planpaint.Point{}), v.pos(planpaint.Point{X: v.m.w, Y: v.m.h})
		r.bg.Move(a)
		r.bg.Resize(fyne.NewSize(b.X-a.X, b.Y-a.Y))
	}
	for i, t := range r.labels {
		r.placeLabel(t, r.pills[i], &r.placed[i], v.m.shapes[i])
	}
	for i, im := range r.items {
		it := v.m.items[i]
		p := v.pos(planpaint.Point{X: it.x, Y: it.y})
		im.Move(fyne.NewPos(p.X-itemSize/2, p.Y-itemSize/2))
		im.Resize(fyne.NewSquareSize(itemSize))
		r.discs[i].Move(fyne.NewPos(p.X-itemSize/2-2, p.Y-itemSize/2-2))
		r.discs[i].Resize(fyne.NewSquareSize(itemSize + 4))
		r.marks[i].Move(fyne.NewPos(p.X+itemSize/2-7, p.Y-itemSize/2-1))
		r.marks[i].Resize(fyne.NewSquareSize(8))
	}
	if v.selected >= 0 && v.selected < len(v.m.shapes) {
		for j, h := range r.hands {
			p := v.pos(v.m.shapes[v.selected].pts[j])
			h.Move(fyne.NewPos(p.X-handleSize/2, p.Y-handleSize/2))
			h.Resize(fyne.NewSquareSize(handleSize))
		}
	}
	r.layoutTip(size)
}

// layoutTip puts the tip beside the pointer, inside the view.
func (r *planRenderer) layoutTip(size fyne.Size) {
	ms := r.tip.MinSize()
	p := r.tipAt.AddXY(14, 14)
	p.X = max(0, min(p.X, size.Width-ms.Width))
	p.Y = max(0, min(p.Y, size.Height-ms.Height))
	r.tip.Move(p)
	r.tip.Resize(ms)
	r.tipBg.Move(p)
	r.tipBg.Resize(ms)
}

func (r *planRenderer) MinSize() fyne.Size { return fyne.NewSize(200, 150) }

// Refresh updates the labels, icons and handles and redraws the rooms
// that changed.
func (r *planRenderer) Refresh() {
	t0 := time.Now()
	defer func() { frameStats.refreshed(time.Since(t0)) }()
	v := r.v
	if v.m.bg != r.bg.Resource {
		r.bg.Resource = v.m.bg
		r.bg.Refresh()
	}
	fg := theme.Color(theme.ColorNameForeground)
	r.labels = resize(r.labels, len(v.m.shapes), func() *canvas.Text {
		t := canvas.NewText("", fg)
		t.TextSize = theme.CaptionTextSize()
		return t
	})
	pill := labelPill()
	r.pills = resize(r.pills, len(v.m.shapes), func() *canvas.Rectangle {
		p := canvas.NewRectangle(pill)
		p.CornerRadius = 3
		return p
	})
	r.placed = resize(r.placed, len(v.m.shapes), func() labelPlace { return labelPlace{} })
	for i, t := range r.labels {
		if t.Color != fg {
			t.Color = fg
			t.Refresh()
		}
		if p := r.pills[i]; p.FillColor != pill {
			p.FillColor = pill
			p.Refresh()
		}
	}
	r.items = resize(r.items, len(v.m.items), func() *canvas.Image { return canvas.NewImageFromResource(nil) })
	r.discs = resize(r.discs, len(v.m.items), func() *canvas.Circle { return canvas.NewCircle(pill) })
	r.marks = resize(r.marks, len(v.m.items), func() *canvas.Circle {
		c := canvas.NewCircle(theme.Color(theme.ColorNameError))
		c.StrokeColor, c.StrokeWidth = theme.Color(theme.ColorNameBackground), 1
		return c
	})
	for i, im := range r.items {
		if im.Resource != v.m.items[i].icon {
			im.Resource = v.m.items[i].icon
			im.Refresh()
		}
		if d := r.discs[i]; d.FillColor != pill {
			d.FillColor = pill
			d.Refresh()
		}
		if m := r.marks[i]; m.Visible() != v.m.items[i].offline {
			if v.m.items[i].offline {
				m.Show()
			} else {
				m.Hide()
			}
			r.objects = nil // hidden marks are left out
		}
	}
	n := 0
	if v.selected >= 0 && v.selected < len(v.m.shapes) {
		n = len(v.m.shapes[v.selected].pts)
	}
	r.hands = resize(r.hands, n, func() *canvas.Rectangle {
		h := canvas.NewRectangle(theme.Color(theme.ColorNameBackground))
		h.StrokeColor, h.StrokeWidth = theme.Color(theme.ColorNamePrimary), 2
		return h
	})
	if k := (objectsKey{len(r.labels), len(r.items), len(r.hands), v.m.bg != nil}); k != r.objKey {
		r.objKey, r.objects = k, nil
	}
	r.tipText()
	r.Layout(v.Size())
	if !r.painter.Same(v.sceneInto(&r.scene)) {
		r.raster.Refresh()
	}
}

// tipText shows the hovered shape's text, or hides the tip.
func (r *planRenderer) tipText() {
	v := r.v
	if v.hovered < 0 || v.hovered >= len(v.m.shapes) || v.m.shapes[v.hovered].hover == "" || v.tool != toolSelect {
		r.tipBg.Hide()
		r.tip.Hide()
		return
	}
	if t := v.m.shapes[v.hovered].hover; r.tip.Text != t {
		r.tip.SetText(t)
	}
	r.tipBg.Show()
	r.tip.Show()
}

// resize is list grown with make or shortened to n.
func resize[T any](list []T, n int, make func() T) []T {
	for len(list) < n {
		list = append(list, make())
	}
	return list[:n]
}

// Objects is the background, the raster, the labels, the items with
// their marks, the handles and the tip; empty labels and hidden marks
// are left out. Fyne walks them on every frame: the list is rebuilt only
// after Refresh or Layout changed it.
func (r *planRenderer) Objects() []fyne.CanvasObject {
	if r.objects != nil {
		return r.objects
	}
	out := make([]fyne.CanvasObject, 0, 4+2*len(r.labels)+2*len(r.items)+len(r.hands))
	if r.v.m.bg != nil {
		out = append(out, r.bg)
	} else {
		out = append(out, r.noBg)
	}
	out = append(out, r.raster)
	for i, t := range r.labels {
		if t.Text != "" {
			if r.v.m.bg != nil {
				out = append(out, r.pills[i])
			}
			out = append(out, t)
		}
	}
	for i := range r.items {
		if r.v.m.bg != nil {
			out = append(out, r.discs[i])
		}
		out = append(out, r.items[i])
		if r.marks[i].Visible() {
			out = append(out, r.marks[i])
		}
	}
	for _, h := range r.hands {
		out = append(out, h)
	}
	r.objects = append(out, r.tipBg, r.tip)
	return r.objects
}

// objectsKey is what the object list depends on.
type objectsKey struct {
	labels, items, hands int
	bg                   bool
}

func (r *planRenderer) Destroy() {}

// placeLabel puts a room's label in the top left corner of its bounding
// box (clear of the devices, which sit inside), shortened to its last
// word when the name is wider than the room, and hidden when even that
// does not fit.
// Over a background drawing the label sits on pill, a patch of the
// theme's background colour, so that it reads on any drawing.
// A label is measured again only when the name or the box changed.
func (r *planRenderer) placeLabel(t *canvas.Text, pill *canvas.Rectangle, at *labelPlace, sh planShape) {
	lo, hi := bounds(sh.pts)
	a, b := r.v.pos(lo), r.v.pos(hi)
	if *at == (labelPlace{sh.label, a, b}) {
		return
	}
	*at = labelPlace{sh.label, a, b}
	text := fitText(sh.label, b.X-a.X-6, t.TextSize)
	if t.Text != text {
		if t.Text == "" || text == "" {
			r.objects = nil // empty labels are left out
		}
		t.Text = text
		t.Refresh()
	}
	t.Move(a.AddXY(4, 2))
	if text != "" {
		pill.Move(a.AddXY(2, 2))
		pill.Resize(t.MinSize().AddWidthHeight(4, 0))
	}
}

// labelPill is the colour behind a room's label and a device's icon over
// a background drawing: the theme's background, a little transparent.
func labelPill() color.NRGBA {
	c := color.NRGBAModel.Convert(theme.Color(theme.ColorNameBackground)).(color.NRGBA)
	c.A = 0xc8
	return c
}

// fitText is text, or its last word, if it fits in width at size; else "".
func fitText(text string, width, size float32) string {
	if text == "" || fyne.MeasureText(text, size, fyne.TextStyle{}).Width <= width {
		return text
	}
	if i := strings.LastIndexByte(text, ' '); i >= 0 {
		if last := text[i+1:]; fyne.MeasureText(last, size, fyne.TextStyle{}).Width <= width {
			return last
		}
	}
	return ""
}

// bounds is the top left and bottom right corners of pts' bounding box.
func bounds(pts []planpaint.Point) (lo, hi planpaint.Point) {
	lo, hi = planpaint.Point{X: math.Inf(1), Y: math.Inf(1)}, planpaint.Point{X: math.Inf(-1), Y: math.Inf(-1)}
	for _, p := range pts {
		lo.X, lo.Y = math.Min(lo.X, p.X), math.Min(lo.Y, p.Y)
		hi.X, hi.Y = math.Max(hi.X, p.X), math.Max(hi.Y, p.Y)
	}
	return lo, hi
}
