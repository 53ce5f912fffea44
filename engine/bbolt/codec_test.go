package bbolt

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/twinstudio/twinstudio/engine"
)

// sampleObjects returns one object of every kind with every field set
// (times in a non-UTC zone, to check they come back as the same instant).
func sampleObjects() []engine.Object {
	cet := time.FixedZone("CET", 3600)
	id := func(s string) engine.ID { return engine.MustParseID(s) }
	space := id("01900000-0000-7000-8000-000000000001")
	return []engine.Object{
		&engine.Space{ID: space, Name: "Building 1", FriendlyName: "HQ", Description: "Head quarters ✓",
			TypeID: 23, SubtypeID: 42, StatusID: 4, ParentID: id("01900000-0000-7000-8000-0000000000ff"), TimeZone: "Europe/Berlin",
			Location:   &engine.Location{Longitude: 13.404954, Latitude: 52.520008, Elevation: -3.5},
			Properties: []engine.Property{{Name: "Floors", Value: "12"}, {Name: "Owner", Value: ""}}},
		&engine.Device{ID: id("01900000-0000-7000-8000-000000000002"), Name: "Pod", FriendlyName: "Pod 1", Description: "d",
			TypeID: 60, SubtypeID: 70, HardwareID: "POD-0000001", GatewayID: "GW-1", SpaceID: space, Status: engine.DeviceActive,
			Key: "3q2+7w==KeyOfThePod/0123456789abcdefghijklmnopq=", Location: &engine.Location{Longitude: 1, Latitude: 2, Elevation: 3},
			Properties:      []engine.Property{{Name: "Firmware", Value: "1.2.3"}},
			ConnectionState: engine.Connected, ConnectionStateUpdated: time.Date(2026, 11, 25, 10, 30, 0, 123456789, cet)},
		&engine.Sensor{ID: id("01900000-0000-7000-8000-000000000003"), Name: "Temp", HardwareID: "POD-0000001-0",
			DeviceID: id("01900000-0000-7000-8000-000000000002"), SpaceID: space, Port: "A0", PollRate: -1,
			TypeID: 1, DataTypeID: 2, DataSubtypeID: 3, DataUnitTypeID: 4, PortTypeID: 5,
			Location:   &engine.Location{Longitude: math.Inf(1), Latitude: math.SmallestNonzeroFloat64, Elevation: math.MaxFloat64},
			Properties: []engine.Property{{Name: "Calibrated", Value: "true"}}},
		&engine.User{ID: id("01900000-0000-7000-8000-000000000004"), UPN: "ada@example.com", FirstName: "Ada",
			LastName: "Lovelace", ManagerName: "Charles", SpaceID: space,
			Properties: []engine.Property{{Name: "Badge", Value: "42"}}},
		&engine.Matcher{ID: id("01900000-0000-7000-8000-000000000005"), Name: "Temperatures", FriendlyName: "T",
			Description: "all temps", SpaceID: space, Conditions: []engine.Condition{
				{ID: id("01900000-0000-7000-8000-000000000051"), Target: engine.TargetSensor, Path: "$.dataType", Value: `"Temperature"`, Comparison: engine.CompareEquals},
				{ID: id("01900000-0000-7000-8000-000000000052"), Target: engine.TargetSensorSpace, Path: "$.type", Value: `"Room"`, Comparison: engine.CompareContains},
			}},
		&engine.UDF{ID: id("01900000-0000-7000-8000-000000000006"), Name: "avg", FriendlyName: "Average", Description: "x",
			SpaceID: space, MatcherIDs: []engine.ID{id("01900000-0000-7000-8000-000000000005"), id("01900000-0000-7000-8000-000000000007")},
			Script: "function process(telemetry, executionContext) {\n  // ü\n}\n", Disabled: true,
			Updated: time.Date(1969, 7, 20, 20, 17, 40, 1, time.UTC), TimeLimit: 250 * time.Millisecond,
			ValueSizeLimit: 65536, WriteLimit: 1000, NotificationSizeLimit: 1 << 20, NotificationLimit: 100,
			LogLineSizeLimit: 16384, LogLineLimit: 1000, MemoryLimitMiB: 128},
		&engine.RoleAssignment{ID: id("01900000-0000-7000-8000-000000000008"), RoleID: id("98e44ad7-28d4-4007-853b-b9968ad132d1"),
			ObjectID: "ada@example.com", ObjectIDType: engine.ObjectUserID, Path: "/" + space.String(), TenantID: "tenant"},
		&engine.Endpoint{ID: id("01900000-0000-7000-8000-000000000009"), Type: "Mqtt", EventTypes: []string{"SensorChange", "SpaceChange"},
			ConnectionString: "tcp://localhost:1883", SecondaryConnectionString: "tcp://backup:1883", Path: "twin/events"},
		&engine.Resource{ID: id("01900000-0000-7000-8000-00000000000a"), SpaceID: space, Type: "IoTHub", Size: "S1", Region: "West Europe", Status: "Ready"},
		&engine.PropertyKey{ID: 7, Name: "Floors", SpaceID: space, Scope: engine.ScopeSpaces, PrimitiveDataType: engine.PrimInt,
			Category: "Building", Description: "number of floors", ValidationData: "^[0-9]+$", Min: "0", Max: "200"},
		&engine.ExtendedType{ID: engine.FirstCustomTypeID + 3, Category: engine.SpaceType, Name: "Lab", FriendlyName: "Laboratory",
			Description: "a lab", Disabled: true, LogicalOrder: -5, SpaceID: space, Ontologies: []int{1, 2, 300000}},
		&engine.Ontology{ID: 3, Name: "BACnet", Description: "building automation", Loaded: true},
	}
}

