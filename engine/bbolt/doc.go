// Package bbolt stores a Twin Studio project in one bbolt file (the .twin
// project file): it implements engine.Store.
//
// Open takes an exclusive lock on the file for the life of the Store, so
// one process (the studio or `twin serve`) owns a project at a time; a
// second Open fails after Options.Timeout with ErrLocked. The engine calls
// Load once, then Apply from its committer goroutine and History from any
// goroutine; every Store method is safe for concurrent use.
//
// # Layout
//
// The file holds four top-level buckets:
//
//	meta     "format" → the layout version in ASCII decimal, "1". Open
//	         refuses any other version (ErrFormat).
//	objects  kind (1 byte, an engine.Kind) + ObjectKey (16 bytes) → record.
//	         Graph objects are keyed by their UUID, types, ontologies and
//	         property keys by engine.IntKey of their integer id. Keys of a
//	         kind are contiguous; UUIDv7 keys make new objects append.
//	values   owner (16 bytes) + value name (the empty name for a sensor's
//	         value) → value record: the current value.
//	history  owner (16) + len(name) (1 byte) + name + time (8, big-endian
//	         Unix nanoseconds with the sign bit flipped so that keys sort
//	         by time; 0 for the zero time) + sequence (4, big-endian) →
//	         the value string. Keys of one (owner, name) sort oldest first.
//
// An object record is the kind's format version byte followed by the
// object's stored fields, except the ID, which is the key, in the order
// the kind's description lists them (engine.Describe; it is the order of
// the struct). The version is the highest Since of the kind's fields: 1
// for every kind but user-defined functions, 2 since TimeLimit was added
// at the end, 3 since the output limits (ValueSizeLimit …) and MemoryLimitMiB followed it. A record of an older version lacks the fields added since,
// which decode as zero; a newer version is refused:
//
//	string   uvarint length + bytes
//	int      zig-zag varint (also type ids)
//	duration uvarint nanoseconds
//	ID       16 raw bytes
//	bool     1 byte, 0 or 1
//	float64  8 bytes, little-endian IEEE 754 bits
//	time     1 tag byte: 0 zero time; 1 varint Unix nanoseconds; 2 varint
//	         Unix seconds + uvarint nanoseconds (instants outside
//	         1678–2262)
//	*Location  1 byte (0 nil, 1 present) + three float64
//	slices   uvarint count + elements ([]Property: name, value;
//	         []Condition: ID, Target, Path, Value, Comparison)
//	json     a string holding the field as JSON (engine.FieldJSON: a
//	         token's principal, a custom role's permissions and limits,
//	         a floor plan's sizes, shapes and items)
//
// A value record is a version byte (1), the value string, its time, then
// the bookkeeping of its history: the sequence number of the newest entry
// (uvarint) and the number of entries stored (uvarint). Apply increments
// both with every value, uses the sequence in the history key so that
// equal timestamps never collide and keep their order, and prunes the
// oldest entries as soon as the count exceeds Options.HistoryRetention, in
// the same transaction. Retention therefore costs no memory and no scan,
// and after every Apply each value it touched holds at most
// HistoryRetention entries (a lowered retention takes effect for a value
// at its next append). SetRetention changes the count while the store is
// open and adds an age: each append then also drops the value's entries
// older than the age before the entry appended (one seek, plus the
// entries dropped). The difference between the sequence number and the
// count is what was dropped of the value (HistoryKept); Dropped counts
// the entries pruned since Open.
//
// # Loading
//
// Load reads the objects bucket with one cursor in one read transaction.
// Records are copied out a batch at a time into one string, and each
// decoded object's strings are substrings of it; spaces, devices and
// sensors are handed out from arrays of 256. Loading a million objects so
// makes a few thousand allocations besides slices and locations.
//
// # Writing
//
// Apply writes a batch in one transaction. Batches of 256 ops or more are
// written in key order (ops on the same key keep their order), because
// bbolt splits the pages a transaction changes only at commit: inserting
// in the middle of a growing page copies everything behind it, which made
// one 200,000-object provisioning transaction take 15 s instead of 0.5 s.
//
// # Reading history
//
// History reads one (owner, name) in its own read transaction.
// HistoryRange reads a time range of one (owner, name): it seeks to the
// first key past the range's end and walks back to its start, so it reads
// only the entries it returns, however long the history kept.
// RecentHistory reads the newest entries of every value in one pass in key
// order, about three times faster than a History call per value in random
// order; it is meant for filling in-memory history when a project opens.
//
// # Caveats
//
// A string decoded at load time (object fields, value names and values)
// keeps its whole batch (256 records, or 64 KiB if less) alive, and a space, device or sensor keeps its array of 256
// alive. Objects the engine replaces later are therefore freed only when
// every object loaded with them is gone: memory after many updates stays
// at most what the initial load took, it does not grow.
//
// Times come back in UTC with the same instant; the location and the
// monotonic clock reading of a time.Time are not stored. History times
// have nanosecond precision only between the years 1678 and 2262 (others
// are clamped in the history key); current values and object times are
// exact.
//
// Empty slices come back as nil.
//
// Value names are at most MaxValueNameLen (255) bytes: the history key
// holds the length in one byte. Apply refuses a longer name, and with it
// the whole batch, with ErrInvalidOp.
//
// Durability is bbolt's: Apply returns after the commit is fsynced, unless
// Options.NoSync (tests and benchmarks only). A process killed at any
// moment leaves the last committed transaction intact. The free list is
// written with each commit (bbolt's default): bbolt would otherwise rebuild
// it on open by walking every page in a goroutine of its own, where a
// damaged page crashes the process. Damaged pages found by Load, Apply or
// History (bbolt panics, faults on the memory map) become errors wrapping
// ErrCorrupt instead.
//
// The file lock is advisory (flock): another program that ignores it can
// still write the file. Opening a project on a network file system is not
// supported.
package bbolt
