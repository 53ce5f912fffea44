package ui

import (
	"fmt"
	"image/color"
	"sort"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/twinstudio/twinstudio/app"
	"github.com/twinstudio/twinstudio/engine"
)

// logEntry is one line of the telemetry log: an accepted message, or a
// rejected one with its reason.
type logEntry struct {
	Time           time.Time
	Device, Sensor string // hardware ids; Sensor may be "" for a rejection
	Value          string // the value set, or the payload
	Rejected       bool
	Reason         string // why it was rejected, with the detail
}

// status is the entry's last column: "accepted" or "rejected: reason".
func (e logEntry) status() string {
	if e.Rejected {
		return "rejected: " + e.Reason
	}
	return "accepted"
}

// logTime is how the log shows a message's time: to the millisecond when
// it is from today, else with its date (simulated readings carry the
// scenario's dates).
func logTime(t, now time.Time) string {
	t, now = t.Local(), now.Local()
	if t.Year() == now.Year() && t.YearDay() == now.YearDay() {
		return t.Format("15:04:05.000")
	}
	return t.Format("Jan 02 15:04:05")
}

// matches reports whether the filter text is part of the device's or the
// sensor's hardware id (ignoring case).
func (e logEntry) matches(filter string) bool {
	if filter == "" {
		return true
	}
	f := strings.ToLower(filter)
	return strings.Contains(strings.ToLower(e.Device), f) || strings.Contains(strings.ToLower(e.Sensor), f)
}

// mergeLog merges the pipeline's recent accepted messages and rejections
// into one log, newest first, of at most max entries.
func mergeLog(recent []engine.RecentMessage, rejects []engine.Rejection, max int) []logEntry {
	out := make([]logEntry, 0, len(recent)+len(rejects))
	for _, m := range recent {
		v := m.Value
		if v == "" {
			v = m.Payload
		}
		out = append(out, logEntry{Time: m.Time, Device: m.Device, Sensor: m.Sensor, Value: v})
	}
	for _, r := range rejects {
		reason := r.Reason
		if r.Detail != "" {
			reason += " (" + r.Detail + ")"
		}
		out = append(out, logEntry{Time: r.Time, Device: r.Device, Sensor: topicSensor(r.Topic), Rejected: true, Reason: reason})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Time.After(out[j].Time) })
	if len(out) > max {
		out = out[:max]
	}
	return out
}

// topicSensor is the sensor hardware id of a devices/{hw}/sensors/{sensor}
// topic, or "".
func topicSensor(topic string) string {
	parts := strings.Split(topic, "/")
	if len(parts) >= 4 && parts[0] == "devices" && parts[2] == "sensors" {
		return parts[3]
	}
	return ""
}

// deviceState is a device and its connection state, for the device list.
type deviceState struct {
	Name, HardwareID string
	Connected        bool
	Sensors          []string // hardware ids
}

// listDevices lists the project's devices by hardware id with their sensors
// and connection states.
func listDevices(e *engine.Engine) []deviceState {
	var out []deviceState
	_ = e.View(func(v *engine.View) error {
		return v.WalkSpaces(func(s *engine.Space) error {
			for _, d := range v.SpaceDevices(s.ID) {
				ds := deviceState{Name: d.Name, HardwareID: d.HardwareID, Connected: d.ConnectionState == engine.Connected}
				for _, n := range v.DeviceSensors(d.ID) {
					ds.Sensors = append(ds.Sensors, n.HardwareID)
				}
				out = append(out, ds)
			}
			return nil
		}, nil)
	})
	sort.Slice(out, func(i, j int) bool { return out[i].HardwareID < out[j].HardwareID })
	return out
}

// telemetry is the Telemetry tab: the live log with its filter above, the
// publish panel and the device list below.
type telemetry struct {
	all      []logEntry // newest first
	shown    []logEntry
	log      *widget.List
	filter   *widget.Entry
	rejected *widget.Check // rejections only
	count    *widget.Label

	pub  *publishPanel
	devs *deviceList

	content fyne.CanvasObject
}

