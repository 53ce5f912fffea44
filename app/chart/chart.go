// Package chart draws Twin Studio's charts: line charts over time or a
// numeric axis (with 0/1 signals as bands in lanes of their own,
// reference lines and shaded bands), and an hour × weekday heat map,
// rendered with gonum/plot to PNG or SVG, with the exact data as CSV. It
// takes plain data, so the CLI (`twin simulate`) and the studio draw the
// same charts.
//
// Rendering is for display: a line series is downsampled to at most two
// points (its minimum and maximum) per pixel column, so a million points
// draw quickly; the Figure's data stays exact for WriteCSV.
//
// Output is deterministic: the same figure, size and theme give the same
// bytes (the fonts are the ones gonum/plot embeds). Functions and methods
// may be called from any goroutine; a Figure must not be changed while
// it is drawn.
package chart

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"math"
	"os"
	"time"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// DPI is the resolution images are rendered at: sizes are in pixels.
const DPI = 96

// Theme is a figure's colours: Foreground is text and axes, Grid the
// grid lines. Series colours do not change with the theme.
type Theme struct {
	Name                         string
	Background, Foreground, Grid color.Color
}

var (
	// Light is dark text on white.
	Light = Theme{Name: "light", Background: color.White,
		Foreground: color.RGBA{0x22, 0x22, 0x22, 0xff}, Grid: color.RGBA{0xd4, 0xd4, 0xd4, 0xff}}
	// Dark is light text on a dark grey.
	Dark = Theme{Name: "dark", Background: color.RGBA{0x1e, 0x1f, 0x22, 0xff},
		Foreground: color.RGBA{0xe4, 0xe4, 0xe4, 0xff}, Grid: color.RGBA{0x3c, 0x3e, 0x44, 0xff}}
)

// Series is one series of a line chart. Either T (a time axis) or X (a
// numeric axis) holds the abscissas, ascending; every series of a figure
// must use the same kind. Y has one value per abscissa; NaN is a gap
// (no data), ±Inf an error.
type Series struct {
	Name string
	T    []time.Time
	X    []float64
	Y    []float64
	// Color is the line's colour; nil picks Palette(i) for the i-th series.
	Color color.Color
	// Dashed draws a dashed line (e.g. the variant of a comparison).
	Dashed bool
	// Bool marks a 0/1 signal (e.g. motion): drawn as filled bands where
	// the value is 1 (≥ 0.5), in a lane of its own below the lines.
	Bool bool
	// Unit is the series' unit (optional, e.g. "ppm"); the legend shows it.
	Unit string
}

// Ref is a horizontal reference line, labelled in the legend (e.g. CO₂
// 1000 ppm, a site's grid limit).
type Ref struct {
	Y     float64
	Label string
}

// Band is a shaded horizontal band from Lo to Hi, labelled in the legend
// (e.g. the comfort band 20–26 °C).
type Band struct {
	Lo, Hi float64
	Label  string
}

// Figure is one chart: a line chart (Lines, with Refs and Bands) or, if
// Heat is set, an hour × weekday heat map, to be saved as File.
type Figure struct {
	File                  string // file name, e.g. occupancy_floors.png
	Title, XLabel, YLabel string
	Lines                 []Series
	// Heat is grid[d][h] (d: weekday, 0 = Monday; h: hour of day, UTC).
	// NaN is no data: drawn hatched grey and said so next to the colour
	// bar, unlike 0.
	Heat *[7][24]float64
	// HeatUnit labels the colour bar, e.g. "% of motion readings with someone".
	HeatUnit string
	Refs     []Ref
	Bands    []Band
	// YMin and YMax fix the y range (the heat map's colour range); nil
	// takes it from the data. A y label with "%" clamps the range to 0–100.
	YMin, YMax *float64
	// LegendBelow puts the legend under the plot even when it would fit
	// beside it: panels stacked over one time axis keep their data areas
	// aligned.
	LegendBelow bool
	// Cursor, when not zero, marks a moment on a time axis with a
	// vertical line (the studio's time slider); a moment outside the
	// range shown is not drawn.
	Cursor time.Time
}

