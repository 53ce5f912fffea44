package goja

// Line tracing (the debugging records of docs/udf.md): goja has no debugger API, so a
// traced execution runs an instrumented copy of the script. Instrument
// parses the script with goja's own parser and splices, right before each
// statement inside a function, a call
//
//	__trace$(LINE,COLUMN,"a,b",function(){switch(arguments[0]){case 0:return a;case 1:return b;}});
//
// that reports the statement's line and column in the original source and lets the
// host read the local variables in scope: parameters, var, let and const
// of the enclosing functions; not the script's top-level names (the
// script's globals), nor function and class declarations. __trace$ is the
// global __trace, read once by a declaration added before the script's
// first statement. Nothing is added on a new line, so line numbers stay
// those of the original source; ColumnMap maps columns back.
//
// Unbraced bodies get braces (`if (x) y();` → `if (x) {__trace$(…);y();}`),
// arrow functions with an expression body a comma expression
// (`x => x+1` → `x => (__trace$(…),x+1)`). Labelled statements are traced
// before their label, directives ("use strict") are left alone, and
// function declarations (hoisted, never "executed") are not traced. The
// script's top level runs once, when it loads, and is not traced.
//
// The host side is TraceFunc: the runtime installs it as the global
// __trace. It records an engine.TraceStep per call, reading each local
// through the getter (a let or const still in its temporal dead zone is
// left out), formatting it with FormatLocal and keeping only the locals
// that changed since the previous step.

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/dop251/goja"
	"github.com/dop251/goja/ast"
	"github.com/dop251/goja/file"
	"github.com/dop251/goja/parser"

	"github.com/twinstudio/twinstudio/engine"
)

// TraceHook is the global an instrumented script calls before each
// statement. The script reads it once, when it loads, into a local
// (traceLocal); without it tracing does nothing and the script runs as
// usual.
const TraceHook = "__trace"

const (
	traceLocal   = "__trace$"
	tracePrelude = "var " + traceLocal + " = typeof " + TraceHook + " === 'function' ? " + TraceHook + " : function () {};"
)

// Trace limits. A traced execution records at most MaxTraceSteps steps
// (the steps after them are counted in ExecutionRecord.TraceDropped, and a
// log line says the trace was cut); each step sees at most MaxTraceLocals
// locals (the first in name order; a log line says when more were in
// scope), each rendered to at most MaxTraceValue bytes plus "…"; and the
// locals of one step take at most maxTraceStepBytes bytes
// (maxTraceLateBytes after traceLateSteps steps, so that a long loop cannot
// make a record huge; every local in scope counts, changed or not): a local
// past the budget is recorded as "…".
const (
	MaxTraceSteps       = 10000
	MaxTraceLocals      = 32
	MaxTraceValue       = 2048
	maxTraceStepBytes   = 8192
	maxTraceLateBytes   = 1024
	traceLateSteps      = 1000
	traceMaxDepth       = 3
	traceMaxItems       = 50
	traceTruncateMarker = "…"
)

// Instrument rewrites a script so that each executed statement reports its
// line and the local variables in scope to __trace. A script that does not
// parse is returned unchanged (compiling it reports the syntax error at
// its true position).
func Instrument(src string) (string, error) {
	out, _, err := InstrumentMap(src)
	return out, err
}

// ColumnMap maps positions in an instrumented script back to the original
// script. Lines never change; columns (bytes from 1, as goja counts them)
// shift by the text inserted before them on the same line.
type ColumnMap struct {
	lines map[int][]insertion
}

type insertion struct {
	col, n int // original column the text was inserted before; its length
}

// Original returns the original column of column col on line line of the
// instrumented script. A position inside inserted text maps to the
// statement the text was inserted before.
func (m *ColumnMap) Original(line, col int) int {
	if m == nil {
		return col
	}
	shift := 0
	for _, x := range m.lines[line] {
		at := x.col + shift
		if col < at {
			break
		}
		if col < at+x.n {
			return x.col
		}
		shift += x.n
	}
	return col - shift
}

var stackPosRE = regexp.MustCompile(`:(\d+):(\d+)\)$`)

// FixRecord maps the error position and the stack of a record made by an
// instrumented script back to the original script. A nil map changes
// nothing.
func (m *ColumnMap) FixRecord(rec *engine.ExecutionRecord) {
	if m == nil || rec == nil {
		return
	}
	if rec.Line > 0 {
		rec.Column = m.Original(rec.Line, rec.Column)
	}
	if rec.Stack == "" {
		return
	}
	lines := strings.Split(rec.Stack, "\n")
	for i, l := range lines {
		sm := stackPosRE.FindStringSubmatchIndex(l)
		if sm == nil {
			continue
		}
		line, _ := strconv.Atoi(l[sm[2]:sm[3]])
		col, _ := strconv.Atoi(l[sm[4]:sm[5]])
		lines[i] = l[:sm[0]] + fmt.Sprintf(":%d:%d)", line, m.Original(line, col))
	}
	rec.Stack = strings.Join(lines, "\n")
}

// InstrumentMap is Instrument, and also returns the column map of the
// result.
func InstrumentMap(src string) (out string, cm *ColumnMap, err error) {
	out, cm, _, err = instrument(src, true, false)
	return out, cm, err
}

