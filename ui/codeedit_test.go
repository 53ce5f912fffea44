package ui

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// newEditorWindow shows a fresh editor in a 480×320 test window, focused.
func newEditorWindow(t testing.TB) (*codeEditor, fyne.Window) {
	t.Helper()
	test.NewTempApp(t)
	e := newCodeEditor()
	w := test.NewTempWindow(t, e)
	w.Resize(fyne.NewSize(480, 320))
	w.Canvas().Focus(e)
	return e, w
}

func key(e *codeEditor, names ...fyne.KeyName) {
	for _, n := range names {
		e.TypedKey(&fyne.KeyEvent{Name: n})
	}
}

func shiftKey(e *codeEditor, names ...fyne.KeyName) {
	e.KeyDown(&fyne.KeyEvent{Name: desktop.KeyShiftLeft})
	key(e, names...)
	e.KeyUp(&fyne.KeyEvent{Name: desktop.KeyShiftLeft})
}

// gridRowText returns the runes shown in grid row r (gutter included).
func gridRowText(e *codeEditor, r int) string {
	var b strings.Builder
	for _, c := range e.grid.Rows[r].Cells {
		b.WriteRune(c.Rune)
	}
	return b.String()
}

func TestCodeEditorEditing(t *testing.T) {
	tests := []struct {
		name     string
		text     string
		line     int
		col      int
		do       func(e *codeEditor)
		want     string
		wantLine int
		wantCol  int
	}{
		{"typing", "", 1, 1, func(e *codeEditor) { test.Type(e, "let x = 1;") }, "let x = 1;", 1, 11},
		{"typing replaces the selection", "abc", 1, 1, func(e *codeEditor) { shiftKey(e, fyne.KeyRight, fyne.KeyRight); test.Type(e, "X") }, "Xc", 1, 2},
		{"newline keeps the indent", "  foo", 1, 6, func(e *codeEditor) { key(e, fyne.KeyReturn); test.Type(e, "x") }, "  foo\n  x", 2, 4},
		{"newline after a brace indents more", "  if (a) {", 1, 11, func(e *codeEditor) { key(e, fyne.KeyReturn) }, "  if (a) {\n    ", 2, 5},
		{"newline splits a line", "ab", 1, 2, func(e *codeEditor) { key(e, fyne.KeyReturn) }, "a\nb", 2, 1},
		{"backspace joins lines", "ab\ncd", 2, 1, func(e *codeEditor) { key(e, fyne.KeyBackspace) }, "abcd", 1, 3},
		{"backspace at the start does nothing", "ab", 1, 1, func(e *codeEditor) { key(e, fyne.KeyBackspace) }, "ab", 1, 1},
		{"delete joins lines", "ab\ncd", 1, 3, func(e *codeEditor) { key(e, fyne.KeyDelete) }, "abcd", 1, 3},
		{"backspace deletes the selection", "abc\ndef", 1, 2, func(e *codeEditor) { shiftKey(e, fyne.KeyDown); key(e, fyne.KeyBackspace) }, "aef", 1, 2},
		{"tab inserts two spaces", "x", 1, 1, func(e *codeEditor) { key(e, fyne.KeyTab) }, "  x", 1, 3},
		{"tab indents selected lines", "a\nb\nc", 1, 1, func(e *codeEditor) { shiftKey(e, fyne.KeyDown, fyne.KeyRight); key(e, fyne.KeyTab) }, "  a\n  b\nc", 2, 4},
		{"shift-tab dedents the line", "    a", 1, 5, func(e *codeEditor) { shiftKey(e, fyne.KeyTab) }, "  a", 1, 3},
		{"home goes to the indent, then column 1", "  ab", 1, 4, func(e *codeEditor) {
			key(e, fyne.KeyHome)
			test.Type(e, "x")
			key(e, fyne.KeyHome, fyne.KeyHome)
			test.Type(e, "y")
		}, "y  xab", 1, 2},
		{"up and down keep the column", "abcd\nx\nabcd", 1, 4, func(e *codeEditor) { key(e, fyne.KeyDown, fyne.KeyDown); test.Type(e, "Z") }, "abcd\nx\nabcZd", 3, 5},
		{"left collapses a selection", "abcd", 1, 2, func(e *codeEditor) {
			shiftKey(e, fyne.KeyRight, fyne.KeyRight)
			key(e, fyne.KeyLeft)
			test.Type(e, "-")
		}, "a-bcd", 1, 3},
		{"control characters are ignored", "", 1, 1, func(e *codeEditor) { e.TypedRune(0x07); e.TypedRune('a') }, "a", 1, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, _ := newEditorWindow(t)
			e.SetText(tt.text)
			e.SetCursor(tt.line, tt.col)
			tt.do(e)
			if got := e.Text(); got != tt.want {
				t.Errorf("text = %q, want %q", got, tt.want)
			}
			if l, c := e.CursorPosition(); l != tt.wantLine || c != tt.wantCol {
				t.Errorf("cursor = %d:%d, want %d:%d", l, c, tt.wantLine, tt.wantCol)
			}
		})
	}
}

