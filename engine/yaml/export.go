package yaml

import (
	"bytes"
	"cmp"
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/twinstudio/twinstudio/engine"
	yamlv3 "go.yaml.in/yaml/v3"
)

// ExportOptions vary what Export writes.
type ExportOptions struct {
	// Inline writes each UDF's script into the YAML (`source: |`) and
	// leaves floor plan backgrounds out (with a comment saying so), so
	// that the YAML stands alone (for standard output). Otherwise scripts
	// and backgrounds are separate files (Exported.Files) that the YAML
	// names by path.
	Inline bool
}

// ExportFile is a file that goes beside an exported provisioning file.
type ExportFile struct {
	// Path is the file's path relative to the YAML file's folder, with
	// slashes: "udfs/motion-processor.js", "plans/floor-1/floor1.svg".
	Path string
	// Data is the file's contents: a UDF's script. For a floor plan's
	// background it is nil: the drawing is kept outside the graph, and
	// the caller reads it by Floor and Background.
	Data       []byte
	Floor      engine.ID
	Background string
}

// Exported is a graph written by Export.
type Exported struct {
	// YAML is the provisioning file.
	YAML []byte
	// Files are the scripts and backgrounds it names, in the order the
	// YAML names them (none with ExportOptions.Inline).
	Files []ExportFile
	// Left lists, one line each, what the format cannot express and the
	// file leaves out (also said in the file's head comment).
	Left []string
}

// exportHeader opens every exported file.
const exportHeader = `# Provisioning YAML exported by Twin Studio (docs/provisioning.md).
# Provisioned into an empty project it gives the same spaces, devices,
# sensors, users, resources, property keys, types, matchers, user-defined
# functions, custom roles, role assignments and floor plans, with new ids.
# Not in the format, so not written: ids, device keys, locations, values
# and their history, tokens, endpoints, and types and property keys not
# declared in a space (system types, DTDL imports).
`

// Export writes the graph v shows as a provisioning file (docs/provisioning.md)
// that, provisioned into an empty project, gives the same graph: the
// root spaces in the graph's order, each with (in this order) its
// fields, properties, the custom roles (on the first root only, by
// name: they are the project's), property keys and types declared in
// it, resources,
// devices with their sensors, users, matchers with their conditions,
// user-defined functions with their matcherNames and limits, role
// assignments, its floor plan (as FloorPlanBlock writes it) and its
// child spaces. Children keep the graph's order; items the graph keeps
// in no order (resources, property keys, types, role assignments) are
// sorted by what they hold, so the same graph always gives the same
// bytes, and exporting a project provisioned from an export gives the
// export again.
//
// What the format cannot express is left out and listed in the head
// comment and in Exported.Left: role assignments on the root path "/",
// or naming a function or device that cannot be named
// from their space; matcher names a function cannot reach by name.
// Errors wrap engine.ErrNotFound for a graph that refers to objects it
// does not hold.
func Export(v *engine.View, opts ExportOptions) (*Exported, error) {
	x := &exporter{v: v, opts: opts, paths: map[string]bool{}, roles: map[engine.ID][]*engine.RoleAssignment{}}
	for _, ra := range v.RoleAssignments() {
		i := strings.LastIndexByte(ra.Path, '/')
		id, err := engine.ParseID(ra.Path[i+1:])
		if err != nil || i < 0 {
			x.left("a role assignment on the path %q (only assignments on a space can be written)", ra.Path)
			continue
		}
		x.roles[id] = append(x.roles[id], ra)
	}
	for _, r := range v.Roles() {
		if !r.System {
			x.custom = append(x.custom, r)
		}
	}
	root := &yamlv3.Node{Kind: yamlv3.SequenceNode}
	for i, s := range v.Roots() {
		n, err := x.space(s, i == 0)
		if err != nil {
			return nil, err
		}
		root.Content = append(root.Content, n)
	}
	if len(root.Content) == 0 && len(x.custom) > 0 {
		x.left("%d custom roles (a provisioning file writes them on a space, and the project holds none)", len(x.custom))
	}
	var buf bytes.Buffer
	buf.WriteString(exportHeader)
	for _, l := range x.out.Left {
		buf.WriteString("# Left out: " + l + ".\n")
	}
	if len(root.Content) == 0 {
		buf.WriteString("# The project holds no spaces.\n[]\n")
		x.out.YAML = buf.Bytes()
		return &x.out, nil
	}
	enc := yamlv3.NewEncoder(&buf)
	enc.SetIndent(2)
	enc.CompactSeqIndent()
	if err := enc.Encode(root); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	x.out.YAML = buf.Bytes()
	return &x.out, nil
}

