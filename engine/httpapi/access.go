package httpapi

import (
	"time"

	"github.com/twinstudio/twinstudio/engine"
)

// errUnauthenticated: a token missing, malformed, unknown, expired or
// revoked (401).
var errUnauthenticated = engine.ErrUnauthenticated

func resolveToken(e *engine.Engine, secret string, now time.Time) (engine.Principal, error) {
	return e.ResolveToken(secret, now)
}

func canRead(v *engine.View, p engine.Principal, k engine.Kind, id engine.ID) bool {
	res, ok := kindRes[k]
	if !ok {
		return true
	}
	o, found := v.Object(k, id)
	if !found {
		return false
	}
	return v.Authorize(p, engine.ActionRead, res, authObject(o)) == nil
}

func authorizeValue(v *engine.View, p engine.Principal, res string, object engine.ID, name, value string) error {
	return v.Authorize(p, engine.ActionUpdate, res, object)
}

func eventVisible(v *engine.View, p engine.Principal, ev *engine.Event) bool {
	_, ok := v.ObjectSpace(ev.ObjectID)
	return ok && v.Authorize(p, engine.ActionRead, engine.ResSpace, ev.ObjectID) == nil
}

// kindRes is the resource type of each kind in authorization checks.
var kindRes = map[engine.Kind]string{
	engine.KindSpace: engine.ResSpace, engine.KindDevice: engine.ResDevice, engine.KindSensor: engine.ResSensor,
	engine.KindUser: engine.ResUser, engine.KindMatcher: engine.ResMatcher, engine.KindUDF: engine.ResUserDefinedFunction,
	engine.KindRoleAssignment: engine.ResSpaceRoleAssignment, engine.KindEndpoint: engine.ResEndpoint,
	engine.KindResource: engine.ResSpaceResource, engine.KindPropertyKey: engine.ResExtendedPropertyKey,
	engine.KindType: engine.ResExtendedType, engine.KindOntology: engine.ResOntology,
}

func findRole(v *engine.View, s string) (engine.ID, error) {
	r, err := engine.FindRole(s)
	if err != nil {
		return engine.NilID, err
	}
	return r.ID, nil
}

func roles(v *engine.View) []*engine.Role { return engine.SystemRoles() }