// normalize returns o with its times in UTC, for comparing with decoded
// objects (the store keeps the instant, not the zone).
func normalize(o engine.Object) engine.Object {
	switch x := o.(type) {
	case *engine.Device:
		c := *x
		c.ConnectionStateUpdated = utc(c.ConnectionStateUpdated)
		return &c
	case *engine.UDF:
		c := *x
		c.Updated = utc(c.Updated)
		return &c
	}
	return o
}

func utc(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC()
}

func encodeRecord(tb testing.TB, o engine.Object) (k, v []byte) {
	tb.Helper()
	v, err := appendObject(nil, o)
	if err != nil {
		tb.Fatal(err)
	}
	return appendObjectKey(nil, o.Kind(), o.ObjectKey()), v
}

func TestCodecRoundTrip(t *testing.T) {
	objs := sampleObjects()
	kinds := map[engine.Kind]bool{}
	for _, o := range objs {
		kinds[o.Kind()] = true
		t.Run(o.Kind().String(), func(t *testing.T) {
			k, v := encodeRecord(t, o)
			got, err := decodeRecord(k, v)
			if err != nil {
				t.Fatal(err)
			}
			if want := normalize(o); !reflect.DeepEqual(got, want) {
				t.Fatalf("round trip:\n got %+v\nwant %+v", got, want)
			}
			// Every truncation is an error, never a panic.
			for i := 0; i < len(v); i++ {
				if _, err := decodeRecord(k, v[:i]); !errors.Is(err, errDecode) {
					t.Fatalf("truncated to %d bytes: err %v", i, err)
				}
			}
			if _, err := decodeRecord(k, append(bytes.Clone(v), 0)); !errors.Is(err, errDecode) {
				t.Fatalf("trailing byte: err %v", err)
			}
			bad := bytes.Clone(v)
			bad[0] = 99
			if _, err := decodeRecord(k, bad); err == nil || !errors.Is(err, errDecode) {
				t.Fatalf("unknown version: err %v", err)
			}
		})
	}
	if len(kinds) != int(engine.KindOntology) {
		t.Fatalf("sampleObjects covers %d kinds, want %d", len(kinds), engine.KindOntology)
	}
}

// TestCodecCoversAllFields fails when a model type gains a field, so that
// the codec (and sampleObjects) are updated with it.
func TestCodecCoversAllFields(t *testing.T) {
	want := map[reflect.Type]int{
		reflect.TypeFor[engine.Space](): 11, reflect.TypeFor[engine.Device](): 15, reflect.TypeFor[engine.Sensor](): 14,
		reflect.TypeFor[engine.User](): 7, reflect.TypeFor[engine.Matcher](): 6, reflect.TypeFor[engine.Condition](): 5,
		reflect.TypeFor[engine.UDF](): 17, reflect.TypeFor[engine.RoleAssignment](): 6, reflect.TypeFor[engine.Endpoint](): 6,
		reflect.TypeFor[engine.Resource](): 6, reflect.TypeFor[engine.PropertyKey](): 10, reflect.TypeFor[engine.ExtendedType](): 9,
		reflect.TypeFor[engine.Ontology](): 4, reflect.TypeFor[engine.Location](): 3, reflect.TypeFor[engine.Property](): 2,
		reflect.TypeFor[engine.Value](): 2,
	}
	for typ, n := range want {
		if typ.NumField() != n {
			t.Errorf("%s has %d fields, the codec knows %d: update codec.go and sampleObjects", typ, typ.NumField(), n)
		}
	}
	// Every field of the samples is set (non-zero), so the round trip
	// checks them all.
	for _, o := range sampleObjects() {
		rv := reflect.ValueOf(o).Elem()
		for i := 0; i < rv.NumField(); i++ {
			if rv.Field(i).IsZero() {
				t.Errorf("sample %s leaves %s zero", o.Kind(), rv.Type().Field(i).Name)
			}
		}
	}
}

