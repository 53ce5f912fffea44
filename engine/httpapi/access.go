package httpapi

import (
	"time"

	"github.com/twinstudio/twinstudio/engine"
)

// errUnauthenticated: a token missing, malformed, unknown, expired or
// revoked (401).
var errUnauthenticated = engine.ErrUnauthenticated

// The access decisions are the engine's (the one decision function the
// broker and the UDFs use too); these name them for this package.

func resolveToken(e *engine.Engine, secret string, now time.Time) (engine.Principal, error) {
	return e.ResolveToken(secret, now)
}

func canRead(v *engine.View, p engine.Principal, k engine.Kind, id engine.ID) bool {
	return v.CanRead(p, k, id)
}

func authorizeValue(v *engine.View, p engine.Principal, res string, object engine.ID, name, value string) error {
	return v.AuthorizeValue(p, res, object, name, value)
}

func eventVisible(v *engine.View, p engine.Principal, ev *engine.Event) bool {
	return v.EventVisible(p, ev)
}

func findRole(v *engine.View, s string) (engine.ID, error) {
	r, err := v.FindRole(s)
	if err != nil {
		return engine.NilID, err
	}
	return r.ID, nil
}

func roles(v *engine.View) []*engine.Role { return v.Roles() }

// kindRes is the resource type of each kind in authorization checks.
var kindRes = map[engine.Kind]string{
	engine.KindSpace: engine.ResSpace, engine.KindDevice: engine.ResDevice, engine.KindSensor: engine.ResSensor,
	engine.KindUser: engine.ResUser, engine.KindMatcher: engine.ResMatcher, engine.KindUDF: engine.ResUserDefinedFunction,
	engine.KindRoleAssignment: engine.ResSpaceRoleAssignment, engine.KindEndpoint: engine.ResEndpoint,
	engine.KindResource: engine.ResSpaceResource, engine.KindPropertyKey: engine.ResExtendedPropertyKey,
	engine.KindType: engine.ResExtendedType, engine.KindOntology: engine.ResOntology,
}
