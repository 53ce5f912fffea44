// Package chart draws Twin Studio's charts: line charts over time or a
// numeric axis, and an hour × weekday heat map, rendered with gonum/plot
// to images (PNG through WritePNG). It takes plain data, so the CLI
// (`twin simulate`) and the studio draw the same charts.
//
// Output is deterministic: the same data and size give the same pixels
// (the fonts are the ones gonum/plot embeds).
package chart

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// DPI is the resolution images are rendered at: sizes are in pixels.
const DPI = 96

// Series is one line of a line chart. Either T (a time axis) or X (a
// numeric axis) holds the abscissas; every series of a chart must use the
// same kind. Y has one value per abscissa.
type Series struct {
	Name string
	T    []time.Time
	X    []float64
	Y    []float64
	// Color is the line's colour; nil picks Palette(i) for the i-th series.
	Color color.Color
	// Dashed draws a dashed line (e.g. the variant of a comparison).
	Dashed bool
}

// palette10 are distinguishable line colours (Tableau 10).
var palette10 = []color.RGBA{
	{0x1f, 0x77, 0xb4, 0xff}, {0xff, 0x7f, 0x0e, 0xff}, {0x2c, 0xa0, 0x2c, 0xff}, {0xd6, 0x27, 0x28, 0xff},
	{0x94, 0x67, 0xbd, 0xff}, {0x8c, 0x56, 0x4b, 0xff}, {0xe3, 0x77, 0xc2, 0xff}, {0x7f, 0x7f, 0x7f, 0xff},
	{0xbc, 0xbd, 0x22, 0xff}, {0x17, 0xbe, 0xcf, 0xff},
}

// Palette is the i-th default line colour (it cycles through ten).
func Palette(i int) color.Color {
	if i < 0 {
		i = -i
	}
	return palette10[i%len(palette10)]
}