type exporter struct {
	v     *engine.View
	opts  ExportOptions
	out   Exported
	paths map[string]bool // file paths used
	roles map[engine.ID][]*engine.RoleAssignment
	// custom are the project's custom roles, by name.
	custom []*engine.Role
}

func (x *exporter) left(format string, args ...any) {
	x.out.Left = append(x.out.Left, fmt.Sprintf(format, args...))
}

// text is a scalar node holding s as text: plain where YAML reads it back
// as the same text, quoted where it would read as null or a merge key.
func text(s string) *yamlv3.Node {
	n := &yamlv3.Node{Kind: yamlv3.ScalarNode, Value: s}
	switch n.ShortTag() {
	case "!!str", "!!int", "!!float", "!!bool", "!!timestamp", "!!binary":
	default:
		n.Tag = "!!str"
	}
	return n
}

// mapping builds a map node of key, value pairs.
type mapping struct{ n *yamlv3.Node }

func newMapping() mapping { return mapping{&yamlv3.Node{Kind: yamlv3.MappingNode}} }

func (m mapping) add(key string, val *yamlv3.Node) {
	m.n.Content = append(m.n.Content, text(key), val)
}

func (m mapping) str(key, val string) {
	if val != "" {
		m.add(key, text(val))
	}
}

// fields adds the provisioning fields of o, an object of desc's kind,
// that differ from their defaults (properties and conditions excepted:
// the callers write them).
func (x *exporter) fields(m mapping, desc *engine.KindDesc, o engine.Object) {
	for i := range desc.Fields {
		f := &desc.Fields[i]
		if f.YAML == "" || !f.HasObject() || f.Key {
			continue
		}
		switch val := f.Value(o).(type) {
		case string:
			if f.Name == "Script" && desc.Kind == engine.KindUDF {
				continue
			}
			m.str(f.YAML, val)
		case int:
			if f.Type == engine.FieldTypeRef {
				if name := x.v.TypeName(val); name != "" && !strings.EqualFold(name, "None") {
					m.add(f.YAML, text(name))
				}
			} else if val != 0 {
				m.add(f.YAML, text(strconv.Itoa(val)))
			}
		case bool:
			if val {
				m.add(f.YAML, text("true"))
			}
		case time.Duration:
			if val != 0 {
				m.add(f.YAML, text(val.String()))
			}
		}
	}
}

// props adds `properties:` as a map of Name: value.
func props(m mapping, list []engine.Property) {
	if len(list) == 0 {
		return
	}
	pm := newMapping()
	for _, p := range list {
		pm.add(p.Name, text(p.Value))
	}
	m.add("properties", pm.n)
}

func seq(items []*yamlv3.Node) *yamlv3.Node {
	return &yamlv3.Node{Kind: yamlv3.SequenceNode, Content: items}
}

// ownList adds key: the objects of all (of kind) declared in space (by
// spaceOf), each with its fields, sorted by order: the graph keeps them
// in no order, and the same graph must give the same bytes.
func ownList[T engine.Object](x *exporter, m mapping, key string, kind engine.Kind, all []T, space engine.ID,
	spaceOf func(T) engine.ID, order func(a, b T) int) {
	var own []T
	for _, o := range all {
		if spaceOf(o) == space {
			own = append(own, o)
		}
	}
	if len(own) == 0 {
		return
	}
	slices.SortStableFunc(own, order)
	desc := engine.Describe(kind)
	items := make([]*yamlv3.Node, len(own))
	for i, o := range own {
		om := newMapping()
		x.fields(om, desc, o)
		items[i] = om.n
	}
	m.add(key, seq(items))
}