func newTelemetry(a *app.App) *telemetry {
	t := &telemetry{pub: newPublishPanel(a)}
	t.devs = newDeviceList(t.pub.onDevicePicked)
	t.filter = widget.NewEntry()
	t.filter.SetPlaceHolder("Filter by device or sensor")
	t.filter.OnChanged = func(string) { t.applyFilter() }
	t.rejected = widget.NewCheck("Rejected only", func(bool) { t.applyFilter() })
	t.count = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Italic: true})

	t.log = widget.NewList(func() int { return len(t.shown) }, newLogRow, t.updateLogRow)
	header := container.NewBorder(nil, nil,
		timeColumn(widget.NewLabelWithStyle("Time", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})), nil,
		container.New(logColumns, bold("Device"), bold("Sensor"), bold("Value"), bold("Status")))
	logPane := container.NewBorder(
		container.NewVBox(
			container.NewBorder(nil, nil, nil, container.NewHBox(t.rejected, t.count), t.filter),
			header, widget.NewSeparator()),
		nil, nil, nil, t.log)
	bottom := container.NewHSplit(container.NewVScroll(t.pub.content), t.devs.content)
	bottom.Offset = 0.6
	split := container.NewVSplit(logPane, bottom)
	split.Offset = 0.6
	t.content = split
	t.setDevices(listDevices(a.Engine()))
	t.applyFilter()
	return t
}

// publishPanel sends a payload as any device of the project, as if it had
// published it over MQTT.
type publishPanel struct {
	app     *app.App
	devices []deviceState
	// refuse, when set, says why the studio's current view may not send
	// as device hw ("" when it may).
	refuse func(hw string) string

	device, sensor *widget.SelectEntry
	value          *widget.Entry
	sample         string // the payload fillSample last put in value
	send           *widget.Button
	result         *widget.Label
	content        fyne.CanvasObject
}

func newPublishPanel(a *app.App) *publishPanel {
	p := &publishPanel{app: a}
	p.device = widget.NewSelectEntry(nil)
	p.device.SetPlaceHolder("Device hardwareId")
	p.device.OnChanged = func(string) { p.updateSensorOptions() }
	p.sensor = widget.NewSelectEntry(nil)
	p.sensor.SetPlaceHolder("Sensor hardwareId")
	p.sensor.OnChanged = func(string) { p.fillSample() }
	p.value = widget.NewEntry()
	p.value.SetPlaceHolder(`Payload, e.g. {"SensorValue": "21.5"}`)
	p.value.OnSubmitted = func(string) { p.onSend() }
	p.send = widget.NewButtonWithIcon("Send", theme.MailSendIcon(), p.onSend)
	p.send.Importance = widget.HighImportance
	p.result = widget.NewLabel("")
	p.result.Truncation = fyne.TextTruncateEllipsis // one line beside Send
	p.content = container.NewVBox(
		heading("Publish"),
		note("Send a value as a device, as if it had published it over MQTT."),
		container.New(layout.NewFormLayout(),
			label("Device"), p.device,
			label("Sensor"), p.sensor,
			label("Payload"), p.value),
		// The result sits beside Send, where the panel's height always
		// shows it.
		container.NewBorder(nil, nil, nil, p.send, p.result),
	)
	return p
}

// deviceList lists the project's devices with their connection states;
// picking one hands its hardware id to onPick.
type deviceList struct {
	devices []deviceState
	list    *widget.List
	onPick  func(hardwareID string)
	content fyne.CanvasObject
}

func newDeviceList(onPick func(hardwareID string)) *deviceList {
	l := &deviceList{onPick: onPick}
	l.list = widget.NewList(func() int { return len(l.devices) }, newDeviceRow, l.updateRow)
	l.list.OnSelected = l.onSelected
	l.content = container.NewBorder(heading("Devices"), nil, nil, nil, l.list)
	return l
}

func newDeviceRow() fyne.CanvasObject {
	l := widget.NewLabel("")
	l.Truncation = fyne.TextTruncateEllipsis
	return container.NewBorder(nil, nil, widget.NewIcon(nil), nil, l)
}

