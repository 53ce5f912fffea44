package dtdl

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/twinstudio/twinstudio/engine"
)

// numberPattern is the validationData given to a String key made from a
// double, float or decimal Property: the engine has no floating-point
// primitive type.
const numberPattern = `^[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$`

// primitiveSchemas maps the DTDL primitive schemas this package reads to
// property key primitive types and validation data.
var primitiveSchemas = map[string][2]string{
	"string":          {engine.PrimString, ""},
	"boolean":         {engine.PrimBool, ""},
	"integer":         {engine.PrimInt, ""},
	"short":           {engine.PrimInt, ""},
	"byte":            {engine.PrimInt, ""},
	"unsignedInteger": {engine.PrimUInt, ""},
	"unsignedShort":   {engine.PrimUInt, ""},
	"unsignedByte":    {engine.PrimUInt, ""},
	"long":            {engine.PrimLong, ""},
	"unsignedLong":    {engine.PrimLong, ""},
	"dateTime":        {engine.PrimDateTime, ""},
	"double":          {engine.PrimString, numberPattern},
	"float":           {engine.PrimString, numberPattern},
	"decimal":         {engine.PrimString, numberPattern},
	"date":            {engine.PrimString, ""},
	"time":            {engine.PrimString, ""},
	"duration":        {engine.PrimString, ""},
	"uuid":            {engine.PrimString, ""},
	"bytes":           {engine.PrimString, ""},
}

// schemaOf is the DTDL schema of a property key and the note that
// carries what the schema cannot (see keyNote), given the key's DTDL name.
func schemaOf(k *engine.PropertyKey, name string) (any, keyNote) {
	var schema any = "string"
	values := enumValues(k.ValidationData)
	switch k.PrimitiveDataType {
	case engine.PrimBool:
		schema = "boolean"
	case engine.PrimInt:
		schema = "integer"
	case engine.PrimUInt:
		schema = "unsignedInteger"
	case engine.PrimLong:
		schema = "long"
	case engine.PrimDateTime:
		schema = "dateTime"
	case engine.PrimEnum:
		if values != nil {
			schema = values
		}
	case engine.PrimSet:
		var elem any = "string"
		if values != nil {
			elem = values
		}
		schema = &ArraySchema{Type: "Array", ElementSchema: elem}
	}
	note := keyNote{Category: k.Category, Min: k.Min, Max: k.Max}
	if name != k.Name {
		note.Name = k.Name
	}
	prim, vdata, err := primitiveOf(roundTrip(schema), nil)
	if err != nil || prim != k.PrimitiveDataType {
		note.PrimitiveDataType = k.PrimitiveDataType
	}
	if err != nil || vdata != k.ValidationData {
		note.ValidationData = k.ValidationData
	}
	return schema, note
}

// enumValues is the Enum schema of ';'-separated allowed values, nil when
// there are none.
func enumValues(list string) *EnumSchema {
	n := newNamer(512)
	var out []EnumValue
	seen := map[string]bool{}
	for _, v := range strings.FieldsFunc(list, func(r rune) bool { return r == ';' || r == ',' }) {
		if v = strings.TrimSpace(v); v == "" || seen[v] {
			continue
		}
		seen[v] = true
		out = append(out, EnumValue{Name: n.name(v), EnumValue: v})
	}
	if out == nil {
		return nil
	}
	return &EnumSchema{Type: "Enum", ValueSchema: "string", EnumValues: out}
}

// roundTrip turns a schema built of this package's types into the
// generic JSON form the parser reads.
func roundTrip(schema any) any {
	b, _ := json.Marshal(schema) // plain data: cannot fail
	var out any
	_ = json.Unmarshal(b, &out)
	return out
}

// primitiveOf maps a schema as decoded from JSON to a primitive type and
// validation data. resolve finds a schema named by DTMI (nil: none). The
// error is one line without the position, which the caller adds.
func primitiveOf(schema any, resolve func(string) (any, bool)) (prim, vdata string, err error) {
	return primitiveAt(schema, resolve, 0)
}

func primitiveAt(schema any, resolve func(string) (any, bool), depth int) (string, string, error) {
	if depth > 4 {
		return "", "", fmt.Errorf("schema nests too deeply")
	}
	switch s := schema.(type) {
	case string:
		if p, ok := primitiveSchemas[s]; ok {
			return p[0], p[1], nil
		}
		if resolve != nil && ValidDTMI(s) {
			if def, ok := resolve(s); ok {
				return primitiveAt(def, resolve, depth+1)
			}
			return "", "", fmt.Errorf("schema %s is not defined in the file", s)
		}
		return "", "", fmt.Errorf("schema %q is not supported", s)
	case map[string]any:
		return complexPrimitive(s, resolve, depth)
	case nil:
		return "", "", fmt.Errorf("schema is missing")
	}
	return "", "", fmt.Errorf("schema must be a string or an object")
}

func complexPrimitive(s map[string]any, resolve func(string) (any, bool), depth int) (string, string, error) {
	typ, _ := s["@type"].(string)
	switch typ {
	case "Enum":
		vals, err := enumList(s["enumValues"])
		if err != nil {
			return "", "", err
		}
		return engine.PrimEnum, vals, nil
	case "Array":
		elem := s["elementSchema"]
		if name, ok := elem.(string); ok && resolve != nil && ValidDTMI(name) {
			if def, ok := resolve(name); ok {
				elem = def
			}
		}
		if m, ok := elem.(map[string]any); ok && m["@type"] == "Enum" {
			vals, err := enumList(m["enumValues"])
			return engine.PrimSet, vals, err
		}
		if elem == "string" {
			return engine.PrimSet, "", nil
		}
		if _, _, err := primitiveAt(elem, resolve, depth+1); err != nil {
			return "", "", err
		}
		return engine.PrimJSON, "", nil
	case "Object", "Map":
		return engine.PrimJSON, "", nil
	case "":
		return "", "", fmt.Errorf("schema object has no @type")
	}
	return "", "", fmt.Errorf("schema %q is not supported", typ)
}

// enumList joins the enumValue of each enum value with ';'.
func enumList(v any) (string, error) {
	list, ok := v.([]any)
	if !ok {
		return "", fmt.Errorf("Enum schema: enumValues must be an array")
	}
	var out []string
	for i, e := range list {
		m, ok := e.(map[string]any)
		if !ok {
			return "", fmt.Errorf("Enum schema: enumValues[%d] must be an object", i)
		}
		var text string
		switch x := m["enumValue"].(type) {
		case string:
			text = x
		case json.Number:
			text = x.String()
		default:
			return "", fmt.Errorf("Enum schema: enumValues[%d]: enumValue must be a string or an integer", i)
		}
		if strings.ContainsAny(text, ";,") || strings.TrimSpace(text) == "" {
			return "", fmt.Errorf("Enum schema: enumValues[%d]: enumValue %q is empty or holds ';' or ','", i, text)
		}
		out = append(out, strings.TrimSpace(text))
	}
	return strings.Join(out, ";"), nil
}
