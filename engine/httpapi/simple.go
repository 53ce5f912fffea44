package httpapi

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/twinstudio/twinstudio/engine"
)

// conditionDoc is a matcher condition.
type conditionDoc struct {
	ID         string `json:"id,omitempty"`
	Target     string `json:"target"`
	Path       string `json:"path"`
	Value      string `json:"value"`
	Comparison string `json:"comparison"`
}

// matcherDoc is a matcher, read and written.
type matcherDoc struct {
	ID           string         `json:"id,omitempty"`
	Name         string         `json:"name"`
	FriendlyName string         `json:"friendlyName,omitempty"`
	Description  string         `json:"description,omitempty"`
	SpaceID      string         `json:"spaceId"`
	Conditions   []conditionDoc `json:"conditions"`
	UDFs         []*udfDoc      `json:"userDefinedFunctions,omitempty"`
}

func matcherDocOf(m *engine.Matcher) *matcherDoc {
	d := &matcherDoc{ID: m.ID.String(), Name: m.Name, FriendlyName: m.FriendlyName, Description: m.Description,
		SpaceID: idString(m.SpaceID), Conditions: []conditionDoc{}}
	for _, c := range m.Conditions {
		d.Conditions = append(d.Conditions, conditionDoc{ID: c.ID.String(), Target: c.Target, Path: c.Path, Value: c.Value, Comparison: c.Comparison})
	}
	return d
}

func (d *matcherDoc) object(_ *engine.View, id engine.ID) (engine.Object, error) {
	space, err := parseOptID("spaceId", d.SpaceID)
	if err != nil {
		return nil, err
	}
	m := &engine.Matcher{ID: id, Name: d.Name, FriendlyName: d.FriendlyName, Description: d.Description, SpaceID: space}
	for i, c := range d.Conditions {
		if c.Path == "" { // the preview: a condition sent without a path is deleted
			continue
		}
		cid, err := parseOptID(fmt.Sprintf("conditions[%d].id", i), c.ID)
		if err != nil {
			return nil, err
		}
		m.Conditions = append(m.Conditions, engine.Condition{ID: cid, Target: c.Target, Path: c.Path, Value: c.Value, Comparison: c.Comparison})
	}
	return m, nil
}

// udfDoc is a user-defined function's metadata, read and written (the
// metadata part of the multipart upload, or a JSON body with script).
type udfDoc struct {
	ID           string    `json:"id,omitempty"`
	Name         string    `json:"name"`
	FriendlyName string    `json:"friendlyName,omitempty"`
	Description  string    `json:"description,omitempty"`
	SpaceID      string    `json:"spaceId"`
	Matchers     []string  `json:"matchers"`
	Disabled     bool      `json:"disabled"`
	Updated      time.Time `json:"lastUpdated,omitzero"`
	Script       string    `json:"script,omitempty"`
}

func udfDocOf(u *engine.UDF, script bool) *udfDoc {
	d := &udfDoc{ID: u.ID.String(), Name: u.Name, FriendlyName: u.FriendlyName, Description: u.Description,
		SpaceID: idString(u.SpaceID), Matchers: []string{}, Disabled: u.Disabled, Updated: u.Updated.UTC()}
	for _, m := range u.MatcherIDs {
		d.Matchers = append(d.Matchers, m.String())
	}
	if script {
		d.Script = u.Script
	}
	return d
}

func (d *udfDoc) object(v *engine.View, id engine.ID) (engine.Object, error) {
	space, err := parseOptID("spaceId", d.SpaceID)
	if err != nil {
		return nil, err
	}
	u := &engine.UDF{ID: id, Name: d.Name, FriendlyName: d.FriendlyName, Description: d.Description, SpaceID: space,
		Disabled: d.Disabled, Script: d.Script}
	if old, ok := v.UDF(id); ok {
		c := *old
		c.Name, c.FriendlyName, c.Description, c.SpaceID, c.Disabled, c.Script = u.Name, u.FriendlyName, u.Description, u.SpaceID, u.Disabled, u.Script
		c.MatcherIDs = nil
		if c.Script != old.Script {
			c.Updated = time.Time{}
		}
		u = &c
	}
	for i, m := range d.Matchers {
		mid, err := parseOptID(fmt.Sprintf("matchers[%d]", i), m)
		if err != nil {
			return nil, err
		}
		u.MatcherIDs = append(u.MatcherIDs, mid)
	}
	return u, nil
}

