package yaml

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"time"

	yamlv3 "go.yaml.in/yaml/v3"

	"github.com/twinstudio/twinstudio/engine"
)

// The YAML toolkit: what a reader of another YAML format (the simulator's
// scenarios) needs to read it the way provisioning files are read. Syntax
// errors, alias limits and field errors are the same as Parse's: one line,
// "file:line: field: what went wrong", as an *engine.PosError that wraps
// ErrSyntax (bad YAML) or engine.ErrInvalid (a bad value).

// Doc is one parsed YAML document. It is immutable; its methods are safe
// for concurrent use.
type Doc struct {
	file string
	root *yamlv3.Node
}

// ParseDoc parses data, the YAML file named file (used in errors). Bad
// YAML, more than one document, aliases that refer to themselves or expand
// to more than MaxAliasNodes nodes, and nesting deeper than MaxDepth fail
// as in Parse. An empty file gives a document whose Root is null.
func ParseDoc(file string, data []byte) (*Doc, error) {
	r := &reader{file: file, open: map[*node]bool{}}
	dec := yamlv3.NewDecoder(bytes.NewReader(data))
	var doc node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return &Doc{file: file}, nil
		}
		return nil, r.syntaxError(err, data)
	}
	var extra node
	if err := dec.Decode(&extra); err == nil {
		return nil, r.fail(extra.Line, "", ErrSyntax, "bad YAML: more than one document")
	} else if !errors.Is(err, io.EOF) {
		return nil, r.syntaxError(err, data)
	}
	root := &doc
	if doc.Kind == yamlv3.DocumentNode {
		if len(doc.Content) == 0 {
			return &Doc{file: file}, nil
		}
		root = doc.Content[0]
	}
	if err := r.checkAliases(root); err != nil {
		return nil, err
	}
	return &Doc{file: file, root: root}, nil
}

// File is the name the document was parsed with.
func (d *Doc) File() string { return d.file }

// Root is the document's top node.
func (d *Doc) Root() Node { return Node{n: resolve(d.root), d: d} }

// Errorf is an error at line of the document about field (field may be
// empty): "file:line: field: message", wrapping engine.ErrInvalid.
func (d *Doc) Errorf(line int, field, format string, args ...any) error {
	return engine.At(engine.Pos{File: d.file, Line: line}, field, newError(engine.ErrInvalid, format, args...))
}

// Node is a node of a Doc with aliases followed: a map, a list, a scalar
// or null. The zero Node is null, at line 0.
type Node struct {
	n *yamlv3.Node
	d *Doc
}

// Entry is one key: value of a map.
type Entry struct {
	Key   string // the key as written
	KeyAt Node   // the key (for errors at its line)
	Value Node
}

// resolve follows aliases (ParseDoc has refused loops).
func resolve(n *yamlv3.Node) *yamlv3.Node {
	for n != nil && n.Kind == yamlv3.AliasNode {
		n = n.Alias
	}
	return n
}

// Line is the node's line, 1-based (0 for the zero Node).
func (n Node) Line() int {
	if n.n == nil {
		return 0
	}
	return n.n.Line
}

// IsMap reports whether the node is a map.
func (n Node) IsMap() bool { return n.n != nil && n.n.Kind == yamlv3.MappingNode }

// IsList reports whether the node is a list.
func (n Node) IsList() bool { return n.n != nil && n.n.Kind == yamlv3.SequenceNode }

// IsScalar reports whether the node is a single value (null included).
func (n Node) IsScalar() bool { return n.n != nil && n.n.Kind == yamlv3.ScalarNode }

// IsNull reports whether the node is null (or the zero Node).
func (n Node) IsNull() bool { return n.n == nil || isNull(n.n) }

// Text is a scalar's text as written ("" for other nodes).
func (n Node) Text() string {
	if !n.IsScalar() {
		return ""
	}
	return n.n.Value
}

// Describe says what the node is, for "want X, got Y" messages: "a map",
// "a list", "the number 3", `the string "x"`, "nothing (null)".
func (n Node) Describe() string {
	if n.n == nil {
		return "nothing (null)"
	}
	return describe(n.n)
}

// Items are a list's items (none for other nodes).
func (n Node) Items() []Node {
	if !n.IsList() {
		return nil
	}
	out := make([]Node, len(n.n.Content))
	for i, c := range n.n.Content {
		out[i] = Node{n: resolve(c), d: n.d}
	}
	return out
}

// Entries are a map's keys and values in the order written (none for
// other nodes); a key written twice is listed twice.
func (n Node) Entries() []Entry {
	if !n.IsMap() {
		return nil
	}
	out := make([]Entry, 0, len(n.n.Content)/2)
	for i := 0; i+1 < len(n.n.Content); i += 2 {
		k := resolve(n.n.Content[i])
		out = append(out, Entry{Key: k.Value, KeyAt: Node{n: k, d: n.d}, Value: Node{n: resolve(n.n.Content[i+1]), d: n.d}})
	}
	return out
}

// Errorf is an error at the node's line about field: "file:line: field:
// message", wrapping engine.ErrInvalid.
func (n Node) Errorf(field, format string, args ...any) error {
	file := ""
	if n.d != nil {
		file = n.d.file
	}
	return engine.At(engine.Pos{File: file, Line: n.Line()}, field, newError(engine.ErrInvalid, format, args...))
}

// Str is a scalar's text; other nodes fail "want a single value, got …".
func (n Node) Str(field string) (string, error) {
	if !n.IsScalar() {
		return "", n.Errorf(field, "want a single value, got %s", n.Describe())
	}
	return n.n.Value, nil
}

// Float is a finite number; anything else fails "want a number, got …".
func (n Node) Float(field string) (float64, error) {
	if n.IsScalar() {
		if f, err := strconv.ParseFloat(n.n.Value, 64); err == nil && !math.IsNaN(f) && !math.IsInf(f, 0) {
			return f, nil
		}
	}
	return 0, n.Errorf(field, "want a number, got %s", n.Describe())
}

// Int is a whole number; anything else fails "want an integer, got …".
func (n Node) Int(field string) (int64, error) {
	if n.IsScalar() {
		if i, err := strconv.ParseInt(n.n.Value, 10, 64); err == nil {
			return i, nil
		}
	}
	return 0, n.Errorf(field, "want an integer, got %s", n.Describe())
}

// Duration is a positive Go duration (24h, 1m30s); anything else fails
// "want a positive duration such as 24h or 1m, got …".
func (n Node) Duration(field string) (time.Duration, error) {
	if n.IsScalar() {
		if d, err := time.ParseDuration(n.n.Value); err == nil && d > 0 {
			return d, nil
		}
	}
	return 0, n.Errorf(field, "want a positive duration such as 24h or 1m, got %s", n.Describe())
}

// Map checks that the node is a map; else "want a map, got …".
func (n Node) Map(field string) error {
	if !n.IsMap() {
		return n.Errorf(field, "want a map, got %s", n.Describe())
	}
	return nil
}

// String is for debugging: the node's description and line.
func (n Node) String() string { return fmt.Sprintf("%s at line %d", n.Describe(), n.Line()) }
