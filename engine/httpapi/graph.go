package httpapi

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/twinstudio/twinstudio/engine"
)

// navParams are the navigation parameters of the spaces, devices,
// sensors and users routes.
var navParams = []string{"spaceId", "traverse", "minLevel", "maxLevel", "minRelative", "maxRelative",
	"ids", "names", "name", "types", "subtypes", "propertyKey", "propertyValue", "propertyValueSearchType",
	"includes", "$top", "$skip"}

func withParams(base []string, more ...string) []string {
	return append(append([]string(nil), base...), more...)
}

// list splits a multi-value parameter on ';' and ','.
func list(s string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == ',' }) {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func boolParam(q url.Values, name string) (bool, error) {
	s := q.Get(name)
	if s == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		return false, fmt.Errorf("%w: %s=%q (want true or false)", engine.ErrInvalid, name, s)
	}
	return b, nil
}

func levelParam(q url.Values, name string) (engine.Level, error) {
	s := q.Get(name)
	if s == "" {
		return engine.Level{}, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < -1000 || n > 1000 {
		return engine.Level{}, fmt.Errorf("%w: %s=%q (want an integer)", engine.ErrInvalid, name, s)
	}
	return engine.L(n), nil
}

func idList(name, s string) ([]engine.ID, error) {
	var out []engine.ID
	for _, f := range list(s) {
		id, err := engine.ParseID(f)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %q is not an id", engine.ErrInvalid, name, f)
		}
		out = append(out, id)
	}
	return out, nil
}

// optID parses an optional id parameter.
func optID(q url.Values, name string) (engine.ID, error) {
	s := q.Get(name)
	if s == "" {
		return engine.NilID, nil
	}
	id, err := engine.ParseID(s)
	if err != nil {
		return engine.NilID, fmt.Errorf("%w: %s=%q is not an id", engine.ErrInvalid, name, s)
	}
	return id, nil
}

// parseQuery maps the navigation parameters onto an engine query of kind k
// for principal p.
func parseQuery(q url.Values, k engine.Kind, p *engine.Principal) (engine.Query, error) {
	out := engine.Query{Kind: k, Principal: p}
	var err error
	if out.SpaceID, err = optID(q, "spaceId"); err != nil {
		return out, err
	}
	if out.Traverse, err = engine.ParseTraverse(q.Get("traverse")); err != nil {
		return out, err
	}
	if out.MinLevel, err = levelParam(q, "minLevel"); err != nil {
		return out, err
	}
	if out.MaxLevel, err = levelParam(q, "maxLevel"); err != nil {
		return out, err
	}
	for name, dst := range map[string]*bool{"minRelative": &out.MinRelative, "maxRelative": &out.MaxRelative, "useParentSpace": &out.UseParentSpace} {
		if *dst, err = boolParam(q, name); err != nil {
			return out, err
		}
	}
	if out.IDs, err = idList("ids", q.Get("ids")); err != nil {
		return out, err
	}
	out.Names = append(append(list(q.Get("names")), list(q.Get("name"))...), list(q.Get("upn"))...)
	out.Types = list(q.Get("types"))
	out.Subtypes = list(q.Get("subtypes"))
	out.HardwareIDs = list(q.Get("hardwareIds"))
	out.DataTypes = list(q.Get("dataTypes"))
	out.PropertyKey, out.PropertyValue = q.Get("propertyKey"), q.Get("propertyValue")
	switch st := q.Get("propertyValueSearchType"); {
	case st == "" || strings.EqualFold(st, "Equals"):
	case strings.EqualFold(st, "Contains"):
		out.PropertyContains = true
	default:
		return out, fmt.Errorf("%w: propertyValueSearchType=%q (want Equals or Contains)", engine.ErrInvalid, st)
	}
	if out.PropertyValue != "" && out.PropertyKey == "" {
		return out, fmt.Errorf("%w: propertyValue needs propertyKey", engine.ErrInvalid)
	}
	return out, nil
}

// paging reads $top and $skip.
func paging(q url.Values) (top, skip int, err error) {
	top = -1
	for name, dst := range map[string]*int{"$top": &top, "$skip": &skip} {
		s := q.Get(name)
		if s == "" {
			continue
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return 0, 0, fmt.Errorf("%w: %s=%q (want a non-negative integer)", engine.ErrInvalid, name, s)
		}
		*dst = n
	}
	return top, skip, nil
}

