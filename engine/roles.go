package engine

import (
	"fmt"
	"strings"
)

// Action is an access type of a permission.
type Action string

// Actions.
const (
	ActionRead   Action = "Read"
	ActionCreate Action = "Create"
	ActionUpdate Action = "Update"
	ActionDelete Action = "Delete"
)

var allActions = []Action{ActionRead, ActionCreate, ActionUpdate, ActionDelete}

// Resource types used in authorization checks (the preview's names).
const (
	ResSpace                  = "Space"
	ResSpaceExtendedProperty  = "SpaceExtendedProperty"
	ResSpaceBlobMetadata      = "SpaceBlobMetadata"
	ResSpaceResource          = "SpaceResource"
	ResSpaceRoleAssignment    = "SpaceRoleAssignment"
	ResDevice                 = "Device"
	ResDeviceExtendedProperty = "DeviceExtendedProperty"
	ResDeviceBlobMetadata     = "DeviceBlobMetadata"
	ResSensor                 = "Sensor"
	ResSensorExtendedProperty = "SensorExtendedProperty"
	ResSensorBlobMetadata     = "SensorBlobMetadata"
	ResUser                   = "User"
	ResUserExtendedProperty   = "UserExtendedProperty"
	ResUserBlobMetadata       = "UserBlobMetadata"
	ResMatcher                = "Matcher"
	ResUserDefinedFunction    = "UserDefinedFunction"
	ResExtendedType           = "ExtendedType"
	ResExtendedPropertyKey    = "ExtendedPropertyKey"
	ResEndpoint               = "Endpoint"
	ResKeyStore               = "KeyStore"
	ResOntology               = "Ontology"
	ResRoleDefinition         = "RoleDefinition"
	ResReport                 = "Report"
	ResSystem                 = "System"
)

// Permission grants Actions on ResourceTypes (empty: every type) except
// NotResourceTypes.
type Permission struct {
	Actions          []Action
	ResourceTypes    []string
	NotResourceTypes []string
}

func (p Permission) allows(a Action, res string) bool {
	ok := false
	for _, x := range p.Actions {
		if x == a {
			ok = true
		}
	}
	if !ok {
		return false
	}
	for _, r := range p.NotResourceTypes {
		if r == res {
			return false
		}
	}
	if len(p.ResourceTypes) == 0 {
		return true
	}
	for _, r := range p.ResourceTypes {
		if r == res {
			return true
		}
	}
	return false
}

// Role is a role definition: one of the nine system roles of the preview
// (System) or a custom role the project stores (PutRole).
type Role struct {
	ID           ID
	Name         string // without spaces, e.g. SpaceAdministrator
	FriendlyName string // e.g. Space Administrator
	Permissions  []Permission
	// Limits bound the values a grant of the role may write (see
	// View.AuthorizeValue); system roles have none.
	Limits []ValueLimit
	// System marks the nine system roles, which cannot be changed or
	// deleted.
	System bool
}

func (r *Role) Kind() Kind    { return KindRole }
func (r *Role) ObjectKey() ID { return r.ID }

// ValueLimit bounds the numeric values a role may write to the property
// or value Name (a property key, or a space or sensor value name such as
// TemperatureSetpoint).
type ValueLimit struct {
	Name     string
	Min, Max *float64 // inclusive; nil: open
}

// limit returns r's limit on name (case-insensitively), or nil.
func (r *Role) limit(name string) *ValueLimit {
	for i := range r.Limits {
		if strings.EqualFold(r.Limits[i].Name, name) {
			return &r.Limits[i]
		}
	}
	return nil
}

// Allows reports whether the role permits action a on resource type res.
func (r *Role) Allows(a Action, res string) bool {
	for _, p := range r.Permissions {
		if p.allows(a, res) {
			return true
		}
	}
	return false
}

// The ids of the nine system roles of the preview.
var (
	RoleSpaceAdministrator  = MustParseID("98e44ad7-28d4-4007-853b-b9968ad132d1")
	RoleUserAdministrator   = MustParseID("dfaac54c-f583-4dd2-b45d-8d4bbc0aa1ac")
	RoleDeviceAdministrator = MustParseID("3cdfde07-bc16-40d9-bed3-66d49a8f52ae")
	RoleKeyAdministrator    = MustParseID("5a0b1afc-e118-4068-969f-b50efb8e5da6")
	RoleTokenAdministrator  = MustParseID("38a3bb21-5424-43b4-b0bf-78ee228840c3")
	RoleUser                = MustParseID("b1ffdb77-c635-4e7e-ad25-948237d85b30")
	RoleSupportSpecialist   = MustParseID("6e46958b-dc62-4e7c-990c-c3da2e030969")
	RoleDeviceInstaller     = MustParseID("b16dd9fe-4efe-467b-8c8c-720e2ff8817c")
	RoleGatewayDevice       = MustParseID("d4c69766-e9bd-4e61-bfc1-d8b6e686c7a8")
)

