package ui

import (
	"image/color"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/alecthomas/chroma/v2"
	"github.com/alecthomas/chroma/v2/lexers"
)

// markerKind names a set of gutter markers of a codeEditor.
type markerKind int

const (
	// markerError is the error line of the last compile or run: a red ✖ in the gutter and a red row tint.
	markerError markerKind = iota + 1
	// markerBreakpoint is a step-through breakpoint: a ● in the gutter.
	markerBreakpoint
)

// codeEditorIndent is what Tab inserts and what indenting a line adds.
const codeEditorIndent = "  "

// codeEditorUndoLimit bounds the undo history.
const codeEditorUndoLimit = 500

// tpos is a 0-based position in the text: a line and a rune column within it.
type tpos struct{ line, col int }

func (a tpos) before(b tpos) bool {
	return a.line < b.line || (a.line == b.line && a.col < b.col)
}

// editOp is one undoable replacement: at `at`, `removed` was replaced by `inserted`.
type editOp struct {
	at                tpos
	removed, inserted string
	before, after     tpos // cursor before and after the edit
	typing            bool // a single typed word rune, mergeable with the previous typing
}

// codeEditor is a small JavaScript editor with syntax colours, a gutter with line
// numbers and markers, find, undo and a step-through line highlight.
//
// It renders only the rows and columns that fit into a widget.TextGrid, so long
// scripts stay fast. All methods and callbacks run on Fyne's goroutine: call them
// from event handlers or through fyne.Do. Lines and columns in the API are 1-based;
// columns count runes. A '\t' in the text is kept and shown as one space.
type codeEditor struct {
	widget.BaseWidget

	// OnChanged is called after each edit by the user (typing, paste, cut, undo, redo), not after SetText.
	OnChanged func(text string)
	// OnGutterTapped is called with the 1-based line whose gutter was tapped.
	OnGutterTapped func(line int)
	// OnFind is called when Ctrl+F is pressed in the editor; may be nil.
	OnFind func()
	// OnSave is called when Ctrl+S is pressed in the editor; may be nil.
	OnSave func()

	lines    [][]rune
	kinds    [][]tokenKind // token kind per rune of each line; see relex
	tokClean int           // lines before it are lexed for the current text
	tokDirty int           // lines tokClean..tokDirty must be lexed again; after it, once a line lexes as before, all do

	cursor    tpos
	anchor    tpos // selection anchor, meaningful when selecting
	selecting bool
	goalCol   int // column kept by up/down moves, -1 when none

	readOnly  bool
	focused   bool
	shiftDown bool
	dragging  bool

	markers map[markerKind]map[int]bool
	current int // 1-based step line, 0 = none

	top, left       int     // first visible line and column (0-based)
	scrollAccY      float32 // wheel distance not yet turned into lines
	scrollAccX      float32
	revealOnLayout  bool
	undo, redo      []editOp
	grid            *widget.TextGrid
	bar             *canvas.Rectangle
	cellSizeCache   fyne.Size
	cellSizeTheme   float32
	renderedRows    []widget.TextGridRow
	styleCache      map[styleKey]*widget.CustomTextGridStyle
	paletteDarkMode bool
	lexer           chroma.Lexer // the syntax colouring: JavaScript unless newCodeEditorLang
}

var (
	_ fyne.Focusable      = (*codeEditor)(nil)
	_ fyne.Tabbable       = (*codeEditor)(nil)
	_ fyne.Shortcutable   = (*codeEditor)(nil)
	_ fyne.Scrollable     = (*codeEditor)(nil)
	_ fyne.Draggable      = (*codeEditor)(nil)
	_ fyne.Tappable       = (*codeEditor)(nil)
	_ fyne.DoubleTappable = (*codeEditor)(nil)
	_ desktop.Keyable     = (*codeEditor)(nil)
	_ desktop.Cursorable  = (*codeEditor)(nil)
)

// newCodeEditor returns an empty, editable editor. Call on Fyne's goroutine.
func newCodeEditor() *codeEditor {
	e := &codeEditor{
		lines:   [][]rune{{}},
		kinds:   [][]tokenKind{{}},
		goalCol: -1,
		markers: map[markerKind]map[int]bool{},
		grid:    widget.NewTextGrid(),
		bar:     canvas.NewRectangle(color.Transparent),
		lexer:   jsLexer,
	}
	e.grid.Scroll = fyne.ScrollNone
	e.ExtendBaseWidget(e)
	return e
}

// newCodeEditorLang returns an empty, editable editor coloured as chroma's
// language lang ("yaml", "javascript", …); an unknown lang is coloured as
// plain text. Call on Fyne's goroutine.
func newCodeEditorLang(lang string) *codeEditor {
	e := newCodeEditor()
	e.lexer = lexers.Fallback
	if l := lexers.Get(lang); l != nil {
		e.lexer = l
	}
	return e
}

// SetText replaces the text, puts the cursor at 1:1 and clears the selection and
// the undo history. It does not call OnChanged. Markers are kept.
func (e *codeEditor) SetText(s string) {
	e.lines = splitText(s)
	e.kinds = make([][]tokenKind, len(e.lines))
	for i, l := range e.lines {
		e.kinds[i] = make([]tokenKind, len(l))
	}
	e.tokClean, e.tokDirty = 0, len(e.lines)-1
	e.cursor, e.anchor, e.selecting, e.goalCol = tpos{}, tpos{}, false, -1
	e.undo, e.redo = nil, nil
	e.top, e.left = 0, 0
	e.Refresh()
}

// Text returns the whole text, lines joined by '\n'.
func (e *codeEditor) Text() string {
	var b strings.Builder
	for i, l := range e.lines {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(string(l))
	}
	return b.String()
}

// SetReadOnly switches edits off (true) or on. Read-only still moves the cursor,
// selects and copies.
func (e *codeEditor) SetReadOnly(ro bool) {
	e.readOnly = ro
	e.Refresh()
}

