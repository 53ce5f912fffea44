// Package archtest checks Twin Studio's dependency rules: which package
// may import which. Its test runs them against `go list -json ./...` of
// the module, so `make test` (go test ./...) fails when a rule is broken,
// and against synthetic import lists that break each rule once.
//
// The rules are data (Rules): a rule names the packages it is about, the
// imports it looks at (direct, transitive, or the tests') and what they
// must not be. Paths in rules are module-relative when they start with
// "./" ("." is the module's root package); "x/..." is x and every package
// below it.
package archtest

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Package is what the rules know of a package: the fields of `go list
// -json` with the same names.
type Package struct {
	ImportPath   string
	Imports      []string // direct imports of its non-test files
	Deps         []string // every package it depends on, transitively (non-test)
	TestImports  []string // direct imports of its _test.go files in the package
	XTestImports []string // direct imports of its external (_test package) tests
}

// Scope says which imports of a package a rule looks at.
type Scope int

const (
	// Direct: the package's own non-test imports.
	Direct Scope = iota
	// Deps: everything the package depends on, transitively.
	Deps
	// Tests: the imports of the package's tests (both kinds).
	Tests
)

func (s Scope) String() string {
	return [...]string{"imports", "depends on", "tests import"}[s]
}

// Rule is one dependency rule.
type Rule struct {
	// Rule says the rule in words, as shown when it is broken.
	Rule string
	// Packages are the packages the rule is about, and Except those of
	// them it is not.
	Packages, Except []string
	// Scope is the imports looked at.
	Scope Scope
	// OnlyStd: every import looked at must be of the standard library.
	OnlyStd bool
	// Forbid: no import looked at may match one of these.
	Forbid []string
	// ModuleOnly, if set: the module's packages among the imports looked
	// at must match one of these (imports from outside the module are
	// not restricted by it).
	ModuleOnly []string
}

// Rules are Twin Studio's dependency rules (README.md, Project layout).
// fyneAppDriver is Fyne's app package, which links the OpenGL driver: only
// the studio's main.go may import it, so every other package builds
// without cgo. (Spelt in two parts so that this file, which only names
// it, does not look like an importer to a text search.)
const fyneAppDriver = "fyne.io/fyne/v2" + "/app"

// RuleFyneAppDriver is the rule that keeps Fyne's app driver in main.go.
const RuleFyneAppDriver = "only the root package (main.go) imports Fyne's app driver package"

var Rules = []Rule{
	{Rule: "engine imports only the standard library", Packages: []string{"./engine"}, Scope: Deps, OnlyStd: true},
	{Rule: "engine's adapters know neither app, ui nor simulator", Packages: []string{"./engine/..."}, Scope: Deps,
		Forbid: []string{"./app/...", "./ui/...", "./simulator/...", "./examples/...", "fyne.io/..."}},
	{Rule: "simulator knows no UI", Packages: []string{"./simulator/..."}, Scope: Deps,
		Forbid: []string{"./ui/...", "fyne.io/..."}},
	{Rule: "simulator depends on engine only (and engine/yaml's YAML toolkit)", Packages: []string{"./simulator/..."}, Scope: Direct,
		ModuleOnly: []string{"./engine", "./engine/yaml", "./simulator/..."}},
	{Rule: "app knows no UI", Packages: []string{"./app/..."}, Scope: Deps,
		Forbid: []string{"./ui/...", "fyne.io/..."}},
	{Rule: "ui does not import simulator or examples directly", Packages: []string{"./ui/..."}, Scope: Direct,
		Forbid: []string{"./simulator/...", "./examples/..."}},
	{Rule: "ui never touches bbolt or mochi", Packages: []string{"./ui/..."}, Scope: Direct,
		Forbid: []string{"./engine/bbolt/...", "./engine/mqtt/...", "go.etcd.io/bbolt/...", "github.com/mochi-mqtt/..."}},
	{Rule: RuleFyneAppDriver, Packages: []string{"./..."}, Except: []string{"."}, Scope: Direct,
		Forbid: []string{fyneAppDriver}},
	{Rule: "cmd/twin knows no fyne", Packages: []string{"./cmd/..."}, Scope: Deps,
		Forbid: []string{"fyne.io/...", "./ui/..."}},
	{Rule: "only tests import internal/testkit", Packages: []string{"./..."}, Scope: Direct,
		Forbid: []string{"./internal/testkit/..."}},
	{Rule: "the engine's and adapters' tests do not import app (they use internal/testkit)", Packages: []string{"./engine/..."}, Scope: Tests,
		Forbid: []string{"./app/..."}},
}

// Violation is one import that breaks a rule.
type Violation struct {
	Rule    *Rule
	Package string // import path
	Import  string
}

func (v Violation) String() string {
	return fmt.Sprintf("%s %s %s: breaks %q", v.Package, v.Rule.Scope, v.Import, v.Rule.Rule)
}

// Check returns the violations of rules by pkgs, module being the module's
// path, sorted by package and import. Packages outside the module are not
// checked (they are only imports).
func Check(module string, rules []Rule, pkgs []Package) []Violation {
	var out []Violation
	for i := range rules {
		r := &rules[i]
		for _, p := range pkgs {
			if !inModule(module, p.ImportPath) || !matchAny(module, r.Packages, p.ImportPath) || matchAny(module, r.Except, p.ImportPath) {
				continue
			}
			for _, imp := range r.imports(p) {
				if imp == p.ImportPath {
					continue // an external test package imports the package it tests
				}
				if r.breaks(module, imp) {
					out = append(out, Violation{Rule: r, Package: p.ImportPath, Import: imp})
				}
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Package != out[j].Package {
			return out[i].Package < out[j].Package
		}
		return out[i].Import < out[j].Import
	})
	return out
}

func (r *Rule) imports(p Package) []string {
	switch r.Scope {
	case Deps:
		return p.Deps
	case Tests:
		all := append(slices.Clone(p.TestImports), p.XTestImports...)
		slices.Sort(all)
		return slices.Compact(all)
	default:
		return p.Imports
	}
}

func (r *Rule) breaks(module, imp string) bool {
	if r.OnlyStd && !IsStd(module, imp) {
		return true
	}
	if matchAny(module, r.Forbid, imp) {
		return true
	}
	return r.ModuleOnly != nil && inModule(module, imp) && !matchAny(module, r.ModuleOnly, imp)
}

// IsStd reports whether path is a standard library package: its first
// element has no dot (and it is not of the module).
func IsStd(module, path string) bool {
	if inModule(module, path) {
		return false
	}
	first, _, _ := strings.Cut(path, "/")
	return !strings.Contains(first, ".")
}

func inModule(module, path string) bool {
	return path == module || strings.HasPrefix(path, module+"/")
}

// Match reports whether path matches pattern: an import path, or a
// module-relative one ("./x", "." for the root), either ending in "/..."
// for the package and everything below it.
func Match(module, pattern, path string) bool {
	switch {
	case pattern == "." || pattern == "./...":
		pattern = module + pattern[1:]
	case strings.HasPrefix(pattern, "./"):
		pattern = module + pattern[1:]
	}
	if base, ok := strings.CutSuffix(pattern, "/..."); ok {
		return path == base || strings.HasPrefix(path, base+"/")
	}
	return path == pattern
}

func matchAny(module string, patterns []string, path string) bool {
	for _, p := range patterns {
		if Match(module, p, path) {
			return true
		}
	}
	return false
}