func (x *exporter) space(s *engine.Space, first bool) (*yamlv3.Node, error) {
	v := x.v
	m := newMapping()
	x.fields(m, engine.Describe(engine.KindSpace), s)
	props(m, s.Properties)
	if first && len(x.custom) > 0 {
		m.add("roles", x.customRoles())
	}

	ownList(x, m, "propertykeys", engine.KindPropertyKey, v.PropertyKeys(), s.ID,
		func(k *engine.PropertyKey) engine.ID { return k.SpaceID },
		func(a, b *engine.PropertyKey) int {
			return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.Scope, b.Scope))
		})
	ownList(x, m, "types", engine.KindType, v.Types(""), s.ID,
		func(t *engine.ExtendedType) engine.ID { return t.SpaceID },
		func(a, b *engine.ExtendedType) int {
			return cmp.Or(cmp.Compare(a.Category, b.Category), cmp.Compare(a.Name, b.Name))
		})
	ownList(x, m, "resources", engine.KindResource, v.Resources(), s.ID,
		func(r *engine.Resource) engine.ID { return r.SpaceID },
		func(a, b *engine.Resource) int { return cmp.Compare(a.Type, b.Type) })

	var items []*yamlv3.Node
	for _, d := range v.SpaceDevices(s.ID) {
		dm := newMapping()
		x.fields(dm, engine.Describe(engine.KindDevice), d)
		props(dm, d.Properties)
		var sens []*yamlv3.Node
		for _, sn := range v.DeviceSensors(d.ID) {
			sm := newMapping()
			x.fields(sm, engine.Describe(engine.KindSensor), sn)
			props(sm, sn.Properties)
			sens = append(sens, sm.n)
		}
		if len(sens) > 0 {
			dm.add("sensors", seq(sens))
		}
		items = append(items, dm.n)
	}
	if len(items) > 0 {
		m.add("devices", seq(items))
	}

	items = nil
	for _, u := range v.SpaceUsers(s.ID) {
		um := newMapping()
		x.fields(um, engine.Describe(engine.KindUser), u)
		props(um, u.Properties)
		items = append(items, um.n)
	}
	if len(items) > 0 {
		m.add("users", seq(items))
	}

	items = nil
	for _, mt := range v.Matchers() {
		if mt.SpaceID != s.ID {
			continue
		}
		mm := newMapping()
		x.fields(mm, engine.Describe(engine.KindMatcher), mt)
		var conds []*yamlv3.Node
		cs := mt.Conditions
		if len(cs) > 0 {
			// The shorthand for the usual first condition.
			c := cs[0]
			if dt, err := strconv.Unquote(c.Value); err == nil && c.Target == engine.TargetSensor && c.Path == "$.dataType" &&
				c.Comparison == engine.CompareEquals && strconv.Quote(dt) == c.Value && dt != "" {
				mm.add("dataTypeValue", text(dt))
				cs = cs[1:]
			}
		}
		for _, c := range cs {
			cm := newMapping()
			if c.Target != engine.TargetSensor {
				cm.str("target", c.Target)
			}
			cm.add("path", text(c.Path))
			cm.add("value", text(c.Value))
			if c.Comparison != engine.CompareEquals {
				cm.str("comparison", c.Comparison)
			}
			conds = append(conds, cm.n)
		}
		if len(conds) > 0 {
			mm.add("conditions", seq(conds))
		}
		items = append(items, mm.n)
	}
	if len(items) > 0 {
		m.add("matchers", seq(items))
	}

	items = nil
	for _, u := range v.UDFs() {
		if u.SpaceID != s.ID {
			continue
		}
		n, err := x.udf(s, u)
		if err != nil {
			return nil, err
		}
		items = append(items, n)
	}
	if len(items) > 0 {
		m.add("userdefinedfunctions", seq(items))
	}

	if n := x.roleAssignments(s); n != nil {
		m.add("roleassignments", n)
	}

	if p, ok := v.FloorPlan(s.ID); ok {
		n, err := x.plan(s, p)
		if err != nil {
			return nil, err
		}
		m.add("plan", n)
		if x.opts.Inline && p.Background != "" {
			m.n.Content[len(m.n.Content)-2].HeadComment = fmt.Sprintf("The background %q is left out: export to a file to get it.", p.Background)
		}
	}

	items = nil
	for _, c := range v.ChildSpaces(s.ID) {
		n, err := x.space(c, false)
		if err != nil {
			return nil, err
		}
		items = append(items, n)
	}
	if len(items) > 0 {
		m.add("spaces", seq(items))
	}
	return m.n, nil
}

