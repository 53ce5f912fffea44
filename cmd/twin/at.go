package main

import (
	"fmt"
	"sort"
	"time"

	"github.com/twinstudio/twinstudio/app"
	"github.com/twinstudio/twinstudio/engine"
)

// atFlag is --at of get and query: show values as they were at a moment.
type atFlag struct {
	At string `placeholder:"TIME" help:"Show values as they were at TIME: RFC 3339 (2026-03-02T08:15:00Z), a date-time without zone (2026-03-02T08:15, UTC) or a date (midnight UTC)."`
}

// atLayouts are the zone-less forms --at takes, read as UTC.
var atLayouts = []string{"2006-01-02T15:04:05.999999999", "2006-01-02T15:04", "2006-01-02 15:04:05.999999999", "2006-01-02 15:04", time.DateOnly}

// moment parses --at; ok is false when it is not given.
func (f atFlag) moment() (t time.Time, ok bool, err error) {
	if f.At == "" {
		return time.Time{}, false, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, f.At); err == nil {
		return t.UTC(), true, nil
	}
	for _, l := range atLayouts {
		if t, err := time.Parse(l, f.At); err == nil {
			return t, true, nil
		}
	}
	return time.Time{}, false, fmt.Errorf("--at %q: want an RFC 3339 time (2026-03-02T08:15:00Z), a date-time (2026-03-02T08:15, UTC) or a date (2026-03-02)", f.At)
}

// docOwners lists the sensors and spaces whose values docs show.
func docOwners(docs []any) []engine.ID {
	var ids []engine.ID
	for _, d := range docs {
		switch d := d.(type) {
		case *engine.SpaceDoc:
			ids = append(ids, mustID(d.ID))
		case *engine.SensorDoc:
			ids = append(ids, mustID(d.ID))
		case *engine.DeviceDoc:
			for _, s := range d.Sensors {
				ids = append(ids, mustID(s.ID))
			}
		}
	}
	return ids
}

// valuesAt reads the values of docs' sensors and spaces at t.
func valuesAt(a *app.App, docs []any, t time.Time) (map[engine.ID]map[string]engine.Value, error) {
	return a.ValuesAt(docOwners(docs), t)
}

// setValuesAt replaces the values docs show by those of at (ValuesAt's
// result): a value that did not exist yet is left out.
func setValuesAt(docs []any, at map[engine.ID]map[string]engine.Value) {
	sensor := func(d *engine.SensorDoc) {
		d.Value = nil
		if v, ok := at[mustID(d.ID)][""]; ok {
			d.Value = &engine.ValueDoc{Type: d.DataType, Value: v.Value, Timestamp: v.Time.UTC()}
		}
	}
	for _, d := range docs {
		switch d := d.(type) {
		case *engine.SpaceDoc:
			d.Values = nil
			for name, v := range at[mustID(d.ID)] {
				d.Values = append(d.Values, engine.ValueDoc{Type: name, Value: v.Value, Timestamp: v.Time.UTC()})
			}
			sort.Slice(d.Values, func(i, j int) bool { return d.Values[i].Type < d.Values[j].Type })
		case *engine.SensorDoc:
			sensor(d)
		case *engine.DeviceDoc:
			for _, s := range d.Sensors {
				sensor(s)
			}
		}
	}
}
