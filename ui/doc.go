// Package ui is Twin Studio's desktop studio: Fyne views over an open
// project (app.App).
//
// The studio window (New) shows the spatial graph as a tree on the left
// (spaces, the devices in each space, the sensors of each device), tabs in
// the centre, an inspector for the selected object on the right and a
// status bar at the bottom (object counts, the broker's address and
// connected devices, messages per second, rejected messages). The Model tab
// shows the selected object's JSON document; the Telemetry tab a live log
// of the last logSize accepted and rejected messages with a filter, a
// publish panel that sends a payload as any device, and the devices with
// their connection states.
//
// The studio polls the project every refreshInterval (pipeline counters,
// recent messages and rejections; devices once a second) on its own
// goroutine and redraws what changed through fyne.Do, at most once per
// interval; Close (the window's close) stops it.
//
// What the studio shows for an object lives in Model, plain Go over
// engine.View that tests read without widgets. Views are small structs over
// that model, built by New, which tests call with Fyne's headless test
// driver (fyne.io/fyne/v2/test) and no real window.
//
// The package never imports fyne.io/fyne/v2/app (only the root main.go
// does), so it builds and tests with CGO_ENABLED=0. It reaches the project
// only through app.App and its engine; it never touches the project file.
//
// # Goroutines
//
// Widgets belong to Fyne's main goroutine. Methods of Studio documented as
// safe from any goroutine hand their work to it with fyne.Do; every other
// method must be called on it (from a Fyne callback, or before the window
// is shown).
package ui
