package main

import (
	"fmt"
	"strings"

	"github.com/twinstudio/twinstudio/engine"
)

type matcherCmd struct {
	List     matcherListCmd     `cmd:"" help:"List matchers with their conditions and the user-defined functions bound to them."`
	Evaluate matcherEvaluateCmd `cmd:"" help:"Evaluate a matcher against a sensor and show each condition (the preview's /matchers/{id}/evaluate/{sensorId})."`
}

type matcherEvaluateCmd struct {
	projectFlag
	Matcher string `required:"" placeholder:"NAME|ID" help:"The matcher."`
	Sensor  string `required:"" placeholder:"HARDWAREID" help:"The sensor."`
	Output  string `short:"o" enum:"table,json,yaml" default:"table" placeholder:"table|json|yaml" help:"Output format: table (each condition, then the result; the default), json or yaml."`
}

// evaluation is 'twin matcher evaluate -o json'.
type evaluation struct {
	Matcher    string          `json:"matcher"`
	Sensor     string          `json:"sensor"`
	Result     bool            `json:"result"`
	Conditions []conditionEval `json:"conditions"`
}

type conditionEval struct {
	conditionItem
	Selected []any  `json:"selected"`
	Result   bool   `json:"result"`
	Error    string `json:"error,omitempty"`
}

// errNoMatch is the exit status 1 of an evaluation that is false.
type errNoMatch struct{ matcher, sensor string }

func (e errNoMatch) Error() string {
	return fmt.Sprintf("matcher %s does not match sensor %s", e.matcher, e.sensor)
}

func (c *matcherEvaluateCmd) Run(e *env) error {
	a, err := c.open(e, false)
	if err != nil {
		return err
	}
	defer a.Close()
	var mid, sid engine.ID
	err = a.Engine().View(func(v *engine.View) error {
		s, ok := v.SensorByHardwareID(c.Sensor)
		if !ok {
			return fmt.Errorf("%w: no sensor has hardwareId %q", engine.ErrNotFound, c.Sensor)
		}
		sid = s.ID
		if id, err := engine.ParseID(c.Matcher); err == nil {
			mid = id
			return nil
		}
		var found []*engine.Matcher
		for _, m := range v.Matchers() {
			if strings.EqualFold(m.Name, c.Matcher) {
				found = append(found, m)
			}
		}
		switch len(found) {
		case 0:
			return fmt.Errorf("%w: no matcher named %q", engine.ErrNotFound, c.Matcher)
		case 1:
			mid = found[0].ID
			return nil
		}
		var where []string
		for _, m := range found {
			where = append(where, v.FullName(m.SpaceID)+" ("+m.ID.String()+")")
		}
		return fmt.Errorf("%w: %d matchers are named %q: %s; give an id", engine.ErrConflict, len(found), c.Matcher, strings.Join(where, ", "))
	})
	if err != nil {
		return err
	}
	ok, log, err := a.Engine().EvaluateMatcher(mid, sid)
	if err != nil {
		return err
	}
	ev := evaluation{Matcher: c.Matcher, Sensor: c.Sensor, Result: ok, Conditions: []conditionEval{}}
	for _, l := range log {
		cd := l.Condition
		ev.Conditions = append(ev.Conditions, conditionEval{conditionItem{cd.Target, cd.Path, cd.Comparison, cd.Value}, l.Selected, l.Result, l.Err})
	}
	if structured, err := (outputFlag{Output: c.Output}).structured(e.stdout, ev); !structured {
		for _, l := range log {
			fmt.Fprintln(e.stdout, l.String())
		}
		fmt.Fprintf(e.stdout, "matcher %s on sensor %s: %t\n", c.Matcher, c.Sensor, ok)
	} else if err != nil {
		return err
	}
	if !ok {
		return errNoMatch{c.Matcher, c.Sensor}
	}
	return nil
}