func TestCodeEditorOnChanged(t *testing.T) {
	e, _ := newEditorWindow(t)
	var got []string
	e.OnChanged = func(s string) { got = append(got, s) }
	e.SetText("x")
	if len(got) != 0 {
		t.Fatalf("SetText called OnChanged: %q", got)
	}
	e.SetCursor(1, 2)
	test.Type(e, "y")
	key(e, fyne.KeyBackspace)
	if want := []string{"xy", "x"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("OnChanged got %q, want %q", got, want)
	}
}

func TestCodeEditorCutCopyPaste(t *testing.T) {
	e, _ := newEditorWindow(t)
	clip := fyne.CurrentApp().Clipboard()
	e.SetText("hello world")
	shiftKey(e, fyne.KeyRight, fyne.KeyRight, fyne.KeyRight, fyne.KeyRight, fyne.KeyRight)
	if got := e.SelectedText(); got != "hello" {
		t.Fatalf("selected %q, want hello", got)
	}
	e.TypedShortcut(&fyne.ShortcutCut{Clipboard: clip})
	if got := e.Text(); got != " world" || clip.Content() != "hello" {
		t.Fatalf("after cut text %q clipboard %q", got, clip.Content())
	}
	key(e, fyne.KeyEnd)
	e.TypedShortcut(&fyne.ShortcutPaste{Clipboard: clip})
	if got := e.Text(); got != " worldhello" {
		t.Fatalf("after paste text %q", got)
	}
	clip.SetContent("a\r\nb")
	e.TypedShortcut(&fyne.ShortcutPaste{Clipboard: clip})
	if got := e.Text(); got != " worldhelloa\nb" {
		t.Fatalf("pasting CRLF gave %q", got)
	}
	e.TypedShortcut(&fyne.ShortcutSelectAll{})
	e.TypedShortcut(&fyne.ShortcutCopy{Clipboard: clip})
	if clip.Content() != e.Text() {
		t.Fatalf("copy of all = %q, want %q", clip.Content(), e.Text())
	}
}

func TestCodeEditorUndoRedo(t *testing.T) {
	e, _ := newEditorWindow(t)
	changes := 0
	e.OnChanged = func(string) { changes++ }
	test.Type(e, "abc def")
	steps := []struct {
		do   func()
		want string
	}{
		{e.Undo, "abc "},
		{e.Undo, "abc"},
		{e.Undo, ""},
		{e.Undo, ""},
		{e.Redo, "abc"},
		{func() { e.TypedShortcut(&fyne.ShortcutRedo{}) }, "abc "},
		{func() { e.TypedShortcut(&fyne.ShortcutUndo{}) }, "abc"},
		{func() { test.Type(e, "!") }, "abc!"},
		{e.Redo, "abc!"}, // a new edit drops the redo history
		{e.Undo, "abc"},
	}
	for i, s := range steps {
		s.do()
		if got := e.Text(); got != s.want {
			t.Fatalf("step %d: text %q, want %q", i, got, s.want)
		}
	}
	if changes != 7+8 {
		t.Errorf("OnChanged called %d times, want 15", changes)
	}
}

func TestCodeEditorUndoBounded(t *testing.T) {
	e, _ := newEditorWindow(t)
	for i := 0; i < codeEditorUndoLimit+50; i++ {
		test.Type(e, " ")
	}
	for i := 0; i < codeEditorUndoLimit+50; i++ {
		e.Undo()
	}
	if got := len(e.Text()); got != 50 {
		t.Errorf("after undoing everything %d spaces remain, want 50", got)
	}
}

