package dtdl

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/twinstudio/twinstudio/engine"
)

var (
	typeNameRE = regexp.MustCompile(`^[A-Za-z0-9]+$`)
	ourTypeRE  = regexp.MustCompile(`^dtmi:twinstudio:([a-z]+):[A-Za-z0-9_]+;1$`)
)

// convert turns the Interface id into a type and property keys.
func (p *parser) convert(id string, keys map[[2]string]int) error {
	m := p.byID[id]
	b, err := p.baseOf(id, 0)
	if err != nil {
		return err
	}
	own := baseByID(id)
	if own != nil {
		b = own
	} else if err := p.typeOf(id, m, b); err != nil {
		return err
	}
	if b == nil {
		b = bases[0]
	}
	contents, ok := m["contents"].([]any)
	if !ok && m["contents"] != nil {
		return p.fail(id, "contents must be an array")
	}
	for i, c := range contents {
		if err := p.content(fmt.Sprintf("contents[%d] of %s", i, id), c, b, own != nil, keys); err != nil {
			return err
		}
	}
	return nil
}

// baseOf finds the base interface id extends, directly or through
// interfaces of the file; nil for none.
func (p *parser) baseOf(id string, depth int) (*base, error) {
	if b := baseByID(id); b != nil {
		return b, nil
	}
	if depth > 10 {
		return nil, p.fail(id, "extends nests more than 10 levels deep (or in a cycle)")
	}
	var ext []any
	switch e := p.byID[id]["extends"].(type) {
	case nil:
	case string:
		ext = []any{e}
	case []any:
		ext = e
	default:
		return nil, p.fail(id, "extends must be a DTMI or an array of DTMIs")
	}
	var found *base
	for _, x := range ext {
		s, ok := x.(string)
		if !ok {
			return nil, p.fail(id, "extends: inline Interfaces are not supported; give them an @id in the file")
		}
		if baseByID(s) == nil && p.byID[s] == nil {
			return nil, p.fail(id, "extends %s, which is neither in the file nor a twinstudio base", s)
		}
		b, err := p.baseOf(s, depth+1)
		if err != nil {
			return nil, err
		}
		if b != nil && found != nil && b != found {
			return nil, p.fail(id, "extends both %s and %s", found.id, b.id)
		}
		if b != nil {
			found = b
		}
	}
	return found, nil
}

// typeOf adds the type the Interface stands for.
func (p *parser) typeOf(id string, m map[string]any, b *base) error {
	t := TypeDef{Where: id, Name: typeName(id, m["displayName"]), Description: text(m["description"])}
	if sm := ourTypeRE.FindStringSubmatch(id); sm != nil {
		for _, tk := range typeKinds {
			if tk.kind == sm[1] {
				t.Category = tk.cat
			}
		}
	}
	switch {
	case t.Category != "":
	case b == nil:
		t.Category = engine.SpaceType
		p.warn(id, "extends no twinstudio base (Space, Device, Sensor): imported as a space type")
	case b.category == "":
		p.warn(id, "extends %s, which has no types: only its properties are imported", b.id)
		return nil
	default:
		t.Category = b.category
	}
	if t.Name == "" {
		return p.fail(id, "no type name can be made of its displayName or @id")
	}
	for _, o := range p.set.Types {
		if o.Category == t.Category && strings.EqualFold(o.Name, t.Name) {
			return p.fail(id, "%s %q is also made from %s", t.Category, t.Name, o.Where)
		}
	}
	p.set.Types = append(p.set.Types, t)
	return nil
}

// typeName is the displayName when it is a valid type name, else the
// last segment of the DTMI path without its underscores.
func typeName(id string, display any) string {
	if d := text(display); typeNameRE.MatchString(d) {
		return d
	}
	path := id[:strings.IndexByte(id, ';')]
	last := path[strings.LastIndexByte(path, ':')+1:]
	return strings.ReplaceAll(last, "_", "")
}

// text reads a string or a language map (English, else the first
// language by code).
func text(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case map[string]any:
		if s, ok := x["en"].(string); ok {
			return s
		}
		langs := make([]string, 0, len(x))
		for l := range x {
			langs = append(langs, l)
		}
		sort.Strings(langs)
		for _, l := range langs {
			if s, ok := x[l].(string); ok {
				return s
			}
		}
	}
	return ""
}

