package main

import "github.com/twinstudio/twinstudio/app/bench"

type benchCmd struct {
	Only string `placeholder:"NAME" help:"Run only the benchmark with this name (graph_provision, graph_traverse_down_10k, graph_open_1m, mem_per_object)."`
}

func (c *benchCmd) Run(e *env) error {
	return bench.Run(e.stdout, c.Only, bench.Config{Log: e.stderr})
}
