package app

import (
	"fmt"
	"time"

	"github.com/twinstudio/twinstudio/engine"
)

// This file holds what the studio's Access tab asks of a project: its
// principals, roles, role assignments and tokens. Every method is safe for
// concurrent use; the writes are one engine transaction each, so a refused
// one changes nothing.

// Principals returns who may be given roles and tokens: the project's
// users, devices and functions, and every other object id of its role
// assignments and tokens (service principals), sorted by type, then name.
func (a *App) Principals() []engine.Principal {
	var out []engine.Principal
	_ = a.engine.View(func(v *engine.View) error { out = v.Principals(); return nil })
	return out
}

// ResolvePrincipal names a principal as engine.View.ResolvePrincipal does:
// a user's UPN, a device's hardware id, a function's name, "TYPE:VALUE",
// or any other name for a service principal.
func (a *App) ResolvePrincipal(name string) (engine.Principal, error) {
	var p engine.Principal
	err := a.engine.View(func(v *engine.View) error {
		var err error
		p, err = v.ResolvePrincipal(name)
		return err
	})
	return p, err
}

// Roles returns the roles a principal may be assigned: the nine system
// roles first, then the project's custom roles by name.
func (a *App) Roles() []*engine.Role {
	var out []*engine.Role
	_ = a.engine.View(func(v *engine.View) error { out = v.Roles(); return nil })
	return out
}

// PutRole creates (a zero ID) or replaces custom role r with its
// permissions and value limits. It refuses a system role, a taken name,
// an unknown action or resource type and a malformed limit (wrapping
// engine.ErrInvalid or ErrDuplicate), and then changes nothing.
func (a *App) PutRole(r *engine.Role) error {
	return a.engine.Update(func(tx *engine.Tx) error { return tx.PutRole(r) })
}

// DeleteRole deletes custom role id. It refuses a system role
// (engine.ErrInvalid) and a role still assigned (engine.ErrConflict).
func (a *App) DeleteRole(id engine.ID) error {
	return a.engine.Update(func(tx *engine.Tx) error { return tx.DeleteRole(id) })
}

// RoleAssignments returns the project's role assignments.
func (a *App) RoleAssignments() []*engine.RoleAssignment {
	var out []*engine.RoleAssignment
	_ = a.engine.View(func(v *engine.View) error { out = v.RoleAssignments(); return nil })
	return out
}

// AssignRole gives principal p role on the subtree of space path path ("/"
// or "": everything; else a space's GUID path, as View.SpacePath spells
// it) and returns the new assignment. It fails (wrapping
// engine.ErrNotFound, ErrInvalid or ErrDuplicate) for an unknown role or
// space, a principal the engine cannot assign, or an assignment that
// exists already.
func (a *App) AssignRole(p engine.Principal, role engine.ID, path string) (*engine.RoleAssignment, error) {
	if p.Type == engine.Owner.Type {
		return nil, fmt.Errorf("%w: the owner may do everything already; pick another principal", engine.ErrInvalid)
	}
	r := &engine.RoleAssignment{RoleID: role, ObjectID: p.ID, ObjectIDType: p.Type, Path: path}
	if err := a.engine.Update(func(tx *engine.Tx) error { return tx.PutRoleAssignment(r) }); err != nil {
		return nil, err
	}
	return r, nil
}

// DeleteRoleAssignment deletes role assignment id (engine.ErrNotFound when
// there is none).
func (a *App) DeleteRoleAssignment(id engine.ID) error {
	return a.engine.Update(func(tx *engine.Tx) error { return tx.Delete(engine.KindRoleAssignment, id) })
}

// CreateToken makes a bearer token for p named name ("": p's name and a
// short random) that expires at expires (zero: never), and returns its
// secret: the only time it can be read, since the project stores only
// its hash. It fails for a taken or invalid name or a principal that
// cannot hold tokens (wrapping engine.ErrInvalid or ErrDuplicate).
func (a *App) CreateToken(p engine.Principal, name string, expires time.Time) (string, error) {
	var secret string
	err := a.engine.Update(func(tx *engine.Tx) error {
		var err error
		secret, _, err = tx.CreateToken(p, name, expires)
		return err
	})
	return secret, err
}

// Tokens returns the project's tokens, revoked and expired ones too, by
// creation. They hold the secrets' hashes, never the secrets.
func (a *App) Tokens() []*engine.Token {
	var out []*engine.Token
	_ = a.engine.View(func(v *engine.View) error { out = v.Tokens(); return nil })
	return out
}

// RevokeToken revokes the token named ref (its name or id); from now on
// it is refused. engine.ErrNotFound when there is none.
func (a *App) RevokeToken(ref string) error {
	return a.engine.Update(func(tx *engine.Tx) error { return tx.RevokeToken(ref) })
}

// DeleteToken deletes the token named ref (its name or id).
// engine.ErrNotFound when there is none.
func (a *App) DeleteToken(ref string) error {
	return a.engine.Update(func(tx *engine.Tx) error { return tx.DeleteToken(ref) })
}
