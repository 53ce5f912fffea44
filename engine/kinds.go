package engine

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// This file describes each kind of object once. The description of a kind
// (a KindDesc) lists its fields in record order; each Field says how the
// field is called in the JSON documents, in the UDF library's metadata
// objects and in provisioning files, what Go type it has, whether a user
// may edit it, and how to reach it in the object, in the provisioning plan
// item and in the JSON document. The bbolt codec, the YAML reader,
// provisioning and the JSON documents are driven by these tables, so that
// adding a field to a kind takes the struct field, its entry here (and the
// field of the plan item or document it appears in), and a test.
//
// To add a field to a kind:
//   - add it to the kind's struct;
//   - add its entry at the end of the kind's Fields with Since one above
//     the kind's Version (the project file then gets the new record
//     version; older records still read, with the field zero);
//   - if provisioning files may give it: add it to the plan item
//     (plan.go), set YAML and plan (provisioning merges it: texts given
//     non-empty, other values given or non-zero, type names resolved);
//   - if the JSON documents show it: add it to the document (present.go),
//     set JSON and doc;
//   - set Meta to show it to UDFs, Label, Editable and Hint for the studio.
//
// TestKindsDescribeEveryField and TestKindsRoundTripEveryField fail until
// every part is wired, and TestCodecEveryField checks the project file.
//
// The tables are built once at package initialisation and never change;
// they may be read from any goroutine.

// FieldType says what Go type a field has, and so how it is stored.
type FieldType uint8

// The field types. Ptr returns a pointer of the type named in each comment.
const (
	FieldString     FieldType = iota + 1 // *string
	FieldInt                             // *int
	FieldBool                            // *bool
	FieldID                              // *ID
	FieldTime                            // *time.Time
	FieldDuration                        // *time.Duration (never negative)
	FieldTypeRef                         // *int: the id of an ExtendedType of Field.Category
	FieldLocation                        // **Location
	FieldProperties                      // *[]Property
	FieldIDs                             // *[]ID
	FieldStrings                         // *[]string
	FieldInts                            // *[]int
	FieldConditions                      // *[]Condition (elements described by ConditionDesc)
	// FieldJSON is a nested value stored as JSON text (a role's
	// permissions, a token's principal). Ptr returns a pointer to the
	// Go field, whatever its type; Value returns the field's value.
	FieldJSON
)

var fieldTypeNames = [...]string{"?", "string", "int", "bool", "id", "time", "duration", "type",
	"location", "properties", "ids", "strings", "ints", "conditions", "json"}

func (t FieldType) String() string {
	if int(t) < len(fieldTypeNames) {
		return fieldTypeNames[t]
	}
	return "?"
}

// Field describes one field of a kind.
type Field struct {
	// Name is the Go field name ("PollRate"). A field that exists only in
	// provisioning plans (such as a matcher's dataTypeValue) has no
	// accessor into the object: HasObject reports false.
	Name string
	Type FieldType
	// Category is the category of the referenced type (FieldTypeRef only).
	Category Category
	// Key marks the object's key (its ID): not part of the stored record.
	Key bool
	// Since is the record version of the kind that added the field (0
	// means 1). A decoder of an older record leaves the field zero.
	Since byte
	// Min and Max bound a FieldInt that provisioning files give: readers
	// refuse a value outside Min..Max, except 0 (or null), which keeps
	// the field's default. Max 0 means any integer.
	Min, Max int

	// JSON is the field's key in the JSON documents (camelCase:
	// "pollRate"); for FieldTypeRef the key of the type's id ("typeId").
	// "" means the field is not in the documents.
	JSON string
	// JSONName is, for FieldTypeRef, the key of the type's name ("type").
	JSONName string
	// Meta is the property of the UDF library's metadata objects
	// (PascalCase: "PollRate"); for FieldTypeRef the property holding the
	// type's name ("Type"). "" means UDFs do not see the field.
	Meta string
	// MetaID is, for FieldTypeRef, the property holding the type's id
	// ("TypeId"); "" if UDFs see only the name.
	MetaID string
	// YAML is the key in provisioning files ("pollRate"); "" if the field
	// cannot be provisioned. YAMLAlts are other accepted spellings.
	YAML     string
	YAMLAlts []string
	// YAMLRaw: the YAML scalar is kept as written, null included (a
	// matcher condition's JSON literal).
	YAMLRaw bool
	// Ident marks a field provisioning matches objects on and sets itself
	// (a space's name, a user's upn): it is not merged like the others.
	Ident bool
	// Required marks a text field an item must give, not blank (a
	// space's name); readers of provisioning files refuse items without it.
	Required bool

	// Label names the field for people ("Poll rate"); Hint says what it
	// is for. Editable says whether the studio lets a user change it;
	// Choices, if any, are the values it allows. Verb names an edit of
	// it in the undo history ("Rename" a space); "" means "Set <label>
	// of".
	Label    string
	Hint     string
	Editable bool
	Choices  []string
	Verb     string
	// OnAdd says the studio asks for the field when a user adds an
	// object of the kind; Default is what it offers (for FieldTypeRef a
	// type name).
	OnAdd   bool
	Default string

	get     func(Object) any  // pointer to the field in the object
	plan    func(any) any     // pointer to the field in the plan item
	doc     func(any) any     // pointer to the field (the id for FieldTypeRef) in the document
	docName func(any) *string // FieldTypeRef: pointer to the type name in the document
}

// HasObject reports whether the field is stored in the object (false for
// fields that exist only in provisioning plans).
func (f *Field) HasObject() bool { return f.get != nil }

// HasPlan reports whether the field has a place in the kind's plan item.
func (f *Field) HasPlan() bool { return f.plan != nil }

// Ptr returns a pointer to the field in o, of the type that f.Type names
// (an *int for FieldInt, a **Location for FieldLocation …), boxed without
// allocating. o must be of f's kind; for a field without HasObject it
// returns nil. Writing through the pointer changes o: only do that to an
// object that is not in the graph (a copy, or one being decoded).
func (f *Field) Ptr(o Object) any {
	if f.get == nil {
		return nil
	}
	return f.get(o)
}

// Accessor returns the function Ptr calls (nil for a field without
// HasObject), for callers that keep their own tables of fields.
func (f *Field) Accessor() func(Object) any { return f.get }

// PlanPtr returns a pointer to the field in plan item p (a *PlanSensor for
// a sensor field …), or nil if the plan item has no such field. Its type
// is that of the plan item's field: *string for a FieldTypeRef (the type's
// name) and for a role assignment's roleId, *[]PlanProperty for
// FieldProperties, otherwise the type Ptr returns.
func (f *Field) PlanPtr(p any) any {
	if f.plan == nil {
		return nil
	}
	return f.plan(p)
}

// DocPtr returns a pointer to the field in JSON document d (a *SensorDoc
// for a sensor field …), or nil if the document has no such field. For
// FieldTypeRef it points to the type's id; DocNamePtr to its name. Its
// type is that of the document's field: *string for ids, *string (nil
// when zero) for a space's parent, *time.Time (nil when zero) for times,
// *LocationDoc and []PropertyDoc for locations and properties, otherwise
// the type Ptr returns.
func (f *Field) DocPtr(d any) any {
	if f.doc == nil {
		return nil
	}
	return f.doc(d)
}

// DocNamePtr returns, for a FieldTypeRef in document d, a pointer to the
// type's name; nil otherwise.
func (f *Field) DocNamePtr(d any) *string {
	if f.docName == nil {
		return nil
	}
	return f.docName(d)
}

// Value returns a copy of the field's value in o (an int for FieldInt, a
// *Location for FieldLocation …), or nil for a field without HasObject.
func (f *Field) Value(o Object) any {
	if f.Type == FieldJSON && f.get != nil {
		return reflect.ValueOf(f.get(o)).Elem().Interface()
	}
	switch p := f.Ptr(o).(type) {
	case *string:
		return *p
	case *int:
		return *p
	case *bool:
		return *p
	case *ID:
		return *p
	case *time.Time:
		return *p
	case *time.Duration:
		return *p
	case **Location:
		return *p
	case *[]Property:
		return *p
	case *[]ID:
		return *p
	case *[]string:
		return *p
	case *[]int:
		return *p
	case *[]Condition:
		return *p
	}
	return nil
}

