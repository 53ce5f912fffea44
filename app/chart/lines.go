package chart

import (
	"fmt"
	"image/color"
	"math"
	"strconv"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// prepared is a series' abscissas as numbers (Unix seconds for time).
type prepared struct {
	s *Series
	x []float64
	i int // index in Figure.Lines
}

// laneHeight is the height of a Bool series' lane in pixels.
const laneHeight = 24

var (
	refColor  = color.RGBA{0xc0, 0x39, 0x2b, 0xff}
	bandColor = color.NRGBA{0x2c, 0xa0, 0x2c, 0x2a}
	dashes    = []vg.Length{vg.Points(6), vg.Points(3)}
	glyphs    = []draw.GlyphDrawer{draw.CircleGlyph{}, draw.TriangleGlyph{}, draw.BoxGlyph{}, draw.CrossGlyph{},
		draw.RingGlyph{}, draw.PyramidGlyph{}, draw.SquareGlyph{}, draw.PlusGlyph{}}
)

// check validates the series and converts their abscissas.
func (f *Figure) check() (lines, bools []prepared, timeAxis bool, err error) {
	if len(f.Lines) == 0 {
		return nil, nil, false, errNoSeries
	}
	timeAxis = len(f.Lines[0].T) > 0
	for i := range f.Lines {
		s := &f.Lines[i]
		if (len(s.T) > 0) != timeAxis {
			return nil, nil, false, fmt.Errorf("chart: series %q: mixes time and numeric abscissas with series %q", s.Name, f.Lines[0].Name)
		}
		x := s.X
		if timeAxis {
			if len(s.X) > 0 {
				return nil, nil, false, fmt.Errorf("chart: series %q: has both T and X", s.Name)
			}
			x = make([]float64, len(s.T))
			for j, t := range s.T {
				x[j] = float64(t.UnixNano()) / 1e9
			}
		}
		if len(x) == 0 {
			return nil, nil, false, fmt.Errorf("chart: series %q: no points", s.Name)
		}
		if len(s.Y) != len(x) {
			return nil, nil, false, fmt.Errorf("chart: series %q: %d abscissas but %d values", s.Name, len(x), len(s.Y))
		}
		for j := range x {
			if !finite(x[j]) || math.IsInf(s.Y[j], 0) {
				return nil, nil, false, fmt.Errorf("chart: series %q: point %d is not a finite number (%v, %v)", s.Name, j, x[j], s.Y[j])
			}
			if j > 0 && x[j] < x[j-1] {
				return nil, nil, false, fmt.Errorf("chart: series %q: point %d goes back in x", s.Name, j)
			}
		}
		p := prepared{s: s, x: x, i: i}
		if s.Bool {
			bools = append(bools, p)
		} else {
			lines = append(lines, p)
		}
	}
	return lines, bools, timeAxis, nil
}

// ranges are the x range of all series and the y range of the lines,
// refs and bands (or the figure's fixed range).
func (f *Figure) ranges(lines, bools []prepared) (xmin, xmax, ymin, ymax float64) {
	xmin, xmax, ymin, ymax = math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for _, p := range append(append([]prepared(nil), lines...), bools...) {
		xmin, xmax = math.Min(xmin, p.x[0]), math.Max(xmax, p.x[len(p.x)-1])
	}
	for _, p := range lines {
		for _, y := range p.s.Y {
			if !math.IsNaN(y) {
				ymin, ymax = math.Min(ymin, y), math.Max(ymax, y)
			}
		}
	}
	for _, r := range f.Refs {
		ymin, ymax = math.Min(ymin, r.Y), math.Max(ymax, r.Y)
	}
	for _, b := range f.Bands {
		ymin, ymax = math.Min(ymin, b.Lo), math.Max(ymax, b.Hi)
	}
	if math.IsInf(ymin, 1) {
		ymin, ymax = 0, 1
	}
	if pad := (ymax - ymin) * 0.05; pad > 0 {
		ymin, ymax = ymin-pad, ymax+pad
	}
	if strings.Contains(f.YLabel, "%") {
		ymin, ymax = math.Max(ymin, 0), math.Min(ymax, 100)
	}
	if f.YMin != nil {
		ymin = *f.YMin
	}
	if f.YMax != nil {
		ymax = *f.YMax
	}
	if ymax <= ymin {
		ymin, ymax = ymin-1, ymin+1
	}
	if xmax <= xmin {
		xmin, xmax = xmin-1, xmax+1
	}
	return
}

// themed is a plot with the theme's colours and the chart's fonts.
func themed(th Theme, title string) *plot.Plot {
	p := plot.New()
	p.BackgroundColor = nil // drawOn fills the whole image
	p.Title.Text = title
	p.Title.TextStyle.Font.Size = vg.Points(13)
	p.Title.TextStyle.Color = th.Foreground
	p.Title.Padding = vg.Points(8)
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Color = th.Foreground
		a.LineStyle.Color = th.Foreground
		a.Label.TextStyle.Color = th.Foreground
		a.Tick.Label.Color = th.Foreground
		a.Tick.LineStyle.Color = th.Foreground
		a.Padding = 0
	}
	return p
}

