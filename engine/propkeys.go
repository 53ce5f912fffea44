package engine

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Property key scopes.
const (
	ScopeSpaces  = "Spaces"
	ScopeDevices = "Devices"
	ScopeSensors = "Sensors"
	ScopeUsers   = "Users"
)

// Primitive data types of property keys.
const (
	PrimNone     = "None"
	PrimString   = "String"
	PrimBool     = "Bool"
	PrimInt      = "Int"
	PrimUInt     = "UInt"
	PrimLong     = "Long"
	PrimDateTime = "DateTime"
	PrimJSON     = "Json"
	PrimSet      = "Set"
	PrimEnum     = "Enum"
)

var primitives = []string{PrimNone, PrimString, PrimBool, PrimInt, PrimUInt, PrimLong, PrimDateTime, PrimJSON, PrimSet, PrimEnum}

// PropertyKey declares an extended property for a space subtree (zero
// SpaceID: everywhere) and a scope. Min and Max bound the value, the length
// or the element count, by primitive type; ValidationData holds a regex
// (String) or ';'-separated allowed values (Set, Enum).
type PropertyKey struct {
	ID                int
	Name              string
	SpaceID           ID
	Scope             string
	PrimitiveDataType string
	Category          string
	Description       string
	ValidationData    string
	Min               string
	Max               string
}

func (k *PropertyKey) Kind() Kind    { return KindPropertyKey }
func (k *PropertyKey) ObjectKey() ID { return IntKey(k.ID) }

var propNameRE = regexp.MustCompile(`^[A-Za-z0-9_]+$`)

// check validates the key definition itself.
func (k *PropertyKey) check() error {
	if !propNameRE.MatchString(k.Name) {
		return fmt.Errorf("%w: property key name %q: only letters, digits and _", ErrInvalid, k.Name)
	}
	switch k.Scope {
	case ScopeSpaces, ScopeDevices, ScopeSensors, ScopeUsers:
	default:
		return fmt.Errorf("%w: property key %s: scope %q (want Spaces, Devices, Sensors or Users)", ErrInvalid, k.Name, k.Scope)
	}
	ok := false
	for _, p := range primitives {
		if strings.EqualFold(p, k.PrimitiveDataType) {
			k.PrimitiveDataType, ok = p, true
		}
	}
	if k.PrimitiveDataType == "" {
		k.PrimitiveDataType, ok = PrimNone, true
	}
	if !ok {
		return fmt.Errorf("%w: property key %s: primitiveDataType %q", ErrInvalid, k.Name, k.PrimitiveDataType)
	}
	for _, b := range []struct{ name, v string }{{"min", k.Min}, {"max", k.Max}} {
		if strings.TrimSpace(b.v) == "" {
			continue
		}
		var err error
		if k.PrimitiveDataType == PrimDateTime {
			_, err = time.Parse(time.RFC3339Nano, strings.TrimSpace(b.v))
		} else if _, ok := parseBound(b.v); !ok {
			err = fmt.Errorf("not a number")
		}
		if err != nil {
			return fmt.Errorf("%w: property key %s: %s %q: %v", ErrInvalid, k.Name, b.name, b.v, err)
		}
	}
	if k.PrimitiveDataType == PrimString && k.ValidationData != "" {
		if _, err := regexp.Compile("(?i)" + k.ValidationData); err != nil {
			return fmt.Errorf("%w: property key %s: validationData is not a regex: %v", ErrInvalid, k.Name, err)
		}
	}
	return nil
}

// Validate checks value against the key and returns it normalised (bools
// lower-cased, numbers trimmed, set and enum members in the key's case).
// The error says which rule failed.
func (k *PropertyKey) Validate(value string) (string, error) {
	bad := func(format string, a ...any) (string, error) {
		return "", fmt.Errorf("%w: %s=%q: %s", ErrInvalid, k.Name, value, fmt.Sprintf(format, a...))
	}
	minF, hasMin := parseBound(k.Min)
	maxF, hasMax := parseBound(k.Max)
	inRange := func(x float64) bool {
		return (!hasMin || x >= minF) && (!hasMax || x <= maxF)
	}
	rangeText := func() string { return fmt.Sprintf("[%s, %s]", orDash(k.Min), orDash(k.Max)) }
	switch k.PrimitiveDataType {
	case PrimNone, "":
		return value, nil
	case PrimString:
		if !inRange(float64(len([]rune(value)))) {
			return bad("length must be in %s", rangeText())
		}
		if k.ValidationData != "" {
			re, err := regexp.Compile("(?i)" + k.ValidationData)
			if err == nil && !re.MatchString(value) {
				return bad("does not match %q", k.ValidationData)
			}
		}
		return value, nil
	case PrimBool:
		v := strings.ToLower(strings.TrimSpace(value))
		if v != "true" && v != "false" {
			return bad("not a bool")
		}
		return v, nil
	case PrimInt, PrimUInt, PrimLong:
		v := strings.TrimSpace(value)
		bits := 32
		if k.PrimitiveDataType == PrimLong {
			bits = 64
		}
		var x float64
		if k.PrimitiveDataType == PrimUInt {
			n, err := strconv.ParseUint(v, 10, 32)
			if err != nil {
				return bad("not a %s", strings.ToLower(k.PrimitiveDataType))
			}
			x = float64(n)
		} else {
			n, err := strconv.ParseInt(v, 10, bits)
			if err != nil {
				return bad("not a %s", strings.ToLower(k.PrimitiveDataType))
			}
			x = float64(n)
		}
		if !inRange(x) {
			return bad("must be in %s", rangeText())
		}
		return v, nil
	case PrimDateTime:
		v := strings.TrimSpace(value)
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return bad("not an ISO 8601 date-time")
		}
		if k.Min != "" {
			if m, err := time.Parse(time.RFC3339Nano, k.Min); err == nil && t.Before(m) {
				return bad("before %s", k.Min)
			}
		}
		if k.Max != "" {
			if m, err := time.Parse(time.RFC3339Nano, k.Max); err == nil && t.After(m) {
				return bad("after %s", k.Max)
			}
		}
		return v, nil
	case PrimJSON:
		if !json.Valid([]byte(value)) {
			return bad("not JSON")
		}
		if !inRange(float64(len(value))) {
			return bad("length must be in %s", rangeText())
		}
		return value, nil
	case PrimEnum, PrimSet:
		allowed := splitList(k.ValidationData)
		var members []string
		if k.PrimitiveDataType == PrimEnum {
			members = []string{strings.TrimSpace(value)}
		} else {
			members = splitList(value)
			if !inRange(float64(len(members))) {
				return bad("element count must be in %s", rangeText())
			}
		}
		for i, m := range members {
			found := false
			for _, a := range allowed {
				if strings.EqualFold(a, m) {
					members[i], found = a, true
					break
				}
			}
			if !found {
				return bad("must be one of %q", strings.Join(allowed, ";"))
			}
		}
		return strings.Join(members, ";"), nil
	}
	return value, nil
}

func parseBound(s string) (float64, bool) {
	if strings.TrimSpace(s) == "" {
		return 0, false
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(f) {
		return 0, false
	}
	return f, true
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	if strings.ContainsFunc(s, func(r rune) bool { return r < ' ' }) {
		return strconv.Quote(s)
	}
	return s
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == ',' }) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
