package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"go.yaml.in/yaml/v3"
)

// outputFlag is -o and --no-headers, shared by every command that prints
// objects: table (the default), json or yaml.
type outputFlag struct {
	Output    string `short:"o" enum:"table,json,yaml" default:"table" placeholder:"table|json|yaml" help:"Output format: table (the default), json or yaml."`
	NoHeaders bool   `name:"no-headers" help:"With -o table: leave out the header row."`
}

// structured writes x as JSON or YAML if -o asks for one and reports
// whether it did.
func (o outputFlag) structured(w io.Writer, x any) (bool, error) {
	switch o.Output {
	case "json":
		return true, writeJSON(w, x)
	case "yaml":
		return true, writeYAML(w, x)
	}
	return false, nil
}

// table starts a table on w with the column names, which it prints
// unless --no-headers. Call Flush at the end.
func (o outputFlag) table(w io.Writer, columns ...string) *table {
	t := &table{tw: tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)}
	if !o.NoHeaders {
		t.row(columns...)
	}
	return t
}

// table is a tab-aligned table.
type table struct{ tw *tabwriter.Writer }

func (t *table) row(cells ...string) { fmt.Fprintln(t.tw, strings.Join(cells, "\t")) }

// flush writes the rows out: before anything printed under the table.
func (t *table) flush() { t.tw.Flush() }

func writeJSON(w io.Writer, x any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(x)
}

// writeYAML writes x as YAML with the same keys, in the same order, as
// its JSON.
func writeYAML(w io.Writer, x any) error {
	b, err := json.Marshal(x)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	n, err := yamlNode(dec)
	if err != nil {
		return err
	}
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(n); err != nil {
		return err
	}
	return enc.Close()
}

// yamlNode reads one JSON value from dec as a YAML node, keeping the
// order of object keys.
func yamlNode(dec *json.Decoder) (*yaml.Node, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		if t == '{' {
			n.Kind, n.Tag = yaml.MappingNode, "!!map"
		}
		for dec.More() {
			if n.Kind == yaml.MappingNode {
				k, err := dec.Token()
				if err != nil {
					return nil, err
				}
				n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: k.(string)})
			}
			c, err := yamlNode(dec)
			if err != nil {
				return nil, err
			}
			n.Content = append(n.Content, c)
		}
		_, err := dec.Token() // the closing delimiter
		return n, err
	case string:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: t}, nil
	case json.Number:
		tag := "!!int"
		if strings.ContainsAny(t.String(), ".eE") {
			tag = "!!float"
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: t.String()}, nil
	case bool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: fmt.Sprint(t)}, nil
	default: // nil
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}, nil
	}
}

// trailer writes a count line such as "(2 sensors)" to stderr, so that
// stdout holds only the objects.
func (e *env) trailer(format string, args ...any) {
	fmt.Fprintf(e.stderr, "("+format+")\n", args...)
}