// legendOf is a legend in the theme's text colour.
func legendOf(th Theme) plot.Legend {
	l := plot.NewLegend()
	l.TextStyle.Color = th.Foreground
	l.TextStyle.Font.Size = vg.Points(10)
	l.Top, l.Left = true, true
	l.Padding = vg.Points(3)
	l.ThumbnailWidth = vg.Points(26)
	return l
}

func (f *Figure) drawLines(dc draw.Canvas, w, h int, th Theme) (Frame, error) {
	lines, bools, timeAxis, err := f.check()
	if err != nil {
		return Frame{}, err
	}
	xmin, xmax, ymin, ymax := f.ranges(lines, bools)
	xLabel := f.XLabel
	if xLabel == "" && timeAxis {
		xLabel = "time (UTC)"
	}
	var ticker plot.Ticker = plot.DefaultTicks{}
	if timeAxis {
		ticker = timeTicks(xmin, xmax, min(7, max(2, w/120)))
	}

	p := themed(th, f.Title)
	p.Y.Label.Text = f.YLabel
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = xmin, xmax, ymin, ymax
	p.X.Tick.Marker = ticker
	p.Y.Tick.Marker = niceTicks{}
	grid := plotter.NewGrid()
	grid.Vertical.Color, grid.Horizontal.Color = th.Grid, th.Grid
	for _, b := range f.Bands {
		p.Add(&bandPlot{b})
	}
	p.Add(grid)

	leg := legendOf(th)
	styles := make([]lineStyle, len(lines))
	for k, l := range lines {
		styles[k] = styleOf(l, k, len(lines) > 1)
		if l.s.Name != "" {
			name := l.s.Name
			if l.s.Unit != "" {
				name += " (" + l.s.Unit + ")"
			}
			leg.Add(name, &styles[k])
		}
	}
	for _, r := range f.Refs {
		leg.Add(r.Label, &refPlot{r})
	}
	for _, b := range f.Bands {
		leg.Add(b.Label, &bandPlot{b})
	}

	// Layout: the legend right of the plot (below when it would take more
	// than a third of the width), the lanes of Bool series under it.
	full := dc
	var legC draw.Canvas
	legW, legH := legendSize(&leg)
	if legW == 0 {
		full = draw.Crop(full, 0, -px(20), 0, 0) // room for the last time label
	} else {
		if legW < float64(w)/3 && !f.LegendBelow {
			legC = draw.Crop(full, px(w)-px(int(legW)+12), 0, 0, -px(34))
			full = draw.Crop(full, 0, -px(int(legW)+16), 0, 0)
		} else {
			legC = draw.Crop(full, px(70), 0, 0, -(full.Max.Y - px(int(legH)+6)))
			full = draw.Crop(full, 0, 0, px(int(legH)+10), 0)
		}
	}
	if len(lines) == 0 { // signals only: the lanes take the figure
		lp := lanePlot(th, bools, xmin, xmax, ticker, xLabel)
		lp.Title = p.Title
		if cur, ok := f.cursor(timeAxis, th); ok {
			lp.Add(cur)
		}
		lp.Draw(full)
		if legW > 0 {
			leg.Draw(legC)
		}
		data := lp.DataCanvas(full)
		return Frame{Left: toPx(data.Min.X), Right: toPx(data.Max.X), Top: float64(h) - toPx(data.Max.Y),
			Bottom: float64(h) - toPx(data.Min.Y), XMin: xmin, XMax: xmax, YMin: 0, YMax: float64(len(bools))}, nil
	}
	mainC := full
	var lanesC draw.Canvas
	var lp *plot.Plot
	if len(bools) > 0 {
		lanesH := px(laneHeight*len(bools) + 40)
		lanesC = draw.Crop(full, 0, 0, 0, -(full.Max.Y - full.Min.Y - lanesH))
		mainC = draw.Crop(full, 0, 0, lanesH+px(4), 0)
		lp = lanePlot(th, bools, xmin, xmax, ticker, xLabel)
		p.X.Tick.Marker = unlabelled{ticker}
		mainC, lanesC = alignX(p, mainC, lp, lanesC)
	} else {
		p.X.Label.Text = xLabel
	}
	data := p.DataCanvas(mainC)
	cols := max(1, int(toPx(data.Max.X-data.Min.X)))
	for k, l := range lines {
		xs, ys := Downsample(l.x, l.s.Y, cols)
		styles[k].xs, styles[k].ys = xs, ys
		p.Add(&styles[k])
	}
	for _, r := range f.Refs {
		p.Add(&refPlot{r})
	}
	if cur, ok := f.cursor(timeAxis, th); ok {
		p.Add(cur)
		if lp != nil {
			lp.Add(cur)
		}
	}
	p.Draw(mainC)
	if lp != nil {
		lp.Draw(lanesC)
	}
	if legW > 0 {
		leg.Draw(legC)
	}
	return Frame{Left: toPx(data.Min.X), Right: toPx(data.Max.X), Top: float64(h) - toPx(data.Max.Y),
		Bottom: float64(h) - toPx(data.Min.Y), XMin: xmin, XMax: xmax, YMin: ymin, YMax: ymax}, nil
}

