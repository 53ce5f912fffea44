package yaml_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/twinstudio/twinstudio/engine"
	"github.com/twinstudio/twinstudio/engine/yaml"
)

// FuzzParse checks that Parse never panics, that its errors are one line
// naming the file, and that what it accepts is a plan of named spaces.
//
//	go test -fuzz=FuzzParse ./engine/yaml/
func FuzzParse(f *testing.F) {
	for _, ex := range []string{"quickstart", "smart-office"} {
		data, err := os.ReadFile(filepath.Join("..", "..", "examples", ex, "provision.yaml"))
		if err != nil {
			f.Fatal(err)
		}
		// The smart office is long and repetitive: its first rooms cover
		// every construct, and small seeds keep the fuzzer fast (it spends
		// up to a minute minimizing each new input found from a big seed).
		if lines := strings.SplitAfter(string(data), "\n"); len(lines) > 90 {
			data = []byte(strings.Join(lines[:90], ""))
		}
		f.Add(data)
	}
	for _, c := range errorCases {
		f.Add([]byte(c.in))
	}
	f.Add([]byte("- &x {name: a, properties: {A: 1}}\n- <<: *x\n  name: b\n  subtype: Office\n"))
	f.Add([]byte("- name: a\n  userdefinedfunctions: [{name: u, script: ok.js, matcherNames: m}]\n"))
	// Inline scripts (`source:`), as an inline export writes them.
	f.Add([]byte("- name: a\n  userdefinedfunctions:\n  - name: u\n    source: |\n      function process(t, c) {\n          log(\"x\");\n      }\n"))
	f.Add([]byte("- name: a\n  userdefinedfunctions: [{name: u, source: \"function process() {}\", script: ok.js}]\n"))
	f.Add([]byte(rolesYAML))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := yaml.Parse("f.yaml", data, scripts)
		if err != nil {
			msg := err.Error()
			if strings.ContainsAny(msg, "\r\n") {
				t.Fatalf("error is not one line: %q", msg)
			}
			if strings.Contains(msg, "runtime error") {
				t.Fatalf("recovered from a panic: %s", msg)
			}
			if !strings.HasPrefix(msg, "f.yaml") {
				t.Fatalf("error does not name the file: %q", msg)
			}
			var pe *engine.PosError
			if !errors.As(err, &pe) {
				t.Fatalf("error is not a *engine.PosError: %#v", err)
			}
			if p != nil {
				t.Fatalf("plan and error")
			}
			return
		}
		if p == nil || p.File != "f.yaml" || len(p.Spaces) == 0 {
			t.Fatalf("accepted without spaces: %+v", p)
		}
		var check func(s *engine.PlanSpace)
		check = func(s *engine.PlanSpace) {
			if s == nil || strings.TrimSpace(s.Name) == "" {
				t.Fatalf("space without a name: %+v", s)
			}
			for _, d := range s.Devices {
				if d == nil || strings.TrimSpace(d.Name) == "" {
					t.Fatalf("device without a name: %+v", d)
				}
			}
			for _, c := range s.Spaces {
				check(c)
			}
		}
		for _, s := range p.Spaces {
			check(s)
		}
	})
}

// FuzzFloorPlanBlock puts arbitrary text as the `plan:` block of the
// floor of planYAML, reads it and, if it reads, provisions it in a dry
// run: nothing may panic, errors are one-line *engine.PosError values
// naming the file, and an accepted block gives a plan of valid shapes.
//
//	go test -fuzz=FuzzFloorPlanBlock ./engine/yaml/
func FuzzFloorPlanBlock(f *testing.F) {
	block := planYAML[strings.Index(planYAML, "    plan:\n")+len("    plan:\n") : strings.Index(planYAML, "    spaces:\n    - name: Room A")]
	f.Add([]byte(block))
	f.Add([]byte("      rooms: [{space: Room A, polygon: [[0, 0], [1e6, 0], [0, .inf]]}]\n"))
	f.Add([]byte("      devices: [{hardwareId: PI-1, at: [1, 2]}, {hardwareId: PI-1, at: [3, 4]}]\n"))
	f.Add([]byte("      scale: .nan\n      width: 1e300\n"))
	e := openProject(f, filepath.Join(f.TempDir(), "fuzz.twin"))
	head := planYAML[:strings.Index(planYAML, "    plan:\n")+len("    plan:\n")]
	tail := planYAML[strings.Index(planYAML, "    spaces:\n    - name: Room A"):]
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := yaml.Parse("f.yaml", []byte(head+string(data)+"\n"+tail), func(string) ([]byte, error) { return pngBytes, nil })
		if err == nil {
			_, err = e.PreviewProvision(p)
		}
		if err != nil {
			var pe *engine.PosError
			if msg := err.Error(); strings.ContainsAny(msg, "\r\n") || !strings.HasPrefix(msg, "f.yaml") || !errors.As(err, &pe) {
				t.Fatalf("bad error %#v: %q", err, msg)
			}
			return
		}
		fp := p.Spaces[0].Spaces[0].Plan
		if fp == nil {
			return // the text replaced the block by other keys
		}
		for i, r := range fp.Rooms {
			if len(r.Points) < 3 {
				t.Fatalf("room %d accepted with %d points", i, len(r.Points))
			}
		}
	})
}
