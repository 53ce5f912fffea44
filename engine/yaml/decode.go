package yaml

import (
	"bytes"
	"errors"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/twinstudio/twinstudio/engine"
	yamlv3 "go.yaml.in/yaml/v3"
)

type node = yamlv3.Node

// kind describes one item kind of the format: its keys and their alternate
// spellings.
type kind struct {
	name, plural string
	keys         []string          // canonical keys
	alts         map[string]string // alternate spelling -> canonical key
}

var (
	spaceKind = &kind{name: "space", plural: "spaces",
		keys: []string{"name", "friendlyName", "description", "type", "subType", "status", "timeZone", "properties",
			"resources", "spaces", "devices", "matchers", "userdefinedfunctions", "roleassignments", "users", "propertykeys", "types"},
		alts: map[string]string{"subtype": "subType", "userDefinedFunctions": "userdefinedfunctions",
			"roleAssignments": "roleassignments", "propertyKeys": "propertykeys"}}
	deviceKind = &kind{name: "device", plural: "devices",
		keys: []string{"name", "friendlyName", "description", "hardwareId", "type", "subType", "gatewayId", "status", "properties", "sensors"},
		alts: map[string]string{"subtype": "subType"}}
	sensorKind = &kind{name: "sensor", plural: "sensors",
		keys: []string{"name", "hardwareId", "type", "dataType", "dataSubtype", "dataUnitType", "portType", "port", "pollRate", "properties"},
		alts: map[string]string{"dataSubType": "dataSubtype"}}
	matcherKind   = &kind{name: "matcher", plural: "matchers", keys: []string{"name", "description", "dataTypeValue", "conditions"}}
	conditionKind = &kind{name: "condition", plural: "conditions", keys: []string{"target", "path", "comparison", "value"}}
	udfKind       = &kind{name: "user-defined function", plural: "user-defined functions",
		keys: []string{"name", "description", "matcherNames", "script", "disabled", "timeLimit"}}
	roleKind = &kind{name: "role assignment", plural: "role assignments",
		keys: []string{"roleId", "role", "objectName", "objectId", "objectIdType", "tenantId"}}
	userKind = &kind{name: "user", plural: "users",
		keys: []string{"upn", "firstName", "lastName", "managerName", "properties"}}
	propertyKeyKind = &kind{name: "property key", plural: "property keys",
		keys: []string{"name", "scope", "primitiveDataType", "category", "description", "validationData", "min", "max"}}
	typeKind     = &kind{name: "type", plural: "types", keys: []string{"category", "name", "friendlyName", "description"}}
	resourceKind = &kind{name: "resource", plural: "resources", keys: []string{"type", "size", "region"}}
	propertyKind = &kind{name: "property", plural: "properties", keys: []string{"name", "value"}}
)

// canonical returns the canonical key for key, or "".
func (k *kind) canonical(key string) string {
	for _, c := range k.keys {
		if c == key {
			return c
		}
	}
	return k.alts[key]
}

// suggest returns the accepted spelling closest to key, or "".
func (k *kind) suggest(key string) string {
	if len(key) > 64 {
		return ""
	}
	lk := strings.ToLower(key)
	best, bestScore := "", -1
	try := func(c string) {
		d := distance(lk, strings.ToLower(c))
		limit := 2
		if len(c) <= 4 {
			limit = 1
		}
		// Closest ignoring case; among those, closest with case.
		score := d*100 + distance(key, c)
		if d <= limit && (bestScore < 0 || score < bestScore) {
			best, bestScore = c, score
		}
	}
	for _, c := range k.keys {
		try(c)
		for alt, canon := range k.alts {
			if canon == c {
				try(alt)
			}
		}
	}
	return best
}

// distance is the Levenshtein distance between a and b (bytes).
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := prev[j-1]
			if a[i-1] != b[j-1] {
				c++
			}
			c = min(c, prev[j]+1, cur[j-1]+1)
			cur[j] = c
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

type scriptResult struct {
	text string
	err  error
}