// legendSize is the legend's width and height in pixels (0 if empty).
func legendSize(l *plot.Legend) (float64, float64) {
	r := l.Rectangle(draw.Canvas{})
	return toPx(r.Max.X - r.Min.X), toPx(r.Max.Y - r.Min.Y)
}

// alignX crops the main plot's and the lanes' canvases so that their data
// areas have the same left and right edges.
func alignX(p *plot.Plot, pc draw.Canvas, lp *plot.Plot, lc draw.Canvas) (draw.Canvas, draw.Canvas) {
	a, b := p.DataCanvas(pc), lp.DataCanvas(lc)
	if d := a.Min.X - b.Min.X; d > 0 {
		lc = draw.Crop(lc, d, 0, 0, 0)
	} else {
		pc = draw.Crop(pc, -d, 0, 0, 0)
	}
	a, b = p.DataCanvas(pc), lp.DataCanvas(lc)
	if d := a.Max.X - b.Max.X; d < 0 {
		lc = draw.Crop(lc, 0, d, 0, 0)
	} else {
		pc = draw.Crop(pc, 0, -d, 0, 0)
	}
	return pc, lc
}

// unlabelled is a ticker's ticks without labels.
type unlabelled struct{ plot.Ticker }

func (u unlabelled) Ticks(lo, hi float64) []plot.Tick {
	ts := u.Ticker.Ticks(lo, hi)
	for i := range ts {
		ts[i].Label = ""
	}
	return ts
}

