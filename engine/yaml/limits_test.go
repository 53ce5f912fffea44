package yaml_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/twinstudio/twinstudio/engine"
	"github.com/twinstudio/twinstudio/engine/yaml"
)

// TestScriptPathsStayInside: a script must lie in the provisioning file's
// folder. Absolute paths, paths leaving the folder through ".." and
// symbolic links pointing out of it are refused with file:line; paths
// inside (also through ".." that stays inside, or a link to a file inside)
// are read.
func TestScriptPathsStayInside(t *testing.T) {
	top := t.TempDir()
	outside := filepath.Join(top, "secret.txt")
	if err := os.WriteFile(outside, []byte("secret"), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(top, "project")
	for _, d := range []string{dir, filepath.Join(dir, "udfs")} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "udfs", "ok.js"), []byte("// ok\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo.js"), 0o600); err != nil {
		t.Fatal(err)
	}
	for link, target := range map[string]string{"out.js": outside, "udfs/up.js": "../../secret.txt", "in.js": "udfs/ok.js", "udfs/dirlink": top} {
		if err := os.Symlink(target, filepath.Join(dir, link)); err != nil {
			t.Skipf("no symbolic links: %v", err)
		}
	}
	path := filepath.Join(dir, "p.yaml")
	for _, c := range []struct{ script, want string }{
		{"/etc/passwd", "an absolute path; give the script's path relative to the provisioning file"},
		{outside, "an absolute path; give the script's path relative to the provisioning file"},
		{"../../../../etc/hostname", "the path leaves it"},
		{"../secret.txt", "the path leaves it"},
		{"udfs/../../secret.txt", "the path leaves it"},
		{"out.js", "a symbolic link on the path points out of it"},
		{"udfs/up.js", "a symbolic link on the path points out of it"},
		{"udfs/dirlink/secret.txt", "a symbolic link on the path points out of it"},
		{"fifo.js", "-not a regular file"},
		{"udfs/../udfs/ok.js", ""},
		{"in.js", ""},
	} {
		yml := "- name: a\n  userdefinedfunctions:\n  - name: u\n    script: " + c.script + "\n"
		if err := os.WriteFile(path, []byte(yml), 0o644); err != nil {
			t.Fatal(err)
		}
		p, err := yaml.ReadFile(path)
		if c.want == "" {
			if err != nil || p.Spaces[0].UDFs[0].Script != "// ok\n" {
				t.Errorf("%s: %v", c.script, err)
			}
			continue
		}
		want := path + `:4: script: cannot read "` + c.script + `": outside the provisioning file's folder: ` + c.want
		if strings.HasPrefix(c.want, "-") {
			want = path + `:4: script: cannot read "` + c.script + `": ` + c.want[1:]
		}
		if err == nil || err.Error() != want || !errors.Is(err, yaml.ErrScript) {
			t.Errorf("%s:\n got %v\nwant %s", c.script, err, want)
		}
	}
}

// TestReadFileLimits: what is not a regular file, or is larger than
// MaxFileSize, is refused at once with one line naming the file, without
// reading it into memory.
func TestReadFileLimits(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.yaml")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	// Sparse: no disk space used. Starts like a valid file.
	if _, err := f.WriteString("- name: a\n#"); err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(yaml.MaxFileSize + 1); err != nil {
		t.Fatal(err)
	}
	f.Close()
	fifo := filepath.Join(dir, "fifo.yaml")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		path, want string
		is         error
	}{
		{big, "read " + big + ": file too large: larger than 64 MiB", yaml.ErrTooLarge},
		{"/dev/zero", "read /dev/zero: engine: invalid: not a regular file (a device)", engine.ErrInvalid},
		{fifo, "read " + fifo + ": engine: invalid: not a regular file (a named pipe)", engine.ErrInvalid},
		{dir, "read " + dir + ": engine: invalid: not a regular file (a folder)", engine.ErrInvalid},
	} {
		_, err := yaml.ReadFile(c.path)
		if err == nil || err.Error() != c.want || !errors.Is(err, c.is) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s:\n got %v\nwant %s", c.path, err, c.want)
		}
	}
	// Exactly at the limit is not "too large" (it is read and parsed).
	if err := os.Truncate(big, yaml.MaxFileSize); err != nil {
		t.Fatal(err)
	}
	if _, err := yaml.ReadFile(big); errors.Is(err, yaml.ErrScript) {
		t.Errorf("a file of exactly MaxFileSize: %v", err)
	}
}

