package engine

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode"
)

// resourceTypes are the resource types a permission may name.
var resourceTypes = []string{ResSpace, ResSpaceExtendedProperty, ResSpaceBlobMetadata, ResSpaceResource,
	ResSpaceRoleAssignment, ResDevice, ResDeviceExtendedProperty, ResDeviceBlobMetadata, ResSensor,
	ResSensorExtendedProperty, ResSensorBlobMetadata, ResUser, ResUserExtendedProperty, ResUserBlobMetadata,
	ResMatcher, ResUserDefinedFunction, ResExtendedType, ResExtendedPropertyKey, ResEndpoint, ResKeyStore,
	ResOntology, ResRoleDefinition, ResReport, ResSystem}

// ResourceTypes returns the resource types permissions may name.
func ResourceTypes() []string { return slices.Clone(resourceTypes) }

// role returns the system or custom role with id.
func (v *View) role(id ID) (*Role, bool) {
	if r, ok := RoleByID(id); ok {
		return r, true
	}
	r, ok := v.g.customRoles[id]
	return r, ok
}

// roleKeyName is how role names compare: case and spaces ignored.
func roleKeyName(s string) string { return strings.ReplaceAll(strings.ToLower(s), " ", "") }

// Roles returns the nine system roles, then the custom roles by name.
func (v *View) Roles() []*Role {
	out := SystemRoles()
	custom := make([]*Role, 0, len(v.g.customRoles))
	for _, r := range v.g.customRoles {
		custom = append(custom, r)
	}
	slices.SortFunc(custom, func(a, b *Role) int { return strings.Compare(roleKeyName(a.Name), roleKeyName(b.Name)) })
	return append(out, custom...)
}

// FindRole finds a system or custom role by id, by Name or by
// FriendlyName (case and spaces ignored), or returns ErrNotFound.
func (v *View) FindRole(s string) (*Role, error) {
	if id, err := ParseID(strings.TrimSpace(s)); err == nil {
		if r, ok := v.role(id); ok {
			return r, nil
		}
	}
	key := roleKeyName(s)
	for _, r := range v.Roles() {
		if roleKeyName(r.Name) == key || roleKeyName(r.FriendlyName) == key {
			return r, nil
		}
	}
	return nil, fmt.Errorf("%w: role %q", ErrNotFound, s)
}

// PutRole creates (zero ID: a new id) or replaces a custom role. It
// refuses a system role's id or System set (ErrInvalid), a name or
// friendly name another role has (ErrDuplicate), an empty name or one
// with spaces, an unknown action or resource type, and limits without a
// name, without bounds, with Min above Max or naming a value twice
// (ErrInvalid). An empty FriendlyName becomes Name. The role is stored as
// given: do not change it afterwards.
func (tx *Tx) PutRole(r *Role) error {
	if _, ok := RoleByID(r.ID); ok || r.System {
		return fmt.Errorf("%w: system role %q cannot be changed", ErrInvalid, r.Name)
	}
	if err := checkRoleName(r.Name); err != nil {
		return err
	}
	if r.FriendlyName == "" {
		r.FriendlyName = r.Name
	}
	for _, o := range tx.Roles() {
		if o.ID == r.ID {
			continue
		}
		for _, n := range []string{r.Name, r.FriendlyName} {
			if k := roleKeyName(n); k == roleKeyName(o.Name) || k == roleKeyName(o.FriendlyName) {
				return fmt.Errorf("%w: role name %q is taken by role %s", ErrDuplicate, n, o.Name)
			}
		}
	}
	if err := checkPermissions(r.Permissions); err != nil {
		return fmt.Errorf("role %s: %w", r.Name, err)
	}
	if err := checkLimits(r.Limits); err != nil {
		return fmt.Errorf("role %s: %w", r.Name, err)
	}
	if r.ID.IsZero() {
		r.ID = NewID()
	}
	g := tx.g
	old, had := g.customRoles[r.ID]
	g.customRoles[r.ID] = r
	tx.onUndo(func() {
		if had {
			g.customRoles[r.ID] = old
		} else {
			delete(g.customRoles, r.ID)
		}
	})
	tx.put(r)
	return nil
}

