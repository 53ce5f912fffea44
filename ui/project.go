package ui

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/twinstudio/twinstudio/app"
	"github.com/twinstudio/twinstudio/engine"
)

// BrokerAddr is where the studio's embedded MQTT broker listens. When the
// port is taken (another studio or twin serve runs), the studio listens on
// a free port of 127.0.0.1 instead and shows it in the status bar.
const BrokerAddr = "127.0.0.1:1883"

// LogSize is how many messages the telemetry log keeps (accepted and
// rejected ones each).
const LogSize = 500

// openWithBroker opens the project at path with the embedded broker on
// BrokerAddr, or on a free port when that address is in use.
func openWithBroker(path string) (*app.App, error) {
	opts := app.Options{
		Broker:   &app.BrokerOptions{Addr: BrokerAddr},
		Pipeline: engine.PipelineOptions{Recent: LogSize},
	}
	a, err := app.Open(path, opts)
	if err != nil && errors.Is(err, syscall.EADDRINUSE) {
		opts.Broker = &app.BrokerOptions{Addr: "127.0.0.1:0"}
		a, err = app.Open(path, opts)
	}
	return a, err
}

// ExampleFile is the provisioning file of the smart-office example,
// relative to the repository root.
const ExampleFile = "examples/smart-office/provision.yaml"

// DefaultProject is the project the studio opens when it is given none:
// $HOME/.local/share/twinstudio/smart-office.twin, the file `make run`
// uses too.
func DefaultProject() (string, error) {
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("no project given and no home folder for the default one: %w", err)
	}
	return filepath.Join(home, ".local", "share", "twinstudio", "smart-office.twin"), nil
}

// exampleDirs are the folders searched for ExampleFile: beside the
// executable, its parent (bin/ in a checkout) and the working directory.
func exampleDirs() []string {
	var dirs []string
	add := func(d string) {
		for _, x := range dirs {
			if x == d {
				return
			}
		}
		dirs = append(dirs, d)
	}
	if exe, err := os.Executable(); err == nil {
		if exe, err := filepath.EvalSymlinks(exe); err == nil {
			add(filepath.Dir(exe))
			add(filepath.Dir(filepath.Dir(exe)))
		}
	}
	if wd, err := os.Getwd(); err == nil {
		add(wd)
	}
	return dirs
}

// findExample returns the first dir/ExampleFile that exists.
func findExample(dirs []string) (string, bool) {
	for _, d := range dirs {
		p := filepath.Join(d, ExampleFile)
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			return p, true
		}
	}
	return "", false
}

// OpenProject opens the project the studio was started with, with its
// embedded MQTT broker on BrokerAddr (or a free port if that one is
// taken) and a telemetry log of LogSize messages. A path names
// a project file, created empty if absent. An empty path opens
// DefaultProject, and when that project has no spaces yet (it was just
// created) provisions the smart-office example into it, found beside the
// executable, one folder above it or in the working directory.
//
// err means there is nothing to show (the file is in use by another
// process, is not a project, cannot be created): the studio should say so
// and exit. warning means the project is open but something the user should
// know went wrong (the example was not found or did not provision); the
// studio shows it in a dialog.
func OpenProject(path string) (a *app.App, warning error, err error) {
	if path != "" {
		a, err = openWithBroker(path)
		return a, nil, err
	}
	if path, err = DefaultProject(); err != nil {
		return nil, nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, nil, err
	}
	if a, err = openWithBroker(path); err != nil {
		return nil, nil, err
	}
	if a.Engine().Stats().Spaces == 0 {
		warning = provisionExample(a, exampleDirs())
	}
	return a, warning, nil
}

func provisionExample(a *app.App, dirs []string) error {
	example, ok := findExample(dirs)
	if !ok {
		return errors.New("the smart-office example was not found (looked for " + ExampleFile +
			" in " + strings.Join(dirs, ", ") + "), so " + a.Path() + " is empty.\n\n" +
			"Load a provisioning file with: twin provision --project FILE.twin PROVISION.yaml")
	}
	if _, err := a.ProvisionFile(example); err != nil {
		return fmt.Errorf("provision the smart-office example: %w", err)
	}
	return nil
}