// roleAssignmentDoc is a role assignment (created and deleted, never
// changed, as in the preview).
type roleAssignmentDoc struct {
	ID           string `json:"id,omitempty"`
	RoleID       string `json:"roleId"`
	ObjectID     string `json:"objectId"`
	ObjectIDType string `json:"objectIdType"`
	Path         string `json:"path"`
	TenantID     string `json:"tenantId,omitempty"`
}

func roleAssignmentDocOf(r *engine.RoleAssignment) *roleAssignmentDoc {
	return &roleAssignmentDoc{ID: r.ID.String(), RoleID: r.RoleID.String(), ObjectID: r.ObjectID,
		ObjectIDType: r.ObjectIDType, Path: r.Path, TenantID: r.TenantID}
}

func (d *roleAssignmentDoc) object(v *engine.View, id engine.ID) (engine.Object, error) {
	role, err := findRole(v, d.RoleID)
	if err != nil {
		return nil, fmt.Errorf("roleId: %w", err)
	}
	return &engine.RoleAssignment{ID: id, RoleID: role, ObjectID: d.ObjectID, ObjectIDType: d.ObjectIDType,
		Path: d.Path, TenantID: d.TenantID}, nil
}

// endpointDoc is an endpoint.
type endpointDoc struct {
	ID                        string   `json:"id,omitempty"`
	Type                      string   `json:"type"`
	EventTypes                []string `json:"eventTypes"`
	ConnectionString          string   `json:"connectionString,omitempty"`
	SecondaryConnectionString string   `json:"secondaryConnectionString,omitempty"`
	Path                      string   `json:"path,omitempty"`
}

func endpointDocOf(e *engine.Endpoint) *endpointDoc {
	return &endpointDoc{ID: e.ID.String(), Type: e.Type, EventTypes: append([]string{}, e.EventTypes...),
		ConnectionString: e.ConnectionString, SecondaryConnectionString: e.SecondaryConnectionString, Path: e.Path}
}

func (d *endpointDoc) object(_ *engine.View, id engine.ID) (engine.Object, error) {
	return &engine.Endpoint{ID: id, Type: d.Type, EventTypes: d.EventTypes, ConnectionString: d.ConnectionString,
		SecondaryConnectionString: d.SecondaryConnectionString, Path: d.Path}, nil
}

// resourceDoc is a space resource.
type resourceDoc struct {
	ID      string `json:"id,omitempty"`
	SpaceID string `json:"spaceId"`
	Type    string `json:"type"`
	Size    string `json:"size,omitempty"`
	Region  string `json:"region,omitempty"`
	Status  string `json:"status,omitempty"`
}

func resourceDocOf(r *engine.Resource) *resourceDoc {
	return &resourceDoc{ID: r.ID.String(), SpaceID: idString(r.SpaceID), Type: r.Type, Size: r.Size, Region: r.Region, Status: r.Status}
}

func (d *resourceDoc) object(_ *engine.View, id engine.ID) (engine.Object, error) {
	space, err := parseOptID("spaceId", d.SpaceID)
	if err != nil {
		return nil, err
	}
	return &engine.Resource{ID: id, SpaceID: space, Type: d.Type, Size: d.Size, Region: d.Region, Status: d.Status}, nil
}

// propertyKeyDoc is a property key.
type propertyKeyDoc struct {
	ID                int    `json:"id,omitempty"`
	Name              string `json:"name"`
	SpaceID           string `json:"spaceId,omitempty"`
	Scope             string `json:"scope"`
	PrimitiveDataType string `json:"primitiveDataType,omitempty"`
	Category          string `json:"category,omitempty"`
	Description       string `json:"description,omitempty"`
	ValidationData    string `json:"validationData,omitempty"`
	Min               string `json:"min,omitempty"`
	Max               string `json:"max,omitempty"`
}