func TestCodecTimes(t *testing.T) {
	for _, tm := range []time.Time{
		{},
		time.Unix(0, 0),
		time.Unix(0, 1),
		time.Unix(-1, 0),
		time.Date(1, 1, 1, 0, 0, 0, 1, time.UTC), // zero time + 1ns
		time.Date(1600, 1, 1, 0, 0, 0, 5, time.UTC),
		time.Date(2500, 1, 1, 0, 0, 0, 999999999, time.UTC),
		time.Unix(0, math.MinInt64),
		time.Unix(0, math.MaxInt64),
		time.Now(), // with a monotonic reading
	} {
		d := decoder{s: string(appendTime(nil, tm))}
		got := d.time()
		if !d.done() || !got.Equal(tm) || got.IsZero() != tm.IsZero() {
			t.Errorf("time %v came back as %v (done %v)", tm, got, d.done())
		}
	}
}

func TestCodecValue(t *testing.T) {
	v := engine.Value{Value: "21.5", Time: time.Date(2026, 1, 2, 3, 4, 5, 6, time.Local)}
	got, seq, count, err := decodeValue(string(appendValue(nil, v, math.MaxUint32, 10000)))
	if err != nil || got.Value != v.Value || !got.Time.Equal(v.Time) || seq != math.MaxUint32 || count != 10000 {
		t.Fatalf("got %v %d %d %v", got, seq, count, err)
	}
	if _, _, _, err := decodeValue("\x01"); !errors.Is(err, errDecode) {
		t.Fatalf("truncated value: %v", err)
	}
}

func TestHistTimeOrder(t *testing.T) {
	times := []time.Time{{}, time.Unix(0, math.MinInt64), time.Unix(-5, 0), time.Unix(0, 0), time.Unix(0, 1), time.Unix(1e9, 0), time.Unix(0, math.MaxInt64)}
	for i := 1; i < len(times); i++ {
		if histTime(times[i-1]) >= histTime(times[i]) {
			t.Errorf("histTime(%v) >= histTime(%v)", times[i-1], times[i])
		}
	}
	if !histTimeOf(histTime(time.Time{})).IsZero() {
		t.Error("zero time does not round-trip")
	}
	now := time.Now()
	if got := histTimeOf(histTime(now)); !got.Equal(now) {
		t.Errorf("%v came back as %v", now, got)
	}
}

func TestEncodeRejectsNil(t *testing.T) {
	for _, o := range []engine.Object{nil, (*engine.Space)(nil), (*engine.Ontology)(nil)} {
		if _, err := appendObject(nil, o); err == nil {
			t.Errorf("appendObject(%T) gave no error", o)
		}
	}
}

// FuzzDecode checks that the record decoder never panics and that what it
// decodes encodes and decodes to the same object.
func FuzzDecode(f *testing.F) {
	for _, o := range sampleObjects() {
		k, v := encodeRecord(f, o)
		f.Add(k, v)
		// and the zero object of each kind
		z := reflect.New(reflect.TypeOf(o).Elem()).Interface().(engine.Object)
		k, v = encodeRecord(f, z)
		f.Add(k, v)
	}
	// Times outside the nanosecond range use the seconds form.
	for _, tm := range []time.Time{time.Date(1600, 2, 3, 4, 5, 6, 7, time.UTC), time.Date(3000, 1, 1, 0, 0, 0, 999999999, time.UTC)} {
		k, v := encodeRecord(f, &engine.UDF{ID: engine.NewID(), Updated: tm})
		f.Add(k, v)
	}
	f.Fuzz(func(t *testing.T, k, v []byte) {
		o, err := decodeRecord(k, v)
		if err != nil {
			if !errors.Is(err, errDecode) {
				t.Fatalf("error does not wrap errDecode: %v", err)
			}
			return
		}
		if o.Kind() != engine.Kind(k[0]) || !bytes.Equal(appendObjectKey(nil, o.Kind(), o.ObjectKey()), k) {
			t.Fatalf("decoded %s %x from key %x", o.Kind(), o.ObjectKey(), k)
		}
		k2, v2 := encodeRecord(t, o)
		o2, err := decodeRecord(k2, v2)
		if err != nil {
			t.Fatalf("re-encoded record does not decode: %v", err)
		}
		k3, v3 := encodeRecord(t, o2)
		if !bytes.Equal(k2, k3) || !bytes.Equal(v2, v3) {
			t.Fatalf("encoding not stable:\n%x\n%x", v2, v3)
		}
		if !hasNaN(o) && !reflect.DeepEqual(o, o2) {
			t.Fatalf("decode(encode(o)) != o:\n%+v\n%+v", o, o2)
		}
	})
}

