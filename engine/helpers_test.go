package engine_test

import (
	"path/filepath"
	"testing"

	"github.com/twinstudio/twinstudio/engine"
	"github.com/twinstudio/twinstudio/engine/bbolt"
)

// openEngine opens a real project file in a temp dir.
func openEngine(t testing.TB) (*engine.Engine, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "test.twin")
	return reopen(t, path), path
}

func reopen(t testing.TB, path string) *engine.Engine {
	t.Helper()
	st, err := bbolt.Open(path, bbolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	e, err := engine.New(st, engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// typ resolves a type name or fails the test.
func typ(t testing.TB, tx *engine.Tx, c engine.Category, name string) int {
	t.Helper()
	id, err := tx.ResolveType(c, name, engine.NilID)
	must(t, err)
	return id
}

// openStore opens the project file at path without an engine.
func openStore(t testing.TB, path string) *bbolt.Store {
	t.Helper()
	st, err := bbolt.Open(path, bbolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}