func TestCodeEditorFind(t *testing.T) {
	e, _ := newEditorWindow(t)
	e.SetText("Foo\nbar foo\nFOO")
	type hit struct{ line, col int }
	steps := []struct {
		forward bool
		want    hit
	}{
		{true, hit{1, 4}}, {true, hit{2, 8}}, {true, hit{3, 4}}, {true, hit{1, 4}}, // wraps
		{false, hit{3, 4}}, {false, hit{2, 8}}, {false, hit{1, 4}},
	}
	for i, s := range steps {
		if !e.Find("foo", s.forward) {
			t.Fatalf("step %d: no match", i)
		}
		if l, c := e.CursorPosition(); l != s.want.line || c != s.want.col {
			t.Fatalf("step %d: cursor %d:%d, want %d:%d", i, l, c, s.want.line, s.want.col)
		}
		if got := strings.ToLower(e.SelectedText()); got != "foo" {
			t.Fatalf("step %d: selected %q", i, got)
		}
	}
	if e.Find("zzz", true) || e.Find("", true) {
		t.Error("Find of a missing text returned true")
	}
	if got := e.SelectedText(); got != "Foo" {
		t.Errorf("a failed find changed the selection to %q", got)
	}
}

func TestCodeEditorGutter(t *testing.T) {
	e, _ := newEditorWindow(t)
	e.SetText(strings.Repeat("x = 1;\n", 11) + "end")
	e.SetMarker(3, markerBreakpoint)
	e.SetMarker(7, markerBreakpoint)
	e.SetMarker(5, markerError)
	e.SetMarker(3, markerError)
	e.ClearMarkers(markerError)
	e.SetMarker(5, markerError)
	e.SetMarker(5, markerBreakpoint)
	e.SetCurrentLine(3)
	if got := fmt.Sprint(e.Markers(markerBreakpoint)); got != "[3 5 7]" {
		t.Errorf("breakpoints %s", got)
	}
	if got := fmt.Sprint(e.Markers(markerError)); got != "[5]" {
		t.Errorf("errors %s", got)
	}
	tests := []struct {
		line    int
		gutter  string
		tinted  bool
		comment string
	}{
		{1, "  1 ", false, "plain"},
		{3, "▶ 3 ", true, "current wins over breakpoint"},
		{5, "✖ 5 ", true, "error wins"},
		{7, "● 7 ", false, "breakpoint"},
		{10, " 10 ", false, "two digits"},
	}
	for _, tt := range tests {
		row := gridRowText(e, tt.line-1)
		if !strings.HasPrefix(row, tt.gutter+"x = 1;") {
			t.Errorf("%s: row %d shows %q, want prefix %q", tt.comment, tt.line, row, tt.gutter)
		}
		if tinted := e.grid.Rows[tt.line-1].Style != nil; tinted != tt.tinted {
			t.Errorf("%s: row %d tinted = %v", tt.comment, tt.line, tinted)
		}
	}
	errBG := e.grid.Rows[4].Style.BackgroundColor()
	curBG := e.grid.Rows[2].Style.BackgroundColor()
	if errBG == curBG {
		t.Errorf("error and current rows share the tint %v", errBG)
	}
	e.SetCurrentLine(0)
	if e.CurrentLine() != 0 || e.grid.Rows[2].Style != nil || !strings.HasPrefix(gridRowText(e, 2), "● 3") {
		t.Errorf("SetCurrentLine(0) left %q", gridRowText(e, 2))
	}
}

