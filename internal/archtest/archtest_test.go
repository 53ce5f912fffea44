package archtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

const mod = "github.com/twinstudio/twinstudio"

// pending are violations known when the rules were written, each waiting
// for a change on another branch: rule → "package import" (module-relative).
// The real check tolerates them and fails once one is gone, so that the
// entry is deleted and the rule holds from then on.
var pending = map[string][]string{}

// TestModule checks every rule against the module's packages as `go list`
// sees them.
func TestModule(t *testing.T) {
	pkgs := goList(t)
	if len(pkgs) < 10 {
		t.Fatalf("go list found %d packages of %s", len(pkgs), mod)
	}
	seen := map[string]bool{}
	more := map[string]int{} // rule and package → violations not shown
	for _, v := range Check(mod, Rules, pkgs) {
		key := rel(v.Package) + " " + rel(v.Import)
		if isPending(v.Rule.Rule, key) {
			seen[v.Rule.Rule+"\x00"+key] = true
			t.Logf("pending (to be removed by another branch): %s", v)
			continue
		}
		// One line per package and rule: a forbidden dependency brings
		// its own dependencies along.
		if k := v.Rule.Rule + "\x00" + v.Package; more[k] == 0 {
			t.Errorf("%s", v)
			more[k] = 1
		} else {
			more[k]++
		}
	}
	for k, n := range more {
		if n > 1 {
			rule, pkg, _ := strings.Cut(k, "\x00")
			t.Errorf("%s: %d more imports break %q", pkg, n-1, rule)
		}
	}
	for rule, keys := range pending {
		for _, k := range keys {
			if !seen[rule+"\x00"+k] {
				t.Errorf("%q is no longer broken by %q: delete it from pending in internal/archtest/archtest_test.go", rule, k)
			}
		}
	}
}

func isPending(rule, key string) bool {
	for _, k := range pending[rule] {
		if k == key {
			return true
		}
	}
	return false
}

func rel(path string) string {
	if path == mod {
		return "."
	}
	return strings.TrimPrefix(path, mod+"/")
}

// goList runs `go list -json ./...` in the module's root.
func goList(t *testing.T) []Package {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		goBin = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	_, file, _, _ := runtime.Caller(0)
	cmd := exec.Command(goBin, "list", "-json", "./...")
	cmd.Dir = filepath.Join(filepath.Dir(file), "..", "..")
	// The root package links the GL driver, which needs cgo: list the
	// module as it is built, whatever CGO_ENABLED the tests run with
	// (go list compiles nothing, so no C compiler is needed).
	cmd.Env = append(os.Environ(), "CGO_ENABLED=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v: %s", err, stderr.String())
	}
	var pkgs []Package
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p Package
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}