func (l *deviceList) updateRow(i widget.ListItemID, o fyne.CanvasObject) {
	d := l.devices[i]
	c := o.(*fyne.Container)
	text := c.Objects[0].(*widget.Label)
	icon := c.Objects[1].(*widget.Icon)
	state := "disconnected"
	icon.SetResource(theme.NewDisabledResource(theme.RadioButtonIcon()))
	if d.Connected {
		state = "connected"
		icon.SetResource(theme.NewSuccessThemedResource(theme.RadioButtonCheckedIcon()))
	}
	text.SetText(d.HardwareID + " · " + state)
}

// onSelected picks device i.
func (l *deviceList) onSelected(i widget.ListItemID) {
	if i < len(l.devices) {
		l.onPick(l.devices[i].HardwareID)
	}
	l.list.UnselectAll()
}

func (l *deviceList) set(ds []deviceState) {
	l.devices = ds
	l.list.Refresh()
}

func bold(text string) *widget.Label {
	l := widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	l.Truncation = fyne.TextTruncateEllipsis
	return l
}

func label(text string) *widget.Label {
	return widget.NewLabelWithStyle(text, fyne.TextAlignTrailing, fyne.TextStyle{Bold: true})
}

// logRow lays out a log line: the time, then device, sensor, value and
// status in columns.
func logRow(time, device, sensor, value, status *widget.Label) *fyne.Container {
	return container.NewBorder(nil, nil, timeColumn(time), nil,
		container.New(logColumns, device, sensor, value, status))
}

// logColumns lays out the log's device, sensor, value and status columns,
// the sensor and status wider than the others.
var logColumns = columns{3, 4, 2, 4}

// timeColumn gives o the width of the longest time logTime writes, so that
// the columns line up whatever the times.
func timeColumn(o fyne.CanvasObject) fyne.CanvasObject {
	w := canvas.NewRectangle(color.Transparent)
	l := newTimeLabel()
	l.SetText("Mar 02 00:00:00")
	w.SetMinSize(l.MinSize())
	return container.NewStack(w, o)
}

// columns lays objects out side by side, each as wide as its share of the
// weights and as high as the tallest.
type columns []float32

func (c columns) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	var total float32
	for _, w := range c {
		total += w
	}
	x := float32(0)
	for i, o := range objs {
		if i >= len(c) {
			break
		}
		w := size.Width * c[i] / total
		o.Move(fyne.NewPos(x, 0))
		o.Resize(fyne.NewSize(w, size.Height))
		x += w
	}
}

func (c columns) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var min fyne.Size
	for _, o := range objs {
		m := o.MinSize()
		min.Width += m.Width
		min.Height = fyne.Max(min.Height, m.Height)
	}
	return min
}

func newLogRow() fyne.CanvasObject {
	cell := func() *widget.Label {
		l := widget.NewLabel("")
		l.Truncation = fyne.TextTruncateEllipsis
		return l
	}
	return logRow(newTimeLabel(), cell(), cell(), cell(), cell())
}