// DeleteRole deletes custom role id. A system role is ErrInvalid, an
// unknown one ErrNotFound, one that a role assignment still names
// ErrConflict.
func (tx *Tx) DeleteRole(id ID) error {
	if r, ok := RoleByID(id); ok {
		return fmt.Errorf("%w: system role %s cannot be deleted", ErrInvalid, r.Name)
	}
	g := tx.g
	r, ok := g.customRoles[id]
	if !ok {
		return fmt.Errorf("%w: role %s", ErrNotFound, id)
	}
	n := 0
	for _, a := range g.roles {
		if a.RoleID == id {
			n++
		}
	}
	if n > 0 {
		return fmt.Errorf("%w: role %s is used by %s", ErrConflict, r.Name, plural(n, "role assignment"))
	}
	delete(g.customRoles, id)
	tx.onUndo(func() { g.customRoles[id] = r })
	tx.del(KindRole, id)
	return nil
}

func checkRoleName(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("%w: role name is empty", ErrInvalid)
	case len(name) > 64:
		return fmt.Errorf("%w: role name is longer than 64 characters", ErrInvalid)
	case strings.IndexFunc(name, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '_' && r != '-' }) >= 0:
		return fmt.Errorf("%w: role name %q may hold only letters, digits, _ and -", ErrInvalid, name)
	}
	return nil
}

// checkPermissions refuses unknown actions and resource types, and
// normalises their case.
func checkPermissions(ps []Permission) error {
	if len(ps) == 0 {
		return fmt.Errorf("%w: no permissions", ErrInvalid)
	}
	for i := range ps {
		p := &ps[i]
		if len(p.Actions) == 0 {
			return fmt.Errorf("%w: permission %d has no actions", ErrInvalid, i+1)
		}
		for j := range p.Actions {
			s := string(p.Actions[j])
			if !oneOf(&s, []string{"Read", "Create", "Update", "Delete"}) {
				return fmt.Errorf("%w: action %q (want Read, Create, Update or Delete)", ErrInvalid, p.Actions[j])
			}
			p.Actions[j] = Action(s)
		}
		for _, list := range [][]string{p.ResourceTypes, p.NotResourceTypes} {
			for j := range list {
				if !oneOf(&list[j], resourceTypes) {
					return fmt.Errorf("%w: resource type %q", ErrInvalid, list[j])
				}
			}
		}
	}
	return nil
}

func checkLimits(ls []ValueLimit) error {
	seen := map[string]bool{}
	for _, l := range ls {
		switch {
		case CheckValueName(l.Name) != nil:
			return fmt.Errorf("%w: limit name %q", ErrInvalid, l.Name)
		case seen[strings.ToLower(l.Name)]:
			return fmt.Errorf("%w: two limits on %s", ErrInvalid, l.Name)
		case l.Min == nil && l.Max == nil:
			return fmt.Errorf("%w: limit on %s has neither min nor max", ErrInvalid, l.Name)
		case l.Min != nil && !finite(*l.Min), l.Max != nil && !finite(*l.Max):
			return fmt.Errorf("%w: limit on %s is not a finite number", ErrInvalid, l.Name)
		case l.Min != nil && l.Max != nil && *l.Min > *l.Max:
			return fmt.Errorf("%w: limit on %s has min %g above max %g", ErrInvalid, l.Name, *l.Min, *l.Max)
		}
		seen[strings.ToLower(l.Name)] = true
	}
	return nil
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

// allows reports whether value (a number) is within l.
func (l *ValueLimit) allows(f float64) bool {
	return finite(f) && (l.Min == nil || f >= *l.Min) && (l.Max == nil || f <= *l.Max)
}

// String says what l allows: "TemperatureSetpoint only between 20 and
// 24", "… only from 20", "… only up to 24".
func (l ValueLimit) String() string {
	switch {
	case l.Min != nil && l.Max != nil:
		return fmt.Sprintf("%s only between %g and %g", l.Name, *l.Min, *l.Max)
	case l.Min != nil:
		return fmt.Sprintf("%s only from %g", l.Name, *l.Min)
	case l.Max != nil:
		return fmt.Sprintf("%s only up to %g", l.Name, *l.Max)
	}
	return l.Name
}
