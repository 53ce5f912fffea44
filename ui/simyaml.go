package ui

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The scenario form writes its fields into the scenario's YAML text line
// by line, so that the rest of the text (comments, order, variants) stays
// as the user wrote it.

// headerKeys are the top-level scalar keys, in the order docs/scenarios.md
// gives them; a key the text lacks is inserted after the last of these.
var headerKeys = []string{"extends", "name", "seed", "start", "duration", "step", "report", "payload"}

// setYAMLField sets field path of the YAML text to value: a top-level key
// ("duration") or a key of a top-level mapping ("scale.people"), in block
// or one-line flow style. A missing key (or mapping) is inserted.
func setYAMLField(text, path, value string) string {
	lines := strings.Split(text, "\n")
	parent, child, nested := strings.Cut(path, ".")
	i := topLevelLine(lines, parent)
	switch {
	case i < 0 && nested:
		lines = insertLines(lines, headerEnd(lines), parent+":", "  "+child+": "+value)
	case i < 0:
		lines = insertLines(lines, headerEnd(lines), parent+": "+value)
	case !nested:
		lines[i] = replaceValue(lines[i], value)
	default:
		lines = setNested(lines, i, child, value)
	}
	return strings.Join(lines, "\n")
}

// topLevelLine is the index of the unindented line "key:", or -1.
func topLevelLine(lines []string, key string) int {
	for i, l := range lines {
		if strings.HasPrefix(l, key+":") && (len(l) == len(key)+1 || l[len(key)+1] == ' ' || l[len(key)+1] == '\t') {
			return i
		}
	}
	return -1
}

// headerEnd is where a missing key goes: after the last header key, else
// after the leading comments.
func headerEnd(lines []string) int {
	at := -1
	for _, k := range headerKeys {
		if i := topLevelLine(lines, k); i > at {
			at = i
		}
	}
	if at >= 0 {
		return at + 1
	}
	i := 0
	for i < len(lines) && (strings.HasPrefix(strings.TrimSpace(lines[i]), "#") || lines[i] == "---") {
		i++
	}
	return i
}

func insertLines(lines []string, at int, add ...string) []string {
	out := make([]string, 0, len(lines)+len(add))
	out = append(out, lines[:at]...)
	out = append(out, add...)
	return append(out, lines[at:]...)
}

// splitComment splits a line's text after "key:" into its value and its
// trailing comment (with the spaces before it).
func splitComment(rest string) (value, comment string) {
	for i := 0; i < len(rest); i++ {
		if rest[i] == '#' && (i == 0 || rest[i-1] == ' ' || rest[i-1] == '\t') {
			j := i
			for j > 0 && (rest[j-1] == ' ' || rest[j-1] == '\t') {
				j--
			}
			return rest[:j], rest[j:]
		}
	}
	return rest, ""
}

// replaceValue replaces the value of the line "  key: value  # comment".
func replaceValue(line, value string) string {
	colon := strings.IndexByte(line, ':')
	_, comment := splitComment(line[colon+1:])
	return line[:colon+1] + " " + value + comment
}

// setNested sets child under the top-level mapping at lines[i].
func setNested(lines []string, i int, child, value string) []string {
	rest, comment := splitComment(lines[i][strings.IndexByte(lines[i], ':')+1:])
	if v := strings.TrimSpace(rest); strings.HasPrefix(v, "{") && strings.HasSuffix(v, "}") {
		lines[i] = lines[i][:strings.IndexByte(lines[i], ':')+1] + " " + setFlow(v, child, value) + comment
		return lines
	}
	indent := "  "
	for j := i + 1; j < len(lines); j++ {
		l := lines[j]
		t := strings.TrimSpace(l)
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		if l[0] != ' ' && l[0] != '\t' {
			break // the next top-level key
		}
		ind := l[:len(l)-len(strings.TrimLeft(l, " \t"))]
		if j == i+1 || indent == "  " {
			indent = ind
		}
		if ind == indent && strings.HasPrefix(t, child+":") {
			lines[j] = replaceValue(l, value)
			return lines
		}
	}
	return insertLines(lines, i+1, indent+child+": "+value)
}

// setFlow sets key in the one-line flow mapping "{a: 1, b: 2}".
func setFlow(flow, key, value string) string {
	inner := strings.TrimSpace(flow[1 : len(flow)-1])
	var parts []string
	found := false
	if inner != "" {
		for _, p := range strings.Split(inner, ",") {
			k, _, _ := strings.Cut(p, ":")
			if strings.TrimSpace(k) == key {
				p, found = key+": "+value, true
			}
			parts = append(parts, strings.TrimSpace(p))
		}
	}
	if !found {
		parts = append(parts, key+": "+value)
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// shortDuration writes d as a scenario does: 168h, 90m, 1h30m, 30s.
func shortDuration(d time.Duration) string {
	switch {
	case d == 0:
		return "0s"
	case d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	case d%time.Minute == 0 && d < time.Hour:
		return fmt.Sprintf("%dm", d/time.Minute)
	case d%time.Minute == 0:
		return fmt.Sprintf("%dh%dm", d/time.Hour, (d%time.Hour)/time.Minute)
	}
	return d.String()
}

// shortFloat writes x without trailing zeros.
func shortFloat(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }
