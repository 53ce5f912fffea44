package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestCompletionBash sources the bash script and completes command lines
// as bash would.
func TestCompletionBash(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	script, stderr, code := twin(t, "completion", "bash")
	if code != 0 {
		t.Fatal(stderr)
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "c.bash"), []byte(script), 0o644)
	os.WriteFile(filepath.Join(dir, "office.twin"), nil, 0o644)
	cases := []struct {
		line string // the words; the last is being completed
		want []string
		not  []string
	}{
		{"twin qu", []string{"query"}, []string{"get"}},
		{"twin udf ", []string{"list", "records", "run", "set", "versions", "restore"}, []string{"query"}},
		{"twin udf list --", []string{"--project", "--output", "--no-headers", "--space"}, []string{"--udf"}},
		{"twin query --traverse ", []string{"none", "down", "up", "span"}, nil},
		{"twin query --project x.twin -o y", []string{"yaml"}, []string{"json"}},
		{"twin get --project ", []string{"office.twin"}, []string{"c.bash"}},
		{"twin token create --principal ops --", []string{"--role", "--path", "--expires"}, nil},
		{"twin completion ", nil, nil},
	}
	for _, c := range cases {
		words := strings.Split(c.line, " ")
		quoted := make([]string, len(words))
		for i, w := range words {
			quoted[i] = "'" + w + "'"
		}
		prog := "cd " + dir + " && source c.bash && COMP_WORDS=(" + strings.Join(quoted, " ") + ") && COMP_CWORD=" +
			string(rune('0'+len(words)-1)) + " && _twin; printf '%s\\n' \"${COMPREPLY[@]}\""
		out, err := exec.Command(bash, "-c", prog).CombinedOutput()
		if err != nil {
			t.Fatalf("%q: %v\n%s", c.line, err, out)
		}
		got := strings.Fields(string(out))
		for _, w := range c.want {
			if !strings.Contains(" "+strings.Join(got, " ")+" ", " "+w+" ") {
				t.Errorf("%q: %v lacks %s", c.line, got, w)
			}
		}
		for _, w := range c.not {
			if strings.Contains(" "+strings.Join(got, " ")+" ", " "+w+" ") {
				t.Errorf("%q: %v has %s", c.line, got, w)
			}
		}
	}
}

// TestCompletionScripts: each shell's script names every command.
func TestCompletionScripts(t *testing.T) {
	for _, shell := range []string{"bash", "zsh", "fish"} {
		out, stderr, code := twin(t, "completion", shell)
		if code != 0 {
			t.Fatalf("%s: %s", shell, stderr)
		}
		for _, w := range []string{"provision", "'udf list'", "'token create'", "no-headers", "twin"} {
			if !strings.Contains(out, w) {
				t.Errorf("%s script lacks %s", shell, w)
			}
		}
	}
	if _, stderr, code := twin(t, "completion", "tcsh"); code != 2 || !strings.Contains(stderr, "bash") {
		t.Errorf("tcsh: exit %d %q", code, stderr)
	}
}