func propertyKeyDocOf(k *engine.PropertyKey) *propertyKeyDoc {
	return &propertyKeyDoc{ID: k.ID, Name: k.Name, SpaceID: idString(k.SpaceID), Scope: k.Scope,
		PrimitiveDataType: k.PrimitiveDataType, Category: k.Category, Description: k.Description,
		ValidationData: k.ValidationData, Min: k.Min, Max: k.Max}
}

func (d *propertyKeyDoc) object(_ *engine.View, _ engine.ID) (engine.Object, error) {
	space, err := parseOptID("spaceId", d.SpaceID)
	if err != nil {
		return nil, err
	}
	return &engine.PropertyKey{Name: d.Name, SpaceID: space, Scope: d.Scope, PrimitiveDataType: d.PrimitiveDataType,
		Category: d.Category, Description: d.Description, ValidationData: d.ValidationData, Min: d.Min, Max: d.Max}, nil
}

// typeDoc is an extended type.
type typeDoc struct {
	ID           int    `json:"id,omitempty"`
	Category     string `json:"category"`
	Name         string `json:"name"`
	FriendlyName string `json:"friendlyName,omitempty"`
	Description  string `json:"description,omitempty"`
	Disabled     bool   `json:"disabled"`
	LogicalOrder int    `json:"logicalOrder"`
	SpaceID      string `json:"spaceId,omitempty"`
	Ontologies   []int  `json:"ontologies,omitempty"`
}

func typeDocOf(t *engine.ExtendedType) *typeDoc {
	return &typeDoc{ID: t.ID, Category: string(t.Category), Name: t.Name, FriendlyName: t.FriendlyName,
		Description: t.Description, Disabled: t.Disabled, LogicalOrder: t.LogicalOrder, SpaceID: idString(t.SpaceID),
		Ontologies: t.Ontologies}
}

func (d *typeDoc) object(_ *engine.View, _ engine.ID) (engine.Object, error) {
	space, err := parseOptID("spaceId", d.SpaceID)
	if err != nil {
		return nil, err
	}
	c, err := engine.ParseCategory(d.Category)
	if err != nil {
		return nil, fmt.Errorf("category: %w", err)
	}
	return &engine.ExtendedType{Category: c, Name: d.Name, FriendlyName: d.FriendlyName, Description: d.Description,
		Disabled: d.Disabled, LogicalOrder: d.LogicalOrder, SpaceID: space, Ontologies: d.Ontologies}, nil
}

// ontologyDoc is an ontology; only loaded may change.
type ontologyDoc struct {
	ID          int        `json:"id"`
	Name        string     `json:"name"`
	Description string     `json:"description,omitempty"`
	Loaded      bool       `json:"loaded"`
	Types       []*typeDoc `json:"types,omitempty"`
}

func simpleInputOf(k engine.Kind, old engine.Object) input {
	switch k {
	case engine.KindMatcher:
		if old == nil {
			return &matcherDoc{}
		}
		return matcherDocOf(old.(*engine.Matcher))
	case engine.KindUDF:
		if old == nil {
			return &udfDoc{}
		}
		return udfDocOf(old.(*engine.UDF), true)
	case engine.KindRoleAssignment:
		return &roleAssignmentDoc{}
	case engine.KindEndpoint:
		if old == nil {
			return &endpointDoc{}
		}
		return endpointDocOf(old.(*engine.Endpoint))
	case engine.KindResource:
		if old == nil {
			return &resourceDoc{}
		}
		return resourceDocOf(old.(*engine.Resource))
	case engine.KindPropertyKey:
		if old == nil {
			return &propertyKeyDoc{}
		}
		return propertyKeyDocOf(old.(*engine.PropertyKey))
	case engine.KindType:
		if old == nil {
			return &typeDoc{}
		}
		return typeDocOf(old.(*engine.ExtendedType))
	}
	return nil
}

