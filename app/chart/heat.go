package chart

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// noData is the fill of a heat map cell without data, per theme.
func noData(th Theme) color.Color {
	if th.Name == Dark.Name {
		return color.RGBA{0x4a, 0x4c, 0x52, 0xff}
	}
	return color.RGBA{0xd4, 0xd4, 0xd4, 0xff}
}

// heatRange is the colour range: the figure's fixed range, else 0 (or
// the minimum) to the maximum; whether any cell has no data.
func (f *Figure) heatRange() (lo, hi float64, missing bool, err error) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for d := range f.Heat {
		for h, v := range f.Heat[d] {
			if math.IsNaN(v) {
				missing = true
				continue
			}
			if math.IsInf(v, 0) {
				return 0, 0, false, fmt.Errorf("chart: heatmap cell %s %02d:00 is not a finite number (%v)", Weekdays[d], h, v)
			}
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}
	if math.IsInf(lo, 1) || lo > 0 {
		lo = 0
	}
	if math.IsInf(hi, -1) {
		hi = lo + 1
	}
	if f.YMin != nil {
		lo = *f.YMin
	}
	if f.YMax != nil {
		hi = *f.YMax
	}
	if hi <= lo {
		hi = lo + 1
	}
	return lo, hi, missing, nil
}

func (f *Figure) drawHeat(dc draw.Canvas, th Theme) (Frame, error) {
	lo, hi, missing, err := f.heatRange()
	if err != nil {
		return Frame{}, err
	}
	dark, err := moreland.NewLuminance([]color.Color{
		color.RGBA{0x08, 0x1d, 0x58, 0xff}, color.RGBA{0x41, 0xb6, 0xc4, 0xff}, color.RGBA{0xff, 0xff, 0xd9, 0xff}})
	if err != nil {
		return Frame{}, fmt.Errorf("chart: %w", err)
	}
	cm := palette.Reverse(dark) // light for low values
	cm.SetMin(lo)
	cm.SetMax(hi)

	p := themed(th, f.Title)
	p.X.Label.Text = "hour of day (UTC)"
	pal := newColors(cm, 255)
	hm := plotter.NewHeatMap(weekGrid(*f.Heat), pal)
	hm.Min, hm.Max = lo, hi
	hm.NaN = noData(th)
	hm.Underflow, hm.Overflow = pal[0], pal[len(pal)-1]
	hm.Rasterized = false
	p.Add(hm, &hatch{grid: f.Heat, color: th.Foreground})
	var hours, days plot.ConstantTicks
	for h := 0; h <= 24; h++ {
		label := ""
		if h%3 == 0 {
			label = fmt.Sprintf("%02d", h)
		}
		hours = append(hours, plot.Tick{Value: float64(h), Label: label})
	}
	for d, name := range Weekdays {
		days = append(days, plot.Tick{Value: float64(6-d) + 0.5, Label: name})
	}
	p.X.Tick.Marker = hours
	p.Y.Tick.Marker = days
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, 24, 0, 7

	bar := themed(th, " ")
	bar.HideX()
	bar.Y.Label.Text = f.HeatUnit
	bar.Y.Label.TextStyle.Font.Size = vg.Points(10)
	bar.Add(&plotter.ColorBar{ColorMap: cm, Vertical: true})

	barW := px(150)
	keyH := vg.Length(0)
	if missing {
		keyH = px(34)
	}
	mainC := draw.Crop(dc, 0, -barW, 0, 0)
	p.Draw(mainC)
	data := p.DataCanvas(mainC)
	// The bar spans the heat map's rows; the "no data" key sits under it.
	barC := draw.Crop(dc, dc.Max.X-barW+px(20), -px(66), data.Min.Y-dc.Min.Y+keyH, -(dc.Max.Y - data.Max.Y))
	barC.Max.Y += bar.Title.TextStyle.Rectangle(" ").Size().Y + bar.Title.Padding
	bar.Draw(barC)
	if missing {
		bd := bar.DataCanvas(barC)
		key := vg.Rectangle{Min: vg.Point{X: bd.Min.X, Y: data.Min.Y}, Max: vg.Point{X: bd.Max.X, Y: data.Min.Y + px(16)}}
		dc.SetColor(noData(th))
		dc.Fill(key.Path())
		hatchRect(dc, key, th.Foreground)
		sty := p.X.Tick.Label
		sty.XAlign, sty.YAlign = draw.XLeft, draw.YCenter
		dc.FillText(sty, vg.Point{X: key.Max.X + px(5), Y: key.Min.Y + px(8)}, "no data")
	}
	return Frame{Left: toPx(data.Min.X), Right: toPx(data.Max.X), Top: toPx(dc.Max.Y - data.Max.Y),
		Bottom: toPx(dc.Max.Y - data.Min.Y), XMin: 0, XMax: 24, YMin: 0, YMax: 7}, nil
}

// colors are n colours evenly over the colour map's range. (The map's
// own Palette leaves a nil colour where two of its control colours
// meet, which would draw that cell as background.)
type colors []color.Color

func (c colors) Colors() []color.Color { return c }

func newColors(cm palette.ColorMap, n int) colors {
	out := make(colors, n)
	lo, hi := cm.Min(), cm.Max()
	for i := range out {
		c, err := cm.At(lo + (hi-lo)*float64(i)/float64(n-1))
		if err != nil || c == nil {
			c = out[max(0, i-1)]
		}
		out[i] = c
	}
	return out
}

// hatch draws diagonal lines over the heat map's cells without data.
type hatch struct {
	grid  *[7][24]float64
	color color.Color
}

func (h *hatch) Plot(c draw.Canvas, p *plot.Plot) {
	tx, ty := p.Transforms(&c)
	for d := range h.grid {
		for hr, v := range h.grid[d] {
			if math.IsNaN(v) {
				r := vg.Rectangle{Min: vg.Point{X: tx(float64(hr)), Y: ty(float64(6 - d))},
					Max: vg.Point{X: tx(float64(hr + 1)), Y: ty(float64(7 - d))}}
				hatchRect(c, r, h.color)
			}
		}
	}
}

// hatchRect strokes thin diagonal lines inside r.
func hatchRect(c draw.Canvas, r vg.Rectangle, col color.Color) {
	sty := draw.LineStyle{Color: color.NRGBAModel.Convert(col), Width: vg.Points(0.5)}
	if n, ok := sty.Color.(color.NRGBA); ok {
		n.A = 0x70
		sty.Color = n
	}
	step := px(6)
	w, h := r.Max.X-r.Min.X, r.Max.Y-r.Min.Y
	for o := -h; o < w; o += step {
		// The line x = r.Min.X + o + t, y = r.Min.Y + t, clipped to r.
		t0, t1 := max(0, -o), min(h, w-o)
		if t1 <= t0 {
			continue
		}
		c.StrokeLine2(sty, r.Min.X+o+t0, r.Min.Y+t0, r.Min.X+o+t1, r.Min.Y+t1)
	}
}

// weekGrid is a [7][24] grid as a plotter.GridXYZ: columns are hours,
// rows weekdays with Monday at the top.
type weekGrid [7][24]float64

func (g weekGrid) Dims() (c, r int)   { return 24, 7 }
func (g weekGrid) Z(c, r int) float64 { return g[6-r][c] }
func (g weekGrid) X(c int) float64    { return float64(c) + 0.5 }
func (g weekGrid) Y(r int) float64    { return float64(r) + 0.5 }