// lanePlot is the plot of the Bool series: one lane each, named on the
// y axis, with the x axis under the lanes.
func lanePlot(th Theme, bools []prepared, xmin, xmax float64, ticker plot.Ticker, xLabel string) *plot.Plot {
	lp := themed(th, "")
	lp.X.Min, lp.X.Max = xmin, xmax
	lp.Y.Min, lp.Y.Max = 0, float64(len(bools))
	lp.X.Tick.Marker = ticker
	lp.X.Label.Text = xLabel
	var ticks plot.ConstantTicks
	for k, b := range bools {
		name := b.s.Name
		if name == "" {
			name = fmt.Sprintf("signal %d", k+1)
		}
		ticks = append(ticks, plot.Tick{Value: float64(len(bools)-k) - 0.5, Label: name})
	}
	lp.Y.Tick.Marker = ticks
	lp.Y.Tick.Length = 0
	for k, b := range bools {
		c := b.s.Color
		if c == nil {
			c = Palette(b.i)
		}
		lp.Add(&lanePlotter{x: b.x, y: b.s.Y, lane: float64(len(bools) - k - 1), color: c, frame: th.Grid})
	}
	return lp
}

// lanePlotter draws one Bool series as bands where it is 1: a value
// holds until the next point; runs closer than a pixel are merged.
type lanePlotter struct {
	x, y  []float64
	lane  float64
	color color.Color
	frame color.Color
	pixel float64 // data units per pixel, set when drawn
}

func (l *lanePlotter) Plot(c draw.Canvas, p *plot.Plot) {
	tx, ty := p.Transforms(&c)
	y0, y1 := ty(l.lane+0.12), ty(l.lane+0.88)
	c.StrokeLines(draw.LineStyle{Color: l.frame, Width: vg.Points(0.5)},
		[]vg.Point{{X: c.Min.X, Y: y0}, {X: c.Max.X, Y: y0}, {X: c.Max.X, Y: y1}, {X: c.Min.X, Y: y1}, {X: c.Min.X, Y: y0}})
	l.pixel = (p.X.Max - p.X.Min) / math.Max(1, toPx(c.Max.X-c.Min.X))
	c.SetColor(l.color)
	for _, r := range boolRuns(l.x, l.y, p.X.Max, l.pixel) {
		x0, x1 := tx(r[0]), tx(r[1])
		if x1-x0 < px(1) {
			x1 = x0 + px(1)
		}
		x0, x1 = max(x0, c.Min.X), min(x1, c.Max.X)
		c.Fill(vg.Rectangle{Min: vg.Point{X: x0, Y: y0}, Max: vg.Point{X: x1, Y: y1}}.Path())
	}
}

// boolRuns are the [from, to) intervals where y is 1 (≥ 0.5), each value
// holding until the next point (the last until end), runs less than gap
// apart merged.
func boolRuns(x, y []float64, end, gap float64) [][2]float64 {
	var runs [][2]float64
	for i := range x {
		if math.IsNaN(y[i]) || y[i] < 0.5 {
			continue
		}
		to := end
		if i+1 < len(x) {
			to = x[i+1]
		}
		if n := len(runs); n > 0 && x[i]-runs[n-1][1] <= gap {
			runs[n-1][1] = math.Max(runs[n-1][1], to)
			continue
		}
		runs = append(runs, [2]float64{x[i], to})
	}
	return runs
}

// lineStyle draws one downsampled line series (NaN: a gap) with glyphs
// at regular places when several lines share the chart.
type lineStyle struct {
	line   draw.LineStyle
	glyph  draw.GlyphStyle
	glyphs bool
	offset float64 // where along the x axis the glyphs start, 0…1
	xs, ys []float64
}

func styleOf(l prepared, k int, marked bool) lineStyle {
	c := l.s.Color
	if c == nil {
		c = Palette(l.i)
	}
	st := lineStyle{line: draw.LineStyle{Color: c, Width: vg.Points(1.6)}, glyphs: marked,
		glyph:  draw.GlyphStyle{Color: c, Radius: vg.Points(3.2), Shape: glyphs[k%len(glyphs)]},
		offset: float64(k%5) / 5}
	if l.s.Dashed {
		st.line.Dashes = dashes
	}
	return st
}

