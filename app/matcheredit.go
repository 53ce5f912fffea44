package app

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/twinstudio/twinstudio/engine"
	"github.com/twinstudio/twinstudio/engine/jsonpath"
)

// ConditionTargets returns the valid targets of a matcher condition
// (Sensor, SensorDevice, SensorSpace): the JSON document its path runs
// on. A new slice; safe for concurrent use.
func ConditionTargets() []string { return append([]string(nil), engine.ConditionTargets...) }

// ConditionComparisons returns the valid comparisons of a matcher
// condition (Equals, NotEquals, Contains). A new slice; safe for
// concurrent use.
func ConditionComparisons() []string {
	return append([]string(nil), engine.ConditionComparisons...)
}

// pathChecker parses conditions' JSONPaths as provisioning does.
var pathChecker engine.PathChecker = jsonpath.New()

// checkConditions checks conds as provisioning does (target, comparison,
// a JSONPath that parses, a JSON literal value; at least one condition)
// and returns normalised copies. The error is one line naming the
// condition, from 1, and the field: `condition 2: path: …`; it wraps
// engine.ErrInvalid.
func checkConditions(conds []engine.Condition) ([]engine.Condition, error) {
	if len(conds) == 0 {
		return nil, fmt.Errorf("%w: conditions: a matcher needs at least one condition", engine.ErrInvalid)
	}
	out := make([]engine.Condition, len(conds))
	for i, c := range conds {
		if field, err := checkCondition(&c); err != nil {
			return nil, fmt.Errorf("%w: condition %d: %s: %s", engine.ErrInvalid, i+1, field, err)
		}
		out[i] = c
	}
	return out, nil
}

// checkCondition checks and normalises c; on error it returns the field
// at fault and a one-line reason.
func checkCondition(c *engine.Condition) (field string, err error) {
	switch {
	case !oneOfFold(c.Target, engine.ConditionTargets):
		return "target", fmt.Errorf("%q is not one of %s", c.Target, strings.Join(engine.ConditionTargets, ", "))
	case !oneOfFold(c.Comparison, engine.ConditionComparisons):
		return "comparison", fmt.Errorf("%q is not one of %s", c.Comparison, strings.Join(engine.ConditionComparisons, ", "))
	case !strings.HasPrefix(c.Path, "$"):
		return "path", fmt.Errorf("%q must be a JSONPath starting with $", c.Path)
	case !json.Valid([]byte(c.Value)):
		return "value", fmt.Errorf("%s is not a JSON literal (strings need quotes: \"Motion\")", c.Value)
	}
	if err := pathChecker.CheckPath(c.Path); err != nil {
		return "path", fmt.Errorf("%s", strings.Join(strings.Fields(err.Error()), " "))
	}
	if err := engine.CheckCondition(c); err != nil { // normalises; the checks above cover its own
		return "condition", err
	}
	return "", nil
}

func oneOfFold(s string, list []string) bool {
	for _, x := range list {
		if strings.EqualFold(s, x) {
			return true
		}
	}
	return false
}

// CreateMatcher adds a matcher named name to space with conds and returns
// it. Conditions are checked as provisioning checks them (see
// ConditionTargets, ConditionComparisons; the path must parse, the value
// must be a JSON literal): a bad one gives one line naming its number and
// field ("condition 2: comparison: …"), wrapping engine.ErrInvalid. The
// name must be valid and unique in space (engine.ErrInvalid,
// engine.ErrDuplicate); space must exist (engine.ErrNotFound). On error
// nothing changes. Safe for concurrent use.
func (a *App) CreateMatcher(space engine.ID, name string, conds []engine.Condition) (*engine.Matcher, error) {
	cs, err := checkConditions(conds)
	if err != nil {
		return nil, err
	}
	m := &engine.Matcher{Name: name, SpaceID: space, Conditions: cs}
	if err := a.engine.Update(func(tx *engine.Tx) error { return tx.PutMatcher(m) }); err != nil {
		return nil, err
	}
	return m, nil
}

// UpdateMatcher renames matcher id to name and replaces its conditions
// with conds, checked as CreateMatcher checks them; the UDFs bound to it
// stay bound. Errors as CreateMatcher's, and engine.ErrNotFound when there
// is no such matcher; on error nothing changes. Safe for concurrent use.
func (a *App) UpdateMatcher(id engine.ID, name string, conds []engine.Condition) (*engine.Matcher, error) {
	cs, err := checkConditions(conds)
	if err != nil {
		return nil, err
	}
	var out *engine.Matcher
	err = a.engine.Update(func(tx *engine.Tx) error {
		m, ok := tx.View.Matcher(id)
		if !ok {
			return fmt.Errorf("%w: matcher %s", engine.ErrNotFound, id)
		}
		c := *m
		c.Name, c.Conditions = name, cs
		if err := tx.PutMatcher(&c); err != nil {
			return err
		}
		out = &c
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteMatcher removes matcher id and, in the same transaction, unbinds
// it from every UDF bound to it. The error wraps engine.ErrNotFound when
// there is no such matcher. Safe for concurrent use.
func (a *App) DeleteMatcher(id engine.ID) error {
	return a.engine.Update(func(tx *engine.Tx) error { return tx.Delete(engine.KindMatcher, id) })
}

// EvaluateMatcher evaluates matcher against sensor as the pipeline would,
// with each condition's result (engine.Engine.EvaluateMatcher): whether
// it matches, and one log entry per condition (or one saying the sensor
// lies outside the matcher's space). Errors wrap engine.ErrNotFound. Safe
// for concurrent use.
func (a *App) EvaluateMatcher(matcher, sensor engine.ID) (bool, []engine.ConditionLog, error) {
	return a.engine.EvaluateMatcher(matcher, sensor)
}