// Set stores value in the field of o, which must not be in the graph (a
// copy). value must have the Go type Value returns for the field (an int
// for FieldTypeRef: the type's id); otherwise Set returns an error
// wrapping ErrInvalid and leaves o as it was.
func (f *Field) Set(o Object, value any) error {
	if f.Type == FieldJSON && f.get != nil {
		return setJSONField(f, o, value)
	}
	ok := false
	switch p := f.Ptr(o).(type) {
	case *string:
		var v string
		if v, ok = value.(string); ok {
			*p = v
		}
	case *int:
		var v int
		if v, ok = value.(int); ok {
			*p = v
		}
	case *bool:
		var v bool
		if v, ok = value.(bool); ok {
			*p = v
		}
	case *ID:
		var v ID
		if v, ok = value.(ID); ok {
			*p = v
		}
	case *time.Time:
		var v time.Time
		if v, ok = value.(time.Time); ok {
			*p = v
		}
	case *time.Duration:
		var v time.Duration
		if v, ok = value.(time.Duration); ok && v >= 0 {
			*p = v
		}
	case **Location:
		var v *Location
		if v, ok = value.(*Location); ok {
			*p = v
		}
	case *[]Property:
		var v []Property
		if v, ok = value.([]Property); ok {
			*p = v
		}
	case *[]ID:
		var v []ID
		if v, ok = value.([]ID); ok {
			*p = v
		}
	case *[]string:
		var v []string
		if v, ok = value.([]string); ok {
			*p = v
		}
	case *[]int:
		var v []int
		if v, ok = value.([]int); ok {
			*p = v
		}
	case *[]Condition:
		var v []Condition
		if v, ok = value.([]Condition); ok {
			*p = v
		}
	}
	if !ok {
		return fmt.Errorf("%w: field %s takes a %s, not %T", ErrInvalid, f.Name, f.Type, value)
	}
	return nil
}

// TypeNamer names extended types by id; *View and *Tx are TypeNamers.
type TypeNamer interface {
	TypeName(id int) string
}

// Text returns the field's value in o as the studio shows it: type names
// for FieldTypeRef, ids as GUIDs ("" when zero), times in RFC 3339 UTC,
// lists joined with ", ". v names the types.
func (f *Field) Text(v TypeNamer, o Object) string {
	if f.Type == FieldJSON {
		return jsonText(f.Value(o))
	}
	switch x := f.Value(o).(type) {
	case string:
		return x
	case int:
		if f.Type == FieldTypeRef {
			return v.TypeName(x)
		}
		return strconv.Itoa(x)
	case bool:
		return strconv.FormatBool(x)
	case ID:
		if x.IsZero() {
			return ""
		}
		return x.String()
	case time.Time:
		if x.IsZero() {
			return ""
		}
		return x.UTC().Format(time.RFC3339Nano)
	case time.Duration:
		if x == 0 {
			return ""
		}
		return x.String()
	case *Location:
		if x == nil {
			return ""
		}
		return fmt.Sprintf("%g, %g (elevation %g)", x.Latitude, x.Longitude, x.Elevation)
	case []Property:
		s := ""
		for i, p := range x {
			if i > 0 {
				s += ", "
			}
			s += p.Name + "=" + p.Value
		}
		return s
	case []ID:
		s := ""
		for i, id := range x {
			if i > 0 {
				s += ", "
			}
			s += id.String()
		}
		return s
	case []string:
		s := ""
		for i, t := range x {
			if i > 0 {
				s += ", "
			}
			s += t
		}
		return s
	case []int:
		s := ""
		for i, n := range x {
			if i > 0 {
				s += ", "
			}
			s += strconv.Itoa(n)
		}
		return s
	case []Condition:
		return plural(len(x), "condition")
	}
	return ""
}

func plural(n int, one string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + one + "s"
}

// MetaValues calls yield with the UDF metadata properties of field f of o,
// in order: for FieldTypeRef the type's name under Meta and, if MetaID is
// set, its id under MetaID; for FieldID the GUID string, or nil when the
// id is zero and the field is not the key; otherwise the value. It does
// nothing for fields UDFs do not see (Meta == "").
func (f *Field) MetaValues(v TypeNamer, o Object, yield func(name string, value any)) {
	if f.Meta == "" || f.get == nil {
		return
	}
	switch x := f.Value(o).(type) {
	case int:
		if f.Type == FieldTypeRef {
			yield(f.Meta, v.TypeName(x))
			if f.MetaID != "" {
				yield(f.MetaID, x)
			}
			return
		}
		yield(f.Meta, x)
	case ID:
		if x.IsZero() && !f.Key {
			yield(f.Meta, nil)
			return
		}
		yield(f.Meta, x.String())
	default:
		yield(f.Meta, x)
	}
}

// KindDesc describes one kind of object.
type KindDesc struct {
	Kind Kind
	// Label names the kind for people ("Role assignment"); Noun and
	// Plural are the lower-case words messages use ("role assignment",
	// "role assignments").
	Label, Noun, Plural string
	// Icon is the name of the kind's generic icon, a Fyne theme icon name
	// ("home", "computer", "mediaRecord" …).
	Icon string
	// Parents are the kinds an object of this kind may sit under;
	// Children the kinds that may be added under one, the studio's default
	// first.
	Parents, Children []Kind
	// Fields are the kind's fields in record order, plan-only fields
	// (HasObject false) among them.
	Fields []Field
	// Version is the current record version: the highest Field.Since.
	Version byte

	new      func() Object
	replace  func(tx *Tx, o Object) error // nil: the kind cannot be replaced
	copy     func(Object) Object
	newBatch func(n int) func() Object
	holds    func(Object) (ofKind, nonNil bool)
	byName   map[string]*Field
	byYAML   map[string]*Field
}

// New returns a new zero object of the kind.
func (d *KindDesc) New() Object { return d.new() }

// Batch returns a function that hands out new zero objects of the kind
// from arrays of n, so that making many objects costs one allocation per
// n. An array stays alive while any object in it does. The function is
// not safe for concurrent use.
func (d *KindDesc) Batch(n int) func() Object { return d.newBatch(n) }

// IntKeyed reports whether objects of the kind are keyed by an integer
// (property keys, types, ontologies; see IntKey) rather than a GUID.
func (d *KindDesc) IntKeyed() bool { return d.Fields[0].Type == FieldInt }

// Clone returns a deep copy of o, an object of the kind: its slices and
// its location are copied too (nil stays nil, empty stays empty), so the
// copy may be changed freely and o, if it is in the graph, stays as it is.
func (d *KindDesc) Clone(o Object) Object {
	c := d.copy(o)
	for i := range d.Fields {
		if d.Fields[i].Type == FieldJSON {
			cloneJSONField(&d.Fields[i], c)
			continue
		}
		switch p := d.Fields[i].Ptr(c).(type) {
		case **Location:
			if *p != nil {
				l := **p
				*p = &l
			}
		case *[]Property:
			*p = cloneSlice(*p)
		case *[]ID:
			*p = cloneSlice(*p)
		case *[]string:
			*p = cloneSlice(*p)
		case *[]int:
			*p = cloneSlice(*p)
		case *[]Condition:
			*p = cloneSlice(*p)
		}
	}
	return c
}

// Holds reports whether o's dynamic type is the kind's Go type (ofKind)
// and, if so, whether o is a non-nil pointer.
func (d *KindDesc) Holds(o Object) (ofKind, nonNil bool) { return d.holds(o) }

// Field returns the field with Go name name, or nil.
func (d *KindDesc) Field(name string) *Field { return d.byName[name] }

// YAMLField returns the field with provisioning key key (any accepted
// spelling), or nil.
func (d *KindDesc) YAMLField(key string) *Field { return d.byYAML[key] }

// Editable returns the fields a user may change in the studio, in order.
func (d *KindDesc) Editable() []*Field {
	var out []*Field
	for i := range d.Fields {
		if d.Fields[i].Editable {
			out = append(out, &d.Fields[i])
		}
	}
	return out
}