// reachable reports whether name, looked for in space and then its
// ancestors (as provisioning does), finds the object with id; byName
// lists the objects of a space by name.
func (x *exporter) reachable(space engine.ID, name string, id engine.ID, inSpace func(space engine.ID, name string) (engine.ID, bool)) bool {
	for sp := space; !sp.IsZero(); {
		if got, ok := inSpace(sp, name); ok {
			return got == id
		}
		s, ok := x.v.Space(sp)
		if !ok {
			return false
		}
		sp = s.ParentID
	}
	return false
}

func (x *exporter) matcherIn(space engine.ID, name string) (engine.ID, bool) {
	for _, m := range x.v.Matchers() {
		if m.SpaceID == space && m.Name == name {
			return m.ID, true
		}
	}
	return engine.ID{}, false
}

func (x *exporter) udfIn(space engine.ID, name string) (engine.ID, bool) {
	for _, u := range x.v.UDFs() {
		if u.SpaceID == space && u.Name == name {
			return u.ID, true
		}
	}
	return engine.ID{}, false
}

func (x *exporter) udf(s *engine.Space, u *engine.UDF) (*yamlv3.Node, error) {
	m := newMapping()
	x.fields(m, engine.Describe(engine.KindUDF), u)
	// matcherNames before the script, as the format's examples write it.
	var names []*yamlv3.Node
	for _, id := range u.MatcherIDs {
		mt, ok := x.v.Matcher(id)
		if !ok {
			return nil, fmt.Errorf("%w: matcher %s of user-defined function %q", engine.ErrNotFound, id, u.Name)
		}
		if !x.reachable(s.ID, mt.Name, id, x.matcherIn) {
			x.left("matcher %q of user-defined function %q in %s (not in its space or above)", mt.Name, u.Name, x.v.FullName(s.ID))
			continue
		}
		names = append(names, text(mt.Name))
	}
	if len(names) > 0 {
		// Move matcherNames right after name (and description).
		at := 2
		if len(m.n.Content) > 2 && m.n.Content[2].Value == "description" {
			at = 4
		}
		kv := []*yamlv3.Node{text("matcherNames"), seq(names)}
		m.n.Content = slices.Insert(m.n.Content, at, kv...)
	}
	script := u.Script
	if x.opts.Inline {
		n := text(script)
		n.Tag = "!!str"
		n.Style = yamlv3.LiteralStyle
		m.add("source", n)
		return m.n, nil
	}
	p := x.file("udfs/"+slug(u.Name), ".js")
	x.out.Files = append(x.out.Files, ExportFile{Path: p, Data: []byte(script)})
	m.add("script", text(p))
	return m.n, nil
}

// file returns a free path dir/base+ext: base, then base-2, base-3 ….
func (x *exporter) file(base, ext string) string {
	p := base + ext
	for i := 2; x.paths[p]; i++ {
		p = base + "-" + strconv.Itoa(i) + ext
	}
	x.paths[p] = true
	return p
}

// slug is name in lower case with runs of other characters than letters
// and digits turned into "-" ("Motion Processor" → "motion-processor");
// "x" if nothing is left.
func slug(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		if r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
			continue
		}
		dash = true
	}
	if b.Len() == 0 {
		return "x"
	}
	return b.String()
}

