package yaml

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/twinstudio/twinstudio/engine"
)

// TestToolkit: ParseDoc reads any YAML document with the provisioning
// reader's syntax errors and alias limits; Node's readers give one-line
// positioned errors naming file, line and field.
func TestToolkit(t *testing.T) {
	doc, err := ParseDoc("s.yaml", []byte("name: office\nsteps: [1m, 2m]\nrate: 2.5\nn: 7\nlimits: &l {a: 1}\nagain: *l\n"))
	if err != nil {
		t.Fatal(err)
	}
	root := doc.Root()
	if !root.IsMap() || root.Line() != 1 || doc.File() != "s.yaml" {
		t.Fatalf("root %v", root)
	}
	got := map[string]Node{}
	for _, e := range root.Entries() {
		got[e.Key] = e.Value
	}
	if s, err := got["name"].Str("name"); s != "office" || err != nil {
		t.Errorf("name %q %v", s, err)
	}
	if items := got["steps"].Items(); len(items) != 2 || items[1].Line() != 2 {
		t.Errorf("steps %v", items)
	} else if d, err := items[1].Duration("steps"); d != 2*time.Minute || err != nil {
		t.Errorf("steps[1] %v %v", d, err)
	}
	if f, err := got["rate"].Float("rate"); f != 2.5 || err != nil {
		t.Errorf("rate %v %v", f, err)
	}
	if n, err := got["n"].Int("n"); n != 7 || err != nil {
		t.Errorf("n %v %v", n, err)
	}
	if a := got["again"]; !a.IsMap() || len(a.Entries()) != 1 || a.Entries()[0].Key != "a" {
		t.Errorf("alias not followed: %v", a)
	}
	// Field errors: one line, file:line: field: message, engine.ErrInvalid.
	_, err = got["name"].Float("name")
	var pe *engine.PosError
	if err == nil || err.Error() != `s.yaml:1: name: want a number, got the string "office"` || !errors.As(err, &pe) || pe.Pos.Line != 1 || !errors.Is(err, engine.ErrInvalid) {
		t.Errorf("Float error %v", err)
	}
	if err := got["steps"].Map("steps"); err == nil || err.Error() != "s.yaml:2: steps: want a map, got a list" {
		t.Errorf("Map error %v", err)
	}
	if _, err := got["rate"].Int("rate"); err == nil || !strings.HasPrefix(err.Error(), "s.yaml:3: rate: want an integer") {
		t.Errorf("Int error %v", err)
	}
	// Document errors as Parse gives them.
	for src, want := range map[string]string{
		"a: [\n":          "s.yaml:1: bad YAML: ",
		"a: &x [*x]\n":    "s.yaml:1: alias *x refers to itself",
		"a: 1\n---\nb: 2": "s.yaml:2: bad YAML: more than one document",
		"a: *nope\n":      "s.yaml:1: bad YAML: unknown anchor",
	} {
		_, err := ParseDoc("s.yaml", []byte(src))
		if err == nil || !strings.HasPrefix(err.Error(), want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%q: %v, want %q…", src, err, want)
		}
	}
	if _, err := ParseDoc("s.yaml", []byte("a: [\n")); !errors.Is(err, ErrSyntax) {
		t.Errorf("syntax error %v does not wrap ErrSyntax", err)
	}
	// Billion laughs: refused at once.
	var b strings.Builder
	b.WriteString("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < 9; i++ {
		b.WriteString("a" + string(rune('0'+i)) + ": &a" + string(rune('0'+i)) + " [")
		for j := 0; j < 10; j++ {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString("*a" + string(rune('0'+i-1)))
		}
		b.WriteString("]\n")
	}
	if _, err := ParseDoc("s.yaml", []byte(b.String())); err == nil || !strings.Contains(err.Error(), "aliases expand to more than") {
		t.Errorf("billion laughs: %v", err)
	}
	// Empty: a null root.
	if d, err := ParseDoc("s.yaml", nil); err != nil || !d.Root().IsNull() || d.Root().Entries() != nil {
		t.Errorf("empty: %v", err)
	}
}
