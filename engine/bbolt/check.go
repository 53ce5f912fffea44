package bbolt

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"os"
	"runtime"
)

// checkFile looks at the file at path before bbolt does, so that what bbolt
// would silently turn into a new database, or fault on, is refused with a
// clear error: a missing file is fine (Open creates it); a file that is
// not a regular file, an empty file, and a file shorter than the pages its
// own header says it has (cut short by a copy or a full disk) are not.
func checkFile(path string) error {
	st, err := os.Stat(path)
	if isNotExist(err) {
		return nil
	}
	if err != nil {
		return err // "stat path: permission denied" and the like
	}
	switch {
	case !st.Mode().IsRegular():
		return &fileError{path: path, msg: "not a Twin Studio project file (not a regular file)", sentinel: ErrNotProject}
	case st.Size() == 0:
		return &fileError{path: path, msg: "the file is empty (0 bytes), not a Twin Studio project; delete it to start a new project under this name", sentinel: ErrNotProject}
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	// bbolt's two meta pages. The newest valid one is the one bbolt uses;
	// its high-water page id says how long the file must be.
	var best *metaInfo
	m0, ok := readMeta(f, 0)
	if ok {
		best = &m0
	}
	if m0.pageSize == 0 {
		m0.pageSize = uint32(os.Getpagesize())
	}
	if m1, ok := readMeta(f, int64(m0.pageSize)); ok && (best == nil || m1.txid > best.txid) {
		best = &m1
	}
	if best == nil {
		return nil // not a bbolt file at all: bbolt says so
	}
	if need := int64(best.pgid) * int64(best.pageSize); need > st.Size() || need < 0 {
		return &fileError{path: path, msg: fmt.Sprintf("the project file is damaged: it is cut short (%d bytes, its pages reach %d)", st.Size(), need), sentinel: ErrCorrupt}
	}
	return nil
}

func isNotExist(err error) bool { return err != nil && errors.Is(err, fs.ErrNotExist) }

// metaInfo is what checkFile needs of a bbolt meta page.
type metaInfo struct {
	pageSize   uint32
	pgid, txid uint64
}

// bbolt's meta page: a 16-byte page header, then magic, version, page
// size, flags (4 bytes each), the root bucket (16), the free list page id,
// the high-water page id, the transaction id and an FNV-64a checksum of
// the 56 bytes before it (8 each), in the machine's byte order.
const (
	metaMagic   = 0xED0CDAED
	metaVersion = 2
	pageHeader  = 16
	metaSumEnd  = pageHeader + 56
)

// readMeta reads the meta page at off; ok if it has bbolt's magic, version
// and a matching checksum.
func readMeta(r io.ReaderAt, off int64) (m metaInfo, ok bool) {
	var b [metaSumEnd + 8]byte
	if _, err := r.ReadAt(b[:], off); err != nil {
		return m, false
	}
	var bo binary.ByteOrder = binary.LittleEndian
	if !littleEndian() {
		bo = binary.BigEndian
	}
	if bo.Uint32(b[pageHeader:]) != metaMagic || bo.Uint32(b[pageHeader+4:]) != metaVersion {
		return m, false
	}
	m.pageSize = bo.Uint32(b[pageHeader+8:])
	h := fnv.New64a()
	h.Write(b[pageHeader:metaSumEnd])
	if h.Sum64() != bo.Uint64(b[metaSumEnd:]) {
		return metaInfo{pageSize: m.pageSize}, false
	}
	m.pgid = bo.Uint64(b[pageHeader+40:])
	m.txid = bo.Uint64(b[pageHeader+48:])
	return m, true
}

func littleEndian() bool {
	switch runtime.GOARCH {
	case "ppc64", "mips", "mips64", "s390x", "sparc64":
		return false
	}
	return true
}
