// Command twinstudio is Twin Studio's desktop studio (CONTRACT §1):
//
//	twinstudio [FILE.twin]
//
// It opens FILE (created if absent), or without one the smart-office
// example project in $HOME/.local/share/twinstudio, with its MQTT broker on
// 127.0.0.1:1883 (or a free port when that one is taken), and shows it
// until the window closes. This is the only package that links Fyne's GL driver; the
// studio itself is package ui.
package main

import (
	_ "embed"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"

	"github.com/twinstudio/twinstudio/ui"
)

//go:embed assets/icon.png
var icon []byte

func main() {
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: twinstudio [FILE.twin]")
		fmt.Fprintln(os.Stderr, "Opens FILE (created if absent); without it the smart-office example project.")
	}
	flag.Parse()
	if flag.NArg() > 1 {
		flag.Usage()
		os.Exit(2)
	}
	project, warning, err := ui.OpenProject(flag.Arg(0))
	if err != nil {
		fmt.Fprintln(os.Stderr, "twinstudio:", err)
		os.Exit(1)
	}

	a := fyneapp.NewWithID("io.twinstudio.studio")
	a.SetIcon(fyne.NewStaticResource("icon.png", icon))
	w := a.NewWindow("Twin Studio")
	w.Resize(fyne.NewSize(1280, 800)) // before the content, which keeps its proportions
	studio := ui.New(project, w)
	studio.ShowError(warning)

	// Quit cleanly on Ctrl-C or SIGTERM so that the project is closed.
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	go func() { <-sig; fyne.Do(a.Quit) }()

	w.ShowAndRun()
	studio.Close()
	if err := project.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "twinstudio:", err)
		os.Exit(1)
	}
}
