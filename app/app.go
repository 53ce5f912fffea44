package app

import (
	"fmt"
	"path/filepath"

	"github.com/twinstudio/twinstudio/engine"
	"github.com/twinstudio/twinstudio/engine/bbolt"
	"github.com/twinstudio/twinstudio/engine/yaml"
)

// Options configure Open. The zero value is valid.
type Options struct {
	// Engine options (clock, history kept in memory).
	Engine engine.Options
	// Store options (lock timeout, history retention).
	Store bbolt.Options
}

// App is an open project. Its methods are safe for concurrent use.
type App struct {
	path   string
	store  *bbolt.Store
	engine *engine.Engine
}

// Open opens (creating if absent) the project file at path. A file held by
// another process fails within about a second with an error wrapping
// bbolt.ErrLocked.
func Open(path string, opts Options) (*App, error) {
	st, err := bbolt.Open(path, opts.Store)
	if err != nil {
		return nil, err
	}
	e, err := engine.New(st, opts.Engine)
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return &App{path: path, store: st, engine: e}, nil
}

// Path is the project file.
func (a *App) Path() string { return a.path }

// Name is the project's display name: the file name without extension.
func (a *App) Name() string {
	b := filepath.Base(a.path)
	return b[:len(b)-len(filepath.Ext(b))]
}

// Engine is the project's live graph.
func (a *App) Engine() *engine.Engine { return a.engine }

// ProvisionFile reads a provisioning YAML file (CONTRACT §3) and applies it
// as one transaction.
func (a *App) ProvisionFile(path string) (*engine.ProvisionSummary, error) {
	plan, err := yaml.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return a.engine.Provision(plan)
}

// Close commits pending writes and closes the project file.
func (a *App) Close() error { return a.engine.Close() }
