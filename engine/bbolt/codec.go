package bbolt

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/twinstudio/twinstudio/engine"
)

// Record format: every object record starts with the version byte of its
// kind, the highest Since of the kind's described fields (engine.Describe),
// followed by the kind's fields in description order, the key left out. A
// decoder reads every version from 1 to the current one, leaving the
// fields a version did not have zero, and refuses others. A field added
// to a kind goes at the end with Since one above the kind's version.

// recValue is the version of values-bucket records.
const recValue = 1

// Time tags: how a time is encoded.
const (
	timeZero  = 0 // the zero time.Time; nothing follows
	timeNanos = 1 // varint Unix nanoseconds follow
	timeSecs  = 2 // varint Unix seconds and uvarint nanoseconds follow (outside 1678–2262)
)

// errDecode is the cause of every decode failure; callers wrap it with
// ErrCorrupt and the record's kind and key.
var errDecode = errors.New("malformed record")

// ---- encoding ----

func appendUvarint(b []byte, x uint64) []byte { return binary.AppendUvarint(b, x) }

func appendInt(b []byte, x int) []byte { return binary.AppendVarint(b, int64(x)) }

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendID(b []byte, id engine.ID) []byte { return append(b, id[:]...) }

func appendBool(b []byte, v bool) []byte {
	if v {
		return append(b, 1)
	}
	return append(b, 0)
}

func appendFloat(b []byte, f float64) []byte {
	return binary.LittleEndian.AppendUint64(b, math.Float64bits(f))
}

// appendTime encodes the instant of t (not its location or monotonic
// reading).
func appendTime(b []byte, t time.Time) []byte {
	if t.IsZero() {
		return append(b, timeZero)
	}
	if n, ok := unixNanos(t); ok {
		b = append(b, timeNanos)
		return binary.AppendVarint(b, n)
	}
	b = append(b, timeSecs)
	b = binary.AppendVarint(b, t.Unix())
	return binary.AppendUvarint(b, uint64(t.Nanosecond()))
}

// Bounds of the instants whose Unix nanoseconds fit in an int64.
var (
	minNanoTime = time.Unix(0, math.MinInt64)
	maxNanoTime = time.Unix(0, math.MaxInt64)
)

// unixNanos returns t as Unix nanoseconds if that fits in an int64.
func unixNanos(t time.Time) (int64, bool) {
	if t.Before(minNanoTime) || t.After(maxNanoTime) {
		return 0, false
	}
	return t.UnixNano(), true
}

func appendLocation(b []byte, l *engine.Location) []byte {
	if l == nil {
		return append(b, 0)
	}
	b = append(b, 1)
	b = appendFloat(b, l.Longitude)
	b = appendFloat(b, l.Latitude)
	return appendFloat(b, l.Elevation)
}

func appendProps(b []byte, ps []engine.Property) []byte {
	b = appendUvarint(b, uint64(len(ps)))
	for _, p := range ps {
		b = appendString(b, p.Name)
		b = appendString(b, p.Value)
	}
	return b
}

// errNilObject is returned for an OpPut whose object is a nil pointer.
var errNilObject = errors.New("nil object")

// appendObject appends the record of o (without its key) to b.
func appendObject(b []byte, o engine.Object) ([]byte, error) {
	if o == nil {
		return b, errNilObject
	}
	desc := engine.Describe(o.Kind())
	if desc == nil {
		return b, fmt.Errorf("unsupported object type %T", o)
	}
	switch ofKind, nonNil := desc.Holds(o); {
	case !ofKind:
		return b, fmt.Errorf("unsupported object type %T", o)
	case !nonNil:
		return b, errNilObject
	}
	b = append(b, desc.Version)
	return appendFields(b, kindOps[desc.Kind], o), nil
}