// page applies $top and $skip to a list.
func page[T any](c *call, all []T) ([]T, error) {
	top, skip, err := paging(c.r.URL.Query())
	if err != nil {
		return nil, err
	}
	if skip >= len(all) {
		return []T{}, nil
	}
	all = all[skip:]
	if top >= 0 && top < len(all) {
		all = all[:top]
	}
	return all, nil
}

// includes parses the includes parameter against the names a route
// knows (lower case); an unknown name is a 400.
func includes(q url.Values, known ...string) (map[string]bool, error) {
	out := map[string]bool{}
	for _, n := range list(q.Get("includes")) {
		n = strings.ToLower(n)
		ok := false
		for _, k := range known {
			ok = ok || k == n
		}
		if !ok {
			return nil, fmt.Errorf("%w: includes=%s: unknown (this route knows %s)", engine.ErrInvalid, n, strings.Join(known, ", "))
		}
		out[n] = true
	}
	return out, nil
}

// Include names per route. Names that add nothing (the field is always
// there: fullpath, types, properties, location, timezone, description)
// are accepted as the preview accepted them.
var (
	alwaysIncluded  = []string{"fullpath", "types", "properties", "location", "timezone", "description", "none"}
	spaceIncludes   = withParams(alwaysIncluded, "values", "devices", "sensors", "users", "children", "sensorsvalues", "sensorsproperties", "sensorstypes")
	deviceIncludes  = withParams(alwaysIncluded, "sensors", "sensorsvalues", "sensorsproperties", "sensorstypes", "devicekey", "connectionstring")
	sensorIncludes  = withParams(alwaysIncluded, "value", "values")
	userIncludes    = withParams(alwaysIncluded)
	matcherIncludes = withParams(alwaysIncluded, "conditions", "userdefinedfunctions")
	udfIncludes     = withParams(alwaysIncluded, "matchers", "contentinfo", "script")
)

// spaceOut is a space with its includes.
type spaceOut struct {
	*engine.SpaceDoc
	Children []*engine.SpaceDoc  `json:"children,omitempty"`
	Devices  []*deviceOut        `json:"devices,omitempty"`
	Sensors  []*engine.SensorDoc `json:"sensors,omitempty"`
	Users    []*engine.UserDoc   `json:"users,omitempty"`
}

// deviceOut is a device with its includes.
type deviceOut struct {
	*engine.DeviceDoc
	DeviceKey        string `json:"deviceKey,omitempty"`
	ConnectionString string `json:"connectionString,omitempty"`
}

func (c *call) spaceOut(v *engine.View, s *engine.Space, inc map[string]bool) *spaceOut {
	o := &spaceOut{SpaceDoc: v.SpaceDoc(s, inc["values"])}
	if inc["children"] {
		for _, ch := range v.ChildSpaces(s.ID) {
			if canRead(v, c.p, engine.KindSpace, ch.ID) {
				o.Children = append(o.Children, v.SpaceDoc(ch, inc["values"]))
			}
		}
	}
	if inc["devices"] {
		for _, d := range v.SpaceDevices(s.ID) {
			if canRead(v, c.p, engine.KindDevice, d.ID) {
				o.Devices = append(o.Devices, c.deviceOut(v, d, map[string]bool{}))
			}
		}
	}
	if inc["sensors"] || inc["sensorsvalues"] {
		for _, sn := range v.SpaceSensors(s.ID) {
			if canRead(v, c.p, engine.KindSensor, sn.ID) {
				o.Sensors = append(o.Sensors, v.SensorDoc(sn))
			}
		}
	}
	if inc["users"] {
		for _, u := range v.SpaceUsers(s.ID) {
			if canRead(v, c.p, engine.KindUser, u.ID) {
				o.Users = append(o.Users, v.UserDoc(u))
			}
		}
	}
	return o
}

