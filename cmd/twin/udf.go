package main

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/twinstudio/twinstudio/engine"
)

type udfCmd struct {
	Run udfRunCmd `cmd:"" help:"Run a user-defined function on a sensor and a message and print its execution record."`
}

type udfRunCmd struct {
	projectFlag
	UDF     string `name:"udf" required:"" placeholder:"NAME" help:"The UDF's name (case-insensitive) or id."`
	Sensor  string `required:"" placeholder:"HARDWAREID" help:"The sensor the message comes from: its hardwareId (or id)."`
	Message string `required:"" placeholder:"TEXT" help:"The message, as telemetry.Message sees it."`
	DryRun  bool   `name:"dry-run" help:"Apply nothing: no values set, no notifications sent."`
	Trace   bool   `help:"Record a line trace: each executed statement with its local variables."`
	Output  string `short:"o" enum:"text,json" default:"text" help:"Output format: text or json."`
}

// Run prints the record, then fails (exit 1, one line on stderr) unless
// the execution succeeded, so scripts can read the record either way.
func (c *udfRunCmd) Run(e *env) error {
	a, err := c.open(false)
	if err != nil {
		return err
	}
	defer a.Close()
	var udf *engine.UDF
	var sensor *engine.Sensor
	err = a.Engine().View(func(v *engine.View) error {
		var err error
		if udf, err = findUDF(v, c.UDF); err != nil {
			return err
		}
		sensor, err = findSensor(v, c.Sensor)
		return err
	})
	if err != nil {
		return err
	}
	rec, runErr := a.Engine().RunUDF(udf.ID, sensor.ID, c.Message, !c.DryRun, c.Trace)
	if rec == nil {
		return runErr
	}
	if c.Output == "json" {
		if err := writeJSON(e.stdout, rec); err != nil {
			return err
		}
	} else {
		a.Engine().View(func(v *engine.View) error {
			writeRecord(e.stdout, v, rec, c.Trace)
			return nil
		})
	}
	if runErr != nil {
		return fmt.Errorf("udf %s: applying its writes failed: %w", rec.UDFName, runErr)
	}
	if !c.DryRun {
		if err := a.Close(); err != nil {
			return err
		}
	}
	if rec.Outcome != engine.OutcomeOK {
		return fmt.Errorf("udf %s failed: %s", rec.UDFName, failure(rec))
	}
	return nil
}

// findUDF finds a UDF by name (case-insensitive) or id.
func findUDF(v *engine.View, ref string) (*engine.UDF, error) {
	var found []*engine.UDF
	for _, u := range v.UDFs() {
		if strings.EqualFold(u.Name, ref) {
			found = append(found, u)
		}
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		if id, err := engine.ParseID(ref); err == nil {
			if u, ok := v.UDF(id); ok {
				return u, nil
			}
		}
		return nil, fmt.Errorf("%w: no user-defined function is named %q", engine.ErrNotFound, ref)
	}
	where := make([]string, len(found))
	for i, u := range found {
		where[i] = fmt.Sprintf("%s in %s (id %s)", u.Name, spaceName(v, u.SpaceID), u.ID)
	}
	sort.Strings(where)
	return nil, fmt.Errorf("%w: %d user-defined functions are named %q: %s; give --udf an id", engine.ErrInvalid, len(found), ref, strings.Join(where, ", "))
}

// findSensor finds a sensor by hardwareId or id.
func findSensor(v *engine.View, ref string) (*engine.Sensor, error) {
	if s, ok := v.SensorByHardwareID(ref); ok {
		return s, nil
	}
	if id, err := engine.ParseID(ref); err == nil {
		if s, ok := v.Sensor(id); ok {
			return s, nil
		}
	}
	return nil, fmt.Errorf("%w: no sensor has hardwareId %q", engine.ErrNotFound, ref)
}

func spaceName(v *engine.View, id engine.ID) string {
	if n := v.FullName(id); n != "" {
		return n
	}
	return id.String()
}

// failure is the one-line reason a record did not succeed.
func failure(rec *engine.ExecutionRecord) string {
	msg := rec.Error
	if msg == "" && rec.Outcome == engine.OutcomeNotAuthorized {
		msg = engine.OutcomeNotAuthorized
		for _, c := range rec.Calls {
			if c.Err != "" {
				msg = fmt.Sprintf("%s: %s(%s)", c.Err, c.Name, strings.Join(c.Args, ", "))
				break
			}
		}
	}
	if msg == "" {
		msg = rec.Outcome
	}
	if rec.Line > 0 {
		msg += fmt.Sprintf(" (line %d:%d)", rec.Line, rec.Column)
	}
	return strings.ReplaceAll(msg, "\n", " ")
}

