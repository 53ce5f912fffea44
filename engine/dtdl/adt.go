package dtdl

import (
	"bufio"
	"encoding/json"
	"io"
	"strconv"
	"strings"

	"github.com/twinstudio/twinstudio/engine"
)

// WriteADTImport writes the project in v as an Azure Digital Twins bulk
// import file (the NDJSON input of an Import Job): a Header section with
// fileVersion 1.0.0, author "twinstudio" and organization org; a Models
// section with the interfaces of Models, one per line; a Twins section
// with every space, device and sensor; a Relationships section with the
// spatial tree (contains, hasDevice, hasSensor). A twin's $dtId is its
// object id (a GUID): unique, stable across renames and moves, and the id
// the project's own commands and API take, where names repeat across a
// building. Its properties are the non-empty standard fields and the
// extended properties whose values fit the key's schema (others are left
// out). v must stay valid while WriteADTImport runs; the only error is
// w's.
func WriteADTImport(w io.Writer, v *engine.View, org string) error {
	x := newExporter(v)
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	lines := []any{section("Header"), map[string]string{"fileVersion": "1.0.0", "author": "twinstudio", "organization": org},
		section("Models")}
	for _, in := range x.ifaces {
		lines = append(lines, in)
	}
	lines = append(lines, section("Twins"))
	var rels []any
	rel := func(src engine.ID, name string, dst engine.ID) {
		rels = append(rels, map[string]string{"$dtId": src.String(), "$relationshipId": name + "-" + dst.String(),
			"$targetId": dst.String(), "$relationshipName": name})
	}
	walk(v, func(s *engine.Space) {
		lines = append(lines, x.spaceTwin(s))
		if !s.ParentID.IsZero() {
			rel(s.ParentID, RelContains, s.ID)
		}
	}, func(d *engine.Device) {
		lines = append(lines, x.deviceTwin(d))
		rel(d.SpaceID, RelHasDevice, d.ID)
	}, func(s *engine.Sensor) {
		lines = append(lines, x.sensorTwin(s))
		rel(s.DeviceID, RelHasSensor, s.ID)
	})
	lines = append(lines, section("Relationships"))
	lines = append(lines, rels...)
	for _, l := range lines {
		if err := enc.Encode(l); err != nil {
			return err
		}
	}
	return bw.Flush()
}

func section(name string) map[string]string { return map[string]string{"Section": name} }

// twin is one twin line: standard fields then properties.
type twin map[string]any

func (x *exporter) newTwin(id engine.ID, c engine.Category, typeID int, baseID string) twin {
	model := baseID
	if m, ok := x.models[c][strings.ToLower(x.v.TypeName(typeID))]; ok && typeID != 0 {
		model = m
	}
	return twin{"$dtId": id.String(), "$metadata": map[string]string{"$model": model}}
}

// set puts the standard string fields that are not empty ("None" types
// included as none).
func (t twin) set(kv ...string) {
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" && kv[i+1] != "None" {
			t[kv[i]] = kv[i+1]
		}
	}
}

func (x *exporter) props(t twin, scope string, props []engine.Property) {
	keys := x.keys[scope]
	for _, p := range props {
		k, ok := keys[p.Name]
		if !ok {
			continue
		}
		if val, ok := jsonValue(k.key.PrimitiveDataType, p.Value); ok {
			t[k.name] = val
		}
	}
}

func (x *exporter) spaceTwin(s *engine.Space) twin {
	t := x.newTwin(s.ID, engine.SpaceType, s.TypeID, SpaceID)
	n := x.v.TypeName
	t.set("name", s.Name, "friendlyName", s.FriendlyName, "description", s.Description, "type", n(s.TypeID),
		"subType", n(s.SubtypeID), "status", n(s.StatusID), "timeZone", s.TimeZone)
	x.props(t, engine.ScopeSpaces, s.Properties)
	return t
}

func (x *exporter) deviceTwin(d *engine.Device) twin {
	t := x.newTwin(d.ID, engine.DeviceType, d.TypeID, DeviceID)
	n := x.v.TypeName
	t.set("name", d.Name, "friendlyName", d.FriendlyName, "description", d.Description, "type", n(d.TypeID),
		"subType", n(d.SubtypeID), "hardwareId", d.HardwareID, "gatewayId", d.GatewayID, "status", d.Status)
	x.props(t, engine.ScopeDevices, d.Properties)
	return t
}

// sensorTwin's model is its data type's interface, else its sensor
// type's, else Sensor.
func (x *exporter) sensorTwin(s *engine.Sensor) twin {
	t := x.newTwin(s.ID, engine.SensorType, s.TypeID, SensorID)
	if _, ok := x.models[engine.SensorDataType][strings.ToLower(x.v.TypeName(s.DataTypeID))]; ok && s.DataTypeID != 0 {
		t = x.newTwin(s.ID, engine.SensorDataType, s.DataTypeID, SensorID)
	}
	n := x.v.TypeName
	t.set("name", s.Name, "hardwareId", s.HardwareID, "port", s.Port, "type", n(s.TypeID), "dataType", n(s.DataTypeID),
		"dataSubtype", n(s.DataSubtypeID), "dataUnitType", n(s.DataUnitTypeID), "portType", n(s.PortTypeID))
	if s.PollRate != 0 {
		t["pollRate"] = s.PollRate
	}
	x.props(t, engine.ScopeSensors, s.Properties)
	return t
}

// jsonValue converts a stored property value to the JSON its key's
// schema wants; false if it does not fit.
func jsonValue(prim, value string) (any, bool) {
	v := strings.TrimSpace(value)
	switch prim {
	case engine.PrimBool:
		b, err := strconv.ParseBool(strings.ToLower(v))
		return b, err == nil && (strings.EqualFold(v, "true") || strings.EqualFold(v, "false"))
	case engine.PrimInt:
		_, err := strconv.ParseInt(v, 10, 32)
		return json.Number(v), err == nil
	case engine.PrimUInt:
		_, err := strconv.ParseUint(v, 10, 32)
		return json.Number(v), err == nil
	case engine.PrimLong:
		_, err := strconv.ParseInt(v, 10, 64)
		return json.Number(v), err == nil
	case engine.PrimSet:
		list := []string{}
		for _, m := range strings.FieldsFunc(v, func(r rune) bool { return r == ';' || r == ',' }) {
			if m = strings.TrimSpace(m); m != "" {
				list = append(list, m)
			}
		}
		return list, true
	}
	return value, true
}