func (x *exporter) roleAssignments(s *engine.Space) *yamlv3.Node {
	type row struct {
		role, typ, objKey, obj, tenant string
	}
	var rows []row
	for _, ra := range x.roles[s.ID] {
		role, err := x.v.FindRole(ra.RoleID.String()) // a system or custom role
		if err != nil {
			x.left("a role assignment of the role %s, which the project does not hold, on %s", ra.RoleID, x.v.FullName(s.ID))
			continue
		}
		r := row{role: role.Name, typ: ra.ObjectIDType, objKey: "objectId", obj: ra.ObjectID, tenant: ra.TenantID}
		switch ra.ObjectIDType {
		case engine.ObjectUserDefinedFunctionID:
			id, err := engine.ParseID(ra.ObjectID)
			u, ok := x.v.UDF(id)
			if err != nil || !ok || !x.reachable(s.ID, u.Name, u.ID, x.udfIn) {
				x.left("the %s assignment of user-defined function %s on %s (not in the space or above)", role.Name, ra.ObjectID, x.v.FullName(s.ID))
				continue
			}
			r.objKey, r.obj = "objectName", u.Name
		case engine.ObjectDeviceID:
			id, err := engine.ParseID(ra.ObjectID)
			d, ok := x.v.Device(id)
			if err != nil || !ok || d.HardwareID == "" {
				x.left("the %s assignment of device %s on %s (no such device)", role.Name, ra.ObjectID, x.v.FullName(s.ID))
				continue
			}
			r.objKey, r.obj = "objectName", d.HardwareID
		}
		rows = append(rows, r)
	}
	slices.SortFunc(rows, func(a, b row) int {
		return cmp.Or(cmp.Compare(a.role, b.role), cmp.Compare(a.typ, b.typ), cmp.Compare(a.obj, b.obj), cmp.Compare(a.tenant, b.tenant))
	})
	rows = slices.Compact(rows)
	var items []*yamlv3.Node
	for _, r := range rows {
		m := newMapping()
		m.str("role", r.role)
		m.str(r.objKey, r.obj)
		m.str("objectIdType", r.typ)
		m.str("tenantId", r.tenant)
		items = append(items, m.n)
	}
	if len(items) == 0 {
		return nil
	}
	return seq(items)
}

// customRoles is the `roles:` list: every custom role, by name, with
// its permissions and limits in their text forms.
func (x *exporter) customRoles() *yamlv3.Node {
	var items []*yamlv3.Node
	for _, r := range x.custom {
		m := newMapping()
		m.str("name", r.Name)
		if r.FriendlyName != r.Name {
			m.str("friendlyName", r.FriendlyName)
		}
		var perms, lims []*yamlv3.Node
		for _, p := range r.Permissions {
			perms = append(perms, text(engine.FormatPermission(p)))
		}
		for _, l := range r.Limits {
			lims = append(lims, text(engine.FormatValueLimit(l)))
		}
		m.add("permissions", seq(perms))
		if len(lims) > 0 {
			m.add("limits", seq(lims))
		}
		items = append(items, m.n)
	}
	return seq(items)
}

func (x *exporter) plan(s *engine.Space, p *engine.FloorPlan) (*yamlv3.Node, error) {
	b, err := planBlockOf(x.v, p)
	if err != nil {
		return nil, err
	}
	if x.opts.Inline {
		b.Background = ""
	} else if b.Background != "" {
		name := path.Base(strings.ReplaceAll(b.Background, "\\", "/"))
		if name == "." || name == "/" || name == ".." || name == "" {
			name = "background"
		}
		dir := x.file("plans/"+slug(strings.TrimPrefix(x.v.FullName(s.ID), "/")), "")
		b.Background = dir + "/" + name
		x.out.Files = append(x.out.Files, ExportFile{Path: b.Background, Floor: s.ID, Background: p.Background})
	}
	var n yamlv3.Node
	if err := n.Encode(b); err != nil {
		return nil, err
	}
	return &n, nil
}