// instrument adds line tracing (trace), the budget counter (budget; see
// budget.go) or both to src, and returns the result, its column map and
// the names the budget code uses.
func instrument(src string, trace, budget bool) (out string, cm *ColumnMap, bn budgetNames, err error) {
	defer func() {
		if p := recover(); p != nil {
			out, cm, err = "", nil, fmt.Errorf("trace: cannot instrument the script: internal error: %v", p)
		}
	}()
	w := wrapperHead + src + wrapperTail
	prg, perr := parser.ParseFile(nil, "", w, 0, parser.WithDisableSourceMaps)
	if perr != nil {
		return src, &ColumnMap{}, bn, nil
	}
	in := &instrumenter{w: w, lo: len(wrapperHead), hi: len(wrapperHead) + len(src), file: prg.File, preludeAt: -1, trace: trace}
	if budget {
		bn = pickBudgetNames(prg)
		in.bud = &bn
	}
	in.lex(prg)
	for _, s := range prg.Body {
		in.stmt(s, true)
	}
	if in.preludeAt >= in.lo {
		in.level = 0
		if in.bud != nil {
			in.add(in.preludeAt, bn.prelude(), false)
		}
		if in.traced {
			in.add(in.preludeAt, tracePrelude, false)
		}
	}
	out, cm, err = in.apply(src)
	if err != nil {
		return "", nil, bn, err
	}
	tail := wrapperTail
	if budget {
		tail = bn.tail()
	}
	// The result must compile whenever the original does.
	if _, cerr := goja.Compile("", wrapperHead+out+tail, false); cerr != nil {
		if _, oerr := goja.Compile("", w, false); oerr != nil {
			return src, &ColumnMap{}, bn, nil
		}
		return "", nil, bn, fmt.Errorf("trace: cannot instrument the script: %v", cerr)
	}
	return out, cm, bn, nil
}

// Byte kinds of the wrapped source.
const (
	kCode byte = iota
	kLiteral
	kComment
)

type instrumenter struct {
	w      string // wrapperHead + src + wrapperTail
	lo, hi int    // the script's bytes in w
	file   *file.File
	kind   []byte // kCode, kLiteral or kComment per byte of w

	fnDepth   int          // 0: outside the wrapper; 1: the script's top level
	inWrapper bool         // inside the runtime's wrapper function
	preludeAt int          // where the script's first statement (after directives) starts
	trace     bool         // add trace calls
	traced    bool         // a trace call was added
	bud       *budgetNames // add budget ticks (nil: none)
	level     int          // statement nesting, orders edits at the same offset
	scopes    []scope
	edits     []edit
}

type scope struct {
	depth int
	names []string
}

type edit struct {
	off   int
	text  string
	close bool
	level int
	seq   int
}

// ---- lexing: which bytes are code ----

// lex marks string, template and regular-expression literals and comments.
// Regular expressions are told from divisions by the AST.
func (in *instrumenter) lex(prg *ast.Program) {
	regex := map[int]int{}
	var find func(v reflect.Value)
	find = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.Interface:
			if !v.IsNil() {
				find(v.Elem())
			}
		case reflect.Pointer:
			if v.IsNil() {
				return
			}
			if r, ok := v.Interface().(*ast.RegExpLiteral); ok {
				regex[int(r.Idx)-1] = len(r.Literal)
				return
			}
			if _, ok := v.Interface().(*file.File); ok {
				return
			}
			find(v.Elem())
		case reflect.Struct:
			walkFields(v, find)
		case reflect.Slice:
			for i := 0; i < v.Len(); i++ {
				find(v.Index(i))
			}
		}
	}
	for _, s := range prg.Body {
		find(reflect.ValueOf(s))
	}

	w, n := in.w, len(in.w)
	kind := make([]byte, n)
	mark := func(a, b int, k byte) {
		for j := a; j < b && j < n; j++ {
			kind[j] = k
		}
	}
	// tplRaw scans template characters from i; it returns the index after
	// the closing backquote or after "${", and whether it was "${".
	tplRaw := func(i int) (int, bool) {
		for i < n {
			switch {
			case w[i] == '\\':
				i += 2
			case w[i] == '`':
				return i + 1, false
			case w[i] == '$' && i+1 < n && w[i+1] == '{':
				return i + 2, true
			default:
				i++
			}
		}
		return n, false
	}
	var subst []int // brace depths at which template substitutions began
	depth := 0
	for i := 0; i < n; {
		c := w[i]
		if l, ok := regex[i]; ok && c == '/' {
			mark(i, i+l, kLiteral)
			i += l
			continue
		}
		switch {
		case c == '/' && i+1 < n && w[i+1] == '/':
			j := i + 2
			for j < n && lineTerminator(w, j) == 0 {
				j++
			}
			mark(i, j, kComment)
			i = j
		case c == '/' && i+1 < n && w[i+1] == '*':
			j := strings.Index(w[i+2:], "*/")
			end := n
			if j >= 0 {
				end = i + 2 + j + 2
			}
			mark(i, end, kComment)
			i = end
		case c == '\'' || c == '"':
			j := i + 1
			for j < n && w[j] != c {
				if w[j] == '\\' {
					j++
				}
				j++
			}
			mark(i, j+1, kLiteral)
			i = j + 1
		case c == '`':
			j, open := tplRaw(i + 1)
			mark(i, j, kLiteral)
			if open {
				subst = append(subst, depth)
			}
			i = j
		case c == '{':
			depth++
			i++
		case c == '}':
			if k := len(subst); k > 0 && subst[k-1] == depth {
				subst = subst[:k-1]
				j, open := tplRaw(i + 1)
				mark(i, j, kLiteral)
				if open {
					subst = append(subst, depth)
				}
				i = j
				continue
			}
			depth--
			i++
		default:
			i++
		}
	}
	in.kind = kind
}

// lineTerminator returns the length of the line terminator at w[i], or 0.
func lineTerminator(w string, i int) int {
	switch w[i] {
	case '\n', '\r':
		return 1
	case 0xE2:
		if strings.HasPrefix(w[i:], "\u2028") || strings.HasPrefix(w[i:], "\u2029") {
			return 3
		}
	}
	return 0
}

func isSpace(r rune) bool { return unicode.IsSpace(r) || r == '\ufeff' }

// fwd skips whitespace and comments from i.
func (in *instrumenter) fwd(i int) int {
	for i < len(in.w) {
		switch in.kind[i] {
		case kComment:
			i++
			continue
		case kCode:
			r, sz := utf8.DecodeRuneInString(in.w[i:])
			if isSpace(r) {
				i += sz
				continue
			}
		}
		break
	}
	return i
}

