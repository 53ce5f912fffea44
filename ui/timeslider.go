package ui

import (
	"sort"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/twinstudio/twinstudio/app"
	"github.com/twinstudio/twinstudio/engine"
)

// playFrame is how often playing moves the cursor: at most ~30 redraws a
// second.
const playFrame = time.Second / 30

// playSpeeds are the play speeds offered, simulated time per wall time.
var playSpeeds = []struct {
	label string
	x     float64
}{{"1x", 1}, {"10x", 10}, {"60x", 60}, {"600x", 600}}

// timeBar is the time slider under the tabs: it moves the studio's
// cursor over the project's recorded span (app.HistorySpan, which covers
// a running simulation's clock), plays it forward at a chosen speed and
// returns to live. Use it on the Fyne goroutine only; the play ticker
// reaches it through fyne.Do.
type timeBar struct {
	span   func() (from, to time.Time, ok bool)
	cursor *timeCursor

	slider  *widget.Slider
	label   *widget.Label
	play    *widget.Button
	speed   *widget.Select
	live    *widget.Button
	content *fyne.Container

	from, to time.Time
	has      bool
	moving   bool          // the bar sets the slider itself: OnChanged ignores it
	stop     chan struct{} // closed to stop playing; nil while not playing
	// do runs the play ticker's steps on Fyne's goroutine: fyne.Do (tests
	// hand them to the test's goroutine).
	do func(func())
}

func newTimeBar(a *app.App, cursor *timeCursor) *timeBar {
	b := &timeBar{span: a.HistorySpan, cursor: cursor, do: fyne.Do}
	b.slider = widget.NewSlider(0, 1)
	b.slider.Step = 1
	b.slider.OnChanged = b.dragged
	b.label = widget.NewLabel("Now")
	b.label.TextStyle.Monospace = true
	b.play = widget.NewButtonWithIcon("", theme.MediaPlayIcon(), b.togglePlay)
	labels := make([]string, len(playSpeeds))
	for i, s := range playSpeeds {
		labels[i] = s.label
	}
	b.speed = widget.NewSelect(labels, nil)
	b.speed.SetSelectedIndex(2)
	b.live = widget.NewButton("Live", func() { b.stopPlay(); b.cursor.Set(time.Time{}) })
	b.live.Importance = widget.HighImportance
	cursor.OnChange(func(time.Time) { b.show() })
	b.content = container.NewBorder(nil, nil, container.NewHBox(b.play, b.speed),
		container.NewHBox(b.label, b.live), b.slider)
	b.refresh()
	return b
}

// refresh reads the span again (values came, the simulation's clock
// moved) and redraws.
func (b *timeBar) refresh() {
	b.from, b.to, b.has = b.span()
	b.show()
}

// show puts the slider and the label at the cursor.
func (b *timeBar) show() {
	at, past := b.cursor.At()
	b.moving = true
	defer func() { b.moving = false }()
	if !b.has {
		b.slider.Min, b.slider.Max = 0, 1
		b.slider.SetValue(1)
		b.slider.Refresh()
		b.slider.Disable()
		b.play.Disable()
	} else {
		b.slider.Enable()
		b.play.Enable()
		b.slider.Min, b.slider.Max = float64(b.from.Unix()), float64(max(b.to.Unix(), b.from.Unix()+1))
		v := b.slider.Max
		if past {
			v = float64(at.Unix())
		}
		if v == b.slider.Value {
			b.slider.Refresh() // the range may have changed
		}
		b.slider.SetValue(v)
	}
	text := "Now"
	if past {
		text = at.Local().Format(cursorLayout)
		b.live.Enable()
	} else {
		b.live.Disable()
	}
	if text != b.label.Text {
		wider := len(text) != len(b.label.Text)
		b.label.SetText(text)
		if wider {
			b.content.Refresh() // lay the bar out again for the label's new width
		}
	}
}

// cursorLayout is how the bar shows a past moment.
const cursorLayout = "2006-01-02 15:04:05 MST"

// cursorText is how the bar and the inspector name a past moment.
func cursorText(at time.Time) string { return "at " + at.Local().Format(cursorLayout) }

// dragged moves the cursor to where the user put the slider.
func (b *timeBar) dragged(v float64) {
	if b.moving || !b.has {
		return
	}
	b.cursor.Set(time.Unix(int64(v), 0).UTC())
}

// togglePlay starts or stops playing.
func (b *timeBar) togglePlay() {
	if b.stop != nil {
		b.stopPlay()
		return
	}
	if !b.has {
		return
	}
	at, past := b.cursor.At()
	if !past || !at.Before(b.to) {
		at = b.from
		b.cursor.Set(at)
	}
	b.play.SetIcon(theme.MediaPauseIcon())
	stop := make(chan struct{})
	b.stop = stop
	speed := playSpeeds[max(0, b.speed.SelectedIndex())].x
	do := b.do
	go func() {
		t := time.NewTicker(playFrame)
		defer t.Stop()
		last := time.Now()
		for {
			select {
			case <-stop:
				return
			case now := <-t.C:
				step := time.Duration(float64(now.Sub(last)) * speed)
				last = now
				do(func() { b.advance(stop, step) })
			}
		}
	}()
}

// advance moves the cursor step forward while playing, stopping at the
// end of the span.
func (b *timeBar) advance(stop chan struct{}, step time.Duration) {
	if b.stop != stop {
		return // stopped meanwhile
	}
	at, past := b.cursor.At()
	if !past {
		b.stopPlay()
		return
	}
	b.from, b.to, b.has = b.span()
	next := at.Add(step)
	if !next.Before(b.to) {
		next = b.to
		b.stopPlay()
	}
	b.cursor.Set(next)
}

// stopPlay stops playing (nothing if it does not play).
func (b *timeBar) stopPlay() {
	if b.stop == nil {
		return
	}
	close(b.stop)
	b.stop = nil
	b.play.SetIcon(theme.MediaPlayIcon())
}

// pastValues returns the values the inspector shows for node uid (a
// space, a device or a sensor) as they were at at, labelled as the live
// ones are.
func pastValues(m *viewModel, valuesAt func([]engine.ID, time.Time) (map[engine.ID]map[string]engine.Value, error), uid string, at time.Time) ([]field, error) {
	k, id, ok := parseNode(uid)
	if !ok {
		return nil, nil
	}
	kind := k.kind
	var sensors []engine.ID
	labels := map[engine.ID]string{}
	if kind == engine.KindDevice {
		m.view(func(v *engine.View) {
			for _, s := range v.DeviceSensors(id) {
				sensors = append(sensors, s.ID)
				labels[s.ID] = sensorTitle(v, s) + " (" + s.HardwareID + ")"
			}
		})
	}
	owners := []engine.ID{id}
	if kind == engine.KindDevice {
		owners = sensors
	}
	vals, err := valuesAt(owners, at)
	if err != nil {
		return nil, err
	}
	var fs []field
	switch kind {
	case engine.KindSpace:
		for name, v := range vals[id] {
			fs = append(fs, field{Label: name, Value: v.Value, Time: v.Time})
		}
		sort.Slice(fs, func(i, j int) bool { return fs[i].Label < fs[j].Label })
	case engine.KindDevice:
		for _, s := range sensors {
			if v, ok := vals[s][""]; ok {
				fs = append(fs, field{Label: labels[s], Value: v.Value, Time: v.Time})
			}
		}
	case engine.KindSensor:
		if v, ok := vals[id][""]; ok {
			fs = []field{{Label: "Value", Value: v.Value, Time: v.Time}}
		}
	}
	return fs, nil
}
