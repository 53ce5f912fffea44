package main

import (
	"os"
	"runtime/pprof"

	"github.com/twinstudio/twinstudio/app/bench"
)

type benchCmd struct {
	Only       string `placeholder:"NAME" help:"Run only the benchmark with this name (see the NAME column)."`
	CPUProfile string `name:"cpuprofile" placeholder:"FILE" help:"Write a CPU profile of the run to FILE."`
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
