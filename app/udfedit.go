package app

import (
	"fmt"

	"github.com/twinstudio/twinstudio/engine"
)

// CreateUDF adds a user-defined function named name to space, with script
// and bound to matchers, and returns it. The script is checked first, as
// SetUDFScript checks it (a *engine.ScriptError naming name, line and
// column). The name must be valid and unique in space (errors wrap
// engine.ErrInvalid or engine.ErrDuplicate), space must exist and each
// matcher must exist in space or one of its ancestors (errors wrap
// engine.ErrNotFound or engine.ErrInvalid). On error nothing changes.
//
// The UDF runs under its own identity, like any other: its calls about
// objects no role assignment of it covers are refused ("Not
// Authorized"). Safe for concurrent use.
func (a *App) CreateUDF(space engine.ID, name, script string, matchers []engine.ID) (*engine.UDF, error) {
	return a.createUDF(space, name, script, matchers, false)
}

// CreateUDFWithRole is CreateUDF that also gives the new UDF the Space
// Administrator role on its space and the spaces under it, in the same
// transaction: what the preview's samples provision, so that a function
// made from a template can read and write there from its first message.
// Safe for concurrent use.
func (a *App) CreateUDFWithRole(space engine.ID, name, script string, matchers []engine.ID) (*engine.UDF, error) {
	return a.createUDF(space, name, script, matchers, true)
}

func (a *App) createUDF(space engine.ID, name, script string, matchers []engine.ID, admin bool) (*engine.UDF, error) {
	if err := checkUDFScript(name, script); err != nil {
		return nil, err
	}
	var out *engine.UDF
	err := a.engine.Update(func(tx *engine.Tx) error {
		if _, ok := tx.View.Space(space); !ok {
			return fmt.Errorf("%w: space %s for user-defined function %q", engine.ErrNotFound, space, name)
		}
		ids, err := matchersInScope(&tx.View, space, matchers)
		if err != nil {
			return err
		}
		u := &engine.UDF{Name: name, SpaceID: space, Script: script, MatcherIDs: ids, Updated: tx.Now()}
		if err := tx.PutUDF(u); err != nil {
			return err
		}
		if admin {
			ra := &engine.RoleAssignment{RoleID: engine.RoleSpaceAdministrator, ObjectID: u.ID.String(),
				ObjectIDType: engine.ObjectUserDefinedFunctionID, Path: tx.SpacePath(space)}
			if err := tx.PutRoleAssignment(ra); err != nil {
				return err
			}
		}
		out = u
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteUDF removes user-defined function id with its execution records
// and kept script versions, in one transaction. The error wraps
// engine.ErrNotFound when there is no such UDF. Safe for concurrent use.
func (a *App) DeleteUDF(id engine.ID) error {
	return a.engine.Update(func(tx *engine.Tx) error {
		if _, ok := tx.View.UDF(id); !ok {
			return fmt.Errorf("%w: user-defined function %s", engine.ErrNotFound, id)
		}
		return tx.Delete(engine.KindUDF, id)
	})
}

// BindUDF replaces the matcher list of user-defined function udf with
// matchers (duplicates dropped, order kept). Each matcher must exist in
// the UDF's space or one of its ancestors: errors wrap engine.ErrNotFound
// (no such UDF or matcher) or engine.ErrInvalid (a matcher elsewhere), and
// nothing changes. The UDF's script, and so its Updated, stay as they are.
// Safe for concurrent use.
func (a *App) BindUDF(udf engine.ID, matchers []engine.ID) error {
	return a.engine.Update(func(tx *engine.Tx) error {
		u, ok := tx.View.UDF(udf)
		if !ok {
			return fmt.Errorf("%w: user-defined function %s", engine.ErrNotFound, udf)
		}
		ids, err := matchersInScope(&tx.View, u.SpaceID, matchers)
		if err != nil {
			return err
		}
		c := *u
		c.MatcherIDs = ids
		return tx.PutUDF(&c)
	})
}

// matchersInScope checks that every matcher exists in space or one of its
// ancestors (where a UDF of space may use it) and returns the list
// without duplicates.
func matchersInScope(v *engine.View, space engine.ID, matchers []engine.ID) ([]engine.ID, error) {
	ids := make([]engine.ID, 0, len(matchers))
	seen := map[engine.ID]bool{}
	for _, id := range matchers {
		m, ok := v.Matcher(id)
		if !ok {
			return nil, fmt.Errorf("%w: matcher %s", engine.ErrNotFound, id)
		}
		if !inScope(v, space, m.SpaceID) {
			return nil, fmt.Errorf("%w: matcher %q is in %s, not in %s or above it", engine.ErrInvalid, m.Name, v.FullName(m.SpaceID), v.FullName(space))
		}
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	return ids, nil
}
