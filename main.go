// Command twinstudio is Twin Studio's desktop studio:
//
//	twinstudio [FILE.twin]
//
// It opens FILE (created if absent), or without one the bundled
// smart-office example in the data folder (installed there on the first
// start) with its week simulation running, with the MQTT broker on
// 127.0.0.1:1883 (or a free port when that one is taken), and shows it
// until the window closes. This is the only package that links Fyne's GL
// driver; the studio itself is package ui.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"

	"github.com/twinstudio/twinstudio/assets"
	"github.com/twinstudio/twinstudio/ui"
)

func main() {
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: twinstudio [FILE.twin]")
		fmt.Fprintln(os.Stderr, "Opens FILE (created if absent); without it the bundled smart-office example, simulated.")
	}
	flag.Parse()
	if flag.NArg() > 1 {
		flag.Usage()
		os.Exit(2)
	}
	// The app first: the studio's preferences (each project's broker
	// address, recent projects, theme) live in it.
	a := fyneapp.NewWithID("io.twinstudio.studio")
	a.SetIcon(fyne.NewStaticResource("icon.png", assets.AppIcon))
	project, scenario, err := ui.OpenProject(flag.Arg(0))
	if err != nil {
		fmt.Fprintln(os.Stderr, "twinstudio:", err)
		os.Exit(1)
	}
	ui.ApplyTheme()
	w := a.NewWindow("Twin Studio")
	w.Resize(fyne.NewSize(1400, 860)) // before the content, which keeps its proportions
	studio := ui.New(project, w)
	if scenario != "" {
		studio.ShowError(studio.StartSimulation(scenario))
		studio.ShowPlan() // the bundled example opens on its plan, coloured by the simulation
	}

	// Quit cleanly on Ctrl-C or SIGTERM so that the project is closed.
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	go func() { <-sig; fyne.Do(a.Quit) }()

	w.ShowAndRun()
	if err := studio.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "twinstudio:", err)
		os.Exit(1)
	}
}
