package ui

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/twinstudio/twinstudio/app"
	"github.com/twinstudio/twinstudio/engine"
)

// statusBar shows the project's name and file on the left; its object
// counts, the broker's address and connected devices, the message rate and
// the rejected messages on the right.
type statusBar struct {
	right    *fyne.Container // the counts or the clock, the broker, the rate, the rejections
	rightMin fyne.Size       // right's minimum size at the last layout
	model    *viewModel
	project  *widget.Label
	counts   *widget.Label
	broker   *widget.Label
	rate     *widget.Label
	rejected *widget.Button // tapping it shows the rejections
	sim      *widget.Label  // the simulated clock
	message  *widget.Label  // a passing message ("Copied…"), shown at the toolbar's end
	// flashUntil is when the status message goes (Unix nanoseconds); the
	// poller reads it.
	flashUntil atomic.Int64
	content    fyne.CanvasObject
}

// flashFor is how long a status message shows.
const flashFor = 6 * time.Second

func newStatusBar(a *app.App, m *viewModel, onRejected func()) *statusBar {
	b := &statusBar{model: m}
	b.project = widget.NewLabelWithStyle(a.Name(), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	b.counts = widget.NewLabel("")
	b.broker = widget.NewLabel("")
	b.rate = widget.NewLabel("")
	b.rejected = widget.NewButton("", onRejected)
	b.rejected.Importance = widget.LowImportance
	b.sim = widget.NewLabel("")
	b.sim.Hide()
	b.message = widget.NewLabel("")
	b.message.Importance = widget.HighImportance
	b.message.Truncation = fyne.TextTruncateEllipsis
	// The message stays in the layout and is emptied when it goes: a
	// label shown later would keep the place it was laid out in while
	// hidden (over the toolbar's buttons).
	b.right = container.NewHBox(b.counts, widget.NewSeparator(), b.sim, b.broker, widget.NewSeparator(), b.rate, b.rejected)
	b.content = container.NewBorder(nil, nil, b.project, b.right) // the message shows in the toolbar
	b.refresh()
	b.setLive(live{broker: brokerText(a)})
	return b
}

// live is what the status bar shows of the running project.
type live struct {
	broker   string
	brokerOn bool
	rate     float64 // accepted messages per second
	rejected uint64
	sim      string // the simulation and its clock, "" when none runs
	simEnded bool   // the simulation has ended since the last poll
	flash    bool   // a status message is showing
}

// brokerText says where the broker listens and how many devices are
// connected.
func brokerText(a *app.App) string {
	br := a.Broker()
	if br == nil {
		return "MQTT broker off"
	}
	n := br.Connected()
	dev := "devices"
	if n == 1 {
		dev = "device"
	}
	return fmt.Sprintf("MQTT %s · %d %s connected", br.Addr(), n, dev)
}

func (b *statusBar) setLive(l live) {
	// The simulation's clock takes the place of the counts, which do not
	// change while it runs and would push the bar out of the window.
	if l.sim == "" {
		b.sim.Hide()
		b.counts.Show()
	} else {
		b.sim.SetText(l.sim)
		b.sim.Show()
		b.counts.Hide()
	}
	if !l.flash && b.message.Text != "" {
		b.message.SetText("")
	}
	b.broker.SetText(l.broker)
	b.rate.SetText(fmt.Sprintf("%.0f msg/s", l.rate))
	b.rejected.SetText(fmt.Sprintf("%d rejected", l.rejected))
	imp := widget.LowImportance
	if l.rejected > 0 {
		imp = widget.WarningImportance
	}
	if b.rejected.Importance != imp {
		b.rejected.Importance = imp
		b.rejected.Refresh()
	}
	// A longer text (a rate of 10,000 msg/s after 0) needs a new layout,
	// or the next label is drawn over its end.
	if ms := b.right.MinSize(); ms != b.rightMin {
		b.rightMin = ms
		b.content.Refresh()
	}
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

// flash shows text in the middle of the status bar for a few seconds.
func (b *statusBar) flash(text string) {
	b.message.SetText(text)
	b.flashUntil.Store(time.Now().Add(flashFor).UnixNano())
}

// shownMessage is the status message showing, "" when none.
func (b *statusBar) shownMessage() string {
	return b.message.Text
}

// refresh redraws the counts; while the studio shows another principal's
// view they give way to whose view it is.
func (b *statusBar) refresh() {
	text, imp := countsText(b.model.stats()), widget.MediumImportance
	if who := b.model.principal(); who.Type != engine.Owner.Type {
		text, imp = "Viewing as "+principalText(who)+": only what it may read", widget.WarningImportance
	}
	if text == b.counts.Text && imp == b.counts.Importance {
		return
	}
	b.counts.Importance = imp
	b.counts.SetText(text)
	if b.content != nil {
		b.content.Refresh() // lay the bar out for the new width
	}
}
