package engine_test

import (
	"errors"
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

// FuzzDuplicatePattern duplicates a device with any hardware id pattern:
// it never panics, and a copy it makes has hardware ids unlike the
// original's, which the engine finds again by hardware id.
func FuzzDuplicatePattern(f *testing.F) {
	for _, p := range []string{engine.DefaultHardwareIDPattern, "{hw}", "{n}", "F4-{hw}", "{hw}/{n}", "", "{hw}{n}{n}", "{{hw}}", " {hw}"} {
		f.Add(p)
	}
	e, _ := openEngine(f)
	var space, dev engine.ID
	must(f, e.Update(func(tx *engine.Tx) error {
		s := &engine.Space{Name: "B"}
		if err := tx.CreateSpace(s); err != nil {
			return err
		}
		d := &engine.Device{Name: "D", SpaceID: s.ID, HardwareID: "D1"}
		if err := tx.CreateDevice(d); err != nil {
			return err
		}
		space, dev = s.ID, d.ID
		return tx.CreateSensor(&engine.Sensor{DeviceID: d.ID, HardwareID: "S1"})
	}))
	f.Fuzz(func(t *testing.T, pattern string) {
		errStop := errors.New("roll back")
		err := e.Update(func(tx *engine.Tx) error {
			id, err := tx.DuplicateDevice(dev, space, "copy", pattern)
			if err != nil {
				return err
			}
			d, ok := tx.Device(id)
			if !ok || d.HardwareID == "D1" {
				t.Fatalf("pattern %q: copy %v %+v", pattern, ok, d)
			}
			if got, ok := tx.DeviceByHardwareID(d.HardwareID); !ok || got.ID != id {
				t.Fatalf("pattern %q: hardwareId %q does not find the copy", pattern, d.HardwareID)
			}
			for _, s := range tx.DeviceSensors(id) {
				if s.HardwareID == "S1" {
					t.Fatalf("pattern %q: the copied sensor kept hardwareId S1", pattern)
				}
			}
			return errStop // keep the engine as it was for the next input
		})
		if err == nil {
			t.Fatal("the transaction committed")
		}
	})
}

// FuzzRoleText: a permission or value limit in its text form either
// fails with a one-line error wrapping ErrInvalid, or reads back the same
// from its formatted text.
func FuzzRoleText(f *testing.F) {
	for _, s := range []string{"Read: everything", "Read, Update: Space, SpaceExtendedProperty", "Read: everything but KeyStore",
		"Read everything", "Read:", ": Space", "TemperatureSetpoint 20..24", "Brightness ..80", "Level 1..", "X ..", "X 1..2..3", "X NaN..Inf", "a b c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		check := func(what string, err error) bool {
			t.Helper()
			if err == nil {
				return true
			}
			if !errors.Is(err, engine.ErrInvalid) || strings.ContainsAny(err.Error(), "\r\n") {
				t.Fatalf("%s %q: error %q is not one line wrapping ErrInvalid", what, s, err)
			}
			return false
		}
		if p, err := engine.ParsePermission(s); check("permission", err) {
			text := engine.FormatPermission(p)
			back, err := engine.ParsePermission(text)
			if err != nil || engine.FormatPermission(back) != text {
				t.Fatalf("permission %q formats as %q, which reads back as %q (%v)", s, text, engine.FormatPermission(back), err)
			}
		}
		if l, err := engine.ParseValueLimit(s); check("value limit", err) {
			text := engine.FormatValueLimit(l)
			back, err := engine.ParseValueLimit(text)
			if err != nil || engine.FormatValueLimit(back) != text {
				t.Fatalf("value limit %q formats as %q, which reads back as %q (%v)", s, text, engine.FormatValueLimit(back), err)
			}
		}
	})
}
