package main

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/twinstudio/twinstudio/app"
)

// exporter writes a project in one format.
type exporter struct {
	// write writes the export to w.
	write func(a *app.App, w io.Writer) error
	// file, if set, writes the export to the file path itself (with the
	// files it names beside it); otherwise --out gets what write writes.
	file func(a *app.App, path string, force bool) error
}

// exporters are twin export's formats, by --format name; exportFormats
// lists them in the order help shows them.
var (
	exporters = map[string]exporter{
		"dtdl":       {write: (*app.App).ExportDTDL},
		"adt-import": {write: (*app.App).ExportADTImport},
		"yaml":       {write: (*app.App).ExportYAML, file: (*app.App).ExportYAMLFile},
		"csv":        {write: (*app.App).ExportCSV},
	}
	exportFormats = []string{"dtdl", "adt-import", "yaml", "csv"}
)

type exportCmd struct {
	projectFlag
	Format string `required:"" enum:"${exportFormats}" placeholder:"dtdl|adt-import|yaml|csv" help:"What to write: dtdl (the DTDL v3 models, JSON), adt-import (an Azure Digital Twins import file, NDJSON), yaml (a provisioning file that gives the same graph; to standard output with the scripts inline, with --out with its udfs/ and plans/ files beside it) or csv (the value history: ${csvHeader})."`
	Out    string `placeholder:"PATH" help:"Write to PATH (and, for yaml, the scripts and floor plan drawings beside it) instead of standard output."`
	Force  bool   `help:"With --out: overwrite files that exist."`
}

func (c *exportCmd) Run(e *env) error {
	x, ok := exporters[c.Format]
	if !ok {
		return usageError{fmt.Errorf("unknown format %q: want %s", c.Format, strings.Join(exportFormats, ", "))}
	}
	if c.Force && c.Out == "" {
		return usageError{errors.New("--force needs --out")}
	}
	a, err := c.open(e, false)
	if err != nil {
		return err
	}
	defer a.Close()
	switch {
	case c.Out == "":
		err = x.write(a.App, e.stdout)
	case x.file != nil:
		err = x.file(a.App, c.Out, c.Force)
	default:
		err = app.WriteFile(c.Out, c.Force, func(w io.Writer) error { return x.write(a.App, w) })
	}
	if err != nil {
		return err
	}
	return a.Close()
}

// forwardArgs makes --out absolute for the server, which has its own
// working directory.
func (c *exportCmd) forwardArgs(args []string) []string {
	abs, err := filepath.Abs(c.Out)
	if c.Out == "" || err != nil || abs == c.Out {
		return args
	}
	for i := len(args) - 1; i >= 0; i-- {
		switch {
		case args[i] == "--out="+c.Out:
			args[i] = "--out=" + abs
			return args
		case args[i] == c.Out && i > 0 && args[i-1] == "--out":
			args[i] = abs
			return args
		}
	}
	return args
}
