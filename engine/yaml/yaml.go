// Package yaml reads provisioning YAML files (docs/provisioning.md) into an
// engine.Plan.
//
// A provisioning file is a YAML list of root spaces in the form used by the
// preview's occupancy quickstart. Every item of the plan keeps where it was
// written (engine.Src), so that reading and provisioning errors can say
// "file:line: field: what is wrong". Errors from this package are
// *engine.PosError values whose message is one line; test them with
// errors.Is against ErrSyntax, ErrUnknownKey, ErrScript, engine.ErrInvalid
// and engine.ErrDuplicate.
//
// Keys are matched exactly as the format spells them (camelCase), plus a
// few alternate spellings: subtype, userDefinedFunctions, roleAssignments,
// propertyKeys, dataSubType. Src.Fields records each key as written and,
// for an alternate spelling, under the canonical one too (subType,
// userdefinedfunctions, roleassignments, propertykeys, dataSubtype), so
// Src.At("subType") works whichever was used. Scalar values of any YAML
// type are kept as their text (a condition's `value` is a JSON literal as
// written); null is "". matcherNames may also be a single name.
//
// YAML anchors, aliases and merge keys (<<: *anchor) may be used to share
// parts of the tree; expanding them is limited so that a small file cannot
// blow up into a huge plan.
package yaml

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/twinstudio/twinstudio/engine"
	yamlv3 "go.yaml.in/yaml/v3"
)

// Sentinel errors; the errors returned wrap them (test with errors.Is).
var (
	// ErrSyntax: the file is not valid YAML (including duplicate keys and
	// more than one document).
	ErrSyntax = errors.New("bad YAML")
	// ErrUnknownKey: a key that the provisioning format does not know. It
	// wraps engine.ErrUnknownKey.
	ErrUnknownKey = fmt.Errorf("%w in provisioning YAML", engine.ErrUnknownKey)
	// ErrScript: a user-defined function's script file cannot be read, or
	// lies outside the provisioning file's folder.
	ErrScript = errors.New("cannot read script")
	// ErrTooLarge: a file is larger than its limit (MaxFileSize,
	// MaxScriptSize).
	ErrTooLarge = errors.New("file too large")
	// errOutside: a script path that leaves the provisioning file's folder.
	errOutside = errors.New("outside the provisioning file's folder")
)

// Limits that keep hostile or broken input cheap.
const (
	// MaxAliasNodes is how many nodes may be reached through aliases in
	// one file, counting each use of an anchor with the aliases inside it
	// expanded. Files that share sensor or room templates through anchors
	// stay far below it; "billion laughs" files are refused at once.
	MaxAliasNodes = 100_000
	// MaxDepth is how deeply nodes may nest, counting nodes reached through
	// aliases.
	MaxDepth = 10_000
	// MaxScriptSize is the largest script file read.
	MaxScriptSize = 16 << 20
	// MaxFileSize is the largest provisioning file ReadFile reads (64 MiB).
	MaxFileSize = 64 << 20
)

// ReadFile reads a provisioning YAML file (docs/provisioning.md) into a Plan. UDF
// script paths are relative to the file's folder and their contents are
// loaded into PlanUDF.Script; a script must lie inside that folder (an
// absolute path, a path that leaves it through ".." or a symbolic link
// that points out of it is refused). Positions name the file as path is
// given. A file that is not a regular file, or is larger than MaxFileSize,
// is refused with an error wrapping ErrTooLarge or engine.ErrInvalid that
// names it.
func ReadFile(path string) (*engine.Plan, error) {
	data, err := ReadLimited(path, MaxFileSize)
	if err != nil {
		return nil, err
	}
	dir := filepath.Dir(path)
	return Parse(path, data, func(rel string) ([]byte, error) {
		return readScriptFile(dir, rel)
	})
}

// ReadLimited reads the regular file at path if it holds at most limit
// bytes. A larger file gives an error wrapping ErrTooLarge, a directory,
// device, pipe or socket one wrapping engine.ErrInvalid; the message is one
// line naming the file. Nothing beyond limit+1 bytes is read, so
// /dev/zero or a growing file cannot exhaust memory.
func ReadLimited(path string, limit int64) ([]byte, error) {
	notRegular := func(m fs.FileMode) error {
		return fmt.Errorf("read %s: %w: not a regular file (%s)", path, engine.ErrInvalid, fileKind(m))
	}
	// Stat first: opening a named pipe would wait for a writer.
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, notRegular(st.Mode())
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if st, err = f.Stat(); err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, notRegular(st.Mode())
	}
	tooLarge := func() error {
		return fmt.Errorf("read %s: %w: larger than %s", path, ErrTooLarge, sizeText(limit))
	}
	if st.Size() > limit {
		return nil, tooLarge()
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if int64(len(data)) > limit {
		return nil, tooLarge()
	}
	return data, nil
}

