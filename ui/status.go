package ui

import (
	"os"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/twinstudio/twinstudio/app"
)

// statusBar shows the project's name and file on the left and its object
// counts on the right.
type statusBar struct {
	model   *Model
	project *widget.Label
	counts  *widget.Label
	content fyne.CanvasObject
}

func newStatusBar(a *app.App, m *Model) *statusBar {
	b := &statusBar{model: m}
	b.project = widget.NewLabelWithStyle(a.Name(), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	path := widget.NewLabel(displayPath(a.Path()))
	path.Importance = widget.LowImportance
	path.Truncation = fyne.TextTruncateEllipsis
	b.counts = widget.NewLabel("")
	b.content = container.NewBorder(nil, nil, b.project, b.counts, path)
	b.refresh()
	return b
}

// displayPath is path made absolute, with the home folder shown as ~.
func displayPath(path string) string {
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	if home, err := os.UserHomeDir(); err == nil && home != "/" {
		if rel, err := filepath.Rel(home, path); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return filepath.Join("~", rel)
		}
	}
	return path
}

func (b *statusBar) refresh() { b.counts.SetText(Counts(b.model.Stats())) }
