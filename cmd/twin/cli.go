package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/alecthomas/kong"

	"github.com/twinstudio/twinstudio/app"
)

// cli is the command tree. Each subcommand lives in its own file.
type cli struct {
	Provision provisionCmd `cmd:"" help:"Create or update a project from a provisioning YAML file (all or nothing)."`
	Query     queryCmd     `cmd:"" help:"Navigate the graph: spaces, devices, sensors or users under a space."`
	Get       getCmd       `cmd:"" help:"Show one object (by id, space path or hardwareId) with its values."`
	History   historyCmd   `cmd:"" help:"Print the recorded values of a sensor or a space value (--from, --to, -n; text, csv or json)."`
	Device    deviceCmd    `cmd:"" help:"Device commands."`
	UDF       udfCmd       `cmd:"" name:"udf" help:"User-defined function commands: list, records, run (or replay a recorded message), set a script."`
	Matcher   matcherCmd   `cmd:"" help:"Matcher commands: list, evaluate."`
	Serve     serveCmd     `cmd:"" help:"Serve a project: the MQTT broker and the telemetry pipeline, until SIGINT or SIGTERM. Failing UDF executions are logged (at most one line per UDF every 5 s)."`
	Bench     benchCmd     `cmd:"" help:"Run the benchmarks (ingest, UDFs, graph, simulation) and print their table with targets."`
	Simulate  simulateCmd  `cmd:"" help:"Run a simulation scenario in process: virtual people and physics feeding the pipeline."`
}

// env is what commands get to write to.
type env struct {
	stdout, stderr io.Writer
}

// usageError marks errors that are the caller's wrong usage (exit 2).
type usageError struct{ error }

// run executes the command line args and returns the exit status:
// 0 success, 1 failure (one line on stderr), 2 bad usage.
func run(args []string, stdout, stderr io.Writer) (code int) {
	var c cli
	exited := -1
	parser, err := kong.New(&c,
		kong.Name("twin"),
		kong.Description("Twin Studio: a local spatial intelligence graph (the 2018 Azure Digital Twins preview) with an MQTT broker, UDFs and a simulator."),
		kong.Writers(stdout, stderr),
		kong.Exit(func(c int) { exited = c; panic(exitPanic{}) }),
		kong.ConfigureHelp(kong.HelpOptions{Compact: true}),
		kong.WithHyphenPrefixedParameters(true), // --max-level -1
	)
	if err != nil {
		fmt.Fprintf(stderr, "twin: %v\n", err)
		return 1
	}
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(exitPanic); ok {
				code = exited
				return
			}
			panic(r)
		}
	}()
	ctx, err := parser.Parse(args)
	if err != nil {
		fmt.Fprintf(stderr, "twin: %v\n", err)
		if ctx != nil && len(args) > 0 {
			fmt.Fprintf(stderr, "run 'twin %s --help' for usage\n", strings.Join(commandWords(ctx), " "))
		} else {
			fmt.Fprintln(stderr, "run 'twin --help' for usage")
		}
		return 2
	}
	if err := ctx.Run(&env{stdout: stdout, stderr: stderr}); err != nil {
		fmt.Fprintf(stderr, "twin: %s\n", oneLine(err))
		var ue usageError
		if errors.As(err, &ue) {
			return 2
		}
		return 1
	}
	return 0
}

type exitPanic struct{}

func commandWords(ctx *kong.Context) []string {
	var out []string
	for _, p := range ctx.Path {
		if p.Command != nil {
			out = append(out, p.Command.Name)
		}
	}
	return out
}

func oneLine(err error) string {
	return strings.ReplaceAll(strings.TrimSpace(err.Error()), "\n", " ")
}

// projectFlag is the --project flag shared by the commands.
type projectFlag struct {
	Project string `required:"" placeholder:"FILE" help:"Project file (.twin)."`
}

// open opens an existing project; create allows a new file.
func (p projectFlag) open(create bool, opts ...app.Options) (*app.App, error) {
	if !create {
		if _, err := os.Stat(p.Project); err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return nil, fmt.Errorf("project %s does not exist (create it with 'twin provision --project %s FILE.yaml')", p.Project, p.Project)
			}
			return nil, err
		}
	}
	var o app.Options
	if len(opts) > 0 {
		o = opts[0]
	}
	return app.Open(p.Project, o)
}
