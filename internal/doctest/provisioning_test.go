package doctest

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/twinstudio/twinstudio/engine"
	"github.com/twinstudio/twinstudio/engine/yaml"
	"github.com/twinstudio/twinstudio/internal/testkit"
)

// block is a fenced code block of a Markdown file.
type block struct {
	lang, text string
	line       int    // of the opening fence
	note       string // the HTML comment just above the fence, without <!-- -->
}

// blocks returns the fenced code blocks of the Markdown file at path.
func blocks(t *testing.T, path string) []block {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []block
	var cur *block
	var b strings.Builder
	note := ""
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		l := sc.Text()
		switch {
		case cur == nil && strings.HasPrefix(l, "```"):
			cur = &block{lang: strings.TrimSpace(l[3:]), line: n, note: note}
			b.Reset()
		case cur != nil && strings.TrimSpace(l) == "```":
			cur.text = b.String()
			out = append(out, *cur)
			cur, note = nil, ""
		case cur != nil:
			b.WriteString(l + "\n")
		case strings.HasPrefix(l, "<!--") && strings.HasSuffix(l, "-->"):
			note = strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(l, "<!--"), "-->"))
		case strings.TrimSpace(l) != "":
			note = ""
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if cur != nil {
		t.Fatalf("%s:%d: code block not closed", path, cur.line)
	}
	return out
}

var provisioningMD = filepath.Join(testkit.Root(), "docs", "provisioning.md")

// TestProvisioningExamples: every YAML block of docs/provisioning.md
// provisions into a new project and a second run changes nothing; a block
// marked <!-- refused: TEXT --> is refused with a one-line error holding
// TEXT and leaves the project empty. Blocks marked <!-- file: PATH -->
// are the files the YAML blocks refer to (scripts), beside them.
func TestProvisioningExamples(t *testing.T) {
	all := blocks(t, provisioningMD)
	files := map[string]string{}
	for _, b := range all {
		if p, ok := strings.CutPrefix(b.note, "file: "); ok {
			files[strings.TrimSpace(p)] = b.text
		}
	}
	n := 0
	for _, b := range all {
		if b.lang != "yaml" {
			continue
		}
		n++
		where := "docs/provisioning.md:" + strconv.Itoa(b.line)
		p := testkit.Open(t, "", testkit.Options{})
		sum, err := p.ProvisionYAML(t, b.text, files)
		if want, refused := strings.CutPrefix(b.note, "refused: "); refused {
			if err == nil {
				t.Errorf("%s: provisioned; the text says it is refused with %q", where, want)
			} else if !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("%s: error %q; the text says one line with %q", where, err, want)
			}
			if s := p.Engine().Stats(); s.Total() != 0 {
				t.Errorf("%s: a refused file left %+v", where, s)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", where, err)
			continue
		}
		if sum.Total().Created == 0 {
			t.Errorf("%s: nothing created", where)
		}
		again, err := p.ProvisionYAML(t, b.text, files)
		if err != nil {
			t.Errorf("%s: second run: %v", where, err)
		} else if c := again.Total(); c.Created != 0 || c.Updated != 0 {
			t.Errorf("%s: second run created %d and updated %d; the text says it changes nothing", where, c.Created, c.Updated)
		}
	}
	if n < 10 {
		t.Errorf("found %d YAML blocks in %s", n, provisioningMD)
	}
}

// TestProvisioningSummary: the output shown after the first file is what
// provisioning it gives.
func TestProvisioningSummary(t *testing.T) {
	all := blocks(t, provisioningMD)
	for i, b := range all {
		if b.lang != "text" || !strings.HasPrefix(b.text, "$ twin provision") || i == 0 || all[i-1].lang != "yaml" {
			continue
		}
		p := testkit.Open(t, "", testkit.Options{})
		sum, err := p.ProvisionYAML(t, all[i-1].text, nil)
		if err != nil {
			t.Fatal(err)
		}
		// $ twin provision …, provisioned FILE into PROJECT: TOTALS, the table.
		shown := strings.SplitN(b.text, "\n", 3)
		c := sum.Total()
		totals := fmt.Sprintf(": %d created, %d updated, %d unchanged", c.Created, c.Updated, c.Unchanged)
		if len(shown) < 3 || !strings.HasSuffix(shown[1], totals) || shown[2] != sum.String() {
			t.Errorf("docs/provisioning.md:%d shows\n%s\nprovisioning gives\n%s\n%s", b.line, b.text, totals, sum.String())
		}
		return
	}
	t.Fatal("no `$ twin provision` output after a YAML block in docs/provisioning.md")
}

var roleRow = regexp.MustCompile("^\\| ([A-Za-z]+) \\| `([0-9a-f-]{36})` \\|$")

// TestRoleIDs: the table of role GUIDs is the engine's system roles.
func TestRoleIDs(t *testing.T) {
	data, err := os.ReadFile(provisioningMD)
	if err != nil {
		t.Fatal(err)
	}
	doc := map[string]string{}
	for _, l := range strings.Split(string(data), "\n") {
		if m := roleRow.FindStringSubmatch(l); m != nil {
			doc[m[1]] = m[2]
		}
	}
	roles := engine.SystemRoles()
	if len(doc) != len(roles) {
		t.Errorf("the docs list %d role ids; the engine has %d roles", len(doc), len(roles))
	}
	for _, r := range roles {
		if doc[r.Name] != r.ID.String() {
			t.Errorf("role %s: docs say %q, the engine %s", r.Name, doc[r.Name], r.ID)
		}
	}
}

