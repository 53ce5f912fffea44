package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/twinstudio/twinstudio/simulator"
)

// FileSimOptions configure SimulateFile.
type FileSimOptions struct {
	SimOptions
	// InPlace runs on the project file itself, which keeps the run's
	// values, history and virtual devices. By default the run takes a
	// temporary copy and the project file is left as it was.
	InPlace bool
	// Open are further options to open the project with (pipeline queue,
	// store); SimulateFile sets the UDF seed (the scenario's seed + 1, for
	// Math.random) and turns the pipeline's events off.
	Open Options
	// Context, if set, stops the run when done; default none.
	Context context.Context
}

// ErrNoProject means SimulateFile's project file does not exist.
var ErrNoProject = errors.New("no project file")

// SimulateFile runs sc on the project file at path as a what-if: it opens
// a temporary copy of the file (or, with o.InPlace, the file itself), runs
// RunSimulation(sc, o.SimOptions) on it, closes it and removes the copy.
// In process and as fast as possible, the same scenario, seed and project
// give the same report and files byte for byte. A path that does not exist
// fails with an error wrapping ErrNoProject; a file another process holds
// fails as Open does (in place) or is copied as it is on disk.
func SimulateFile(path string, sc *simulator.Scenario, o FileSimOptions) (*SimReport, error) {
	if sc == nil {
		return nil, errors.New("simulate: no scenario")
	}
	if st, err := os.Stat(path); err != nil || st.IsDir() {
		return nil, fmt.Errorf("simulate %s: %w", path, ErrNoProject)
	}
	run := path
	if !o.InPlace {
		tmp, err := os.MkdirTemp("", "twin-simulate-")
		if err != nil {
			return nil, fmt.Errorf("simulate: %w", err)
		}
		defer os.RemoveAll(tmp)
		run = filepath.Join(tmp, filepath.Base(path))
		if err := copyFile(path, run); err != nil {
			return nil, fmt.Errorf("simulate: copy %s: %w", path, err)
		}
	}
	return runOnFile(run, sc, o)
}

// runOnFile opens the project file run with the options of a what-if
// (the UDF seed of sc, no pipeline events), runs sc on it and closes it.
func runOnFile(run string, sc *simulator.Scenario, o FileSimOptions) (*SimReport, error) {
	opts := o.Open
	opts.UDF.Seed = int64(sc.Seed) + 1
	opts.Pipeline.NoEvents = true
	a, err := Open(run, opts)
	if err != nil {
		return nil, err
	}
	ctx := o.Context
	if ctx == nil {
		ctx = context.Background()
	}
	rep, err := a.RunSimulation(ctx, sc, o.SimOptions)
	if cerr := a.Close(); err == nil && cerr != nil {
		return nil, cerr
	}
	return rep, err
}

// copyFile copies the file from to the new file to.
func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
