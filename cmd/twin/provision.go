package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/twinstudio/twinstudio/app"
	"github.com/twinstudio/twinstudio/engine"
)

type provisionCmd struct {
	projectFlag
	File string `arg:"" name:"PROVISION.yaml" help:"Provisioning YAML file: a list of root spaces with their devices, sensors, matchers, UDFs and role assignments (docs/provisioning.md)."`
}

// forwardArgs makes the file's name absolute for a server holding the
// project (the scripts and drawings it names are relative to its folder).
func (c *provisionCmd) forwardArgs(args []string) []string { return absArg(args, c.File) }

func (c *provisionCmd) Run(e *env) error {
	// Read the whole file first: bad YAML must not create or touch a project.
	plan, err := app.ReadPlan(c.File)
	if err != nil {
		return err
	}
	return c.applyTo(e, func(a *app.App) error {
		sum, err := a.Provision(plan)
		if err != nil {
			return err
		}
		printSummary(e.stdout, "provisioned", c.File, c.Project, sum)
		return nil
	})
}

// applyTo opens the command's project, creating it if absent, and runs
// apply on it in one go; when apply fails, a project it created is
// removed, so that a bad file leaves nothing behind.
func (p projectFlag) applyTo(e *env, apply func(a *app.App) error) (err error) {
	_, statErr := os.Stat(p.Project)
	created := errors.Is(statErr, os.ErrNotExist)
	a, err := p.open(e, true)
	if err != nil {
		return err
	}
	defer func() {
		a.Close()
		if err != nil && created {
			os.Remove(p.Project) // leave no empty project behind
		}
	}()
	if err := apply(a.App); err != nil {
		return err
	}
	return a.Close()
}

// summary is what provisioning or an import did: engine.ProvisionSummary
// and the summaries that embed it.
type summary interface {
	Total() engine.Counts
	String() string
}

// printSummary prints what verb ("provisioned", "imported") did with
// file to project: the totals, then a line per kind of object.
func printSummary(w io.Writer, verb, file, project string, sum summary) {
	t := sum.Total()
	fmt.Fprintf(w, "%s %s into %s: %d created, %d updated, %d unchanged\n", verb, file, project, t.Created, t.Updated, t.Unchanged)
	fmt.Fprint(w, sum.String())
}
