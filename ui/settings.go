package ui

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/twinstudio/twinstudio/app"
	"github.com/twinstudio/twinstudio/engine"
)

// The fields of the project settings dialog, as its form names them.
const (
	fieldKeepCount = "Entries kept per value"
	fieldKeepAge   = "Age kept"
)

// settingsDialog is File ▸ Project Settings…: the project's history
// retention (app.Retention, as `twin retention` sets it) by count and by
// age, and what the retention dropped since the project was opened. A
// refused value is said under the fields, naming the field, and changes
// nothing. It is used on Fyne's goroutine only.
type settingsDialog struct {
	a       *app.App
	count   *widget.Entry
	age     *widget.Entry
	dropped *widget.Label
}

func newSettingsDialog(a *app.App) *settingsDialog {
	d := &settingsDialog{a: a, count: widget.NewEntry(), age: widget.NewEntry(), dropped: widget.NewLabel("")}
	d.count.SetPlaceHolder("0: the default")
	d.age.SetPlaceHolder("none, 30 days, 12h")
	d.dropped.Wrapping = fyne.TextWrapWord
	d.load()
	return d
}

// load shows the retention in force and the count of dropped entries.
func (d *settingsDialog) load() {
	r := d.a.Retention()
	d.count.SetText(strconv.Itoa(r.KeepCount))
	d.age.SetText(r.AgeText())
	d.dropped.SetText(droppedText(d.a.RetentionDropped()))
}

func droppedText(n uint64) string {
	return fmt.Sprintf("%d history entries dropped since the project was opened. "+
		"A value's history is pruned when its next value is written.", n)
}

// show shows the dialog over win; Save applies it.
func (d *settingsDialog) show(win fyne.Window) {
	formDialog(win, "Project settings", "Save", []*widget.FormItem{
		widget.NewFormItem(fieldKeepCount, d.count),
		widget.NewFormItem(fieldKeepAge, d.age),
		widget.NewFormItem("Retention dropped", d.dropped),
	}, d.save)
}

// save parses the fields and makes them the project's retention. A bad
// field returns an error naming it, and nothing changes.
func (d *settingsDialog) save() error {
	r, err := parseRetention(d.count.Text, d.age.Text)
	if err != nil {
		return err
	}
	if err := d.a.SetRetention(r); err != nil {
		return err
	}
	d.load()
	return nil
}

// parseRetention reads the dialog's fields: count a whole number (0 or
// empty: the default), age "none", "0" or empty for no age limit, "N
// days", "Nd" or a Go duration ("12h", "1h30m") of at least a second.
func parseRetention(count, age string) (app.Retention, error) {
	var r app.Retention
	if c := strings.TrimSpace(count); c != "" {
		n, err := strconv.Atoi(c)
		if err != nil || n < 0 {
			return r, fmt.Errorf("%w: %s: want a whole number, 0 for the default, got %q", engine.ErrInvalid, fieldKeepCount, count)
		}
		r.KeepCount = n
	}
	d, err := parseAge(age)
	if err != nil {
		return r, fmt.Errorf("%w: %s: want none, a number of days (30 days) or a duration (12h) of at least 1s, got %q",
			engine.ErrInvalid, fieldKeepAge, age)
	}
	r.KeepAge = d
	return r, nil
}

// parseAge reads an age as Retention.AgeText writes it, or as a Go
// duration; days may be written "7d".
func parseAge(s string) (time.Duration, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	switch s {
	case "", "0", "none":
		return 0, nil
	}
	for _, unit := range []string{" days", " day", "days", "day", "d"} {
		if n, ok := strings.CutSuffix(s, unit); ok {
			days, err := strconv.Atoi(strings.TrimSpace(n))
			if err != nil || days < 0 {
				return 0, fmt.Errorf("bad days %q", n)
			}
			return time.Duration(days) * 24 * time.Hour, nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < time.Second {
		return 0, fmt.Errorf("bad duration %q", s)
	}
	return d, nil
}
