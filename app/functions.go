package app

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/twinstudio/twinstudio/engine"
	"github.com/twinstudio/twinstudio/engine/goja"
)

// States of a user-defined function (UDFSummary.State).
const (
	UDFEnabled   = "enabled"
	UDFDisabled  = "disabled"
	UDFThrottled = "throttled" // skipped for a while: it kept timing out
	UDFSuspended = "suspended" // no longer runs until changed or the server restarts
)

// UDFSummary is one user-defined function as the CLI's and the studio's
// lists show it.
type UDFSummary struct {
	UDF   *engine.UDF
	Space string // the full path of its space
	// State is UDFEnabled, UDFDisabled, or, while this App's pipeline
	// throttles or suspends it, UDFThrottled or UDFSuspended. Throttling
	// lasts as long as the process: a UDF a server suspended is enabled
	// again in the next process (its last record says Suspended).
	State string
	// Last is its newest execution record, nil if it never ran.
	Last *engine.ExecutionRecord
	// Failures counts its records of the last hour that did not succeed
	// (Failed, TimedOut, NotAuthorized, Throttled, Suspended).
	Failures int
	Matchers []string // the names of its matchers
}

// MatcherSummary is one matcher with the UDFs bound to it.
type MatcherSummary struct {
	Matcher *engine.Matcher
	Space   string   // the full path of its space
	UDFs    []string // the names of the UDFs bound to it
}

// FailureWindow is how far back UDFSummary.Failures counts.
const FailureWindow = time.Hour

// inScope reports whether an object of space owner belongs in a list for
// space: all of them when space is zero, else those of space and its
// ancestors (the UDFs and matchers that can act on its sensors).
func inScope(v *engine.View, space, owner engine.ID) bool {
	if space.IsZero() {
		return true
	}
	for id := space; !id.IsZero(); {
		if id == owner {
			return true
		}
		s, ok := v.Space(id)
		if !ok {
			return false
		}
		id = s.ParentID
	}
	return false
}

