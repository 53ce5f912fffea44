package app

import (
	"fmt"
	"time"

	"github.com/aymanbagabas/go-udiff"

	"github.com/twinstudio/twinstudio/engine"
)

// UDFVersion is one version of a user-defined function's script: the
// current one or a previous one the project keeps (at most
// engine.ScriptVersionsKept of those per UDF).
type UDFVersion struct {
	N      int // numbered from 1 per UDF; the current script has the highest
	Script string
	Saved  time.Time // when the script was saved
	// Current marks the UDF's script as it is now.
	Current bool
}

// UDFVersions lists the versions of the script of UDF id, newest first:
// the current script (Current, N one past the newest kept version, Saved
// the UDF's Updated), then the kept previous ones. Errors wrap
// engine.ErrNotFound (no such UDF) or are the store's. Safe for
// concurrent use.
func (a *App) UDFVersions(id engine.ID) ([]UDFVersion, error) {
	u, vs, err := a.udfVersions(id)
	if err != nil {
		return nil, err
	}
	next := 1
	if len(vs) > 0 {
		next = vs[len(vs)-1].N + 1
	}
	out := make([]UDFVersion, 0, len(vs)+1)
	out = append(out, UDFVersion{N: next, Script: u.Script, Saved: u.Updated, Current: true})
	for i := len(vs) - 1; i >= 0; i-- {
		out = append(out, UDFVersion{N: vs[i].N, Script: vs[i].Script, Saved: vs[i].Saved})
	}
	return out, nil
}

// RestoreUDFVersion makes kept version n of UDF id's script current, as
// SetUDFScript does (the script is compile-checked again, and the script
// it replaces becomes a version). An n that is not a kept version gives
// an error wrapping engine.ErrNotFound; a script that no longer compiles
// a *engine.ScriptError, and nothing changes. Safe for concurrent use.
func (a *App) RestoreUDFVersion(id engine.ID, n int) (*engine.UDF, error) {
	u, vs, err := a.udfVersions(id)
	if err != nil {
		return nil, err
	}
	for _, v := range vs {
		if v.N == n {
			return a.SetUDFScript(id, fmt.Sprintf("%s (version %d)", u.Name, n), v.Script)
		}
	}
	return nil, fmt.Errorf("%w: user-defined function %q has no version %d", engine.ErrNotFound, u.Name, n)
}

// UDFDiff is the unified diff ("--- oldName", "+++ newName", hunks with 3
// lines of context) that turns oldScript into newScript; "" when they are
// equal. Safe for concurrent use.
func UDFDiff(oldName, newName, oldScript, newScript string) string {
	return udiff.Unified(oldName, newName, oldScript, newScript)
}

// udfVersions returns UDF id as it is now and its kept versions, oldest
// first.
func (a *App) udfVersions(id engine.ID) (*engine.UDF, []engine.ScriptVersion, error) {
	u, err := a.udf(id)
	if err != nil {
		return nil, nil, err
	}
	vs, err := a.engine.ScriptVersions(id)
	if err != nil {
		return nil, nil, err
	}
	return u, vs, nil
}

// udf returns UDF id as it is now; the error wraps engine.ErrNotFound.
func (a *App) udf(id engine.ID) (*engine.UDF, error) {
	var u *engine.UDF
	_ = a.engine.View(func(v *engine.View) error {
		u, _ = v.UDF(id)
		return nil
	})
	if u == nil {
		return nil, fmt.Errorf("%w: user-defined function %s", engine.ErrNotFound, id)
	}
	return u, nil
}
