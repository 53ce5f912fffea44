package goja

// Hardening: built-ins that would let one execution take the process down.
//
// Some of goja's built-ins recurse in Go on the script's data (JSON.parse
// on deeply nested text, JSON.stringify, Array.prototype.join, toString
// and toLocaleString on deeply nested arrays, flat, chains of proxies) or
// on source text (eval, the Function constructors). Go's stack overflow
// is fatal and cannot be recovered, so these are replaced, at runtime
// creation and before any script runs, by versions that cannot recurse
// deeper than a bound: JSON.parse scans its text's nesting first;
// JSON.stringify, join, toString and toLocaleString are written in
// JavaScript, so their recursion counts against the call-stack limit;
// flat's depth and proxy-of-proxy chains are capped; eval and the
// Function constructors refuse long or deeply nested source.
//
// Others run long loops or allocate in Go without looking at the
// interrupt: String.prototype.repeat, padStart and padEnd, Array.from on
// array-likes and Array.prototype methods on arrays with a huge length.
// They are wrapped with checks of the result or input size. Regular
// expressions compiled with regexp2 (backtracking patterns) stop after
// RegexpMatchTimeout; exec and test are wrapped so that a match that ran
// out of time stops the execution (the other regular-expression methods
// go through exec once it is replaced).
//
// The replacements call the originals only through functions bound when
// the runtime was made, so a script that replaces Function.prototype.call
// or Reflect.apply never gets hold of an original.

import (
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/dlclark/regexp2/v2"
	"github.com/dop251/goja"
)

// Limits of built-ins (the same for every UDF).
const (
	// MaxNesting is the deepest nesting of arrays and objects JSON.parse
	// accepts, and of brackets in a script or in source text given to
	// eval or new Function.
	MaxNesting = 256
	// MaxStringLength is the longest string (in UTF-16 code units) that
	// repeat, padStart, padEnd, join and JSON.stringify produce.
	MaxStringLength = 1 << 20
	// MaxArrayLength is the longest array the Array constructor makes,
	// fill fills and Array.from makes from an array-like, and the longest
	// length an Array.prototype method works on.
	MaxArrayLength = 1 << 20
	// MaxFlatDepth is the deepest Array.prototype.flat flattens.
	MaxFlatDepth = 64
	// MaxProxyChain is the longest chain of proxies whose target is a
	// proxy.
	MaxProxyChain = 64
	// MaxEvalSource is the longest source text eval and the Function
	// constructors compile.
	MaxEvalSource = 16 << 10
	// MaxScriptSize is the longest UDF script compiled.
	MaxScriptSize = 256 << 10
	// RegexpMatchTimeout bounds one match of a regular expression that
	// needs backtracking; a match that runs out of it stops the execution.
	// regexp2 checks it against a clock that ticks every 100 ms, so a
	// match stops between RegexpMatchTimeout-100ms and
	// RegexpMatchTimeout+100ms; a failed match that took longer than
	// regexpSlow is taken as one that ran out of time.
	RegexpMatchTimeout = 200 * time.Millisecond
	regexpSlow         = RegexpMatchTimeout - 100*time.Millisecond
	// MaxErrorText bounds the error text kept in an execution record.
	MaxErrorText = 1024
)

func init() {
	// Every regexp2 pattern compiled from now on (goja's backtracking
	// patterns) stops a match after this long instead of running forever.
	regexp2.DefaultMatchTimeout = RegexpMatchTimeout
}

// errRegexp interrupts an execution whose regular expression ran out of
// time.
var errRegexp = fmt.Errorf("a regular expression match ran out of its time (%s)", RegexpMatchTimeout)