// reader walks one document.
type reader struct {
	file       string
	readScript func(rel string) ([]byte, error)
	scripts    map[string]scriptResult

	open       map[*node]bool // alias targets being walked
	aliasDepth int            // how many aliases the walk is inside
	aliasLine  int            // line of the outermost alias being walked
	aliasNodes int            // nodes visited through aliases
	depth      int
}

func (r *reader) pos(line int) engine.Pos { return engine.Pos{File: r.file, Line: line} }

func (r *reader) fail(line int, field string, sentinel error, format string, args ...any) error {
	return engine.At(r.pos(line), field, newError(sentinel, format, args...))
}

// deref follows n if it is an alias and counts the visit. Call done when
// finished with the node (not needed after an error: errors end the walk).
func (r *reader) deref(n *node) (m *node, done func(), err error) {
	if n == nil {
		return nil, nil, r.fail(0, "", ErrSyntax, "bad YAML: empty node")
	}
	r.depth++
	if r.depth > MaxDepth {
		return nil, nil, r.fail(n.Line, "", engine.ErrInvalid, "nested more than %d levels deep", MaxDepth)
	}
	if r.aliasDepth > 0 {
		r.aliasNodes++
		if r.aliasNodes > MaxAliasNodes {
			return nil, nil, r.fail(r.aliasLine, "", engine.ErrInvalid, "aliases expand to more than %d nodes", MaxAliasNodes)
		}
	}
	if n.Kind != yamlv3.AliasNode {
		return n, func() { r.depth-- }, nil
	}
	t := n.Alias
	if t == nil || t.Kind == yamlv3.AliasNode {
		return nil, nil, r.fail(n.Line, "", ErrSyntax, "bad YAML: unknown anchor %q", n.Value)
	}
	if r.open[t] {
		return nil, nil, r.fail(n.Line, "", engine.ErrInvalid, "alias *%s refers to itself", n.Value)
	}
	r.open[t] = true
	if r.aliasDepth == 0 {
		r.aliasLine = n.Line
	}
	r.aliasDepth++
	return t, func() {
		r.depth--
		r.aliasDepth--
		delete(r.open, t)
	}, nil
}

func (r *reader) parse(data []byte) (*engine.Plan, error) {
	dec := yamlv3.NewDecoder(bytes.NewReader(data))
	var doc node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, r.fail(0, "", engine.ErrInvalid, "no spaces")
		}
		return nil, r.syntaxError(err, data)
	}
	var extra node
	if err := dec.Decode(&extra); err == nil {
		return nil, r.fail(extra.Line, "", ErrSyntax, "bad YAML: more than one document; put all root spaces in one list")
	} else if !errors.Is(err, io.EOF) {
		return nil, r.syntaxError(err, data)
	}
	root := &doc
	if doc.Kind == yamlv3.DocumentNode {
		if len(doc.Content) == 0 {
			return nil, r.fail(doc.Line, "", engine.ErrInvalid, "no spaces")
		}
		root = doc.Content[0]
	}
	if err := r.checkAliases(root); err != nil {
		return nil, err
	}
	list, done, err := r.deref(root)
	if err != nil {
		return nil, err
	}
	defer done()
	switch {
	case isNull(list) || list.Kind == yamlv3.SequenceNode && len(list.Content) == 0:
		return nil, r.fail(list.Line, "", engine.ErrInvalid, "no spaces")
	case list.Kind != yamlv3.SequenceNode:
		return nil, r.fail(list.Line, "", engine.ErrInvalid,
			`want a list of spaces at the top level, got %s (start each root space with "- name: ...")`, describe(list))
	}
	plan := &engine.Plan{File: r.file}
	for _, it := range list.Content {
		s, err := r.space(it, "")
		if err != nil {
			return nil, err
		}
		plan.Spaces = append(plan.Spaces, s)
	}
	return plan, nil
}

