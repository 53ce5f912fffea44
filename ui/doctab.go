package ui

import (
	"encoding/json"
	"sort"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/twinstudio/twinstudio/engine"
)

// docTab is the Model tab: the selected object's JSON document, or what to
// do when nothing is selected. While the time slider is in the past
// (cursor), the document's values are those at its moment (past), under a
// marker naming it; the rest of the document is the object as it is now.
// It is used on Fyne's goroutine only.
type docTab struct {
	model   *viewModel
	path    string      // the project file
	cursor  *timeCursor // the time slider's moment; nil: always live
	past    valuesAtFunc
	marker  *widget.Label // "Values at …" while the cursor is in the past
	label   *widget.Label
	content fyne.CanvasObject
}

func newDocTab(m *viewModel, path string, cursor *timeCursor, past valuesAtFunc) *docTab {
	t := &docTab{model: m, path: path, cursor: cursor, past: past}
	t.label = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
	t.label.Selectable = true
	t.marker = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	t.marker.Importance = widget.WarningImportance
	t.marker.Hide()
	t.content = container.NewBorder(t.marker, nil, nil, nil, container.NewScroll(t.label))
	t.show("")
	return t
}

// show shows the document of node uid ("" or a node that has gone: the
// hint), with the values at the cursor's moment when it is in the past.
func (t *docTab) show(uid string) {
	if !t.model.exists(uid) {
		uid = ""
	}
	var text string
	at, past := time.Time{}, false
	if t.cursor != nil && t.past != nil {
		at, past = t.cursor.At()
	}
	switch {
	case uid == "":
		text = t.model.document("") + "\n\nProject file: " + displayPath(t.path)
		t.label.Wrapping = fyne.TextWrapWord // a hint
	case past:
		text = t.documentAt(uid, at)
		t.label.Wrapping = fyne.TextWrapOff
	default:
		text = t.model.document(uid)
		t.label.Wrapping = fyne.TextWrapOff // a JSON document
	}
	if past && uid != "" {
		t.marker.SetText("Values " + cursorText(at))
		t.marker.Show()
	} else {
		t.marker.Hide()
	}
	t.label.SetText(text)
}

// documentAt is node uid's JSON document with its values (a space's, a
// sensor's, a device's sensors') as they were at at; a value not recorded
// yet then is left out.
func (t *docTab) documentAt(uid string, at time.Time) string {
	var doc any
	t.model.view(func(v *engine.View) {
		if o, k, ok := t.model.lookup(v, uid); ok {
			doc = k.doc(v, o)
		}
	})
	if doc == nil {
		return t.model.document(uid)
	}
	if err := valuesAtDoc(doc, at, t.past); err != nil {
		return err.Error()
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err.Error()
	}
	return string(b)
}

// valuesAtDoc replaces the values of doc (a *engine.SpaceDoc, DeviceDoc
// or SensorDoc; other documents have none) with those at at.
func valuesAtDoc(doc any, at time.Time, past valuesAtFunc) error {
	var sensors []*engine.SensorDoc
	var space *engine.SpaceDoc
	switch d := doc.(type) {
	case *engine.SpaceDoc:
		space = d
	case *engine.DeviceDoc:
		sensors = d.Sensors
	case *engine.SensorDoc:
		sensors = []*engine.SensorDoc{d}
	default:
		return nil
	}
	ids := make([]string, 0, len(sensors)+1)
	for _, s := range sensors {
		ids = append(ids, s.ID)
	}
	if space != nil {
		ids = append(ids, space.ID)
	}
	owners := make([]engine.ID, len(ids))
	for i, s := range ids {
		id, err := engine.ParseID(s)
		if err != nil {
			return err
		}
		owners[i] = id
	}
	vals, err := past(owners, at)
	if err != nil {
		return err
	}
	for i, s := range sensors {
		s.Value = nil
		if v, ok := vals[owners[i]][""]; ok {
			s.Value = &engine.ValueDoc{Type: s.DataType, Value: v.Value, Timestamp: v.Time.UTC()}
		}
	}
	if space != nil {
		space.Values = nil
		for name, v := range vals[owners[len(owners)-1]] {
			space.Values = append(space.Values, engine.ValueDoc{Type: name, Value: v.Value, Timestamp: v.Time.UTC()})
		}
		sort.Slice(space.Values, func(i, j int) bool { return space.Values[i].Type < space.Values[j].Type })
	}
	return nil
}
