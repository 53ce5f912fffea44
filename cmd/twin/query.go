package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

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
	Output         string   `short:"o" enum:"table,json" default:"table" help:"Output format: table or json."`
}

func (c *queryCmd) Run(e *env) error {
	a, err := c.open(false)
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
	return a.Engine().View(func(v *engine.View) error {
		if c.Space != "" {
			if q.SpaceID, err = v.ResolveSpace(c.Space); err != nil {
				return fmt.Errorf("--space: %w", err)
			}
		}
		res, err := v.Query(q)
		if err != nil {
			return err
		}
		if c.Output == "json" {
			return writeJSON(e.stdout, docs(v, res))
		}
		writeTable(e.stdout, v, res, q.Kind)
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

func writeJSON(w io.Writer, x any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(x)
}

func writeTable(w io.Writer, v *engine.View, r *engine.Result, k engine.Kind) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	switch k {
	case engine.KindSpace:
		fmt.Fprintln(tw, "PATH\tTYPE\tSUBTYPE\tLEVEL\tID")
		for _, s := range r.Spaces {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\n", v.FullName(s.ID), v.TypeName(s.TypeID), v.TypeName(s.SubtypeID), v.Level(s.ID), s.ID)
		}
	case engine.KindDevice:
		fmt.Fprintln(tw, "NAME\tHARDWAREID\tTYPE\tSTATUS\tSPACE\tID")
		for _, d := range r.Devices {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", d.Name, d.HardwareID, v.TypeName(d.TypeID), d.Status, v.FullName(d.SpaceID), d.ID)
		}
	case engine.KindSensor:
		fmt.Fprintln(tw, "HARDWAREID\tDATATYPE\tVALUE\tDEVICE\tSPACE\tID")
		for _, s := range r.Sensors {
			val := "-"
			if x, ok := v.SensorValue(s.ID); ok {
				val = x.Value
			}
			dev, _ := v.Device(s.DeviceID)
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", s.HardwareID, v.TypeName(s.DataTypeID), val, dev.HardwareID, v.FullName(s.SpaceID), s.ID)
		}
	case engine.KindUser:
		fmt.Fprintln(tw, "UPN\tNAME\tSPACE\tID")
		for _, u := range r.Users {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", u.UPN, strings.TrimSpace(u.FirstName+" "+u.LastName), v.FullName(u.SpaceID), u.ID)
		}
	}
	tw.Flush()
	fmt.Fprintf(w, "(%d %s)\n", r.Len(), plural(r.Len(), k))
}

func plural(n int, k engine.Kind) string {
	s := map[engine.Kind]string{engine.KindSpace: "space", engine.KindDevice: "device", engine.KindSensor: "sensor", engine.KindUser: "user"}[k]
	if n != 1 {
		s += "s"
	}
	return s
}
