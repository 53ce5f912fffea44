package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/alecthomas/kong"

	"github.com/twinstudio/twinstudio/app"
	"github.com/twinstudio/twinstudio/engine/bbolt"
)

// cli is the command tree. Each subcommand lives in its own file.
type cli struct {
	Version    kong.VersionFlag `help:"Print twin's version and exit."`
	Provision  provisionCmd     `cmd:"" help:"Create or update a project from a provisioning YAML file (all or nothing)."`
	Import     importCmd        `cmd:"" help:"Import a file into a project (created if missing): yaml (a provisioning file) or dtdl (types and property keys); all or nothing."`
	Export     exportCmd        `cmd:"" help:"Write the project as dtdl, adt-import, yaml (a provisioning file that gives the same graph) or csv (the value history), to standard output or --out."`
	Query      queryCmd         `cmd:"" help:"Navigate the graph: spaces, devices, sensors or users under a space."`
	Get        getCmd           `cmd:"" help:"Show one object (by id, space path or hardwareId) with its values."`
	History    historyCmd       `cmd:"" help:"Print the recorded values of a sensor or a space value (--from, --to, -n; table, csv, json or yaml)."`
	Retention  retentionCmd     `cmd:"" help:"Show or set how much value history the project keeps (--keep-age, --keep-count)."`
	Device     deviceCmd        `cmd:"" help:"Device commands."`
	UDF        udfCmd           `cmd:"" name:"udf" help:"User-defined function commands: list, records, run (or replay a recorded message), set a script."`
	Matcher    matcherCmd       `cmd:"" help:"Matcher commands: list, evaluate."`
	Token      tokenCmd         `cmd:"" help:"Bearer tokens for the REST API and MQTT: create, list, revoke."`
	Serve      serveCmd         `cmd:"" help:"Serve a project: the MQTT broker and the telemetry pipeline, until SIGINT or SIGTERM. Failing UDF executions are logged (at most one line per UDF every 5 s)."`
	Bench      benchCmd         `cmd:"" help:"Run the benchmarks (ingest, UDFs, graph, simulation) and print their table with targets."`
	Simulate   simulateCmd      `cmd:"" help:"Run a simulation scenario in process: virtual people and physics feeding the pipeline."`
	Completion completionCmd    `cmd:"" help:"Print a shell completion script: bash, zsh or fish (docs/cli.md)."`
	Snapshot   snapshotCmd      `cmd:"" hidden:"" help:"Write a consistent copy of the project (what twin simulate asks a running twin serve for)."`
}

// env is what commands get to write to, and the project a server holds
// when the command runs inside twin serve for a client.
type env struct {
	stdout, stderr io.Writer
	served         *app.App          // non-nil: the command runs inside twin serve
	forward        bool              // the command may run through a server holding its project
	command        string            // "udf list": the command's words, for messages
	model          *kong.Application // the command tree (for completion scripts)
}

// usageError marks errors that are the caller's wrong usage (exit 2).
type usageError struct{ error }

// runOptions vary how run executes a command line.
type runOptions struct {
	served    *app.App // run against this served project (inside twin serve)
	noForward bool     // open the project file even if a server's socket is there
}

// run executes the command line args and returns the exit status:
// 0 success, 1 failure (one line on stderr), 2 bad usage. While twin
// serve holds the command's project, the commands that may (served)
// run inside the server, which streams their output back.
func run(args []string, stdout, stderr io.Writer) int {
	return runWith(args, stdout, stderr, runOptions{})
}

// serveRun is app.ControlRun: it runs a client's command line against the
// served project.
// A command that panics fails alone: the server goes on.
func serveRun(_ context.Context, a *app.App, args []string, stdout, stderr io.Writer) (code int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(stderr, "twin: internal error in the server: %v\n", r)
			code = 1
		}
	}()
	return runWith(args, stdout, stderr, runOptions{served: a})
}

