package app_test

import (
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/twinstudio/twinstudio/app"
	"github.com/twinstudio/twinstudio/engine"
)

// TestRetentionSetting sets the retention of a real project, reopens it
// (the setting is kept in the file) and writes values: what it drops is
// counted per value and in all, and the watcher says so in the log.
func TestRetentionSetting(t *testing.T) {
	a, path := occupancyApp(t, app.Options{})
	if r := a.Retention(); r.KeepCount != 10000 || r.KeepAge != 0 {
		t.Errorf("default retention %+v", r)
	}
	for _, bad := range []struct {
		r     app.Retention
		field string
	}{{app.Retention{KeepCount: -1}, "keepCount"}, {app.Retention{KeepAge: -time.Hour}, "keepAge"}, {app.Retention{KeepAge: time.Millisecond}, "keepAge"}} {
		if err := a.SetRetention(bad.r); !errors.Is(err, engine.ErrInvalid) || !strings.Contains(err.Error(), bad.field) {
			t.Errorf("SetRetention(%+v): %v", bad.r, err)
		}
	}
	want := app.Retention{KeepCount: 3, KeepAge: 2 * time.Hour}
	if err := a.SetRetention(want); err != nil {
		t.Fatal(err)
	}
	a.Close()
	var logBuf syncBuffer
	a, err := app.Open(path, app.Options{Logger: slog.New(slog.NewTextHandler(&logBuf, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if got := a.Retention(); got != want {
		t.Fatalf("after reopening: %+v, want %+v", got, want)
	}
	stop := a.WatchRetention(20 * time.Millisecond)
	temp := sensorID(t, a, "TEMP-A")
	for _, m := range []int{0, 10, 20, 30, 200} { // 3 by count, then 2 h before 03:20
		publish(t, a, "POD-A", "TEMP-A", "20", monday.Add(time.Duration(m)*time.Minute))
	}
	oldest, dropped, ok, err := a.HistoryKept(temp, "")
	if err != nil || !ok || dropped != 4 || !oldest.Equal(monday.Add(200*time.Minute)) {
		t.Errorf("kept from %v, %d dropped (%v %v); want from 03:20, 4 dropped", oldest, dropped, ok, err)
	}
	if a.RetentionDropped() < 4 {
		t.Errorf("RetentionDropped %d", a.RetentionDropped())
	}
	stop()
	stop()
	if l := logBuf.String(); !strings.Contains(l, "history retention dropped values") || !strings.Contains(l, "keep 2h and 3 entries per value") {
		t.Errorf("log:\n%s", l)
	}
}