// strokeChunk is the most points stroked as one path.
const strokeChunk = 16

// glyphsEvery is how many glyphs a line gets along the x axis.
const glyphsEvery = 9

func (s *lineStyle) Plot(c draw.Canvas, p *plot.Plot) {
	tx, ty := p.Transforms(&c)
	var seg []vg.Point
	flush := func() {
		// In pieces: the rasterizer's cost grows with the square of a
		// path's cells, and a downsampled line zigzags through many.
		for len(seg) > 1 {
			n := min(len(seg), strokeChunk)
			c.StrokeLines(s.line, c.ClipLinesXY(seg[:n])...)
			seg = seg[n-1:]
		}
		seg = seg[:0]
	}
	for i := range s.xs {
		if math.IsNaN(s.ys[i]) {
			flush()
			continue
		}
		seg = append(seg, vg.Point{X: tx(s.xs[i]), Y: ty(s.ys[i])})
	}
	flush()
	if !s.glyphs || len(s.xs) == 0 {
		return
	}
	span := p.X.Max - p.X.Min
	j := 0
	for g := range glyphsEvery {
		x := p.X.Min + span*(float64(g)+0.25+0.5*s.offset)/glyphsEvery
		for j+1 < len(s.xs) && s.xs[j+1] <= x {
			j++
		}
		if s.xs[j] > x || math.IsNaN(s.ys[j]) || x > s.xs[len(s.xs)-1] {
			continue
		}
		y := s.ys[j]
		if j+1 < len(s.xs) && !math.IsNaN(s.ys[j+1]) && s.xs[j+1] > s.xs[j] {
			y += (s.ys[j+1] - y) * (x - s.xs[j]) / (s.xs[j+1] - s.xs[j])
		}
		pt := vg.Point{X: tx(x), Y: ty(y)}
		if c.Contains(pt) {
			c.DrawGlyph(s.glyph, pt)
		}
	}
}

func (s *lineStyle) Thumbnail(c *draw.Canvas) {
	y := c.Center().Y
	c.StrokeLine2(s.line, c.Min.X, y, c.Max.X, y)
	if s.glyphs {
		c.DrawGlyph(s.glyph, c.Center())
	}
}

// refPlot draws a reference line across the data area.
type refPlot struct{ r Ref }

var refLine = draw.LineStyle{Color: refColor, Width: vg.Points(1.3), Dashes: []vg.Length{vg.Points(8), vg.Points(3), vg.Points(2), vg.Points(3)}}

func (r *refPlot) Plot(c draw.Canvas, p *plot.Plot) {
	_, ty := p.Transforms(&c)
	y := ty(r.r.Y)
	if y >= c.Min.Y && y <= c.Max.Y {
		c.StrokeLine2(refLine, c.Min.X, y, c.Max.X, y)
	}
}

func (r *refPlot) Thumbnail(c *draw.Canvas) {
	y := c.Center().Y
	c.StrokeLine2(refLine, c.Min.X, y, c.Max.X, y)
}

// bandPlot shades a band across the data area.
type bandPlot struct{ b Band }

func (b *bandPlot) Plot(c draw.Canvas, p *plot.Plot) {
	_, ty := p.Transforms(&c)
	y0, y1 := max(ty(b.b.Lo), c.Min.Y), min(ty(b.b.Hi), c.Max.Y)
	if y1 <= y0 {
		return
	}
	c.SetColor(bandColor)
	c.Fill(vg.Rectangle{Min: vg.Point{X: c.Min.X, Y: y0}, Max: vg.Point{X: c.Max.X, Y: y1}}.Path())
}

func (b *bandPlot) Thumbnail(c *draw.Canvas) {
	c.SetColor(bandColor)
	r := c.Rectangle
	r.Min.Y, r.Max.Y = c.Center().Y-vg.Points(5), c.Center().Y+vg.Points(5)
	c.Fill(r.Path())
}

