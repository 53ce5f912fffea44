package engine_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/twinstudio/twinstudio/engine"
	"github.com/twinstudio/twinstudio/engine/bbolt"
)

func ExampleEditor() {
	dir, err := os.MkdirTemp("", "editor")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	st, err := bbolt.Open(filepath.Join(dir, "example.twin"), bbolt.Options{})
	if err != nil {
		log.Fatal(err)
	}
	e, err := engine.New(st, engine.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer e.Close()

	ed := engine.NewEditor(e, 200)
	var floor engine.ID
	err = ed.Do("Add Floor 1", func(tx *engine.Tx) error {
		s := &engine.Space{Name: "Floor 1"}
		floor = s.ID
		err := tx.CreateSpace(s)
		floor = s.ID
		return err
	})
	if err != nil {
		log.Fatal(err)
	}
	err = ed.Do("Rename Floor 1", func(tx *engine.Tx) error {
		s, _ := tx.Space(floor)
		c := *s // objects are immutable: change a copy
		c.Name = "Ground Floor"
		return tx.UpdateSpace(&c)
	})
	if err != nil {
		log.Fatal(err)
	}
	roots := func() (names []string) {
		e.View(func(v *engine.View) error {
			for _, s := range v.Roots() {
				names = append(names, s.Name)
			}
			return nil
		})
		return names
	}
	fmt.Println(roots())
	label, _ := ed.Undo()
	fmt.Println("undo", label, roots())
	label, _ = ed.Undo()
	fmt.Println("undo", label, roots())
	_, err = ed.Undo()
	fmt.Println(err)
	label, _ = ed.Redo()
	fmt.Println("redo", label, roots())
	next, _ := ed.RedoLabel()
	fmt.Println("next redo:", next)
	// Output:
	// [Ground Floor]
	// undo Rename Floor 1 [Floor 1]
	// undo Add Floor 1 []
	// engine: nothing to undo
	// redo Add Floor 1 [Floor 1]
	// next redo: Rename Floor 1
}