// hasNaN reports whether o has a NaN coordinate (NaN != NaN defeats
// reflect.DeepEqual; the byte comparison covers it).
func hasNaN(o engine.Object) bool {
	var l *engine.Location
	switch x := o.(type) {
	case *engine.Space:
		l = x.Location
	case *engine.Device:
		l = x.Location
	case *engine.Sensor:
		l = x.Location
	}
	return l != nil && (math.IsNaN(l.Longitude) || math.IsNaN(l.Latitude) || math.IsNaN(l.Elevation))
}

// TestCodecEveryField gives each stored field of every kind, one at a
// time, a non-zero value and checks that it survives encoding and
// decoding: a described field the codec does not write fails here.
func TestCodecEveryField(t *testing.T) {
	for _, d := range engine.Kinds() {
		for i := range d.Fields {
			f := &d.Fields[i]
			if f.Key || !f.HasObject() {
				continue
			}
			o := d.New()
			p := reflect.ValueOf(f.Ptr(o)).Elem()
			p.Set(nonZero(p.Type()))
			k, v := encodeRecord(t, o)
			got, err := decodeRecord(k, v)
			if err != nil {
				t.Fatalf("%s.%s: %v", d.Kind, f.Name, err)
			}
			if !reflect.DeepEqual(f.Value(got), f.Value(o)) {
				t.Errorf("%s.%s: %v after the round trip, want %v", d.Kind, f.Name, f.Value(got), f.Value(o))
			}
			if !reflect.DeepEqual(got, o) {
				t.Errorf("%s.%s: setting it changed other fields: %+v", d.Kind, f.Name, got)
			}
		}
	}
}

// nonZero returns a value of type t with every part non-zero (a slice of
// one such element, a pointer to one): whatever Go type a new field has.
func nonZero(t reflect.Type) reflect.Value {
	v := reflect.New(t).Elem()
	if t == reflect.TypeFor[time.Time]() {
		v.Set(reflect.ValueOf(time.Date(2026, 3, 4, 5, 6, 7, 8, time.UTC)))
		return v
	}
	switch t.Kind() {
	case reflect.String:
		v.SetString("v")
	case reflect.Int, reflect.Int64:
		v.SetInt(-7)
	case reflect.Uint8:
		v.SetUint(7)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Float64:
		v.SetFloat(-1.5)
	case reflect.Array:
		for i := 0; i < v.Len(); i++ {
			v.Index(i).Set(nonZero(t.Elem()))
		}
	case reflect.Pointer:
		v.Set(reflect.New(t.Elem()))
		v.Elem().Set(nonZero(t.Elem()))
	case reflect.Slice:
		v.Set(reflect.Append(v, nonZero(t.Elem())))
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			v.Field(i).Set(nonZero(t.Field(i).Type))
		}
	default:
		panic("nonZero: add " + t.String())
	}
	return v
}

// TestCodecBytesUnchanged pins the record format: the sample objects
// encode to the bytes that the hand-written codec of format version 1
// (UDF: 2, then 3 with the output and memory limits) wrote, so existing project
// files stay readable as they are.
func TestCodecBytesUnchanged(t *testing.T) {
	golden, err := os.ReadFile(filepath.Join("testdata", "records.golden"))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, o := range sampleObjects() {
		k, v := encodeRecord(t, o)
		fmt.Fprintf(&b, "%x %x\n", k, v)
	}
	if b.String() != string(golden) {
		t.Fatalf("records differ from testdata/records.golden:\n%s", b.String())
	}
}

// TestCodecReadsUDFVersion1 decodes UDF records of version 1, written
// before TimeLimit, and 2, written before the output and memory limits: the fields
// added since read as 0 (the runtime's defaults).
func TestCodecReadsUDFVersion1(t *testing.T) {
	u := &engine.UDF{ID: engine.NewID(), Name: "f", SpaceID: engine.NewID(), Script: "x", Disabled: true}
	k, v := encodeRecord(t, u)
	const limits = 7 // the output and memory limits, one zero byte each
	if v[0] != 3 || !bytes.Equal(v[len(v)-limits-1:], make([]byte, limits+1)) {
		t.Fatalf("version-3 record % x", v)
	}
	v2 := append([]byte{2}, v[1:len(v)-limits]...)   // version 2 had no output or memory limits
	v1 := append([]byte{1}, v[1:len(v)-limits-1]...) // version 1 had no TimeLimit either
	for _, old := range [][]byte{v1, v2} {
		got, err := decodeRecord(k, old)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, u) {
			t.Fatalf("version %d: got %+v, want %+v", old[0], got, u)
		}
	}
	v4 := append([]byte{4}, v[1:]...)
	if _, err := decodeRecord(k, v4); err == nil || !strings.Contains(err.Error(), "unknown record version 4 (want 3)") {
		t.Fatalf("version 4: %v", err)
	}
}
