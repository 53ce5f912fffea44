package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/twinstudio/twinstudio/app"
)

// snapshotCmd writes a consistent copy of the project (app.SaveAs). It is
// hidden: twin simulate runs it through a twin serve that holds the
// project, to simulate on a copy while the server goes on.
type snapshotCmd struct {
	projectFlag
	Out string `arg:"" name:"FILE" help:"Where to write the copy (replaced if it exists)."`
}

func (c *snapshotCmd) forwardArgs(args []string) []string { return absArg(args, c.Out) }

func (c *snapshotCmd) Run(e *env) error {
	a, err := c.open(e, false)
	if err != nil {
		return err
	}
	defer a.Close()
	return a.SaveAs(c.Out)
}

// servedSnapshot asks the twin serve listening on socket for a copy of
// project in a new temporary folder; the caller removes the folder.
func servedSnapshot(socket, project string) (copy, dir string, err error) {
	dir, err = os.MkdirTemp("", "twin-simulate-")
	if err != nil {
		return "", "", err
	}
	copy = filepath.Join(dir, filepath.Base(project))
	var out bytes.Buffer
	code, err := app.DialControl(socket, []string{"snapshot", "--project", project, copy}, &out, &out)
	if err == nil && code != 0 {
		err = fmt.Errorf("the twin serve that holds %s could not copy it: %s", project, strings.TrimPrefix(strings.TrimSpace(out.String()), "twin: "))
	}
	if err != nil {
		os.RemoveAll(dir)
		return "", "", err
	}
	return copy, dir, nil
}