func newTimeLabel() *widget.Label {
	return widget.NewLabelWithStyle("00:00:00.000", fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
}

// logCells returns a log row's labels: time, device, sensor, value, status.
func logCells(o fyne.CanvasObject) []*widget.Label {
	c := o.(*fyne.Container)
	grid := c.Objects[0].(*fyne.Container)
	time := c.Objects[1].(*fyne.Container).Objects[1] // timeColumn's stack
	out := []*widget.Label{time.(*widget.Label)}
	for _, x := range grid.Objects {
		out = append(out, x.(*widget.Label))
	}
	return out
}

func (t *telemetry) updateLogRow(i widget.ListItemID, o fyne.CanvasObject) {
	if i >= len(t.shown) {
		return
	}
	e := t.shown[i]
	cells := logCells(o)
	setText(cells[0], logTime(e.Time, time.Now()))
	setText(cells[1], e.Device)
	setText(cells[2], e.Sensor)
	setText(cells[3], e.Value)
	st := cells[4]
	imp := widget.SuccessImportance
	if e.Rejected {
		imp = widget.DangerImportance
	}
	if st.Importance != imp {
		st.Importance = imp
		st.Text = "" // redraw in the new colour
	}
	setText(st, e.status())
}

// setText sets a label's text unless it has it already (setting it
// reshapes the text, the costliest part of a redraw).
func setText(l *widget.Label, text string) {
	if l.Text != text {
		l.SetText(text)
	}
}

// setLog replaces the log's entries (newest first).
func (t *telemetry) setLog(entries []logEntry) {
	t.all = entries
	t.applyFilter()
}

func (t *telemetry) applyFilter() {
	f := strings.TrimSpace(t.filter.Text)
	t.shown = t.shown[:0]
	for _, e := range t.all {
		if e.matches(f) && (!t.rejected.Checked || e.Rejected) {
			t.shown = append(t.shown, e)
		}
	}
	switch {
	case len(t.all) == 0:
		t.count.SetText("no messages yet")
	case len(t.all) == 1 && len(t.shown) == 1:
		t.count.SetText("1 message")
	case len(t.shown) == len(t.all):
		t.count.SetText(fmt.Sprintf("%d messages", len(t.all)))
	default:
		t.count.SetText(fmt.Sprintf("%d of %d", len(t.shown), len(t.all)))
	}
	t.log.Refresh()
}

// showRejections filters the log to the rejected messages.
func (t *telemetry) showRejections() {
	t.rejected.SetChecked(true)
}

// setDevices replaces the devices the publish panel offers and the device
// list shows.
func (t *telemetry) setDevices(ds []deviceState) {
	t.pub.setDevices(ds)
	t.devs.set(ds)
}

func (p *publishPanel) setDevices(ds []deviceState) {
	p.devices = ds
	opts := make([]string, len(ds))
	for i, d := range ds {
		opts[i] = d.HardwareID
	}
	p.device.SetOptions(opts)
	p.updateSensorOptions()
}

// onDevicePicked publishes as device hardwareID next.
func (p *publishPanel) onDevicePicked(hardwareID string) { p.device.SetText(hardwareID) }

func (p *publishPanel) updateSensorOptions() {
	var opts []string
	for _, d := range p.devices {
		if d.HardwareID == p.device.Text {
			opts = d.Sensors
		}
	}
	p.sensor.SetOptions(opts)
}

// fillSample puts the sample payload of the chosen sensor's data type
// (app.SamplePayload: the form the example UDFs read) in the payload
// field, unless the field holds something typed.
func (p *publishPanel) fillSample() {
	hw := strings.TrimSpace(p.sensor.Text)
	var dt string
	_ = p.app.Engine().View(func(v *engine.View) error {
		if s, ok := v.SensorByHardwareID(hw); ok {
			dt = v.TypeName(s.DataTypeID)
		}
		return nil
	})
	if dt == "" || (p.value.Text != "" && p.value.Text != p.sample) {
		return
	}
	p.sample = app.SamplePayload(dt)
	p.value.SetText(p.sample)
}

// onSend submits the panel's payload as the chosen device.
func (p *publishPanel) onSend() {
	dev, sensor := strings.TrimSpace(p.device.Text), strings.TrimSpace(p.sensor.Text)
	if dev == "" || sensor == "" {
		p.showResult("Choose a device and a sensor first.", widget.WarningImportance)
		return
	}
	if p.refuse != nil {
		if why := p.refuse(dev); why != "" {
			p.showResult("Not sent: "+why, widget.DangerImportance)
			return
		}
	}
	topic := engine.SensorTopic(dev, sensor)
	_, err := p.app.Pipeline().Submit(&engine.IngressMessage{
		Topic:    topic,
		Payload:  []byte(p.value.Text),
		QoS:      1,
		Username: dev,
	})
	if err != nil {
		p.showResult("Not sent: "+err.Error(), widget.DangerImportance)
		return
	}
	p.showResult("Sent to "+topic, widget.MediumImportance)
}

func (p *publishPanel) showResult(text string, imp widget.Importance) {
	p.result.Importance = imp
	p.result.SetText(text)
}
