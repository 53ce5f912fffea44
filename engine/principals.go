package engine

import (
	"fmt"
	"slices"
	"strings"
)

// Name names p for people: its UPN, else its Display name (a device's
// hardwareId, a UDF's name), else its id (a service principal's name).
func (p Principal) Name() string {
	switch {
	case p.UPN != "":
		return p.UPN
	case p.Display != "":
		return p.Display
	}
	return p.ID
}

// freshPrincipal fills p's UPN and Display from the graph as it is now
// (a user's upn, a device's hardwareId, a UDF's name); p is returned
// as it is when its object does not exist.
func (v *View) freshPrincipal(p Principal) Principal {
	id, err := ParseID(p.ID)
	if err != nil {
		return p
	}
	switch p.Type {
	case ObjectUserID:
		if n := v.g.users[id]; n != nil {
			p.UPN = n.u.UPN
		}
	case ObjectDeviceID:
		if n := v.g.devices[id]; n != nil {
			p.Display = n.d.HardwareID
		}
	case ObjectUserDefinedFunctionID:
		if u := v.g.udfs[id]; u != nil {
			p.Display = u.Name
		}
	}
	return p
}

func userPrincipal(u *User) Principal {
	return Principal{Type: ObjectUserID, ID: u.ID.String(), UPN: u.UPN}
}

func devicePrincipal(d *Device) Principal {
	return Principal{Type: ObjectDeviceID, ID: d.ID.String(), Display: d.HardwareID}
}

func udfPrincipal(u *UDF) Principal {
	return Principal{Type: ObjectUserDefinedFunctionID, ID: u.ID.String(), Display: u.Name}
}

// ResolvePrincipal names a principal: a user (UPN or id) gives UserId
// with ID the user's id and its UPN; a device (hardwareId or id)
// DeviceId; a UDF (name or id) UserDefinedFunctionId; "TYPE:VALUE" with
// TYPE one of UserId, ServicePrincipalId, DeviceId, UserDefinedFunctionId
// is explicit (VALUE is looked up as above for that type, and taken as
// the id when nothing matches); any other name is a ServicePrincipalId
// whose ID is the name. An empty name is ErrInvalid; a UDF name several
// spaces use is ErrConflict.
func (v *View) ResolvePrincipal(name string) (Principal, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return Principal{}, fmt.Errorf("%w: principal name is empty", ErrInvalid)
	}
	if typ, val, ok := strings.Cut(name, ":"); ok {
		for _, t := range principalTypes {
			if strings.EqualFold(t, typ) {
				return v.resolveTyped(t, strings.TrimSpace(val))
			}
		}
	}
	for _, t := range []string{ObjectUserID, ObjectDeviceID, ObjectUserDefinedFunctionID} {
		p, found, err := v.lookupPrincipal(t, name)
		if err != nil || found {
			return p, err
		}
	}
	return Principal{Type: ObjectServicePrincipalID, ID: name}, nil
}

// resolveTyped resolves the VALUE of an explicit "TYPE:VALUE".
func (v *View) resolveTyped(typ, val string) (Principal, error) {
	if val == "" {
		return Principal{}, fmt.Errorf("%w: principal %s has no value", ErrInvalid, typ)
	}
	p, found, err := v.lookupPrincipal(typ, val)
	if err != nil || found {
		return p, err
	}
	return v.freshPrincipal(Principal{Type: typ, ID: val}), nil
}

// lookupPrincipal finds the user, device or UDF (by typ) named s.
func (v *View) lookupPrincipal(typ, s string) (Principal, bool, error) {
	id, idErr := ParseID(s)
	g := v.g
	switch typ {
	case ObjectUserID:
		if idErr == nil && g.users[id] != nil {
			return userPrincipal(g.users[id].u), true, nil
		}
		for _, n := range g.users {
			if strings.EqualFold(n.u.UPN, s) {
				return userPrincipal(n.u), true, nil
			}
		}
	case ObjectDeviceID:
		if idErr == nil && g.devices[id] != nil {
			return devicePrincipal(g.devices[id].d), true, nil
		}
		if d := g.devByHW[s]; d != nil {
			return devicePrincipal(d.d), true, nil
		}
	case ObjectUserDefinedFunctionID:
		if idErr == nil && g.udfs[id] != nil {
			return udfPrincipal(g.udfs[id]), true, nil
		}
		var found []*UDF
		for _, u := range g.udfs {
			if strings.EqualFold(u.Name, s) {
				found = append(found, u)
			}
		}
		if len(found) > 1 {
			return Principal{}, false, fmt.Errorf("%w: %d user-defined functions are named %q: use its id", ErrConflict, len(found), s)
		}
		if len(found) == 1 {
			return udfPrincipal(found[0]), true, nil
		}
	}
	return Principal{}, false, nil
}

// Principals returns every principal the project knows: its users,
// devices and UDFs, and every other object id of role assignments and
// tokens (service principals, and users, devices or UDFs named by an id
// the graph does not hold), sorted by type, then name, then id.
func (v *View) Principals() []Principal {
	g := v.g
	seen := map[[2]string]bool{}
	var out []Principal
	add := func(p Principal) {
		k := [2]string{p.Type, strings.ToLower(p.ID)}
		if !seen[k] {
			seen[k] = true
			out = append(out, p)
		}
	}
	for _, n := range g.users {
		add(userPrincipal(n.u))
	}
	for _, n := range g.devices {
		add(devicePrincipal(n.d))
	}
	for _, u := range g.udfs {
		add(udfPrincipal(u))
	}
	for _, a := range g.roles {
		if slices.Contains(principalTypes, a.ObjectIDType) {
			// By id or UPN: an assignment naming a graph user by UPN is
			// that user.
			p, err := v.resolveTyped(a.ObjectIDType, a.ObjectID)
			if err != nil {
				p = Principal{Type: a.ObjectIDType, ID: a.ObjectID}
			}
			add(p)
		}
	}
	for _, t := range g.tokens {
		add(v.freshPrincipal(t.Principal))
	}
	slices.SortFunc(out, func(a, b Principal) int {
		if c := strings.Compare(a.Type, b.Type); c != 0 {
			return c
		}
		if c := strings.Compare(strings.ToLower(a.Name()), strings.ToLower(b.Name())); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out
}