// UDFs lists the user-defined functions of space and its ancestors (all
// of them when space is zero), by space path and name, with their state,
// last outcome and recent failures. Safe for concurrent use.
func (a *App) UDFs(space engine.ID) []UDFSummary {
	var out []UDFSummary
	_ = a.engine.View(func(v *engine.View) error {
		for _, u := range v.UDFs() {
			if !inScope(v, space, u.SpaceID) {
				continue
			}
			s := UDFSummary{UDF: u, Space: v.FullName(u.SpaceID), State: UDFEnabled}
			for _, m := range u.MatcherIDs {
				if mt, ok := v.Matcher(m); ok {
					s.Matchers = append(s.Matchers, mt.Name)
				}
			}
			out = append(out, s)
		}
		return nil
	})
	since := time.Now().Add(-FailureWindow)
	for i := range out {
		s := &out[i]
		switch {
		case s.UDF.Disabled:
			s.State = UDFDisabled
		case a.pipeline.UDFState(s.UDF.ID) == engine.OutcomeSuspended:
			s.State = UDFSuspended
		case a.pipeline.UDFState(s.UDF.ID) == engine.OutcomeThrottled:
			s.State = UDFThrottled
		}
		recs := a.engine.Records(s.UDF.ID)
		if len(recs) > 0 {
			s.Last = recs[len(recs)-1]
		}
		for _, r := range recs {
			if r.Outcome != engine.OutcomeOK && !r.Start.Before(since) {
				s.Failures++
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Space < out[j].Space })
	return out
}

// Matchers lists the matchers of space and its ancestors (all of them when
// space is zero), by space path and name, with the UDFs bound to each.
// Safe for concurrent use.
func (a *App) Matchers(space engine.ID) []MatcherSummary {
	var out []MatcherSummary
	_ = a.engine.View(func(v *engine.View) error {
		bound := map[engine.ID][]string{}
		for _, u := range v.UDFs() {
			for _, m := range u.MatcherIDs {
				bound[m] = append(bound[m], u.Name)
			}
		}
		for _, m := range v.Matchers() {
			if inScope(v, space, m.SpaceID) {
				out = append(out, MatcherSummary{Matcher: m, Space: v.FullName(m.SpaceID), UDFs: bound[m.ID]})
			}
		}
		return nil
	})
	sort.SliceStable(out, func(i, j int) bool { return out[i].Space < out[j].Space })
	return out
}

// FindUDF resolves ref to one user-defined function: its id, its name
// (case-insensitive), or its name qualified by its space's path
// ("/Building/Floor 1/Availability"). A name that several spaces use is
// refused with one line listing the candidates. Errors wrap
// engine.ErrNotFound or engine.ErrInvalid. Call it inside a View.
func FindUDF(v *engine.View, ref string) (*engine.UDF, error) {
	if id, err := engine.ParseID(ref); err == nil {
		if u, ok := v.UDF(id); ok {
			return u, nil
		}
		return nil, fmt.Errorf("%w: no user-defined function has id %s", engine.ErrNotFound, ref)
	}
	name, space := ref, engine.NilID
	if i := strings.LastIndexByte(ref, '/'); i >= 0 && strings.HasPrefix(ref, "/") {
		name = ref[i+1:]
		id, err := v.ResolveSpace(ref[:i])
		if err != nil || id.IsZero() {
			return nil, fmt.Errorf("%w: %q: no space %q to look for user-defined function %q in", engine.ErrNotFound, ref, ref[:max(i, 1)], name)
		}
		space = id
	}
	var found []*engine.UDF
	for _, u := range v.UDFs() {
		if strings.EqualFold(u.Name, name) && (space.IsZero() || u.SpaceID == space) {
			found = append(found, u)
		}
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		if !space.IsZero() {
			return nil, fmt.Errorf("%w: no user-defined function is named %q in %s", engine.ErrNotFound, name, v.FullName(space))
		}
		return nil, fmt.Errorf("%w: no user-defined function is named %q", engine.ErrNotFound, ref)
	}
	where := make([]string, len(found))
	for i, u := range found {
		where[i] = fmt.Sprintf("%s in %s (id %s)", u.Name, v.FullName(u.SpaceID), u.ID)
	}
	sort.Strings(where)
	return nil, fmt.Errorf("%w: %d user-defined functions are named %q: %s; qualify the name with its space's path (%s/%s) or give its id",
		engine.ErrInvalid, len(found), ref, strings.Join(where, ", "), v.FullName(found[0].SpaceID), found[0].Name)
}

// SetUDFScript replaces the script of user-defined function id with
// script, after the check provisioning makes: the script must be text and
// compile. A script that does not is refused with a *engine.ScriptError
// ("name:line:column: SyntaxError: …", name being the file it came from)
// and nothing changes. The new version is live for the next message
// (a throttled or suspended UDF resumes). Safe for concurrent use.
//
// The script it replaces is kept as a version (UDFVersions), in the same
// transaction; saving the script the UDF already has keeps none.
func (a *App) SetUDFScript(id engine.ID, name, script string) (*engine.UDF, error) {
	if err := checkUDFScript(name, script); err != nil {
		return nil, err
	}
	var out *engine.UDF
	err := a.engine.Update(func(tx *engine.Tx) error {
		u, ok := tx.View.UDF(id)
		if !ok {
			return fmt.Errorf("%w: user-defined function %s", engine.ErrNotFound, id)
		}
		c := *u
		c.Script, c.Updated = script, a.engine.Now()
		if err := tx.PutUDF(&c); err != nil {
			return err
		}
		out = &c
		return nil
	})
	return out, err
}

// checkUDFScript makes the check provisioning makes of a script: text,
// not empty, and it compiles. The error is a *engine.ScriptError
// ("name:line:column: SyntaxError: …").
func checkUDFScript(name, script string) error {
	if err := engine.CheckScriptText(name, script); err != nil {
		return err
	}
	if strings.TrimSpace(script) == "" {
		return &engine.ScriptError{Name: name, Msg: "the script is empty"}
	}
	return (goja.ScriptChecker{}).CheckScript(name, script)
}

// Replay is a recorded message of a sensor, to run a UDF on again.
type Replay struct {
	Message string
	Time    time.Time
	// From says where the message was found: "execution record" (the
	// message exactly as a UDF received it) or "sensor history" (the
	// value the sensor had, when no execution record of it is kept).
	From string
}

// sensorInputs are the messages sensor sent as the execution records of
// the project's UDFs kept them (dry runs, which the sensor did not send,
// and throttled or suspended runs left out; in no order), the sensor's
// value history (oldest first) and its hardware id.
func (a *App) sensorInputs(sensor engine.ID) (recs []Replay, hist []engine.Value, hw string) {
	var udfs []engine.ID
	_ = a.engine.View(func(v *engine.View) error {
		for _, u := range v.UDFs() {
			udfs = append(udfs, u.ID)
		}
		hist = v.SensorHistory(sensor)
		if s, ok := v.Sensor(sensor); ok {
			hw = s.HardwareID
		}
		return nil
	})
	for _, id := range udfs {
		for _, r := range a.engine.Records(id) {
			if r.Sensor == sensor && !r.DryRun && r.Outcome != engine.OutcomeThrottled && r.Outcome != engine.OutcomeSuspended {
				recs = append(recs, Replay{Message: r.Message, Time: r.Start, From: FromRecord})
			}
		}
	}
	return recs, hist, hw
}

// RecordedMessage finds the message sensor sent last, or last at or before
// at when at is not zero (within the second, when at has no fraction of a
// second): the newest execution record of any UDF for that sensor (dry
// runs, which the sensor did not send, left out), else the sensor's
// history. Errors wrap engine.ErrNotFound. Safe for concurrent
// use.
func (a *App) RecordedMessage(sensor engine.ID, at time.Time) (*Replay, error) {
	cutoff := at
	if !at.IsZero() && at.Nanosecond() == 0 {
		cutoff = at.Add(time.Second - 1)
	}
	fits := func(t time.Time) bool { return at.IsZero() || !t.After(cutoff) }
	recs, hist, hw := a.sensorInputs(sensor)
	var best *Replay
	for i := range recs {
		if fits(recs[i].Time) && (best == nil || recs[i].Time.After(best.Time)) {
			best = &recs[i]
		}
	}
	if best != nil {
		return best, nil
	}
	for i := len(hist) - 1; i >= 0; i-- {
		if fits(hist[i].Time) {
			return &Replay{Message: hist[i].Value, Time: hist[i].Time, From: FromHistory}, nil
		}
	}
	if at.IsZero() {
		return nil, fmt.Errorf("%w: sensor %s has no recorded message", engine.ErrNotFound, hw)
	}
	return nil, fmt.Errorf("%w: sensor %s has no recorded message at or before %s", engine.ErrNotFound, hw, at.Format(time.RFC3339Nano))
}
