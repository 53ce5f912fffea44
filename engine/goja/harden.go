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
// interrupt. They are wrapped with checks of the result or input size:
//   - String.prototype.repeat, padStart, padEnd, concat and String.raw
//     (MaxStringLength);
//   - Array(n), Array.from on array-likes, every Array.prototype method,
//     the argument lists of Function.prototype.apply, Reflect.apply and
//     Reflect.construct, what concat, flat and flatMap make, and the
//     pieces split makes with a string separator (MaxArrayLength);
//   - a native reads an array-like's length again after the check, so an
//     array-like whose length could change between two reads (a getter
//     other than the typed arrays' own anywhere on its prototype chain, a
//     proxy, an object with valueOf as its length) is refused;
//   - ArrayBuffer and the typed-array constructors, TypedArray.from and
//     %TypedArray%.prototype.set (MaxBufferBytes, MaxArrayLength);
//   - replace, replaceAll and RegExp.prototype[Symbol.replace] get a
//     replacement function that expands $-patterns itself and counts the
//     total (MaxStringLength);
//   - Object.keys, values, entries, assign, getOwnPropertyNames,
//     getOwnPropertyDescriptors and Reflect.ownKeys on a string (one
//     property per character: MaxArrayLength);
//   - RegExp, RegExp.prototype.compile and match, matchAll and search
//     with a string compile at most MaxEvalSource characters of pattern.
//
// Built-ins that step through an iterator in Go (spread, Array.from, new
// Set and Map, Promise.all, ...) call its next method: the array, string,
// Map, Set and matchAll iterators' next are made JavaScript functions, so
// the time limit stops such a loop between two steps (dense arrays are
// still copied without their iterator). In the same way exec is a
// JavaScript function, so replace, match and split with a global
// regular expression stop between two matches. Regular expressions
// compiled with regexp2 (backtracking patterns) stop after
// RegexpMatchTimeout; exec and test are wrapped so that a match that ran
// out of time stops the execution (the other regular-expression methods
// go through exec once it is replaced).
//
// Two goja faults are avoided: Object.fromEntries on an entry with holes
// and the RegExp.prototype Symbol methods on an object without exec
// dereference nil Go pointers (the execution would fail with an internal
// error and its runtime be discarded); fromEntries is written here and
// the Symbol methods check for exec first.
//
// TestBuiltinSweep calls every function reachable from globalThis with
// hostile receivers and arguments to keep this list complete. The caps
// are set so that one native call at a cap takes tens of milliseconds,
// not seconds: a Go loop over 1 Mi elements took 0.3 to 2 s on a loaded
// 2-core machine, hence 64 Ki elements and 64 KiB buffers.
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
	// repeat, padStart, padEnd, join, concat, String.raw and
	// JSON.stringify produce, and the most characters the replacements of
	// one replace or replaceAll add up to.
	MaxStringLength = 1 << 20
	// MaxArrayLength is the longest array the Array constructor makes,
	// fill fills and Array.from makes from an array-like, the longest
	// length an Array.prototype method works on, the longest argument
	// list apply, Reflect.apply and Reflect.construct take, the most
	// elements concat, flat and flatMap make and pieces split makes with
	// a string, and the longest string Object.keys and its kin take.
	MaxArrayLength = 1 << 16
	// MaxBufferBytes is the largest ArrayBuffer, and typed array made
	// from a length, an array or an array-like, a script can make (a
	// view on a buffer has at most MaxBufferBytes elements).
	MaxBufferBytes = MaxArrayLength
	// MaxFlatDepth is the deepest Array.prototype.flat flattens.
	MaxFlatDepth = 64
	// MaxProxyChain is the longest chain of proxies whose target is a
	// proxy.
	MaxProxyChain = 64
	// MaxEvalSource is the longest source text eval and the Function
	// constructors compile, and the longest pattern of a regular
	// expression made at run time (RegExp, and match, matchAll and
	// search with a string).
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
	var MAXS = H.maxString, MAXA = H.maxArray, setProto = Object.setPrototypeOf;
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
	// A native built-in reads an array-like's length again after the
	// check: that second read must give the same answer. It does for
	// genuine arrays (an own data property) and for a data property
	// holding a primitive; a getter (other than the typed arrays' own),
	// a proxy or an object with valueOf anywhere on the way could lie.
	var P = Proxy, revocable = Proxy.revocable, depths = new WM(), isProxy = uncurry(WM.prototype.has);
	var PD = O.getOwnPropertyDescriptor, hasOwn = uncurry(O.prototype.hasOwnProperty);
	var taLength = PD(getProto(Uint8Array.prototype), 'length').get;
	var honest = function (o) {
		if (isProxy(depths, o)) { return false; }
		if (isArray(o)) { return true; }
		for (var p = o; p !== null; p = getProto(p)) {
			if (isProxy(depths, p)) { return false; }
			var d = PD(p, 'length');
			if (d !== undefined) {
				if (hasOwn(d, 'value')) { var t = typeof d.value; return t !== 'object' && t !== 'function'; }
				return d.get === taLength;
			}
		}
		return true;
	};
	var checkNative = function (o, what) {
		if (!honest(o)) { throw new TE(what + ': the length of an object with a length getter, a proxy or an object as its length is not supported'); }
		return checkLen(o, what);
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
		// The parts are strings, so the native join does not recurse.
		var parts = [], total = len > 0 ? (len - 1) * sep.length : 0;
		if (total > MAXS) { throw tooLong('Array.prototype.join'); }
		for (var i = 0; i < len; i++) {
			var e = o[i], p = e === undefined || e === null ? '' : S(e);
			total += p.length;
			if (total > MAXS) { throw tooLong('Array.prototype.join'); }
			push(parts, p);
		}
		return nativeJoin(parts, sep);
	};
	var toString = function toString() {
		var o = O(this), j = o.join;
		if (typeof j !== 'function') { return objToString(o); }
		return RA(j, o, []);
	};
	// Parts joined once, as join does: a string built by += over 65,536
	// elements is copied at each step (gigabytes of garbage).
	var toLocaleString = function toLocaleString() {
		var o = O(this), len = checkLen(o, 'Array.prototype.toLocaleString');
		var parts = [], total = len > 0 ? len - 1 : 0;
		if (total > MAXS) { throw tooLong('Array.prototype.toLocaleString'); }
		for (var i = 0; i < len; i++) {
			var e = o[i], p = '';
			if (e !== undefined && e !== null) {
				var f = O(e).toLocaleString;
				p = S(RA(f, e, []));
			}
			total += p.length;
			if (total > MAXS) { throw tooLong('Array.prototype.toLocaleString'); }
			push(parts, p);
		}
		return nativeJoin(parts, ',');
	};

	// flatSize counts the elements flat(d) would make, stopping past MAXA.
	var flatSize = function (o, d, what) {
		var total = 0, todo = [o, d];
		while (todo.length > 0) {
			var dd = pop(todo), a = pop(todo), n = checkNative(a, what);
			if (dd === 0) { // an upper bound: holes are counted
				total += n;
				if (total > MAXA) { throw new RE(what + ' would make more than ' + MAXA + ' elements'); }
				continue;
			}
			for (var i = 0; i < n; i++) {
				if (!(i in a)) { continue; }
				var e = a[i];
				if (dd > 0 && isArray(e)) { push(todo, e, dd - 1); } else { total++; }
				if (total > MAXA) { throw new RE(what + ' would make more than ' + MAXA + ' elements'); }
			}
		}
	};
	// spreadLen is how many elements concat takes from v.
	var spreadLen = function (v, what) {
		if ((typeof v !== 'object' || v === null) && typeof v !== 'function') { return 1; }
		var sp = v[Symbol.isConcatSpreadable];
		if (sp === undefined ? !isArray(v) : !sp) { return 1; }
		return checkNative(v, what);
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
					var o = O(this);
					checkNative(o, what);
					var d = depth === undefined ? 1 : (MathTrunc(N(depth)) || 0);
					if (d > H.maxFlat) { d = H.maxFlat; }
					flatSize(o, d, what);
					return RA(f, this, [d]);
				}}.flat;
				break;
			case 'flatMap':
				w = {flatMap: function (fn, thisArg) {
					checkNative(O(this), what);
					var total = 0;
					var g = typeof fn !== 'function' ? fn : function (x, i, a) {
						var r = RA(fn, thisArg, [x, i, a]);
						if (isArray(r)) { total += checkNative(r, what); } else { total++; }
						if (total > MAXA) { throw new RE(what + ' would make more than ' + MAXA + ' elements'); }
						return r;
					};
					return RA(f, this, [g]);
				}}.flatMap;
				break;
			case 'concat':
				w = {concat: function () {
					var o = O(this), total = spreadLen(o, what);
					for (var k = 0; k < arguments.length; k++) {
						total += spreadLen(arguments[k], what);
						if (total > MAXA) { throw new RE(what + ' would make more than ' + MAXA + ' elements'); }
					}
					return RA(f, this, arguments);
				}}.concat;
				break;
			case 'fill':
				w = {fill: function (value, start, end) {
					checkNative(O(this), what);
					return RA(f, this, arguments);
				}}.fill;
				break;
			default:
				w = {[name]: function () {
					checkNative(O(this), what);
					return RA(f, this, arguments);
				}}[name];
			}
			redefine(AP, name, w);
		})(names[i]);
	}
	// Spread, Array.from, new Set, Promise.all and every other built-in
	// that takes an iterable step through it in Go, calling the
	// iterator's next: next is made a JavaScript function, so that the
	// time limit stops such a loop (over a sparse array of length
	// 2**32-1, or a long string) between two steps. Dense arrays are
	// copied by goja without their iterator.
	var wrapNext = function (it) {
		var proto = getProto(it), next = proto.next;
		redefine(proto, 'next', {next: function () { return RA(next, this, []); }}.next);
	};
	wrapNext(RA(AP.values, [], []));
	wrapNext(''[Symbol.iterator]());
	wrapNext(new Map()[Symbol.iterator]());
	wrapNext(new Set()[Symbol.iterator]());
	wrapNext(RegExp.prototype[Symbol.matchAll].call(/x/g, ''));
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
			checkNative(O(items), 'Array.from');
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

	// ---- argument lists: apply, Reflect.apply, Reflect.construct ----
	// The natives copy an array-like of arguments into a Go slice of its
	// length: bound it, and refuse a length that could change.
	var args = function (a, what) {
		if ((typeof a === 'object' && a !== null) || typeof a === 'function') { checkNative(a, what); }
		return a;
	};
	var applyW = {apply: function (thisArg, argArray) {
		if (typeof this !== 'function') { throw new TE('Function.prototype.apply called on a value that is not a function'); }
		return RA(this, thisArg, argArray === undefined || argArray === null ? [] : args(argArray, 'Function.prototype.apply'));
	}}.apply;
	redefine(FP, 'apply', applyW);
	redefine(Reflect, 'apply', {apply: function (target, thisArg, argList) {
		return RA(target, thisArg, args(argList, 'Reflect.apply'));
	}}.apply);
	redefine(Reflect, 'construct', {construct: function (target, argList) {
		return RC(target, args(argList, 'Reflect.construct'), arguments.length > 2 ? arguments[2] : target);
	}}.construct);

	// ---- strings whose result multiplies their inputs ----
	var nativeConcat = uncurry(SP.concat), slice = uncurry(SP.slice), sIndexOf = uncurry(SP.indexOf), charCodeAt = uncurry(SP.charCodeAt);
	redefine(SP, 'concat', {concat: function () {
		if (this === null || this === undefined) { throw new TE('String.prototype.concat called on null or undefined'); }
		var s = S(this), total = s.length, parts = [s];
		for (var i = 0; i < arguments.length; i++) {
			var a = S(arguments[i]);
			total += a.length;
			if (total > MAXS) { throw tooLong('String.prototype.concat'); }
			push(parts, a);
		}
		return nativeJoin(parts, '');
	}}.concat);
	var nativeSplit = SP.split;
	redefine(SP, 'split', {split: function (separator, limit) {
		// A string separator is searched in Go: split into at most
		// MAXA + 1 pieces, and refuse more than MAXA.
		if (this !== null && this !== undefined && separator !== null && separator !== undefined &&
			typeof separator[Symbol.split] !== 'function' && (limit === undefined || toLength(limit) > MAXA)) {
			var r = RA(nativeSplit, this, [separator, MAXA + 1]);
			if (r.length > MAXA) { throw new RE('String.prototype.split would make more than ' + MAXA + ' pieces'); }
			return r;
		}
		return RA(nativeSplit, this, arguments);
	}}.split);
	redefine(S, 'raw', {raw: function (template) {
		var raw = O(O(template).raw), n = checkLen(raw, 'String.raw'), r = '';
		for (var i = 0; i < n; i++) {
			r += S(raw[i]);
			if (i + 1 < n && i + 1 < arguments.length) { r += S(arguments[i + 1]); }
			if (r.length > MAXS) { throw tooLong('String.raw'); }
		}
		return r;
	}}.raw);
	// A replacement string is expanded here ($&, $1, $<name>, ...), so
	// that the total of the replacements is counted and bounded: one
	// replace on a long string with many matches could otherwise build a
	// result of its length times the replacement's in one native call.
	var expand = function (rs, al) {
		var n = al.length, groups, str, pos;
		if (typeof al[n - 1] === 'object' && al[n - 1] !== null) { groups = al[n - 1]; n--; }
		str = al[n - 1]; pos = al[n - 2];
		var m = al[0], caps = n - 3, r = '', i = 0, j;
		while ((j = sIndexOf(rs, '$', i)) >= 0) {
			r += slice(rs, i, j);
			var c = rs[j + 1], d1 = charCodeAt(rs, j + 1) - 48, d2 = charCodeAt(rs, j + 2) - 48;
			i = j + 2;
			if (c === '$') { r += '$'; }
			else if (c === '&') { r += m; }
			else if (c === '\x60') { r += slice(str, 0, pos); }
			else if (c === "'") { r += slice(str, pos + m.length); }
			else if (d1 >= 0 && d1 <= 9) {
				var k = d1;
				if (d2 >= 0 && d2 <= 9 && d1 * 10 + d2 >= 1 && d1 * 10 + d2 <= caps) { k = d1 * 10 + d2; i++; }
				if (k >= 1 && k <= caps) { var v = al[k]; r += v === undefined ? '' : v; }
				else { r += '$' + c; }
			} else if (c === '<' && groups !== undefined) {
				var e = sIndexOf(rs, '>', j + 2);
				if (e < 0) { r += '$<'; }
				else { var g = groups[slice(rs, j + 2, e)]; r += g === undefined ? '' : S(g); i = e + 1; }
			} else { r += '$'; i = j + 1; }
			if (r.length > MAXS) { throw tooLong('a replacement'); }
		}
		return r + slice(rs, i);
	};
	var counted = function (repl, what) {
		var total = 0, fn = typeof repl === 'function', rs = fn ? '' : S(repl), dollar = !fn && sIndexOf(rs, '$') >= 0;
		return function () {
			var r = fn ? S(RA(repl, undefined, arguments)) : dollar ? expand(rs, arguments) : rs;
			total += r.length;
			if (total > MAXS) { throw new RE(what + ': the replacements would be longer than ' + MAXS + ' characters'); }
			return r;
		};
	};
	var wrapReplace = function (f, what) {
		return {[what]: function (pattern, repl) {
			return RA(f, this, [pattern, counted(repl, what)]);
		}}[what];
	};
	redefine(SP, 'replace', wrapReplace(SP.replace, 'String.prototype.replace'));
	redefine(SP, 'replaceAll', wrapReplace(SP.replaceAll, 'String.prototype.replaceAll'));
	// goja's RegExp.prototype[Symbol.match] and friends call a nil Go
	// function when this has no exec: refuse that first.
	var needExec = function (rx, what) {
		if ((typeof rx !== 'object' || rx === null) && typeof rx !== 'function') { throw new TE(what + ' called on a value that is not an object'); }
		if (typeof rx.exec !== 'function') { throw new TE(what + ' called on an object without an exec method'); }
	};
	var reReplace = RegExp.prototype[Symbol.replace];
	redefine(RegExp.prototype, Symbol.replace, {'[Symbol.replace]': function (string, repl) {
		needExec(this, 'RegExp.prototype[Symbol.replace]');
		return RA(reReplace, this, [string, counted(repl, 'RegExp.prototype[Symbol.replace]')]);
	}}['[Symbol.replace]']);
	var symNames = ['match', 'matchAll', 'search', 'split'];
	for (var si = 0; si < symNames.length; si++) {
		(function (name) {
			var sym = Symbol[name], f = RegExp.prototype[sym], what = 'RegExp.prototype[Symbol.' + name + ']';
			redefine(RegExp.prototype, sym, {[what]: function () {
				needExec(this, what);
				return RA(f, this, arguments);
			}}[what]);
		})(symNames[si]);
	}

	// ---- a long string as an object: one property per character ----
	var strLen = function (v, what) {
		if (typeof v === 'string' || v instanceof S) {
			var n = S(v).length;
			if (n > MAXA) { throw new RE(what + ' on a string of ' + n + ' characters: more than ' + MAXA + ' properties'); }
		}
	};
	var objFns = [[O, 'assign'], [O, 'keys'], [O, 'values'], [O, 'entries'], [O, 'getOwnPropertyNames'], [O, 'getOwnPropertyDescriptors'], [Reflect, 'ownKeys']];
	for (var oi = 0; oi < objFns.length; oi++) {
		(function (holder, name) {
			var f = holder[name], what = (holder === O ? 'Object.' : 'Reflect.') + name;
			redefine(holder, name, {[name]: function () {
				for (var k = 0; k < arguments.length; k++) { strLen(arguments[k], what); }
				return RA(f, this, arguments);
			}}[name]);
		})(objFns[oi][0], objFns[oi][1]);
	}

	// goja's Object.fromEntries dereferences a nil Go pointer on an entry
	// with holes: written here instead.
	redefine(O, 'fromEntries', {fromEntries: function (iterable) {
		if (iterable === null || iterable === undefined) { throw new TE('Object.fromEntries requires an iterable'); }
		var o = {};
		for (var e of iterable) {
			if ((typeof e !== 'object' || e === null) && typeof e !== 'function') { throw new TE('Iterator value ' + S(e) + ' is not an entry object'); }
			var k = e[0], v = e[1];
			defineProperty(o, typeof k === 'symbol' ? k : S(k), {value: v, writable: true, enumerable: true, configurable: true});
		}
		return o;
	}}.fromEntries);

	// ---- regular expressions: compiling a long pattern is slow ----
	var REG = RegExp, MAXSRC = H.maxSource;
	var checkPattern = function (p, what) {
		var src = p instanceof REG ? p.source : p === undefined ? '' : S(p);
		if (src.length > MAXSRC) { throw new RE(what + ': a pattern of ' + src.length + ' characters: more than ' + MAXSRC); }
	};
	var RegExpW = function RegExp(pattern, flags) {
		checkPattern(pattern, 'RegExp');
		if (!new.target) { return RA(REG, undefined, arguments); }
		return RC(REG, arguments, new.target === RegExpW ? REG : new.target);
	};
	RegExpW.prototype = REG.prototype;
	redefine(REG.prototype, 'constructor', RegExpW);
	redefine(G, 'RegExp', RegExpW);
	var strRegexp = function (name, sym) {
		var f = SP[name], what = 'String.prototype.' + name;
		redefine(SP, name, {[name]: function (regexp) {
			if (regexp === null || regexp === undefined || typeof regexp[sym] !== 'function') { checkPattern(regexp, what); }
			return RA(f, this, arguments);
		}}[name]);
	};
	strRegexp('match', Symbol.match);
	strRegexp('matchAll', Symbol.matchAll);
	strRegexp('search', Symbol.search);
	if (typeof REG.prototype.compile === 'function') {
		var compile = REG.prototype.compile;
		redefine(REG.prototype, 'compile', {compile: function (pattern, flags) {
			checkPattern(pattern, 'RegExp.prototype.compile');
			return RA(compile, this, arguments);
		}}.compile);
	}

	// ---- typed arrays and buffers ----
	var MAXB = H.maxBuffer, AB = ArrayBuffer, TA = getProto(Uint8Array), isView = AB.isView;
	var tooBig = function (what, n) { return new RE(what + ' of ' + n + ' bytes: more than ' + MAXB); };
	var index = function (v) { v = MathTrunc(N(v)) || 0; return v < 0 ? 0 : v; };
	var ABW = function ArrayBuffer(length) {
		if (!new.target) { throw new TE("Constructor ArrayBuffer requires 'new'"); }
		var n = index(length);
		if (n > MAXB) { throw tooBig('ArrayBuffer', n); }
		return RC(AB, arguments, new.target === ABW ? AB : new.target);
	};
	ABW.prototype = AB.prototype;
	redefine(AB.prototype, 'constructor', ABW);
	redefine(ABW, 'isView', isView);
	redefine(G, 'ArrayBuffer', ABW);
	// elems is how many elements a typed array made from v would have.
	var elems = function (v, what) {
		if ((typeof v !== 'object' || v === null) && typeof v !== 'function') { return index(v); }
		if (v instanceof AB || isView(v)) { return 0; } // a view or a copy of memory that exists
		if (typeof v[Symbol.iterator] === 'function' && !isArray(v)) { return 0; } // iterators step through JavaScript or bounded collections
		return checkNative(v, what);
	};
	var TAS = ['Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array', 'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array', 'Float16Array'];
	var taFrom = TA.from;
	redefine(TA, 'from', {from: function (source) {
		var n = elems(source, 'TypedArray.from');
		var size = this && this.BYTES_PER_ELEMENT ? n * this.BYTES_PER_ELEMENT : n;
		if (size > MAXB) { throw tooBig('TypedArray.from', size); }
		return RA(taFrom, this, arguments);
	}}.from);
	for (var ti = 0; ti < TAS.length; ti++) {
		(function (name) {
			var T = G[name];
			if (typeof T !== 'function') { return; }
			var bpe = T.BYTES_PER_ELEMENT;
			var W = {[name]: function (a) {
				if (!new.target) { throw new TE('Constructor ' + name + " requires 'new'"); }
				var size = elems(a, name) * bpe;
				if (size > MAXB) { throw tooBig(name, size); }
				return RC(T, arguments, new.target === W ? T : new.target);
			}}[name];
			setProto(W, TA);
			defineProperty(W, 'prototype', {value: T.prototype});
			defineProperty(W, 'BYTES_PER_ELEMENT', {value: bpe});
			redefine(T.prototype, 'constructor', W);
			redefine(G, name, W);
		})(TAS[ti]);
	}
	var taSet = TA.prototype.set;
	redefine(TA.prototype, 'set', {set: function (source, offset) {
		if ((typeof source === 'object' && source !== null) && !isView(source)) { checkNative(source, '%TypedArray%.prototype.set'); }
		return RA(taSet, this, arguments);
	}}.set);

	// ---- proxies ----
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
	h.Set("maxBuffer", MaxBufferBytes)
	h.Set("maxSource", MaxEvalSource)
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
	// replace, replaceAll, match and split call exec once per match in
	// Go; through a JavaScript exec the time limit stops them between
	// two matches (a global pattern on a long string has as many
	// matches as characters).
	wrap, err := rt.RunString(execWrapSource)
	if err != nil {
		panic(err)
	}
	wf, _ := goja.AssertFunction(wrap)
	if _, err := wf(goja.Undefined(), rp); err != nil {
		panic(err)
	}
	if testNative != nil {
		rt.Set(testNative.name, testNative.fn)
	}
}

const execWrapSource = `(function (RP) {
	var RA = Reflect.apply, exec = RP.exec;
	RP.exec = {exec: function (s) { return RA(exec, this, [s]); }}.exec;
})`

// testNative, if set (by tests only, before runtimes are made), is a
// global function installed in every runtime: a stand-in for a built-in
// that does not look at the interrupt.
var testNative *struct {
	name string
	fn   func(goja.FunctionCall) goja.Value
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
