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
}

func (c *matcherEvaluateCmd) Run(e *env) error {
	a, err := c.open(false)
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
	for _, l := range log {
		fmt.Fprintln(e.stdout, l.String())
	}
	fmt.Fprintf(e.stdout, "matcher %s on sensor %s: %t\n", c.Matcher, c.Sensor, ok)
	return nil
}
