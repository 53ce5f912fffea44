package dtdl

import (
	"regexp"
	"strconv"
	"strings"
)

// MaxInterfaceIDLen is the longest Interface @id DTDL allows.
const MaxInterfaceIDLen = 128

var (
	dtmiRE = regexp.MustCompile(`^dtmi:[A-Za-z](?:[A-Za-z0-9_]*[A-Za-z0-9])?(?::[A-Za-z](?:[A-Za-z0-9_]*[A-Za-z0-9])?)*;[1-9][0-9]{0,8}(?:\.[1-9][0-9]{0,5})?$`)
	nameRE = regexp.MustCompile(`^[A-Za-z](?:[A-Za-z0-9_]*[A-Za-z0-9])?$`)
)

// ValidDTMI reports whether s is a DTMI: "dtmi:" path segments separated
// by ':' (each [A-Za-z](\w*[A-Za-z0-9])?), ';' and a version (1 to
// 999999999, optionally ".minor" as DTDL v3 allows), at most 2048 bytes.
func ValidDTMI(s string) bool { return len(s) <= 2048 && dtmiRE.MatchString(s) }

// ValidName reports whether s is a DTDL name (of a content or an enum
// value): a DTMI segment of at most 512 bytes.
func ValidName(s string) bool { return len(s) <= 512 && nameRE.MatchString(s) }

// Segment turns any text into a valid DTMI segment or DTDL name: runs of
// characters other than ASCII letters, digits and '_' become one '_',
// leading and trailing '_' go, an 'x' is put before a leading digit, and
// empty text gives "x". It is deterministic; uniqueness is the caller's
// (see namer).
func Segment(s string) string {
	var b strings.Builder
	gap := false
	for _, r := range s {
		ok := r < 128 && (r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
		if !ok {
			gap = true
			continue
		}
		if gap && b.Len() > 0 {
			b.WriteByte('_')
		}
		gap = false
		b.WriteRune(r)
	}
	out := strings.Trim(b.String(), "_")
	if out == "" {
		return "x"
	}
	if out[0] >= '0' && out[0] <= '9' {
		out = "x" + out
	}
	return out
}

// namer hands out segments that are unique, without regard to case,
// within one namespace (an interface's contents, a DTMI path). A clash
// gets "_2", "_3", … in the order of the calls, so callers must call in a
// deterministic order.
type namer struct {
	max   int // longest segment; 0: unbounded
	taken map[string]bool
}

func newNamer(max int, reserved ...string) *namer {
	n := &namer{max: max, taken: map[string]bool{}}
	for _, r := range reserved {
		n.taken[strings.ToLower(r)] = true
	}
	return n
}

// name returns a unique segment for s.
func (n *namer) name(s string) string {
	base := Segment(s)
	if n.max > 0 && len(base) > n.max {
		base = strings.TrimRight(base[:n.max], "_")
	}
	out := base
	for i := 2; n.taken[strings.ToLower(out)]; i++ {
		out = base + "_" + strconv.Itoa(i)
	}
	n.taken[strings.ToLower(out)] = true
	return out
}