// writeRecord prints an execution record for people.
func writeRecord(w io.Writer, v *engine.View, rec *engine.ExecutionRecord, trace bool) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "udf:\t%s (%s)\n", rec.UDFName, rec.UDF)
	fmt.Fprintf(tw, "sensor:\t%s (%s)\n", rec.SensorHW, rec.Sensor)
	fmt.Fprintf(tw, "message:\t%s\n", oneLineText(rec.Message))
	outcome := rec.Outcome
	switch {
	case rec.DryRun:
		outcome += " (dry run: nothing applied)"
	case rec.OK():
		outcome += " (applied)"
	default:
		outcome += " (nothing applied)"
	}
	fmt.Fprintf(tw, "outcome:\t%s\n", outcome)
	fmt.Fprintf(tw, "duration:\t%s\n", rec.Duration.Round(time.Microsecond))
	tw.Flush()

	section := func(name string, n int) bool {
		fmt.Fprintf(w, "\n%s:\n", name)
		if n == 0 {
			fmt.Fprintln(w, "  (none)")
		}
		return n > 0
	}
	if section("calls", len(rec.Calls)) {
		for _, c := range rec.Calls {
			line := fmt.Sprintf("  %s(%s)", c.Name, strings.Join(quoteAll(c.Args), ", "))
			if c.Result != "" {
				line += " → " + c.Result
			}
			if c.Err != "" {
				line += "  ✗ " + c.Err
			}
			fmt.Fprintln(w, oneLineText(line))
		}
	}
	if section("log", len(rec.Logs)) {
		for _, l := range rec.Logs {
			fmt.Fprintln(w, "  "+oneLineText(l))
		}
	}
	if section("writes", len(rec.Writes)) {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, wr := range rec.Writes {
			target := wr.ID.String()
			if wr.Kind == "Sensor" {
				if s, ok := v.Sensor(wr.ID); ok {
					target = s.HardwareID
				}
			} else if n := v.FullName(wr.ID); n != "" {
				target = n
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s:\t%s → %s\n", wr.Kind, target, wr.Name, strconv.Quote(wr.Previous), strconv.Quote(wr.New))
		}
		tw.Flush()
	}
	if section("notifications", len(rec.Notifications)) {
		for _, n := range rec.Notifications {
			target := n.TopologyObjectID
			if id, err := engine.ParseID(target); err == nil {
				switch n.ResourceType {
				case "Space":
					if name := v.FullName(id); name != "" {
						target = name
					}
				case "Sensor":
					if s, ok := v.Sensor(id); ok {
						target = s.HardwareID
					}
				case "Device":
					if d, ok := v.Device(id); ok {
						target = d.HardwareID
					}
				}
			}
			fmt.Fprintf(w, "  %s %s: %s\n", n.ResourceType, target, oneLineText(n.Payload))
		}
	}
	if rec.Error != "" {
		fmt.Fprintf(w, "\nerror: %s\n", oneLineText(rec.Error))
		if rec.Line > 0 {
			fmt.Fprintf(w, "  at line %d, column %d\n", rec.Line, rec.Column)
		}
		if rec.Stack != "" {
			fmt.Fprintln(w, "stack:")
			for _, l := range strings.Split(rec.Stack, "\n") {
				fmt.Fprintln(w, "  "+l)
			}
		}
	}
	if trace && section("trace", len(rec.Trace)) {
		for _, st := range rec.Trace {
			names := make([]string, 0, len(st.Locals))
			for n := range st.Locals {
				names = append(names, n)
			}
			sort.Strings(names)
			var b strings.Builder
			fmt.Fprintf(&b, "  line %d", st.Line)
			for i, n := range names {
				if i == 0 {
					b.WriteString(" ")
				}
				b.WriteString(" " + n + "=" + st.Locals[n])
			}
			fmt.Fprintln(w, oneLineText(b.String()))
		}
	}
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = strconv.Quote(s)
	}
	return out
}

// oneLineText keeps a value on one output line.
func oneLineText(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	return strings.NewReplacer("\r", `\r`, "\n", `\n`).Replace(s)
}
