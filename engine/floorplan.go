package engine

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// PlanPoint is a point of a floor plan, in plan units (FloorPlan.Scale
// metres each). X grows to the right, Y downwards (north is up).
type PlanPoint struct{ X, Y float64 }

// PlanShape is one room drawn on a floor plan: a polygon of at least 3
// points (a rectangle is 4), clockwise or not, linked to the space it
// shows.
type PlanShape struct {
	// SpaceID is the room, a space under the plan's floor; zero: the
	// shape is not linked yet.
	SpaceID ID
	Points  []PlanPoint
}

// PlanItem is a device or sensor placed on a floor plan at X, Y.
type PlanItem struct {
	ID   ID
	X, Y float64
}

// FloorPlan is the 2D plan of one floor: the rooms drawn on it, the
// devices and sensors placed on it, and the name of the background
// drawing traced over (the application keeps its bytes). Like every
// stored object it is immutable once in the graph: change a Clone and put
// that.
type FloorPlan struct {
	FloorID ID // the floor space (the key)
	// Scale is metres per plan unit; 0 means 1.
	Scale float64
	// Width and Height are the drawing area in plan units; PutFloorPlan
	// makes 0 DefaultPlanWidth and DefaultPlanHeight.
	Width, Height float64
	// Grid is the snap step in plan units; 0 means DefaultPlanGrid.
	Grid       float64
	Shapes     []PlanShape
	Items      []PlanItem
	Background string // name of the background drawing; "" none
}

// Defaults and bounds of floor plans.
const (
	DefaultPlanWidth  = 40.0
	DefaultPlanHeight = 25.0
	DefaultPlanGrid   = 0.5
	// MaxPlanSize bounds Width, Height and every coordinate (in plan
	// units); MaxPlanShapes, MaxPlanPoints and MaxPlanItems bound the
	// lists.
	MaxPlanSize   = 1e6
	MaxPlanShapes = 10000
	MaxPlanPoints = 1000 // per shape
	MaxPlanItems  = 10000
	// MaxPlanBackgroundName bounds the length of Background.
	MaxPlanBackgroundName = 255
)

func (p *FloorPlan) Kind() Kind    { return KindFloorPlan }
func (p *FloorPlan) ObjectKey() ID { return p.FloorID }

// MetresPerUnit is Scale, or 1 when Scale is 0.
func (p *FloorPlan) MetresPerUnit() float64 {
	if p.Scale <= 0 {
		return 1
	}
	return p.Scale
}

// GridStep is Grid, or DefaultPlanGrid when Grid is 0.
func (p *FloorPlan) GridStep() float64 {
	if p.Grid <= 0 {
		return DefaultPlanGrid
	}
	return p.Grid
}

// Area is the polygon's area in plan units² (shoelace formula, absolute).
func (s PlanShape) Area() float64 {
	n := len(s.Points)
	if n < 3 {
		return 0
	}
	sum := 0.0
	for i := range n {
		a, b := s.Points[i], s.Points[(i+1)%n]
		sum += a.X*b.Y - b.X*a.Y
	}
	return math.Abs(sum) / 2
}

// Centre is the mean of the shape's points (a label position).
func (s PlanShape) Centre() PlanPoint {
	var c PlanPoint
	for _, p := range s.Points {
		c.X += p.X
		c.Y += p.Y
	}
	if n := float64(len(s.Points)); n > 0 {
		c.X /= n
		c.Y /= n
	}
	return c
}

// Contains reports whether pt lies inside the polygon (even-odd rule).
func (s PlanShape) Contains(pt PlanPoint) bool {
	in := false
	n := len(s.Points)
	for i, j := 0, n-1; i < n; j, i = i, i+1 {
		a, b := s.Points[i], s.Points[j]
		if (a.Y > pt.Y) != (b.Y > pt.Y) && pt.X < (b.X-a.X)*(pt.Y-a.Y)/(b.Y-a.Y)+a.X {
			in = !in
		}
	}
	return in
}

// Rect returns the points of the rectangle x, y, w, h, clockwise from the
// top left (Y grows downwards).
func Rect(x, y, w, h float64) []PlanPoint {
	return []PlanPoint{{x, y}, {x + w, y}, {x + w, y + h}, {x, y + h}}
}

// AreaM2 is shape i's area in m² (plan units² times Scale²); 0 for an
// index out of range.
func (p *FloorPlan) AreaM2(i int) float64 {
	if i < 0 || i >= len(p.Shapes) {
		return 0
	}
	m := p.MetresPerUnit()
	return p.Shapes[i].Area() * m * m
}

