package app

import (
	"fmt"
	"sort"
	"strings"

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
	_ = a.engine.View(func(v *engine.View) error { out = principalsOf(v); return nil })
	return out
}

// principalsOf lists the principals of v (see Principals).
func principalsOf(v *engine.View) []engine.Principal {
	seen := map[string]bool{}
	var out []engine.Principal
	add := func(p engine.Principal) {
		key := p.Type + "\x00" + strings.ToLower(p.ID)
		if !seen[key] {
			seen[key] = true
			out = append(out, p)
		}
	}
	for _, r := range v.RoleAssignments() {
		switch r.ObjectIDType {
		case engine.ObjectUserID, engine.ObjectDeviceID, engine.ObjectServicePrincipalID, engine.ObjectUserDefinedFunctionID:
			add(engine.Principal{Type: r.ObjectIDType, ID: r.ObjectID})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Type != out[j].Type {
			return out[i].Type < out[j].Type
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// Roles returns the roles a principal may be assigned: the nine system
// roles first, then the project's custom roles by name.
func (a *App) Roles() []*engine.Role { return engine.SystemRoles() }

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