// SetMarker adds the 1-based line to the markers of kind k; lines < 1 are ignored.
// Markers do not move when lines are inserted or deleted.
func (e *codeEditor) SetMarker(line int, k markerKind) {
	if line < 1 {
		return
	}
	if e.markers[k] == nil {
		e.markers[k] = map[int]bool{}
	}
	e.markers[k][line] = true
	e.Refresh()
}

// ClearMarkers removes all markers of kind k.
func (e *codeEditor) ClearMarkers(k markerKind) {
	delete(e.markers, k)
	e.Refresh()
}

// Markers returns the 1-based lines marked with kind k, sorted.
func (e *codeEditor) Markers(k markerKind) []int {
	out := make([]int, 0, len(e.markers[k]))
	for l := range e.markers[k] {
		out = append(out, l)
	}
	sort.Ints(out)
	return out
}

// SetCurrentLine highlights the 1-based step line (0 = none), shows ▶ in its gutter
// and scrolls it into view.
func (e *codeEditor) SetCurrentLine(line int) {
	if line < 0 {
		line = 0
	}
	e.current = line
	if line > 0 {
		e.revealLine(min(line-1, len(e.lines)-1))
	}
	e.Refresh()
}

// CurrentLine returns the step line set by SetCurrentLine (0 = none).
func (e *codeEditor) CurrentLine() int { return e.current }

// CursorPosition returns the 1-based line and column of the cursor.
func (e *codeEditor) CursorPosition() (line, col int) {
	return e.cursor.line + 1, e.cursor.col + 1
}

// SetCursor moves the cursor to the 1-based line and column, clamped to the text,
// clears the selection and scrolls the cursor into view.
func (e *codeEditor) SetCursor(line, col int) {
	e.cursor = e.clamp(tpos{line - 1, col - 1})
	e.selecting, e.goalCol = false, -1
	e.reveal()
	e.Refresh()
}

// SelectedText returns the selected text, or "" without a selection.
func (e *codeEditor) SelectedText() string {
	a, b, ok := e.selection()
	if !ok {
		return ""
	}
	return e.textRange(a, b)
}

// Find selects the next (forward) or previous match of query, ignoring case,
// starting at the cursor and wrapping around the text, and scrolls it into view.
// It returns false, leaving the selection alone, if there is no match.
func (e *codeEditor) Find(query string, forward bool) bool {
	q := lowerRunes([]rune(query))
	if len(q) == 0 {
		return false
	}
	text := lowerRunes([]rune(e.Text()))
	from := e.offset(e.cursor)
	if a, b, ok := e.selection(); ok {
		from = e.offset(b)
		if !forward {
			from = e.offset(a)
		}
	}
	idx := findRunes(text, q, from, forward)
	if idx < 0 {
		return false
	}
	e.anchor, e.cursor = e.posOf(idx), e.posOf(idx+len(q))
	e.selecting, e.goalCol = true, -1
	e.reveal()
	e.Refresh()
	return true
}

// findRunes returns the index of q in text at or after from (forward) or before
// from (backward), wrapping around; -1 if q does not occur.
func findRunes(text, q []rune, from int, forward bool) int {
	n := len(text) - len(q)
	if n < 0 {
		return -1
	}
	match := func(i int) bool {
		for j, r := range q {
			if text[i+j] != r {
				return false
			}
		}
		return true
	}
	for k := 0; k <= n; k++ {
		var i int
		if forward {
			s := from
			if s > n {
				s = 0
			}
			i = (s + k) % (n + 1)
		} else {
			s := min(from-1, n)
			if s < 0 {
				s = n
			}
			i = ((s-k)%(n+1) + (n + 1)) % (n + 1)
		}
		if match(i) {
			return i
		}
	}
	return -1
}

func lowerRunes(rs []rune) []rune {
	for i, r := range rs {
		rs[i] = unicode.ToLower(r)
	}
	return rs
}

// Undo reverts the last edit (consecutive typing of a word is one edit) and calls
// OnChanged. It does nothing when read-only or with nothing to undo.
func (e *codeEditor) Undo() { e.replay(&e.undo, &e.redo, true) }

// Redo applies the last undone edit again and calls OnChanged. It does nothing
// when read-only or with nothing to redo.
func (e *codeEditor) Redo() { e.replay(&e.redo, &e.undo, false) }

// replay moves the newest op of from to to, reverting it (undo) or applying it again.
func (e *codeEditor) replay(from, to *[]editOp, undo bool) {
	if e.readOnly || len(*from) == 0 {
		return
	}
	op := (*from)[len(*from)-1]
	*from = (*from)[:len(*from)-1]
	*to = append(*to, op)
	old, repl, cur := op.inserted, op.removed, op.before
	if !undo {
		old, repl, cur = op.removed, op.inserted, op.after
	}
	e.rawReplace(op.at, posAfter(op.at, old), repl)
	e.cursor, e.selecting, e.goalCol = cur, false, -1
	e.edited()
}

// ---- text model ----

// splitText turns s into lines, dropping '\r' and control characters other than '\t'.
func splitText(s string) [][]rune {
	parts := strings.Split(s, "\n")
	lines := make([][]rune, len(parts))
	for i, p := range parts {
		lines[i] = cleanRunes(p)
	}
	return lines
}

func cleanRunes(s string) []rune {
	out := make([]rune, 0, len(s))
	for _, r := range s {
		if r == '\t' || (r >= 0x20 && r != 0x7f) {
			out = append(out, r)
		}
	}
	return out
}

// cleanText removes what splitText would drop, so an inserted string and its
// undo record agree with the line model.
func cleanText(s string) string {
	lines := splitText(s)
	parts := make([]string, len(lines))
	for i, l := range lines {
		parts[i] = string(l)
	}
	return strings.Join(parts, "\n")
}

func (e *codeEditor) clamp(p tpos) tpos {
	p.line = max(0, min(p.line, len(e.lines)-1))
	p.col = max(0, min(p.col, len(e.lines[p.line])))
	return p
}

