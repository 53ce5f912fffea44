package dtdl

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"

	"github.com/twinstudio/twinstudio/engine"
)

// Limits on the files Parse reads.
const (
	MaxFileSize = 8 << 20 // bytes
	MaxDepth    = 32      // nesting of JSON arrays and objects
)

// ErrTooLarge is wrapped by the error for a file over MaxFileSize.
var ErrTooLarge = errors.New("dtdl: file too large")

// Set is what a DTDL file asks of a project: types and property keys,
// all global (no space), plus warnings about what was skipped.
type Set struct {
	File     string
	Types    []TypeDef
	Keys     []KeyDef
	Warnings []string
}

// TypeDef is an extended type to ensure, from the Interface at Where.
type TypeDef struct {
	Where       string // the Interface's @id
	Category    engine.Category
	Name        string
	Description string
}

// KeyDef is a property key to ensure (SpaceID zero), from Where.
type KeyDef struct {
	Where string // "contents[3] of dtmi:x:Room;1"
	Key   engine.PropertyKey
}

// ReadFile reads and parses the DTDL file at path (see Parse). A file
// that is not regular or is larger than MaxFileSize is refused without
// reading it all.
func ReadFile(path string) (*Set, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("read %s: %w: not a regular file", path, engine.ErrInvalid)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, err
	}
	return Parse(path, data)
}

// Parse reads DTDL (v2 or v3) JSON: one Interface or an array of them.
// Each must have a DTDL @context, a valid DTMI @id (unique in the file),
// @type Interface; extends must name the twinstudio base interfaces or
// interfaces of the file. Each Interface but the bases becomes a type
// (see the package documentation for the category and name); each
// Property a property key of the scope of the base the interface extends.
// Relationships are ignored (the tree's are fixed), Telemetry and Command
// skipped with a warning; a Component, an unsupported schema or a
// property defined twice differently is an error. Errors are one line,
// "file: where: engine: invalid: problem", and wrap engine.ErrInvalid
// (ErrTooLarge for size). Parse never panics and is safe for concurrent
// use.
func Parse(file string, data []byte) (*Set, error) {
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("read %s: %w: larger than %d MiB", file, ErrTooLarge, MaxFileSize>>20)
	}
	if err := checkDepth(data); err != nil {
		return nil, fmt.Errorf("%s: %w: %v", file, engine.ErrInvalid, err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var top any
	if err := dec.Decode(&top); err != nil {
		return nil, fmt.Errorf("%s: %w: not JSON: %v", file, engine.ErrInvalid, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%s: %w: more than one JSON value", file, engine.ErrInvalid)
	}
	p := &parser{set: &Set{File: file}, byID: map[string]map[string]any{}}
	if err := p.interfaces(top); err != nil {
		return nil, err
	}
	return p.set, nil
}

// checkDepth refuses JSON nested deeper than MaxDepth.
func checkDepth(data []byte) error {
	depth, inStr, esc := 0, false, false
	for _, c := range data {
		switch {
		case esc:
			esc = false
		case inStr && c == '\\':
			esc = true
		case c == '"':
			inStr = !inStr
		case inStr:
		case c == '[' || c == '{':
			if depth++; depth > MaxDepth {
				return fmt.Errorf("nested deeper than %d", MaxDepth)
			}
		case c == ']' || c == '}':
			depth--
		}
	}
	return nil
}

type parser struct {
	set   *Set
	byID  map[string]map[string]any
	order []string
}

// fail makes the one-line error of the item at where.
func (p *parser) fail(where, format string, a ...any) error {
	return fmt.Errorf("%s: %s: %w: %s", p.set.File, where, engine.ErrInvalid, fmt.Sprintf(format, a...))
}

func (p *parser) warn(where, format string, a ...any) {
	p.set.Warnings = append(p.set.Warnings, fmt.Sprintf("%s: %s: %s", p.set.File, where, fmt.Sprintf(format, a...)))
}

func (p *parser) interfaces(top any) error {
	list, ok := top.([]any)
	if !ok {
		list = []any{top}
	}
	for i, item := range list {
		m, ok := item.(map[string]any)
		where := fmt.Sprintf("[%d]", i)
		if !ok {
			return p.fail(where, "an Interface must be a JSON object")
		}
		id, err := p.header(where, m)
		if err != nil {
			return err
		}
		if p.byID[id] != nil {
			return p.fail(where, "@id %s appears twice", id)
		}
		p.byID[id] = m
		p.order = append(p.order, id)
	}
	keys := map[[2]string]int{} // scope, name → index in set.Keys
	for _, id := range p.order {
		if err := p.convert(id, keys); err != nil {
			return err
		}
	}
	sort.SliceStable(p.set.Types, func(i, j int) bool {
		a, b := p.set.Types[i], p.set.Types[j]
		return a.Category < b.Category || a.Category == b.Category && a.Name < b.Name
	})
	return nil
}

// header checks @context, @id and @type and returns the @id.
func (p *parser) header(where string, m map[string]any) (string, error) {
	id, _ := m["@id"].(string)
	if !ValidDTMI(id) {
		return "", p.fail(where, "@id %s is not a valid DTMI (dtmi:<segments>;<version>)", quoteAny(m["@id"]))
	}
	if len(id) > MaxInterfaceIDLen {
		return "", p.fail(id, "@id is longer than %d characters", MaxInterfaceIDLen)
	}
	if !hasString(m["@context"], "dtmi:dtdl:context;2", "dtmi:dtdl:context;3") {
		return "", p.fail(id, "@context must be dtmi:dtdl:context;3 (or ;2)")
	}
	if !hasString(m["@type"], "Interface") {
		return "", p.fail(id, "@type must be Interface")
	}
	return id, nil
}

// hasString reports whether v is one of want or an array holding one.
func hasString(v any, want ...string) bool {
	list, ok := v.([]any)
	if !ok {
		list = []any{v}
	}
	for _, x := range list {
		for _, w := range want {
			if x == w {
				return true
			}
		}
	}
	return false
}

func quoteAny(v any) string {
	if v == nil {
		return "(missing)"
	}
	b, _ := json.Marshal(v)
	if len(b) > 80 {
		b = append(b[:77], "..."...)
	}
	return string(b)
}