func TestCodeEditorGutterTap(t *testing.T) {
	e, _ := newEditorWindow(t)
	e.SetText("a\nbb\nccc\nd")
	var tapped []int
	e.OnGutterTapped = func(l int) { tapped = append(tapped, l) }
	cell := e.cellSize()
	test.TapAt(e, fyne.NewPos(cell.Width*0.5, cell.Height*2.5))
	if fmt.Sprint(tapped) != "[3]" {
		t.Fatalf("gutter tap gave %v, want [3]", tapped)
	}
	test.TapAt(e, fyne.NewPos(cell.Width*0.5, cell.Height*8.5)) // below the text
	gw := float32(e.gutterWidth())
	test.TapAt(e, fyne.NewPos(cell.Width*(gw+2.2), cell.Height*2.5))
	if fmt.Sprint(tapped) != "[3]" {
		t.Fatalf("taps outside gutter lines gave %v", tapped)
	}
	if l, c := e.CursorPosition(); l != 3 || c != 3 {
		t.Errorf("text tap put the cursor at %d:%d, want 3:3", l, c)
	}
	test.DoubleTap(e) // the middle of the editor is below the text: selects nothing on the last line
	e.SetText("let value = 1;")
	e.DoubleTapped(&fyne.PointEvent{Position: fyne.NewPos(cell.Width*(gw+6.5), cell.Height*0.5)})
	if got := e.SelectedText(); got != "value" {
		t.Errorf("double tap selected %q, want value", got)
	}
	e.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{Position: fyne.NewPos(cell.Width*(gw+3), cell.Height*0.5)}, Dragged: fyne.Delta{DX: 3 * cell.Width}})
	e.DragEnd()
	if got := e.SelectedText(); got != "let" {
		t.Errorf("drag selected %q, want let", got)
	}
}

func TestCodeEditorReadOnly(t *testing.T) {
	e, _ := newEditorWindow(t)
	clip := fyne.CurrentApp().Clipboard()
	e.SetText("const a = 1;\nb")
	test.Type(e, "x")
	e.SetReadOnly(true)
	changed := false
	e.OnChanged = func(string) { changed = true }
	clip.SetContent("PASTE")
	shiftKey(e, fyne.KeyEnd)
	e.TypedShortcut(&fyne.ShortcutCopy{Clipboard: clip})
	if clip.Content() != "const a = 1;" {
		t.Errorf("copy in read-only gave %q", clip.Content())
	}
	test.Type(e, "zz")
	key(e, fyne.KeyReturn, fyne.KeyBackspace, fyne.KeyDelete, fyne.KeyTab)
	shiftKey(e, fyne.KeyTab)
	e.TypedShortcut(&fyne.ShortcutCut{Clipboard: clip})
	e.TypedShortcut(&fyne.ShortcutPaste{Clipboard: clip})
	e.Undo()
	if got := e.Text(); got != "xconst a = 1;\nb" || changed {
		t.Errorf("read-only editor changed to %q (OnChanged %v)", got, changed)
	}
	key(e, fyne.KeyDown)
	if l, _ := e.CursorPosition(); l != 2 {
		t.Errorf("cursor did not move in read-only: line %d", l)
	}
	e.SetReadOnly(false)
	e.Undo()
	if got := e.Text(); got != "const a = 1;\nb" {
		t.Errorf("undo after read-only gave %q", got)
	}
}

func TestCodeEditorScrollKeepsCursorVisible(t *testing.T) {
	e, _ := newEditorWindow(t)
	var b strings.Builder
	for i := 1; i <= 500; i++ {
		fmt.Fprintf(&b, "line%d = %d;\n", i, i)
	}
	e.SetText(b.String())
	rows := e.visibleRows()
	if rows < 5 || rows >= 500 {
		t.Fatalf("visible rows %d", rows)
	}
	visible := func(what string) {
		t.Helper()
		l, _ := e.CursorPosition()
		if l-1 < e.top || l-1 >= e.top+rows {
			t.Fatalf("%s: cursor line %d outside rows %d..%d", what, l, e.top+1, e.top+rows)
		}
		if r := l - 1 - e.top; !strings.Contains(gridRowText(e, r), fmt.Sprintf("line%d ", l)) {
			t.Fatalf("%s: grid row %d shows %q", what, r, gridRowText(e, r))
		}
	}
	e.SetCursor(400, 1)
	visible("SetCursor")
	key(e, fyne.KeyPageDown, fyne.KeyPageDown)
	visible("PageDown")
	for i := 0; i < 30; i++ {
		key(e, fyne.KeyUp)
	}
	visible("Up")
	e.Scrolled(&fyne.ScrollEvent{Scrolled: fyne.Delta{DY: 100 * e.cellSize().Height}})
	if e.top > 350 {
		t.Fatalf("wheel did not scroll up: top %d", e.top)
	}
	test.Type(e, "x")
	visible("typing after a scroll")
	e.Scrolled(&fyne.ScrollEvent{Scrolled: fyne.Delta{DY: -1e6}})
	if want := 501 - rows; e.top != want {
		t.Errorf("wheel to the end: top %d, want %d", e.top, want)
	}
	e.SetCurrentLine(20)
	if e.top > 19 || e.top+rows <= 19 {
		t.Errorf("SetCurrentLine(20) left top at %d", e.top)
	}
	e.SetCursor(1, 200) // a long line scrolls horizontally
	e.SetText(strings.Repeat("a", 300))
	e.SetCursor(1, 300)
	if e.left == 0 || !strings.HasSuffix(strings.TrimRight(gridRowText(e, 0), " "), "a") {
		t.Errorf("cursor at column 300 not shown: left %d, row %q", e.left, gridRowText(e, 0))
	}
}

