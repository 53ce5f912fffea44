package bbolt

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/twinstudio/twinstudio/engine"
)

// Record format versions. Every object record starts with the version byte
// of its kind; a decoder refuses versions it does not know. Bump a kind's
// version (and keep decoding the old one) when its layout changes.
const (
	recSpace          = 1
	recDevice         = 1
	recSensor         = 1
	recUser           = 1
	recMatcher        = 1
	recUDF            = 2 // 2 added TimeLimit; 1 is still read
	recRoleAssignment = 1
	recEndpoint       = 1
	recResource       = 1
	recPropertyKey    = 1
	recType           = 1
	recOntology       = 1
	recValue          = 1
)

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
	switch x := o.(type) {
	case *engine.Space:
		if x == nil {
			return b, errNilObject
		}
		b = append(b, recSpace)
		b = appendString(b, x.Name)
		b = appendString(b, x.FriendlyName)
		b = appendString(b, x.Description)
		b = appendInt(b, x.TypeID)
		b = appendInt(b, x.SubtypeID)
		b = appendInt(b, x.StatusID)
		b = appendID(b, x.ParentID)
		b = appendString(b, x.TimeZone)
		b = appendLocation(b, x.Location)
		b = appendProps(b, x.Properties)
	case *engine.Device:
		if x == nil {
			return b, errNilObject
		}
		b = append(b, recDevice)
		b = appendString(b, x.Name)
		b = appendString(b, x.FriendlyName)
		b = appendString(b, x.Description)
		b = appendInt(b, x.TypeID)
		b = appendInt(b, x.SubtypeID)
		b = appendString(b, x.HardwareID)
		b = appendString(b, x.GatewayID)
		b = appendID(b, x.SpaceID)
		b = appendString(b, x.Status)
		b = appendString(b, x.Key)
		b = appendLocation(b, x.Location)
		b = appendProps(b, x.Properties)
		b = appendString(b, x.ConnectionState)
		b = appendTime(b, x.ConnectionStateUpdated)
	case *engine.Sensor:
		if x == nil {
			return b, errNilObject
		}
		b = append(b, recSensor)
		b = appendString(b, x.Name)
		b = appendString(b, x.HardwareID)
		b = appendID(b, x.DeviceID)
		b = appendID(b, x.SpaceID)
		b = appendString(b, x.Port)
		b = appendInt(b, x.PollRate)
		b = appendInt(b, x.TypeID)
		b = appendInt(b, x.DataTypeID)
		b = appendInt(b, x.DataSubtypeID)
		b = appendInt(b, x.DataUnitTypeID)
		b = appendInt(b, x.PortTypeID)
		b = appendLocation(b, x.Location)
		b = appendProps(b, x.Properties)
	case *engine.User:
		if x == nil {
			return b, errNilObject
		}
		b = append(b, recUser)
		b = appendString(b, x.UPN)
		b = appendString(b, x.FirstName)
		b = appendString(b, x.LastName)
		b = appendString(b, x.ManagerName)
		b = appendID(b, x.SpaceID)
		b = appendProps(b, x.Properties)
	case *engine.Matcher:
		if x == nil {
			return b, errNilObject
		}
		b = append(b, recMatcher)
		b = appendString(b, x.Name)
		b = appendString(b, x.FriendlyName)
		b = appendString(b, x.Description)
		b = appendID(b, x.SpaceID)
		b = appendUvarint(b, uint64(len(x.Conditions)))
		for _, c := range x.Conditions {
			b = appendID(b, c.ID)
			b = appendString(b, c.Target)
			b = appendString(b, c.Path)
			b = appendString(b, c.Value)
			b = appendString(b, c.Comparison)
		}
	case *engine.UDF:
		if x == nil {
			return b, errNilObject
		}
		b = append(b, recUDF)
		b = appendString(b, x.Name)
		b = appendString(b, x.FriendlyName)
		b = appendString(b, x.Description)
		b = appendID(b, x.SpaceID)
		b = appendUvarint(b, uint64(len(x.MatcherIDs)))
		for _, id := range x.MatcherIDs {
			b = appendID(b, id)
		}
		b = appendString(b, x.Script)
		b = appendBool(b, x.Disabled)
		b = appendTime(b, x.Updated)
		b = appendUvarint(b, uint64(x.TimeLimit))
	case *engine.RoleAssignment:
		if x == nil {
			return b, errNilObject
		}
		b = append(b, recRoleAssignment)
		b = appendID(b, x.RoleID)
		b = appendString(b, x.ObjectID)
		b = appendString(b, x.ObjectIDType)
		b = appendString(b, x.Path)
		b = appendString(b, x.TenantID)
	case *engine.Endpoint:
		if x == nil {
			return b, errNilObject
		}
		b = append(b, recEndpoint)
		b = appendString(b, x.Type)
		b = appendUvarint(b, uint64(len(x.EventTypes)))
		for _, s := range x.EventTypes {
			b = appendString(b, s)
		}
		b = appendString(b, x.ConnectionString)
		b = appendString(b, x.SecondaryConnectionString)
		b = appendString(b, x.Path)
	case *engine.Resource:
		if x == nil {
			return b, errNilObject
		}
		b = append(b, recResource)
		b = appendID(b, x.SpaceID)
		b = appendString(b, x.Type)
		b = appendString(b, x.Size)
		b = appendString(b, x.Region)
		b = appendString(b, x.Status)
	case *engine.PropertyKey:
		if x == nil {
			return b, errNilObject
		}
		b = append(b, recPropertyKey)
		b = appendString(b, x.Name)
		b = appendID(b, x.SpaceID)
		b = appendString(b, x.Scope)
		b = appendString(b, x.PrimitiveDataType)
		b = appendString(b, x.Category)
		b = appendString(b, x.Description)
		b = appendString(b, x.ValidationData)
		b = appendString(b, x.Min)
		b = appendString(b, x.Max)
	case *engine.ExtendedType:
		if x == nil {
			return b, errNilObject
		}
		b = append(b, recType)
		b = appendString(b, string(x.Category))
		b = appendString(b, x.Name)
		b = appendString(b, x.FriendlyName)
		b = appendString(b, x.Description)
		b = appendBool(b, x.Disabled)
		b = appendInt(b, x.LogicalOrder)
		b = appendID(b, x.SpaceID)
		b = appendUvarint(b, uint64(len(x.Ontologies)))
		for _, n := range x.Ontologies {
			b = appendInt(b, n)
		}
	case *engine.Ontology:
		if x == nil {
			return b, errNilObject
		}
		b = append(b, recOntology)
		b = appendString(b, x.Name)
		b = appendString(b, x.Description)
		b = appendBool(b, x.Loaded)
	case nil:
		return b, errNilObject
	default:
		return b, fmt.Errorf("unsupported object type %T", o)
	}
	return b, nil
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

