package engine

import (
	"fmt"
	"strconv"
	"strings"
)

// This file holds the read and write rules that the REST API, the MQTT
// broker and the UDF library share with Authorize: every decision goes
// through grantOf and grant.allows.

// AuthorizeValue reports whether p may write value to the property or
// value name of object (a space, device or sensor). A grant of p covering
// object must allow Update on res (ResSpace, ResSpaceExtendedProperty,
// ResSensor …); if that grant's role has a limit on name (ValueLimit),
// value must be a number within it. One grant without a limit on name
// suffices (a FacilityManager sets anything). A refusal wraps
// ErrNotAuthorized; one by a limit names the role and the limit: "role
// Occupant may set TemperatureSetpoint only between 20 and 24 (not 30)".
// An unknown object is ErrNotFound. The owner may write anything.
func (v *View) AuthorizeValue(p Principal, res string, object ID, name, value string) error {
	if p.Type == Owner.Type {
		return nil
	}
	space, err := v.objectSpaceNode(object)
	if err != nil {
		return err
	}
	grants := v.grantsOf(p)
	if !anyAllows(grants, ActionUpdate, res, space) {
		return fmt.Errorf("%w: %s may not update %s %s", ErrNotAuthorized, p, res, object)
	}
	return valueWithin(grants, res, space, name, value)
}

// AuthorizeValue is View.AuthorizeValue under the read lock.
func (e *Engine) AuthorizeValue(p Principal, res string, object ID, name, value string) error {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return (&View{g: e.g}).AuthorizeValue(p, res, object, name, value)
}

func anyAllows(grants []grant, action Action, res string, space *spaceNode) bool {
	for i := range grants {
		if grants[i].allows(action, res, space) {
			return true
		}
	}
	return false
}

// valueWithin applies the value limits of the grants that allow Update on
// res in space (see AuthorizeValue); nil when one of them has no limit on
// name or one whose limit value meets.
func valueWithin(grants []grant, res string, space *spaceNode, name, value string) error {
	var refused *grant
	var lim *ValueLimit
	f, numErr := strconv.ParseFloat(strings.TrimSpace(value), 64)
	for i := range grants {
		g := &grants[i]
		if !g.allows(ActionUpdate, res, space) {
			continue
		}
		l := g.role.limit(name)
		if l == nil || (numErr == nil && l.allows(f)) {
			return nil
		}
		if refused == nil {
			refused, lim = g, l
		}
	}
	if refused == nil {
		return fmt.Errorf("%w: may not update %s", ErrNotAuthorized, res)
	}
	return fmt.Errorf("%w: role %s may set %s (not %s)", ErrNotAuthorized, refused.role.Name, lim, value)
}

// objectResources are the resource types reads of each kind are decided on.
var objectResources = map[Kind]string{
	KindSpace: ResSpace, KindDevice: ResDevice, KindSensor: ResSensor, KindUser: ResUser,
	KindMatcher: ResMatcher, KindUDF: ResUserDefinedFunction, KindResource: ResSpaceResource,
}

// CanRead reports whether p may read object id of kind k (for property
// keys, types and ontologies id is IntKey of the integer id):
//   - spaces, devices, sensors, users, matchers, UDFs and resources: a
//     grant allowing Read on the kind's resource type covers the
//     object's space (Authorize);
//   - role assignments: p's own, and those on a path a grant allowing
//     Read on SpaceRoleAssignment covers;
//   - endpoints: a grant on "/" allowing Read on Endpoint;
//   - property keys and types: those of the whole project (no space) by
//     any grant allowing Read on ExtendedPropertyKey or ExtendedType;
//     those defined in a space by a grant whose subtree overlaps the
//     space's (where the definition applies);
//   - ontologies: any grant allowing Read on Ontology;
//   - roles: any principal with a role assignment;
//   - tokens: p's own, and every one for a grant on "/" allowing Read on
//     KeyStore.
//
// An unknown object is not readable. The owner reads everything.
func (v *View) CanRead(p Principal, k Kind, id ID) bool {
	if p.Type == Owner.Type {
		return true
	}
	g := v.g
	if res, ok := objectResources[k]; ok {
		return v.may(p, ActionRead, res, id)
	}
	switch k {
	case KindRoleAssignment:
		a := g.roles[id]
		return a != nil && (a.matches(p) || v.may(p, ActionRead, ResSpaceRoleAssignment, pathAnchor(a.Path)))
	case KindEndpoint:
		return g.endpoints[id] != nil && v.may(p, ActionRead, ResEndpoint, NilID)
	case KindPropertyKey:
		pk := g.propKeys[KeyInt(id)]
		return pk != nil && v.definitionReadable(p, ResExtendedPropertyKey, pk.SpaceID)
	case KindType:
		t := g.types.byID[KeyInt(id)]
		return t != nil && v.definitionReadable(p, ResExtendedType, t.SpaceID)
	case KindOntology:
		return g.types.ontologies[KeyInt(id)] != nil && v.definitionReadable(p, ResOntology, NilID)
	case KindFloorPlan:
		return g.floorPlans[id] != nil && v.CanRead(p, KindSpace, id)
	case KindRole:
		_, ok := v.role(id)
		return ok && len(v.grantsOf(p)) > 0
	case KindToken:
		t := g.tokens[id]
		return t != nil && (samePrincipal(t.Principal, p) || v.may(p, ActionRead, ResKeyStore, NilID))
	}
	return false
}

