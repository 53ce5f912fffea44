package ui

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"

	"fyne.io/fyne/v2"

	"github.com/twinstudio/twinstudio/app"
	"github.com/twinstudio/twinstudio/engine"
)

// defaultBrokerAddr is where the studio's embedded MQTT broker listens. When the
// port is taken (another studio or twin serve runs), the studio listens on
// a free port of 127.0.0.1 instead and shows it in the status bar.
const defaultBrokerAddr = "127.0.0.1:1883"

// logSize is how many messages the telemetry log keeps (accepted and
// rejected ones each).
const logSize = 500

// openWithBroker opens the project at path with the embedded broker on
// the project's address (brokerAddrFor), or on a free port of 127.0.0.1
// when that address is in use.
func openWithBroker(path string) (*app.App, error) {
	opts := app.Options{
		Broker:   &app.BrokerOptions{Addr: brokerAddrFor(path)},
		Pipeline: engine.PipelineOptions{Recent: logSize},
	}
	a, err := app.Open(path, opts)
	if err != nil && errors.Is(err, syscall.EADDRINUSE) {
		opts.Broker = &app.BrokerOptions{Addr: "127.0.0.1:0"}
		a, err = app.Open(path, opts)
	}
	return a, err
}

// brokerKey is the preference holding a project's broker address.
func brokerKey(path string) string { return "broker:" + absPath(path) }

// brokerAddrFor is the address the broker of project path listens on: the
// one set with setBrokerAddr (Run ▸ Broker Address…), kept in the
// studio's preferences per project file, or defaultBrokerAddr.
func brokerAddrFor(path string) string {
	if a := fyne.CurrentApp(); a != nil {
		if addr := a.Preferences().String(brokerKey(path)); addr != "" {
			return addr
		}
	}
	return defaultBrokerAddr
}

// dataDir is the studio's data folder: $TWINSTUDIO_DATA, else
// $XDG_DATA_HOME/twinstudio, else ~/.local/share/twinstudio.
func dataDir() (string, error) {
	if d := os.Getenv("TWINSTUDIO_DATA"); d != "" {
		return d, nil
	}
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "twinstudio"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("no project given and no home folder for the data folder: %w", err)
	}
	return filepath.Join(home, ".local", "share", "twinstudio"), nil
}

// OpenProject opens the project the studio was started with, with its
// embedded MQTT broker on defaultBrokerAddr (or a free port if that one is
// taken) and a telemetry log of logSize messages. A path names a project
// file, created empty if absent.
//
// An empty path opens the bundled smart-office example in the data folder
// (dataDir()/smart-office/smart-office.twin). The first time, the example
// (its provisioning file, UDFs and scenarios, embedded in the binary) is
// copied there and provisioned; later starts open it with the user's
// edits. scenario is then the example's week scenario, which the studio
// runs; for a given path it is "".
//
// err means there is nothing to show (the file is in use by another
// process, is not a project, cannot be created): the studio should say so
// and exit.
func OpenProject(path string) (a *app.App, scenario string, err error) {
	if path != "" {
		a, err = openWithBroker(path)
		return a, "", err
	}
	dir, err := dataDir()
	if err != nil {
		return nil, "", err
	}
	dir = filepath.Join(dir, "smart-office")
	if path, err = app.InstallSmartOffice(dir); err != nil {
		return nil, "", fmt.Errorf("install the smart-office example in %s: %w", dir, err)
	}
	if a, err = openWithBroker(path); err != nil {
		return nil, "", err
	}
	return a, filepath.Join(dir, app.SmartOfficeScenario), nil
}
