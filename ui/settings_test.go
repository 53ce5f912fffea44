package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/twinstudio/twinstudio/app"
)

// TestSettings_retention opens File ▸ Project Settings… on a real
// project, sets count retention through the dialog and reads it back from
// the app; a refused value is said inline naming its field and changes
// nothing; what the retention dropped is shown.
func TestSettings_retention(t *testing.T) {
	test.NewTempApp(t)
	a := quietQuickstart(t, "settings")
	s, w := newStudioWindow(t, a)
	open := func() (count, age *widget.Entry) {
		t.Helper()
		s.commands()["settings"].fn()
		es := entries(overlay(t, w))
		if len(es) != 2 {
			t.Fatalf("the dialog has %d entries, want count and age", len(es))
		}
		return es[0], es[1]
	}
	said := func() string { return strings.Join(texts(visibleLabels(overlay(t, w))), "\n") }
	count, age := open()
	if r := a.Retention(); count.Text != fmt.Sprint(r.KeepCount) || age.Text != "none" {
		t.Fatalf("dialog shows %q / %q, app has %+v", count.Text, age.Text, r)
	}
	count.SetText("3")
	age.SetText("2 days")
	tapButton(t, overlay(t, w), "Save")
	if got, want := a.Retention(), (app.Retention{KeepCount: 3, KeepAge: 48 * time.Hour}); got != want {
		t.Fatalf("after Save: %+v, want %+v (error %v)", got, want, s.lastErr)
	}
	if w.Canvas().Overlays().Top() != nil {
		t.Error("the dialog stays open after a good Save")
	}

	for _, bad := range []struct{ count, age, field string }{
		{"-1", "none", fieldKeepCount},
		{"many", "none", fieldKeepCount},
		{"5", "soon", fieldKeepAge},
		{"5", "10ms", fieldKeepAge},
	} {
		count, age := open()
		count.SetText(bad.count)
		age.SetText(bad.age)
		tapButton(t, overlay(t, w), "Save")
		if got := said(); !strings.Contains(got, bad.field+": want") { // still open, saying why
			t.Errorf("%q / %q: the dialog says\n%s\nwant an error naming %s", bad.count, bad.age, got, bad.field)
		}
		if got := a.Retention(); got.KeepCount != 3 || got.KeepAge != 48*time.Hour {
			t.Errorf("%q / %q changed the retention to %+v", bad.count, bad.age, got)
		}
		w.Canvas().Overlays().Top().Hide()
		w.Canvas().Overlays().Remove(w.Canvas().Overlays().Top())
	}

	// What the retention drops is said: 5 values, 3 kept.
	for i := range 5 {
		sendValue(t, a, "SAMPLE_SENSOR_CARBONDIOXIDE", fmt.Sprint(600+i), time.Date(2026, 3, 2, 8, i, 0, 0, time.UTC))
	}
	if a.RetentionDropped() < 2 {
		t.Fatalf("RetentionDropped %d after 5 values kept 3", a.RetentionDropped())
	}
	_, age = open()
	if got := said(); !strings.Contains(got, droppedText(a.RetentionDropped())) {
		t.Errorf("the dialog says\n%s\nwant %q", got, droppedText(a.RetentionDropped()))
	}
	if age.Text != "2 days" {
		t.Errorf("age shown %q", age.Text)
	}
}

// TestSettings_parseRetention reads the fields as the dialog shows them
// back (Retention.AgeText) and as `twin retention` takes durations.
func TestSettings_parseRetention(t *testing.T) {
	for _, tt := range []struct {
		count, age string
		want       app.Retention
		field      string
	}{
		{"", "", app.Retention{}, ""},
		{"100", "none", app.Retention{KeepCount: 100}, ""},
		{" 7 ", "1 day", app.Retention{KeepCount: 7, KeepAge: 24 * time.Hour}, ""},
		{"7", "30 days", app.Retention{KeepCount: 7, KeepAge: 720 * time.Hour}, ""},
		{"7", "7d", app.Retention{KeepCount: 7, KeepAge: 168 * time.Hour}, ""},
		{"7", "1h30m", app.Retention{KeepCount: 7, KeepAge: 90 * time.Minute}, ""},
		{"7", "0", app.Retention{KeepCount: 7}, ""},
		{"1.5", "", app.Retention{}, fieldKeepCount},
		{"7", "-1h", app.Retention{}, fieldKeepAge},
		{"7", "-2 days", app.Retention{}, fieldKeepAge},
		{"7", "500ms", app.Retention{}, fieldKeepAge},
	} {
		got, err := parseRetention(tt.count, tt.age)
		switch {
		case tt.field != "" && (err == nil || !strings.Contains(err.Error(), tt.field)):
			t.Errorf("%q %q: %v, want an error naming %s", tt.count, tt.age, err, tt.field)
		case tt.field == "" && (err != nil || got != tt.want):
			t.Errorf("%q %q: %+v %v, want %+v", tt.count, tt.age, got, err, tt.want)
		}
	}
	for _, r := range []app.Retention{{KeepCount: 5}, {KeepCount: 5, KeepAge: 36 * time.Hour}, {KeepCount: 5, KeepAge: 3 * 24 * time.Hour}} {
		if got, err := parseRetention(fmt.Sprint(r.KeepCount), r.AgeText()); err != nil || got != r {
			t.Errorf("round trip of %+v (%q): %+v %v", r, r.AgeText(), got, err)
		}
	}
}
