package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// wrapRows lays its objects out left to right at their minimum sizes,
// starting a new row where the next one would not fit, like Fyne's
// RowWrapLayout. Unlike it, its minimum width is always its widest
// object's, so a pane once laid out wide can shrink again (RowWrapLayout
// of Fyne 2.7 keeps the width of its widest layout as its minimum, and so
// holds a split or a window at that width); its minimum height is that
// of the rows at the last width it was laid out at.
type wrapRows struct {
	rows int // at the last layout; 0: not laid out yet (one object per row)
}

func newWrapRows() *wrapRows { return &wrapRows{} }

func (l *wrapRows) MinSize(objects []fyne.CanvasObject) fyne.Size {
	var w, h float32
	n := 0
	for _, o := range objects {
		if !o.Visible() {
			continue
		}
		n++
		s := o.MinSize()
		w, h = max(w, s.Width), max(h, s.Height)
	}
	if n == 0 {
		return fyne.Size{}
	}
	rows := l.rows
	if rows == 0 || rows > n {
		rows = n
	}
	return fyne.NewSize(w, float32(rows)*h+float32(rows-1)*theme.Padding())
}

func (l *wrapRows) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	pad := theme.Padding()
	var h float32
	for _, o := range objects {
		if o.Visible() {
			h = max(h, o.MinSize().Height)
		}
	}
	x, row, first := float32(0), 0, true
	for _, o := range objects {
		if !o.Visible() {
			continue
		}
		s := o.MinSize()
		if !first && x+s.Width > size.Width {
			x, row = 0, row+1
		}
		first = false
		o.Resize(s)
		o.Move(fyne.NewPos(x, float32(row)*(h+pad)))
		x += s.Width + pad
	}
	if !first {
		l.rows = row + 1
	}
}