// renderSimple renders the objects that are not navigable.
func (c *call) renderSimple(v *engine.View, o engine.Object, inc map[string]bool) any {
	switch x := o.(type) {
	case *engine.Matcher:
		d := matcherDocOf(x)
		if inc["userdefinedfunctions"] {
			for _, u := range v.UDFs() {
				for _, m := range u.MatcherIDs {
					if m == x.ID && canRead(v, c.p, engine.KindUDF, u.ID) {
						d.UDFs = append(d.UDFs, udfDocOf(u, false))
					}
				}
			}
		}
		return d
	case *engine.UDF:
		return udfDocOf(x, inc["script"])
	case *engine.RoleAssignment:
		return roleAssignmentDocOf(x)
	case *engine.Endpoint:
		return endpointDocOf(x)
	case *engine.Resource:
		return resourceDocOf(x)
	case *engine.PropertyKey:
		return propertyKeyDocOf(x)
	case *engine.ExtendedType:
		return typeDocOf(x)
	case *engine.Ontology:
		d := &ontologyDoc{ID: x.ID, Name: x.Name, Description: x.Description, Loaded: x.Loaded}
		if inc["types"] {
			for _, t := range v.Types("") {
				for _, oid := range t.Ontologies {
					if oid == x.ID {
						d.Types = append(d.Types, typeDocOf(t))
					}
				}
			}
		}
		return d
	}
	return nil
}

// spaceScope filters objects of a space by the spaceId and traverse
// parameters: the anchor only (None) or its subtree (Down); no spaceId:
// everything.
func spaceScope(v *engine.View, q url.Values) (func(engine.ID) bool, error) {
	anchor, err := optID(q, "spaceId")
	if err != nil || anchor.IsZero() {
		return func(engine.ID) bool { return true }, err
	}
	t, err := engine.ParseTraverse(q.Get("traverse"))
	if err != nil {
		return nil, err
	}
	switch t {
	case engine.TraverseNone:
		return func(id engine.ID) bool { return id == anchor }, nil
	case engine.TraverseDown:
		return func(id engine.ID) bool { return !id.IsZero() && v.IsWithin(id, anchor) }, nil
	case engine.TraverseUp:
		return func(id engine.ID) bool { return id.IsZero() || v.IsWithin(anchor, id) }, nil
	}
	return nil, fmt.Errorf("%w: traverse=%s is not supported on this route", engine.ErrInvalid, t)
}

