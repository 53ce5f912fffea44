package bench

import (
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/twinstudio/twinstudio/app/planpaint"
)

// Plan frame sizes: the rooms of plan_500_rooms_ms and the pixels they are
// drawn into (a studio Plan tab on a large screen).
const (
	planRooms           = 500
	planW, planH        = 1280, 800
	planCols, planRoomU = 25, 4.0 // 25 rooms a row, 4×4 units each
)

// planScene is 500 rooms of 4×4 plan units in rows of 25, with a grid.
func planScene() *planpaint.Scene {
	s := &planpaint.Scene{W: planCols * planRoomU, H: planRooms / planCols * planRoomU, Grid: 0.5,
		GridColour: planpaint.Unknown}
	for i := range planRooms {
		x, y := float64(i%planCols)*planRoomU, float64(i/planCols)*planRoomU
		s.Shapes = append(s.Shapes, planpaint.Shape{Points: []planpaint.Point{
			{X: x, Y: y}, {X: x + planRoomU, Y: y}, {X: x + planRoomU, Y: y + planRoomU}, {X: x, Y: y + planRoomU}}})
	}
	return s
}

// planFrame recolours every room of s from a value that moves with frame
// (as 500 temperature readings would) and paints s through p, as the
// studio's plan view does when its rooms' colours change; every room
// changes, so p repaints the whole picture.
func planFrame(s *planpaint.Scene, p *planpaint.Painter, f planpaint.Fit, frame int) {
	for i := range s.Shapes {
		v := 21 + 4*math.Sin(float64(frame)/3+float64(i)/7)
		c := planpaint.Ramp(v, 17, 25)
		s.Shapes[i].Fill, s.Shapes[i].Stroke = c, planpaint.Outline(c)
	}
	p.Paint(s, f, planW, planH)
}

// benchPlan measures plan_500_rooms_ms: the part of a frame of the
// studio's Plan tab that package app can run without Fyne, for 500 rooms
// whose values all changed: recolouring every room on the colour scale
// and repainting the plan (grid, filled polygons, outlines) into a
// 1280×800 image through planpaint.Painter, median of 31 frames. Not
// included: reading the values from the engine, the room labels, device
// icons and hover text, and Fyne's drawing of the window (package app
// may not import the studio or Fyne; the ui package's
// BenchmarkPlanTab500 and TWINSTUDIO_FRAMESTATS=1 measure those).
func benchPlan(Config) ([]Row, error) {
	s := planScene()
	var p planpaint.Painter
	f := planpaint.FitTo(s.W, s.H, planW, planH, 8)
	planFrame(s, &p, f, 0)
	ms := make([]float64, 31)
	for i := range ms {
		t0 := time.Now()
		planFrame(s, &p, f, i+1)
		ms[i] = float64(time.Since(t0).Microseconds()) / 1000
	}
	sort.Float64s(ms)
	med := ms[len(ms)/2]
	return []Row{{Name: "plan_500_rooms_ms", Value: med, Unit: "ms", Target: "< 33", OK: med < 33,
		Note: fmt.Sprintf("recolour of %d rooms, all changed, and repaint of their %d×%d raster, median of %d frames; "+
			"without reading values, labels, icons or Fyne's drawing", planRooms, planW, planH, len(ms))}}, nil
}
