package app

import (
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/twinstudio/twinstudio/engine"
)

// DefaultUDFLogEvery is how often, at most, the log gets a line about the
// failures of one user-defined function (Options.UDFLogEvery).
const DefaultUDFLogEvery = 5 * time.Second

// RecordFailure is the one-line reason an execution record did not
// succeed: its error, or for NotAuthorized the first refused call
// ("Not Authorized: setSpaceValue(…)"), or else its outcome. It does not
// say the line.
func RecordFailure(rec *engine.ExecutionRecord) string {
	msg := rec.Error
	if msg == "" && rec.Outcome == engine.OutcomeNotAuthorized {
		msg = engine.OutcomeNotAuthorized
		for _, c := range rec.Calls {
			if c.Err != "" {
				msg = fmt.Sprintf("%s: %s(%s)", c.Err, c.Name, strings.Join(c.Args, ", "))
				break
			}
		}
	}
	if msg == "" {
		msg = rec.Outcome
	}
	return strings.Join(strings.Fields(msg), " ")
}

// udfFailureLog logs the pipeline's failing UDF executions (Failed,
// TimedOut, NotAuthorized, and the Throttled and Suspended transitions)
// as one warning each, naming the UDF, its space, the outcome, the line and
// the message. A storm is rate-limited per UDF: after a line, that UDF's
// further failures for the next `every` are counted, and one line says how
// many were suppressed when the window ends. It counts every failure per
// UDF. Safe for concurrent use.
type udfFailureLog struct {
	log   *slog.Logger
	every time.Duration
	space func(engine.ID) string // the space path of a UDF

	mu     sync.Mutex
	m      map[engine.ID]*udfLogState
	closed bool
}

type udfLogState struct {
	name       string
	total      int
	last       time.Time   // when a failure line was last written
	suppressed int         // failures not logged since
	timer      *time.Timer // writes the suppressed line at the window's end
}

func newUDFFailureLog(log *slog.Logger, every time.Duration, space func(engine.ID) string) *udfFailureLog {
	if every <= 0 {
		every = DefaultUDFLogEvery
	}
	return &udfFailureLog{log: log, every: every, space: space, m: map[engine.ID]*udfLogState{}}
}

// observe is the pipeline's OnUDFRecord.
func (l *udfFailureLog) observe(rec *engine.ExecutionRecord) {
	if rec.Outcome == engine.OutcomeOK {
		return
	}
	now := time.Now()
	l.mu.Lock()
	st := l.m[rec.UDF]
	if st == nil {
		st = &udfLogState{}
		l.m[rec.UDF] = st
	}
	st.name = rec.UDFName
	st.total++
	if l.closed || (!st.last.IsZero() && now.Sub(st.last) < l.every) {
		st.suppressed++
		if st.timer == nil && !l.closed {
			id := rec.UDF
			st.timer = time.AfterFunc(st.last.Add(l.every).Sub(now), func() { l.flush(id) })
		}
		l.mu.Unlock()
		return
	}
	st.last = now
	l.mu.Unlock()
	args := []any{"udf", rec.UDFName, "space", l.space(rec.UDF), "outcome", rec.Outcome}
	if rec.Line > 0 {
		args = append(args, "line", rec.Line, "column", rec.Column)
	}
	args = append(args, "error", RecordFailure(rec), "sensor", rec.SensorHW)
	l.log.Warn("udf failed", args...)
}

// flush writes the line of UDF id's suppressed failures, if any.
func (l *udfFailureLog) flush(id engine.ID) {
	l.mu.Lock()
	st := l.m[id]
	if st == nil {
		l.mu.Unlock()
		return
	}
	if st.timer != nil {
		st.timer.Stop()
		st.timer = nil
	}
	n, name := st.suppressed, st.name
	st.suppressed = 0
	if n > 0 {
		st.last = time.Now()
	}
	l.mu.Unlock()
	if n > 0 {
		l.log.Warn("udf failures suppressed", "udf", name, "space", l.space(id), "suppressed", n, "window", l.every)
	}
}

// close writes the pending suppressed lines; failures after it are
// counted only.
func (l *udfFailureLog) close() {
	l.mu.Lock()
	l.closed = true
	ids := make([]engine.ID, 0, len(l.m))
	for id := range l.m {
		ids = append(ids, id)
	}
	l.mu.Unlock()
	for _, id := range ids {
		l.flush(id)
	}
}

// UDFFailures is how many executions of each user-defined function failed
// (Failed, TimedOut, NotAuthorized, Throttled, Suspended) in the
// pipeline since the project was opened, as "name=count" sorted by name
// (a name several spaces use is qualified with its space path); empty if
// none did. twin serve prints it when it stops. Safe for concurrent use.
func (a *App) UDFFailures() []string {
	l := a.udfLog
	l.mu.Lock()
	type row struct {
		id    engine.ID
		name  string
		total int
	}
	var rows []row
	names := map[string]int{}
	for id, st := range l.m {
		rows = append(rows, row{id, st.name, st.total})
		names[strings.ToLower(st.name)]++
	}
	l.mu.Unlock()
	out := make([]string, len(rows))
	for i, r := range rows {
		name := r.name
		if names[strings.ToLower(name)] > 1 {
			name = l.space(r.id) + "/" + name
		}
		out[i] = fmt.Sprintf("%s=%d", name, r.total)
	}
	sort.Strings(out)
	return out
}
