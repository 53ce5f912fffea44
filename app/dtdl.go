package app

import (
	"bytes"
	"io"

	"github.com/twinstudio/twinstudio/engine"
	"github.com/twinstudio/twinstudio/engine/dtdl"
)

// ExportDTDL writes the project's DTDL v3 models (docs/interop.md): a JSON
// array of Interfaces, indented, the same for the same project contents.
// It reads one consistent view; the only error is w's. Safe for
// concurrent use.
func (a *App) ExportDTDL(w io.Writer) error {
	var ifaces []dtdl.Interface
	_ = a.engine.View(func(v *engine.View) error { ifaces = dtdl.Models(v); return nil })
	return dtdl.WriteModels(w, ifaces)
}

// ExportADTImport writes the project as an Azure Digital Twins bulk import
// file (NDJSON, docs/interop.md): header, the models of ExportDTDL, a twin
// per space, device and sensor, and the tree's relationships. The
// organization is the project's name. The file is built in memory from
// one consistent view, then written; the only error is w's. Safe for
// concurrent use.
func (a *App) ExportADTImport(w io.Writer) error {
	var buf bytes.Buffer
	_ = a.engine.View(func(v *engine.View) error { return dtdl.WriteADTImport(&buf, v, a.Name()) })
	_, err := buf.WriteTo(w)
	return err
}

// ImportDTDL reads the DTDL file at path (one Interface or an array) and
// creates the types and property keys it defines, global to the project,
// in one transaction: all of them or, on the first error, none. Importing
// the same file again changes nothing. Errors are one line naming the
// file and the Interface or content at fault, wrapping engine.ErrInvalid
// (dtdl.ErrTooLarge for a file over dtdl.MaxFileSize); the summary's
// Warnings list what was skipped. Safe for concurrent use.
func (a *App) ImportDTDL(path string) (*dtdl.Summary, error) {
	set, err := dtdl.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var sum *dtdl.Summary
	err = a.engine.Update(func(tx *engine.Tx) error {
		var err error
		sum, err = dtdl.Apply(tx, set)
		return err
	})
	if err != nil {
		return nil, err
	}
	return sum, nil
}