// appendFields appends the stored fields ops of o.
func appendFields(b []byte, ops []fieldOp, o engine.Object) []byte {
	for i := range ops {
		f := &ops[i]
		p := f.ptr(o)
		switch f.typ {
		case engine.FieldString:
			b = appendString(b, *p.(*string))
		case engine.FieldInt, engine.FieldTypeRef:
			b = appendInt(b, *p.(*int))
		case engine.FieldBool:
			b = appendBool(b, *p.(*bool))
		case engine.FieldID:
			b = appendID(b, *p.(*engine.ID))
		case engine.FieldTime:
			b = appendTime(b, *p.(*time.Time))
		case engine.FieldDuration:
			b = appendUvarint(b, uint64(*p.(*time.Duration)))
		case engine.FieldLocation:
			b = appendLocation(b, *p.(**engine.Location))
		case engine.FieldProperties:
			b = appendProps(b, *p.(*[]engine.Property))
		case engine.FieldIDs:
			ids := *p.(*[]engine.ID)
			b = appendUvarint(b, uint64(len(ids)))
			for _, id := range ids {
				b = appendID(b, id)
			}
		case engine.FieldStrings:
			ss := *p.(*[]string)
			b = appendUvarint(b, uint64(len(ss)))
			for _, s := range ss {
				b = appendString(b, s)
			}
		case engine.FieldInts:
			ns := *p.(*[]int)
			b = appendUvarint(b, uint64(len(ns)))
			for _, n := range ns {
				b = appendInt(b, n)
			}
		case engine.FieldConditions:
			cs := *p.(*[]engine.Condition)
			b = appendUvarint(b, uint64(len(cs)))
			for i := range cs {
				b = appendFields(b, condOps, engine.ConditionObject(&cs[i]))
			}
		case engine.FieldJSON:
			js, err := json.Marshal(p)
			if err != nil {
				panic("bbolt: field " + f.typ.String() + ": " + err.Error())
			}
			b = appendString(b, string(js))
		default:
			panic("bbolt: field type " + f.typ.String() + " has no encoding")
		}
	}
	return b
}

// appendObjectKey appends the objects-bucket key of kind k and key id.
func appendObjectKey(b []byte, k engine.Kind, id engine.ID) []byte {
	b = append(b, byte(k))
	return append(b, id[:]...)
}

// appendValue appends a values-bucket record: the current value plus the
// history bookkeeping of its (owner, name): seq is the sequence number of
// the newest history entry, count the number of history entries stored.
func appendValue(b []byte, v engine.Value, seq uint32, count uint64) []byte {
	b = append(b, recValue)
	b = appendString(b, v.Value)
	b = appendTime(b, v.Time)
	b = appendUvarint(b, uint64(seq))
	return appendUvarint(b, count)
}

// ---- decoding ----

// decoder reads a record held in a string, so that decoded strings are
// substrings of it and cost no allocation. Errors are sticky: after the
// first, every read returns a zero value and err stays set.
type decoder struct {
	s    string
	i    int
	err  bool
	want byte // the record version expected
}

func (d *decoder) fail() { d.err, d.i = true, len(d.s) }

func (d *decoder) byte() byte {
	if d.i >= len(d.s) {
		d.fail()
		return 0
	}
	c := d.s[d.i]
	d.i++
	return c
}

func (d *decoder) uvarint() uint64 {
	var x uint64
	var shift uint
	for j := 0; j < binary.MaxVarintLen64; j++ {
		if d.i >= len(d.s) {
			d.fail()
			return 0
		}
		c := d.s[d.i]
		d.i++
		if c < 0x80 {
			if j == binary.MaxVarintLen64-1 && c > 1 {
				d.fail() // overflow
				return 0
			}
			return x | uint64(c)<<shift
		}
		x |= uint64(c&0x7f) << shift
		shift += 7
	}
	d.fail()
	return 0
}

func (d *decoder) varint() int64 {
	ux := d.uvarint()
	x := int64(ux >> 1)
	if ux&1 != 0 {
		x = ^x
	}
	return x
}

func (d *decoder) int() int {
	x := d.varint()
	if int64(int(x)) != x { // 32-bit platforms
		d.fail()
		return 0
	}
	return int(x)
}

func (d *decoder) string() string {
	n := d.uvarint()
	if n > uint64(len(d.s)-d.i) {
		d.fail()
		return ""
	}
	if n == 0 {
		return ""
	}
	s := d.s[d.i : d.i+int(n)]
	d.i += int(n)
	return s
}

func (d *decoder) id() (id engine.ID) {
	if len(d.s)-d.i < len(id) {
		d.fail()
		return id
	}
	copy(id[:], d.s[d.i:])
	d.i += len(id)
	return id
}

func (d *decoder) bool() bool {
	switch d.byte() {
	case 0:
		return false
	case 1:
		return true
	}
	d.fail()
	return false
}

func (d *decoder) float() float64 {
	if len(d.s)-d.i < 8 {
		d.fail()
		return 0
	}
	s := d.s[d.i:]
	u := uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
	d.i += 8
	return math.Float64frombits(u)
}

