package main

import "fmt"

type provisionCmd struct {
	projectFlag
	File string `arg:"" name:"PROVISION.yaml" help:"Provisioning YAML (CONTRACT §3)."`
}

func (c *provisionCmd) Run(e *env) error {
	a, err := c.open(true)
	if err != nil {
		return err
	}
	defer a.Close()
	sum, err := a.ProvisionFile(c.File)
	if err != nil {
		return err
	}
	t := sum.Total()
	fmt.Fprintf(e.stdout, "provisioned %s into %s: %d created, %d updated, %d unchanged\n", c.File, c.Project, t.Created, t.Updated, t.Unchanged)
	fmt.Fprint(e.stdout, sum.String())
	return a.Close()
}