func (d *decoder) version(want byte) {
	d.want = want
	if d.byte() != want {
		d.fail()
	}
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
	spaces  []engine.Space
	devices []engine.Device
	sensors []engine.Sensor
}

const slabSize = 256

func (a *slabs) space() *engine.Space {
	if a == nil {
		return new(engine.Space)
	}
	if len(a.spaces) == 0 {
		a.spaces = make([]engine.Space, slabSize)
	}
	x := &a.spaces[0]
	a.spaces = a.spaces[1:]
	return x
}

func (a *slabs) device() *engine.Device {
	if a == nil {
		return new(engine.Device)
	}
	if len(a.devices) == 0 {
		a.devices = make([]engine.Device, slabSize)
	}
	x := &a.devices[0]
	a.devices = a.devices[1:]
	return x
}

func (a *slabs) sensor() *engine.Sensor {
	if a == nil {
		return new(engine.Sensor)
	}
	if len(a.sensors) == 0 {
		a.sensors = make([]engine.Sensor, slabSize)
	}
	x := &a.sensors[0]
	a.sensors = a.sensors[1:]
	return x
}

// decodeObject decodes the record s of kind k stored under key, taking
// structs from al (nil: allocate). Strings of the result share s's memory.
// It never panics; malformed input gives an error wrapping errDecode.
func decodeObject(k engine.Kind, key engine.ID, s string, al *slabs) (engine.Object, error) {
	d := decoder{s: s}
	var o engine.Object
	switch k {
	case engine.KindSpace:
		d.version(recSpace)
		x := al.space()
		x.ID = key
		x.Name = d.string()
		x.FriendlyName = d.string()
		x.Description = d.string()
		x.TypeID = d.int()
		x.SubtypeID = d.int()
		x.StatusID = d.int()
		x.ParentID = d.id()
		x.TimeZone = d.string()
		x.Location = d.location()
		x.Properties = d.props()
		o = x
	case engine.KindDevice:
		d.version(recDevice)
		x := al.device()
		x.ID = key
		x.Name = d.string()
		x.FriendlyName = d.string()
		x.Description = d.string()
		x.TypeID = d.int()
		x.SubtypeID = d.int()
		x.HardwareID = d.string()
		x.GatewayID = d.string()
		x.SpaceID = d.id()
		x.Status = d.string()
		x.Key = d.string()
		x.Location = d.location()
		x.Properties = d.props()
		x.ConnectionState = d.string()
		x.ConnectionStateUpdated = d.time()
		o = x
	case engine.KindSensor:
		d.version(recSensor)
		x := al.sensor()
		x.ID = key
		x.Name = d.string()
		x.HardwareID = d.string()
		x.DeviceID = d.id()
		x.SpaceID = d.id()
		x.Port = d.string()
		x.PollRate = d.int()
		x.TypeID = d.int()
		x.DataTypeID = d.int()
		x.DataSubtypeID = d.int()
		x.DataUnitTypeID = d.int()
		x.PortTypeID = d.int()
		x.Location = d.location()
		x.Properties = d.props()
		o = x
	case engine.KindUser:
		d.version(recUser)
		x := &engine.User{ID: key}
		x.UPN = d.string()
		x.FirstName = d.string()
		x.LastName = d.string()
		x.ManagerName = d.string()
		x.SpaceID = d.id()
		x.Properties = d.props()
		o = x
	case engine.KindMatcher:
		d.version(recMatcher)
		x := &engine.Matcher{ID: key}
		x.Name = d.string()
		x.FriendlyName = d.string()
		x.Description = d.string()
		x.SpaceID = d.id()
		if n := d.count(20); n > 0 {
			x.Conditions = make([]engine.Condition, n)
			for i := range x.Conditions {
				c := &x.Conditions[i]
				c.ID = d.id()
				c.Target = d.string()
				c.Path = d.string()
				c.Value = d.string()
				c.Comparison = d.string()
			}
		}
		o = x
	case engine.KindUDF:
		ver := d.byte()
		d.want = recUDF
		if ver != 1 && ver != recUDF {
			d.fail()
		}
		x := &engine.UDF{ID: key}
		x.Name = d.string()
		x.FriendlyName = d.string()
		x.Description = d.string()
		x.SpaceID = d.id()
		if n := d.count(16); n > 0 {
			x.MatcherIDs = make([]engine.ID, n)
			for i := range x.MatcherIDs {
				x.MatcherIDs[i] = d.id()
			}
		}
		x.Script = d.string()
		x.Disabled = d.bool()
		x.Updated = d.time()
		if ver >= 2 {
			x.TimeLimit = time.Duration(d.uvarint())
		}
		o = x
	case engine.KindRoleAssignment:
		d.version(recRoleAssignment)
		x := &engine.RoleAssignment{ID: key}
		x.RoleID = d.id()
		x.ObjectID = d.string()
		x.ObjectIDType = d.string()
		x.Path = d.string()
		x.TenantID = d.string()
		o = x
	case engine.KindEndpoint:
		d.version(recEndpoint)
		x := &engine.Endpoint{ID: key}
		x.Type = d.string()
		if n := d.count(1); n > 0 {
			x.EventTypes = make([]string, n)
			for i := range x.EventTypes {
				x.EventTypes[i] = d.string()
			}
		}
		x.ConnectionString = d.string()
		x.SecondaryConnectionString = d.string()
		x.Path = d.string()
		o = x
	case engine.KindResource:
		d.version(recResource)
		x := &engine.Resource{ID: key}
		x.SpaceID = d.id()
		x.Type = d.string()
		x.Size = d.string()
		x.Region = d.string()
		x.Status = d.string()
		o = x
	case engine.KindPropertyKey:
		id, ok := intKey(key)
		if !ok {
			return nil, fmt.Errorf("%w: bad integer key", errDecode)
		}
		d.version(recPropertyKey)
		x := &engine.PropertyKey{ID: id}
		x.Name = d.string()
		x.SpaceID = d.id()
		x.Scope = d.string()
		x.PrimitiveDataType = d.string()
		x.Category = d.string()
		x.Description = d.string()
		x.ValidationData = d.string()
		x.Min = d.string()
		x.Max = d.string()
		o = x
	case engine.KindType:
		id, ok := intKey(key)
		if !ok {
			return nil, fmt.Errorf("%w: bad integer key", errDecode)
		}
		d.version(recType)
		x := &engine.ExtendedType{ID: id}
		x.Category = engine.Category(d.string())
		x.Name = d.string()
		x.FriendlyName = d.string()
		x.Description = d.string()
		x.Disabled = d.bool()
		x.LogicalOrder = d.int()
		x.SpaceID = d.id()
		if n := d.count(1); n > 0 {
			x.Ontologies = make([]int, n)
			for i := range x.Ontologies {
				x.Ontologies[i] = d.int()
			}
		}
		o = x
	case engine.KindOntology:
		id, ok := intKey(key)
		if !ok {
			return nil, fmt.Errorf("%w: bad integer key", errDecode)
		}
		d.version(recOntology)
		x := &engine.Ontology{ID: id}
		x.Name = d.string()
		x.Description = d.string()
		x.Loaded = d.bool()
		o = x
	default:
		return nil, fmt.Errorf("%w: unknown kind %d", errDecode, k)
	}
	if err := d.finish(); err != nil {
		return nil, err
	}
	return o, nil
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
	d := decoder{s: s}
	d.version(recValue)
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
