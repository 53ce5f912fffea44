package ui

import (
	"image"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/twinstudio/twinstudio/app/chart"
)

// chartView shows a chart.Figure rendered at the view's size (re-rendered
// when it resizes or the figure changes) and reports the data coordinates
// under the mouse. Call its methods on Fyne's goroutine.
type chartView struct {
	widget.BaseWidget
	fig     *chart.Figure
	img     *canvas.Image
	frame   chart.Frame
	w, h    int // the size rendered, in pixels
	scale   float32
	onHover func(x, y float64, in bool) // data coordinates under the mouse; in false when it left the data area
}

var _ desktop.Hoverable = (*chartView)(nil)

func newChartView() *chartView {
	v := &chartView{img: canvas.NewImageFromImage(nil), scale: 1}
	v.img.FillMode = canvas.ImageFillStretch
	v.img.ScaleMode = canvas.ImageScaleSmooth
	v.ExtendBaseWidget(v)
	return v
}

// CreateRenderer is Fyne's.
func (v *chartView) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(v.img) }

// MinSize is small: the chart takes the room it is given.
func (v *chartView) MinSize() fyne.Size { return fyne.NewSize(120, 120) }

// Resize re-renders the figure at the new size.
func (v *chartView) Resize(s fyne.Size) {
	if s == v.Size() {
		return
	}
	v.BaseWidget.Resize(s)
	v.render()
}

// set shows fig (nil: nothing).
func (v *chartView) set(fig *chart.Figure) {
	v.fig = fig
	v.render()
}

// pixels is the size the chart is rendered at, in pixels.
func (v *chartView) pixels() (int, int) {
	s := v.Size()
	if c := fyne.CurrentApp().Driver().CanvasForObject(v); c != nil {
		v.scale = c.Scale()
	}
	w, h := int(s.Width*v.scale), int(s.Height*v.scale)
	return max(w, 100), max(h, 100)
}

func (v *chartView) render() {
	if v.fig == nil || v.Size().Width < 10 || v.Size().Height < 10 {
		v.img.Image = nil
		v.img.Refresh()
		return
	}
	w, h := v.pixels()
	img, frame, err := v.fig.Render(w, h, chartTheme())
	if err != nil {
		img = image.NewUniform(theme.Color(theme.ColorNameBackground))
		frame = chart.Frame{}
	}
	v.img.Image, v.frame, v.w, v.h = img, frame, w, h
	v.img.Refresh()
}

// chartTheme is the chart theme matching the studio's theme variant.
func chartTheme() chart.Theme {
	if fyne.CurrentApp().Settings().ThemeVariant() == theme.VariantLight {
		return chart.Light
	}
	return chart.Dark
}

// dataAt maps a position in the view to data coordinates; false outside
// the data area.
func (v *chartView) dataAt(p fyne.Position) (x, y float64, ok bool) {
	f := v.frame
	s := v.Size()
	if v.w == 0 || s.Width == 0 || f.Right <= f.Left || f.Bottom <= f.Top {
		return 0, 0, false
	}
	px := float64(p.X) * float64(v.w) / float64(s.Width)
	py := float64(p.Y) * float64(v.h) / float64(s.Height)
	if px < f.Left || px > f.Right || py < f.Top || py > f.Bottom {
		return 0, 0, false
	}
	x = f.XMin + (px-f.Left)/(f.Right-f.Left)*(f.XMax-f.XMin)
	y = f.YMax - (py-f.Top)/(f.Bottom-f.Top)*(f.YMax-f.YMin)
	return x, y, true
}

func (v *chartView) hover(p fyne.Position) {
	if v.onHover == nil {
		return
	}
	x, y, ok := v.dataAt(p)
	v.onHover(x, y, ok)
}

// MouseIn is Fyne's.
func (v *chartView) MouseIn(e *desktop.MouseEvent) { v.hover(e.Position) }

// MouseMoved is Fyne's.
func (v *chartView) MouseMoved(e *desktop.MouseEvent) { v.hover(e.Position) }

// MouseOut is Fyne's.
func (v *chartView) MouseOut() {
	if v.onHover != nil {
		v.onHover(0, 0, false)
	}
}
