// Package examples bundles the example projects into the binary, so the
// studio can install one on its first start without a checkout beside it.
package examples

import (
	"embed"
	"io/fs"
)

// The smart-office example without gen.go: that file is the generator of
// provision.yaml (a `go run` program, build tag ignore), of no use in an
// installed copy, where regenerating would overwrite the user's edits.
//
//go:embed smart-office/*.yaml smart-office/*.md smart-office/userDefinedFunctions
var smartOffice embed.FS

// SmartOffice is the smart-office example, rooted at its folder:
// provision.yaml (the building, its devices, sensors and UDF),
// userDefinedFunctions/, the week.yaml and more-people.yaml scenarios and
// README.md. It is read-only and safe for concurrent use.
var SmartOffice fs.FS = mustSub(smartOffice, "smart-office")

func mustSub(fsys fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(fsys, dir)
	if err != nil {
		panic(err) // dir is a constant embedded above
	}
	return sub
}
