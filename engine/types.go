package engine

import (
	"fmt"
	"sort"
	"strings"
)

// Category is an extended-type category.
type Category string

// The categories of extended types.
const (
	DeviceType         Category = "DeviceType"
	DeviceSubtype      Category = "DeviceSubtype"
	DeviceBlobType     Category = "DeviceBlobType"
	DeviceBlobSubtype  Category = "DeviceBlobSubtype"
	SensorType         Category = "SensorType"
	SensorDataType     Category = "SensorDataType"
	SensorDataSubtype  Category = "SensorDataSubtype"
	SensorDataUnitType Category = "SensorDataUnitType"
	SensorPortType     Category = "SensorPortType"
	SpaceType          Category = "SpaceType"
	SpaceSubtype       Category = "SpaceSubtype"
	SpaceStatus        Category = "SpaceStatus"
	SpaceBlobType      Category = "SpaceBlobType"
	SpaceBlobSubtype   Category = "SpaceBlobSubtype"
	UserBlobType       Category = "UserBlobType"
	UserBlobSubtype    Category = "UserBlobSubtype"
	SpaceResourceType  Category = "SpaceResourceType"
)

// Categories lists every category in display order.
var Categories = []Category{SpaceType, SpaceSubtype, SpaceStatus, DeviceType, DeviceSubtype,
	SensorType, SensorDataType, SensorDataSubtype, SensorDataUnitType, SensorPortType,
	SpaceBlobType, SpaceBlobSubtype, DeviceBlobType, DeviceBlobSubtype, UserBlobType,
	UserBlobSubtype, SpaceResourceType}

// ParseCategory finds a category by name, case-insensitively.
func ParseCategory(s string) (Category, error) {
	for _, c := range Categories {
		if strings.EqualFold(string(c), s) {
			return c, nil
		}
	}
	return "", fmt.Errorf("%w: category %q", ErrUnknownType, s)
}

// ExtendedType is one value of an extensible enumeration. A zero SpaceID
// makes it a system type available everywhere; otherwise it is a custom
// type available only in that space's subtree.
type ExtendedType struct {
	ID           int
	Category     Category
	Name         string
	FriendlyName string
	Description  string
	Disabled     bool
	LogicalOrder int
	SpaceID      ID
	Ontologies   []int
}

func (t *ExtendedType) Kind() Kind    { return KindType }
func (t *ExtendedType) ObjectKey() ID { return IntKey(t.ID) }

// Ontology is a named set of extended types that can be loaded and unloaded.
type Ontology struct {
	ID          int
	Name        string
	Description string
	Loaded      bool
}

func (o *Ontology) Kind() Kind    { return KindOntology }
func (o *Ontology) ObjectKey() ID { return IntKey(o.ID) }

// FirstCustomTypeID is the first id given to a custom (non-seeded) type.
const FirstCustomTypeID = 100000

// typeRegistry holds extended types and ontologies. It is guarded by the
// engine's lock.
type typeRegistry struct {
	byID       map[int]*ExtendedType
	byName     map[typeName][]*ExtendedType // several when custom types share a name in different spaces
	ontologies map[int]*Ontology
	noneID     map[Category]int
	nextID     int
}

type typeName struct {
	c    Category
	name string // lower case
}

func newTypeRegistry() *typeRegistry {
	r := &typeRegistry{
		byID:       map[int]*ExtendedType{},
		byName:     map[typeName][]*ExtendedType{},
		ontologies: map[int]*Ontology{},
		noneID:     map[Category]int{},
		nextID:     FirstCustomTypeID,
	}
	for _, o := range seedOntologies() {
		r.ontologies[o.ID] = o
	}
	for _, t := range seedTypes() {
		r.put(t)
	}
	return r
}

func (r *typeRegistry) put(t *ExtendedType) {
	if old := r.byID[t.ID]; old != nil {
		r.remove(old)
	}
	r.byID[t.ID] = t
	k := typeName{t.Category, strings.ToLower(t.Name)}
	r.byName[k] = append(r.byName[k], t)
	if t.Name == "None" && t.SpaceID.IsZero() {
		r.noneID[t.Category] = t.ID
	}
	if t.ID >= r.nextID {
		r.nextID = t.ID + 1
	}
}

func (r *typeRegistry) remove(t *ExtendedType) {
	delete(r.byID, t.ID)
	k := typeName{t.Category, strings.ToLower(t.Name)}
	list := r.byName[k]
	for i, x := range list {
		if x.ID == t.ID {
			list = append(list[:i:i], list[i+1:]...)
			break
		}
	}
	if len(list) == 0 {
		delete(r.byName, k)
	} else {
		r.byName[k] = list
	}
}

// enabled reports whether t may be referenced: not disabled, and either in
// no ontology (custom) or in at least one loaded ontology.
func (r *typeRegistry) enabled(t *ExtendedType) bool {
	if t.Disabled {
		return false
	}
	if len(t.Ontologies) == 0 {
		return true
	}
	for _, o := range t.Ontologies {
		if on := r.ontologies[o]; on != nil && on.Loaded {
			return true
		}
	}
	return false
}

// name returns the name of type id, "None" for 0 or an unknown id.
func (r *typeRegistry) name(id int) string {
	if t := r.byID[id]; t != nil {
		return t.Name
	}
	return "None"
}

func (r *typeRegistry) sortedOntologies() []*Ontology {
	out := make([]*Ontology, 0, len(r.ontologies))
	for _, o := range r.ontologies {
		out = append(out, o)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}