func inList(list []string, s string) bool {
	if len(list) == 0 {
		return true
	}
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// listSimple is GET on the routes of matchers, UDFs, role assignments,
// endpoints, resources, property keys, types and ontologies: every
// object of kind k the caller may read that keep accepts.
func listSimple(k engine.Kind, known []string) func(c *call) (any, error) {
	return func(c *call) (any, error) {
		q := c.r.URL.Query()
		inc, err := includes(q, known...)
		if err != nil {
			return nil, err
		}
		var out []any
		err = c.s.e.View(func(v *engine.View) error {
			keep, err := simpleFilter(v, k, q)
			if err != nil {
				return err
			}
			for _, o := range allOf(v, k) {
				if canRead(v, c.p, k, o.ObjectKey()) && keep(o) {
					out = append(out, c.render(v, o, inc))
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		if out == nil {
			out = []any{}
		}
		return page(c, out)
	}
}

// allOf lists the objects of a kind that is not navigable.
func allOf(v *engine.View, k engine.Kind) []engine.Object {
	var out []engine.Object
	add := func(o engine.Object) { out = append(out, o) }
	switch k {
	case engine.KindMatcher:
		for _, x := range v.Matchers() {
			add(x)
		}
	case engine.KindUDF:
		for _, x := range v.UDFs() {
			add(x)
		}
	case engine.KindRoleAssignment:
		for _, x := range v.RoleAssignments() {
			add(x)
		}
	case engine.KindEndpoint:
		for _, x := range v.Endpoints() {
			add(x)
		}
	case engine.KindResource:
		for _, x := range v.Resources() {
			add(x)
		}
	case engine.KindPropertyKey:
		for _, x := range v.PropertyKeys() {
			add(x)
		}
	case engine.KindType:
		for _, x := range v.Types("") {
			add(x)
		}
	case engine.KindOntology:
		for _, x := range v.Ontologies() {
			add(x)
		}
	}
	return out
}

// simpleFilter is the filter of a simple collection's query parameters.
func simpleFilter(v *engine.View, k engine.Kind, q url.Values) (func(engine.Object) bool, error) {
	in, err := spaceScope(v, q)
	if err != nil {
		return nil, err
	}
	ids, names := list(q.Get("ids")), list(q.Get("names"))
	switch k {
	case engine.KindMatcher, engine.KindUDF:
		return func(o engine.Object) bool {
			name := ""
			if m, ok := o.(*engine.Matcher); ok {
				name = m.Name
			} else {
				name = o.(*engine.UDF).Name
			}
			return in(createSpace(o, v)) && inList(ids, o.ObjectKey().String()) && inList(names, name)
		}, nil
	case engine.KindRoleAssignment:
		path, obj := q.Get("path"), q.Get("objectId")
		down := strings.EqualFold(q.Get("traverse"), "Down")
		return func(o engine.Object) bool {
			r := o.(*engine.RoleAssignment)
			okPath := path == "" || r.Path == strings.TrimRight(path, "/") || r.Path == path ||
				down && strings.HasPrefix(r.Path, strings.TrimRight(path, "/")+"/")
			return okPath && (obj == "" || strings.EqualFold(obj, r.ObjectID))
		}, nil
	case engine.KindEndpoint:
		types, evs := list(q.Get("types")), list(q.Get("eventTypes"))
		return func(o engine.Object) bool {
			e := o.(*engine.Endpoint)
			if !inList(types, e.Type) {
				return false
			}
			for _, et := range e.EventTypes {
				if inList(evs, et) {
					return true
				}
			}
			return len(evs) == 0
		}, nil
	case engine.KindResource:
		typ := q.Get("type")
		return func(o engine.Object) bool {
			r := o.(*engine.Resource)
			return in(r.SpaceID) && (typ == "" || strings.EqualFold(typ, r.Type))
		}, nil
	case engine.KindPropertyKey:
		scope, cat := list(q.Get("scope")), list(q.Get("category"))
		return func(o engine.Object) bool {
			pk := o.(*engine.PropertyKey)
			return in(pk.SpaceID) && inList(scope, pk.Scope) && inList(cat, pk.Category) && inList(names, pk.Name)
		}, nil
	case engine.KindType:
		return typeFilter(v, q, in, ids, names)
	case engine.KindOntology:
		loaded := q.Get("loaded")
		return func(o engine.Object) bool {
			on := o.(*engine.Ontology)
			return inList(names, on.Name) && (loaded == "" || strconv.FormatBool(on.Loaded) == strings.ToLower(loaded))
		}, nil
	}
	return func(engine.Object) bool { return true }, nil
}

func typeFilter(v *engine.View, q url.Values, in func(engine.ID) bool, ids, names []string) (func(engine.Object) bool, error) {
	cats := list(q.Get("categories"))
	system, disabled := q.Get("system"), q.Get("disabled")
	for _, b := range []string{"system", "disabled"} {
		if _, err := boolParam(q, b); err != nil {
			return nil, err
		}
	}
	return func(o engine.Object) bool {
		t := o.(*engine.ExtendedType)
		return (q.Get("spaceId") == "" || in(t.SpaceID)) && inList(cats, string(t.Category)) && inList(names, t.Name) &&
			inList(ids, strconv.Itoa(t.ID)) &&
			(system == "" || strconv.FormatBool(t.SpaceID.IsZero()) == strings.ToLower(system)) &&
			(disabled == "" || strconv.FormatBool(t.Disabled) == strings.ToLower(disabled))
	}, nil
}
