package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/twinstudio/twinstudio/engine"
)

type queryCmd struct {
	projectFlag
	Space          string   `placeholder:"ID|PATH" help:"Anchor space: a GUID or a path such as '/Quickstart Building/Floor 1'."`
	Traverse       string   `enum:"none,down,up,span,None,Down,Up,Span," default:"" placeholder:"none|down|up|span" help:"Direction from the anchor."`
	MinLevel       *int     `name:"min-level" placeholder:"N" help:"Lowest level (roots are 1), inclusive."`
	MaxLevel       *int     `name:"max-level" placeholder:"N" help:"Highest level, inclusive."`
	Relative       bool     `help:"Count --min-level and --max-level from the anchor (0 the anchor, 1 its children, -1 its parent)."`
	MinRelative    bool     `name:"min-relative" help:"Only --min-level is relative."`
	MaxRelative    bool     `name:"max-relative" help:"Only --max-level is relative."`
	UseParentSpace bool     `name:"use-parent-space" help:"The anchor is the parent: start from its children."`
	Kind           string   `enum:"spaces,devices,sensors,users" default:"spaces" help:"What to list: spaces, devices, sensors or users."`
	Types          []string `sep:"," placeholder:"T1,T2" help:"Type names (SpaceType, DeviceType or SensorType)."`
	Subtypes       []string `sep:"," placeholder:"S1,S2" help:"Subtype names."`
	Names          []string `sep:"," placeholder:"N1,N2" help:"Names (users: upn)."`
	IDs            []string `name:"ids" sep:"," placeholder:"ID1,ID2" help:"Object ids."`
	HardwareIDs    []string `name:"hardware-ids" sep:"," placeholder:"H1,H2" help:"Hardware ids (devices, sensors)."`
	DataTypes      []string `name:"data-types" sep:"," placeholder:"D1,D2" help:"Sensor data types."`
	Property       string   `placeholder:"KEY[=VALUE]" help:"Only objects with this extended property (and value)."`
	atFlag
	outputFlag
}

func (c *queryCmd) Run(e *env) error {
	at, past, err := c.moment()
	if err != nil {
		return usageError{err}
	}
	a, err := c.open(e, false)
	if err != nil {
		return err
	}
	defer a.Close()
	q := engine.Query{
		UseParentSpace: c.UseParentSpace, Types: c.Types, Subtypes: c.Subtypes, Names: c.Names,
		HardwareIDs: c.HardwareIDs, DataTypes: c.DataTypes,
		MinRelative: c.Relative || c.MinRelative, MaxRelative: c.Relative || c.MaxRelative,
	}
	q.Kind = map[string]engine.Kind{"spaces": engine.KindSpace, "devices": engine.KindDevice, "sensors": engine.KindSensor, "users": engine.KindUser}[c.Kind]
	if q.Traverse, err = engine.ParseTraverse(c.Traverse); err != nil {
		return usageError{err}
	}
	if c.MinLevel != nil {
		q.MinLevel = engine.L(*c.MinLevel)
	}
	if c.MaxLevel != nil {
		q.MaxLevel = engine.L(*c.MaxLevel)
	}
	for _, s := range c.IDs {
		id, err := engine.ParseID(s)
		if err != nil {
			return usageError{fmt.Errorf("--ids: %w", err)}
		}
		q.IDs = append(q.IDs, id)
	}
	if c.Property != "" {
		k, v, _ := strings.Cut(c.Property, "=")
		q.PropertyKey, q.PropertyValue = k, v
	}
	var res *engine.Result
	var ds []any
	err = a.Engine().View(func(v *engine.View) error {
		if c.Space != "" {
			if q.SpaceID, err = v.ResolveSpace(c.Space); err != nil {
				return fmt.Errorf("--space: %w", err)
			}
		}
		if res, err = v.Query(q); err != nil {
			return err
		}
		ds = docs(v, res)
		return nil
	})
	if err != nil {
		return err
	}
	var vals map[engine.ID]map[string]engine.Value
	if past {
		if vals, err = valuesAt(a.App, ds, at); err != nil {
			return err
		}
		setValuesAt(ds, vals)
	}
	if ok, err := c.structured(e.stdout, ds); ok {
		return err
	}
	return a.Engine().View(func(v *engine.View) error {
		value := func(id engine.ID) (engine.Value, bool) {
			if past {
				x, ok := vals[id][""]
				return x, ok
			}
			return v.SensorValue(id)
		}
		c.writeTable(e.stdout, v, res, q.Kind, value)
		if past {
			e.trailer("%d %s, values as they were at %s", res.Len(), plural(res.Len(), q.Kind), at.Format(time.RFC3339Nano))
		} else {
			e.trailer("%d %s", res.Len(), plural(res.Len(), q.Kind))
		}
		return nil
	})
}

// docs renders a result as preview-shaped JSON documents.
func docs(v *engine.View, r *engine.Result) []any {
	out := []any{}
	for _, s := range r.Spaces {
		out = append(out, v.SpaceDoc(s, true))
	}
	for _, d := range r.Devices {
		out = append(out, v.DeviceDoc(d, false))
	}
	for _, s := range r.Sensors {
		out = append(out, v.SensorDoc(s))
	}
	for _, u := range r.Users {
		out = append(out, v.UserDoc(u))
	}
	return out
}

// writeTable prints a result as a table of its kind.
// value gives a sensor's value to show.
func (c *queryCmd) writeTable(w io.Writer, v *engine.View, r *engine.Result, k engine.Kind, value func(engine.ID) (engine.Value, bool)) {
	var t *table
	switch k {
	case engine.KindSpace:
		t = c.table(w, "PATH", "TYPE", "SUBTYPE", "LEVEL", "ID")
		for _, s := range r.Spaces {
			t.row(v.FullName(s.ID), v.TypeName(s.TypeID), v.TypeName(s.SubtypeID), fmt.Sprint(v.Level(s.ID)), s.ID.String())
		}
	case engine.KindDevice:
		t = c.table(w, "NAME", "HARDWAREID", "TYPE", "STATUS", "SPACE", "ID")
		for _, d := range r.Devices {
			t.row(d.Name, d.HardwareID, v.TypeName(d.TypeID), d.Status, v.FullName(d.SpaceID), d.ID.String())
		}
	case engine.KindSensor:
		t = c.table(w, "HARDWAREID", "DATATYPE", "VALUE", "DEVICE", "SPACE", "ID")
		for _, s := range r.Sensors {
			val := "-"
			if x, ok := value(s.ID); ok {
				val = x.Value
			}
			dev, _ := v.Device(s.DeviceID)
			t.row(s.HardwareID, v.TypeName(s.DataTypeID), val, dev.HardwareID, v.FullName(s.SpaceID), s.ID.String())
		}
	case engine.KindUser:
		t = c.table(w, "UPN", "NAME", "SPACE", "ID")
		for _, u := range r.Users {
			t.row(u.UPN, strings.TrimSpace(u.FirstName+" "+u.LastName), v.FullName(u.SpaceID), u.ID.String())
		}
	}
	t.flush()
}

func plural(n int, k engine.Kind) string {
	s := map[engine.Kind]string{engine.KindSpace: "space", engine.KindDevice: "device", engine.KindSensor: "sensor", engine.KindUser: "user"}[k]
	if n != 1 {
		s += "s"
	}
	return s
}