// time decodes a time in UTC.
func (d *decoder) time() time.Time {
	switch d.byte() {
	case timeZero:
		return time.Time{}
	case timeNanos:
		n := d.varint()
		if d.err {
			return time.Time{}
		}
		return time.Unix(0, n).UTC()
	case timeSecs:
		sec := d.varint()
		ns := d.uvarint()
		if d.err || ns >= 1e9 {
			d.fail()
			return time.Time{}
		}
		t := time.Unix(sec, int64(ns)).UTC()
		if t.IsZero() {
			d.fail() // the zero time has its own tag
		}
		return t
	}
	d.fail()
	return time.Time{}
}

func (d *decoder) location() *engine.Location {
	switch d.byte() {
	case 0:
		return nil
	case 1:
		if len(d.s)-d.i < 24 {
			d.fail()
			return nil
		}
		return &engine.Location{Longitude: d.float(), Latitude: d.float(), Elevation: d.float()}
	}
	d.fail()
	return nil
}

// count reads a slice length and checks that at least min bytes per
// element remain, so corrupt input cannot make a huge allocation.
func (d *decoder) count(min int) int {
	n := d.uvarint()
	if n > uint64((len(d.s)-d.i)/min) {
		d.fail()
		return 0
	}
	return int(n)
}

func (d *decoder) props() []engine.Property {
	n := d.count(2)
	if n == 0 {
		return nil
	}
	ps := make([]engine.Property, n)
	for i := range ps {
		ps[i].Name = d.string()
		ps[i].Value = d.string()
	}
	return ps
}

// done reports whether the whole record was read without error.
func (d *decoder) done() bool { return !d.err && d.i == len(d.s) }

// finish returns nil if the whole record was read without error, else an
// error wrapping errDecode that says what is wrong.
func (d *decoder) finish() error {
	switch {
	case d.done():
		return nil
	case len(d.s) == 0:
		return fmt.Errorf("%w: empty record", errDecode)
	case d.s[0] != d.want:
		return fmt.Errorf("%w: unknown record version %d (want %d)", errDecode, d.s[0], d.want)
	case d.err:
		return fmt.Errorf("%w: truncated or invalid field", errDecode)
	default:
		return fmt.Errorf("%w: %d trailing bytes", errDecode, len(d.s)-d.i)
	}
}

// slabs hands out the structs of the three bulk kinds from arrays, so that
// a load makes one allocation per slabSize objects instead of one each.
// The price: an array stays alive while any object in it is, so memory of
// objects replaced later is freed only with its whole slab. The zero value
// is ready; a nil *slabs allocates each struct on its own.
type slabs struct {
	next [engine.KindSensor + 1]func() engine.Object // by kind
}

const slabSize = 256

// alloc returns a new zero object of desc's kind.
func (a *slabs) alloc(desc *engine.KindDesc) engine.Object {
	if a == nil || desc.Kind > engine.KindSensor { // spaces, devices, sensors
		return desc.New()
	}
	next := &a.next[desc.Kind]
	if *next == nil {
		*next = desc.Batch(slabSize)
	}
	return (*next)()
}

// Minimum encoded sizes of list elements, so that a corrupt count cannot
// make a huge allocation.
const (
	minIDSize        = 16
	minConditionSize = 20
)

// A fieldOp is one stored field of a kind, as the codec walks it: a
// compact copy of what the kind's description says.
type fieldOp struct {
	typ   engine.FieldType
	since byte
	ptr   func(engine.Object) any
}

// kindOps are the stored fields of each kind (indexed by kind) and of
// matcher conditions, in record order, built once from the descriptions.
var (
	kindOps [256][]fieldOp
	condOps []fieldOp
)

func opsOf(desc *engine.KindDesc) []fieldOp {
	var ops []fieldOp
	for i := range desc.Fields {
		f := &desc.Fields[i]
		if f.Key || !f.HasObject() {
			continue
		}
		ops = append(ops, fieldOp{typ: f.Type, since: max(f.Since, 1), ptr: f.Accessor()})
	}
	return ops
}

func init() {
	for _, desc := range engine.Kinds() {
		kindOps[desc.Kind] = opsOf(desc)
	}
	condOps = opsOf(engine.ConditionDesc)
}