// selection returns the ordered selection bounds; ok is false without a selection.
func (e *codeEditor) selection() (a, b tpos, ok bool) {
	if !e.selecting || e.anchor == e.cursor {
		return e.cursor, e.cursor, false
	}
	if e.anchor.before(e.cursor) {
		return e.anchor, e.cursor, true
	}
	return e.cursor, e.anchor, true
}

func (e *codeEditor) textRange(a, b tpos) string {
	if a.line == b.line {
		return string(e.lines[a.line][a.col:b.col])
	}
	var sb strings.Builder
	sb.WriteString(string(e.lines[a.line][a.col:]))
	for l := a.line + 1; l < b.line; l++ {
		sb.WriteByte('\n')
		sb.WriteString(string(e.lines[l]))
	}
	sb.WriteByte('\n')
	sb.WriteString(string(e.lines[b.line][:b.col]))
	return sb.String()
}

// posAfter returns the position after inserting s at p.
func posAfter(p tpos, s string) tpos {
	n := strings.Count(s, "\n")
	if n == 0 {
		return tpos{p.line, p.col + len([]rune(s))}
	}
	return tpos{p.line + n, len([]rune(s[strings.LastIndexByte(s, '\n')+1:]))}
}

func (e *codeEditor) offset(p tpos) int {
	off := 0
	for i := 0; i < p.line; i++ {
		off += len(e.lines[i]) + 1
	}
	return off + p.col
}

func (e *codeEditor) posOf(off int) tpos {
	for i, l := range e.lines {
		if off <= len(l) {
			return tpos{i, off}
		}
		off -= len(l) + 1
	}
	last := len(e.lines) - 1
	return tpos{last, len(e.lines[last])}
}

// rawReplace replaces a..b (ordered, valid) by s (already cleaned) without undo
// or notification, and returns the end of the inserted text.
func (e *codeEditor) rawReplace(a, b tpos, s string) tpos {
	parts := strings.Split(s, "\n")
	repl := make([][]rune, len(parts))
	prefix, suffix := e.lines[a.line][:a.col], e.lines[b.line][b.col:]
	for i, p := range parts {
		repl[i] = []rune(p)
	}
	repl[0] = append(append(make([]rune, 0, len(prefix)+len(repl[0])+len(suffix)), prefix...), repl[0]...)
	last := len(repl) - 1
	end := tpos{a.line + last, len(repl[last])}
	repl[last] = append(repl[last], suffix...)
	e.spliceKinds(a, b, repl)
	e.lines = splice(e.lines, a.line, b.line, repl)
	return end
}

// splice returns s with s[from..to] (inclusive) replaced by repl, in place when
// the lengths match.
func splice[T any](s []T, from, to int, repl []T) []T {
	if to-from+1 == len(repl) {
		copy(s[from:], repl)
		return s
	}
	out := make([]T, 0, len(s)-(to-from+1)+len(repl))
	out = append(out, s[:from]...)
	out = append(out, repl...)
	return append(out, s[to+1:]...)
}

// replace is the user edit: it replaces a..b by s, records it for undo, moves the
// cursor after the inserted text and calls OnChanged. Refused when read-only.
func (e *codeEditor) replace(a, b tpos, s string, typing bool) {
	if e.readOnly {
		return
	}
	s = cleanText(s)
	op := editOp{at: a, removed: e.textRange(a, b), inserted: s, before: e.cursor, typing: typing}
	if op.removed == op.inserted {
		return
	}
	op.after = e.rawReplace(a, b, s)
	e.record(op)
	e.cursor, e.selecting, e.goalCol = op.after, false, -1
	e.edited()
}

// record pushes op on the undo history, merging consecutive typing of a word.
func (e *codeEditor) record(op editOp) {
	e.redo = nil
	if n := len(e.undo); n > 0 && op.typing {
		prev := &e.undo[n-1]
		if prev.typing && prev.removed == "" && op.removed == "" && prev.after == op.at && endsInWord(prev.inserted) {
			prev.inserted += op.inserted
			prev.after = op.after
			return
		}
	}
	e.undo = append(e.undo, op)
	if len(e.undo) > codeEditorUndoLimit {
		e.undo = append(e.undo[:0], e.undo[len(e.undo)-codeEditorUndoLimit:]...)
	}
}

func endsInWord(s string) bool {
	rs := []rune(s)
	return len(rs) > 0 && isWordRune(rs[len(rs)-1])
}

func isWordRune(r rune) bool {
	return r == '_' || r == '$' || unicode.IsLetter(r) || unicode.IsDigit(r)
}

func (e *codeEditor) edited() {
	e.anchor = e.clamp(e.anchor)
	e.reveal()
	e.Refresh()
	if e.OnChanged != nil {
		e.OnChanged(e.Text())
	}
}

// insert replaces the selection (or inserts at the cursor) with s.
func (e *codeEditor) insert(s string, typing bool) {
	a, b, _ := e.selection()
	e.replace(a, b, s, typing)
}

// deleteSelection removes the selection; false if there was none.
func (e *codeEditor) deleteSelection() bool {
	a, b, ok := e.selection()
	if !ok {
		return false
	}
	if e.readOnly {
		return true
	}
	e.replace(a, b, "", false)
	return true
}

// ---- input ----

// TypedRune inserts r at the cursor, replacing the selection. Fyne calls it.
func (e *codeEditor) TypedRune(r rune) {
	if r == '\n' || r == '\r' {
		e.newline()
		return
	}
	if r != '\t' && (r < 0x20 || r == 0x7f) {
		return
	}
	e.insert(string(r), isWordRune(r))
}

// AcceptsTab keeps Tab in the editor instead of moving the focus.
func (e *codeEditor) AcceptsTab() bool { return true }

// KeyDown tracks Shift for keyboard selection. Fyne calls it.
func (e *codeEditor) KeyDown(k *fyne.KeyEvent) {
	if k.Name == desktop.KeyShiftLeft || k.Name == desktop.KeyShiftRight {
		e.shiftDown = true
	}
}

