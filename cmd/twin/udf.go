package main

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/twinstudio/twinstudio/app"
	"github.com/twinstudio/twinstudio/engine"
)

type udfCmd struct {
	List     udfListCmd     `cmd:"" help:"List user-defined functions with their state, last outcome and failures in the last hour."`
	Records  udfRecordsCmd  `cmd:"" help:"Show a user-defined function's execution records, newest first."`
	Run      udfRunCmd      `cmd:"" help:"Run a user-defined function on a sensor and a message (or a recorded one) and print its execution record."`
	Set      udfSetCmd      `cmd:"" help:"Replace a user-defined function's script with a file's, if it compiles; live for the next message."`
	Versions udfVersionsCmd `cmd:"" help:"List the kept versions of a user-defined function's script, newest first, or show one's diff against the current script."`
	Restore  udfRestoreCmd  `cmd:"" help:"Make a kept version of a user-defined function's script current again (the script it replaces is kept as a version)."`
}

type udfRunCmd struct {
	projectFlag
	UDF     string `name:"udf" required:"" placeholder:"NAME" help:"The UDF: its name (case-insensitive), its name after its space's path ('/Building/Availability') or its id."`
	Sensor  string `placeholder:"HARDWAREID" help:"The sensor the message comes from: its hardwareId (or id)."`
	Message string `placeholder:"TEXT" help:"The message, as telemetry.Message sees it."`
	Replay  string `placeholder:"SENSOR[@TIME]" help:"Instead of --sensor and --message: replay the sensor's latest recorded message, or its last one at or before TIME (RFC 3339). A replay is a dry run unless --apply."`
	Apply   bool   `help:"With --replay: apply the writes and notifications."`
	DryRun  bool   `name:"dry-run" help:"Apply nothing: no values set, no notifications sent."`
	Trace   bool   `help:"Record a line trace: each executed statement with the local variables that changed."`
	Output  string `short:"o" enum:"table,json,yaml" default:"table" placeholder:"table|json|yaml" help:"Output format: table (the record as text, the default), json or yaml."`
}

// Run prints the record, then fails (exit 1, one line on stderr) unless
// the execution succeeded, so scripts can read the record either way.
func (c *udfRunCmd) Run(e *env) error {
	sensorRef, at, err := c.input()
	if err != nil {
		return err
	}
	a, err := c.open(e, false)
	if err != nil {
		return err
	}
	defer a.Close()
	var udf *engine.UDF
	var sensor *engine.Sensor
	err = a.Engine().View(func(v *engine.View) error {
		var err error
		if udf, err = app.FindUDF(v, c.UDF); err != nil {
			return err
		}
		sensor, err = findSensor(v, sensorRef)
		return err
	})
	if err != nil {
		return err
	}
	message, dry := c.Message, c.DryRun
	if c.Replay != "" {
		rp, err := a.RecordedMessage(sensor.ID, at)
		if err != nil {
			return err
		}
		message, dry = rp.Message, !c.Apply
		if c.Output == "table" {
			fmt.Fprintf(e.stdout, "replaying the message of %s at %s (from its %s)\n\n", sensor.HardwareID, rp.Time.UTC().Format(time.RFC3339Nano), rp.From)
		}
	}
	rec, runErr := a.Engine().RunUDF(udf.ID, sensor.ID, message, !dry, c.Trace)
	if rec == nil {
		return runErr
	}
	if ok, err := (outputFlag{Output: c.Output}).structured(e.stdout, rec); ok {
		if err != nil {
			return err
		}
	} else {
		a.Engine().View(func(v *engine.View) error {
			app.WriteRecord(e.stdout, v, rec, c.Trace)
			return nil
		})
	}
	if runErr != nil {
		return fmt.Errorf("udf %s: applying its writes failed: %w", rec.UDFName, runErr)
	}
	if !dry {
		if err := a.Close(); err != nil {
			return err
		}
	}
	if rec.Outcome != engine.OutcomeOK {
		return fmt.Errorf("udf %s failed: %s", rec.UDFName, failure(rec))
	}
	return nil
}

// input checks the flags' combination and returns the sensor reference
// and, for --replay SENSOR@TIME, the time.
func (c *udfRunCmd) input() (string, time.Time, error) {
	if c.Replay == "" {
		if c.Apply {
			return "", time.Time{}, usageError{errors.New("--apply goes with --replay (without it, a run applies unless --dry-run)")}
		}
		if c.Sensor == "" || c.Message == "" {
			return "", time.Time{}, usageError{errors.New("give --sensor and --message, or --replay SENSOR[@TIME]")}
		}
		return c.Sensor, time.Time{}, nil
	}
	if c.Sensor != "" || c.Message != "" {
		return "", time.Time{}, usageError{errors.New("--replay names the sensor and finds the message: leave out --sensor and --message")}
	}
	if c.Apply && c.DryRun {
		return "", time.Time{}, usageError{errors.New("--apply and --dry-run contradict each other")}
	}
	ref, when, ok := cutLast(c.Replay, "@")
	if !ok {
		return c.Replay, time.Time{}, nil
	}
	at, err := time.Parse(time.RFC3339Nano, when)
	if err != nil {
		return "", time.Time{}, usageError{fmt.Errorf("--replay %s: %q is not an RFC 3339 time (2026-12-03T10:15:00Z)", c.Replay, when)}
	}
	return ref, at, nil
}

// cutLast splits s around the last sep.
func cutLast(s, sep string) (before, after string, found bool) {
	if i := strings.LastIndex(s, sep); i >= 0 {
		return s[:i], s[i+len(sep):], true
	}
	return s, "", false
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

// failure is the one-line reason a record did not succeed, with its line.
func failure(rec *engine.ExecutionRecord) string {
	msg := app.RecordFailure(rec)
	if rec.Line > 0 {
		msg += fmt.Sprintf(" (line %d:%d)", rec.Line, rec.Column)
	}
	return msg
}