// AddFields returns the fields the studio asks for when a user adds an
// object of the kind (OnAdd), in order.
func (d *KindDesc) AddFields() []*Field {
	var out []*Field
	for i := range d.Fields {
		if d.Fields[i].OnAdd {
			out = append(out, &d.Fields[i])
		}
	}
	return out
}

// MayHold reports whether an object of kind child may be added under one
// of this kind.
func (d *KindDesc) MayHold(child Kind) bool {
	for _, k := range d.Children {
		if k == child {
			return true
		}
	}
	return false
}

// Meta calls yield with the UDF metadata properties of o, an object of
// this kind, in field order (see Field.MetaValues).
func (d *KindDesc) Meta(v TypeNamer, o Object, yield func(name string, value any)) {
	for i := range d.Fields {
		d.Fields[i].MetaValues(v, o, yield)
	}
}

// MetaNames returns the names of the UDF metadata properties of the
// kind, in the order Meta yields them.
func (d *KindDesc) MetaNames() []string {
	var out []string
	for i := range d.Fields {
		f := &d.Fields[i]
		if f.Meta == "" || f.get == nil {
			continue
		}
		out = append(out, f.Meta)
		if f.MetaID != "" {
			out = append(out, f.MetaID)
		}
	}
	return out
}

// Describe returns the description of kind k, or nil if k is not a kind of
// stored object.
func Describe(k Kind) *KindDesc {
	if int(k) < len(kindDescs) {
		return kindDescs[k]
	}
	return nil
}

// Object returns the object of kind k with key key (for integer-keyed
// kinds, IntKey of the id), or false if there is none.
func (v *View) Object(k Kind, key ID) (Object, bool) {
	o := v.g.lookup(objRef{Kind: k, Key: key})
	return o, o != nil
}

// Replace stores o in place of the object of its kind with its key, by
// the rules (and with the errors) of its kind's update method:
// UpdateSpace, UpdateDevice, UpdateSensor, UpdateUser, PutMatcher, PutUDF,
// PutRoleAssignment, PutEndpoint, PutResource, PutPropertyKey or PutType.
// o must not be in the graph: pass a Clone. Ontologies cannot be replaced
// (use SetOntologyLoaded): that, and an object of no known kind, is an
// error wrapping ErrInvalid.
func (tx *Tx) Replace(o Object) error {
	d := DescribeObject(o)
	if d == nil || d.replace == nil {
		return fmt.Errorf("%w: cannot replace a %T", ErrInvalid, o)
	}
	if ofKind, nonNil := d.Holds(o); !ofKind || !nonNil {
		return fmt.Errorf("%w: cannot replace a nil or foreign %T", ErrInvalid, o)
	}
	return d.replace(tx, o)
}

// DescribeObject returns the description of o's kind.
func DescribeObject(o Object) *KindDesc {
	if o == nil {
		return nil
	}
	return Describe(o.Kind())
}

// Kinds returns the descriptions of every kind of stored object, in Kind
// order. The slice is shared: do not change it.
func Kinds() []*KindDesc { return kindList }

// ConditionDesc describes the elements of a matcher's Conditions: a
// KindDesc whose Kind is KindNone and whose fields point into a
// *Condition (pass it where an Object is asked for with AsObject).
var ConditionDesc *KindDesc

// condObj lets the field accessors of ConditionDesc treat a *Condition as
// an Object.
type condObj struct{ *Condition }

func (condObj) Kind() Kind      { return KindNone }
func (c condObj) ObjectKey() ID { return c.ID }

// ConditionObject wraps c for ConditionDesc's field accessors.
func ConditionObject(c *Condition) Object { return condObj{c} }

var (
	kindDescs [KindFloorPlan + 1]*KindDesc
	kindList  []*KindDesc
)

// batch makes a KindDesc.newBatch for struct type T.
func batch[T any, PT interface {
	*T
	Object
}]() func(n int) func() Object {
	return func(n int) func() Object {
		var arr []T
		return func() Object {
			if len(arr) == 0 {
				arr = make([]T, n)
			}
			x := PT(&arr[0])
			arr = arr[1:]
			return x
		}
	}
}

// shallowCopy makes a KindDesc.copy for struct type T.
func shallowCopy[T any, PT interface {
	*T
	Object
}]() func(Object) Object {
	return func(o Object) Object {
		c := *o.(PT)
		return PT(&c)
	}
}

// holds makes a KindDesc.holds for struct type T.
func holds[T any, PT interface {
	*T
	Object
}]() func(Object) (bool, bool) {
	return func(o Object) (bool, bool) {
		p, ok := o.(PT)
		return ok, ok && p != nil
	}
}

func describeKind(d *KindDesc) *KindDesc {
	d.byName = map[string]*Field{}
	d.byYAML = map[string]*Field{}
	d.Version = 1
	for i := range d.Fields {
		f := &d.Fields[i]
		d.byName[f.Name] = f
		if f.YAML != "" {
			d.byYAML[f.YAML] = f
			for _, a := range f.YAMLAlts {
				d.byYAML[a] = f
			}
		}
		if f.Since > d.Version {
			d.Version = f.Since
		}
		if f.Label == "" {
			f.Label = f.Name
		}
	}
	if d.Kind != KindNone {
		kindDescs[d.Kind] = d
		kindList = append(kindList, d)
	}
	return d
}

// Short accessors, inlined into the field accessors.
func spc(o Object) *Space            { return o.(*Space) }
func dev(o Object) *Device           { return o.(*Device) }
func sen(o Object) *Sensor           { return o.(*Sensor) }
func usr(o Object) *User             { return o.(*User) }
func mat(o Object) *Matcher          { return o.(*Matcher) }
func udf(o Object) *UDF              { return o.(*UDF) }
func rol(o Object) *RoleAssignment   { return o.(*RoleAssignment) }
func edp(o Object) *Endpoint         { return o.(*Endpoint) }
func rsc(o Object) *Resource         { return o.(*Resource) }
func pky(o Object) *PropertyKey      { return o.(*PropertyKey) }
func typ(o Object) *ExtendedType     { return o.(*ExtendedType) }
func ont(o Object) *Ontology         { return o.(*Ontology) }
func tok(o Object) *Token            { return o.(*Token) }
func rle(o Object) *Role             { return o.(*Role) }
func fpl(o Object) *FloorPlan        { return o.(*FloorPlan) }
func cnd(o Object) *Condition        { return o.(condObj).Condition }
func pSpc(p any) *PlanSpace          { return p.(*PlanSpace) }
func pDev(p any) *PlanDevice         { return p.(*PlanDevice) }
func pSen(p any) *PlanSensor         { return p.(*PlanSensor) }
func pUsr(p any) *PlanUser           { return p.(*PlanUser) }
func pMat(p any) *PlanMatcher        { return p.(*PlanMatcher) }
func pUDF(p any) *PlanUDF            { return p.(*PlanUDF) }
func pRol(p any) *PlanRoleAssignment { return p.(*PlanRoleAssignment) }
func pRes(p any) *PlanResource       { return p.(*PlanResource) }
func pPky(p any) *PlanPropertyKey    { return p.(*PlanPropertyKey) }
func pTyp(p any) *PlanType           { return p.(*PlanType) }
func pCnd(p any) *PlanCondition      { return p.(*PlanCondition) }
func dSpc(d any) *SpaceDoc           { return d.(*SpaceDoc) }
func dDev(d any) *DeviceDoc          { return d.(*DeviceDoc) }
func dSen(d any) *SensorDoc          { return d.(*SensorDoc) }
func dUsr(d any) *UserDoc            { return d.(*UserDoc) }

var deviceStatuses = []string{DeviceProvisioned, DeviceActive, DeviceOffline, DeviceDisabled}