// content handles one element of contents.
func (p *parser) content(where string, c any, b *base, isBase bool, keys map[[2]string]int) error {
	m, ok := c.(map[string]any)
	if !ok {
		return p.fail(where, "must be a JSON object")
	}
	name, _ := m["name"].(string)
	if !ValidName(name) {
		return p.fail(where, "name %s is not a DTDL name", quoteAny(m["name"]))
	}
	switch {
	case hasString(m["@type"], "Property"):
		if isBase && b.standardField(name) {
			return nil // a standard field, not a key
		}
		return p.property(where, name, m, b, keys)
	case hasString(m["@type"], "Relationship"):
		if !b.standardRel(name) {
			p.warn(where, "relationship %s skipped: the graph's relationships are contains, hasDevice and hasSensor", name)
		}
	case hasString(m["@type"], "Telemetry"):
		p.warn(where, "telemetry %s skipped: readings are sensor values, typed by sensor data types", name)
	case hasString(m["@type"], "Command"):
		p.warn(where, "command %s skipped: the graph has no commands", name)
	case hasString(m["@type"], "Component"):
		return p.fail(where, "Component %s is not supported; put its properties in the Interface", name)
	default:
		return p.fail(where, "@type %s is not Property, Relationship, Telemetry, Command or Component", quoteAny(m["@type"]))
	}
	return nil
}

func (b *base) standardRel(name string) bool {
	for _, r := range bases {
		for _, rel := range r.rels {
			if rel[0] == name {
				return true
			}
		}
	}
	return false
}

// property makes a property key of scope b.scope from a Property; the
// caller skips the standard fields of the base interfaces.
func (p *parser) property(where, name string, m map[string]any, b *base, keys map[[2]string]int) error {
	prim, vdata, err := primitiveOf(m["schema"], p.resolve)
	if err != nil {
		return p.fail(where, "%v", err)
	}
	k := engine.PropertyKey{Name: name, Scope: b.scope, PrimitiveDataType: prim, ValidationData: vdata,
		Description: text(m["description"])}
	if err := applyNote(&k, text(m["comment"])); err != nil {
		return p.fail(where, "comment: %v", err)
	}
	id := [2]string{k.Scope, strings.ToLower(k.Name)}
	if i, ok := keys[id]; ok {
		if o := p.set.Keys[i]; o.Key != k {
			return p.fail(where, "property %s of %s is defined differently in %s", k.Name, k.Scope, o.Where)
		}
		return nil
	}
	keys[id] = len(p.set.Keys)
	p.set.Keys = append(p.set.Keys, KeyDef{Where: where, Key: k})
	return nil
}

// applyNote overlays the "twinstudio:{…}" note of a comment on k.
func applyNote(k *engine.PropertyKey, comment string) error {
	rest, ok := strings.CutPrefix(comment, notePrefix)
	if !ok {
		return nil
	}
	var n keyNote
	dec := json.NewDecoder(strings.NewReader(rest))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&n); err != nil {
		return fmt.Errorf("%s note: %v", strings.TrimSuffix(notePrefix, ":"), err)
	}
	if n.Name != "" {
		k.Name = n.Name
	}
	if n.PrimitiveDataType != "" {
		prim, ok := primitiveName(n.PrimitiveDataType)
		if !ok {
			return fmt.Errorf("primitiveDataType %q is not a property key type", n.PrimitiveDataType)
		}
		k.PrimitiveDataType = prim
	}
	if n.ValidationData != "" {
		k.ValidationData = n.ValidationData
	}
	k.Category, k.Min, k.Max = n.Category, n.Min, n.Max
	return nil
}

// resolve finds a schema defined with an @id in the schemas of any
// Interface of the file.
func (p *parser) resolve(id string) (any, bool) {
	for _, iid := range p.order {
		list, _ := p.byID[iid]["schemas"].([]any)
		for _, s := range list {
			if m, ok := s.(map[string]any); ok && m["@id"] == id {
				return m, true
			}
		}
	}
	return nil, false
}

// primitiveName finds a property key primitive type, case-insensitively.
func primitiveName(s string) (string, bool) {
	for _, p := range []string{engine.PrimNone, engine.PrimString, engine.PrimBool, engine.PrimInt, engine.PrimUInt,
		engine.PrimLong, engine.PrimDateTime, engine.PrimJSON, engine.PrimSet, engine.PrimEnum} {
		if strings.EqualFold(p, s) {
			return p, true
		}
	}
	return "", false
}
