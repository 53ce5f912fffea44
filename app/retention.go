package app

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/twinstudio/twinstudio/engine"
)

// Retention is the project's history retention: how much of each value's
// history the project file keeps. It is a project setting, kept in the
// project file. A value's history is pruned when a new value of it is
// written (at its next append).
type Retention struct {
	// KeepCount is the most entries kept per value; 0: the default
	// (bbolt.DefaultHistoryRetention, or the store option).
	KeepCount int `json:"keepCount,omitempty"`
	// KeepAge drops the entries older than KeepAge before the value's
	// newest entry; 0 keeps entries of any age.
	KeepAge time.Duration `json:"keepAge,omitempty"`
}

// String says the retention in words: "keep 10000 entries per value",
// "keep 30 days and 10000 entries per value".
func (r Retention) String() string {
	count := fmt.Sprintf("%d entries per value", r.KeepCount)
	if r.KeepAge <= 0 {
		return "keep " + count
	}
	return "keep " + ageText(r.KeepAge) + " and " + count
}

// AgeText is KeepAge in words: "30 days", "1h30m", or "none".
func (r Retention) AgeText() string {
	if r.KeepAge <= 0 {
		return "none"
	}
	return ageText(r.KeepAge)
}

// ageText writes an age in days when it is whole days, else as a
// duration.
func ageText(d time.Duration) string {
	switch {
	case d == 24*time.Hour:
		return "1 day"
	case d%(24*time.Hour) == 0:
		return fmt.Sprintf("%d days", d/(24*time.Hour))
	}
	return strings.TrimSuffix(strings.TrimSuffix(d.String(), "0s"), "0m")
}

// retentionBlob is the blob the setting is kept in.
const retentionBlob = "settings/retention"

// loadRetention applies the retention kept in the project file, if any.
func (a *App) loadRetention() error {
	data, err := a.store.Blob(retentionBlob)
	if errors.Is(err, engine.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	var r Retention
	if err := json.Unmarshal(data, &r); err != nil {
		return fmt.Errorf("%w: the project's retention setting: %v", engine.ErrInvalid, err)
	}
	a.store.SetRetention(r.KeepCount, r.KeepAge)
	return nil
}

// Retention returns the retention in force, KeepCount filled in with the
// default when the project sets none. Safe for concurrent use.
func (a *App) Retention() Retention {
	n, age := a.store.Retention()
	return Retention{KeepCount: n, KeepAge: age}
}

// SetRetention makes r the project's retention: kept in the project file
// and in force from the next value written. KeepCount 0 is the default;
// negative fields are refused (ErrInvalid naming the field), and so is an
// age under a second. Safe for concurrent use.
func (a *App) SetRetention(r Retention) error {
	switch {
	case r.KeepCount < 0:
		return fmt.Errorf("%w: keepCount must be 0 (the default) or more, got %d", engine.ErrInvalid, r.KeepCount)
	case r.KeepAge < 0 || r.KeepAge > 0 && r.KeepAge < time.Second:
		return fmt.Errorf("%w: keepAge must be 0 (no limit) or at least 1s, got %v", engine.ErrInvalid, r.KeepAge)
	}
	data, err := json.Marshal(r)
	if err != nil {
		return err
	}
	if err := a.store.WriteBlobs(map[string][]byte{retentionBlob: data}, nil); err != nil {
		return err
	}
	a.store.SetRetention(r.KeepCount, r.KeepAge)
	return nil
}

// RetentionDropped returns how many history entries the retention
// dropped since the project was opened. Safe for concurrent use.
func (a *App) RetentionDropped() uint64 { return a.store.Dropped() }

// HistoryKept says what the retention left of owner's value name (the
// empty name for a sensor): the time of its oldest stored entry (ok
// false: none) and how many older entries were dropped. Safe for
// concurrent use.
func (a *App) HistoryKept(owner engine.ID, name string) (oldest time.Time, dropped uint64, ok bool, err error) {
	return a.store.HistoryKept(owner, name)
}

// RetentionLogEvery is how often WatchRetention logs at most.
const RetentionLogEvery = time.Minute

// WatchRetention logs, at most once per every (0: RetentionLogEvery),
// one line saying how many history entries the retention dropped since
// the last line, with the retention in force; nothing while it drops
// none. stop ends it with a last such line if entries were dropped
// since; it waits for the watcher and may be called more than once. twin
// serve runs it.
func (a *App) WatchRetention(every time.Duration) (stop func()) {
	if every <= 0 {
		every = RetentionLogEvery
	}
	done, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(every)
		defer t.Stop()
		last, since := a.RetentionDropped(), time.Now()
		say := func() {
			if n := a.RetentionDropped(); n > last {
				a.log.Info("history retention dropped values", "dropped", n-last,
					"in", time.Since(since).Round(time.Second).String(), "retention", a.Retention().String())
				last, since = n, time.Now()
			}
		}
		for {
			select {
			case <-done:
				say()
				return
			case <-t.C:
				say()
			}
		}
	}()
	var once sync.Once
	return func() { once.Do(func() { close(done) }); <-finished }
}