func checkSize(w, h int) error {
	if w < 100 || h < 100 || w > 10000 || h > 10000 {
		return fmt.Errorf("chart: size %d×%d out of range (100…10000 pixels)", w, h)
	}
	return nil
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// Lines draws series as lines on one chart, w × h pixels, with a legend
// when more than one series (or a named one) is drawn. A time axis is
// labelled in UTC.
func Lines(title, xLabel, yLabel string, series []Series, w, h int) (image.Image, error) {
	if err := checkSize(w, h); err != nil {
		return nil, err
	}
	if len(series) == 0 {
		return nil, errors.New("chart: no series")
	}
	timeAxis := len(series[0].T) > 0
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font.Size = vg.Points(13)
	p.Title.Padding = vg.Points(6)
	p.X.Label.Text = xLabel
	p.Y.Label.Text = yLabel
	p.Add(plotter.NewGrid())
	var tmin, tmax float64
	ymin, ymax := math.Inf(1), math.Inf(-1)
	entries := 0
	for i, s := range series {
		if (len(s.T) > 0) != timeAxis {
			return nil, fmt.Errorf("chart: series %q: mixes time and numeric abscissas with series %q", s.Name, series[0].Name)
		}
		n := len(s.X)
		if timeAxis {
			n = len(s.T)
			if len(s.X) > 0 {
				return nil, fmt.Errorf("chart: series %q: has both T and X", s.Name)
			}
		}
		if n == 0 {
			return nil, fmt.Errorf("chart: series %q: no points", s.Name)
		}
		if len(s.Y) != n {
			return nil, fmt.Errorf("chart: series %q: %d abscissas but %d values", s.Name, n, len(s.Y))
		}
		xys := make(plotter.XYs, n)
		for j := range n {
			x := 0.0
			if timeAxis {
				x = float64(s.T[j].Unix())
			} else {
				x = s.X[j]
			}
			if !finite(x) || !finite(s.Y[j]) {
				return nil, fmt.Errorf("chart: series %q: point %d is not a finite number (%v, %v)", s.Name, j, x, s.Y[j])
			}
			xys[j] = plotter.XY{X: x, Y: s.Y[j]}
			ymin, ymax = math.Min(ymin, s.Y[j]), math.Max(ymax, s.Y[j])
			if i == 0 && j == 0 || x < tmin {
				tmin = x
			}
			if i == 0 && j == 0 || x > tmax {
				tmax = x
			}
		}
		l, err := plotter.NewLine(xys)
		if err != nil {
			return nil, fmt.Errorf("chart: series %q: %w", s.Name, err)
		}
		l.Color = s.Color
		if l.Color == nil {
			l.Color = Palette(i)
		}
		l.Width = vg.Points(1.5)
		if s.Dashed {
			l.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
		}
		p.Add(l)
		if s.Name != "" {
			p.Legend.Add(s.Name, l)
			entries++
		}
	}
	if entries > 0 {
		p.Legend.Top = true
		p.Legend.Left = true
		p.Legend.Padding = vg.Points(2)
		p.Legend.XOffs = px(6)
		// Head room above the data for the legend (top left), so that it
		// does not hide lines: its share of the plot area's height.
		area := float64(h - 90)
		frac := math.Min(0.6, (float64(entries)*17+12)/area)
		if ymax <= ymin {
			ymax = ymin + 1
		}
		p.Y.Min = ymin
		p.Y.Max = ymin + (ymax-ymin)/(1-frac)
	}
	if timeAxis {
		p.X.Tick.Marker = timeTicks(tmin, tmax)
	}
	return render(p, w, h)
}

// timeTicks labels a time axis at round UTC times: about six labelled
// ticks, each step subdivided by unlabelled ones.
func timeTicks(min, max float64) plot.Ticker {
	span := time.Duration(max-min) * time.Second
	steps := []time.Duration{time.Minute, 5 * time.Minute, 10 * time.Minute, 15 * time.Minute, 30 * time.Minute,
		time.Hour, 2 * time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour, 24 * time.Hour, 48 * time.Hour, 7 * 24 * time.Hour}
	step := steps[len(steps)-1]
	for _, s := range steps {
		if span/s <= 7 {
			step = s
			break
		}
	}
	format := "15:04"
	switch {
	case step >= 24*time.Hour:
		format = "Mon 2 Jan"
	case span > 20*time.Hour:
		format = "Mon 15:04"
	}
	minor := step / 4
	if step == 3*time.Hour || step == 15*time.Minute {
		minor = step / 3
	}
	if step >= 24*time.Hour {
		minor = step / 4
		if step == 24*time.Hour {
			minor = 6 * time.Hour
		}
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

func render(p *plot.Plot, w, h int) (image.Image, error) {
	c := vgimg.NewWith(vgimg.UseWH(px(w), px(h)), vgimg.UseDPI(DPI))
	p.Draw(draw.New(c))
	return c.Image(), nil
}

// px is a length of n pixels at DPI.
func px(n int) vg.Length { return vg.Length(n) * vg.Inch / DPI }

// Weekdays label the heat map's rows, Monday first.
var Weekdays = [7]string{"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"}

// HeatmapWidth and HeatmapHeight are the heat map's size in pixels.
const HeatmapWidth, HeatmapHeight = 900, 380

// Heatmap draws grid[d][h] (d: weekday, 0 = Monday; h: hour of day, UTC)
// as an hour × weekday heat map with a colour scale, light for low values
// and dark blue for high ones.
func Heatmap(title string, grid [7][24]float64) (image.Image, error) {
	lo, hi := math.Inf(1), math.Inf(-1)
	for d := range grid {
		for h, v := range grid[d] {
			if !finite(v) {
				return nil, fmt.Errorf("chart: heatmap cell %s %02d:00 is not a finite number (%v)", Weekdays[d], h, v)
			}
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}
	if lo > 0 {
		lo = 0
	}
	if hi <= lo {
		hi = lo + 1
	}
	dark, err := moreland.NewLuminance([]color.Color{
		color.RGBA{0x08, 0x1d, 0x58, 0xff}, color.RGBA{0x41, 0xb6, 0xc4, 0xff}, color.RGBA{0xff, 0xff, 0xd9, 0xff}})
	if err != nil {
		return nil, fmt.Errorf("chart: %w", err)
	}
	cm := palette.Reverse(dark) // light for low values
	cm.SetMin(lo)
	cm.SetMax(hi)

	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font.Size = vg.Points(13)
	p.Title.Padding = vg.Points(6)
	p.X.Label.Text = "hour of day (UTC)"
	hm := plotter.NewHeatMap(weekGrid(grid), cm.Palette(255))
	hm.Min, hm.Max = lo, hi
	hm.Rasterized = false
	p.Add(hm)
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
	p.X.Padding, p.Y.Padding = 0, 0

	bar := plot.New()
	bar.HideX()
	bar.Y.Padding = 0
	bar.Title.Text = " "
	bar.Title.TextStyle.Font.Size = vg.Points(13)
	bar.Title.Padding = vg.Points(6)
	bar.Add(&plotter.ColorBar{ColorMap: cm, Vertical: true})

	w, h := HeatmapWidth, HeatmapHeight
	c := vgimg.NewWith(vgimg.UseWH(px(w), px(h)), vgimg.UseDPI(DPI))
	dc := draw.New(c)
	barW := px(90)
	p.Draw(draw.Crop(dc, 0, -barW, 0, 0))
	bar.Draw(draw.Crop(dc, px(w)-barW+px(15), 0, px(43), 0))
	return c.Image(), nil
}

// weekGrid is a [7][24] grid as a plotter.GridXYZ: columns are hours,
// rows weekdays with Monday at the top.
type weekGrid [7][24]float64

func (g weekGrid) Dims() (c, r int)   { return 24, 7 }
func (g weekGrid) Z(c, r int) float64 { return g[6-r][c] }
func (g weekGrid) X(c int) float64    { return float64(c) + 0.5 }
func (g weekGrid) Y(r int) float64    { return float64(r) + 0.5 }

// WritePNG writes img to path as PNG.
func WritePNG(path string, img image.Image) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("chart: %w", err)
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return fmt.Errorf("chart: write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("chart: %w", err)
	}
	return nil
}