// served lists the commands that run through a server holding their
// project: they read or edit the graph in one short step (provision and
// import: one transaction).
var served = []string{"get", "query", "history", "udf", "matcher", "token", "device key", "export", "provision", "import", "snapshot", "retention"}

func servable(command string) bool {
	return slices.ContainsFunc(served, func(s string) bool { return command == s || strings.HasPrefix(command, s+" ") })
}

func runWith(args []string, stdout, stderr io.Writer, o runOptions) (code int) {
	var c cli
	exited := -1
	opts := []kong.Option{
		kong.Name("twin"),
		kong.Description("Twin Studio: a local spatial intelligence graph (the 2018 Azure Digital Twins preview) with an MQTT broker, UDFs and a simulator."),
		kong.Writers(stdout, stderr),
		kong.Exit(func(c int) { exited = c; panic(exitPanic{}) }),
		kong.ConfigureHelp(kong.HelpOptions{Compact: true}),
		kong.WithHyphenPrefixedParameters(true), // --max-level -1
		kong.Vars{"version": "twin " + version(), "exportFormats": strings.Join(exportFormats, ","),
			"importFormats": strings.Join(importFormats, ","), "csvHeader": app.CSVHeader},
	}
	if o.served != nil {
		// The client's --project (or TWIN_PROJECT) named this project.
		opts = append(opts, kong.Resolvers(kong.ResolverFunc(func(_ *kong.Context, _ *kong.Path, f *kong.Flag) (any, error) {
			if f.Name == "project" {
				return o.served.Path(), nil
			}
			return nil, nil
		})))
	}
	parser, err := kong.New(&c, opts...)
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
		help := "twin --help"
		var pe *kong.ParseError
		if errors.As(err, &pe) && pe.Context != nil {
			ctx = pe.Context
		}
		if ctx != nil && len(commandWords(ctx)) > 0 {
			help = "twin " + strings.Join(commandWords(ctx), " ") + " --help"
		}
		fmt.Fprintf(stderr, "twin: %s (see '%s')\n", cleanError(err), help)
		return 2
	}
	e := &env{stdout: stdout, stderr: stderr, served: o.served, command: strings.Join(commandWords(ctx), " "), model: ctx.Model}
	e.forward = o.served == nil && !o.noForward && servable(e.command)
	if o.served != nil && !servable(e.command) {
		fmt.Fprintf(stderr, "twin: 'twin %s' cannot run through the server that holds %s; stop twin serve first\n", e.command, o.served.Path())
		return 1
	}
	err = ctx.Run(e)
	var fw *forwardError
	if errors.As(err, &fw) {
		return forward(fw, ctx, args, stdout, stderr)
	}
	if err != nil {
		fmt.Fprintf(stderr, "twin: %s\n", cleanError(lockedError(err, e.command)))
		var ue usageError
		if errors.As(err, &ue) {
			return 2
		}
		return 1
	}
	return 0
}

// forwardError asks run to send the command line to the server listening
// on the project's control socket.
type forwardError struct {
	project string
	socket  string
	locked  error // the file's lock error, if the command tried to open it
}

func (f *forwardError) Error() string { return "project " + f.project + " is served" }

// forwarder is a command whose arguments must be rewritten before they
// run in the server (relative file names: the server has its own working
// directory).
type forwarder interface {
	forwardArgs(args []string) []string
}

// absArg is args with the last argument that is file made absolute: a
// server has its own working directory.
func absArg(args []string, file string) []string {
	abs, err := filepath.Abs(file)
	if err != nil || abs == file {
		return args
	}
	for i := len(args) - 1; i >= 0; i-- {
		if args[i] == file {
			args[i] = abs
			break
		}
	}
	return args
}