// KeyUp tracks Shift for keyboard selection. Fyne calls it.
func (e *codeEditor) KeyUp(k *fyne.KeyEvent) {
	if k.Name == desktop.KeyShiftLeft || k.Name == desktop.KeyShiftRight {
		e.shiftDown = false
	}
}

// TypedKey handles moves, Return, Backspace, Delete and Tab. Fyne calls it.
func (e *codeEditor) TypedKey(k *fyne.KeyEvent) {
	switch k.Name {
	case fyne.KeyReturn, fyne.KeyEnter:
		e.newline()
	case fyne.KeyBackspace:
		e.backspace()
	case fyne.KeyDelete:
		e.deleteForward()
	case fyne.KeyTab:
		e.tab(e.shiftDown)
	default:
		e.moveKey(k.Name)
	}
}

func (e *codeEditor) moveKey(name fyne.KeyName) {
	c := e.cursor
	rows := max(1, e.visibleRows())
	a, b, hasSel := e.selection()
	keepGoal := false
	switch name {
	case fyne.KeyLeft:
		if hasSel && !e.shiftDown {
			c = a
		} else if c.col > 0 {
			c.col--
		} else if c.line > 0 {
			c = tpos{c.line - 1, len(e.lines[c.line-1])}
		}
	case fyne.KeyRight:
		if hasSel && !e.shiftDown {
			c = b
		} else if c.col < len(e.lines[c.line]) {
			c.col++
		} else if c.line < len(e.lines)-1 {
			c = tpos{c.line + 1, 0}
		}
	case fyne.KeyUp:
		c, keepGoal = e.vertical(-1), true
	case fyne.KeyDown:
		c, keepGoal = e.vertical(1), true
	case fyne.KeyPageUp:
		c, keepGoal = e.vertical(-rows), true
	case fyne.KeyPageDown:
		c, keepGoal = e.vertical(rows), true
	case fyne.KeyHome:
		ind := len(leadingSpace(e.lines[c.line]))
		if c.col == ind {
			ind = 0
		}
		c.col = ind
	case fyne.KeyEnd:
		c.col = len(e.lines[c.line])
	default:
		return
	}
	if !keepGoal {
		e.goalCol = -1
	}
	e.moveTo(c, e.shiftDown)
}

// vertical returns the cursor moved by dy lines, keeping the goal column.
func (e *codeEditor) vertical(dy int) tpos {
	if e.goalCol < 0 {
		e.goalCol = e.cursor.col
	}
	return e.clamp(tpos{e.cursor.line + dy, e.goalCol})
}

// moveTo moves the cursor, extending the selection when extend is set.
func (e *codeEditor) moveTo(c tpos, extend bool) {
	if extend && !e.selecting {
		e.anchor, e.selecting = e.cursor, true
	} else if !extend {
		e.selecting = false
	}
	e.cursor = e.clamp(c)
	e.reveal()
	e.Refresh()
}

func leadingSpace(l []rune) []rune {
	i := 0
	for i < len(l) && (l[i] == ' ' || l[i] == '\t') {
		i++
	}
	return l[:i]
}

// newline inserts a line break with the current line's indentation, one level
// more after an opening '{', '[' or '('.
func (e *codeEditor) newline() {
	a, _, _ := e.selection()
	line := e.lines[a.line]
	ind := string(leadingSpace(line[:a.col]))
	if before := strings.TrimRight(string(line[:a.col]), " \t"); before != "" && strings.ContainsAny(before[len(before)-1:], "{[(") {
		ind += codeEditorIndent
	}
	e.insert("\n"+ind, false)
}

func (e *codeEditor) backspace() {
	if e.deleteSelection() {
		return
	}
	c := e.cursor
	switch {
	case c.col > 0:
		e.replace(tpos{c.line, c.col - 1}, c, "", false)
	case c.line > 0:
		e.replace(tpos{c.line - 1, len(e.lines[c.line-1])}, c, "", false)
	}
}

func (e *codeEditor) deleteForward() {
	if e.deleteSelection() {
		return
	}
	c := e.cursor
	switch {
	case c.col < len(e.lines[c.line]):
		e.replace(c, tpos{c.line, c.col + 1}, "", false)
	case c.line < len(e.lines)-1:
		e.replace(c, tpos{c.line + 1, 0}, "", false)
	}
}

// tab inserts an indent, or indents (dedents with dedent) the lines of the selection.
func (e *codeEditor) tab(dedent bool) {
	a, b, hasSel := e.selection()
	if !hasSel && !dedent {
		e.insert(codeEditorIndent, false)
		return
	}
	if e.readOnly {
		return
	}
	last := b.line
	if hasSel && b.col == 0 && b.line > a.line {
		last-- // a selection ending at a line start does not take that line
	}
	var out []string
	for l := a.line; l <= last; l++ {
		s := string(e.lines[l])
		if dedent {
			s = dedentLine(s)
		} else if s != "" {
			s = codeEditorIndent + s
		}
		out = append(out, s)
	}
	start, end := tpos{a.line, 0}, tpos{last, len(e.lines[last])}
	shift := len([]rune(out[0])) - len(e.lines[a.line])
	e.replace(start, end, strings.Join(out, "\n"), false)
	if hasSel {
		e.anchor, e.cursor, e.selecting = start, e.clamp(tpos{last, len(e.lines[last])}), true
	} else {
		e.cursor = e.clamp(tpos{a.line, a.col + shift})
	}
	e.Refresh()
}

func dedentLine(s string) string {
	switch {
	case strings.HasPrefix(s, codeEditorIndent):
		return s[len(codeEditorIndent):]
	case strings.HasPrefix(s, "\t"), strings.HasPrefix(s, " "):
		return s[1:]
	}
	return s
}

