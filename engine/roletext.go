package engine

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// The text forms of a custom role's permissions and value limits, one a
// line, as the studio's role editor and provisioning files write them:
//
//	Read: everything
//	Read, Update: Space, SpaceExtendedProperty
//	Read: everything but KeyStore
//
//	TemperatureSetpoint 20..24
//	Brightness ..80

// ParsePermission reads "ACTIONS: TYPES", TYPES a list of resource types
// or "everything", either followed by "but TYPES". It checks the form
// only: PutRole checks the action and resource type names. Errors wrap
// ErrInvalid.
func ParsePermission(line string) (Permission, error) {
	var p Permission
	acts, on, ok := strings.Cut(line, ":")
	if !ok {
		return p, fmt.Errorf(`%w: permission %q: want "ACTIONS: RESOURCE TYPES", e.g. "Read, Update: Space"`, ErrInvalid, short(strings.TrimSpace(line)))
	}
	for _, a := range splitList(acts) {
		p.Actions = append(p.Actions, Action(a))
	}
	if len(p.Actions) == 0 {
		return p, fmt.Errorf("%w: permission %q: no action before the colon", ErrInvalid, short(strings.TrimSpace(line)))
	}
	on, but, _ := strings.Cut(on, " but ")
	if strings.TrimSpace(on) != "everything" {
		if p.ResourceTypes = splitList(on); len(p.ResourceTypes) == 0 {
			return p, fmt.Errorf(`%w: permission %q: no resource type after the colon (or "everything")`, ErrInvalid, short(strings.TrimSpace(line)))
		}
	}
	p.NotResourceTypes = splitList(but)
	return p, nil
}

// FormatPermission is ParsePermission's form of p: "Read, Update: Device,
// Sensor", "Read: everything but KeyStore".
func FormatPermission(p Permission) string {
	acts := make([]string, len(p.Actions))
	for i, a := range p.Actions {
		acts[i] = string(a)
	}
	on := "everything"
	if len(p.ResourceTypes) > 0 {
		on = strings.Join(p.ResourceTypes, ", ")
	}
	if len(p.NotResourceTypes) > 0 {
		on += " but " + strings.Join(p.NotResourceTypes, ", ")
	}
	return strings.Join(acts, ", ") + ": " + on
}

// ParseValueLimit reads "NAME MIN..MAX"; either bound may be left out
// ("Brightness ..80"). PutRole checks the rest. Errors wrap ErrInvalid.
func ParseValueLimit(line string) (ValueLimit, error) {
	var l ValueLimit
	bad := func(why string) (ValueLimit, error) {
		return ValueLimit{}, fmt.Errorf("%w: value limit %q: %s", ErrInvalid, short(strings.TrimSpace(line)), why)
	}
	f := strings.Fields(line)
	if len(f) != 2 {
		return bad(`want "NAME MIN..MAX", e.g. "TemperatureSetpoint 20..24"`)
	}
	lo, hi, ok := strings.Cut(f[1], "..")
	if !ok || lo == "" && hi == "" {
		return bad("want MIN..MAX, MIN.. or ..MAX after the name")
	}
	l.Name = f[0]
	var err error
	if l.Min, err = bound(lo); err != nil {
		return bad(err.Error())
	}
	if l.Max, err = bound(hi); err != nil {
		return bad(err.Error())
	}
	return l, nil
}

// FormatValueLimit is ParseValueLimit's form of l: "TemperatureSetpoint
// 20..24".
func FormatValueLimit(l ValueLimit) string {
	end := func(v *float64) string {
		if v == nil {
			return ""
		}
		return strconv.FormatFloat(*v, 'g', -1, 64)
	}
	return l.Name + " " + end(l.Min) + ".." + end(l.Max)
}

// bound reads one end of a range; "" is open (nil).
func bound(s string) (*float64, error) {
	if s == "" {
		return nil, nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return nil, errors.New(strconv.Quote(s) + " is not a number")
	}
	return &v, nil
}
