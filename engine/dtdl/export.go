package dtdl

import (
	"encoding/json"
	"io"
	"sort"
	"strings"

	"github.com/twinstudio/twinstudio/engine"
)

// maxText is the longest displayName, description or comment DTDL allows.
const maxText = 512

// exportKey is a property key as exported: its DTDL name on its base.
type exportKey struct {
	key  *engine.PropertyKey
	name string
}

// exporter holds what Models derives from a view, for the twins too.
type exporter struct {
	v      *engine.View
	keys   map[string]map[string]exportKey // scope → key name → key
	models map[engine.Category]map[string]string
	ifaces []Interface
}

// Models returns the DTDL Interfaces of the project in v: the base
// interfaces (Space, Device, Sensor, User) with the standard fields and the
// property keys of their scope, then one Interface per space type, device
// type, sensor type and sensor data type that is enabled, custom or in use
// (None excepted), by category then name. The result depends only on the
// project's contents. v must stay valid while Models runs.
func Models(v *engine.View) []Interface {
	return newExporter(v).ifaces
}

func newExporter(v *engine.View) *exporter {
	x := &exporter{v: v, keys: map[string]map[string]exportKey{}, models: map[engine.Category]map[string]string{}}
	for _, b := range bases {
		x.ifaces = append(x.ifaces, b.interfaceOf(x.keyContents(b)))
	}
	used := x.typesInUse()
	for _, tk := range typeKinds {
		x.models[tk.cat] = map[string]string{}
		n := newNamer(MaxInterfaceIDLen - len("dtmi:twinstudio:"+tk.kind+":;1"))
		for _, t := range exportedTypes(v, tk.cat, used) {
			id := "dtmi:twinstudio:" + tk.kind + ":" + n.name(t.Name) + ";1"
			x.models[tk.cat][strings.ToLower(t.Name)] = id
			x.ifaces = append(x.ifaces, Interface{Context: Context, ID: id, Type: "Interface",
				DisplayName: t.Name, Description: clip(t.Description), Extends: []string{tk.base}})
		}
	}
	return x
}

// keyContents returns the Properties of the property keys of b's scope,
// by name; a name defined in several subtrees is exported once, as its
// oldest key (lowest id) defines it. A key named like a standard field is
// left out: the field carries it.
func (x *exporter) keyContents(b *base) []Content {
	n := newNamer(512, b.fields...)
	for _, r := range b.rels {
		n.taken[strings.ToLower(r[0])] = true
	}
	byName := map[string]exportKey{}
	var out []Content
	for _, k := range x.v.PropertyKeys() { // by name, then id
		if k.Scope != b.scope || b.standardField(k.Name) {
			continue
		}
		if _, dup := byName[k.Name]; dup {
			continue
		}
		name := n.name(k.Name)
		byName[k.Name] = exportKey{key: k, name: name}
		schema, note := schemaOf(k, name)
		out = append(out, Content{Type: "Property", Name: name, Schema: schema, Writable: true,
			Description: clip(k.Description), Comment: note.comment()})
	}
	x.keys[b.scope] = byName
	return out
}

// exportedTypes lists the types of c worth an interface, by name, one per
// name (without regard to case).
func exportedTypes(v *engine.View, c engine.Category, used map[int]bool) []*engine.ExtendedType {
	seen := map[string]bool{}
	var out []*engine.ExtendedType
	ts := v.Types(c)
	sort.SliceStable(ts, func(i, j int) bool { return ts[i].ID < ts[j].ID })
	for _, t := range ts {
		lower := strings.ToLower(t.Name)
		if lower == "none" || seen[lower] {
			continue
		}
		if used[t.ID] || t.ID >= engine.FirstCustomTypeID || v.TypeEnabled(t.ID) {
			seen[lower] = true
			out = append(out, t)
		}
	}
	sort.Slice(out, func(i, j int) bool { return strings.ToLower(out[i].Name) < strings.ToLower(out[j].Name) })
	return out
}

// typesInUse returns the ids of the types spaces, devices and sensors use.
func (x *exporter) typesInUse() map[int]bool {
	used := map[int]bool{}
	walk(x.v, func(s *engine.Space) { used[s.TypeID] = true },
		func(d *engine.Device) { used[d.TypeID] = true },
		func(s *engine.Sensor) { used[s.TypeID], used[s.DataTypeID] = true, true })
	return used
}

// walk visits the spaces depth first (siblings by name, then id), each
// space's devices and each device's sensors, in the same order.
func walk(v *engine.View, space func(*engine.Space), device func(*engine.Device), sensor func(*engine.Sensor)) {
	var visit func(list []*engine.Space)
	visit = func(list []*engine.Space) {
		sort.Slice(list, func(i, j int) bool { return less(list[i].Name, list[j].Name, list[i].ID, list[j].ID) })
		for _, s := range list {
			space(s)
			devs := v.SpaceDevices(s.ID)
			sort.Slice(devs, func(i, j int) bool { return less(devs[i].Name, devs[j].Name, devs[i].ID, devs[j].ID) })
			for _, d := range devs {
				device(d)
				sens := v.DeviceSensors(d.ID)
				sort.Slice(sens, func(i, j int) bool {
					return less(sens[i].HardwareID, sens[j].HardwareID, sens[i].ID, sens[j].ID)
				})
				for _, se := range sens {
					sensor(se)
				}
			}
			visit(v.ChildSpaces(s.ID))
		}
	}
	visit(v.Roots())
}

func less(a, b string, ia, ib engine.ID) bool {
	if a != b {
		return a < b
	}
	return ia.String() < ib.String()
}

// clip bounds text to what DTDL allows in a description.
func clip(s string) string {
	if r := []rune(s); len(r) > maxText {
		return string(r[:maxText])
	}
	return s
}

// WriteModels writes ifaces as an indented JSON array.
func WriteModels(w io.Writer, ifaces []Interface) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(ifaces)
}
