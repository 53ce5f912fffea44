package dtdl

import (
	"fmt"
	"strings"

	"github.com/twinstudio/twinstudio/engine"
)

// Summary says what Apply did: created, updated and unchanged types
// (engine.KindType) and property keys (engine.KindPropertyKey), and the
// parser's and Apply's warnings.
type Summary struct {
	engine.ProvisionSummary
	Warnings []string
}

// String is the warnings, one a line, then the counts.
func (s *Summary) String() string {
	var b strings.Builder
	for _, w := range s.Warnings {
		b.WriteString("warning: " + w + "\n")
	}
	b.WriteString(s.ProvisionSummary.String())
	return b.String()
}

// Apply ensures set's types and property keys in tx, all global (no
// space): a type that exists globally under the name in its category
// (built-in or custom, without regard to case) is left as it is, except
// that a custom one takes the file's description; a property key with the
// name and scope is updated to the file's definition. Applying the same
// set again changes nothing. The first error (one line naming the file and
// the Interface or content) is returned, and the caller's transaction must
// then be abandoned (engine.Update does so when fn fails).
func Apply(tx *engine.Tx, set *Set) (*Summary, error) {
	sum := &Summary{ProvisionSummary: engine.ProvisionSummary{File: set.File, Counts: map[engine.Kind]*engine.Counts{
		engine.KindType: {}, engine.KindPropertyKey: {}}}, Warnings: append([]string(nil), set.Warnings...)}
	for _, t := range set.Types {
		if err := applyType(tx, set.File, t, sum); err != nil {
			return nil, err
		}
	}
	for _, k := range set.Keys {
		if err := applyKey(tx, set.File, k, sum.Counts[engine.KindPropertyKey]); err != nil {
			return nil, err
		}
	}
	return sum, nil
}

func applyType(tx *engine.Tx, file string, def TypeDef, sum *Summary) error {
	c := sum.Counts[engine.KindType]
	for _, o := range tx.Types(def.Category) {
		if !o.SpaceID.IsZero() || !strings.EqualFold(o.Name, def.Name) {
			continue
		}
		if !tx.TypeEnabled(o.ID) {
			sum.Warnings = append(sum.Warnings, fmt.Sprintf("%s: %s: %s %s exists but is disabled or its ontology is not loaded",
				file, def.Where, def.Category, o.Name))
		}
		if o.ID < engine.FirstCustomTypeID || o.Description == def.Description {
			c.Unchanged++
			return nil
		}
		n := *o
		n.Description = def.Description
		c.Updated++
		return wrap(file, def.Where, tx.PutType(&n))
	}
	c.Created++
	return wrap(file, def.Where, tx.PutType(&engine.ExtendedType{Category: def.Category, Name: def.Name, Description: def.Description}))
}

func applyKey(tx *engine.Tx, file string, def KeyDef, c *engine.Counts) error {
	k := def.Key
	for _, o := range tx.PropertyKeys() {
		if !o.SpaceID.IsZero() || !strings.EqualFold(o.Name, k.Name) || o.Scope != k.Scope {
			continue
		}
		k.ID = o.ID
		if *o == k {
			c.Unchanged++
			return nil
		}
		c.Updated++
		return wrap(file, def.Where, tx.PutPropertyKey(&k))
	}
	c.Created++
	return wrap(file, def.Where, tx.PutPropertyKey(&k))
}

func wrap(file, where string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %s: %w", file, where, err)
}
