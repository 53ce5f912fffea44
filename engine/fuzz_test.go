package engine_test

import (
	"strings"
	"testing"

	"github.com/twinstudio/twinstudio/engine"
)

func FuzzParseID(f *testing.F) {
	f.Add("98e44ad7-28d4-4007-853b-b9968ad132d1")
	f.Add("{98E44AD7-28D4-4007-853B-B9968AD132D1}")
	f.Add("not-a-guid")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		id, err := engine.ParseID(s)
		if err != nil || id.IsZero() { // the nil GUID is the zero ID, written ""
			return
		}
		back, err := engine.ParseID(id.String())
		if err != nil || back != id {
			t.Fatalf("round trip of %q: %v %v", s, back, err)
		}
		if !strings.EqualFold(strings.Trim(s, "{}"), id.String()) && !id.IsZero() {
			t.Fatalf("%q parsed as %s", s, id)
		}
	})
}

func FuzzPropertyValidate(f *testing.F) {
	for _, p := range []string{"None", "String", "Bool", "Int", "UInt", "Long", "DateTime", "Json", "Set", "Enum"} {
		f.Add(p, "a;b", "1", "10", "5")
	}
	f.Add("String", "^[a-z]+$", "", "", "abc")
	f.Add("Set", "x;y;z", "1", "2", "x;Y")
	f.Fuzz(func(t *testing.T, prim, vdata, min, max, value string) {
		k := engine.PropertyKey{Name: "K", PrimitiveDataType: prim, ValidationData: vdata, Min: min, Max: max}
		got, err := k.Validate(value)
		if err != nil {
			if strings.Contains(err.Error(), "\n") && !strings.Contains(value, "\n") {
				t.Fatalf("multi-line error: %v", err)
			}
			return
		}
		// A normalised value validates again to itself.
		again, err := k.Validate(got)
		if err != nil || again != got {
			t.Fatalf("%s %q -> %q -> %q, %v", prim, value, got, again, err)
		}
	})
}