// back skips whitespace and comments before i.
func (in *instrumenter) back(i int) int {
	for i > 0 {
		switch in.kind[i-1] {
		case kComment:
			i--
			continue
		case kCode:
			r, sz := utf8.DecodeLastRuneInString(in.w[:i])
			if isSpace(r) {
				i -= sz
				continue
			}
		}
		break
	}
	return i
}

// parenStart extends the start of an expression over the parentheses that
// open before it (goja's AST keeps no parenthesised expressions).
func (in *instrumenter) parenStart(p int) int {
	for {
		q := in.back(p)
		if q > 0 && in.w[q-1] == '(' && in.kind[q-1] == kCode {
			p = q - 1
			continue
		}
		return p
	}
}

// closeParens extends end over the closing parentheses that balance the
// ones opened in w[start:end].
func (in *instrumenter) closeParens(start, end int) int {
	bal := 0
	for j := start; j < end && j < len(in.w); j++ {
		if in.kind[j] != kCode {
			continue
		}
		switch in.w[j] {
		case '(':
			bal++
		case ')':
			bal--
		}
	}
	for ; bal > 0; bal-- {
		j := in.fwd(end)
		if j >= len(in.w) || in.w[j] != ')' || in.kind[j] != kCode {
			break
		}
		end = j + 1
	}
	return end
}

// semi extends end over a following semicolon.
func (in *instrumenter) semi(end int) int {
	j := in.fwd(end)
	if j < in.hi && in.w[j] == ';' && in.kind[j] == kCode {
		return j + 1
	}
	return end
}

// identEnd returns the end of the identifier (or #private name) at off:
// goja's Identifier.Idx1 counts the decoded name, not its escapes.
func (in *instrumenter) identEnd(off int) int {
	w := in.w
	j := off
	if j < len(w) && w[j] == '#' {
		j++
	}
	for j < len(w) {
		if w[j] == '\\' && j+1 < len(w) && w[j+1] == 'u' {
			if j+2 < len(w) && w[j+2] == '{' {
				k := strings.IndexByte(w[j:], '}')
				if k < 0 {
					return len(w)
				}
				j += k + 1
			} else {
				j += 6
			}
			continue
		}
		r, sz := utf8.DecodeRuneInString(w[j:])
		if r == '$' || r == '_' || r == '\u200c' || r == '\u200d' || unicode.IsLetter(r) || unicode.IsDigit(r) ||
			unicode.In(r, unicode.Mn, unicode.Mc, unicode.Nd, unicode.Pc, unicode.Nl, unicode.Other_ID_Start, unicode.Other_ID_Continue) {
			j += sz
			continue
		}
		break
	}
	if j > len(w) {
		j = len(w)
	}
	return j
}

// nodeSpan returns a node's own byte range in w (-1 when unknown).
func (in *instrumenter) nodeSpan(n ast.Node) (a, b int) {
	a, b = -1, -1
	switch x := n.(type) {
	case *ast.Identifier:
		if x.Idx > 0 {
			return int(x.Idx) - 1, in.identEnd(int(x.Idx) - 1)
		}
		return
	case *ast.PrivateIdentifier:
		if x.Idx > 0 {
			return int(x.Idx) - 1, in.identEnd(int(x.Idx) - 1)
		}
		return
	case *ast.TemplateElement:
		return // its Idx is not where its text starts; the literal's quotes are
	case *ast.UnaryExpression:
		if x.Postfix && x.Operand != nil {
			// goja assumes "++" right after the operand; there may be
			// spaces, comments or parentheses in between.
			lo, hi := in.span(x.Operand)
			j := in.fwd(in.closeParens(in.parenStart(lo), hi))
			if j+2 <= len(in.w) && (in.w[j:j+2] == "++" || in.w[j:j+2] == "--") {
				return lo, j + 2
			}
		}
	}
	defer func() { recover() }()
	a = int(n.Idx0()) - 1
	b = int(n.Idx1()) - 1
	return
}

// span returns the smallest range covering every node under n. Functions
// and classes are taken whole (their own positions are exact).
func (in *instrumenter) span(n any) (lo, hi int) {
	lo, hi = math.MaxInt, -1
	add := func(node ast.Node) {
		a, b := in.nodeSpan(node)
		if a >= 0 && a < lo {
			lo = a
		}
		if b > hi {
			hi = b
		}
	}
	var visit func(v reflect.Value)
	visit = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.Interface:
			if !v.IsNil() {
				visit(v.Elem())
			}
		case reflect.Pointer:
			if v.IsNil() {
				return
			}
			switch x := v.Interface().(type) {
			case *file.File:
				return
			case *ast.FunctionLiteral, *ast.ClassLiteral:
				add(x.(ast.Node))
				return
			case *ast.ArrowFunctionLiteral:
				if x.Start > 0 && int(x.Start)-1 < lo {
					lo = int(x.Start) - 1
				}
				switch b := x.Body.(type) {
				case *ast.BlockStatement:
					add(b)
				case *ast.ExpressionBody:
					visit(reflect.ValueOf(b.Expression))
				}
				return
			case ast.Node:
				add(x)
			}
			visit(v.Elem())
		case reflect.Struct:
			if v.CanAddr() {
				if node, ok := v.Addr().Interface().(ast.Node); ok {
					add(node)
				}
			}
			walkFields(v, visit)
		case reflect.Slice:
			for i := 0; i < v.Len(); i++ {
				visit(v.Index(i))
			}
		}
	}
	visit(reflect.ValueOf(n))
	if hi < 0 {
		lo, hi = 0, 0
	}
	if lo > hi {
		lo = hi
	}
	return lo, hi
}

// walkAST visits the AST below v depth first, through interfaces,
// pointers, struct fields (see walkFields) and slices, but not into
// *file.File. It calls node with every non-nil pointer it meets; node
// returns true when it has dealt with that node, and the walk then skips
// what is below it.
func walkAST(v reflect.Value, node func(x any) bool) {
	switch v.Kind() {
	case reflect.Interface:
		if !v.IsNil() {
			walkAST(v.Elem(), node)
		}
	case reflect.Pointer:
		if v.IsNil() {
			return
		}
		x := v.Interface()
		if _, ok := x.(*file.File); ok || node(x) {
			return
		}
		walkAST(v.Elem(), node)
	case reflect.Struct:
		walkFields(v, func(f reflect.Value) { walkAST(f, node) })
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			walkAST(v.Index(i), node)
		}
	}
}

