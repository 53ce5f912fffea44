package main

import (
	"fmt"
	"time"
)

type retentionCmd struct {
	projectFlag
	KeepAge   *time.Duration `name:"keep-age" placeholder:"DURATION" help:"Drop values older than DURATION before each value's newest (720h: 30 days; 0: no age limit)."`
	KeepCount *int           `name:"keep-count" placeholder:"N" help:"Keep at most N values per sensor or space value (0: the default)."`
}

func (c *retentionCmd) Run(e *env) error {
	a, err := c.open(e, false)
	if err != nil {
		return err
	}
	defer a.Close()
	r := a.Retention()
	if c.KeepAge != nil || c.KeepCount != nil {
		if c.KeepAge != nil {
			r.KeepAge = *c.KeepAge
		}
		if c.KeepCount != nil {
			r.KeepCount = *c.KeepCount
		}
		if err := a.SetRetention(r); err != nil {
			return usageError{fmt.Errorf("retention: %w", err)}
		}
		r = a.Retention()
		e.trailer("set; it applies to each value when its next value is written")
	}
	fmt.Fprintf(e.stdout, "keep-count: %d\nkeep-age:   %s\n", r.KeepCount, r.AgeText())
	return nil
}
