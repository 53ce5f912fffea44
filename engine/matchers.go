package engine

import (
	"encoding/json"
	"fmt"
	"strings"
)

// PathEvaluator evaluates a JSONPath query on a JSON document decoded by
// encoding/json into any (maps, slices, strings, float64, bool, nil) and
// returns the selected nodes. The jsonpath adapter (engine/jsonpath)
// implements it; Engine.SetPathEvaluator installs it. Implementations must
// be safe for concurrent use.
type PathEvaluator interface {
	Select(path string, doc any) ([]any, error)
}

// ConditionLog is one line of a matcher evaluation log.
type ConditionLog struct {
	Condition Condition
	Selected  []any
	Result    bool
	Err       string
}

func (l ConditionLog) String() string {
	sel, _ := json.Marshal(l.Selected)
	s := fmt.Sprintf("%s %s %s %s %s evaluates to %t", l.Condition.Target, l.Condition.Path, sel, l.Condition.Comparison, l.Condition.Value, l.Result)
	if l.Err != "" {
		s += " (" + l.Err + ")"
	}
	return s
}

// matchDocs are the JSON documents a sensor's conditions run on.
type matchDocs struct {
	sensor, device, space any
}

func toAny(x any) any {
	b, _ := json.Marshal(x)
	var out any
	_ = json.Unmarshal(b, &out)
	return out
}

func (v *View) matchDocs(s *Sensor) *matchDocs {
	d := &matchDocs{}
	sd := v.SensorDoc(s)
	sd.Value = nil
	d.sensor = toAny(sd)
	if dev, ok := v.Device(s.DeviceID); ok {
		dd := v.DeviceDoc(dev, true)
		for _, x := range dd.Sensors {
			x.Value = nil
		}
		d.device = toAny(dd)
	}
	if sp, ok := v.Space(s.SpaceID); ok {
		d.space = toAny(v.SpaceDoc(sp, false))
	}
	return d
}

// evalMatcher evaluates m against sensor s: all conditions must hold, and
// s must lie in m's space subtree.
func (v *View) evalMatcher(pe PathEvaluator, m *Matcher, s *Sensor, docs *matchDocs, log *[]ConditionLog) bool {
	if !v.IsWithin(s.SpaceID, m.SpaceID) {
		if log != nil {
			*log = append(*log, ConditionLog{Err: "sensor is outside the matcher's space"})
		}
		return false
	}
	if len(m.Conditions) == 0 {
		return false
	}
	ok := true
	for _, c := range m.Conditions {
		var doc any
		switch c.Target {
		case TargetSensor:
			doc = docs.sensor
		case TargetSensorDevice:
			doc = docs.device
		case TargetSensorSpace:
			doc = docs.space
		}
		l := ConditionLog{Condition: c}
		if pe == nil {
			l.Err = "no JSONPath evaluator installed"
		} else if sel, err := pe.Select(c.Path, doc); err != nil {
			l.Err = err.Error()
		} else {
			l.Selected = sel
			l.Result = compare(sel, c.Comparison, c.Value)
		}
		if log != nil {
			*log = append(*log, l)
		}
		if !l.Result {
			ok = false
			if log == nil {
				return false
			}
		}
	}
	return ok
}

// compare applies a comparison between the selected nodes and a JSON
// literal, case-insensitively: Equals holds if any node equals the value,
// NotEquals if none does, Contains if any node (a string or an array)
// contains it.
func compare(sel []any, cmp, literal string) bool {
	var want any
	if err := json.Unmarshal([]byte(literal), &want); err != nil {
		want = literal
	}
	eq := func(a any) bool { return equalFold(a, want) }
	switch cmp {
	case CompareEquals:
		for _, s := range sel {
			if eq(s) {
				return true
			}
		}
		return false
	case CompareNotEquals:
		for _, s := range sel {
			if eq(s) {
				return false
			}
		}
		return true
	case CompareContains:
		for _, s := range sel {
			switch x := s.(type) {
			case string:
				if strings.Contains(strings.ToLower(x), strings.ToLower(fmt.Sprint(want))) {
					return true
				}
			case []any:
				for _, e := range x {
					if eq(e) {
						return true
					}
				}
			case float64:
				if strings.Contains(fmt.Sprint(x), fmt.Sprint(want)) {
					return true
				}
			}
		}
	}
	return false
}

