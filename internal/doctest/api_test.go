package doctest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/twinstudio/twinstudio/engine"
	"github.com/twinstudio/twinstudio/engine/goja"
	"github.com/twinstudio/twinstudio/engine/httpapi"
	"github.com/twinstudio/twinstudio/internal/testkit"
)

// shBlocks returns the ```sh blocks of a markdown file, in order.
func shBlocks(t *testing.T, md string) []string {
	b, err := os.ReadFile(md)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	var cur []string
	in := false
	for _, line := range strings.Split(string(b), "\n") {
		switch {
		case !in && strings.TrimSpace(line) == "```sh":
			in, cur = true, nil
		case in && strings.TrimSpace(line) == "```":
			in = false
			out = append(out, strings.Join(cur, "\n"))
		case in:
			cur = append(cur, line)
		}
	}
	return out
}

// TestAPICurlExamples runs the curl session of docs/api.md, block after
// block in one shell (the ids the first blocks keep in variables are
// used by the later ones), against a live server with $TOKEN and $BASE
// set: every curl -f must succeed.
func TestAPICurlExamples(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		t.Fatal("curl is not installed (run `make deps`)")
	}
	blocks := shBlocks(t, filepath.Join(testkit.Root(), "docs", "api.md"))
	if len(blocks) < 5 {
		t.Fatalf("docs/api.md has %d sh blocks", len(blocks))
	}
	p := testkit.Open(t, "", testkit.Options{UDF: goja.New(goja.Options{})})
	var secret string
	err := p.Engine().Update(func(tx *engine.Tx) error {
		if err := tx.PutRoleAssignment(&engine.RoleAssignment{RoleID: engine.RoleSpaceAdministrator, ObjectID: "docs",
			ObjectIDType: engine.ObjectServicePrincipalID, Path: "/"}); err != nil {
			return err
		}
		var err error
		secret, _, err = tx.CreateToken(engine.Principal{Type: engine.ObjectServicePrincipalID, ID: "docs"}, "docs", time.Time{})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	s := httpapi.New(p.Engine(), httpapi.Options{Addr: "127.0.0.1:0", CompileUDF: func(script string) error {
		return goja.ScriptChecker{}.CheckScript("script", script)
	}})
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	script := "set -eo pipefail\n" + strings.Join(blocks, "\n") + "\n"
	cmd := exec.Command("bash", "-c", script)
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), "TOKEN="+secret, "BASE="+s.URL()+httpapi.Base)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the curl examples of docs/api.md failed: %v\n%s", err, out)
	}
	for _, want := range []string{`"hardwareId":"DOCS-TEMP"`, "function process", `"name":"Floors"`} {
		if !strings.Contains(string(out), want) {
			t.Errorf("output lacks %s:\n%s", want, out)
		}
	}
}
