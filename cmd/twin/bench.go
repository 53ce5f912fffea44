package main

import (
	"os"
	"runtime/pprof"

	"github.com/twinstudio/twinstudio/app/bench"
)

type benchCmd struct {
	Only       string `placeholder:"NAME" help:"Run only this row (see the NAME column), benchmark or group (ingest)."`
	CPUProfile string `name:"cpuprofile" placeholder:"FILE" help:"Write a CPU profile of the run to FILE."`
}

// Help lists the table's rows, one line each.
func (c *benchCmd) Help() string {
	return "Rows (--only takes a row, a benchmark or the group \"ingest\"; ratio rows compare two rows of the same run):\n\n" + bench.Docs()
}

func (c *benchCmd) Run(e *env) error {
	if c.CPUProfile != "" {
		f, err := os.Create(c.CPUProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	return bench.Run(e.stdout, c.Only, bench.Config{Log: e.stderr})
}
