package app

import (
	"sort"
	"time"

	"github.com/twinstudio/twinstudio/engine"
)

// TraceTimeLimit is the least time limit of a traced dry run: recording
// the trace costs about 50 µs a step, so a run of 10,000 steps needs far
// more than a UDF's usual 100 ms.
const TraceTimeLimit = 10 * time.Second

// DryRun runs user-defined function udf once on message as if sensor had
// sent it, and returns the execution record; it never applies the
// writes or notifications (the record is kept with the UDF's records,
// marked DryRun). With trace it records the line trace, under the time
// limit max(the UDF's own limit, TraceTimeLimit) (at most
// engine.MaxUDFLimit); without it, under the UDF's own. A script that
// fails is no error: the record says how. Errors wrap engine.ErrNotFound
// (no such UDF or sensor). Safe for concurrent use.
func (a *App) DryRun(udf, sensor engine.ID, message string, trace bool) (*engine.ExecutionRecord, error) {
	o := engine.RunOptions{Trace: trace}
	if trace {
		u, err := a.udf(udf)
		if err != nil {
			return nil, err
		}
		o.Limit = max(u.TimeLimit, TraceTimeLimit)
	}
	return a.engine.RunUDFWith(udf, sensor, message, o)
}

// UDFRecords returns the kept execution records of user-defined function
// udf (at most engine.RecordsKept), newest first; none for an unknown
// UDF. The records are shared: read them, do not change them. Safe for
// concurrent use.
func (a *App) UDFRecords(udf engine.ID) []*engine.ExecutionRecord {
	recs := a.engine.Records(udf)
	out := make([]*engine.ExecutionRecord, len(recs))
	for i, r := range recs {
		out[len(recs)-1-i] = r
	}
	return out
}

// Where a Replay was found (Replay.From).
const (
	FromRecord  = "execution record"
	FromHistory = "sensor history"
)

// sameMessageWindow is how long after a message its executions may
// start and still be taken for the same message: the records of several
// UDFs that ran for one message, and the value the message gave its sensor
// (recorded at the message's time, a little before its executions).
const sameMessageWindow = time.Second

// SensorMessages returns the recorded messages of sensor, newest first, at
// most n (all for n ≤ 0): the messages of the execution records of every
// UDF for the sensor (dry runs, which the sensor did not send, and
// throttled or suspended executions left out), merged with the sensor's
// value history. A message is listed once: records with the same text
// starting within sameMessageWindow of one another are one message (the
// UDFs that ran for it), and a history value followed within the window by
// a record is that record's message (the value it set), so it is listed
// as the record (From FromRecord, the message exactly as received);
// values with no record are listed From FromHistory. Safe for concurrent
// use.
func (a *App) SensorMessages(sensor engine.ID, n int) []Replay {
	recs, hist, _ := a.sensorInputs(sensor)
	out := dedupRecords(recs)
	out = append(out, unrecorded(hist, out)...)
	newestFirst(out)
	if n > 0 && len(out) > n {
		out = out[:n]
	}
	return out
}

// dedupRecords sorts recs oldest first and keeps the first of each run of
// the same message within sameMessageWindow.
func dedupRecords(recs []Replay) []Replay {
	sort.SliceStable(recs, func(i, j int) bool { return recs[i].Time.Before(recs[j].Time) })
	var out []Replay
	for _, r := range recs {
		dup := false
		for k := len(out) - 1; k >= 0 && r.Time.Sub(out[k].Time) <= sameMessageWindow; k-- {
			if out[k].Message == r.Message {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, r)
		}
	}
	return out
}

// unrecorded returns the history values (oldest first) that are not the
// value of a message in recs (oldest first): each record accounts for the
// newest value at or before it within sameMessageWindow, at most one.
func unrecorded(hist []engine.Value, recs []Replay) []Replay {
	taken := make([]bool, len(hist))
	for _, r := range recs {
		i := sort.Search(len(hist), func(i int) bool { return hist[i].Time.After(r.Time) }) - 1
		for ; i >= 0 && r.Time.Sub(hist[i].Time) <= sameMessageWindow; i-- {
			if !taken[i] {
				taken[i] = true
				break
			}
		}
	}
	var out []Replay
	for i, h := range hist {
		if !taken[i] {
			out = append(out, Replay{Message: h.Value, Time: h.Time, From: FromHistory})
		}
	}
	return out
}

func newestFirst(list []Replay) {
	sort.SliceStable(list, func(i, j int) bool { return list[i].Time.After(list[j].Time) })
}
