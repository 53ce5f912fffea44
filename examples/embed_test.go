package examples_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/twinstudio/twinstudio/examples"
)

// TestSmartOfficeEmbedded: the embedded example is the folder's files,
// byte for byte, except the generator gen.go.
func TestSmartOfficeEmbedded(t *testing.T) {
	var got []string
	err := fs.WalkDir(examples.SmartOffice, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		got = append(got, p)
		data, err := fs.ReadFile(examples.SmartOffice, p)
		if err != nil {
			return err
		}
		disk, err := os.ReadFile(filepath.Join("smart-office", filepath.FromSlash(p)))
		if err != nil {
			return err
		}
		if string(data) != string(disk) {
			t.Errorf("%s: embedded copy differs from the file", p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	err = filepath.WalkDir("smart-office", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(p) == ".go" {
			return err
		}
		rel, _ := filepath.Rel("smart-office", p)
		want = append(want, filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("embedded files %v, want %v", got, want)
	}
	for _, must := range []string{"provision.yaml", "week.yaml", "userDefinedFunctions/availability.js"} {
		if !slices.Contains(got, must) {
			t.Errorf("%s is not embedded", must)
		}
	}
}
