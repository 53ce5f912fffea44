package ui

import (
	"testing"

	"github.com/twinstudio/twinstudio/engine"
)

// The kinds table is complete: every row's node ids round-trip, its parent
// and what may be added with it are rows too, and every behaviour but
// duplicate (sensors cannot be copied) is there.
func TestKinds_table(t *testing.T) {
	id := engine.NewID()
	seen := map[string]bool{}
	for _, k := range kinds {
		if seen[k.prefix] {
			t.Errorf("%s: prefix %q used twice", k.kind, k.prefix)
		}
		seen[k.prefix] = true
		if got, gotID, ok := parseNode(k.node(id)); !ok || got != k || gotID != id {
			t.Errorf("%s: node %q parses as %v %v %v", k.kind, k.node(id), got, gotID, ok)
		}
		if kindOf(k.kind) != k || kindOf(k.parent) == nil || len(k.adds) == 0 {
			t.Errorf("%s: parent %s, adds %v", k.kind, k.parent, k.adds)
		}
		for _, a := range k.adds {
			if kindOf(a) == nil {
				t.Errorf("%s: adds %s, which the tree does not show", k.kind, a)
			}
		}
		if k.get == nil || k.up == nil || k.space == nil || k.name == nil || k.setName == nil || k.children == nil ||
			k.branch == nil || k.label == nil || k.icon == nil || k.doc == nil || k.details == nil || k.move == nil ||
			k.own == nil || k.add.create == nil || k.add.defType == nil || k.title == "" || k.scope == "" {
			t.Errorf("%s: a behaviour is missing: %+v", k.kind, *k)
		}
		labels := map[string]bool{}
		for _, f := range k.fields {
			if labels[f.label] {
				t.Errorf("%s: field %q twice", k.kind, f.label)
			}
			labels[f.label] = true
		}
	}
	if (kindOf(engine.KindSensor).duplicate != nil) || kindOf(engine.KindSpace).duplicate == nil || kindOf(engine.KindDevice).duplicate == nil {
		t.Error("spaces and devices are duplicated, sensors not")
	}
	if kindOf(engine.KindUser) != nil {
		t.Error("the tree shows no users")
	}
}