func crud() []Action            { return allActions }
func acts(a ...Action) []Action { return a }
func res(r ...string) []string  { return r }

var spaceRead = Permission{Actions: acts(ActionRead), ResourceTypes: res(ResSpace, ResSpaceExtendedProperty, ResSpaceBlobMetadata)}

var systemRoles = markSystem([]*Role{
	{ID: RoleSpaceAdministrator, Name: "SpaceAdministrator", FriendlyName: "Space Administrator",
		Permissions: []Permission{{Actions: crud()}}},
	{ID: RoleUserAdministrator, Name: "UserAdministrator", FriendlyName: "User Administrator",
		Permissions: []Permission{{Actions: crud(), ResourceTypes: res(ResUser, ResUserExtendedProperty, ResUserBlobMetadata)}, spaceRead}},
	{ID: RoleDeviceAdministrator, Name: "DeviceAdministrator", FriendlyName: "Device Administrator",
		Permissions: []Permission{
			{Actions: crud(), ResourceTypes: res(ResDevice, ResDeviceBlobMetadata, ResDeviceExtendedProperty, ResSensor, ResSensorBlobMetadata, ResSensorExtendedProperty, ResExtendedType)},
			{Actions: acts(ActionRead), ResourceTypes: res(ResSpace, ResExtendedPropertyKey, ResSpaceExtendedProperty, ResSpaceBlobMetadata, ResSpaceResource, ResMatcher)}}},
	{ID: RoleKeyAdministrator, Name: "KeyAdministrator", FriendlyName: "Key Administrator",
		Permissions: []Permission{{Actions: crud(), ResourceTypes: res(ResKeyStore)}, spaceRead}},
	{ID: RoleTokenAdministrator, Name: "TokenAdministrator", FriendlyName: "Token Administrator",
		Permissions: []Permission{{Actions: acts(ActionRead, ActionUpdate), ResourceTypes: res(ResKeyStore)}, spaceRead}},
	{ID: RoleUser, Name: "User", FriendlyName: "User",
		Permissions: []Permission{{Actions: acts(ActionRead), ResourceTypes: res(ResSpace, ResSpaceExtendedProperty, ResSpaceBlobMetadata,
			ResSensor, ResSensorExtendedProperty, ResUser, ResUserExtendedProperty, ResUserBlobMetadata, ResExtendedType, ResExtendedPropertyKey, ResOntology)}}},
	{ID: RoleSupportSpecialist, Name: "SupportSpecialist", FriendlyName: "Support Specialist",
		Permissions: []Permission{{Actions: acts(ActionRead), NotResourceTypes: res(ResKeyStore)}}},
	{ID: RoleDeviceInstaller, Name: "DeviceInstaller", FriendlyName: "Device Installer",
		Permissions: []Permission{{Actions: acts(ActionRead, ActionUpdate), ResourceTypes: res(ResDevice, ResSensor, ResDeviceExtendedProperty, ResSensorExtendedProperty)}, spaceRead}},
	{ID: RoleGatewayDevice, Name: "GatewayDevice", FriendlyName: "Gateway Device",
		Permissions: []Permission{{Actions: acts(ActionCreate), ResourceTypes: res(ResSensor)}, {Actions: acts(ActionRead), ResourceTypes: res(ResDevice, ResSensor)}}},
})

func markSystem(rs []*Role) []*Role {
	for _, r := range rs {
		r.System = true
	}
	return rs
}

// SystemRoles returns the nine system roles.
func SystemRoles() []*Role { return append([]*Role(nil), systemRoles...) }

// RoleByID finds a system role by id.
func RoleByID(id ID) (*Role, bool) {
	for _, r := range systemRoles {
		if r.ID == id {
			return r, true
		}
	}
	return nil, false
}

// FindRole finds a role by id, by name without spaces (SpaceAdministrator)
// or by friendly name (Space Administrator), case-insensitively.
func FindRole(s string) (*Role, error) {
	if id, err := ParseID(s); err == nil {
		if r, ok := RoleByID(id); ok {
			return r, nil
		}
	}
	key := strings.ReplaceAll(strings.ToLower(s), " ", "")
	for _, r := range systemRoles {
		if strings.ToLower(r.Name) == key {
			return r, nil
		}
	}
	return nil, fmt.Errorf("%w: role %q", ErrNotFound, s)
}

// Principal is who asks: a user, service principal, device or UDF. Type is
// an objectIdType (UserId, ServicePrincipalId, DeviceId,
// UserDefinedFunctionId); ID its object id. UPN and TenantID let DomainName
// and TenantId assignments match users.
type Principal struct {
	Type     string
	ID       string
	UPN      string
	TenantID string
	// Display names the principal for people when UPN does not: a
	// device's hardwareId, a UDF's name (see Name). Authorization
	// ignores it.
	Display string `json:",omitempty"`
}