func TestCodeEditorColours(t *testing.T) {
	e, _ := newEditorWindow(t)
	e.SetText(`var s = "hi"; // note` + "\nlet n = 42 + (1")
	gw := e.gutterWidth()
	cell := func(line, col int) widget.TextGridCell {
		return e.grid.Rows[line-1].Cells[gw+col-1]
	}
	kw, str, com, num := cell(1, 1), cell(1, 9), cell(1, 16), cell(2, 9)
	if kw.Rune != 'v' || str.Rune != '"' || com.Rune != '/' || num.Rune != '4' {
		t.Fatalf("cells %q %q %q %q", kw.Rune, str.Rune, com.Rune, num.Rune)
	}
	colours := map[string]widget.TextGridCell{"keyword": kw, "string": str, "comment": com, "number": num}
	seen := map[string]string{}
	for name, c := range colours {
		fg := c.Style.TextColor()
		if fg == nil {
			t.Fatalf("%s has no colour", name)
		}
		k := fmt.Sprint(fg)
		if other, dup := seen[k]; dup {
			t.Errorf("%s and %s share colour %s", name, other, k)
		}
		seen[k] = name
	}
	for _, c := range e.grid.Rows[0].Cells {
		if c.Style == nil || !c.Style.Style().Monospace {
			t.Fatal("a cell is not monospace")
		}
	}
}

func TestCodeEditorCursorCell(t *testing.T) {
	e, w := newEditorWindow(t)
	e.SetText("ab")
	e.SetCursor(1, 2)
	gw := e.gutterWidth()
	focusedBG := e.grid.Rows[0].Cells[gw+1].Style.BackgroundColor()
	if focusedBG == nil || e.grid.Rows[0].Cells[gw].Style.BackgroundColor() != nil {
		t.Fatal("the cursor cell is not the only one with a background")
	}
	w.Canvas().Unfocus()
	if bg := e.grid.Rows[0].Cells[gw+1].Style.BackgroundColor(); bg == nil || bg == focusedBG {
		t.Errorf("unfocused cursor background %v, focused %v", bg, focusedBG)
	}
}

func TestCodeEditorShortcuts(t *testing.T) {
	e, _ := newEditorWindow(t)
	var calls []string
	e.OnFind = func() { calls = append(calls, "find") }
	e.OnSave = func() { calls = append(calls, "save") }
	e.TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyF, Modifier: fyne.KeyModifierControl})
	e.TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyS, Modifier: fyne.KeyModifierShortcutDefault})
	e.TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyS, Modifier: fyne.KeyModifierAlt})
	if fmt.Sprint(calls) != "[find save]" {
		t.Errorf("callbacks %v, want [find save]", calls)
	}
	e.OnFind, e.OnSave = nil, nil
	e.TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyF, Modifier: fyne.KeyModifierControl}) // nil callbacks are fine
	e.SetText("foo bar\nbaz")
	e.TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyRight, Modifier: fyne.KeyModifierControl})
	e.TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyEnd, Modifier: fyne.KeyModifierControl | fyne.KeyModifierShift})
	if got := e.SelectedText(); got != " bar\nbaz" {
		t.Errorf("word move + select to end gave %q", got)
	}
	if !e.AcceptsTab() {
		t.Error("the editor must keep Tab")
	}
}

