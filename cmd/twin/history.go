package main

import (
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/twinstudio/twinstudio/app"
	"github.com/twinstudio/twinstudio/engine"
)

type historyCmd struct {
	projectFlag
	Ref       string `arg:"" name:"SENSOR|SPACE" help:"A sensor (hardwareId or id) or a space (path such as '/Building/Floor 1' or id)."`
	Name      string `placeholder:"VALUE" help:"With a space: the space value to print (run without it to list them)."`
	From      string `placeholder:"TIME" help:"Only values at or after TIME: RFC 3339 (2026-03-02T08:00:00Z) or a date (2026-03-02, midnight UTC)."`
	To        string `placeholder:"TIME" help:"Only values at or before TIME: RFC 3339 or a date (through the end of that day, UTC)."`
	Limit     int    `short:"n" default:"0" placeholder:"N" help:"Print only the newest N values of the range (0: all)."`
	Output    string `short:"o" enum:"table,text,csv,json,yaml" default:"table" placeholder:"table|csv|json|yaml" help:"Output format: table (time and value, one reading a line; text is the same), csv (time,value), json or yaml."`
	NoHeaders bool   `name:"no-headers" help:"With -o table or csv: leave out the header row."`
}

func (c *historyCmd) Run(e *env) error {
	from, err := parseTime("--from", c.From, false)
	if err != nil {
		return usageError{err}
	}
	to, err := parseTime("--to", c.To, true)
	if err != nil {
		return usageError{err}
	}
	if c.Limit < 0 {
		return usageError{fmt.Errorf("-n must be 0 or more, got %d", c.Limit)}
	}
	a, err := c.open(e, false)
	if err != nil {
		return err
	}
	defer a.Close()
	sig, err := c.signal(a.Engine())
	if err != nil {
		return err
	}
	h, err := a.SignalHistory(sig, from, to, c.Limit)
	if err != nil {
		return err
	}
	if err := writeHistory(e.stdout, c.Output, !c.NoHeaders, h); err != nil {
		return err
	}
	if c.Limit == 0 || len(h) < c.Limit {
		noteDropped(e, a.App, sig, from)
	}
	return nil
}

// noteDropped says on stderr when the range asked (from on) reaches
// before the oldest entry the retention kept of sig: what it dropped is
// never silent.
func noteDropped(e *env, a *app.App, sig app.Signal, from time.Time) {
	oldest, dropped, ok, err := a.HistoryKept(sig.Owner, sig.Name)
	if err != nil || !ok || dropped == 0 || !from.IsZero() && !from.Before(oldest) {
		return
	}
	fmt.Fprintf(e.stderr, "values before %s were dropped by the retention (%s; %d dropped)\n",
		oldest.UTC().Format(time.RFC3339), a.Retention(), dropped)
}

// signal resolves the command's SENSOR|SPACE and --name.
func (c *historyCmd) signal(e *engine.Engine) (app.Signal, error) {
	var sig app.Signal
	err := e.View(func(v *engine.View) error {
		owner, isSpace, err := historyOwner(v, c.Ref)
		if err != nil {
			return err
		}
		if !isSpace {
			if c.Name != "" {
				return usageError{fmt.Errorf("--name is for space values: sensor %s has one value", c.Ref)}
			}
			sig = app.Signal{Owner: owner}
			return nil
		}
		var names []string
		for _, nv := range v.SpaceValues(owner) {
			names = append(names, nv.Name)
		}
		has := strings.Join(names, ", ")
		if len(names) == 0 {
			has = "none"
		}
		switch {
		case c.Name == "":
			return usageError{fmt.Errorf("space %s: pick a value with --name (its values: %s)", v.FullName(owner), has)}
		case !slices.Contains(names, c.Name):
			return fmt.Errorf("%w: space %s has no value %q (its values: %s)", engine.ErrNotFound, v.FullName(owner), c.Name, has)
		}
		sig = app.Signal{Owner: owner, Name: c.Name}
		return nil
	})
	return sig, err
}

// historyOwner resolves a sensor (hardwareId or id) or a space (path or
// id).
func historyOwner(v *engine.View, ref string) (id engine.ID, isSpace bool, err error) {
	if id, err := engine.ParseID(ref); err == nil {
		if _, ok := v.Sensor(id); ok {
			return id, false, nil
		}
		if _, ok := v.Space(id); ok {
			return id, true, nil
		}
		return engine.NilID, false, fmt.Errorf("%w: no sensor or space has id %s", engine.ErrNotFound, ref)
	}
	if strings.HasPrefix(ref, "/") {
		id, err := v.ResolveSpace(ref)
		if err != nil {
			return engine.NilID, false, err
		}
		if id.IsZero() {
			return engine.NilID, false, fmt.Errorf("%w: '/' is the whole graph; name a space", engine.ErrInvalid)
		}
		return id, true, nil
	}
	if s, ok := v.SensorByHardwareID(ref); ok {
		return s.ID, false, nil
	}
	if d, ok := v.DeviceByHardwareID(ref); ok {
		var hws []string
		for _, s := range v.DeviceSensors(d.ID) {
			hws = append(hws, s.HardwareID)
		}
		return engine.NilID, false, fmt.Errorf("%w: %s is a device; name one of its sensors (%s)", engine.ErrInvalid, ref, strings.Join(hws, ", "))
	}
	return engine.NilID, false, fmt.Errorf("%w: %q is not a sensor hardwareId, a space path (start it with /) or an id", engine.ErrNotFound, ref)
}

// parseTime reads an RFC 3339 time or a date (UTC). A date as the end of
// a range (end true) means the last instant of that day. "" is the zero
// time (an open end).
func parseTime(flag, s string, end bool) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s %q: want an RFC 3339 time (2026-03-02T08:00:00Z) or a date (2026-03-02)", flag, s)
	}
	if end {
		d = d.Add(24*time.Hour - time.Nanosecond)
	}
	return d, nil
}

// historyRow is one value in -o json.
type historyRow struct {
	Time  time.Time `json:"time"`
	Value string    `json:"value"`
}

// writeHistory prints values oldest first in format table, csv, json or
// yaml, with a header row if headers.
func writeHistory(w io.Writer, format string, headers bool, h []engine.Value) error {
	switch format {
	case "json", "yaml":
		rows := make([]historyRow, len(h))
		for i, v := range h {
			rows[i] = historyRow{v.Time.UTC(), v.Value}
		}
		_, err := outputFlag{Output: format}.structured(w, rows)
		return err
	case "csv":
		cw := csv.NewWriter(w)
		if headers {
			_ = cw.Write([]string{"time", "value"})
		}
		for _, v := range h {
			_ = cw.Write([]string{v.Time.UTC().Format(time.RFC3339Nano), v.Value})
		}
		cw.Flush()
		return cw.Error()
	}
	t := outputFlag{NoHeaders: !headers}.table(w, "TIME", "VALUE")
	for _, v := range h {
		t.row(v.Time.UTC().Format(time.RFC3339Nano), v.Value)
	}
	t.flush()
	return nil
}