// checkNesting reports whether src nests brackets ([, {, ( and their
// closers, wherever they are, strings and comments included) deeper than
// max: a cheap, conservative bound on the parser's recursion.
func checkNesting(src string, max int) error {
	depth := 0
	for i := 0; i < len(src); i++ {
		switch src[i] {
		case '[', '{', '(':
			depth++
			if depth > max {
				return fmt.Errorf("nesting deeper than %d levels", max)
			}
		case ']', '}', ')':
			if depth > 0 {
				depth--
			}
		}
	}
	return nil
}

// checkJSONNesting reports whether JSON text s nests arrays and objects
// deeper than max (brackets inside strings do not count).
func checkJSONNesting(s string, max int) bool {
	depth, inStr := 0, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if inStr {
			switch c {
			case '\\':
				i++
			case '"':
				inStr = false
			}
			continue
		}
		switch c {
		case '"':
			inStr = true
		case '[', '{':
			depth++
			if depth > max {
				return false
			}
		case ']', '}':
			depth--
		}
	}
	return true
}

// hardenSource installs the replacements. It runs once per runtime, before
// any script, so the intrinsics it captures are the originals.
const hardenSource = `(function (G, H) {
	'use strict';
	var FP = Function.prototype, call = FP.call, bind = FP.bind;
	var uncurry = function (f) { return bind.call(call, f); };
	var RA = Reflect.apply, RC = Reflect.construct, defineProperty = Object.defineProperty;
	var getProto = Object.getPrototypeOf, keys = Object.keys, isArray = Array.isArray, O = Object, S = String, N = Number;
	var RE = RangeError, TE = TypeError, WM = WeakMap, MathMin = Math.min, MathTrunc = Math.trunc;
	var AP = Array.prototype, SP = String.prototype;
	var push = uncurry(AP.push), indexOf = uncurry(AP.indexOf), pop = uncurry(AP.pop);
	var nativeJoin = uncurry(AP.join), objToString = uncurry(O.prototype.toString);
	var nativeStringify = JSON.stringify, nativeParse = JSON.parse;
	var numValue = uncurry(N.prototype.valueOf), strValue = uncurry(S.prototype.valueOf), boolValue = uncurry(Boolean.prototype.valueOf);
	var MAXS = H.maxString, MAXA = H.maxArray;
	var redefine = function (o, name, f) {
		defineProperty(o, name, {value: f, writable: true, enumerable: false, configurable: true});
	};
	var tooLong = function (what) { return new RE(what + ' would be longer than ' + MAXS + ' characters'); };
	var toLength = function (v) {
		v = MathTrunc(N(v)) || 0;
		return v < 0 ? 0 : v;
	};
	var checkLen = function (o, what) {
		var n = toLength(o.length);
		if (n > MAXA) { throw new RE(what + ' on ' + n + ' elements: more than ' + MAXA); }
		return n;
	};

	// ---- JSON ----
	var quote = function (s) { return nativeStringify(s); };
	var unwrap = function (v) {
		if (v instanceof N) { try { return numValue(v); } catch (e) {} }
		if (v instanceof S) { try { return strValue(v); } catch (e) {} }
		if (v instanceof Boolean) { try { return boolValue(v); } catch (e) {} }
		return v;
	};
	var sortKeys = uncurry(AP.sort);
	var makeStringify = function (sorted) { return function stringify(value, replacer, space) {
		var rf = typeof replacer === 'function' ? replacer : undefined, plist;
		if (!rf && isArray(replacer)) {
			plist = [];
			var rl = checkLen(replacer, 'JSON.stringify');
			for (var i = 0; i < rl; i++) {
				var v = replacer[i], item;
				item = undefined;
				if (typeof v === 'string') { item = v; }
				else if (typeof v === 'number') { item = S(v); }
				else if (typeof v === 'object' && v !== null && (v instanceof S || v instanceof N)) { item = S(v); }
				if (item !== undefined && indexOf(plist, item) < 0) { push(plist, item); }
			}
		}
		if (typeof space === 'object' && space !== null) { space = unwrap(space); }
		var gap = '';
		if (typeof space === 'number') {
			var n = MathMin(10, MathTrunc(space) || 0);
			gap = n >= 1 ? '          '.slice(0, n) : '';
		} else if (typeof space === 'string') {
			gap = space.slice(0, 10);
		}
		var stack = [], indent = '', total = 0;
		var add = function (s) {
			total += s.length;
			if (total > MAXS) { throw tooLong('JSON.stringify'); }
		};
		var str = function (key, holder) {
			var value = holder[key];
			if ((typeof value === 'object' && value !== null) || typeof value === 'bigint') {
				var tj = value.toJSON;
				if (typeof tj === 'function') { value = RA(tj, value, [key]); }
			}
			if (rf) { value = RA(rf, holder, [key, value]); }
			if (typeof value === 'object' && value !== null) { value = unwrap(value); }
			if (value === null) { return 'null'; }
			switch (typeof value) {
			case 'boolean': return value ? 'true' : 'false';
			case 'string': add(value); return quote(value);
			case 'number': return isFinite(value) ? S(value) : 'null';
			case 'bigint': throw new TE('Do not know how to serialize a BigInt');
			case 'object':
				if (indexOf(stack, value) >= 0) { throw new TE('Converting circular structure to JSON'); }
				push(stack, value);
				var stepback = indent, partial = [], res;
				indent += gap;
				if (isArray(value)) {
					var len = checkLen(value, 'JSON.stringify');
					for (var i = 0; i < len; i++) {
						var s = str(S(i), value);
						push(partial, s === undefined ? 'null' : s);
					}
					if (partial.length === 0) { res = '[]'; }
					else if (gap) { res = '[\n' + indent + nativeJoin(partial, ',\n' + indent) + '\n' + stepback + ']'; }
					else { res = '[' + nativeJoin(partial, ',') + ']'; }
				} else {
					var ks = plist || keys(value);
					if (sorted && !plist) { sortKeys(ks); }
					for (var j = 0; j < ks.length; j++) {
						var k = ks[j], sv = str(k, value);
						if (sv !== undefined) {
							var member = quote(k) + ':' + (gap ? ' ' : '') + sv;
							add(k);
							push(partial, member);
						}
					}
					if (partial.length === 0) { res = '{}'; }
					else if (gap) { res = '{\n' + indent + nativeJoin(partial, ',\n' + indent) + '\n' + stepback + '}'; }
					else { res = '{' + nativeJoin(partial, ',') + '}'; }
				}
				add(res);
				pop(stack);
				indent = stepback;
				return res;
			}
			return undefined;
		};
		var wrapper = {'': value};
		return str('', wrapper);
	}; };
	var stringify = makeStringify(false);
	var parse = function parse(text, reviver) {
		text = S(text);
		if (!H.jsonNestingOK(text)) { throw new RE('JSON.parse: nesting deeper than ' + H.maxNesting + ' levels'); }
		if (typeof reviver === 'function') { return nativeParse(text, reviver); }
		return nativeParse(text);
	};
	redefine(JSON, 'stringify', stringify);
	redefine(JSON, 'parse', parse);

	// ---- join, toString, toLocaleString ----
	var join = function join(sep) {
		var o = O(this), len = checkLen(o, 'Array.prototype.join');
		sep = sep === undefined ? ',' : S(sep);
		var r = '';
		for (var i = 0; i < len; i++) {
			if (i > 0) { r += sep; }
			var e = o[i];
			if (e !== undefined && e !== null) { r += S(e); }
			if (r.length > MAXS) { throw tooLong('Array.prototype.join'); }
		}
		return r;
	};
	var toString = function toString() {
		var o = O(this), j = o.join;
		if (typeof j !== 'function') { return objToString(o); }
		return RA(j, o, []);
	};
	var toLocaleString = function toLocaleString() {
		var o = O(this), len = checkLen(o, 'Array.prototype.toLocaleString'), r = '';
		for (var i = 0; i < len; i++) {
			if (i > 0) { r += ','; }
			var e = o[i];
			if (e !== undefined && e !== null) {
				var f = O(e).toLocaleString;
				r += S(RA(f, e, []));
			}
			if (r.length > MAXS) { throw tooLong('Array.prototype.toLocaleString'); }
		}
		return r;
	};

	// ---- other Array.prototype methods: length bound ----
	var names = Object.getOwnPropertyNames(AP);
	for (var i = 0; i < names.length; i++) {
		(function (name) {
			var f = AP[name];
			if (typeof f !== 'function' || name === 'constructor') { return; }
			var what = 'Array.prototype.' + name;
			var w;
			switch (name) {
			case 'join': w = join; break;
			case 'toString': w = toString; break;
			case 'toLocaleString': w = toLocaleString; break;
			case 'flat':
				w = {flat: function (depth) {
					checkLen(O(this), what);
					var d = depth === undefined ? 1 : (MathTrunc(N(depth)) || 0);
					if (d > H.maxFlat) { d = H.maxFlat; }
					return RA(f, this, [d]);
				}}.flat;
				break;
			case 'fill':
				w = {fill: function (value, start, end) {
					checkLen(O(this), what);
					return RA(f, this, arguments);
				}}.fill;
				break;
			default:
				w = {[name]: function () {
					checkLen(O(this), what);
					return RA(f, this, arguments);
				}}[name];
			}
			redefine(AP, name, w);
		})(names[i]);
	}
	// Array(n) and new Array(n)
	var A = Array;
	var ArrayW = function Array(n) {
		if (arguments.length === 1 && typeof n === 'number' && n > MAXA) {
			throw new RE('Array of ' + n + ' elements: more than ' + MAXA);
		}
		return RC(A, arguments, new.target || A);
	};
	ArrayW.prototype = AP;
	redefine(AP, 'constructor', ArrayW);
	redefine(ArrayW, 'isArray', isArray);
	redefine(ArrayW, 'of', A.of);
	var from = A.from;
	redefine(ArrayW, 'from', function from_(items, mapFn, thisArg) {
		if (items !== null && items !== undefined && typeof items[Symbol.iterator] !== 'function') {
			checkLen(O(items), 'Array.from');
		}
		return RA(from, this === ArrayW ? A : this, arguments);
	});
	redefine(G, 'Array', ArrayW);

	// ---- strings ----
	var repeat = uncurry(SP.repeat), padStart = uncurry(SP.padStart), padEnd = uncurry(SP.padEnd);
	redefine(SP, 'repeat', function repeat_(count) {
		if (this === null || this === undefined) { throw new TE('String.prototype.repeat called on null or undefined'); }
		var s = S(this), n = MathTrunc(N(count)) || 0;
		if (n > 0 && s.length > 0 && s.length * n > MAXS) { throw tooLong('String.prototype.repeat'); }
		return repeat(s, n);
	});
	var pad = function (f, what) {
		return function (maxLength, fillString) {
			if (this === null || this === undefined) { throw new TE(what + ' called on null or undefined'); }
			var s = S(this), n = toLength(maxLength);
			if (n > MAXS) { throw tooLong(what); }
			return f(s, n, fillString);
		};
	};
	redefine(SP, 'padStart', pad(padStart, 'String.prototype.padStart'));
	redefine(SP, 'padEnd', pad(padEnd, 'String.prototype.padEnd'));

	// ---- proxies ----
	var P = Proxy, revocable = Proxy.revocable, depths = new WM();
	var proxyDepth = function (target) {
		var d = 0;
		if ((typeof target === 'object' && target !== null) || typeof target === 'function') {
			d = depths.get(target) || 0;
		}
		if (d >= H.maxProxy) { throw new RE('a chain of more than ' + H.maxProxy + ' proxies'); }
		return d + 1;
	};
	var ProxyW = function Proxy(target, handler) {
		if (!new.target) { throw new TE("Constructor Proxy requires 'new'"); }
		var d = proxyDepth(target), p = new P(target, handler);
		depths.set(p, d);
		return p;
	};
	redefine(ProxyW, 'revocable', function revocable_(target, handler) {
		var d = proxyDepth(target), r = revocable(target, handler);
		depths.set(r.proxy, d);
		return r;
	});
	redefine(G, 'Proxy', ProxyW);

	// ---- source text: eval and the Function constructors ----
	var checkSource = H.checkSource;
	var evalW = function (x) {
		if (typeof x === 'string') { var msg = checkSource(x); if (msg) { throw new RE(msg); } }
		return (0, H.eval)(x);
	};
	var wrapCtor = function (F) {
		var W = function Function() {
			var total = '';
			for (var i = 0; i < arguments.length; i++) { total += S(arguments[i]) + ','; }
			var msg = checkSource(total);
			if (msg) { throw new RE(msg); }
			return RC(F, arguments, new.target || F);
		};
		W.prototype = F.prototype;
		redefine(F.prototype, 'constructor', W);
		return W;
	};
	defineProperty(evalW, 'name', {value: 'eval', configurable: true});
	redefine(G, 'Function', wrapCtor(Function));
	wrapCtor(getProto(function* () {}).constructor);
	wrapCtor(getProto(async function () {}).constructor);
	return {eval: evalW, stringifySorted: makeStringify(true)};
})`