// checkEditorInvariants fails t when the editor's model is inconsistent.
func checkEditorInvariants(t *testing.T, e *codeEditor) {
	t.Helper()
	text := e.Text()
	parts := strings.Split(text, "\n")
	if len(parts) != len(e.lines) || len(e.lines) == 0 {
		t.Fatalf("text has %d lines, model %d", len(parts), len(e.lines))
	}
	for i, p := range parts {
		if p != string(e.lines[i]) || strings.ContainsAny(p, "\r\n") {
			t.Fatalf("line %d: %q vs %q", i, p, string(e.lines[i]))
		}
	}
	if len(e.kinds) != len(e.lines) {
		t.Fatalf("%d lines of colours for %d lines", len(e.kinds), len(e.lines))
	}
	for i, k := range e.kinds {
		if len(k) != len(e.lines[i]) {
			t.Fatalf("line %d: %d colours for %d runes", i, len(k), len(e.lines[i]))
		}
	}
	for _, p := range []tpos{e.cursor, e.anchor} {
		if p != e.clamp(p) {
			t.Fatalf("position %v out of bounds (%d lines)", p, len(e.lines))
		}
	}
	if e.top < 0 || e.top >= len(e.lines) || e.left < 0 {
		t.Fatalf("view offset %d,%d with %d lines", e.top, e.left, len(e.lines))
	}
}

// fuzzOp applies operation op (with argument arg) to e.
func fuzzOp(e *codeEditor, clip fyne.Clipboard, op, arg byte) {
	keys := []fyne.KeyName{fyne.KeyLeft, fyne.KeyRight, fyne.KeyUp, fyne.KeyDown, fyne.KeyHome, fyne.KeyEnd,
		fyne.KeyPageUp, fyne.KeyPageDown, fyne.KeyReturn, fyne.KeyBackspace, fyne.KeyDelete, fyne.KeyTab}
	runes := []rune("ab {}\t\"'/*\n\r\x00é😀;x(1")
	cell := e.cellSize()
	switch op % 16 {
	case 0, 1, 2:
		e.TypedRune(runes[int(arg)%len(runes)])
	case 3, 4:
		key(e, keys[int(arg)%len(keys)])
	case 5:
		shiftKey(e, keys[int(arg)%len(keys)])
	case 6:
		clip.SetContent(string(runes[int(arg)%len(runes):]))
		e.TypedShortcut(&fyne.ShortcutPaste{Clipboard: clip})
	case 7:
		e.TypedShortcut(&fyne.ShortcutCut{Clipboard: clip})
	case 8:
		e.Undo()
	case 9:
		e.Redo()
	case 10:
		e.TypedShortcut(&fyne.ShortcutSelectAll{})
	case 11:
		e.Find(string(runes[int(arg)%len(runes)]), arg%2 == 0)
	case 12:
		e.Tapped(&fyne.PointEvent{Position: fyne.NewPos(float32(arg%40)*cell.Width, float32(arg/16)*cell.Height)})
	case 13:
		e.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{Position: fyne.NewPos(float32(arg%50)*cell.Width, float32(arg%7)*cell.Height)}, Dragged: fyne.Delta{DX: -float32(arg % 9), DY: float32(arg%5) - 2}})
		if arg%3 == 0 {
			e.DragEnd()
		}
	case 14:
		e.Scrolled(&fyne.ScrollEvent{Scrolled: fyne.Delta{DX: float32(int(arg%21)-10) * 9, DY: float32(int(arg%13)-6) * 11}})
	case 15:
		switch arg % 6 {
		case 0:
			e.SetCursor(int(arg)-100, int(arg)%30-5)
		case 1:
			e.SetMarker(int(arg%20)-2, markerBreakpoint)
		case 2:
			e.SetCurrentLine(int(arg % 30))
		case 3:
			e.DoubleTapped(&fyne.PointEvent{Position: fyne.NewPos(float32(arg%50)*cell.Width, 0)})
		case 4:
			e.TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyLeft, Modifier: fyne.KeyModifierControl | fyne.KeyModifierShift})
		case 5:
			e.TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyRight, Modifier: fyne.KeyModifierControl})
		}
	}
}