// checkAliases refuses documents whose aliases refer to themselves or
// expand to more than MaxAliasNodes nodes, before anything is built. It
// counts, for every alias in the document, the nodes of what it stands for
// with aliases inside expanded (sizes are memoized, so this is linear).
func (r *reader) checkAliases(root *node) error {
	const busy = -1
	size := map[*node]int{} // expanded size of anchored nodes; busy while computing
	total := 0
	var expanded func(n *node, depth int) (int, error)
	// expanded returns n's size with aliases expanded, capped above
	// MaxAliasNodes.
	expanded = func(n *node, depth int) (int, error) {
		if n == nil {
			return 0, nil
		}
		if depth > MaxDepth {
			return 0, r.fail(n.Line, "", engine.ErrInvalid, "nested more than %d levels deep", MaxDepth)
		}
		if n.Kind == yamlv3.AliasNode {
			t := n.Alias
			if t == nil {
				return 0, nil // reported by the walk
			}
			switch sz, ok := size[t]; {
			case ok && sz == busy:
				return 0, r.fail(n.Line, "", engine.ErrInvalid, "alias *%s refers to itself", n.Value)
			case ok:
				return sz, nil
			}
			size[t] = busy
			sz, err := expanded(t, depth+1)
			if err != nil {
				return 0, err
			}
			size[t] = sz
			return sz, nil
		}
		sz := 1
		for _, c := range n.Content {
			csz, err := expanded(c, depth+1)
			if err != nil {
				return 0, err
			}
			sz = min(sz+csz, MaxAliasNodes+1)
		}
		return sz, nil
	}
	// Walk the document as written; each alias costs its expanded size.
	var walk func(n *node, depth int) error
	walk = func(n *node, depth int) error {
		if n == nil {
			return nil
		}
		if depth > MaxDepth {
			return r.fail(n.Line, "", engine.ErrInvalid, "nested more than %d levels deep", MaxDepth)
		}
		if n.Kind == yamlv3.AliasNode {
			sz, err := expanded(n, depth)
			if err != nil {
				return err
			}
			if total += sz; total > MaxAliasNodes {
				return r.fail(n.Line, "", engine.ErrInvalid, "aliases expand to more than %d nodes", MaxAliasNodes)
			}
			return nil
		}
		for _, c := range n.Content {
			if err := walk(c, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	return walk(root, 0)
}

// field is one key of an item.
type field struct {
	key   string // as written
	canon string // canonical spelling
	line  int    // line of the key
	val   *node  // value, not dereferenced
}

// entry is one key: value of a map, merge keys expanded.
type entry struct {
	key  string
	line int
	val  *node
}

func isMerge(k *node) bool {
	return k.Kind == yamlv3.ScalarNode && k.Tag == "!!merge" && k.Value == "<<"
}

// entries lists the keys of map m (resolved) in order, expanding merge
// keys: explicit keys win over merged ones, earlier merged maps over later
// ones. Duplicate explicit keys are an error. what names the map in
// messages.
func (r *reader) entries(m *node, what string) ([]entry, error) {
	keys := make([]*node, 0, len(m.Content)/2)
	explicit := map[string]int{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, done, err := r.deref(m.Content[i])
		if err != nil {
			return nil, err
		}
		done()
		keys = append(keys, k)
		if k.Kind != yamlv3.ScalarNode {
			return nil, r.fail(k.Line, what, engine.ErrInvalid, "want a plain key, got %s", describe(k))
		}
		if isMerge(k) {
			continue
		}
		if l, dup := explicit[k.Value]; dup {
			return nil, r.fail(k.Line, "", ErrSyntax, "bad YAML: mapping key %q already defined at line %d", short(k.Value), l)
		}
		explicit[k.Value] = k.Line
	}
	out := make([]entry, 0, len(keys))
	merged := map[string]bool{}
	for i, k := range keys {
		v := m.Content[2*i+1]
		if !isMerge(k) {
			out = append(out, entry{key: k.Value, line: k.Line, val: v})
			continue
		}
		src, done, err := r.deref(v)
		if err != nil {
			return nil, err
		}
		var maps []*node
		switch src.Kind {
		case yamlv3.MappingNode:
			maps = []*node{src}
		case yamlv3.SequenceNode:
			maps = src.Content
		default:
			return nil, r.fail(src.Line, "<<", engine.ErrInvalid, "want a map or a list of maps to merge, got %s", describe(src))
		}
		for _, mn := range maps {
			mm, done, err := r.deref(mn)
			if err != nil {
				return nil, err
			}
			if mm.Kind != yamlv3.MappingNode {
				return nil, r.fail(mm.Line, "<<", engine.ErrInvalid, "want a map to merge, got %s", describe(mm))
			}
			sub, err := r.entries(mm, what)
			if err != nil {
				return nil, err
			}
			done()
			for _, e := range sub {
				if _, ok := explicit[e.key]; ok || merged[e.key] {
					continue
				}
				merged[e.key] = true
				out = append(out, e)
			}
		}
		done()
	}
	return out, nil
}

// item dereferences n, checks that it is a map of k's keys and returns its
// fields and source. field names the list it is in (for messages).
func (r *reader) item(n *node, k *kind, listField string) ([]field, engine.Src, func(), error) {
	m, done, err := r.deref(n)
	if err != nil {
		return nil, engine.Src{}, nil, err
	}
	if m.Kind != yamlv3.MappingNode {
		return nil, engine.Src{}, nil, r.fail(n.Line, listField, engine.ErrInvalid, "want a %s (a map of keys), got %s", k.name, describe(m))
	}
	es, err := r.entries(m, listField)
	if err != nil {
		return nil, engine.Src{}, nil, err
	}
	src := engine.Src{Pos: r.pos(n.Line), Fields: make(map[string]int, len(es)+1)}
	fields := make([]field, 0, len(es))
	given := map[string]entry{}
	for _, e := range es {
		c := k.canonical(e.key)
		if c == "" {
			if s := k.suggest(e.key); s != "" {
				return nil, src, nil, r.fail(e.line, "", ErrUnknownKey, "unknown key %q in %s (did you mean %q?)", short(e.key), k.name, s)
			}
			return nil, src, nil, r.fail(e.line, "", ErrUnknownKey, "unknown key %q in %s", short(e.key), k.name)
		}
		if o, dup := given[c]; dup {
			return nil, src, nil, r.fail(e.line, e.key, engine.ErrDuplicate, "given twice (also as %q at line %d)", o.key, o.line)
		}
		given[c] = e
		src.Fields[e.key] = e.line
		if c != e.key {
			// Lookups by the canonical spelling (Src.At("subType")) work too.
			src.Fields[c] = e.line
		}
		fields = append(fields, field{key: e.key, canon: c, line: e.line, val: e.val})
	}
	return fields, src, done, nil
}

// needName reports a missing name.
func (r *reader) needName(name string, src engine.Src, k *kind) error {
	if strings.TrimSpace(name) == "" {
		return r.fail(src.At("name").Line, "name", engine.ErrInvalid, "missing (a %s needs a name)", k.name)
	}
	return nil
}

// scalar returns a field's value as a scalar node.
func (r *reader) scalar(f field, want string) (*node, error) {
	v, done, err := r.deref(f.val)
	if err != nil {
		return nil, err
	}
	done()
	if v.Kind != yamlv3.ScalarNode {
		return nil, r.fail(f.line, f.key, engine.ErrInvalid, "want %s, got %s", want, describe(v))
	}
	return v, nil
}

// str reads a text field: any scalar as written; null is "".
func (r *reader) str(f field, dst *string) error {
	v, err := r.scalar(f, "a string")
	if err != nil {
		return err
	}
	if isNull(v) {
		*dst = ""
	} else {
		*dst = v.Value
	}
	return nil
}

// raw reads a scalar's text as written, null included.
func (r *reader) raw(f field, dst *string) error {
	v, err := r.scalar(f, "a value")
	if err != nil {
		return err
	}
	*dst = v.Value
	return nil
}

func (r *reader) integer(f field, dst *int) error {
	v, err := r.scalar(f, "an integer")
	if err != nil {
		return err
	}
	if isNull(v) {
		*dst = 0
		return nil
	}
	if v.ShortTag() != "!!int" || v.Decode(dst) != nil {
		return r.fail(f.line, f.key, engine.ErrInvalid, "want an integer, got %s", describe(v))
	}
	return nil
}

func (r *reader) boolean(f field, dst *bool) error {
	v, err := r.scalar(f, "true or false")
	if err != nil {
		return err
	}
	if isNull(v) {
		*dst = false
		return nil
	}
	if v.ShortTag() != "!!bool" || v.Decode(dst) != nil {
		return r.fail(f.line, f.key, engine.ErrInvalid, "want true or false, got %s", describe(v))
	}
	return nil
}

// names reads a list of names; a single name is a list of one.
func (r *reader) names(f field, dst *[]string) error {
	v, done, err := r.deref(f.val)
	if err != nil {
		return err
	}
	defer done()
	switch {
	case isNull(v):
		return nil
	case v.Kind == yamlv3.ScalarNode:
		*dst = append(*dst, v.Value)
		return nil
	case v.Kind != yamlv3.SequenceNode:
		return r.fail(f.line, f.key, engine.ErrInvalid, "want a list of names, got %s", describe(v))
	}
	for _, it := range v.Content {
		s, d, err := r.deref(it)
		if err != nil {
			return err
		}
		d()
		if s.Kind != yamlv3.ScalarNode || isNull(s) {
			return r.fail(it.Line, f.key, engine.ErrInvalid, "want a name, got %s", describe(s))
		}
		*dst = append(*dst, s.Value)
	}
	return nil
}

// list calls each for every item of a list field; null is an empty list.
func (r *reader) list(f field, k *kind, each func(n *node) error) error {
	v, done, err := r.deref(f.val)
	if err != nil {
		return err
	}
	defer done()
	if isNull(v) {
		return nil
	}
	if v.Kind != yamlv3.SequenceNode {
		return r.fail(f.line, f.key, engine.ErrInvalid, "want a list of %s, got %s", k.plural, describe(v))
	}
	for _, it := range v.Content {
		if err := each(it); err != nil {
			return err
		}
	}
	return nil
}

// properties reads `Key: value` maps or lists of {name, value}.
func (r *reader) properties(f field, dst *[]engine.PlanProperty) error {
	v, done, err := r.deref(f.val)
	if err != nil {
		return err
	}
	defer done()
	switch {
	case isNull(v):
		return nil
	case v.Kind == yamlv3.SequenceNode:
		for _, it := range v.Content {
			fs, src, d, err := r.item(it, propertyKind, f.key)
			if err != nil {
				return err
			}
			p := engine.PlanProperty{Src: src}
			for _, pf := range fs {
				switch pf.canon {
				case "name":
					err = r.str(pf, &p.Name)
				case "value":
					err = r.propValue(pf, &p.Value)
				}
				if err != nil {
					return err
				}
			}
			if err := r.needName(p.Name, src, propertyKind); err != nil {
				return err
			}
			d()
			*dst = append(*dst, p)
		}
		return nil
	case v.Kind != yamlv3.MappingNode:
		return r.fail(f.line, f.key, engine.ErrInvalid, "want a map of Key: value, got %s", describe(v))
	}
	es, err := r.entries(v, f.key)
	if err != nil {
		return err
	}
	for _, e := range es {
		if strings.TrimSpace(e.key) == "" {
			return r.fail(e.line, f.key, engine.ErrInvalid, "empty property name")
		}
		p := engine.PlanProperty{Src: engine.Src{Pos: r.pos(e.line), Fields: map[string]int{"name": e.line}}, Name: e.key}
		vf := field{key: f.key + "." + oneLine(short(e.key)), canon: "value", line: e.line, val: e.val}
		if err := r.propValue(vf, &p.Value); err != nil {
			return err
		}
		if l := e.val.Line; l > 0 {
			p.Fields["value"] = l
		}
		*dst = append(*dst, p)
	}
	return nil
}

func (r *reader) propValue(f field, dst *string) error {
	v, err := r.scalar(f, "a single value")
	if err != nil {
		return err
	}
	if !isNull(v) {
		*dst = v.Value
	}
	return nil
}

// space reads a space and everything in it. listField is the key of the
// list it is in ("" at the top).
func (r *reader) space(n *node, listField string) (*engine.PlanSpace, error) {
	fs, src, done, err := r.item(n, spaceKind, listField)
	if err != nil {
		return nil, err
	}
	defer done()
	s := &engine.PlanSpace{Src: src}
	for _, f := range fs {
		switch f.canon {
		case "name":
			err = r.str(f, &s.Name)
		case "friendlyName":
			err = r.str(f, &s.FriendlyName)
		case "description":
			err = r.str(f, &s.Description)
		case "type":
			err = r.str(f, &s.Type)
		case "subType":
			err = r.str(f, &s.Subtype)
		case "status":
			err = r.str(f, &s.Status)
		case "timeZone":
			err = r.str(f, &s.TimeZone)
		case "properties":
			err = r.properties(f, &s.Properties)
		case "resources":
			err = r.list(f, resourceKind, func(n *node) error {
				x, err := r.resource(n, f.key)
				s.Resources = append(s.Resources, x)
				return err
			})
		case "spaces":
			err = r.list(f, spaceKind, func(n *node) error {
				x, err := r.space(n, f.key)
				s.Spaces = append(s.Spaces, x)
				return err
			})
		case "devices":
			err = r.list(f, deviceKind, func(n *node) error {
				x, err := r.device(n, f.key)
				s.Devices = append(s.Devices, x)
				return err
			})
		case "matchers":
			err = r.list(f, matcherKind, func(n *node) error {
				x, err := r.matcher(n, f.key)
				s.Matchers = append(s.Matchers, x)
				return err
			})
		case "userdefinedfunctions":
			err = r.list(f, udfKind, func(n *node) error {
				x, err := r.udf(n, f.key)
				s.UDFs = append(s.UDFs, x)
				return err
			})
		case "roleassignments":
			err = r.list(f, roleKind, func(n *node) error {
				x, err := r.roleAssignment(n, f.key)
				s.RoleAssignments = append(s.RoleAssignments, x)
				return err
			})
		case "users":
			err = r.list(f, userKind, func(n *node) error {
				x, err := r.user(n, f.key)
				s.Users = append(s.Users, x)
				return err
			})
		case "propertykeys":
			err = r.list(f, propertyKeyKind, func(n *node) error {
				x, err := r.propertyKey(n, f.key)
				s.PropertyKeys = append(s.PropertyKeys, x)
				return err
			})
		case "types":
			err = r.list(f, typeKind, func(n *node) error {
				x, err := r.customType(n, f.key)
				s.Types = append(s.Types, x)
				return err
			})
		}
		if err != nil {
			return nil, err
		}
	}
	if err := r.needName(s.Name, src, spaceKind); err != nil {
		return nil, err
	}
	return s, nil
}

func (r *reader) resource(n *node, listField string) (*engine.PlanResource, error) {
	fs, src, done, err := r.item(n, resourceKind, listField)
	if err != nil {
		return nil, err
	}
	defer done()
	x := &engine.PlanResource{Src: src}
	for _, f := range fs {
		switch f.canon {
		case "type":
			err = r.str(f, &x.Type)
		case "size":
			err = r.str(f, &x.Size)
		case "region":
			err = r.str(f, &x.Region)
		}
		if err != nil {
			return nil, err
		}
	}
	return x, nil
}

func (r *reader) device(n *node, listField string) (*engine.PlanDevice, error) {
	fs, src, done, err := r.item(n, deviceKind, listField)
	if err != nil {
		return nil, err
	}
	defer done()
	d := &engine.PlanDevice{Src: src}
	for _, f := range fs {
		switch f.canon {
		case "name":
			err = r.str(f, &d.Name)
		case "friendlyName":
			err = r.str(f, &d.FriendlyName)
		case "description":
			err = r.str(f, &d.Description)
		case "hardwareId":
			err = r.str(f, &d.HardwareID)
		case "type":
			err = r.str(f, &d.Type)
		case "subType":
			err = r.str(f, &d.Subtype)
		case "gatewayId":
			err = r.str(f, &d.GatewayID)
		case "status":
			err = r.str(f, &d.Status)
		case "properties":
			err = r.properties(f, &d.Properties)
		case "sensors":
			err = r.list(f, sensorKind, func(n *node) error {
				x, err := r.sensor(n, f.key)
				d.Sensors = append(d.Sensors, x)
				return err
			})
		}
		if err != nil {
			return nil, err
		}
	}
	if err := r.needName(d.Name, src, deviceKind); err != nil {
		return nil, err
	}
	return d, nil
}

func (r *reader) sensor(n *node, listField string) (*engine.PlanSensor, error) {
	fs, src, done, err := r.item(n, sensorKind, listField)
	if err != nil {
		return nil, err
	}
	defer done()
	s := &engine.PlanSensor{Src: src}
	for _, f := range fs {
		switch f.canon {
		case "name":
			err = r.str(f, &s.Name)
		case "hardwareId":
			err = r.str(f, &s.HardwareID)
		case "type":
			err = r.str(f, &s.Type)
		case "dataType":
			err = r.str(f, &s.DataType)
		case "dataSubtype":
			err = r.str(f, &s.DataSubtype)
		case "dataUnitType":
			err = r.str(f, &s.DataUnitType)
		case "portType":
			err = r.str(f, &s.PortType)
		case "port":
			err = r.str(f, &s.Port)
		case "pollRate":
			err = r.integer(f, &s.PollRate)
		case "properties":
			err = r.properties(f, &s.Properties)
		}
		if err != nil {
			return nil, err
		}
	}
	return s, nil
}

func (r *reader) matcher(n *node, listField string) (*engine.PlanMatcher, error) {
	fs, src, done, err := r.item(n, matcherKind, listField)
	if err != nil {
		return nil, err
	}
	defer done()
	m := &engine.PlanMatcher{Src: src}
	for _, f := range fs {
		switch f.canon {
		case "name":
			err = r.str(f, &m.Name)
		case "description":
			err = r.str(f, &m.Description)
		case "dataTypeValue":
			err = r.str(f, &m.DataTypeValue)
		case "conditions":
			err = r.list(f, conditionKind, func(n *node) error {
				c, err := r.condition(n, f.key)
				if err == nil {
					m.Conditions = append(m.Conditions, *c)
				}
				return err
			})
		}
		if err != nil {
			return nil, err
		}
	}
	if err := r.needName(m.Name, src, matcherKind); err != nil {
		return nil, err
	}
	return m, nil
}

func (r *reader) condition(n *node, listField string) (*engine.PlanCondition, error) {
	fs, src, done, err := r.item(n, conditionKind, listField)
	if err != nil {
		return nil, err
	}
	defer done()
	c := &engine.PlanCondition{Src: src}
	for _, f := range fs {
		switch f.canon {
		case "target":
			err = r.str(f, &c.Target)
		case "path":
			err = r.str(f, &c.Path)
		case "comparison":
			err = r.str(f, &c.Comparison)
		case "value":
			// A JSON literal: '"Motion"', 42, true, null — kept as written.
			err = r.raw(f, &c.Value)
		}
		if err != nil {
			return nil, err
		}
	}
	return c, nil
}

func (r *reader) udf(n *node, listField string) (*engine.PlanUDF, error) {
	fs, src, done, err := r.item(n, udfKind, listField)
	if err != nil {
		return nil, err
	}
	defer done()
	u := &engine.PlanUDF{Src: src}
	var scriptField *field
	for i, f := range fs {
		switch f.canon {
		case "name":
			err = r.str(f, &u.Name)
		case "description":
			err = r.str(f, &u.Description)
		case "matcherNames":
			err = r.names(f, &u.MatcherNames)
		case "script":
			err = r.str(f, &u.ScriptPath)
			scriptField = &fs[i]
		case "disabled":
			err = r.boolean(f, &u.Disabled)
		case "timeLimit":
			var s string
			if err = r.str(f, &s); err == nil {
				d, perr := time.ParseDuration(s)
				if perr != nil || d <= 0 || d > time.Minute {
					err = r.fail(f.line, f.key, engine.ErrInvalid, "want a duration such as 250ms (at most 1m), got %q", s)
				}
				u.TimeLimit = d
			}
		}
		if err != nil {
			return nil, err
		}
	}
	if err := r.needName(u.Name, src, udfKind); err != nil {
		return nil, err
	}
	if scriptField != nil && u.ScriptPath != "" && r.readScript != nil {
		res, ok := r.scripts[u.ScriptPath]
		if !ok {
			data, err := r.readScript(u.ScriptPath)
			res = scriptResult{text: string(data), err: err}
			r.scripts[u.ScriptPath] = res
		}
		if res.err != nil {
			return nil, engine.At(r.pos(scriptField.line), scriptField.key, &posError{
				msg:  oneLine("cannot read " + strconv.Quote(u.ScriptPath) + ": " + scriptProblem(res.err)),
				errs: []error{ErrScript, res.err},
			})
		}
		u.Script = res.text
	}
	return u, nil
}

func (r *reader) roleAssignment(n *node, listField string) (*engine.PlanRoleAssignment, error) {
	fs, src, done, err := r.item(n, roleKind, listField)
	if err != nil {
		return nil, err
	}
	defer done()
	a := &engine.PlanRoleAssignment{Src: src}
	for _, f := range fs {
		switch f.canon {
		case "roleId":
			err = r.str(f, &a.RoleID)
		case "role":
			err = r.str(f, &a.Role)
		case "objectName":
			err = r.str(f, &a.ObjectName)
		case "objectId":
			err = r.str(f, &a.ObjectID)
		case "objectIdType":
			err = r.str(f, &a.ObjectIDType)
		case "tenantId":
			err = r.str(f, &a.TenantID)
		}
		if err != nil {
			return nil, err
		}
	}
	return a, nil
}

func (r *reader) user(n *node, listField string) (*engine.PlanUser, error) {
	fs, src, done, err := r.item(n, userKind, listField)
	if err != nil {
		return nil, err
	}
	defer done()
	u := &engine.PlanUser{Src: src}
	for _, f := range fs {
		switch f.canon {
		case "upn":
			err = r.str(f, &u.UPN)
		case "firstName":
			err = r.str(f, &u.FirstName)
		case "lastName":
			err = r.str(f, &u.LastName)
		case "managerName":
			err = r.str(f, &u.ManagerName)
		case "properties":
			err = r.properties(f, &u.Properties)
		}
		if err != nil {
			return nil, err
		}
	}
	return u, nil
}

func (r *reader) propertyKey(n *node, listField string) (*engine.PlanPropertyKey, error) {
	fs, src, done, err := r.item(n, propertyKeyKind, listField)
	if err != nil {
		return nil, err
	}
	defer done()
	k := &engine.PlanPropertyKey{Src: src}
	for _, f := range fs {
		switch f.canon {
		case "name":
			err = r.str(f, &k.Name)
		case "scope":
			err = r.str(f, &k.Scope)
		case "primitiveDataType":
			err = r.str(f, &k.PrimitiveDataType)
		case "category":
			err = r.str(f, &k.Category)
		case "description":
			err = r.str(f, &k.Description)
		case "validationData":
			err = r.str(f, &k.ValidationData)
		case "min":
			err = r.str(f, &k.Min)
		case "max":
			err = r.str(f, &k.Max)
		}
		if err != nil {
			return nil, err
		}
	}
	if err := r.needName(k.Name, src, propertyKeyKind); err != nil {
		return nil, err
	}
	return k, nil
}

func (r *reader) customType(n *node, listField string) (*engine.PlanType, error) {
	fs, src, done, err := r.item(n, typeKind, listField)
	if err != nil {
		return nil, err
	}
	defer done()
	t := &engine.PlanType{Src: src}
	for _, f := range fs {
		switch f.canon {
		case "category":
			err = r.str(f, &t.Category)
		case "name":
			err = r.str(f, &t.Name)
		case "friendlyName":
			err = r.str(f, &t.FriendlyName)
		case "description":
			err = r.str(f, &t.Description)
		}
		if err != nil {
			return nil, err
		}
	}
	if err := r.needName(t.Name, src, typeKind); err != nil {
		return nil, err
	}
	return t, nil
}
