package bbolt

import (
	"errors"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/twinstudio/twinstudio/engine"
)

func TestBlobs_persistAcrossReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p.twin")
	s, err := Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	if names, err := s.BlobNames("runs/"); err != nil || len(names) != 0 {
		t.Fatalf("BlobNames of a new project = %v, %v", names, err)
	}
	put := map[string][]byte{}
	for _, n := range []string{"runs/b", "runs/a", "other/x"} {
		put[n] = []byte("data " + n)
	}
	if err := s.WriteBlobs(put, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.WriteBlobs(map[string][]byte{"": []byte("x"), "runs/c": nil}, []string{"runs/a"}); !errors.Is(err, engine.ErrInvalid) {
		t.Errorf("WriteBlobs with no name = %v, want ErrInvalid", err)
	}
	if err := s.WriteBlobs(nil, []string{"runs/b", "runs/missing"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Blob("runs/a"); !errors.Is(err, engine.ErrClosed) {
		t.Errorf("Blob after Close = %v, want ErrClosed", err)
	}
	s, err = Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	names, err := s.BlobNames("runs/")
	if err != nil || !reflect.DeepEqual(names, []string{"runs/a"}) {
		t.Fatalf("BlobNames(runs/) = %v, %v; want [runs/a]", names, err)
	}
	if got, err := s.Blob("runs/a"); err != nil || string(got) != "data runs/a" {
		t.Errorf("Blob(runs/a) = %q, %v", got, err)
	}
	if _, err := s.Blob("runs/b"); !errors.Is(err, engine.ErrNotFound) {
		t.Errorf("Blob of a deleted blob = %v, want ErrNotFound", err)
	}
}
