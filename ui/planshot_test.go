package ui

import (
	"math"
	"testing"

	"github.com/twinstudio/twinstudio/engine"
)

// planShots shoots the Plan tab (plan.png) while a simulation runs: the
// first floor coloured by occupancy. A floor without a plan gets one laid
// out here, a rectangle per child space in rows, its devices in the
// middle.
func planShots(t *testing.T, s *Studio, shot func(string)) {
	t.Helper()
	s.showPlan()
	p := s.plan
	if fp, ok := s.app.FloorPlan(p.floor); !ok || len(fp.Shapes) == 0 {
		layOutRooms(t, p)
	}
	s.tick()
	p.colourSel.SetSelected(colourOccupancy)
	p.recolour()
	shot("plan.png")
	s.showSimulation()
}

// layOutRooms stores a plan of p's floor: its child spaces as 8×6 unit
// rooms in rows, each with its devices placed inside.
func layOutRooms(t *testing.T, p *planTab) {
	t.Helper()
	names, ids := p.children()
	cols := max(1, int(math.Ceil(math.Sqrt(float64(len(names))*1.6))))
	rows := (len(names) + cols - 1) / cols
	fp := &engine.FloorPlan{FloorID: p.floor, Scale: 0.5, Grid: 0.5,
		Width: float64(cols)*9 + 1, Height: float64(rows)*7 + 1}
	p.m.view(func(v *engine.View) {
		for i, id := range ids {
			x, y := 1+float64(i%cols)*9, 1+float64(i/cols)*7
			fp.Shapes = append(fp.Shapes, engine.PlanShape{SpaceID: id,
				Points: []engine.PlanPoint{{X: x, Y: y}, {X: x + 8, Y: y}, {X: x + 8, Y: y + 6}, {X: x, Y: y + 6}}})
			for j, d := range v.SpaceDevices(id) {
				fp.Items = append(fp.Items, engine.PlanItem{ID: d.ID, X: x + 1 + float64(j), Y: y + 5})
			}
		}
	})
	if err := p.store("Lay out rooms", fp, ""); err != nil {
		t.Fatal(err)
	}
}