// decodeObject decodes the record s of kind k stored under key, taking
// structs from al (nil: allocate). Strings of the result share s's memory.
// It never panics; malformed input gives an error wrapping errDecode.
func decodeObject(k engine.Kind, key engine.ID, s string, al *slabs) (engine.Object, error) {
	desc := engine.Describe(k)
	if desc == nil || k == engine.KindNone {
		return nil, fmt.Errorf("%w: unknown kind %d", errDecode, k)
	}
	keyField := &desc.Fields[0] // described first
	var intID int
	if desc.IntKeyed() {
		var ok bool
		if intID, ok = intKey(key); !ok {
			return nil, fmt.Errorf("%w: bad integer key", errDecode)
		}
	}
	d := decoder{s: s, want: desc.Version}
	ver := d.byte()
	if ver < 1 || ver > desc.Version {
		d.fail()
	} else {
		d.want = ver
	}
	o := al.alloc(desc)
	switch p := keyField.Ptr(o).(type) {
	case *engine.ID:
		*p = key
	case *int:
		*p = intID
	}
	d.fields(kindOps[k], o, ver)
	if err := d.finish(); err != nil {
		return nil, err
	}
	return o, nil
}

// fields decodes the stored fields ops of o as record version ver wrote
// them.
func (d *decoder) fields(ops []fieldOp, o engine.Object, ver byte) {
	for i := range ops {
		f := &ops[i]
		if f.since > ver {
			continue
		}
		p := f.ptr(o)
		switch f.typ {
		case engine.FieldString:
			*p.(*string) = d.string()
		case engine.FieldInt, engine.FieldTypeRef:
			*p.(*int) = d.int()
		case engine.FieldBool:
			*p.(*bool) = d.bool()
		case engine.FieldID:
			*p.(*engine.ID) = d.id()
		case engine.FieldTime:
			*p.(*time.Time) = d.time()
		case engine.FieldDuration:
			*p.(*time.Duration) = time.Duration(d.uvarint())
		case engine.FieldLocation:
			*p.(**engine.Location) = d.location()
		case engine.FieldProperties:
			*p.(*[]engine.Property) = d.props()
		case engine.FieldIDs:
			if n := d.count(minIDSize); n > 0 {
				ids := make([]engine.ID, n)
				for i := range ids {
					ids[i] = d.id()
				}
				*p.(*[]engine.ID) = ids
			}
		case engine.FieldStrings:
			if n := d.count(1); n > 0 {
				ss := make([]string, n)
				for i := range ss {
					ss[i] = d.string()
				}
				*p.(*[]string) = ss
			}
		case engine.FieldInts:
			if n := d.count(1); n > 0 {
				ns := make([]int, n)
				for i := range ns {
					ns[i] = d.int()
				}
				*p.(*[]int) = ns
			}
		case engine.FieldConditions:
			if n := d.count(minConditionSize); n > 0 {
				cs := make([]engine.Condition, n)
				for i := range cs {
					d.fields(condOps, engine.ConditionObject(&cs[i]), 1)
				}
				*p.(*[]engine.Condition) = cs
			}
		case engine.FieldJSON:
			if err := json.Unmarshal([]byte(d.string()), p); err != nil {
				d.fail()
			}
		default:
			d.fail()
		}
	}
}

// intKey is the inverse of engine.IntKey; it refuses keys IntKey cannot
// make (bytes 8–15 not zero).
func intKey(key engine.ID) (int, bool) {
	for _, c := range key[8:] {
		if c != 0 {
			return 0, false
		}
	}
	u := binary.BigEndian.Uint64(key[:8])
	if uint64(int(u)) != u {
		return 0, false
	}
	return int(u), true
}

// decodeRecord decodes an objects-bucket entry: k is the kind byte and the
// 16-byte object key, v the record. It copies v once; strings of the
// result share that copy.
func decodeRecord(k, v []byte) (engine.Object, error) {
	if len(k) != 1+len(engine.ID{}) {
		return nil, fmt.Errorf("%w: key of %d bytes", errDecode, len(k))
	}
	return decodeObject(engine.Kind(k[0]), engine.ID(k[1:]), string(v), nil)
}

// decodeValue decodes a values-bucket record. The value string shares s.
func decodeValue(s string) (v engine.Value, seq uint32, count uint64, err error) {
	d := decoder{s: s, want: recValue}
	if d.byte() != recValue {
		d.fail()
	}
	v.Value = d.string()
	v.Time = d.time()
	sq := d.uvarint()
	count = d.uvarint()
	if err := d.finish(); err != nil {
		return engine.Value{}, 0, 0, err
	}
	if sq > math.MaxUint32 {
		return engine.Value{}, 0, 0, fmt.Errorf("%w: history sequence %d out of range", errDecode, sq)
	}
	return v, uint32(sq), count, nil
}