// errorInputs are the files behind the rows of the error table of
// docs/provisioning.md, by the row's problem: each, read as f.yaml, must
// give the row's error exactly.
var errorInputs = map[string]string{
	"not a list of spaces":                     "name: HQ\n",
	"bad YAML":                                 "- name: HQ\n  type: Building\n   spaces: []\n",
	"key given twice":                          "- name: HQ\n  spaces:\n  - name: A\n    name: B\n",
	"unknown key":                              "- name: HQ\n  tpye: Building\n",
	"missing name":                             "- name: HQ\n  spaces:\n  - type: Room\n",
	"wrong kind of value":                      "- name: HQ\n  devices:\n  - name: Pi\n    sensors:\n    - dataType: Motion\n      pollRate: fast\n",
	"unknown type":                             "- name: HQ\n  type: Castle\n",
	"bad hardwareId":                           "- name: HQ\n  devices:\n  - name: Pi\n    hardwareId: PI 1\n",
	"hardwareId used twice":                    "- name: HQ\n  devices:\n  - name: Pi\n    hardwareId: PI1\n  - name: Pi2\n    hardwareId: PI1\n",
	"condition value not JSON":                 "- name: HQ\n  matchers:\n  - name: M\n    conditions:\n    - path: $.dataType\n      value: Motion\n",
	"unknown matcher":                          "- name: HQ\n  userdefinedfunctions:\n  - name: U\n    matcherNames: Nope\n    script: f.yaml\n",
	"missing script":                           "- name: HQ\n  userdefinedfunctions:\n  - name: U\n    script: u.js\n",
	"time limit out of range":                  "- name: HQ\n  userdefinedfunctions:\n  - name: U\n    script: f.yaml\n    timeLimit: 5m\n",
	"value size limit over its ceiling":        "- name: HQ\n  userdefinedfunctions:\n  - name: U\n    script: f.yaml\n    valueSizeLimit: 100000\n",
	"write limit over its ceiling":             "- name: HQ\n  userdefinedfunctions:\n  - name: U\n    script: f.yaml\n    writeLimit: 5000\n",
	"notification size limit over its ceiling": "- name: HQ\n  userdefinedfunctions:\n  - name: U\n    script: f.yaml\n    notificationSizeLimit: 2000000\n",
	"notification limit over its ceiling":      "- name: HQ\n  userdefinedfunctions:\n  - name: U\n    script: f.yaml\n    notificationLimit: 101\n",
	"log line size limit over its ceiling":     "- name: HQ\n  userdefinedfunctions:\n  - name: U\n    script: f.yaml\n    logLineSizeLimit: 20000\n",
	"log line limit over its ceiling":          "- name: HQ\n  userdefinedfunctions:\n  - name: U\n    script: f.yaml\n    logLineLimit: 1001\n",
	"memory limit over its ceiling":            "- name: HQ\n  userdefinedfunctions:\n  - name: U\n    script: f.yaml\n    memoryLimitMiB: 1024\n",
	"unknown role":                             "- name: HQ\n  roleassignments:\n  - role: Boss\n    objectName: x\n    objectIdType: UserId\n",
	"user without upn":                         "- name: HQ\n  users:\n  - firstName: A\n",
	"plan room that is no child space":         "- name: HQ\n  spaces:\n  - name: Floor 1\n    plan:\n      rooms:\n      - {space: Lab, rect: [0, 0, 1, 1]}\n    spaces: [{name: Room}]\n",
	"plan device that does not exist":          "- name: HQ\n  spaces:\n  - name: Floor 1\n    plan:\n      devices:\n      - {hardwareId: PI-9, at: [1, 1]}\n    spaces: [{name: Room}]\n",
}

var errorRow = regexp.MustCompile("^\\| ([^|]+?) \\| `(f\\.yaml:[^`]*)` \\|$")

// TestProvisioningErrors: each row of the error table is the error its
// input gives, word for word, and every row has an input.
func TestProvisioningErrors(t *testing.T) {
	data, err := os.ReadFile(provisioningMD)
	if err != nil {
		t.Fatal(err)
	}
	rows := 0
	for _, l := range strings.Split(string(data), "\n") {
		m := errorRow.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		rows++
		problem, want := m[1], m[2]
		src, ok := errorInputs[problem]
		if !ok {
			t.Errorf("the error table's row %q has no input in errorInputs", problem)
			continue
		}
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "f.yaml"), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		p := testkit.Open(t, "", testkit.Options{})
		plan, err := yaml.Parse("f.yaml", []byte(src), func(rel string) ([]byte, error) {
			return os.ReadFile(filepath.Join(dir, filepath.FromSlash(rel)))
		})
		if err == nil {
			_, err = p.Engine().Provision(plan)
		}
		if err == nil || err.Error() != want {
			t.Errorf("%s: error %v; the table says %s", problem, err, want)
		}
	}
	if rows != len(errorInputs) {
		t.Errorf("the error table has %d rows; errorInputs %d", rows, len(errorInputs))
	}
}
