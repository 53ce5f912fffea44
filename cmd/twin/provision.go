package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/twinstudio/twinstudio/app"
)

type provisionCmd struct {
	projectFlag
	File string `arg:"" name:"PROVISION.yaml" help:"Provisioning YAML file: a list of root spaces with their devices, sensors, matchers, UDFs and role assignments (docs/provisioning.md)."`
}

// forwardArgs makes the file's name absolute for a server holding the
// project (the scripts and drawings it names are relative to its folder).
func (c *provisionCmd) forwardArgs(args []string) []string { return absArg(args, c.File) }

func (c *provisionCmd) Run(e *env) (err error) {
	// Read the whole file first: bad YAML must not create or touch a project.
	plan, err := app.ReadPlan(c.File)
	if err != nil {
		return err
	}
	_, statErr := os.Stat(c.Project)
	created := errors.Is(statErr, os.ErrNotExist)
	a, err := c.open(e, true)
	if err != nil {
		return err
	}
	defer func() {
		a.Close()
		if err != nil && created {
			os.Remove(c.Project) // leave no empty project behind
		}
	}()
	sum, err := a.Provision(plan)
	if err != nil {
		return err
	}
	t := sum.Total()
	fmt.Fprintf(e.stdout, "provisioned %s into %s: %d created, %d updated, %d unchanged\n", c.File, c.Project, t.Created, t.Updated, t.Unchanged)
	fmt.Fprint(e.stdout, sum.String())
	return a.Close()
}