func (c *call) deviceOut(v *engine.View, d *engine.Device, inc map[string]bool) *deviceOut {
	o := &deviceOut{DeviceDoc: v.DeviceDoc(d, false)}
	if inc["sensors"] || inc["sensorsvalues"] || inc["sensorsproperties"] || inc["sensorstypes"] {
		for _, s := range v.DeviceSensors(d.ID) {
			if canRead(v, c.p, engine.KindSensor, s.ID) {
				o.Sensors = append(o.Sensors, v.SensorDoc(s))
			}
		}
	}
	// The key is a credential: only for those who may change the device.
	if (inc["devicekey"] || inc["connectionstring"]) && v.Authorize(c.p, engine.ActionUpdate, engine.ResDevice, d.ID) == nil {
		o.DeviceKey = d.Key
		if inc["connectionstring"] {
			o.ConnectionString = "HostName=localhost;DeviceId=" + d.HardwareID + ";SharedAccessKey=" + d.Key
		}
	}
	return o
}

// render renders a graph object with its includes.
func (c *call) render(v *engine.View, o engine.Object, inc map[string]bool) any {
	switch x := o.(type) {
	case *engine.Space:
		return c.spaceOut(v, x, inc)
	case *engine.Device:
		return c.deviceOut(v, x, inc)
	case *engine.Sensor:
		return v.SensorDoc(x)
	case *engine.User:
		return v.UserDoc(x)
	}
	return c.renderSimple(v, o, inc)
}

// graphIncludes are the includes of the four navigable kinds.
var graphIncludes = map[engine.Kind][]string{
	engine.KindSpace: spaceIncludes, engine.KindDevice: deviceIncludes,
	engine.KindSensor: sensorIncludes, engine.KindUser: userIncludes,
}

// listGraph is GET /spaces, /devices, /sensors and /users.
func listGraph(k engine.Kind) func(c *call) (any, error) {
	return func(c *call) (any, error) {
		q := c.r.URL.Query()
		inc, err := includes(q, graphIncludes[k]...)
		if err != nil {
			return nil, err
		}
		nq, err := parseQuery(q, k, &c.p)
		if err != nil {
			return nil, err
		}
		var out []any
		err = c.s.e.View(func(v *engine.View) error {
			if !nq.SpaceID.IsZero() && !canRead(v, c.p, engine.KindSpace, nq.SpaceID) {
				return notFound(engine.KindSpace, nq.SpaceID.String())
			}
			res, err := v.Query(nq)
			if err != nil {
				return err
			}
			out = make([]any, 0, res.Len())
			for _, o := range resultObjects(res) {
				out = append(out, c.render(v, o, inc))
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		return page(c, out)
	}
}

func resultObjects(r *engine.Result) []engine.Object {
	out := make([]engine.Object, 0, r.Len())
	for _, x := range r.Spaces {
		out = append(out, x)
	}
	for _, x := range r.Devices {
		out = append(out, x)
	}
	for _, x := range r.Sensors {
		out = append(out, x)
	}
	for _, x := range r.Users {
		out = append(out, x)
	}
	return out
}

// getObject is GET /{kind}/{id} for GUID-keyed kinds.
func getObject(k engine.Kind, known []string) func(c *call) (any, error) {
	return func(c *call) (any, error) {
		inc, err := includes(c.r.URL.Query(), known...)
		if err != nil {
			return nil, err
		}
		id, err := c.id("id")
		if err != nil {
			return nil, err
		}
		var out any
		err = c.s.e.View(func(v *engine.View) error {
			o, err := c.see(v, k, id, id.String())
			if err == nil {
				out = c.render(v, o, inc)
			}
			return err
		})
		return out, err
	}
}

// deleteObject is DELETE /{kind}/{id}.
func deleteObject(k engine.Kind) func(c *call) (any, error) {
	return func(c *call) (any, error) {
		key, label, err := c.key(k)
		if err != nil {
			return nil, err
		}
		return nil, c.s.update(func(tx *engine.Tx) error {
			if _, err := c.may(&tx.View, k, key, label, engine.ActionDelete); err != nil {
				return err
			}
			return tx.DeleteObject(k, key)
		})
	}
}

// key is the object key of the {id} path value for kind k: a GUID, or
// IntKey of an integer id.
func (c *call) key(k engine.Kind) (engine.ID, string, error) {
	switch k {
	case engine.KindPropertyKey, engine.KindType, engine.KindOntology:
		n, err := c.intID("id")
		return engine.IntKey(n), strconv.Itoa(n), err
	}
	id, err := c.id("id")
	return id, id.String(), err
}
