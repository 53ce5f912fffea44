package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/twinstudio/twinstudio/engine"
)

type getCmd struct {
	projectFlag
	Ref string `arg:"" name:"ID|PATH" help:"An object id, a space path ('/Building/Floor 1') or a device or sensor hardwareId."`
	atFlag
	outputFlag
}

func (c *getCmd) Run(e *env) error {
	at, past, err := c.moment()
	if err != nil {
		return usageError{err}
	}
	a, err := c.open(e, false)
	if err != nil {
		return err
	}
	defer a.Close()
	var doc any
	if err := a.Engine().View(func(v *engine.View) (err error) { doc, err = lookup(v, c.Ref); return err }); err != nil {
		return err
	}
	if past {
		vals, err := valuesAt(a.App, []any{doc}, at)
		if err != nil {
			return err
		}
		setValuesAt([]any{doc}, vals)
	}
	if ok, err := c.structured(e.stdout, doc); ok {
		return err
	}
	_ = a.Engine().View(func(v *engine.View) error { writeDoc(e.stdout, v, doc); return nil })
	if past {
		e.trailer("values as they were at %s", at.Format(time.RFC3339Nano))
	}
	return nil
}

// lookup resolves a reference to one object's document.
func lookup(v *engine.View, ref string) (any, error) {
	if id, err := engine.ParseID(ref); err == nil {
		if s, ok := v.Space(id); ok {
			return v.SpaceDoc(s, true), nil
		}
		if d, ok := v.Device(id); ok {
			return v.DeviceDoc(d, true), nil
		}
		if s, ok := v.Sensor(id); ok {
			return v.SensorDoc(s), nil
		}
		if u, ok := v.User(id); ok {
			return v.UserDoc(u), nil
		}
		return nil, fmt.Errorf("%w: no space, device, sensor or user has id %s", engine.ErrNotFound, ref)
	}
	if strings.HasPrefix(ref, "/") {
		id, err := v.ResolveSpace(ref)
		if err != nil {
			return nil, err
		}
		if id.IsZero() {
			return nil, fmt.Errorf("%w: '/' is the whole graph, not one object; try 'twin query'", engine.ErrInvalid)
		}
		s, _ := v.Space(id)
		return v.SpaceDoc(s, true), nil
	}
	if d, ok := v.DeviceByHardwareID(ref); ok {
		return v.DeviceDoc(d, true), nil
	}
	if s, ok := v.SensorByHardwareID(ref); ok {
		return v.SensorDoc(s), nil
	}
	return nil, fmt.Errorf("%w: %q is not an id, a space path (start it with /) or a hardwareId", engine.ErrNotFound, ref)
}

func writeDoc(w io.Writer, v *engine.View, doc any) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	row := func(k, val string) {
		if val != "" {
			fmt.Fprintf(tw, "%s:\t%s\n", k, val)
		}
	}
	props := func(ps []engine.PropertyDoc) {
		for _, p := range ps {
			row("property "+p.Name, p.Value)
		}
	}
	switch d := doc.(type) {
	case *engine.SpaceDoc:
		row("space", d.FullName)
		row("id", d.ID)
		row("type", d.Type)
		row("subtype", d.Subtype)
		row("status", d.Status)
		row("level", fmt.Sprint(d.Level))
		row("description", d.Description)
		row("time zone", d.TimeZoneName)
		row("path", d.SpacePaths[0])
		props(d.Properties)
		for _, val := range d.Values {
			row("value "+val.Type, fmt.Sprintf("%s  (%s)", val.Value, val.Timestamp.Format(time.RFC3339)))
		}
		id, _ := engine.ParseID(d.ID)
		for _, c := range v.ChildSpaces(id) {
			row("child space", c.Name)
		}
		for _, dv := range v.SpaceDevices(id) {
			row("device", dv.Name+" ("+dv.HardwareID+")")
		}
		for _, u := range v.SpaceUsers(id) {
			row("user", u.UPN)
		}
	case *engine.DeviceDoc:
		row("device", d.Name)
		row("id", d.ID)
		row("hardwareId", d.HardwareID)
		row("type", d.Type)
		row("subtype", d.Subtype)
		row("status", d.Status)
		row("connection", d.ConnectionState)
		row("space", v.FullName(mustID(d.SpaceID)))
		props(d.Properties)
		for _, s := range d.Sensors {
			val := "-"
			if s.Value != nil {
				val = s.Value.Value
			}
			row("sensor "+s.HardwareID, s.DataType+" = "+val)
		}
	case *engine.SensorDoc:
		row("sensor", d.HardwareID)
		row("id", d.ID)
		row("dataType", d.DataType)
		row("dataSubtype", d.DataSubtype)
		row("unit", d.DataUnitType)
		row("type", d.Type)
		row("port", d.Port)
		if dev, ok := v.Device(mustID(d.DeviceID)); ok {
			row("device", dev.Name+" ("+dev.HardwareID+")")
		}
		row("space", v.FullName(mustID(d.SpaceID)))
		props(d.Properties)
		if d.Value != nil {
			row("value", fmt.Sprintf("%s  (%s)", d.Value.Value, d.Value.Timestamp.Format(time.RFC3339)))
		} else {
			row("value", "-")
		}
	case *engine.UserDoc:
		row("user", d.UPN)
		row("id", d.ID)
		row("name", strings.TrimSpace(d.FirstName+" "+d.LastName))
		row("space", v.FullName(mustID(d.SpaceID)))
		props(d.Properties)
	}
	tw.Flush()
}

func mustID(s string) engine.ID {
	id, _ := engine.ParseID(s)
	return id
}