// Frame is where a rendering put its data: the data area in image pixels
// (origin top-left) and the data range it shows, linearly. X is in Unix
// seconds for a time axis. With lines it is the lines' area (Bool lanes
// are below it); with Bool series only, the lanes' area, Y the lane from
// the bottom (the last series 0–1). A heat map's X is the hour (0–24) and
// its Y the weekday row from the bottom (Sunday 0–1 … Monday 6–7).
type Frame struct {
	Left, Right, Top, Bottom float64
	XMin, XMax, YMin, YMax   float64
}

// FigureWidth and FigureHeight are the size line figures are drawn at by
// Draw and WriteFigures; heat maps are HeatmapWidth × HeatmapHeight.
const (
	FigureWidth  = 1000
	FigureHeight = 450
)

// HeatmapWidth and HeatmapHeight are the heat map's size in pixels.
const HeatmapWidth, HeatmapHeight = 900, 380

// Weekdays label the heat map's rows, Monday first.
var Weekdays = [7]string{"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"}

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

// px is a length of n pixels at DPI.
func px(n int) vg.Length { return vg.Length(n) * vg.Inch / DPI }

// toPx converts a length to pixels.
func toPx(l vg.Length) float64 { return float64(l) * DPI / float64(vg.Inch) }

// Render draws the figure w × h pixels in theme th, for display (lines
// downsampled to the pixel columns), and says where its data area is.
func (f *Figure) Render(w, h int, th Theme) (image.Image, Frame, error) {
	if err := checkSize(w, h); err != nil {
		return nil, Frame{}, err
	}
	c := vgimg.NewWith(vgimg.UseWH(px(w), px(h)), vgimg.UseDPI(DPI))
	fr, err := f.drawOn(draw.New(c), w, h, th)
	if err != nil {
		return nil, Frame{}, err
	}
	return c.Image(), fr, nil
}

// Draw renders the figure at its default size (FigureWidth ×
// FigureHeight, a heat map HeatmapWidth × HeatmapHeight) in Light.
func (f *Figure) Draw() (image.Image, error) {
	w, h := f.size()
	img, _, err := f.Render(w, h, Light)
	return img, err
}

func (f *Figure) size() (int, int) {
	if f.Heat != nil {
		return HeatmapWidth, HeatmapHeight
	}
	return FigureWidth, FigureHeight
}

// WritePNG writes the figure as a PNG of width × height pixels.
func (f *Figure) WritePNG(w io.Writer, width, height int, th Theme) error {
	img, _, err := f.Render(width, height, th)
	if err != nil {
		return err
	}
	if err := png.Encode(w, img); err != nil {
		return fmt.Errorf("chart: %w", err)
	}
	return nil
}

// WriteSVG writes the figure as an SVG of width × height pixels (the
// same drawing as WritePNG, its text as text in Liberation Serif, which
// is not embedded: a viewer without it uses a metric-compatible Times).
func (f *Figure) WriteSVG(w io.Writer, width, height int, th Theme) error {
	if err := checkSize(width, height); err != nil {
		return err
	}
	c := vgsvg.NewWith(vgsvg.UseWH(px(width), px(height)))
	if _, err := f.drawOn(draw.New(c), width, height, th); err != nil {
		return err
	}
	if _, err := c.WriteTo(w); err != nil {
		return fmt.Errorf("chart: %w", err)
	}
	return nil
}

// drawOn draws the figure on dc, w × h pixels.
func (f *Figure) drawOn(dc draw.Canvas, w, h int, th Theme) (Frame, error) {
	dc.SetColor(th.Background)
	dc.Fill(dc.Rectangle.Path())
	if f.Heat != nil {
		return f.drawHeat(dc, th)
	}
	return f.drawLines(dc, w, h, th)
}

// Lines draws series as lines on one chart, w × h pixels, in Light, with
// a legend right of the data when a series is named. A time axis is
// labelled in UTC.
func Lines(title, xLabel, yLabel string, series []Series, w, h int) (image.Image, error) {
	f := Figure{Title: title, XLabel: xLabel, YLabel: yLabel, Lines: series}
	img, _, err := f.Render(w, h, Light)
	return img, err
}

// Heatmap draws grid[d][h] (d: weekday, 0 = Monday; h: hour of day, UTC)
// as an hour × weekday heat map with a colour scale, HeatmapWidth ×
// HeatmapHeight pixels in Light; NaN cells are no data.
func Heatmap(title string, grid [7][24]float64) (image.Image, error) {
	f := Figure{Title: title, Heat: &grid}
	return f.Draw()
}

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

var errNoSeries = errors.New("chart: no series")