// forward runs the command line in the server of fw; with no server
// there after all (a stale socket), it reports the lock or runs the
// command on the file.
func forward(fw *forwardError, ctx *kong.Context, args []string, stdout, stderr io.Writer) int {
	if f, ok := ctx.Selected().Target.Addr().Interface().(forwarder); ok {
		args = f.forwardArgs(slices.Clone(args))
	}
	code, err := app.DialControl(fw.socket, args, stdout, stderr)
	switch {
	case err == nil:
		return code
	case errors.Is(err, app.ErrNoControl) && fw.locked == nil:
		return runWith(args, stdout, stderr, runOptions{noForward: true})
	case errors.Is(err, app.ErrNoControl):
		fmt.Fprintf(stderr, "twin: project %s is in use by another process (the studio, or a twin serve still starting or stopping); close it or try again\n", fw.project)
	default:
		fmt.Fprintf(stderr, "twin: the twin serve that holds %s stopped answering: %s\n", fw.project, cleanError(err))
	}
	return 1
}

// lockedError says, for an error of a project file in use, who has it and
// what to do.
func lockedError(err error, command string) error {
	if !errors.Is(err, bbolt.ErrLocked) {
		return err
	}
	if command == "serve" {
		return errors.New("the project is already open in another process (the studio or another twin serve); close it first")
	}
	return fmt.Errorf("the project is open in another process (the studio or twin serve): 'twin %s' needs the file to itself; stop that process first", command)
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

// packagePrefix matches the package prefixes of internal error texts
// ("engine: not found") and sentinel words that a more precise message
// follows ("not found: no sensor has hardwareId …").
var (
	packagePrefix = regexp.MustCompile(`(^|: |\()(engine|bbolt|app|goja|mqtt|jsonpath|simulator|httpapi|yaml|kong): `)
	sentinelWord  = regexp.MustCompile(`(^|: )(not found|invalid|duplicate|conflict): `)
)

// cleanError is err's message on one line, without package prefixes.
func cleanError(err error) string {
	s := strings.ReplaceAll(strings.TrimSpace(err.Error()), "\n", " ")
	for packagePrefix.MatchString(s) {
		s = packagePrefix.ReplaceAllString(s, "$1")
	}
	return sentinelWord.ReplaceAllString(s, "$1")
}

// version is the module's version from the build, or "devel".
func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}

// projectFlag is the --project flag shared by the commands.
type projectFlag struct {
	Project string `required:"" env:"TWIN_PROJECT" placeholder:"FILE" help:"Project file (.twin)."`
}

// project is an open project: one the command opened, or the one twin
// serve holds when the command runs inside it.
type project struct {
	*app.App
	served bool
}

// Close closes a project the command opened (committing everything); a
// served project stays open and Close only waits until the command's
// changes are committed. Calls after the first are cheap.
func (p *project) Close() error {
	if p.served {
		return p.Engine().SyncCommit()
	}
	return p.App.Close()
}

// open opens the project; create allows a new file. Inside twin serve it
// returns the served project. While a server holds the project, a
// command that may run through it returns a *forwardError.
func (p projectFlag) open(e *env, create bool, opts ...app.Options) (*project, error) {
	if e.served != nil {
		return &project{App: e.served, served: true}, nil
	}
	if !create {
		if _, err := os.Stat(p.Project); err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return nil, fmt.Errorf("project %s does not exist (create it with 'twin provision --project %s FILE.yaml')", p.Project, p.Project)
			}
			return nil, err
		}
	}
	socket := app.ControlPath(p.Project)
	if e.forward {
		// A server listening saves waiting for the file's lock.
		if fi, err := os.Lstat(socket); err == nil && fi.Mode()&os.ModeSocket != 0 {
			return nil, &forwardError{project: p.Project, socket: socket}
		}
	}
	var o app.Options
	if len(opts) > 0 {
		o = opts[0]
	}
	a, err := app.Open(p.Project, o)
	if err != nil {
		if e.forward && errors.Is(err, bbolt.ErrLocked) {
			return nil, &forwardError{project: p.Project, socket: socket, locked: err}
		}
		return nil, err
	}
	return &project{App: a}, nil
}