func init() {
	describeKind(&KindDesc{Kind: KindSpace, Label: "Space", Noun: "space", Plural: "spaces", Icon: "home",
		Children: []Kind{KindSpace, KindDevice, KindUser, KindMatcher, KindUDF, KindRoleAssignment, KindResource, KindPropertyKey, KindType},
		Parents:  []Kind{KindSpace},
		new:      func() Object { return new(Space) }, newBatch: batch[Space](), holds: holds[Space](), copy: shallowCopy[Space](),
		replace: func(tx *Tx, o Object) error { return tx.UpdateSpace(o.(*Space)) },
		Fields: []Field{
			{Name: "ID", Type: FieldID, Key: true, JSON: "id", Meta: "Id", Label: "ID",
				get: func(o Object) any { return &spc(o).ID }, doc: func(d any) any { return &dSpc(d).ID }},
			{Name: "Name", Type: FieldString, JSON: "name", Meta: "Name", YAML: "name", Required: true, Ident: true, Editable: true, Verb: "Rename", OnAdd: true,
				Hint: "unique among the spaces of its parent",
				get:  func(o Object) any { return &spc(o).Name }, plan: func(p any) any { return &pSpc(p).Name }, doc: func(d any) any { return &dSpc(d).Name }},
			{Name: "FriendlyName", Type: FieldString, JSON: "friendlyName", Meta: "FriendlyName", YAML: "friendlyName", Label: "Friendly name",
				get: func(o Object) any { return &spc(o).FriendlyName }, plan: func(p any) any { return &pSpc(p).FriendlyName }, doc: func(d any) any { return &dSpc(d).FriendlyName }},
			{Name: "Description", Type: FieldString, JSON: "description", Meta: "Description", YAML: "description", Editable: true, Verb: "Describe",
				get: func(o Object) any { return &spc(o).Description }, plan: func(p any) any { return &pSpc(p).Description }, doc: func(d any) any { return &dSpc(d).Description }},
			{Name: "TypeID", Type: FieldTypeRef, Category: SpaceType, JSON: "typeId", JSONName: "type", Meta: "Type", MetaID: "TypeId", YAML: "type", Label: "Type", Editable: true, OnAdd: true,
				get: func(o Object) any { return &spc(o).TypeID }, plan: func(p any) any { return &pSpc(p).Type },
				doc: func(d any) any { return &dSpc(d).TypeID }, docName: func(d any) *string { return &dSpc(d).Type }},
			{Name: "SubtypeID", Type: FieldTypeRef, Category: SpaceSubtype, JSON: "subtypeId", JSONName: "subtype", Meta: "Subtype", MetaID: "SubtypeId",
				YAML: "subType", YAMLAlts: []string{"subtype"}, Label: "Subtype", Editable: true,
				get: func(o Object) any { return &spc(o).SubtypeID }, plan: func(p any) any { return &pSpc(p).Subtype },
				doc: func(d any) any { return &dSpc(d).SubtypeID }, docName: func(d any) *string { return &dSpc(d).Subtype }},
			{Name: "StatusID", Type: FieldTypeRef, Category: SpaceStatus, JSON: "statusId", JSONName: "status", Meta: "Status", YAML: "status", Label: "Status", Editable: true,
				get: func(o Object) any { return &spc(o).StatusID }, plan: func(p any) any { return &pSpc(p).Status },
				doc: func(d any) any { return &dSpc(d).StatusID }, docName: func(d any) *string { return &dSpc(d).Status }},
			{Name: "ParentID", Type: FieldID, JSON: "parentSpaceId", Meta: "ParentSpaceId", Label: "Parent",
				get: func(o Object) any { return &spc(o).ParentID }, doc: func(d any) any { return &dSpc(d).ParentSpaceID }},
			{Name: "TimeZone", Type: FieldString, JSON: "timeZoneName", YAML: "timeZone", Label: "Time zone", Hint: "an IANA time zone name",
				get: func(o Object) any { return &spc(o).TimeZone }, plan: func(p any) any { return &pSpc(p).TimeZone }, doc: func(d any) any { return &dSpc(d).TimeZoneName }},
			{Name: "Location", Type: FieldLocation, JSON: "location",
				get: func(o Object) any { return &spc(o).Location }, doc: func(d any) any { return &dSpc(d).Location }},
			{Name: "Properties", Type: FieldProperties, JSON: "properties", YAML: "properties", Label: "Properties",
				get: func(o Object) any { return &spc(o).Properties }, plan: func(p any) any { return &pSpc(p).Properties }, doc: func(d any) any { return &dSpc(d).Properties }},
		}})

	describeKind(&KindDesc{Kind: KindDevice, Label: "Device", Noun: "device", Plural: "devices", Icon: "computer",
		Parents: []Kind{KindSpace}, Children: []Kind{KindSensor},
		new: func() Object { return new(Device) }, newBatch: batch[Device](), holds: holds[Device](), copy: shallowCopy[Device](),
		replace: func(tx *Tx, o Object) error { return tx.UpdateDevice(o.(*Device)) },
		Fields: []Field{
			{Name: "ID", Type: FieldID, Key: true, JSON: "id", Meta: "Id", Label: "ID",
				get: func(o Object) any { return &dev(o).ID }, doc: func(d any) any { return &dDev(d).ID }},
			{Name: "Name", Type: FieldString, JSON: "name", Meta: "Name", YAML: "name", Required: true, Editable: true, Verb: "Rename", OnAdd: true,
				get: func(o Object) any { return &dev(o).Name }, plan: func(p any) any { return &pDev(p).Name }, doc: func(d any) any { return &dDev(d).Name }},
			{Name: "FriendlyName", Type: FieldString, JSON: "friendlyName", Meta: "FriendlyName", YAML: "friendlyName", Label: "Friendly name",
				get: func(o Object) any { return &dev(o).FriendlyName }, plan: func(p any) any { return &pDev(p).FriendlyName }, doc: func(d any) any { return &dDev(d).FriendlyName }},
			{Name: "Description", Type: FieldString, JSON: "description", Meta: "Description", YAML: "description",
				get: func(o Object) any { return &dev(o).Description }, plan: func(p any) any { return &pDev(p).Description }, doc: func(d any) any { return &dDev(d).Description }},
			{Name: "TypeID", Type: FieldTypeRef, Category: DeviceType, JSON: "typeId", JSONName: "type", Meta: "Type", MetaID: "TypeId", YAML: "type", Label: "Type", Editable: true, OnAdd: true, Default: "Generic",
				get: func(o Object) any { return &dev(o).TypeID }, plan: func(p any) any { return &pDev(p).Type },
				doc: func(d any) any { return &dDev(d).TypeID }, docName: func(d any) *string { return &dDev(d).Type }},
			{Name: "SubtypeID", Type: FieldTypeRef, Category: DeviceSubtype, JSON: "subtypeId", JSONName: "subtype", Meta: "Subtype", MetaID: "SubtypeId",
				YAML: "subType", YAMLAlts: []string{"subtype"}, Label: "Subtype", Editable: true,
				get: func(o Object) any { return &dev(o).SubtypeID }, plan: func(p any) any { return &pDev(p).Subtype },
				doc: func(d any) any { return &dDev(d).SubtypeID }, docName: func(d any) *string { return &dDev(d).Subtype }},
			{Name: "HardwareID", Type: FieldString, JSON: "hardwareId", Meta: "HardwareId", YAML: "hardwareId", Label: "Hardware ID", Editable: true, Verb: "Change hardware id of", OnAdd: true,
				Hint: "the MQTT client id and user name; unique among devices",
				get:  func(o Object) any { return &dev(o).HardwareID }, plan: func(p any) any { return &pDev(p).HardwareID }, doc: func(d any) any { return &dDev(d).HardwareID }},
			{Name: "GatewayID", Type: FieldString, JSON: "gatewayId", Meta: "GatewayId", YAML: "gatewayId", Label: "Gateway ID",
				get: func(o Object) any { return &dev(o).GatewayID }, plan: func(p any) any { return &pDev(p).GatewayID }, doc: func(d any) any { return &dDev(d).GatewayID }},
			{Name: "SpaceID", Type: FieldID, JSON: "spaceId", Meta: "SpaceId", Label: "Space",
				get: func(o Object) any { return &dev(o).SpaceID }, doc: func(d any) any { return &dDev(d).SpaceID }},
			{Name: "Status", Type: FieldString, JSON: "status", Meta: "Status", YAML: "status", Editable: true, Choices: deviceStatuses,
				get: func(o Object) any { return &dev(o).Status }, plan: func(p any) any { return &pDev(p).Status }, doc: func(d any) any { return &dDev(d).Status }},
			{Name: "Key", Type: FieldString, Label: "Key", Hint: "the MQTT password; never in documents",
				get: func(o Object) any { return &dev(o).Key }},
			{Name: "Location", Type: FieldLocation, JSON: "location",
				get: func(o Object) any { return &dev(o).Location }, doc: func(d any) any { return &dDev(d).Location }},
			{Name: "Properties", Type: FieldProperties, JSON: "properties", YAML: "properties",
				get: func(o Object) any { return &dev(o).Properties }, plan: func(p any) any { return &pDev(p).Properties }, doc: func(d any) any { return &dDev(d).Properties }},
			{Name: "ConnectionState", Type: FieldString, JSON: "connectionState", Label: "Connection",
				get: func(o Object) any { return &dev(o).ConnectionState }, doc: func(d any) any { return &dDev(d).ConnectionState }},
			{Name: "ConnectionStateUpdated", Type: FieldTime, JSON: "connectionStateUpdatedTime", Label: "Connection changed",
				get: func(o Object) any { return &dev(o).ConnectionStateUpdated }, doc: func(d any) any { return &dDev(d).ConnectionStateUpdatedTime }},
		}})

	describeKind(&KindDesc{Kind: KindSensor, Label: "Sensor", Noun: "sensor", Plural: "sensors", Icon: "mediaRecord",
		Parents: []Kind{KindDevice},
		new:     func() Object { return new(Sensor) }, newBatch: batch[Sensor](), holds: holds[Sensor](), copy: shallowCopy[Sensor](),
		replace: func(tx *Tx, o Object) error { return tx.UpdateSensor(o.(*Sensor)) },
		Fields: []Field{
			{Name: "ID", Type: FieldID, Key: true, JSON: "id", Meta: "Id", Label: "ID",
				get: func(o Object) any { return &sen(o).ID }, doc: func(d any) any { return &dSen(d).ID }},
			{Name: "Name", Type: FieldString, JSON: "name", Meta: "Name", YAML: "name", Editable: true, Verb: "Rename",
				get: func(o Object) any { return &sen(o).Name }, plan: func(p any) any { return &pSen(p).Name }, doc: func(d any) any { return &dSen(d).Name }},
			{Name: "HardwareID", Type: FieldString, JSON: "hardwareId", Meta: "HardwareId", YAML: "hardwareId", Label: "Hardware ID", Editable: true, Verb: "Change hardware id of", OnAdd: true,
				Hint: "the last part of the MQTT topic; unique among sensors",
				get:  func(o Object) any { return &sen(o).HardwareID }, plan: func(p any) any { return &pSen(p).HardwareID }, doc: func(d any) any { return &dSen(d).HardwareID }},
			{Name: "DeviceID", Type: FieldID, JSON: "deviceId", Meta: "DeviceId", Label: "Device",
				get: func(o Object) any { return &sen(o).DeviceID }, doc: func(d any) any { return &dSen(d).DeviceID }},
			{Name: "SpaceID", Type: FieldID, JSON: "spaceId", Meta: "SpaceId", Label: "Space",
				get: func(o Object) any { return &sen(o).SpaceID }, doc: func(d any) any { return &dSen(d).SpaceID }},
			{Name: "Port", Type: FieldString, JSON: "port", Meta: "Port", YAML: "port",
				get: func(o Object) any { return &sen(o).Port }, plan: func(p any) any { return &pSen(p).Port }, doc: func(d any) any { return &dSen(d).Port }},
			{Name: "PollRate", Type: FieldInt, JSON: "pollRate", Meta: "PollRate", YAML: "pollRate", Label: "Poll rate", Hint: "seconds between readings",
				get: func(o Object) any { return &sen(o).PollRate }, plan: func(p any) any { return &pSen(p).PollRate }, doc: func(d any) any { return &dSen(d).PollRate }},
			{Name: "TypeID", Type: FieldTypeRef, Category: SensorType, JSON: "typeId", JSONName: "type", Meta: "Type", MetaID: "TypeId", YAML: "type", Label: "Sensor type", Editable: true,
				get: func(o Object) any { return &sen(o).TypeID }, plan: func(p any) any { return &pSen(p).Type },
				doc: func(d any) any { return &dSen(d).TypeID }, docName: func(d any) *string { return &dSen(d).Type }},
			{Name: "DataTypeID", Type: FieldTypeRef, Category: SensorDataType, JSON: "dataTypeId", JSONName: "dataType", Meta: "DataType", MetaID: "DataTypeId", YAML: "dataType", Label: "Data type", Editable: true, OnAdd: true, Default: "Temperature",
				get: func(o Object) any { return &sen(o).DataTypeID }, plan: func(p any) any { return &pSen(p).DataType },
				doc: func(d any) any { return &dSen(d).DataTypeID }, docName: func(d any) *string { return &dSen(d).DataType }},
			{Name: "DataSubtypeID", Type: FieldTypeRef, Category: SensorDataSubtype, JSON: "dataSubtypeId", JSONName: "dataSubtype", Meta: "DataSubtype", MetaID: "DataSubtypeId",
				YAML: "dataSubtype", YAMLAlts: []string{"dataSubType"}, Label: "Data subtype", Editable: true,
				get: func(o Object) any { return &sen(o).DataSubtypeID }, plan: func(p any) any { return &pSen(p).DataSubtype },
				doc: func(d any) any { return &dSen(d).DataSubtypeID }, docName: func(d any) *string { return &dSen(d).DataSubtype }},
			{Name: "DataUnitTypeID", Type: FieldTypeRef, Category: SensorDataUnitType, JSON: "dataUnitTypeId", JSONName: "dataUnitType", Meta: "DataUnitType", MetaID: "DataUnitTypeId",
				YAML: "dataUnitType", Label: "Unit", Editable: true,
				get: func(o Object) any { return &sen(o).DataUnitTypeID }, plan: func(p any) any { return &pSen(p).DataUnitType },
				doc: func(d any) any { return &dSen(d).DataUnitTypeID }, docName: func(d any) *string { return &dSen(d).DataUnitType }},
			{Name: "PortTypeID", Type: FieldTypeRef, Category: SensorPortType, JSON: "portTypeId", JSONName: "portType", Meta: "PortType", MetaID: "PortTypeId", YAML: "portType", Label: "Port type",
				get: func(o Object) any { return &sen(o).PortTypeID }, plan: func(p any) any { return &pSen(p).PortType },
				doc: func(d any) any { return &dSen(d).PortTypeID }, docName: func(d any) *string { return &dSen(d).PortType }},
			{Name: "Location", Type: FieldLocation, JSON: "location",
				get: func(o Object) any { return &sen(o).Location }, doc: func(d any) any { return &dSen(d).Location }},
			{Name: "Properties", Type: FieldProperties, JSON: "properties", YAML: "properties",
				get: func(o Object) any { return &sen(o).Properties }, plan: func(p any) any { return &pSen(p).Properties }, doc: func(d any) any { return &dSen(d).Properties }},
		}})

	describeKind(&KindDesc{Kind: KindUser, Label: "User", Noun: "user", Plural: "users", Icon: "account",
		Parents: []Kind{KindSpace},
		new:     func() Object { return new(User) }, newBatch: batch[User](), holds: holds[User](), copy: shallowCopy[User](),
		replace: func(tx *Tx, o Object) error { return tx.UpdateUser(o.(*User)) },
		Fields: []Field{
			{Name: "ID", Type: FieldID, Key: true, JSON: "id", Label: "ID",
				get: func(o Object) any { return &usr(o).ID }, doc: func(d any) any { return &dUsr(d).ID }},
			{Name: "UPN", Type: FieldString, JSON: "upn", YAML: "upn", Ident: true, Label: "UPN", Hint: "user principal name, such as ada@example.com",
				get: func(o Object) any { return &usr(o).UPN }, plan: func(p any) any { return &pUsr(p).UPN }, doc: func(d any) any { return &dUsr(d).UPN }},
			{Name: "FirstName", Type: FieldString, JSON: "firstName", YAML: "firstName", Label: "First name",
				get: func(o Object) any { return &usr(o).FirstName }, plan: func(p any) any { return &pUsr(p).FirstName }, doc: func(d any) any { return &dUsr(d).FirstName }},
			{Name: "LastName", Type: FieldString, JSON: "lastName", YAML: "lastName", Label: "Last name",
				get: func(o Object) any { return &usr(o).LastName }, plan: func(p any) any { return &pUsr(p).LastName }, doc: func(d any) any { return &dUsr(d).LastName }},
			{Name: "ManagerName", Type: FieldString, JSON: "managerName", YAML: "managerName", Label: "Manager",
				get: func(o Object) any { return &usr(o).ManagerName }, plan: func(p any) any { return &pUsr(p).ManagerName }, doc: func(d any) any { return &dUsr(d).ManagerName }},
			{Name: "SpaceID", Type: FieldID, JSON: "spaceId", Label: "Space",
				get: func(o Object) any { return &usr(o).SpaceID }, doc: func(d any) any { return &dUsr(d).SpaceID }},
			{Name: "Properties", Type: FieldProperties, JSON: "properties", YAML: "properties",
				get: func(o Object) any { return &usr(o).Properties }, plan: func(p any) any { return &pUsr(p).Properties }, doc: func(d any) any { return &dUsr(d).Properties }},
		}})

	describeKind(&KindDesc{Kind: KindMatcher, Label: "Matcher", Noun: "matcher", Plural: "matchers", Icon: "search",
		Parents: []Kind{KindSpace},
		new:     func() Object { return new(Matcher) }, newBatch: batch[Matcher](), holds: holds[Matcher](), copy: shallowCopy[Matcher](),
		replace: func(tx *Tx, o Object) error { return tx.PutMatcher(o.(*Matcher)) },
		Fields: []Field{
			{Name: "ID", Type: FieldID, Key: true, Label: "ID", get: func(o Object) any { return &mat(o).ID }},
			{Name: "Name", Type: FieldString, YAML: "name", Required: true, Ident: true,
				get: func(o Object) any { return &mat(o).Name }, plan: func(p any) any { return &pMat(p).Name }},
			{Name: "FriendlyName", Type: FieldString, Label: "Friendly name", get: func(o Object) any { return &mat(o).FriendlyName }},
			{Name: "Description", Type: FieldString, YAML: "description",
				get: func(o Object) any { return &mat(o).Description }, plan: func(p any) any { return &pMat(p).Description }},
			{Name: "DataTypeValue", Type: FieldString, YAML: "dataTypeValue", Label: "Data type",
				Hint: `shorthand for one condition: Sensor $.dataType Equals "<value>"`,
				plan: func(p any) any { return &pMat(p).DataTypeValue }},
			{Name: "SpaceID", Type: FieldID, Label: "Space", get: func(o Object) any { return &mat(o).SpaceID }},
			{Name: "Conditions", Type: FieldConditions, YAML: "conditions", get: func(o Object) any { return &mat(o).Conditions }},
		}})

	describeKind(&KindDesc{Kind: KindUDF, Label: "User-defined function", Noun: "user-defined function", Plural: "user-defined functions", Icon: "fileApplication",
		Parents: []Kind{KindSpace},
		new:     func() Object { return new(UDF) }, newBatch: batch[UDF](), holds: holds[UDF](), copy: shallowCopy[UDF](),
		replace: func(tx *Tx, o Object) error { return tx.PutUDF(o.(*UDF)) },
		Fields: []Field{
			{Name: "ID", Type: FieldID, Key: true, Label: "ID", get: func(o Object) any { return &udf(o).ID }},
			{Name: "Name", Type: FieldString, YAML: "name", Required: true, Ident: true,
				get: func(o Object) any { return &udf(o).Name }, plan: func(p any) any { return &pUDF(p).Name }},
			{Name: "FriendlyName", Type: FieldString, Label: "Friendly name", get: func(o Object) any { return &udf(o).FriendlyName }},
			{Name: "Description", Type: FieldString, YAML: "description",
				get: func(o Object) any { return &udf(o).Description }, plan: func(p any) any { return &pUDF(p).Description }},
			{Name: "SpaceID", Type: FieldID, Label: "Space", get: func(o Object) any { return &udf(o).SpaceID }},
			{Name: "MatcherIDs", Type: FieldIDs, Label: "Matchers", get: func(o Object) any { return &udf(o).MatcherIDs }},
			{Name: "MatcherNames", Type: FieldStrings, YAML: "matcherNames", Label: "Matchers",
				plan: func(p any) any { return &pUDF(p).MatcherNames }},
			{Name: "Script", Type: FieldString, YAML: "script", Hint: "in files: the path of the JavaScript file",
				get: func(o Object) any { return &udf(o).Script }},
			{Name: "Disabled", Type: FieldBool, YAML: "disabled",
				get: func(o Object) any { return &udf(o).Disabled }, plan: func(p any) any { return &pUDF(p).Disabled }},
			{Name: "Updated", Type: FieldTime, get: func(o Object) any { return &udf(o).Updated }},
			{Name: "TimeLimit", Type: FieldDuration, YAML: "timeLimit", Since: 2, Label: "Time limit",
				Hint: "bound of one execution, such as 250ms (at most 10s); empty: the runtime's default",
				get:  func(o Object) any { return &udf(o).TimeLimit }, plan: func(p any) any { return &pUDF(p).TimeLimit }},
			udfLimit("ValueSizeLimit", "Value size limit", "bytes of each value written", CeilUDFValue, MaxUDFValue,
				func(u *UDF) *int { return &u.ValueSizeLimit }, func(p *PlanUDF) *int { return &p.ValueSizeLimit }),
			udfLimit("WriteLimit", "Write limit", "values written per execution", CeilUDFWrites, MaxUDFWrites,
				func(u *UDF) *int { return &u.WriteLimit }, func(p *PlanUDF) *int { return &p.WriteLimit }),
			udfLimit("NotificationSizeLimit", "Notification size limit", "bytes of each notification payload", CeilUDFNotification, MaxUDFNotification,
				func(u *UDF) *int { return &u.NotificationSizeLimit }, func(p *PlanUDF) *int { return &p.NotificationSizeLimit }),
			udfLimit("NotificationLimit", "Notification limit", "notifications per execution", CeilUDFNotifications, MaxUDFNotifications,
				func(u *UDF) *int { return &u.NotificationLimit }, func(p *PlanUDF) *int { return &p.NotificationLimit }),
			udfLimit("LogLineSizeLimit", "Log line size limit", "bytes of each log line", CeilUDFLogLine, MaxUDFLogLine,
				func(u *UDF) *int { return &u.LogLineSizeLimit }, func(p *PlanUDF) *int { return &p.LogLineSizeLimit }),
			udfLimit("LogLineLimit", "Log line limit", "log lines per execution", CeilUDFLogLines, MaxUDFLogLines,
				func(u *UDF) *int { return &u.LogLineLimit }, func(p *PlanUDF) *int { return &p.LogLineLimit }),
			udfLimit("MemoryLimitMiB", "Memory limit (MiB)", "memory one execution may build up, in MiB", MaxUDFMemoryMiB, DefaultUDFMemoryMiB,
				func(u *UDF) *int { return &u.MemoryLimitMiB }, func(p *PlanUDF) *int { return &p.MemoryLimitMiB }),
		}})

	describeKind(&KindDesc{Kind: KindRoleAssignment, Label: "Role assignment", Noun: "role assignment", Plural: "role assignments", Icon: "login",
		Parents: []Kind{KindSpace},
		new:     func() Object { return new(RoleAssignment) }, newBatch: batch[RoleAssignment](), holds: holds[RoleAssignment](), copy: shallowCopy[RoleAssignment](),
		replace: func(tx *Tx, o Object) error { return tx.PutRoleAssignment(o.(*RoleAssignment)) },
		Fields: []Field{
			{Name: "ID", Type: FieldID, Key: true, Label: "ID", get: func(o Object) any { return &rol(o).ID }},
			{Name: "RoleID", Type: FieldID, YAML: "roleId", Label: "Role",
				get: func(o Object) any { return &rol(o).RoleID }, plan: func(p any) any { return &pRol(p).RoleID }},
			{Name: "Role", Type: FieldString, YAML: "role", Label: "Role", Hint: "a role name, instead of roleId",
				plan: func(p any) any { return &pRol(p).Role }},
			{Name: "ObjectName", Type: FieldString, YAML: "objectName", Label: "Object",
				Hint: "a UDF's name, a device's hardwareId or name, a user's upn, instead of objectId",
				plan: func(p any) any { return &pRol(p).ObjectName }},
			{Name: "ObjectID", Type: FieldString, YAML: "objectId", Label: "Object ID",
				get: func(o Object) any { return &rol(o).ObjectID }, plan: func(p any) any { return &pRol(p).ObjectID }},
			{Name: "ObjectIDType", Type: FieldString, YAML: "objectIdType", Label: "Object ID type",
				Choices: []string{ObjectUserID, ObjectDeviceID, ObjectDomainName, ObjectTenantID, ObjectServicePrincipalID, ObjectUserDefinedFunctionID},
				get:     func(o Object) any { return &rol(o).ObjectIDType }, plan: func(p any) any { return &pRol(p).ObjectIDType }},
			{Name: "Path", Type: FieldString, Hint: `the space path: "/" or "/{guid}/{guid}…"`,
				get: func(o Object) any { return &rol(o).Path }},
			{Name: "TenantID", Type: FieldString, YAML: "tenantId", Label: "Tenant ID",
				get: func(o Object) any { return &rol(o).TenantID }, plan: func(p any) any { return &pRol(p).TenantID }},
		}})

	describeKind(&KindDesc{Kind: KindEndpoint, Label: "Endpoint", Noun: "endpoint", Plural: "endpoints", Icon: "upload",
		new: func() Object { return new(Endpoint) }, newBatch: batch[Endpoint](), holds: holds[Endpoint](), copy: shallowCopy[Endpoint](),
		replace: func(tx *Tx, o Object) error { return tx.PutEndpoint(o.(*Endpoint)) },
		Fields: []Field{
			{Name: "ID", Type: FieldID, Key: true, Label: "ID", get: func(o Object) any { return &edp(o).ID }},
			{Name: "Type", Type: FieldString, get: func(o Object) any { return &edp(o).Type }},
			{Name: "EventTypes", Type: FieldStrings, Label: "Event types", get: func(o Object) any { return &edp(o).EventTypes }},
			{Name: "ConnectionString", Type: FieldString, Label: "Connection string", get: func(o Object) any { return &edp(o).ConnectionString }},
			{Name: "SecondaryConnectionString", Type: FieldString, Label: "Secondary connection string",
				get: func(o Object) any { return &edp(o).SecondaryConnectionString }},
			{Name: "Path", Type: FieldString, get: func(o Object) any { return &edp(o).Path }},
		}})

	describeKind(&KindDesc{Kind: KindResource, Label: "Resource", Noun: "resource", Plural: "resources", Icon: "storage",
		Parents: []Kind{KindSpace},
		new:     func() Object { return new(Resource) }, newBatch: batch[Resource](), holds: holds[Resource](), copy: shallowCopy[Resource](),
		replace: func(tx *Tx, o Object) error { return tx.PutResource(o.(*Resource)) },
		Fields: []Field{
			{Name: "ID", Type: FieldID, Key: true, Label: "ID", get: func(o Object) any { return &rsc(o).ID }},
			{Name: "SpaceID", Type: FieldID, Label: "Space", get: func(o Object) any { return &rsc(o).SpaceID }},
			{Name: "Type", Type: FieldString, YAML: "type", Ident: true, Hint: "a SpaceResourceType; IoTHub when empty",
				get: func(o Object) any { return &rsc(o).Type }, plan: func(p any) any { return &pRes(p).Type }},
			{Name: "Size", Type: FieldString, YAML: "size",
				get: func(o Object) any { return &rsc(o).Size }, plan: func(p any) any { return &pRes(p).Size }},
			{Name: "Region", Type: FieldString, YAML: "region",
				get: func(o Object) any { return &rsc(o).Region }, plan: func(p any) any { return &pRes(p).Region }},
			{Name: "Status", Type: FieldString, get: func(o Object) any { return &rsc(o).Status }},
		}})

	describeKind(&KindDesc{Kind: KindPropertyKey, Label: "Property key", Noun: "property key", Plural: "property keys", Icon: "list",
		Parents: []Kind{KindSpace},
		new:     func() Object { return new(PropertyKey) }, newBatch: batch[PropertyKey](), holds: holds[PropertyKey](), copy: shallowCopy[PropertyKey](),
		replace: func(tx *Tx, o Object) error { return tx.PutPropertyKey(o.(*PropertyKey)) },
		Fields: []Field{
			{Name: "ID", Type: FieldInt, Key: true, Label: "ID", get: func(o Object) any { return &pky(o).ID }},
			{Name: "Name", Type: FieldString, YAML: "name", Required: true, Ident: true, Hint: "letters, digits and _",
				get: func(o Object) any { return &pky(o).Name }, plan: func(p any) any { return &pPky(p).Name }},
			{Name: "SpaceID", Type: FieldID, Label: "Space", get: func(o Object) any { return &pky(o).SpaceID }},
			{Name: "Scope", Type: FieldString, YAML: "scope", Ident: true, Choices: []string{ScopeSpaces, ScopeDevices, ScopeSensors, ScopeUsers},
				get: func(o Object) any { return &pky(o).Scope }, plan: func(p any) any { return &pPky(p).Scope }},
			{Name: "PrimitiveDataType", Type: FieldString, YAML: "primitiveDataType", Label: "Data type", Choices: primitives,
				get: func(o Object) any { return &pky(o).PrimitiveDataType }, plan: func(p any) any { return &pPky(p).PrimitiveDataType }},
			{Name: "Category", Type: FieldString, YAML: "category",
				get: func(o Object) any { return &pky(o).Category }, plan: func(p any) any { return &pPky(p).Category }},
			{Name: "Description", Type: FieldString, YAML: "description",
				get: func(o Object) any { return &pky(o).Description }, plan: func(p any) any { return &pPky(p).Description }},
			{Name: "ValidationData", Type: FieldString, YAML: "validationData", Label: "Validation",
				Hint: "a regex (String) or ;-separated allowed values (Set, Enum)",
				get:  func(o Object) any { return &pky(o).ValidationData }, plan: func(p any) any { return &pPky(p).ValidationData }},
			{Name: "Min", Type: FieldString, YAML: "min",
				get: func(o Object) any { return &pky(o).Min }, plan: func(p any) any { return &pPky(p).Min }},
			{Name: "Max", Type: FieldString, YAML: "max",
				get: func(o Object) any { return &pky(o).Max }, plan: func(p any) any { return &pPky(p).Max }},
		}})

	describeKind(&KindDesc{Kind: KindType, Label: "Type", Noun: "type", Plural: "types", Icon: "list",
		Parents: []Kind{KindSpace},
		new:     func() Object { return new(ExtendedType) }, newBatch: batch[ExtendedType](), holds: holds[ExtendedType](), copy: shallowCopy[ExtendedType](),
		replace: func(tx *Tx, o Object) error { return tx.PutType(o.(*ExtendedType)) },
		Fields: []Field{
			{Name: "ID", Type: FieldInt, Key: true, Label: "ID", get: func(o Object) any { return &typ(o).ID }},
			{Name: "Category", Type: FieldString, YAML: "category", Ident: true,
				get: func(o Object) any { return (*string)(&typ(o).Category) }, plan: func(p any) any { return &pTyp(p).Category }},
			{Name: "Name", Type: FieldString, YAML: "name", Required: true, Ident: true,
				get: func(o Object) any { return &typ(o).Name }, plan: func(p any) any { return &pTyp(p).Name }},
			{Name: "FriendlyName", Type: FieldString, YAML: "friendlyName", Label: "Friendly name",
				get: func(o Object) any { return &typ(o).FriendlyName }, plan: func(p any) any { return &pTyp(p).FriendlyName }},
			{Name: "Description", Type: FieldString, YAML: "description",
				get: func(o Object) any { return &typ(o).Description }, plan: func(p any) any { return &pTyp(p).Description }},
			{Name: "Disabled", Type: FieldBool, get: func(o Object) any { return &typ(o).Disabled }},
			{Name: "LogicalOrder", Type: FieldInt, Label: "Order", get: func(o Object) any { return &typ(o).LogicalOrder }},
			{Name: "SpaceID", Type: FieldID, Label: "Space", get: func(o Object) any { return &typ(o).SpaceID }},
			{Name: "Ontologies", Type: FieldInts, get: func(o Object) any { return &typ(o).Ontologies }},
		}})

	describeKind(&KindDesc{Kind: KindOntology, Label: "Ontology", Noun: "ontology", Plural: "ontologies", Icon: "folder",
		new: func() Object { return new(Ontology) }, newBatch: batch[Ontology](), holds: holds[Ontology](), copy: shallowCopy[Ontology](),
		Fields: []Field{
			{Name: "ID", Type: FieldInt, Key: true, Label: "ID", get: func(o Object) any { return &ont(o).ID }},
			{Name: "Name", Type: FieldString, get: func(o Object) any { return &ont(o).Name }},
			{Name: "Description", Type: FieldString, get: func(o Object) any { return &ont(o).Description }},
			{Name: "Loaded", Type: FieldBool, get: func(o Object) any { return &ont(o).Loaded }},
		}})

	describeKind(&KindDesc{Kind: KindToken, Label: "Token", Noun: "token", Plural: "tokens", Icon: "account",
		new: func() Object { return new(Token) }, newBatch: batch[Token](), holds: holds[Token](), copy: shallowCopy[Token](),
		Fields: []Field{
			{Name: "ID", Type: FieldID, Key: true, Label: "ID", get: func(o Object) any { return &tok(o).ID }},
			{Name: "Name", Type: FieldString, get: func(o Object) any { return &tok(o).Name }},
			{Name: "Principal", Type: FieldJSON, get: func(o Object) any { return &tok(o).Principal }},
			{Name: "Hash", Type: FieldString, Hint: "hex SHA-256 of the secret", get: func(o Object) any { return &tok(o).Hash }},
			{Name: "Created", Type: FieldTime, get: func(o Object) any { return &tok(o).Created }},
			{Name: "Expires", Type: FieldTime, get: func(o Object) any { return &tok(o).Expires }},
			{Name: "Revoked", Type: FieldTime, get: func(o Object) any { return &tok(o).Revoked }},
		}})

	describeKind(&KindDesc{Kind: KindRole, Label: "Role", Noun: "role", Plural: "roles", Icon: "account",
		new: func() Object { return new(Role) }, newBatch: batch[Role](), holds: holds[Role](), copy: shallowCopy[Role](),
		replace: func(tx *Tx, o Object) error { return tx.PutRole(o.(*Role)) },
		Fields: []Field{
			{Name: "ID", Type: FieldID, Key: true, Label: "ID", get: func(o Object) any { return &rle(o).ID }},
			{Name: "Name", Type: FieldString, Hint: "letters, digits, _ and -", get: func(o Object) any { return &rle(o).Name }},
			{Name: "FriendlyName", Type: FieldString, Label: "Friendly name", get: func(o Object) any { return &rle(o).FriendlyName }},
			{Name: "Permissions", Type: FieldJSON, get: func(o Object) any { return &rle(o).Permissions }},
			{Name: "Limits", Type: FieldJSON, Hint: "bounds of the values the role may write", get: func(o Object) any { return &rle(o).Limits }},
			{Name: "System", Type: FieldBool, get: func(o Object) any { return &rle(o).System }},
		}})

	describeKind(&KindDesc{Kind: KindFloorPlan, Label: "Floor plan", Noun: "floor plan", Plural: "floor plans", Icon: "grid",
		new: func() Object { return new(FloorPlan) }, newBatch: batch[FloorPlan](), holds: holds[FloorPlan](), copy: shallowCopy[FloorPlan](),
		replace: func(tx *Tx, o Object) error { return tx.PutFloorPlan(o.(*FloorPlan)) },
		Fields: []Field{
			{Name: "FloorID", Type: FieldID, Key: true, Label: "Floor", get: func(o Object) any { return &fpl(o).FloorID }},
			{Name: "Scale", Type: FieldJSON, Hint: "metres per plan unit; empty: 1", get: func(o Object) any { return &fpl(o).Scale }},
			{Name: "Width", Type: FieldJSON, Hint: "plan units", get: func(o Object) any { return &fpl(o).Width }},
			{Name: "Height", Type: FieldJSON, Hint: "plan units", get: func(o Object) any { return &fpl(o).Height }},
			{Name: "Grid", Type: FieldJSON, Hint: "snap step in plan units; empty: 0.5", get: func(o Object) any { return &fpl(o).Grid }},
			{Name: "Shapes", Type: FieldJSON, Hint: "the rooms drawn", get: func(o Object) any { return &fpl(o).Shapes }},
			{Name: "Items", Type: FieldJSON, Hint: "the devices and sensors placed", get: func(o Object) any { return &fpl(o).Items }},
			{Name: "Background", Type: FieldString, Hint: "name of the background drawing", get: func(o Object) any { return &fpl(o).Background }},
		}})

	ConditionDesc = describeKind(&KindDesc{Kind: KindNone, Label: "Condition", Noun: "condition", Plural: "conditions",
		new: func() Object { return condObj{new(Condition)} },
		Fields: []Field{
			{Name: "ID", Type: FieldID, Label: "ID", get: func(o Object) any { return &cnd(o).ID }},
			{Name: "Target", Type: FieldString, YAML: "target", Choices: []string{TargetSensor, TargetSensorDevice, TargetSensorSpace},
				get: func(o Object) any { return &cnd(o).Target }, plan: func(p any) any { return &pCnd(p).Target }},
			{Name: "Path", Type: FieldString, YAML: "path", Hint: "a JSONPath on the target's JSON document",
				get: func(o Object) any { return &cnd(o).Path }, plan: func(p any) any { return &pCnd(p).Path }},
			{Name: "Value", Type: FieldString, YAML: "value", YAMLRaw: true, Hint: `a JSON literal: "Motion", 42, true`,
				get: func(o Object) any { return &cnd(o).Value }, plan: func(p any) any { return &pCnd(p).Value }},
			{Name: "Comparison", Type: FieldString, YAML: "comparison", Choices: []string{CompareEquals, CompareNotEquals, CompareContains},
				get: func(o Object) any { return &cnd(o).Comparison }, plan: func(p any) any { return &pCnd(p).Comparison }},
		}})
}