func walkFields(v reflect.Value, f func(reflect.Value)) {
	t := v.Type()
	for i := 0; i < v.NumField(); i++ {
		sf := t.Field(i)
		if !sf.IsExported() || sf.Name == "DeclarationList" || sf.Name == "Source" {
			continue
		}
		f(v.Field(i))
	}
}

// ---- statement positions ----

func (in *instrumenter) stmtStart(s ast.Statement) int {
	switch s := s.(type) {
	case *ast.ExpressionStatement:
		lo, _ := in.span(s.Expression)
		return in.parenStart(lo)
	case *ast.IfStatement:
		if s.If <= 0 { // goja's parser does not set it
			lo, _ := in.span(s.Test)
			q := in.back(in.parenStart(lo))
			if q >= 2 && in.w[q-2:q] == "if" {
				return q - 2
			}
			return -1
		}
	}
	a, _ := in.nodeSpan(s)
	return a
}

// stmtEnd returns the offset just after s, including its semicolon.
func (in *instrumenter) stmtEnd(s ast.Statement) int {
	switch s := s.(type) {
	case *ast.BlockStatement:
		return int(s.RightBrace)
	case *ast.IfStatement:
		if s.Alternate != nil {
			return in.stmtEnd(s.Alternate)
		}
		return in.stmtEnd(s.Consequent)
	case *ast.ForStatement:
		return in.stmtEnd(s.Body)
	case *ast.ForInStatement:
		return in.stmtEnd(s.Body)
	case *ast.ForOfStatement:
		return in.stmtEnd(s.Body)
	case *ast.WhileStatement:
		return in.stmtEnd(s.Body)
	case *ast.WithStatement:
		return in.stmtEnd(s.Body)
	case *ast.LabelledStatement:
		return in.stmtEnd(s.Statement)
	case *ast.SwitchStatement:
		return int(s.RightBrace)
	case *ast.TryStatement:
		switch {
		case s.Finally != nil:
			return int(s.Finally.RightBrace)
		case s.Catch != nil:
			return int(s.Catch.Body.RightBrace)
		}
		return int(s.Body.RightBrace)
	case *ast.FunctionDeclaration:
		return int(s.Function.Body.RightBrace)
	case *ast.ClassDeclaration:
		return int(s.Class.RightBrace)
	case *ast.DoWhileStatement:
		return in.semi(int(s.RightParenthesis))
	case *ast.EmptyStatement:
		return int(s.Semicolon)
	case *ast.DebuggerStatement:
		return in.semi(int(s.Debugger) - 1 + len("debugger"))
	}
	// Expression, var, let, const, return, throw, break, continue.
	start := in.stmtStart(s)
	_, hi := in.span(s)
	return in.semi(in.closeParens(start, hi))
}

// ---- the walk ----

// tracing reports whether statements here are traced: those of functions
// inside the script (not the script's top level, which runs once when it
// loads).
func (in *instrumenter) tracing() bool { return in.trace && in.inWrapper && in.fnDepth >= 2 }

// budgeting reports whether loops and functions here count against the
// budget: everywhere in the script, its top level too.
func (in *instrumenter) budgeting() bool { return in.bud != nil && in.inWrapper }

// loopTick makes each iteration of a loop with body count: the tick goes
// first in the body, which gets braces if it has none.
func (in *instrumenter) loopTick(body ast.Statement) {
	if !in.budgeting() || body == nil {
		return
	}
	if b, ok := body.(*ast.BlockStatement); ok {
		in.add(int(b.LeftBrace), in.bud.tick(), false) // just after the "{"
		return
	}
	in.add(in.stmtStart(body), "{"+in.bud.tick(), false)
	in.add(in.stmtEnd(body), "}", true)
}

// functionTick makes each call of a function with body stmts count: the
// tick goes before its first statement after the directives.
func (in *instrumenter) functionTick(stmts []ast.Statement) {
	if !in.budgeting() || in.fnDepth < 2 {
		return
	}
	for _, s := range stmts {
		if es, ok := s.(*ast.ExpressionStatement); ok {
			if _, ok := es.Expression.(*ast.StringLiteral); ok {
				continue
			}
		}
		in.add(in.stmtStart(s), in.bud.tick(), false)
		return
	}
}

func (in *instrumenter) add(off int, text string, close bool) {
	in.edits = append(in.edits, edit{off: off, text: text, close: close, level: in.level, seq: len(in.edits)})
}

// traceCall is the __trace call for a statement starting at off.
func (in *instrumenter) traceCall(off int) string {
	in.traced = true
	pos := in.file.Position(off)
	line, col := pos.Line, pos.Column
	if line == 1 {
		col -= len(wrapperHead)
	}
	names := in.visible()
	if len(names) == 0 {
		return traceLocal + "(" + strconv.Itoa(line) + "," + strconv.Itoa(col) + ")"
	}
	var b strings.Builder
	fmt.Fprintf(&b, `%s(%d,%d,"%s",function(){switch(arguments[0]){`, traceLocal, line, col, strings.Join(names, ","))
	for i, n := range names {
		fmt.Fprintf(&b, "case %d:return %s;", i, n)
	}
	b.WriteString("}})")
	return b.String()
}

