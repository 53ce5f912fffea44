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
	desc         *engine.KindDesc // the fields; nil for properties
	name, plural string
	keys         []string          // canonical keys
	alts         map[string]string // alternate spelling -> canonical key
}

// kindOf makes the kind of the items d describes: the provisioning keys
// of its fields in order, then the keys of the lists it holds. alts maps
// further alternate spellings (of the list keys) to canonical keys.
func kindOf(d *engine.KindDesc, lists []string, alts map[string]string) *kind {
	k := &kind{desc: d, name: d.Noun, plural: d.Plural, alts: map[string]string{}}
	for i := range d.Fields {
		f := &d.Fields[i]
		if f.YAML == "" {
			continue
		}
		k.keys = append(k.keys, f.YAML)
		for _, a := range f.YAMLAlts {
			k.alts[a] = f.YAML
		}
	}
	k.keys = append(k.keys, lists...)
	for a, c := range alts {
		k.alts[a] = c
	}
	return k
}

var (
	spaceKind = kindOf(engine.Describe(engine.KindSpace),
		[]string{"resources", "spaces", "devices", "matchers", "userdefinedfunctions", "roleassignments", "users", "propertykeys", "types", "roles", "plan"},
		map[string]string{"userDefinedFunctions": "userdefinedfunctions", "roleAssignments": "roleassignments", "propertyKeys": "propertykeys"})
	deviceKind      = kindOf(engine.Describe(engine.KindDevice), []string{"sensors"}, nil)
	sensorKind      = kindOf(engine.Describe(engine.KindSensor), nil, nil)
	matcherKind     = kindOf(engine.Describe(engine.KindMatcher), nil, nil)
	conditionKind   = kindOf(engine.ConditionDesc, nil, nil)
	udfKind         = kindOf(engine.Describe(engine.KindUDF), []string{"source"}, nil)
	roleKind        = kindOf(engine.Describe(engine.KindRoleAssignment), nil, nil)
	userKind        = kindOf(engine.Describe(engine.KindUser), nil, nil)
	propertyKeyKind = kindOf(engine.Describe(engine.KindPropertyKey), nil, nil)
	typeKind        = kindOf(engine.Describe(engine.KindType), nil, nil)
	resourceKind    = kindOf(engine.Describe(engine.KindResource), nil, nil)
	propertyKind    = &kind{name: "property", plural: "properties", keys: []string{"name", "value"}}
	roleDefKind     = &kind{name: "role", plural: "roles", keys: []string{"name", "friendlyName", "permissions", "limits"},
		alts: map[string]string{"friendlyname": "friendlyName"}}
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

func (r *reader) integer(f field, dst *int) error { return typed(r, f, dst, "!!int", "an integer") }

func (r *reader) boolean(f field, dst *bool) error {
	return typed(r, f, dst, "!!bool", "true or false")
}

// typed reads a scalar with YAML tag tag into dst; null is the zero value.
// want names the type in messages.
func typed[T int | bool](r *reader, f field, dst *T, tag, want string) error {
	v, err := r.scalar(f, want)
	if err != nil {
		return err
	}
	if isNull(v) {
		var zero T
		*dst = zero
		return nil
	}
	if v.ShortTag() != tag || v.Decode(dst) != nil {
		return r.fail(f.line, f.key, engine.ErrInvalid, "want %s, got %s", want, describe(v))
	}
	return nil
}

// names reads a list of names; a single name is a list of one.
func (r *reader) names(f field, dst *[]string) error {
	return r.scalars(f, "name", func(_ int, s string) { *dst = append(*dst, s) })
}

// lines reads a list of texts, each with its line; a single text is a
// list of one.
func (r *reader) lines(f field, dst *[]engine.PlanLine) error {
	return r.scalars(f, "text", func(line int, s string) { *dst = append(*dst, engine.PlanLine{Line: line, Text: s}) })
}

// scalars calls add for each scalar of a list field (a single scalar is a
// list of one; null an empty list), with its line; noun names one in
// messages ("want a list of names").
func (r *reader) scalars(f field, noun string, add func(line int, s string)) error {
	v, done, err := r.deref(f.val)
	if err != nil {
		return err
	}
	defer done()
	switch {
	case isNull(v):
		return nil
	case v.Kind == yamlv3.ScalarNode:
		add(v.Line, v.Value)
		return nil
	case v.Kind != yamlv3.SequenceNode:
		return r.fail(f.line, f.key, engine.ErrInvalid, "want a list of %ss, got %s", noun, describe(v))
	}
	for _, it := range v.Content {
		s, d, err := r.deref(it)
		if err != nil {
			return err
		}
		d()
		if s.Kind != yamlv3.ScalarNode || isNull(s) {
			return r.fail(it.Line, f.key, engine.ErrInvalid, "want a %s, got %s", noun, describe(s))
		}
		add(it.Line, s.Value)
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

// duration reads a duration such as 250ms, positive and at most
// engine.MaxUDFLimit (the only duration field is a UDF's time limit).
func (r *reader) duration(f field, dst *time.Duration) error {
	var s string
	if err := r.str(f, &s); err != nil {
		return err
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 || d > engine.MaxUDFLimit {
		return r.fail(f.line, f.key, engine.ErrInvalid, "want a duration such as 250ms (at most %s), got %q", engine.MaxUDFLimit, s)
	}
	*dst = d
	return nil
}

// planField reads field f into dst, a pointer to the field of a plan
// item, by dst's type; df describes the field.
func (r *reader) planField(f field, df *engine.Field, dst any) error {
	switch x := dst.(type) {
	case *string:
		if df.YAMLRaw {
			// A JSON literal: '"Motion"', 42, true, null: kept as written.
			return r.raw(f, x)
		}
		return r.str(f, x)
	case *int:
		if err := r.integer(f, x); err != nil {
			return err
		}
		if df.Max != 0 && *x != 0 && (*x < df.Min || *x > df.Max) {
			return r.fail(f.line, f.key, engine.ErrInvalid, "want an integer from %d to %d, got %d", df.Min, df.Max, *x)
		}
		return nil
	case *bool:
		return r.boolean(f, x)
	case *time.Duration:
		return r.duration(f, x)
	case *[]string:
		return r.names(f, x)
	case *[]engine.PlanProperty:
		return r.properties(f, x)
	}
	return r.fail(f.line, f.key, engine.ErrInvalid, "cannot be read into %T", dst)
}

// read reads item n of kind k into plan item p, whose Src is src: the
// fields k's description gives a place in the plan item by planField, the
// others (lists, a UDF's script) by rest, which may be nil if there are
// none. Then it checks that the required fields are given.
func (r *reader) read(n *node, k *kind, listField string, p any, src *engine.Src, rest func(f field) error) error {
	fs, s, done, err := r.item(n, k, listField)
	if err != nil {
		return err
	}
	defer done()
	*src = s
	for _, f := range fs {
		if df := k.desc.YAMLField(f.canon); df != nil && df.HasPlan() {
			err = r.planField(f, df, df.PlanPtr(p))
		} else if rest != nil {
			err = rest(f)
		} else {
			err = r.fail(f.line, f.key, engine.ErrInvalid, "cannot be read into a %s", k.name)
		}
		if err != nil {
			return err
		}
	}
	for i := range k.desc.Fields {
		if f := &k.desc.Fields[i]; f.Required {
			if v, _ := f.PlanPtr(p).(*string); v != nil && strings.TrimSpace(*v) == "" {
				return r.fail(src.At(f.YAML).Line, f.YAML, engine.ErrInvalid, "missing (a %s needs a %s)", k.name, f.YAML)
			}
		}
	}
	return nil
}

// planItem is a pointer to a plan item type (they all embed engine.Src).
type planItem[T any] interface {
	*T
	Source() *engine.Src
}

// readItem reads item n of kind k (see read) into a new plan item; rest,
// if not nil, reads the fields the description leaves to it.
func readItem[T any, PT planItem[T]](r *reader, n *node, k *kind, listField string, rest func(p PT, f field) error) (PT, error) {
	p := PT(new(T))
	var restf func(f field) error
	if rest != nil {
		restf = func(f field) error { return rest(p, f) }
	}
	if err := r.read(n, k, listField, p, p.Source(), restf); err != nil {
		return nil, err
	}
	return p, nil
}

// listOf reads the items of list field f, of kind k, and appends them to
// dst; rest is as for readItem.
func listOf[T any, PT planItem[T]](r *reader, f field, k *kind, dst *[]PT, rest func(p PT, f field) error) error {
	return r.list(f, k, func(n *node) error {
		x, err := readItem[T, PT](r, n, k, f.key, rest)
		*dst = append(*dst, x)
		return err
	})
}

// space reads a space and everything in it. listField is the key of the
// list it is in ("" at the top).
func (r *reader) space(n *node, listField string) (*engine.PlanSpace, error) {
	return readItem(r, n, spaceKind, listField, r.spaceLists)
}

// spaceLists reads the lists of what a space holds.
func (r *reader) spaceLists(s *engine.PlanSpace, f field) error {
	switch f.canon {
	case "resources":
		return listOf(r, f, resourceKind, &s.Resources, nil)
	case "spaces":
		return listOf(r, f, spaceKind, &s.Spaces, r.spaceLists)
	case "devices":
		return listOf(r, f, deviceKind, &s.Devices, func(d *engine.PlanDevice, f field) error {
			return listOf(r, f, sensorKind, &d.Sensors, nil) // "sensors"
		})
	case "matchers":
		return listOf(r, f, matcherKind, &s.Matchers, func(m *engine.PlanMatcher, f field) error {
			return r.list(f, conditionKind, func(n *node) error { // "conditions"
				c, err := readItem[engine.PlanCondition](r, n, conditionKind, f.key, nil)
				if err == nil {
					m.Conditions = append(m.Conditions, *c)
				}
				return err
			})
		})
	case "userdefinedfunctions":
		return r.list(f, udfKind, func(n *node) error {
			u, err := r.udf(n, f.key)
			s.UDFs = append(s.UDFs, u)
			return err
		})
	case "roleassignments":
		return listOf(r, f, roleKind, &s.RoleAssignments, nil)
	case "users":
		return listOf(r, f, userKind, &s.Users, nil)
	case "propertykeys":
		return listOf(r, f, propertyKeyKind, &s.PropertyKeys, nil)
	case "types":
		return listOf(r, f, typeKind, &s.Types, nil)
	case "roles":
		return r.list(f, roleDefKind, func(n *node) error {
			x, err := r.role(n, f.key)
			if x != nil {
				s.Roles = append(s.Roles, x)
			}
			return err
		})
	case "plan":
		p, err := r.floorPlan(f)
		s.Plan = p
		return err
	}
	return nil
}

// udf reads a user-defined function and the script file it names, or
// the script text it holds (`source:`).
func (r *reader) udf(n *node, listField string) (*engine.PlanUDF, error) {
	var scriptField, sourceField field
	u, err := readItem(r, n, udfKind, listField, func(u *engine.PlanUDF, f field) error {
		if f.canon == "source" {
			sourceField = f
			return r.str(f, &u.Script)
		}
		scriptField = f // "script"
		return r.str(f, &u.ScriptPath)
	})
	if err != nil {
		return nil, err
	}
	if scriptField.val != nil && sourceField.val != nil {
		return nil, r.fail(sourceField.line, sourceField.key, engine.ErrInvalid, "give script (a file) or source (the script's text), not both")
	}
	if scriptField.val != nil && u.ScriptPath != "" && r.readScript != nil {
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
	if sourceField.val != nil {
		// Errors in the script (engine.CheckScriptText, compiling) name
		// the field by this line.
		u.Fields["script"] = sourceField.line
	}
	return u, nil
}

// role reads a custom role: its name, friendly name, and its permissions
// and value limits as texts (engine.ParsePermission,
// engine.ParseValueLimit), each a list or a single text.
func (r *reader) role(n *node, listField string) (*engine.PlanRole, error) {
	fs, src, done, err := r.item(n, roleDefKind, listField)
	if err != nil {
		return nil, err
	}
	defer done()
	x := &engine.PlanRole{Src: src}
	for _, f := range fs {
		switch f.canon {
		case "name":
			err = r.str(f, &x.Name)
		case "friendlyName":
			err = r.str(f, &x.FriendlyName)
		case "permissions":
			err = r.lines(f, &x.Permissions)
		case "limits":
			err = r.lines(f, &x.Limits)
		}
		if err != nil {
			return nil, err
		}
	}
	if err := r.needName(x.Name, src, roleDefKind); err != nil {
		return nil, err
	}
	return x, nil
}