// ShapeOf returns the index of the shape linked to space, or -1.
func (p *FloorPlan) ShapeOf(space ID) int {
	if space.IsZero() {
		return -1
	}
	for i := range p.Shapes {
		if p.Shapes[i].SpaceID == space {
			return i
		}
	}
	return -1
}

// ItemOf returns the index of the item placing device or sensor id, or -1.
func (p *FloorPlan) ItemOf(id ID) int {
	for i := range p.Items {
		if p.Items[i].ID == id {
			return i
		}
	}
	return -1
}

// Clone returns a deep copy of p that may be changed freely.
func (p *FloorPlan) Clone() *FloorPlan {
	c := *p
	c.Items = cloneSlice(p.Items)
	if p.Shapes != nil {
		c.Shapes = make([]PlanShape, len(p.Shapes))
		for i, s := range p.Shapes {
			c.Shapes[i] = PlanShape{SpaceID: s.SpaceID, Points: cloneSlice(s.Points)}
		}
	}
	return &c
}

// FloorPlan returns the plan of floor, if it has one.
func (v *View) FloorPlan(floor ID) (*FloorPlan, bool) {
	p, ok := v.g.floorPlans[floor]
	return p, ok
}

// FloorPlans returns every floor plan, by the name path of its floor.
func (v *View) FloorPlans() []*FloorPlan {
	out := make([]*FloorPlan, 0, len(v.g.floorPlans))
	for _, p := range v.g.floorPlans {
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b *FloorPlan) int {
		if c := strings.Compare(v.FullName(a.FloorID), v.FullName(b.FloorID)); c != 0 {
			return c
		}
		return strings.Compare(a.FloorID.String(), b.FloorID.String())
	})
	return out
}

// PutFloorPlan creates or replaces the plan of p.FloorID. The floor must
// exist (ErrNotFound). It refuses (ErrInvalid, naming the field as in
// "shapes[2].spaceId: …") negative or non-finite sizes, a shape of fewer
// than 3 points or with a point out of bounds, a linked space that is not
// under the floor or is linked twice, an item that is no device or sensor
// or is placed twice, and lists beyond the Max bounds. Zero Width and
// Height become DefaultPlanWidth and DefaultPlanHeight. The plan is
// stored as given: do not change it afterwards.
func (tx *Tx) PutFloorPlan(p *FloorPlan) error {
	g := tx.g
	if p == nil {
		return fmt.Errorf("%w: no floor plan", ErrInvalid)
	}
	if g.spaces[p.FloorID] == nil {
		return fmt.Errorf("%w: floor %s", ErrNotFound, p.FloorID)
	}
	if p.Width == 0 {
		p.Width = DefaultPlanWidth
	}
	if p.Height == 0 {
		p.Height = DefaultPlanHeight
	}
	if err := tx.checkFloorPlan(p); err != nil {
		return fmt.Errorf("floor plan of %q: %w", g.spaces[p.FloorID].s.Name, err)
	}
	putSimple(tx, g.floorPlans, p.FloorID, p)
	return nil
}

// DeleteFloorPlan deletes the plan of floor (ErrNotFound if it has none).
func (tx *Tx) DeleteFloorPlan(floor ID) error {
	if _, ok := tx.g.floorPlans[floor]; !ok {
		return fmt.Errorf("%w: floor plan of %s", ErrNotFound, floor)
	}
	delSimple(tx, KindFloorPlan, tx.g.floorPlans, floor)
	tx.del(KindFloorPlan, floor)
	return nil
}

func planErr(field, format string, args ...any) error {
	return fmt.Errorf("%w: %s: %s", ErrInvalid, field, fmt.Sprintf(format, args...))
}

func finiteIn(x, lo, hi float64) bool { return !math.IsNaN(x) && x >= lo && x <= hi }

