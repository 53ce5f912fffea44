package main

import (
	"fmt"
	"os"
	"path/filepath"

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
	var stderr lineBuffer
	code, err := app.DialControl(socket, []string{"snapshot", "--project", project, copy}, &stderr, &stderr)
	if err == nil && code != 0 {
		err = fmt.Errorf("the twin serve that holds %s could not copy it: %s", project, stderr.String())
	}
	if err != nil {
		os.RemoveAll(dir)
		return "", "", err
	}
	return copy, dir, nil
}

// lineBuffer keeps what is written to it, as one line.
type lineBuffer struct{ b []byte }

func (l *lineBuffer) Write(p []byte) (int, error) { l.b = append(l.b, p...); return len(p), nil }
func (l *lineBuffer) String() string {
	s := string(l.b)
	for len(s) > 0 && (s[len(s)-1] == '\n' || s[len(s)-1] == '\r') {
		s = s[:len(s)-1]
	}
	return s
}