// CanRead is View.CanRead under the read lock.
func (e *Engine) CanRead(p Principal, k Kind, id ID) bool {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return (&View{g: e.g}).CanRead(p, k, id)
}

func samePrincipal(a, b Principal) bool {
	return a.Type == b.Type && strings.EqualFold(a.ID, b.ID)
}

// definitionReadable decides reads of a definition (a property key, type
// or ontology) of resource type res defined in space (zero: the whole
// project): a grant allowing Read on res whose subtree overlaps the
// definition's scope.
func (v *View) definitionReadable(p Principal, res string, space ID) bool {
	scope := v.g.spaces[space]
	for _, g := range v.grantsOf(p) {
		if !g.role.Allows(ActionRead, res) {
			continue
		}
		if g.all || scope == nil || within(scope, g.anchor) || within(v.g.spaces[g.anchor], space) {
			return true
		}
	}
	return false
}

// EventVisible reports whether p may read the object ev is about, by the
// rules of CanRead: a TopologyOperation by its resource type and the
// spaces it notifies (so that deleted objects are decided too; a floor
// plan's as its floor, by Read on Space), every other event by
// EventObjectVisible. The owner sees every event.
func (v *View) EventVisible(p Principal, ev *Event) bool {
	if p.Type == Owner.Type {
		return true
	}
	if d, ok := ev.Data.(*TopologyOperationData); ok && ev.EventType == EventTopologyOperation {
		res := topologyReadAs(d.Type)
		for _, g := range v.grantsOf(p) {
			if !g.role.Allows(ActionRead, res) {
				continue
			}
			// Definitions of the whole project (no space) are read by
			// anyone who may read their type, as CanRead has it.
			if g.all || (len(d.SpacesToNotify) == 0 && d.Type != ResEndpoint) {
				return true
			}
			for _, s := range d.SpacesToNotify {
				if s == g.anchor.String() {
					return true
				}
			}
		}
		return false
	}
	return v.EventObjectVisible(p, ev.EventType, ev.ObjectID)
}

// EventVisible is View.EventVisible under the read lock.
func (e *Engine) EventVisible(p Principal, ev *Event) bool {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return (&View{g: e.g}).EventVisible(p, ev)
}

// EventObjectVisible decides an event from its type and object id alone
// (what an MQTT topic twins/events/{type}/{id} carries): SensorChange and
// DeviceMessage by Read on the sensor, SpaceChange by Read on the space,
// UdfCustom and TopologyOperation by CanRead of the object, whatever its
// kind. An object that is not in the graph is not visible.
func (v *View) EventObjectVisible(p Principal, eventType string, object ID) bool {
	if p.Type == Owner.Type {
		return true
	}
	switch eventType {
	case EventSensorChange, EventDeviceMessage:
		return v.may(p, ActionRead, ResSensor, object)
	case EventSpaceChange:
		return v.may(p, ActionRead, ResSpace, object)
	}
	if k := v.kindOf(object); k != KindNone {
		return v.CanRead(p, k, object)
	}
	return false
}

// EventObjectVisible is View.EventObjectVisible under the read lock.
func (e *Engine) EventObjectVisible(p Principal, eventType string, object ID) bool {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return (&View{g: e.g}).EventObjectVisible(p, eventType, object)
}

// kindOf is the kind of the GUID-keyed object id, or KindNone.
func (v *View) kindOf(id ID) Kind {
	for _, k := range []Kind{KindSpace, KindSensor, KindDevice, KindUser, KindMatcher, KindUDF, KindRoleAssignment, KindResource, KindEndpoint, KindToken, KindRole} {
		if v.g.lookup(objRef{k, id}) != nil {
			return k
		}
	}
	return KindNone
}