// udfLimit describes one of a UDF's output limits (UDF.OutputLimits): an
// int field of record version 3 whose YAML key is name in camelCase, from
// 1 to ceil, def when 0.
func udfLimit(name, label, what string, ceil, def int, get func(*UDF) *int, plan func(*PlanUDF) *int) Field {
	return Field{Name: name, Type: FieldInt, YAML: strings.ToLower(name[:1]) + name[1:], Since: 3, Min: 1, Max: ceil, Label: label,
		Hint: fmt.Sprintf("%s (at most %d); empty: %d", what, ceil, def),
		get:  func(o Object) any { return get(udf(o)) }, plan: func(p any) any { return plan(pUDF(p)) }}
}

// setJSONField stores value in FieldJSON f of o if value has the field's
// Go type; otherwise it returns an error wrapping ErrInvalid.
func setJSONField(f *Field, o Object, value any) error {
	p := reflect.ValueOf(f.get(o)).Elem()
	v := reflect.ValueOf(value)
	if !v.IsValid() || v.Type() != p.Type() {
		return fmt.Errorf("%w: field %s takes a %s, not %T", ErrInvalid, f.Name, p.Type(), value)
	}
	p.Set(v)
	return nil
}

// cloneJSONField replaces FieldJSON f of o by a deep copy (through its
// JSON form, which is what the field stores).
func cloneJSONField(f *Field, o Object) {
	p := reflect.ValueOf(f.get(o))
	b, err := json.Marshal(p.Interface())
	if err != nil {
		panic(fmt.Sprintf("engine: clone %s: %v", f.Name, err))
	}
	fresh := reflect.New(p.Elem().Type())
	if err := json.Unmarshal(b, fresh.Interface()); err != nil {
		panic(fmt.Sprintf("engine: clone %s: %v", f.Name, err))
	}
	p.Elem().Set(fresh.Elem())
}

// jsonText is x as compact JSON, "" for null.
func jsonText(x any) string {
	b, err := json.Marshal(x)
	if err != nil || string(b) == "null" {
		return ""
	}
	return string(b)
}