// TypedShortcut handles copy, cut, paste, select all, undo, redo, Ctrl+F, Ctrl+S
// and Ctrl+Home/End/Left/Right. Fyne calls it.
func (e *codeEditor) TypedShortcut(s fyne.Shortcut) {
	switch s := s.(type) {
	case *fyne.ShortcutCopy:
		e.copy(s.Clipboard)
	case *fyne.ShortcutCut:
		if e.copy(s.Clipboard) && !e.readOnly {
			e.deleteSelection()
		}
	case *fyne.ShortcutPaste:
		e.paste(s.Clipboard)
	case *fyne.ShortcutSelectAll:
		last := len(e.lines) - 1
		e.anchor, e.cursor, e.selecting = tpos{}, tpos{last, len(e.lines[last])}, true
		e.Refresh()
	case *fyne.ShortcutUndo:
		e.Undo()
	case *fyne.ShortcutRedo:
		e.Redo()
	case *desktop.CustomShortcut:
		e.customShortcut(s)
	}
}

func (e *codeEditor) customShortcut(s *desktop.CustomShortcut) {
	ctrl := s.Modifier&(fyne.KeyModifierControl|fyne.KeyModifierSuper) != 0
	if !ctrl {
		return
	}
	shift := s.Modifier&fyne.KeyModifierShift != 0
	switch s.KeyName {
	case fyne.KeyF:
		if e.OnFind != nil {
			e.OnFind()
		}
	case fyne.KeyS:
		if e.OnSave != nil {
			e.OnSave()
		}
	case fyne.KeyZ:
		if shift {
			e.Redo()
		}
	case fyne.KeyHome:
		e.moveTo(tpos{}, shift)
	case fyne.KeyEnd:
		last := len(e.lines) - 1
		e.moveTo(tpos{last, len(e.lines[last])}, shift)
	case fyne.KeyLeft:
		e.moveTo(e.wordLeft(), shift)
	case fyne.KeyRight:
		e.moveTo(e.wordRight(), shift)
	}
}

func (e *codeEditor) wordLeft() tpos {
	c := e.cursor
	if c.col == 0 {
		if c.line == 0 {
			return c
		}
		return tpos{c.line - 1, len(e.lines[c.line-1])}
	}
	l := e.lines[c.line]
	for c.col > 0 && !isWordRune(l[c.col-1]) {
		c.col--
	}
	for c.col > 0 && isWordRune(l[c.col-1]) {
		c.col--
	}
	return c
}

func (e *codeEditor) wordRight() tpos {
	c := e.cursor
	l := e.lines[c.line]
	if c.col == len(l) {
		if c.line == len(e.lines)-1 {
			return c
		}
		return tpos{c.line + 1, 0}
	}
	for c.col < len(l) && !isWordRune(l[c.col]) {
		c.col++
	}
	for c.col < len(l) && isWordRune(l[c.col]) {
		c.col++
	}
	return c
}

func clipboardOf(c fyne.Clipboard) fyne.Clipboard {
	if c != nil {
		return c
	}
	if a := fyne.CurrentApp(); a != nil {
		return a.Clipboard()
	}
	return nil
}

// copy puts the selection on the clipboard; false without a selection.
func (e *codeEditor) copy(c fyne.Clipboard) bool {
	text := e.SelectedText()
	if text == "" {
		return false
	}
	if c = clipboardOf(c); c != nil {
		c.SetContent(text)
	}
	return true
}

func (e *codeEditor) paste(c fyne.Clipboard) {
	if c = clipboardOf(c); c == nil || e.readOnly {
		return
	}
	if text := c.Content(); text != "" {
		e.insert(text, false)
	}
}

// FocusGained is called by Fyne when the editor gets the keyboard focus.
func (e *codeEditor) FocusGained() {
	e.focused = true
	e.Refresh()
}

// FocusLost is called by Fyne when the editor loses the keyboard focus.
func (e *codeEditor) FocusLost() {
	e.focused, e.shiftDown = false, false
	e.Refresh()
}

// Cursor shows the text cursor over the editor.
func (e *codeEditor) Cursor() desktop.Cursor { return desktop.TextCursor }

// Tapped focuses the editor and places the cursor, or calls OnGutterTapped for a
// tap in the gutter. Fyne calls it.
func (e *codeEditor) Tapped(ev *fyne.PointEvent) {
	if ev.Position.X < float32(e.gutterWidth())*e.cellSize().Width {
		line := e.top + int(ev.Position.Y/e.cellSize().Height)
		if line >= 0 && line < len(e.lines) && e.OnGutterTapped != nil {
			e.OnGutterTapped(line + 1)
		}
		return
	}
	e.requestFocus()
	e.goalCol = -1
	e.moveTo(e.posAt(ev.Position, true), e.shiftDown)
}

// DoubleTapped selects the word under the pointer. Fyne calls it.
func (e *codeEditor) DoubleTapped(ev *fyne.PointEvent) {
	e.requestFocus()
	p := e.posAt(ev.Position, false)
	l := e.lines[p.line]
	a, b := p.col, p.col
	for a > 0 && isWordRune(l[a-1]) {
		a--
	}
	for b < len(l) && isWordRune(l[b]) {
		b++
	}
	e.anchor, e.cursor, e.selecting, e.goalCol = tpos{p.line, a}, tpos{p.line, b}, true, -1
	e.Refresh()
}

// Dragged selects from where the drag started to the pointer. Fyne calls it.
func (e *codeEditor) Dragged(ev *fyne.DragEvent) {
	if !e.dragging {
		e.dragging = true
		e.requestFocus()
		e.anchor = e.posAt(ev.Position.Subtract(ev.Dragged), true)
		e.selecting = true
	}
	e.cursor, e.goalCol = e.posAt(ev.Position, true), -1
	e.reveal()
	e.Refresh()
}

// DragEnd ends a drag selection. Fyne calls it.
func (e *codeEditor) DragEnd() { e.dragging = false }