// visible lists the locals in scope, sorted.
func (in *instrumenter) visible() []string {
	seen := map[string]bool{}
	var out []string
	for _, sc := range in.scopes {
		if sc.depth < 2 {
			continue
		}
		for _, n := range sc.names {
			if n == "arguments" || n == "" || seen[n] {
				continue
			}
			seen[n] = true
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

func (in *instrumenter) push(names []string) {
	in.scopes = append(in.scopes, scope{depth: in.fnDepth, names: names})
}

func (in *instrumenter) pop() { in.scopes = in.scopes[:len(in.scopes)-1] }

func traceable(s ast.Statement) bool {
	switch s.(type) {
	case *ast.FunctionDeclaration, *ast.EmptyStatement, *ast.BadStatement:
		return false
	}
	return true
}

// list instruments a statement list; directives opens a function body.
func (in *instrumenter) list(stmts []ast.Statement, directives bool) {
	for _, s := range stmts {
		if directives {
			if es, ok := s.(*ast.ExpressionStatement); ok {
				if _, ok := es.Expression.(*ast.StringLiteral); ok {
					in.children(s) // a directive ("use strict") must stay first
					continue
				}
			}
			directives = false
		}
		in.stmt(s, true)
	}
}

// stmt instruments s: a trace call before it when it is in a list, braces
// around it with the trace call when it is the unbraced body of another
// statement.
func (in *instrumenter) stmt(s ast.Statement, inList bool) {
	if s == nil {
		return
	}
	in.level++
	defer func() { in.level-- }()
	if _, ok := s.(*ast.BlockStatement); ok {
		in.children(s)
		return
	}
	if in.tracing() && traceable(s) {
		start := in.stmtStart(s)
		if inList {
			in.add(start, in.traceCall(start)+";", false)
		} else {
			in.add(start, "{"+in.traceCall(start)+";", false)
			in.add(in.stmtEnd(s), "}", true)
		}
	}
	in.children(s)
}

func (in *instrumenter) block(stmts []ast.Statement) {
	in.push(lexNames(stmts))
	in.list(stmts, false)
	in.pop()
}

func (in *instrumenter) children(s ast.Statement) {
	switch s := s.(type) {
	case *ast.BlockStatement:
		in.block(s.List)
	case *ast.ExpressionStatement:
		in.expr(s.Expression)
	case *ast.VariableStatement:
		in.expr(s.List)
	case *ast.LexicalDeclaration:
		in.expr(s.List)
	case *ast.IfStatement:
		in.expr(s.Test)
		in.stmt(s.Consequent, false)
		in.stmt(s.Alternate, false)
	case *ast.ForStatement:
		var names []string
		if l, ok := s.Initializer.(*ast.ForLoopInitializerLexicalDecl); ok {
			for _, b := range l.LexicalDeclaration.List {
				bindingNames(b.Target, &names)
			}
		}
		in.push(names)
		in.expr(s.Initializer)
		in.expr(s.Test)
		in.expr(s.Update)
		in.loopTick(s.Body)
		in.stmt(s.Body, false)
		in.pop()
	case *ast.ForInStatement:
		in.push(forIntoNames(s.Into))
		in.expr(s.Into)
		in.expr(s.Source)
		in.loopTick(s.Body)
		in.stmt(s.Body, false)
		in.pop()
	case *ast.ForOfStatement:
		in.push(forIntoNames(s.Into))
		in.expr(s.Into)
		in.expr(s.Source)
		in.loopTick(s.Body)
		in.stmt(s.Body, false)
		in.pop()
	case *ast.WhileStatement:
		in.expr(s.Test)
		in.loopTick(s.Body)
		in.stmt(s.Body, false)
	case *ast.DoWhileStatement:
		in.loopTick(s.Body)
		in.stmt(s.Body, false)
		in.expr(s.Test)
	case *ast.WithStatement:
		if in.budgeting() {
			// with (o) → with (hook(2,(o))): the hook hides the budget's
			// names from o, so that o cannot stand in for the counter.
			lo, hi := in.span(s.Object)
			in.add(lo, in.bud.hook+"(2,(", false)
			in.add(hi, "))", true)
		}
		in.expr(s.Object)
		in.stmt(s.Body, false)
	case *ast.LabelledStatement:
		// Traced before the label; the labelled statement itself is not
		// wrapped (continue LABEL must still name a loop).
		in.children(s.Statement)
	case *ast.SwitchStatement:
		in.expr(s.Discriminant)
		var names []string
		for _, c := range s.Body {
			names = append(names, lexNames(c.Consequent)...)
		}
		in.push(names)
		for _, c := range s.Body {
			in.expr(c.Test)
			in.list(c.Consequent, false)
		}
		in.pop()
	case *ast.TryStatement:
		in.block(s.Body.List)
		if s.Catch != nil {
			var names []string
			if s.Catch.Parameter != nil {
				bindingNames(s.Catch.Parameter, &names)
			}
			in.push(names)
			in.expr(s.Catch.Parameter)
			in.block(s.Catch.Body.List)
			in.pop()
		}
		if s.Finally != nil {
			in.block(s.Finally.List)
		}
	case *ast.ReturnStatement:
		in.expr(s.Argument)
	case *ast.ThrowStatement:
		in.expr(s.Argument)
	case *ast.FunctionDeclaration:
		in.function(s.Function)
	case *ast.ClassDeclaration:
		in.expr(s.Class)
	}
}

// expr finds the functions inside an expression (or any node without
// statements of its own) and instruments them.
func (in *instrumenter) expr(n any) {
	if n == nil {
		return
	}
	walkAST(reflect.ValueOf(n), func(x any) bool {
		switch x := x.(type) {
		case *ast.FunctionLiteral:
			in.function(x)
		case *ast.ArrowFunctionLiteral:
			in.arrow(x)
		case *ast.ClassStaticBlock:
			in.staticBlock(x)
		default:
			return false
		}
		return true
	})
}

func (in *instrumenter) function(f *ast.FunctionLiteral) {
	if !in.inWrapper && in.fnDepth == 0 && f.Function == 2 && f.Body != nil {
		// The runtime's wrapper: "(function(){" + script + tail.
		in.inWrapper = true
		defer func() { in.inWrapper = false }()
		in.preludeAt = -1
		for _, s := range f.Body.List {
			if es, ok := s.(*ast.ExpressionStatement); ok {
				if _, ok := es.Expression.(*ast.StringLiteral); ok {
					continue
				}
			}
			if p := in.stmtStart(s); p >= in.lo && p <= in.hi {
				in.preludeAt = p
			}
			break
		}
	}
	in.fnDepth++
	defer func() { in.fnDepth-- }()
	var names []string
	paramNames(f.ParameterList, &names)
	if f.Body != nil {
		for _, s := range f.Body.List {
			varNames(s, &names)
		}
		names = append(names, lexNames(f.Body.List)...)
	}
	in.push(names)
	defer in.pop()
	in.expr(f.ParameterList)
	if f.Body != nil {
		in.functionTick(f.Body.List)
		in.list(f.Body.List, true)
	}
}

func (in *instrumenter) arrow(a *ast.ArrowFunctionLiteral) {
	in.fnDepth++
	defer func() { in.fnDepth-- }()
	var names []string
	paramNames(a.ParameterList, &names)
	body, isBlock := a.Body.(*ast.BlockStatement)
	if isBlock {
		for _, s := range body.List {
			varNames(s, &names)
		}
		names = append(names, lexNames(body.List)...)
	}
	in.push(names)
	defer in.pop()
	in.expr(a.ParameterList)
	if isBlock {
		in.functionTick(body.List)
		in.list(body.List, true)
		return
	}
	eb, ok := a.Body.(*ast.ExpressionBody)
	if !ok || eb.Expression == nil {
		return
	}
	if in.budgeting() {
		lo, hi := in.span(eb.Expression)
		start := in.parenStart(lo)
		end := in.closeParens(start, hi)
		in.add(start, "("+in.bud.tickExpr()+",", false)
		in.add(end, ")", true)
	}
	if in.tracing() {
		in.level++
		lo, hi := in.span(eb.Expression)
		start := in.parenStart(lo)
		end := in.closeParens(start, hi)
		in.add(start, "("+in.traceCall(start)+",", false)
		in.add(end, ")", true)
		in.level--
	}
	in.expr(eb.Expression)
}

func (in *instrumenter) staticBlock(b *ast.ClassStaticBlock) {
	in.fnDepth++
	defer func() { in.fnDepth-- }()
	if b.Block == nil {
		return
	}
	var names []string
	for _, s := range b.Block.List {
		varNames(s, &names)
	}
	names = append(names, lexNames(b.Block.List)...)
	in.push(names)
	defer in.pop()
	in.list(b.Block.List, false)
}

// ---- declared names ----

func paramNames(p *ast.ParameterList, out *[]string) {
	if p == nil {
		return
	}
	for _, b := range p.List {
		bindingNames(b.Target, out)
	}
	if p.Rest != nil {
		bindingNames(p.Rest, out)
	}
}

func forIntoNames(into ast.ForInto) []string {
	var names []string
	if d, ok := into.(*ast.ForDeclaration); ok {
		bindingNames(d.Target, &names)
	}
	return names
}

// lexNames lists the let and const names declared directly in stmts.
func lexNames(stmts []ast.Statement) []string {
	var names []string
	for _, s := range stmts {
		if d, ok := s.(*ast.LexicalDeclaration); ok {
			for _, b := range d.List {
				bindingNames(b.Target, &names)
			}
		}
	}
	return names
}

// varNames lists the var names declared in s, outside nested functions.
func varNames(s ast.Statement, out *[]string) {
	switch s := s.(type) {
	case *ast.VariableStatement:
		for _, b := range s.List {
			bindingNames(b.Target, out)
		}
	case *ast.BlockStatement:
		for _, x := range s.List {
			varNames(x, out)
		}
	case *ast.IfStatement:
		varNames(s.Consequent, out)
		if s.Alternate != nil {
			varNames(s.Alternate, out)
		}
	case *ast.ForStatement:
		if l, ok := s.Initializer.(*ast.ForLoopInitializerVarDeclList); ok {
			for _, b := range l.List {
				bindingNames(b.Target, out)
			}
		}
		varNames(s.Body, out)
	case *ast.ForInStatement:
		if v, ok := s.Into.(*ast.ForIntoVar); ok && v.Binding != nil {
			bindingNames(v.Binding.Target, out)
		}
		varNames(s.Body, out)
	case *ast.ForOfStatement:
		if v, ok := s.Into.(*ast.ForIntoVar); ok && v.Binding != nil {
			bindingNames(v.Binding.Target, out)
		}
		varNames(s.Body, out)
	case *ast.WhileStatement:
		varNames(s.Body, out)
	case *ast.DoWhileStatement:
		varNames(s.Body, out)
	case *ast.WithStatement:
		varNames(s.Body, out)
	case *ast.LabelledStatement:
		varNames(s.Statement, out)
	case *ast.SwitchStatement:
		for _, c := range s.Body {
			for _, x := range c.Consequent {
				varNames(x, out)
			}
		}
	case *ast.TryStatement:
		varNames(s.Body, out)
		if s.Catch != nil {
			varNames(s.Catch.Body, out)
		}
		if s.Finally != nil {
			varNames(s.Finally, out)
		}
	}
}

// bindingNames lists the names a binding target (identifier or pattern)
// declares.
func bindingNames(e ast.Node, out *[]string) {
	switch e := e.(type) {
	case *ast.Identifier:
		if e != nil {
			*out = append(*out, e.Name.String())
		}
	case *ast.Binding:
		if e != nil {
			bindingNames(e.Target, out)
		}
	case *ast.AssignExpression:
		if e != nil {
			bindingNames(e.Left, out)
		}
	case *ast.SpreadElement:
		if e != nil {
			bindingNames(e.Expression, out)
		}
	case *ast.ArrayPattern:
		if e != nil {
			for _, x := range e.Elements {
				bindingNames(x, out)
			}
			bindingNames(e.Rest, out)
		}
	case *ast.ArrayLiteral:
		if e != nil {
			for _, x := range e.Value {
				bindingNames(x, out)
			}
		}
	case *ast.ObjectPattern:
		if e != nil {
			for _, p := range e.Properties {
				bindingNames(p, out)
			}
			bindingNames(e.Rest, out)
		}
	case *ast.ObjectLiteral:
		if e != nil {
			for _, p := range e.Value {
				bindingNames(p, out)
			}
		}
	case *ast.PropertyShort:
		if e != nil {
			*out = append(*out, e.Name.Name.String())
		}
	case *ast.PropertyKeyed:
		if e != nil {
			bindingNames(e.Value, out)
		}
	}
}

// ---- output ----

func (in *instrumenter) apply(src string) (string, *ColumnMap, error) {
	sort.SliceStable(in.edits, func(i, j int) bool {
		a, b := in.edits[i], in.edits[j]
		if a.off != b.off {
			return a.off < b.off
		}
		if a.close != b.close {
			return a.close // closers first
		}
		if a.close {
			if a.level != b.level {
				return a.level > b.level // innermost closes first
			}
		} else if a.level != b.level {
			return a.level < b.level // outermost opens first
		}
		return a.seq < b.seq
	})
	cm := &ColumnMap{lines: map[int][]insertion{}}
	var b strings.Builder
	b.Grow(len(src) + len(in.edits)*32)
	at := 0
	for _, e := range in.edits {
		off := e.off - in.lo
		if off < at || off > len(src) {
			return "", nil, fmt.Errorf("trace: cannot instrument the script: edit at offset %d out of range", e.off)
		}
		b.WriteString(src[at:off])
		b.WriteString(e.text)
		at = off
		p := in.file.Position(e.off)
		col := p.Column
		if p.Line == 1 {
			col -= len(wrapperHead)
		}
		cm.lines[p.Line] = append(cm.lines[p.Line], insertion{col: col, n: len(e.text)})
	}
	b.WriteString(src[at:])
	return b.String(), cm, nil
}

// ---- the host side ----

// TraceFunc returns the function a runtime installs as the global
// __trace. record returns the record of the execution being traced, or nil
// when none is (the call then does nothing). Each call appends a step with
// the statement's line and column and the locals that changed since the
// previous step of the same record (see engine.TraceStep), up to
// MaxTraceSteps steps; later calls only count ExecutionRecord.TraceDropped.
// A local that cannot be read yet (a let or const before its declaration)
// is left out. Reading locals runs no script code (getters are shown, not
// called) and calls made while a step is being recorded are ignored. A
// time-limit interrupt or stack overflow raised meanwhile stops the script
// as it would have anyway. Call TraceFunc before any script runs in rt: it
// keeps the runtime's own Object.getOwnPropertyDescriptor. The returned
// function is for rt's goroutine only, like rt.
func TraceFunc(rt *goja.Runtime, record func() *engine.ExecutionRecord) func(goja.FunctionCall) goja.Value {
	gopd := ownPropertyDescriptor(rt)
	busy := false
	type scopeAt struct {
		step   int               // the last step in this scope
		locals map[string]string // the full locals at that step
	}
	var (
		last     *engine.ExecutionRecord
		prevSig  string              // the scope (its local names) of the last step
		scopes   map[string]*scopeAt // by scope, for the record's steps so far
		warnedAt *engine.ExecutionRecord
	)
	return func(c goja.FunctionCall) goja.Value {
		if busy {
			return goja.Undefined()
		}
		rec := record()
		if rec == nil {
			return goja.Undefined()
		}
		if len(rec.Trace) >= MaxTraceSteps {
			rec.TraceDropped++
			return goja.Undefined()
		}
		busy = true
		defer func() { busy = false }()
		if rec != last || len(rec.Trace) == 0 {
			last, prevSig, scopes = rec, "", map[string]*scopeAt{}
		}
		step := engine.TraceStep{Line: int(c.Argument(0).ToInteger()), Column: int(c.Argument(1).ToInteger())}
		get, ok := goja.AssertFunction(c.Argument(3))
		sig := ""
		if ok {
			sig = c.Argument(2).String()
		}
		// The base: the previous step, or the last one in this scope
		// when the previous step was in another.
		n := len(rec.Trace)
		var prev map[string]string
		if p := scopes[prevSig]; p != nil && p.step == n-1 {
			prev = p.locals
		}
		if sig != prevSig {
			if b := scopes[sig]; b != nil {
				step.Skip, prev = n-1-b.step, b.locals
			}
		}
		cur := make(map[string]string, len(prev))
		if ok {
			budget := maxTraceStepBytes
			if len(rec.Trace) >= traceLateSteps {
				budget = maxTraceLateBytes
			}
			names := strings.Split(sig, ",")
			if len(names) > MaxTraceLocals {
				if warnedAt != rec {
					warnedAt = rec
					rec.Logs = append(rec.Logs, fmt.Sprintf("trace: %d locals in scope at line %d; only the first %d are recorded", len(names), step.Line, MaxTraceLocals))
				}
				names = names[:MaxTraceLocals]
			}
			for i, name := range names {
				v, err := get(goja.Undefined(), rt.ToValue(i))
				if err != nil {
					var jsErr *goja.Exception
					if errors.As(err, &jsErr) {
						continue // in its temporal dead zone
					}
					panic(err)
				}
				// Each local is rendered within the step's budget, changed
				// or not (the budget bounds the work of a step), and
				// recorded when its rendering differs from the base's.
				s := traceTruncateMarker
				if budget > 0 {
					s = formatLocal(rt, gopd, v, min(MaxTraceValue, budget))
				}
				budget -= len(name) + len(s)
				cur[name] = s
				if p, ok := prev[name]; ok && p == s {
					continue
				}
				if step.Locals == nil {
					step.Locals = map[string]string{}
				}
				step.Locals[name] = s
			}
		}
		for name := range prev {
			if _, ok := cur[name]; !ok {
				step.Gone = append(step.Gone, name)
			}
		}
		sort.Strings(step.Gone)
		scopes[sig], prevSig = &scopeAt{step: n, locals: cur}, sig
		rec.Trace = append(rec.Trace, step)
		if len(rec.Trace) == MaxTraceSteps {
			rec.Logs = append(rec.Logs, fmt.Sprintf("trace: stopped recording after %d steps", MaxTraceSteps))
		}
		return goja.Undefined()
	}
}

func ownPropertyDescriptor(rt *goja.Runtime) goja.Callable {
	if o, ok := rt.Get("Object").(*goja.Object); ok {
		if f, ok := goja.AssertFunction(o.Get("getOwnPropertyDescriptor")); ok {
			return f
		}
	}
	return nil
}

// traceFunc is the __trace of vm m.
func (m *vm) traceFunc() func(goja.FunctionCall) goja.Value {
	return TraceFunc(m.rt, func() *engine.ExecutionRecord {
		if m.ex == nil || !m.trace {
			return nil
		}
		return m.ex.Record()
	})
}

// FormatLocal renders a value for a trace in a short JSON-like form:
// strings quoted, numbers and booleans as JavaScript prints them,
// undefined and null, arrays and objects (own enumerable properties) to a
// depth of 3, accessors as [Getter] (never called), functions as
// "function name()", errors as "Name: message", dates as quoted ISO times.
// The result is at most limit bytes plus "…".
func FormatLocal(rt *goja.Runtime, v goja.Value, limit int) string {
	return formatLocal(rt, ownPropertyDescriptor(rt), v, limit)
}

func formatLocal(rt *goja.Runtime, gopd goja.Callable, v goja.Value, limit int) string {
	if limit <= 0 {
		limit = MaxTraceValue
	}
	f := &localFmt{rt: rt, gopd: gopd, limit: limit, seen: map[*goja.Object]bool{}}
	if ex := rt.Try(func() { f.value(v, 0) }); ex != nil {
		return "<" + ex.Value().String() + ">"
	}
	return truncate(f.b.String(), limit)
}

type localFmt struct {
	rt    *goja.Runtime
	gopd  goja.Callable // Object.getOwnPropertyDescriptor
	b     strings.Builder
	limit int
	seen  map[*goja.Object]bool
}

func truncate(s string, limit int) string {
	if len(s) <= limit {
		return s
	}
	cut := limit
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + traceTruncateMarker
}

func (f *localFmt) full() bool { return f.b.Len() > f.limit }

var errAccessor = errors.New("accessor")

// get reads property key of o or of its prototypes without running
// getters: errAccessor when it is an accessor, nil when there is none.
func (f *localFmt) get(o *goja.Object, key string) (goja.Value, error) {
	if f.gopd == nil {
		return nil, errAccessor
	}
	k := f.rt.ToValue(key)
	for p, i := o, 0; p != nil && i < 32; p, i = p.Prototype(), i+1 {
		d, err := f.gopd(goja.Undefined(), p, k)
		if err != nil {
			panic(err)
		}
		do, ok := d.(*goja.Object)
		if !ok {
			continue
		}
		if g := do.Get("get"); g != nil {
			return nil, errAccessor
		}
		if s := do.Get("set"); s != nil {
			return nil, errAccessor
		}
		return do.Get("value"), nil
	}
	return nil, nil
}

// getString is get for names and messages.
func (f *localFmt) getString(o *goja.Object, key, def string) string {
	v, err := f.get(o, key)
	if err != nil || v == nil || goja.IsUndefined(v) {
		return def
	}
	if _, ok := v.(*goja.Object); ok {
		return def
	}
	return v.String()
}

// prop writes property key of o.
func (f *localFmt) prop(o *goja.Object, key string, depth int) {
	v, err := f.get(o, key)
	if err != nil {
		f.b.WriteString("[Getter]")
		return
	}
	f.value(v, depth)
}

func (f *localFmt) str(s string) {
	if len(s) > f.limit {
		s = truncate(s, f.limit)
	}
	f.b.WriteString(strconv.Quote(s))
}

func (f *localFmt) value(v goja.Value, depth int) {
	if f.full() {
		return
	}
	if v == nil || goja.IsUndefined(v) {
		f.b.WriteString("undefined")
		return
	}
	if goja.IsNull(v) {
		f.b.WriteString("null")
		return
	}
	o, ok := v.(*goja.Object)
	if !ok {
		if s, ok := v.Export().(string); ok {
			f.str(s)
			return
		}
		f.b.WriteString(v.String())
		return
	}
	if f.seen[o] {
		f.b.WriteString("[Circular]")
		return
	}
	switch o.ClassName() {
	case "Function":
		f.b.WriteString("function " + f.getString(o, "name", "") + "()")
		return
	case "Error":
		name, msg := f.getString(o, "name", "Error"), f.getString(o, "message", "")
		if msg == "" {
			f.b.WriteString(name)
		} else {
			f.b.WriteString(name + ": " + msg)
		}
		return
	case "Date":
		if t, ok := o.Export().(time.Time); ok {
			f.b.WriteString(strconv.Quote(t.UTC().Format(time.RFC3339Nano)))
			return
		}
		f.b.WriteString(o.String())
		return
	case "RegExp", "String", "Number", "Boolean", "Symbol", "BigInt":
		f.b.WriteString(o.String())
		return
	}
	f.seen[o] = true
	defer delete(f.seen, o)
	if o.ClassName() == "Array" {
		if depth >= traceMaxDepth {
			f.b.WriteString("[" + traceTruncateMarker + "]")
			return
		}
		n := o.Get("length").ToInteger()
		f.b.WriteByte('[')
		for i := int64(0); i < n; i++ {
			if i > 0 {
				f.b.WriteByte(',')
			}
			if i >= traceMaxItems || f.full() {
				f.b.WriteString(traceTruncateMarker)
				break
			}
			f.prop(o, strconv.FormatInt(i, 10), depth+1)
		}
		f.b.WriteByte(']')
		return
	}
	if depth >= traceMaxDepth {
		f.b.WriteString("{" + traceTruncateMarker + "}")
		return
	}
	f.b.WriteByte('{')
	for i, k := range o.Keys() {
		if i > 0 {
			f.b.WriteByte(',')
		}
		if i >= traceMaxItems || f.full() {
			f.b.WriteString(traceTruncateMarker)
			break
		}
		f.b.WriteString(strconv.Quote(k))
		f.b.WriteByte(':')
		f.prop(o, k, depth+1)
	}
	f.b.WriteByte('}')
}
