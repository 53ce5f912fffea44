package engine

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"sync"
	"time"
)

// ID identifies a graph object (space, device, sensor, user, matcher, UDF,
// role assignment, endpoint, resource). It is a UUID, written in the
// canonical 8-4-4-4-12 lower-case form. The zero ID means "none".
type ID [16]byte

// NilID is the zero ID.
var NilID ID

var idState struct {
	sync.Mutex
	lastMS  uint64
	counter uint16
}

// NewID returns a new version-7 UUID: 48 bits of Unix milliseconds, a 12-bit
// counter that keeps IDs made in the same millisecond ordered, and random
// bits. It is safe for concurrent use.
func NewID() ID {
	var id ID
	if _, err := rand.Read(id[:]); err != nil {
		panic("engine: crypto/rand failed: " + err.Error())
	}
	ms := uint64(time.Now().UnixMilli())
	idState.Lock()
	if ms <= idState.lastMS {
		ms = idState.lastMS
		idState.counter++
		if idState.counter > 0x0fff {
			ms++
			idState.counter = 0
		}
	} else {
		idState.counter = 0
	}
	idState.lastMS = ms
	c := idState.counter
	idState.Unlock()
	binary.BigEndian.PutUint64(id[0:8], ms<<16)
	id[6] = 0x70 | byte(c>>8)
	id[7] = byte(c)
	id[8] = id[8]&0x3f | 0x80
	return id
}

// IsZero reports whether id is the zero ID.
func (id ID) IsZero() bool { return id == NilID }

// String returns the canonical form, or "" for the zero ID.
func (id ID) String() string {
	if id.IsZero() {
		return ""
	}
	var b [36]byte
	hex.Encode(b[0:8], id[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], id[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], id[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], id[8:10])
	b[23] = '-'
	hex.Encode(b[24:], id[10:])
	return string(b[:])
}

// ParseID parses a UUID in canonical form (case-insensitive, optionally in
// braces). It returns ErrInvalid for anything else.
func ParseID(s string) (ID, error) {
	var id ID
	if len(s) == 38 && s[0] == '{' && s[37] == '}' {
		s = s[1:37]
	}
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return id, fmt.Errorf("%w: %q is not a GUID", ErrInvalid, s)
	}
	var src [32]byte // the hex digits without the dashes, on the stack
	n := copy(src[:], s[0:8])
	n += copy(src[n:], s[9:13])
	n += copy(src[n:], s[14:18])
	n += copy(src[n:], s[19:23])
	copy(src[n:], s[24:])
	if _, err := hex.Decode(id[:], src[:]); err != nil {
		return NilID, fmt.Errorf("%w: %q is not a GUID", ErrInvalid, s)
	}
	return id, nil
}

// MustParseID is ParseID for constants; it panics on error.
func MustParseID(s string) ID {
	id, err := ParseID(s)
	if err != nil {
		panic(err)
	}
	return id
}

// MarshalText implements encoding.TextMarshaler.
func (id ID) MarshalText() ([]byte, error) { return []byte(id.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler; "" gives the zero ID.
func (id *ID) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*id = NilID
		return nil
	}
	v, err := ParseID(string(b))
	if err != nil {
		return err
	}
	*id = v
	return nil
}