// Scrolled scrolls the view by the mouse wheel. Fyne calls it.
func (e *codeEditor) Scrolled(ev *fyne.ScrollEvent) {
	cell := e.cellSize()
	e.scrollAccY -= ev.Scrolled.DY
	e.scrollAccX -= ev.Scrolled.DX
	dy := int(e.scrollAccY / cell.Height)
	dx := int(e.scrollAccX / cell.Width)
	e.scrollAccY -= float32(dy) * cell.Height
	e.scrollAccX -= float32(dx) * cell.Width
	if dy == 0 && dx == 0 {
		return
	}
	e.top += dy
	e.left = max(0, e.left+dx)
	e.clampTop()
	e.Refresh()
}

func (e *codeEditor) requestFocus() {
	if a := fyne.CurrentApp(); a != nil {
		if c := a.Driver().CanvasForObject(e); c != nil && c.Focused() != e {
			c.Focus(e)
		}
	}
}

// posAt maps a point in the editor to a text position; round places the cursor
// before or after the cell under the pointer, whichever is nearer.
func (e *codeEditor) posAt(p fyne.Position, round bool) tpos {
	cell := e.cellSize()
	line := e.top + int(math.Floor(float64(p.Y/cell.Height)))
	x := p.X/cell.Width - float32(e.gutterWidth())
	if round {
		x += 0.5
	}
	col := e.left + int(math.Floor(float64(x)))
	return e.clamp(tpos{line, col})
}

// ---- view ----

func (e *codeEditor) cellSize() fyne.Size {
	ts := e.Theme().Size(theme.SizeNameText)
	if ts != e.cellSizeTheme || e.cellSizeCache.Height == 0 {
		s := fyne.MeasureText("M", ts, fyne.TextStyle{Monospace: true})
		e.cellSizeCache = fyne.NewSize(float32(math.Round(float64(s.Width))), float32(math.Round(float64(s.Height))))
		e.cellSizeTheme = ts
		if e.cellSizeCache.Width < 1 || e.cellSizeCache.Height < 1 {
			e.cellSizeCache = fyne.NewSize(max(1, e.cellSizeCache.Width), max(1, e.cellSizeCache.Height))
		}
	}
	return e.cellSizeCache
}

func (e *codeEditor) visibleRows() int {
	return int(e.Size().Height / e.cellSize().Height)
}

func (e *codeEditor) visibleCols() int {
	return int(e.Size().Width / e.cellSize().Width)
}

// gutterWidth is the gutter's width in cells: marker, line number, space.
func (e *codeEditor) gutterWidth() int {
	return 2 + max(2, len(strconv.Itoa(len(e.lines))))
}

func (e *codeEditor) clampTop() {
	e.top = max(0, min(e.top, len(e.lines)-e.visibleRows()))
}

// reveal scrolls so the cursor is visible (after the next layout when not laid out yet).
func (e *codeEditor) reveal() {
	rows, cols := e.visibleRows(), e.visibleCols()-e.gutterWidth()
	if rows <= 0 || cols <= 0 {
		e.revealOnLayout = true
		return
	}
	e.revealLine(e.cursor.line)
	if e.cursor.col < e.left {
		e.left = e.cursor.col
	} else if e.cursor.col >= e.left+cols {
		e.left = e.cursor.col - cols + 1
	}
}

func (e *codeEditor) revealLine(line int) {
	rows := e.visibleRows()
	if rows <= 0 {
		e.revealOnLayout = true
		return
	}
	if line < e.top {
		e.top = line
	} else if line >= e.top+rows {
		e.top = line - rows + 1
	}
	e.clampTop()
}

// CreateRenderer is called by Fyne.
func (e *codeEditor) CreateRenderer() fyne.WidgetRenderer {
	return &codeEditorRenderer{e: e}
}

type codeEditorRenderer struct{ e *codeEditor }

func (r *codeEditorRenderer) Layout(size fyne.Size) {
	e := r.e
	e.grid.Resize(size)
	if e.revealOnLayout && e.visibleRows() > 0 {
		e.revealOnLayout = false
		e.reveal()
	}
	e.clampTop()
	r.Refresh()
}

func (r *codeEditorRenderer) MinSize() fyne.Size {
	cell := r.e.cellSize()
	return fyne.NewSize(cell.Width*float32(r.e.gutterWidth()+20), cell.Height*3)
}

func (r *codeEditorRenderer) Refresh() {
	r.e.render()
	r.placeBar()
	r.e.grid.Refresh()
}

// placeBar draws the thin scroll position indicator on the right.
func (r *codeEditorRenderer) placeBar() {
	e := r.e
	size, rows := e.Size(), e.visibleRows()
	if rows <= 0 || len(e.lines) <= rows {
		e.bar.Hide()
		return
	}
	e.bar.FillColor = e.Theme().Color(theme.ColorNameScrollBar, fyne.CurrentApp().Settings().ThemeVariant())
	h := max(8, size.Height*float32(rows)/float32(len(e.lines)))
	y := (size.Height - h) * float32(e.top) / float32(len(e.lines)-rows)
	e.bar.Resize(fyne.NewSize(3, h))
	e.bar.Move(fyne.NewPos(size.Width-3, y))
	e.bar.Show()
	e.bar.Refresh()
}

func (r *codeEditorRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{r.e.grid, r.e.bar}
}

func (r *codeEditorRenderer) Destroy() {}

// ---- rendering ----

// tokenKind is the colour class of a rune: a chroma token category or a gutter part.
type tokenKind uint8

const (
	tokPlain tokenKind = iota
	tokKeyword
	tokBuiltin
	tokString
	tokNumber
	tokComment     // a block comment, possibly over lines
	tokLineComment // a // comment: ends with its line
	tokOperator
	tokPunct
	tokGutter
	tokMarkError
	tokMarkBreak
	tokMarkCurrent
)

// cellBG is the background of a cell: none, selection or cursor.
type cellBG uint8

const (
	bgNone cellBG = iota
	bgSelection
	bgCursor
	bgCursorDim
)

type styleKey struct {
	kind tokenKind
	bg   cellBG
}

var jsLexer = func() chroma.Lexer {
	if l := lexers.Get("javascript"); l != nil {
		return l
	}
	return lexers.Fallback
}()