func (tx *Tx) checkFloorPlan(p *FloorPlan) error {
	for _, f := range []struct {
		name string
		v    float64
	}{{"scale", p.Scale}, {"width", p.Width}, {"height", p.Height}, {"grid", p.Grid}} {
		if !finiteIn(f.v, 0, MaxPlanSize) {
			return planErr(f.name, "%v is not a number from 0 to %g", f.v, MaxPlanSize)
		}
	}
	if len(p.Background) > MaxPlanBackgroundName || strings.ContainsAny(p.Background, "/\\\x00") {
		return planErr("background", "%q is not a file name of at most %d bytes", p.Background, MaxPlanBackgroundName)
	}
	if len(p.Shapes) > MaxPlanShapes {
		return planErr("shapes", "%d shapes, at most %d", len(p.Shapes), MaxPlanShapes)
	}
	if len(p.Items) > MaxPlanItems {
		return planErr("items", "%d items, at most %d", len(p.Items), MaxPlanItems)
	}
	linked := map[ID]int{}
	for i, s := range p.Shapes {
		if err := tx.checkShape(p.FloorID, s, linked, i); err != nil {
			return err
		}
	}
	placed := map[ID]int{}
	for i, it := range p.Items {
		field := fmt.Sprintf("items[%d]", i)
		if tx.g.devices[it.ID] == nil && tx.g.sensors[it.ID] == nil {
			return fmt.Errorf("%w: %s.id: no device or sensor %s", ErrInvalid, field, it.ID)
		}
		if j, dup := placed[it.ID]; dup {
			return planErr(field+".id", "%s is placed already by items[%d]", it.ID, j)
		}
		placed[it.ID] = i
		if !finiteIn(it.X, -MaxPlanSize, MaxPlanSize) || !finiteIn(it.Y, -MaxPlanSize, MaxPlanSize) {
			return planErr(field, "position %v, %v out of bounds", it.X, it.Y)
		}
	}
	return nil
}

func (tx *Tx) checkShape(floor ID, s PlanShape, linked map[ID]int, i int) error {
	field := fmt.Sprintf("shapes[%d]", i)
	if len(s.Points) < 3 || len(s.Points) > MaxPlanPoints {
		return planErr(field+".points", "%d points, want 3 to %d", len(s.Points), MaxPlanPoints)
	}
	for j, pt := range s.Points {
		if !finiteIn(pt.X, -MaxPlanSize, MaxPlanSize) || !finiteIn(pt.Y, -MaxPlanSize, MaxPlanSize) {
			return planErr(fmt.Sprintf("%s.points[%d]", field, j), "%v, %v out of bounds", pt.X, pt.Y)
		}
	}
	if s.SpaceID.IsZero() {
		return nil
	}
	if tx.g.spaces[s.SpaceID] == nil {
		return planErr(field+".spaceId", "no space %s", s.SpaceID)
	}
	if s.SpaceID == floor || !tx.IsWithin(s.SpaceID, floor) {
		return planErr(field+".spaceId", "space %q is not under the floor", tx.g.spaces[s.SpaceID].s.Name)
	}
	if j, dup := linked[s.SpaceID]; dup {
		return planErr(field+".spaceId", "space %q is linked already by shapes[%d]", tx.g.spaces[s.SpaceID].s.Name, j)
	}
	linked[s.SpaceID] = i
	return nil
}

// replacePlan stores c, a changed copy of a plan in the graph, without
// checking it (the cascades below only remove references).
func (tx *Tx) replacePlan(c *FloorPlan) { putSimple(tx, tx.g.floorPlans, c.FloorID, c) }

// planDropItem removes the items placing device or sensor id from every
// plan (the object is being deleted).
func (tx *Tx) planDropItem(id ID) {
	for _, p := range tx.g.floorPlans {
		if p.ItemOf(id) < 0 {
			continue
		}
		c := p.Clone()
		c.Items = slices.DeleteFunc(c.Items, func(it PlanItem) bool { return it.ID == id })
		tx.replacePlan(c)
	}
}

// planUnlink deletes the plans of the floors in gone and unlinks the
// shapes of other plans linked to a space in gone (the spaces are being
// deleted).
func (tx *Tx) planUnlink(gone map[ID]bool) {
	for floor, p := range tx.g.floorPlans {
		if gone[floor] {
			_ = tx.DeleteFloorPlan(floor) // it exists
			continue
		}
		tx.unlinkShapes(p, func(space ID) bool { return gone[space] })
	}
}

// planRecheckLinks unlinks the shapes linked to a space that no longer
// lies under their plan's floor (after a move).
func (tx *Tx) planRecheckLinks() {
	for floor, p := range tx.g.floorPlans {
		tx.unlinkShapes(p, func(space ID) bool { return space == floor || !tx.IsWithin(space, floor) })
	}
}

func (tx *Tx) unlinkShapes(p *FloorPlan, drop func(space ID) bool) {
	var c *FloorPlan
	for i, s := range p.Shapes {
		if s.SpaceID.IsZero() || !drop(s.SpaceID) {
			continue
		}
		if c == nil {
			c = p.Clone()
		}
		c.Shapes[i].SpaceID = NilID
	}
	if c != nil {
		tx.replacePlan(c)
	}
}