// timeTicks labels a time axis at round UTC times: at most labels
// labelled ticks, each step subdivided by unlabelled ones.
func timeTicks(min, max float64, labels int) plot.Ticker {
	span := time.Duration(max-min) * time.Second
	steps := []time.Duration{time.Second, 2 * time.Second, 5 * time.Second, 10 * time.Second, 15 * time.Second, 30 * time.Second,
		time.Minute, 5 * time.Minute, 10 * time.Minute, 15 * time.Minute, 30 * time.Minute,
		time.Hour, 2 * time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour, 24 * time.Hour, 48 * time.Hour, 7 * 24 * time.Hour}
	step := steps[len(steps)-1]
	for _, s := range steps {
		if int(span/s) <= labels {
			step = s
			break
		}
	}
	format := "15:04"
	switch {
	case step < time.Minute:
		format = "15:04:05"
	case step >= 24*time.Hour:
		format = "Mon 2 Jan"
	case span > 20*time.Hour:
		format = "Mon 15:04"
	}
	minor := step / 4
	switch {
	case step == 3*time.Hour || step == 15*time.Minute:
		minor = step / 3
	case step == 24*time.Hour:
		minor = 6 * time.Hour
	case step <= time.Minute: // no unlabelled ticks under a minute
		minor = step
	}
	return plot.TickerFunc(func(lo, hi float64) []plot.Tick {
		var ticks []plot.Tick
		m := int64(minor / time.Second)
		first := int64(math.Ceil(lo/float64(m))) * m
		for x := first; float64(x) <= hi; x += m {
			t := plot.Tick{Value: float64(x)}
			if x%int64(step/time.Second) == 0 {
				t.Label = time.Unix(x, 0).UTC().Format(format)
			}
			ticks = append(ticks, t)
		}
		return ticks
	})
}

// niceTicks labels a numeric axis at round values (1, 2 or 5 × a power
// of ten), the finest step that gives at most ten labels, with an
// unlabelled tick between each two.
type niceTicks struct{}

func (niceTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(hi > lo) {
		return nil
	}
	mag := math.Pow(10, math.Floor(math.Log10((hi-lo)/10)))
	step := 10 * mag
	for _, m := range []float64{1, 2, 5, 10} {
		if math.Floor(hi/(m*mag)+1e-9)-math.Ceil(lo/(m*mag)-1e-9)+1 <= 10 {
			step = m * mag
			break
		}
	}
	dec := max(0, -int(math.Floor(math.Log10(step)+1e-9)))
	var ticks []plot.Tick
	minor := step / 2
	for k := math.Ceil(lo/minor - 1e-9); k*minor <= hi+minor*1e-9; k++ {
		v := k * minor
		t := plot.Tick{Value: v}
		if math.Mod(k, 2) == 0 {
			if math.Abs(v) < step*1e-9 {
				v = 0
			}
			t.Label = strconv.FormatFloat(v, 'f', dec, 64)
		}
		ticks = append(ticks, t)
	}
	return ticks
}

// cursorPlot draws the figure's cursor: a vertical line at a moment, in
// the theme's text colour.
type cursorPlot struct {
	x     float64
	color color.Color
}

// cursor returns the plotter of f's Cursor, if it has one on a time axis.
func (f *Figure) cursor(timeAxis bool, th Theme) (*cursorPlot, bool) {
	if f.Cursor.IsZero() || !timeAxis {
		return nil, false
	}
	return &cursorPlot{x: float64(f.Cursor.UnixNano()) / 1e9, color: th.Foreground}, true
}

func (cp *cursorPlot) Plot(c draw.Canvas, p *plot.Plot) {
	tx, _ := p.Transforms(&c)
	x := tx(cp.x)
	if x >= c.Min.X && x <= c.Max.X {
		c.StrokeLine2(draw.LineStyle{Color: cp.color, Width: vg.Points(1.5)}, x, c.Min.Y, x, c.Max.Y)
	}
}