// spliceKinds updates the token kinds for rawReplace(a, b, repl) before the lines
// change: the kept parts of the edited lines keep their colours until relexed.
func (e *codeEditor) spliceKinds(a, b tpos, repl [][]rune) {
	last := len(repl) - 1
	nk := make([][]tokenKind, len(repl))
	for i, l := range repl {
		nk[i] = make([]tokenKind, len(l))
	}
	copy(nk[0], e.kinds[a.line][:a.col])
	suffix := e.kinds[b.line][b.col:]
	copy(nk[last][len(nk[last])-len(suffix):], suffix)
	delta := last - (b.line - a.line)
	if e.tokDirty >= b.line {
		e.tokDirty += delta
	}
	e.tokDirty = max(e.tokDirty, a.line+last)
	e.tokClean = min(e.tokClean, a.line)
	e.kinds = splice(e.kinds, a.line, b.line, nk)
}

// lastUnclosedComment returns the last line at or before from with a "/*" that
// is not coloured as a comment, or from if there is none.
func (e *codeEditor) lastUnclosedComment(from int) int {
	for ln := min(from, len(e.lines)-1); ln >= 0; ln-- {
		l, k := e.lines[ln], e.kinds[ln]
		for i := 0; i+1 < len(l); i++ {
			if l[i] == '/' && l[i+1] == '*' && k[i] != tokComment {
				return ln
			}
		}
	}
	return from
}

// codeEditorLexAhead is how many lines past what is needed one relex may lex.
const codeEditorLexAhead = 100

// relex lexes from a safe line before tokClean until the colours converge with the
// previous lexing past the edited lines, or up to codeEditorLexAhead lines past
// need. Invalid or partial JavaScript is coloured as far as chroma gets.
func (e *codeEditor) relex(need int) {
	start := e.checkpoint(e.tokClean)
	end := min(len(e.lines), max(need, e.tokDirty+1)+codeEditorLexAhead)
	var b strings.Builder
	for _, l := range e.lines[start:end] {
		b.WriteString(string(l))
		b.WriteByte('\n') // every line ends, so every line is stored
	}
	ln, col := start, 0
	cur := make([]tokenKind, len(e.lines[ln]))
	finish := func() bool { // stores line ln; true when the lexing converged
		converged := ln > e.tokDirty && slices.Equal(cur, e.kinds[ln])
		e.kinds[ln] = cur
		ln, col = ln+1, 0
		if converged {
			e.tokClean, e.tokDirty = len(e.lines), -1
		} else if ln < end {
			cur = make([]tokenKind, len(e.lines[ln]))
		}
		return converged
	}
	defer func() { _ = recover() }() // a lexer failure only costs colours
	it, err := e.lexer.Tokenise(nil, b.String())
	if err != nil {
		return
	}
	for tok := it(); tok != chroma.EOF; tok = it() {
		k := classify(tok.Type)
		for _, r := range tok.Value {
			if r == '\n' {
				if finish() || ln >= end {
					e.lexedTo(end)
					return
				}
				continue
			}
			if col < len(cur) {
				cur[col] = k
			}
			col++
		}
	}
	e.lexedTo(ln)
}

// lexedTo records that lines before ln are lexed, unless the lexing converged.
func (e *codeEditor) lexedTo(ln int) {
	if e.tokDirty < 0 {
		return
	}
	e.tokClean = max(e.tokClean, ln)
	if ln < len(e.lines) {
		e.tokDirty = len(e.lines) - 1 // the state after ln is unknown
	} else {
		e.tokClean, e.tokDirty = len(e.lines), -1
	}
}

// checkpoint returns a line at or before from where lexing can start afresh: the
// start of the text, or a line after a non-empty line that ends outside strings
// and comments, and not after a "/*" that did not lex as a comment (chroma looks
// ahead for its "*/", so an edit further on can turn it into one).
func (e *codeEditor) checkpoint(from int) int {
	from = e.lastUnclosedComment(from)
	for s := from; s > 0 && from-s < 300; s-- {
		prev := e.kinds[s-1]
		if n := len(prev); n > 0 && prev[n-1] != tokString && prev[n-1] != tokComment {
			return s
		}
	}
	return 0
}

func classify(t chroma.TokenType) tokenKind {
	switch {
	case t.InCategory(chroma.Keyword), t == chroma.NameTag: // NameTag: YAML's keys
		return tokKeyword
	case t.InSubCategory(chroma.NameBuiltin), t == chroma.NameFunction, t == chroma.NameClass:
		return tokBuiltin
	case t == chroma.CommentSingle:
		return tokLineComment
	case t.InCategory(chroma.Comment):
		return tokComment
	case t.InSubCategory(chroma.LiteralString):
		return tokString
	case t.InSubCategory(chroma.LiteralNumber):
		return tokNumber
	case t.InCategory(chroma.Operator):
		return tokOperator
	case t.InCategory(chroma.Punctuation):
		return tokPunct
	}
	return tokPlain
}

// Syntax colours with good contrast on dark and on light backgrounds.
var (
	codeColorsDark = map[tokenKind]color.Color{
		tokKeyword: color.NRGBA{0x56, 0x9c, 0xd6, 0xff},
		tokBuiltin: color.NRGBA{0xdc, 0xdc, 0xaa, 0xff},
		tokString:  color.NRGBA{0xce, 0x91, 0x78, 0xff},
		tokNumber:  color.NRGBA{0xb5, 0xce, 0xa8, 0xff},
		tokComment: color.NRGBA{0x6a, 0x99, 0x55, 0xff},
	}
	codeColorsLight = map[tokenKind]color.Color{
		tokKeyword: color.NRGBA{0x00, 0x00, 0xd0, 0xff},
		tokBuiltin: color.NRGBA{0x79, 0x5e, 0x26, 0xff},
		tokString:  color.NRGBA{0xa3, 0x15, 0x15, 0xff},
		tokNumber:  color.NRGBA{0x09, 0x86, 0x58, 0xff},
		tokComment: color.NRGBA{0x00, 0x80, 0x00, 0xff},
	}
)