// harden installs the replacements on m's runtime (once, at creation).
func (m *vm) harden() {
	rt := m.rt
	v, err := rt.RunString(hardenSource)
	if err != nil {
		panic(err)
	}
	fn, _ := goja.AssertFunction(v)
	h := rt.NewObject()
	h.Set("maxString", MaxStringLength)
	h.Set("maxArray", MaxArrayLength)
	h.Set("maxNesting", MaxNesting)
	h.Set("maxFlat", MaxFlatDepth)
	h.Set("maxProxy", MaxProxyChain)
	h.Set("eval", rt.Get("eval"))
	h.Set("jsonNestingOK", func(s string) bool { return checkJSONNesting(s, MaxNesting) })
	h.Set("checkSource", func(s string) string {
		if len(s) > MaxEvalSource {
			return fmt.Sprintf("source text of %d bytes: more than %d", len(s), MaxEvalSource)
		}
		if err := checkNesting(s, MaxNesting); err != nil {
			return err.Error()
		}
		return ""
	})
	res, err := fn(goja.Undefined(), rt.GlobalObject(), h)
	if err != nil {
		panic(err)
	}
	ro := res.ToObject(rt)
	if err := rt.GlobalObject().DefineDataProperty("eval", ro.Get("eval"), goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_FALSE); err != nil {
		panic(err)
	}
	m.stringify, _ = goja.AssertFunction(ro.Get("stringifySorted"))

	// exec: a backtracking match that ran out of time returns no match;
	// the execution stops instead of going on with a wrong answer.
	rp := rt.Get("RegExp").ToObject(rt).Get("prototype").ToObject(rt)
	for _, name := range []string{"exec", "test"} {
		orig, _ := goja.AssertFunction(rp.Get(name))
		rp.DefineDataProperty(name, rt.ToValue(func(c goja.FunctionCall) goja.Value {
			t0 := time.Now()
			v, err := orig(c.This, c.Arguments...)
			if err != nil {
				panic(err)
			}
			if time.Since(t0) >= regexpSlow && !v.ToBoolean() {
				rt.Interrupt(errRegexp)
			}
			return v
		}), goja.FLAG_TRUE, goja.FLAG_FALSE, goja.FLAG_TRUE)
	}
}

// cut shortens an error text to MaxErrorText bytes.
func cut(s string) string {
	if len(s) <= MaxErrorText {
		return s
	}
	s = s[:MaxErrorText]
	for len(s) > 0 && !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s + "…"
}