// TestUDFOutputLimitRanges: each of a UDF's output limits is read up to
// its ceiling; one past it, or a negative one, is refused with the line
// and the key; 0 keeps the default. One row per limit.
func TestUDFOutputLimitRanges(t *testing.T) {
	rows := []struct {
		key     string
		ceiling int
		get     func(*engine.PlanUDF) int
	}{
		{"valueSizeLimit", engine.CeilUDFValue, func(u *engine.PlanUDF) int { return u.ValueSizeLimit }},
		{"writeLimit", engine.CeilUDFWrites, func(u *engine.PlanUDF) int { return u.WriteLimit }},
		{"notificationSizeLimit", engine.CeilUDFNotification, func(u *engine.PlanUDF) int { return u.NotificationSizeLimit }},
		{"notificationLimit", engine.CeilUDFNotifications, func(u *engine.PlanUDF) int { return u.NotificationLimit }},
		{"logLineSizeLimit", engine.CeilUDFLogLine, func(u *engine.PlanUDF) int { return u.LogLineSizeLimit }},
		{"logLineLimit", engine.CeilUDFLogLines, func(u *engine.PlanUDF) int { return u.LogLineLimit }},
	}
	for _, r := range rows {
		t.Run(r.key, func(t *testing.T) {
			doc := func(v int) []byte {
				return fmt.Appendf(nil, "- name: HQ\n  userdefinedfunctions:\n  - name: U\n    script: ok.js\n    %s: %d\n", r.key, v)
			}
			for _, v := range []int{0, 1, r.ceiling} {
				p, err := yaml.Parse("f.yaml", doc(v), scripts)
				if err != nil {
					t.Fatalf("%d: %v", v, err)
				}
				if got := r.get(p.Spaces[0].UDFs[0]); got != v {
					t.Errorf("%d read as %d", v, got)
				}
			}
			for _, v := range []int{r.ceiling + 1, -1} {
				_, err := yaml.Parse("f.yaml", doc(v), scripts)
				want := fmt.Sprintf("f.yaml:5: %s: want an integer from 1 to %d, got %d", r.key, r.ceiling, v)
				if err == nil || err.Error() != want || !errors.Is(err, engine.ErrInvalid) {
					t.Errorf("%d: error %v, want %s", v, err, want)
				}
			}
		})
	}
}

// TestUDFTimeLimitRange: timeLimit is accepted up to the runtime's ceiling
// (engine.MaxUDFLimit) and refused past it, so provisioning never accepts
// a limit the runtime would silently cut.
func TestUDFTimeLimitRange(t *testing.T) {
	doc := func(v string) []byte {
		return fmt.Appendf(nil, "- name: HQ\n  userdefinedfunctions:\n  - name: U\n    script: ok.js\n    timeLimit: %s\n", v)
	}
	for _, v := range []string{"1ms", "250ms", engine.MaxUDFLimit.String()} {
		p, err := yaml.Parse("f.yaml", doc(v), scripts)
		if err != nil {
			t.Fatalf("%s: %v", v, err)
		}
		if got := p.Spaces[0].UDFs[0].TimeLimit.String(); got != v {
			t.Errorf("%s read as %s", v, got)
		}
	}
	for _, v := range []string{(engine.MaxUDFLimit + time.Millisecond).String(), "1m", "0s", "-1s", "soon"} {
		_, err := yaml.Parse("f.yaml", doc(v), scripts)
		want := fmt.Sprintf("f.yaml:5: timeLimit: want a duration such as 250ms (at most 10s), got %q", v)
		if err == nil || err.Error() != want || !errors.Is(err, engine.ErrInvalid) {
			t.Errorf("%s: error %v, want %s", v, err, want)
		}
	}
}
