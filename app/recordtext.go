package app

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

// WriteRecord prints an execution record for people, as `twin udf run`
// and the studio's test panel show it: the run, its calls, logs, writes
// (before → after), notifications and error, and with trace the line
// trace (the locals that changed at each step). v names the objects the
// record refers to; call it inside a View.
func WriteRecord(w io.Writer, v *engine.View, rec *engine.ExecutionRecord, trace bool) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "udf:\t%s (%s)\n", rec.UDFName, rec.UDF)
	fmt.Fprintf(tw, "sensor:\t%s (%s)\n", rec.SensorHW, rec.Sensor)
	fmt.Fprintf(tw, "message:\t%s\n", OneLine(rec.Message))
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
			fmt.Fprintln(w, OneLine(line))
		}
	}
	if section("log", len(rec.Logs)) {
		for _, l := range rec.Logs {
			fmt.Fprintln(w, "  "+OneLine(l))
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
			fmt.Fprintf(w, "  %s %s: %s\n", n.ResourceType, target, OneLine(n.Payload))
		}
	}
	if rec.Error != "" {
		fmt.Fprintf(w, "\nerror: %s\n", OneLine(rec.Error))
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
		// One step a line with the locals that changed (each step's
		// delta): the arguments of process appear once, at the first step.
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
			fmt.Fprintln(w, OneLine(b.String()))
		}
		if note := NewStepper(rec).CutNote(); note != "" {
			fmt.Fprintf(w, "  (%s)\n", note)
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

// OneLine keeps a value on one output line.
func OneLine(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	return strings.NewReplacer("\r", `\r`, "\n", `\n`).Replace(s)
}