// FuzzCodeEditor applies random operation sequences and checks that the model
// stays consistent, that undoing everything restores the starting text and that
// redoing everything comes back.
func FuzzCodeEditor(f *testing.F) {
	f.Add("function f(a) {\n  return a;\n}", []byte{0, 1, 3, 9, 5, 2, 7, 8, 6, 3, 8, 1, 9, 0})
	f.Add("", []byte{3, 8, 3, 9, 6, 5, 6, 6, 7, 0, 8, 8, 9, 9})
	f.Add("a\tb\r\nc", []byte{10, 0, 7, 1, 13, 40, 13, 3, 4, 9, 5, 20, 15, 3})
	e, _ := newEditorWindow(f) // one app and window for all inputs: a new app per input leaks
	clip := fyne.CurrentApp().Clipboard()
	f.Fuzz(func(t *testing.T, start string, ops []byte) {
		if len(ops) > 600 {
			ops = ops[:600]
		}
		e.ClearMarkers(markerBreakpoint)
		e.SetCurrentLine(0)
		e.DragEnd()
		e.KeyUp(&fyne.KeyEvent{Name: desktop.KeyShiftLeft})
		e.SetText(start)
		initial := e.Text()
		for i := 0; i+1 < len(ops); i += 2 {
			fuzzOp(e, clip, ops[i], ops[i+1])
			checkEditorInvariants(t, e)
		}
		if len(ops)/2 >= codeEditorUndoLimit {
			return
		}
		for len(e.redo) > 0 {
			e.Redo()
		}
		final := e.Text()
		for len(e.undo) > 0 {
			e.Undo()
		}
		if got := e.Text(); got != initial {
			t.Fatalf("undoing everything gave %q, want %q", got, initial)
		}
		for len(e.redo) > 0 {
			e.Redo()
		}
		if got := e.Text(); got != final {
			t.Fatalf("redoing everything gave %q, want %q", got, final)
		}
		checkEditorInvariants(t, e)
	})
}

// BenchmarkCodeEditorType types into a 1,000-line script shown in a window,
// re-tokenizing and rendering after every key.
func BenchmarkCodeEditorType(b *testing.B) {
	e, _ := newEditorWindow(b)
	e.Resize(fyne.NewSize(900, 700))
	var sb strings.Builder
	for i := 0; i < 1000; i++ {
		fmt.Fprintf(&sb, "  if (telemetry.value > %d) { setValue(\"state\", 'hot'); } // line %d\n", i, i)
	}
	e.SetText(sb.String())
	e.SetCursor(500, 1)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if i%40 == 39 {
			key(e, fyne.KeyReturn)
			continue
		}
		e.TypedRune(rune('a' + i%26))
	}
}

// freshKinds lexes text from scratch, as a new editor would.
func freshKinds(text string) [][]tokenKind {
	e := newCodeEditor()
	e.SetText(text)
	e.relex(len(e.lines))
	return e.kinds
}

func TestCodeEditorRecolourAfterEdits(t *testing.T) {
	e, _ := newEditorWindow(t)
	var b strings.Builder
	for i := 0; i < 3000; i++ {
		fmt.Fprintf(&b, "var a%d = 'x'; // c\n", i)
	}
	e.SetText(b.String())
	steps := []struct {
		name string
		do   func()
	}{
		{"open a comment", func() { e.SetCursor(2000, 1); test.Type(e, "/*") }},
		{"close it", func() { e.SetCursor(2003, 1); test.Type(e, "*/") }},
		{"undo the close", e.Undo},
		{"delete the opening", func() { e.SetCursor(2000, 3); key(e, fyne.KeyBackspace, fyne.KeyBackspace) }},
		{"open a template string over lines", func() { e.SetCursor(2001, 9); test.Type(e, "`"); key(e, fyne.KeyReturn) }},
		{"scroll back to the top", func() { e.SetCursor(1, 1); test.Type(e, "let ") }},
		{"paste lines", func() {
			fyne.CurrentApp().Clipboard().SetContent("if (x) {\n  y = \"s\";\n}\n")
			e.TypedShortcut(&fyne.ShortcutPaste{Clipboard: fyne.CurrentApp().Clipboard()})
		}},
	}
	for _, s := range steps {
		s.do()
		want := freshKinds(e.Text())
		for r := 0; r < e.visibleRows() && e.top+r < len(e.lines); r++ {
			ln := e.top + r
			if !slices.Equal(e.kinds[ln], want[ln]) {
				t.Fatalf("%s: line %d %q coloured %v, a fresh lexing gives %v", s.name, ln+1, string(e.lines[ln]), e.kinds[ln], want[ln])
			}
		}
	}
}