func withAlpha(c color.Color, a uint8) color.Color {
	n := color.NRGBAModel.Convert(c).(color.NRGBA)
	n.A = a
	return n
}

func isDark(c color.Color) bool {
	r, g, b, _ := c.RGBA()
	return 0.299*float64(r)+0.587*float64(g)+0.114*float64(b) < 0.5*0xffff
}

func (e *codeEditor) themeColor(n fyne.ThemeColorName) color.Color {
	return e.Theme().Color(n, fyne.CurrentApp().Settings().ThemeVariant())
}

func (e *codeEditor) fgColor(k tokenKind) color.Color {
	switch k {
	case tokPlain:
		return nil
	case tokOperator, tokPunct:
		return e.themeColor(theme.ColorNameForeground)
	case tokGutter:
		return e.themeColor(theme.ColorNamePlaceHolder)
	case tokMarkError, tokMarkBreak:
		return e.themeColor(theme.ColorNameError)
	case tokMarkCurrent:
		return e.themeColor(theme.ColorNamePrimary)
	case tokLineComment:
		k = tokComment
	}
	if e.paletteDarkMode {
		return codeColorsDark[k]
	}
	return codeColorsLight[k]
}

func (e *codeEditor) style(k tokenKind, bg cellBG) *widget.CustomTextGridStyle {
	key := styleKey{k, bg}
	if s, ok := e.styleCache[key]; ok {
		return s
	}
	s := &widget.CustomTextGridStyle{TextStyle: fyne.TextStyle{Monospace: true}, FGColor: e.fgColor(k)}
	switch bg {
	case bgSelection:
		s.BGColor = e.themeColor(theme.ColorNameSelection)
	case bgCursor:
		s.BGColor = e.themeColor(theme.ColorNamePrimary)
		s.FGColor = e.themeColor(theme.ColorNameForegroundOnPrimary)
	case bgCursorDim:
		s.BGColor = withAlpha(e.themeColor(theme.ColorNamePrimary), 0x60)
	}
	e.styleCache[key] = s
	return s
}

// render fills the grid with the visible rows and columns.
func (e *codeEditor) render() {
	rows, cols := e.visibleRows(), e.visibleCols()
	if rows <= 0 || cols <= 0 || fyne.CurrentApp() == nil {
		e.grid.Rows = nil
		return
	}
	if need := min(len(e.lines), e.top+rows); e.tokClean < need {
		e.relex(need)
	}
	if e.styleCache == nil {
		e.styleCache = map[styleKey]*widget.CustomTextGridStyle{}
	}
	clear(e.styleCache)
	e.paletteDarkMode = isDark(e.themeColor(theme.ColorNameBackground))
	errRow := &widget.CustomTextGridStyle{TextStyle: fyne.TextStyle{Monospace: true}, BGColor: withAlpha(e.themeColor(theme.ColorNameError), 0x38)}
	curRow := &widget.CustomTextGridStyle{TextStyle: fyne.TextStyle{Monospace: true}, BGColor: withAlpha(e.themeColor(theme.ColorNamePrimary), 0x38)}
	out := e.renderedRows[:0]
	for r := 0; r < rows; r++ {
		ln := e.top + r
		if ln >= len(e.lines) {
			out = append(out, widget.TextGridRow{})
			continue
		}
		row := widget.TextGridRow{Cells: make([]widget.TextGridCell, 0, cols)}
		switch {
		case e.markers[markerError][ln+1]:
			row.Style = errRow
		case e.current == ln+1:
			row.Style = curRow
		}
		row.Cells = e.gutterCells(row.Cells, ln)
		row.Cells = e.textCells(row.Cells, ln, cols-len(row.Cells))
		out = append(out, row)
	}
	e.renderedRows, e.grid.Rows = out, out
}

// gutterCells appends the marker, the right-aligned line number and a space.
func (e *codeEditor) gutterCells(cells []widget.TextGridCell, ln int) []widget.TextGridCell {
	mark, kind := ' ', tokGutter
	switch {
	case e.markers[markerError][ln+1]:
		mark, kind = '✖', tokMarkError
	case e.current == ln+1:
		mark, kind = '▶', tokMarkCurrent
	case e.markers[markerBreakpoint][ln+1]:
		mark, kind = '●', tokMarkBreak
	}
	cells = append(cells, widget.TextGridCell{Rune: mark, Style: e.style(kind, bgNone)})
	num := strconv.Itoa(ln + 1)
	gs := e.style(tokGutter, bgNone)
	for i := e.gutterWidth() - 2 - len(num); i > 0; i-- {
		cells = append(cells, widget.TextGridCell{Rune: ' ', Style: gs})
	}
	for _, r := range num {
		cells = append(cells, widget.TextGridCell{Rune: r, Style: gs})
	}
	return append(cells, widget.TextGridCell{Rune: ' ', Style: gs})
}

// textCells appends the visible part of line ln, with cursor and selection.
func (e *codeEditor) textCells(cells []widget.TextGridCell, ln, width int) []widget.TextGridCell {
	line, kinds := e.lines[ln], e.kinds[ln]
	a, b, hasSel := e.selection()
	for c := e.left; c < e.left+width; c++ {
		p := tpos{ln, c}
		isCursor := p == e.cursor
		inSel := hasSel && c <= len(line) && !p.before(a) && p.before(b)
		if c >= len(line) && !isCursor && !inSel {
			break
		}
		ch, k := ' ', tokPlain
		if c < len(line) {
			ch = line[c]
			if ch == '\t' {
				ch = ' '
			}
			if c < len(kinds) {
				k = kinds[c]
			}
		}
		bg := bgNone
		switch {
		case isCursor && e.focused:
			bg = bgCursor
		case isCursor:
			bg = bgCursorDim
		case inSel:
			bg = bgSelection
		}
		cells = append(cells, widget.TextGridCell{Rune: ch, Style: e.style(k, bg)})
	}
	return cells
}