func equalFold(a, b any) bool {
	as, aok := a.(string)
	bs, bok := b.(string)
	if aok && bok {
		return strings.EqualFold(as, bs)
	}
	if aok != bok {
		// "1" equals 1, "true" equals true: the preview compared text.
		return strings.EqualFold(fmt.Sprint(a), fmt.Sprint(b))
	}
	ab, _ := json.Marshal(a)
	bb, _ := json.Marshal(b)
	return string(ab) == string(bb)
}

// EvaluateMatcher evaluates matcher id against sensor id with a log of
// each condition, as the preview's /matchers/{id}/evaluate/{sensorId}.
func (e *Engine) EvaluateMatcher(matcher, sensor ID) (bool, []ConditionLog, error) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	v := &View{g: e.g}
	m, ok := v.Matcher(matcher)
	if !ok {
		return false, nil, fmt.Errorf("%w: matcher %s", ErrNotFound, matcher)
	}
	s, ok := v.Sensor(sensor)
	if !ok {
		return false, nil, fmt.Errorf("%w: sensor %s", ErrNotFound, sensor)
	}
	var log []ConditionLog
	res := v.evalMatcher(e.pathEval(), m, s, v.matchDocs(s), &log)
	return res, log, nil
}

// MatchedUDFs returns the enabled UDFs that run for sensor id: those with
// at least one matcher that matches it. Results are cached per sensor until
// the next topology change.
func (e *Engine) MatchedUDFs(sensor ID) []*UDF {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.matchedUDFsLocked(sensor)
}

func (e *Engine) matchedUDFsLocked(sensor ID) []*UDF {
	gen := e.gen.Load()
	e.matchMu.Lock()
	if c, ok := e.matchCache[sensor]; ok && c.gen == gen {
		e.matchMu.Unlock()
		return c.udfs
	}
	e.matchMu.Unlock()
	v := &View{g: e.g}
	s, ok := v.Sensor(sensor)
	if !ok {
		return nil
	}
	pe := e.pathEval()
	var docs *matchDocs
	matched := map[ID]bool{}
	var out []*UDF
	for _, u := range v.UDFs() {
		if u.Disabled || !v.IsWithin(s.SpaceID, u.SpaceID) {
			continue
		}
		for _, mid := range u.MatcherIDs {
			m, ok := v.Matcher(mid)
			if !ok {
				continue
			}
			r, seen := matched[mid]
			if !seen {
				if docs == nil {
					docs = v.matchDocs(s)
				}
				r = v.evalMatcher(pe, m, s, docs, nil)
				matched[mid] = r
			}
			if r {
				out = append(out, u)
				break
			}
		}
	}
	e.matchMu.Lock()
	if e.matchCache == nil || len(e.matchCache) > 1<<20 {
		e.matchCache = map[ID]matchEntry{}
	}
	e.matchCache[sensor] = matchEntry{gen: gen, udfs: out}
	e.matchMu.Unlock()
	return out
}

type matchEntry struct {
	gen  uint64
	udfs []*UDF
}

// SetPathEvaluator installs the JSONPath evaluator matchers use. Call it
// before telemetry flows (app.Open does).
func (e *Engine) SetPathEvaluator(pe PathEvaluator) {
	e.peMu.Lock()
	e.pe = pe
	e.peMu.Unlock()
	e.gen.Add(1)
}

func (e *Engine) pathEval() PathEvaluator {
	e.peMu.RLock()
	defer e.peMu.RUnlock()
	return e.pe
}