// fileKind names the type of a file that is not a regular file.
func fileKind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a folder"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "mode " + m.String()
}

// sizeText says a byte count in MiB, or in bytes below one MiB.
func sizeText(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

// Parse parses data as the provisioning YAML named file; readScript loads
// a script path as written (relative to the YAML's folder). A nil
// readScript leaves PlanUDF.Script empty (ScriptPath is still set).
func Parse(file string, data []byte, readScript func(rel string) ([]byte, error)) (plan *engine.Plan, err error) {
	defer func() {
		// The YAML library reports some internal problems by panicking;
		// never let them out.
		if p := recover(); p != nil {
			plan = nil
			err = engine.At(engine.Pos{File: file}, "", newError(ErrSyntax, "bad YAML: %s", oneLine(fmt.Sprint(p))))
		}
	}()
	r := &reader{file: file, readScript: readScript, scripts: map[string]scriptResult{}, open: map[*yamlv3.Node]bool{}}
	return r.parse(data)
}

// readScriptFile reads rel (slash or OS separated, relative to dir),
// refusing an absolute path, a path that leaves dir (through ".." or a
// symbolic link), what is not a regular file, and what is too large.
func readScriptFile(dir, rel string) ([]byte, error) {
	p := filepath.FromSlash(rel)
	switch {
	case filepath.IsAbs(p) || strings.HasPrefix(rel, "/"):
		return nil, fmt.Errorf("%w: an absolute path; give the script's path relative to the provisioning file", errOutside)
	case !filepath.IsLocal(p):
		return nil, fmt.Errorf("%w: the path leaves it", errOutside)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	// os.Root refuses paths that escape it, symbolic links included.
	escapes := func(err error) error {
		if !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, fs.ErrPermission) && strings.Contains(err.Error(), "escapes") {
			return fmt.Errorf("%w: a symbolic link on the path points out of it", errOutside)
		}
		return err
	}
	// Stat first: opening a named pipe would wait for a writer.
	if st, err := root.Stat(p); err != nil {
		return nil, escapes(err)
	} else if !st.Mode().IsRegular() {
		return nil, errors.New("not a regular file")
	}
	f, err := root.Open(p)
	if err != nil {
		return nil, escapes(err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, errors.New("not a regular file")
	}
	if st.Size() > MaxScriptSize {
		return nil, fmt.Errorf("%w: larger than %d MiB", ErrTooLarge, MaxScriptSize>>20)
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxScriptSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxScriptSize {
		return nil, fmt.Errorf("%w: larger than %d MiB", ErrTooLarge, MaxScriptSize>>20)
	}
	return data, nil
}

// posError is an error with its own one-line message that wraps sentinels
// (and possibly a cause).
type posError struct {
	msg  string
	errs []error
}

func (e *posError) Error() string   { return e.msg }
func (e *posError) Unwrap() []error { return e.errs }

func newError(sentinel error, format string, args ...any) error {
	return &posError{msg: oneLine(fmt.Sprintf(format, args...)), errs: []error{sentinel}}
}

// oneLine folds s onto one line.
func oneLine(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	return strings.Join(strings.Fields(s), " ")
}

var lineRE = regexp.MustCompile(`(?s)^yaml: line (\d+): (.*)$`)
var unknownAnchorRE = regexp.MustCompile(`^yaml: unknown anchor '(.*)' referenced$`)

// syntaxError turns an error of the YAML library into "file:line: bad
// YAML: problem".
func (r *reader) syntaxError(err error, data []byte) error {
	msg := err.Error()
	line := 0
	if m := lineRE.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
		// The YAML library numbers lines from 0 in parser errors (not in
		// scanner errors).
		if isParserProblem(msg) {
			line++
		}
	} else {
		msg = strings.TrimPrefix(msg, "yaml: ")
		switch m := unknownAnchorRE.FindStringSubmatch(err.Error()); {
		case m != nil:
			line = findAlias(data, m[1])
		case isReaderProblem(msg):
			line = findBadChar(data)
		case isParserProblem(msg) || isScannerProblem(msg):
			// Both marks were on the first line.
			line = 1
		}
	}
	// Errors at the end of the stream are placed after the last line.
	if n := lineCount(data); line > n {
		line = max(n, 1)
	}
	return engine.At(engine.Pos{File: r.file, Line: line}, "", &posError{msg: "bad YAML: " + oneLine(msg), errs: []error{ErrSyntax}})
}

var parserProblems = []string{
	"did not find expected <stream-start>", "did not find expected <document start>", "did not find expected node content",
	"did not find expected '-' indicator", "did not find expected key", "did not find expected ',' or ']'",
	"did not find expected ',' or '}'", "found undefined tag handle", "found duplicate %YAML directive",
	"found duplicate %TAG directive", "found incompatible YAML document",
}

func isParserProblem(msg string) bool {
	for _, p := range parserProblems {
		if msg == p {
			return true
		}
	}
	return false
}

// isScannerProblem tells scanner errors (which carry a line unless it is
// the first) from the decoder's own, line-less ones.
func isScannerProblem(msg string) bool {
	for _, p := range []string{"found ", "did not find ", "could not find ", "mapping values ", "block sequence entries ",
		"block mapping entries ", "exceeded max depth", "invalid ", "unexpected end of stream", "while "} {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	return false
}

func isReaderProblem(msg string) bool {
	return strings.Contains(msg, "UTF-8") || strings.Contains(msg, "UTF-16") || strings.Contains(msg, "surrogate") ||
		msg == "control characters are not allowed" || msg == "invalid Unicode character"
}

// findBadChar returns the line of the first byte sequence that is not
// valid UTF-8 or is a character YAML does not allow, or 0.
func findBadChar(data []byte) int {
	for i := 0; i < len(data); {
		c, size := utf8.DecodeRune(data[i:])
		if c == utf8.RuneError && size <= 1 || !printable(c) {
			return bytes.Count(data[:i], []byte("\n")) + 1
		}
		i += size
	}
	return 0
}

// printable reports whether YAML allows c in a stream.
func printable(c rune) bool {
	return c == 0x09 || c == 0x0A || c == 0x0D || c >= 0x20 && c <= 0x7E || c == 0x85 ||
		c >= 0xA0 && c <= 0xD7FF || c >= 0xE000 && c <= 0xFFFD || c >= 0x10000 && c <= 0x10FFFF
}

// lineCount is the number of lines of data.
func lineCount(data []byte) int {
	n := bytes.Count(data, []byte("\n"))
	if len(data) > 0 && data[len(data)-1] != '\n' {
		n++
	}
	return n
}

// findAlias returns the line of the first "*name" in data, or 0.
func findAlias(data []byte, name string) int {
	if name == "" {
		return 0
	}
	pat := []byte("*" + name)
	for off := 0; off < len(data); {
		i := bytes.Index(data[off:], pat)
		if i < 0 {
			return 0
		}
		end := off + i + len(pat)
		if end == len(data) || strings.IndexByte(" \t\r\n,]}", data[end]) >= 0 {
			return bytes.Count(data[:off+i], []byte("\n")) + 1
		}
		off = end
	}
	return 0
}

// describe says what a node is, for "want X, got Y" messages.
func describe(n *yamlv3.Node) string {
	switch n.Kind {
	case yamlv3.MappingNode:
		return "a map"
	case yamlv3.SequenceNode:
		return "a list"
	case yamlv3.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return "nothing (null)"
		case "!!int":
			return "the integer " + short(n.Value)
		case "!!float":
			return "the number " + short(n.Value)
		case "!!bool":
			return "the boolean " + short(n.Value)
		default:
			return "the string " + strconv.Quote(short(n.Value))
		}
	case yamlv3.DocumentNode:
		return "a document"
	}
	return "an unexpected YAML node"
}

// short cuts s to at most 40 runes.
func short(s string) string {
	const max = 40
	n := 0
	for i := range s {
		if n == max {
			return s[:i] + "…"
		}
		n++
	}
	return s
}

func isNull(n *yamlv3.Node) bool {
	return n.Kind == yamlv3.ScalarNode && n.ShortTag() == "!!null"
}

// scriptProblem describes why a script could not be read.
func scriptProblem(err error) string {
	var pe *fs.PathError
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "no such file"
	case errors.Is(err, fs.ErrPermission):
		return "permission denied"
	case errors.As(err, &pe):
		return oneLine(pe.Err.Error())
	}
	return oneLine(err.Error())
}