// Owner is the local owner of a project (the studio and the CLI on the
// project file): it may do everything, as the preview's instance deployer
// who holds Space Administrator on "/".
var Owner = Principal{Type: "Owner", ID: "owner"}

func (p Principal) String() string { return p.Type + " " + p.ID }

func (a *RoleAssignment) matches(p Principal) bool {
	switch a.ObjectIDType {
	case ObjectDomainName:
		return p.Type == ObjectUserID && p.UPN != "" && strings.HasSuffix(strings.ToLower(p.UPN), strings.ToLower(a.ObjectID))
	case ObjectTenantID:
		return p.Type == ObjectUserID && p.TenantID != "" && strings.EqualFold(p.TenantID, a.ObjectID)
	}
	if a.ObjectIDType != p.Type {
		return false
	}
	// A user is named by id or, as provisioning's objectName does, by UPN.
	return strings.EqualFold(a.ObjectID, p.ID) || (p.Type == ObjectUserID && p.UPN != "" && strings.EqualFold(a.ObjectID, p.UPN))
}

// Authorize reports whether p may do action on resource type res for the
// object with id object (a space, device, sensor, user, matcher, UDF or
// resource), whose place in the tree decides which role assignments cover
// it. A zero object means the whole graph ("/"): only assignments on "/"
// cover it. It returns nil or an error wrapping ErrNotAuthorized (or
// ErrNotFound for an unknown object).
func (v *View) Authorize(p Principal, action Action, res string, object ID) error {
	if v.may(p, action, res, object) {
		return nil
	}
	if _, err := v.objectSpaceNode(object); err != nil {
		return err
	}
	return fmt.Errorf("%w: %s may not %s %s %s", ErrNotAuthorized, p, strings.ToLower(string(action)), res, object)
}

// may is Authorize's decision without its error: false for an unknown
// object. Readers that only filter (CanRead, EventVisible) use it, so a
// refusal formats no error.
func (v *View) may(p Principal, action Action, res string, object ID) bool {
	if p.Type == Owner.Type {
		return true
	}
	space, err := v.objectSpaceNode(object)
	if err != nil {
		return false
	}
	for _, a := range v.g.roles {
		if g, ok := v.grantOf(a, p); ok && g.allows(action, res, space) {
			return true
		}
	}
	return false
}

// objectSpaceNode is the space whose subtree holds object (nil for the
// zero object: the whole graph), or ErrNotFound.
func (v *View) objectSpaceNode(object ID) (*spaceNode, error) {
	if object.IsZero() {
		return nil, nil
	}
	sid, ok := v.ObjectSpace(object)
	if !ok {
		return nil, fmt.Errorf("%w: object %s", ErrNotFound, object)
	}
	return v.g.spaces[sid], nil
}

// within reports whether space is anchor or lies under it.
func within(space *spaceNode, anchor ID) bool {
	for n := space; n != nil; n = n.parent {
		if n.s.ID == anchor {
			return true
		}
	}
	return false
}

// grant is one role assignment of a principal, resolved: its role and
// where it applies (everywhere, or the subtree of anchor).
type grant struct {
	role   *Role
	all    bool
	anchor ID
}

// grantOf resolves role assignment a for principal p: false when a is not
// p's or names no role (system or custom).
func (v *View) grantOf(a *RoleAssignment, p Principal) (grant, bool) {
	if !a.matches(p) {
		return grant{}, false
	}
	role, ok := v.role(a.RoleID)
	if !ok {
		return grant{}, false
	}
	return grant{role: role, all: a.Path == "/", anchor: pathAnchor(a.Path)}, true
}

// allows reports whether g lets its principal do action on res for an
// object in space (nil: the whole graph).
func (g *grant) allows(action Action, res string, space *spaceNode) bool {
	return g.role.Allows(action, res) && (g.all || within(space, g.anchor))
}

// grantsOf returns p's role assignments, resolved, in the order Authorize
// considers them. Not for the owner (who may do anything).
func (v *View) grantsOf(p Principal) []grant {
	var out []grant
	for _, a := range v.g.roles {
		if g, ok := v.grantOf(a, p); ok {
			out = append(out, g)
		}
	}
	return out
}

// allowedBy reports whether grants (a principal's, see grantsOf) allow
// action on res for object: the decision Authorize makes, without its
// error text. An unknown object is ErrNotFound.
func (v *View) allowedBy(grants []grant, action Action, res string, object ID) (bool, error) {
	space, err := v.objectSpaceNode(object)
	if err != nil {
		return false, err
	}
	return anyAllows(grants, action, res, space), nil
}

// Authorize is View.Authorize under a read lock.
func (e *Engine) Authorize(p Principal, action Action, res string, object ID) error {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return (&View{g: e.g}).Authorize(p, action, res, object)
}