// TestEveryRuleCanFail: for each rule, a synthetic package that breaks it
// is found, with the import that breaks it, and one that keeps it is not.
func TestEveryRuleCanFail(t *testing.T) {
	m := func(p string) string { return mod + "/" + p }
	cases := []struct {
		rule      string
		bad, good Package
		badImport string
	}{
		{"engine imports only the standard library",
			Package{ImportPath: mod + "/engine", Deps: []string{"fmt", "go.etcd.io/bbolt"}},
			Package{ImportPath: mod + "/engine", Deps: []string{"fmt", "net/url"}}, "go.etcd.io/bbolt"},
		{"engine imports only the standard library",
			Package{ImportPath: m("engine"), Deps: []string{"fmt", m("engine/yaml")}},
			Package{ImportPath: m("engine/bbolt"), Deps: []string{"go.etcd.io/bbolt", m("engine")}}, m("engine/yaml")},
		{"engine's adapters know neither app, ui nor simulator",
			Package{ImportPath: m("engine/mqtt"), Deps: []string{m("engine"), m("app")}},
			Package{ImportPath: m("engine/mqtt"), Deps: []string{m("engine"), "github.com/mochi-mqtt/server/v2"}}, m("app")},
		{"simulator knows no UI",
			Package{ImportPath: m("simulator"), Deps: []string{m("engine"), "fyne.io/fyne/v2"}},
			Package{ImportPath: m("simulator"), Deps: []string{m("engine"), "go.yaml.in/yaml/v3"}}, "fyne.io/fyne/v2"},
		{"simulator knows no UI",
			Package{ImportPath: m("simulator/models"), Deps: []string{m("ui")}},
			Package{ImportPath: m("simulator/models"), Deps: []string{m("engine")}}, m("ui")},
		{"simulator depends on engine only (and engine/yaml's YAML toolkit)",
			Package{ImportPath: m("simulator"), Imports: []string{m("engine"), m("engine/bbolt")}},
			Package{ImportPath: m("simulator"), Imports: []string{m("engine"), m("engine/yaml"), m("simulator/models"), "math"}}, m("engine/bbolt")},
		{"app knows no UI",
			Package{ImportPath: m("app/bench"), Deps: []string{m("app"), m("ui")}},
			Package{ImportPath: m("app/bench"), Deps: []string{m("app"), m("engine/mqtt")}}, m("ui")},
		{"app knows no UI",
			Package{ImportPath: m("app"), Deps: []string{"fyne.io/fyne/v2/widget"}},
			Package{ImportPath: m("app"), Deps: []string{"gonum.org/v1/plot"}}, "fyne.io/fyne/v2/widget"},
		{"ui does not import simulator or examples directly",
			Package{ImportPath: m("ui"), Imports: []string{m("app"), m("examples")}},
			// through app is how ui reaches them
			Package{ImportPath: m("ui"), Imports: []string{m("app")}, Deps: []string{m("simulator"), m("examples")}}, m("examples")},
		{"ui never touches bbolt or mochi",
			Package{ImportPath: m("ui/inspector"), Imports: []string{"go.etcd.io/bbolt"}},
			Package{ImportPath: m("ui/inspector"), Imports: []string{m("engine")}, Deps: []string{"go.etcd.io/bbolt"}}, "go.etcd.io/bbolt"},
		{"ui never touches bbolt or mochi",
			Package{ImportPath: m("ui"), Imports: []string{m("engine/mqtt")}},
			Package{ImportPath: m("ui"), Imports: []string{m("engine/yaml")}}, m("engine/mqtt")},
		{RuleFyneAppDriver,
			Package{ImportPath: m("ui"), Imports: []string{"fyne.io/fyne/v2", "fyne.io/fyne/v2/app"}},
			Package{ImportPath: mod, Imports: []string{"fyne.io/fyne/v2/app"}}, "fyne.io/fyne/v2/app"},
		{"cmd/twin knows no fyne",
			Package{ImportPath: m("cmd/twin"), Deps: []string{m("app"), "fyne.io/fyne/v2"}},
			Package{ImportPath: m("cmd/twin"), Deps: []string{m("app"), "github.com/alecthomas/kong"}}, "fyne.io/fyne/v2"},
		{"only tests import internal/testkit",
			Package{ImportPath: m("app"), Imports: []string{m("internal/testkit")}},
			Package{ImportPath: m("app"), TestImports: []string{m("internal/testkit")}}, m("internal/testkit")},
		{"the engine's and adapters' tests do not import app (they use internal/testkit)",
			Package{ImportPath: m("engine/goja"), XTestImports: []string{m("engine/goja"), m("app")}},
			Package{ImportPath: m("engine/goja"), XTestImports: []string{m("engine/goja"), m("internal/testkit")}, Deps: []string{}}, m("app")},
	}
	tested := map[string]bool{}
	for _, c := range cases {
		r := find(t, c.rule)
		tested[c.rule] = true
		got := Check(mod, []Rule{*r}, []Package{c.bad})
		if len(got) != 1 || got[0].Import != c.badImport || got[0].Package != c.bad.ImportPath {
			t.Errorf("%q on %+v: %v; want exactly %s", c.rule, c.bad, got, c.badImport)
		}
		if got := Check(mod, []Rule{*r}, []Package{c.good}); len(got) != 0 {
			t.Errorf("%q on %+v: %v; want none", c.rule, c.good, got)
		}
	}
	for _, r := range Rules {
		if !tested[r.Rule] {
			t.Errorf("rule %q has no case that breaks it", r.Rule)
		}
	}
	// Packages outside the module are never checked.
	if got := Check(mod, Rules, []Package{{ImportPath: "fyne.io/fyne/v2/test", Imports: []string{"fyne.io/fyne/v2/app"}}}); len(got) != 0 {
		t.Errorf("a dependency's own imports were checked: %v", got)
	}
}

func find(t *testing.T, rule string) *Rule {
	t.Helper()
	for i := range Rules {
		if Rules[i].Rule == rule {
			return &Rules[i]
		}
	}
	t.Fatalf("no rule %q", rule)
	return nil
}

func TestMatch(t *testing.T) {
	for _, c := range []struct {
		pattern, path string
		want          bool
	}{
		{".", mod, true},
		{".", mod + "/ui", false},
		{"./...", mod + "/ui", true},
		{"./ui/...", mod + "/ui", true},
		{"./ui/...", mod + "/ui/inspector", true},
		{"./ui/...", mod + "/uikit", false},
		{"./engine", mod + "/engine/yaml", false},
		{"fyne.io/...", "fyne.io/fyne/v2", true},
		{"fyne.io/fyne/v2/app", "fyne.io/fyne/v2/apple", false},
	} {
		if got := Match(mod, c.pattern, c.path); got != c.want {
			t.Errorf("Match(%q, %q) = %v", c.pattern, c.path, got)
		}
	}
	if !IsStd(mod, "net/http") || IsStd(mod, "go.etcd.io/bbolt") || IsStd(mod, mod+"/engine") {
		t.Error("IsStd")
	}
}
