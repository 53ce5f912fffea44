package jsonpath

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
)

func TestSelect(t *testing.T) {
	var doc any
	if err := json.Unmarshal([]byte(`{"dataType":"Motion","port":"01","properties":[{"name":"Manufacturer","value":"GoodCorp"},{"name":"Other","value":"x"}]}`), &doc); err != nil {
		t.Fatal(err)
	}
	e := New()
	cases := []struct {
		path string
		want []any
	}{
		{"$.dataType", []any{"Motion"}},
		{"$.port", []any{"01"}},
		{"$.properties[?(@.name == 'Manufacturer')].value", []any{"GoodCorp"}},
		{"$.properties[?@.name == 'Other'].value", []any{"x"}},
		{"$.missing", []any{}},
	}
	for _, c := range cases {
		for i := 0; i < 2; i++ { // the second time from the cache
			got, err := e.Select(c.path, doc)
			if err != nil || !reflect.DeepEqual(append([]any{}, got...), c.want) {
				t.Errorf("%s: got %v, %v; want %v", c.path, got, err, c.want)
			}
		}
	}
	if _, err := e.Select("$[", doc); !errors.Is(err, ErrPath) {
		t.Errorf("bad path: %v", err)
	}
}

func FuzzSelect(f *testing.F) {
	f.Add("$.dataType")
	f.Add("$.properties[?(@.name == 'Manufacturer')].value")
	f.Add("$..*")
	var doc any
	_ = json.Unmarshal([]byte(`{"a":[1,{"b":2}],"properties":[{"name":"n","value":"v"}]}`), &doc)
	e := New()
	f.Fuzz(func(t *testing.T, path string) {
		_, _ = e.Select(path, doc)
	})
}
