package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/twinstudio/twinstudio/app"
	"github.com/twinstudio/twinstudio/engine"
)

// importer reads a file of one format: read checks it before the project
// is opened (nil: apply reads it) and returns what apply applies, in one
// transaction, printing a summary to w.
type importer struct {
	read  func(path string) (any, error)
	apply func(a *app.App, path string, data any, w io.Writer) error
}

// importers are twin import's formats, by --format name; importFormats
// lists them in the order help shows them.
var (
	importers = map[string]importer{
		"dtdl": {apply: func(a *app.App, path string, _ any, w io.Writer) error {
			sum, err := a.ImportDTDL(path)
			if err != nil {
				return err
			}
			printSummary(w, "imported", path, a.Path(), sum)
			return nil
		}},
		"yaml": {
			read: func(path string) (any, error) { return app.ReadPlan(path) },
			apply: func(a *app.App, path string, data any, w io.Writer) error {
				sum, err := a.Provision(data.(*engine.Plan))
				if err != nil {
					return err
				}
				printSummary(w, "imported", path, a.Path(), sum)
				return nil
			}},
	}
	importFormats = []string{"dtdl", "yaml"}
)

type importCmd struct {
	projectFlag
	Format string `required:"" enum:"${importFormats}" placeholder:"dtdl|yaml" help:"What PATH holds: dtdl (DTDL v3 Interfaces: their types and property keys are created, docs/interop.md) or yaml (a provisioning file, as twin provision applies it, docs/provisioning.md)."`
	File   string `arg:"" name:"PATH" help:"The file to import. It is applied as one transaction: all of it, or nothing if anything in it is wrong."`
}

// forwardArgs makes the file's name absolute for a server holding the
// project.
func (c *importCmd) forwardArgs(args []string) []string { return absArg(args, c.File) }

func (c *importCmd) Run(e *env) (err error) {
	im, ok := importers[c.Format]
	if !ok {
		return usageError{fmt.Errorf("unknown format %q: want %s", c.Format, strings.Join(importFormats, ", "))}
	}
	// Read the whole file first: a bad file must not create or touch a
	// project.
	var data any
	if im.read != nil {
		if data, err = im.read(c.File); err != nil {
			return err
		}
	} else if _, err := os.Stat(c.File); err != nil {
		return err
	}
	return c.applyTo(e, func(a *app.App) error { return im.apply(a, c.File, data, e.stdout) })
}
