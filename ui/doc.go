// Package ui is Twin Studio's desktop studio: Fyne views over an open
// project (app.App).
//
// The studio window (New) shows the spatial graph as a tree on the left
// (spaces, the devices in each space, the sensors of each device), tabs in
// the centre, an inspector for the selected object on the right and a
// status bar at the bottom (object counts, the broker's address and
// connected devices, messages per second, rejected messages). The Model tab
// shows the selected object's JSON document; the Telemetry tab a live log
// of the last 500 accepted and rejected messages with a filter, a
// publish panel that sends a payload as any device, and the devices with
// their connection states. The Access tab (accessTab) lists and edits the
// project's principals, roles (custom ones with value limits), role
// assignments and tokens; the toolbar's View as (viewAsPicker) shows the
// whole studio as one principal sees it: the view model hands out only
// the objects it may read (viewas.go) and the controller checks each
// edit against its roles first.
//
// The studio polls the project every 100 ms (pipeline counters, recent
// messages and rejections; devices once a second) on its own goroutine and
// redraws what changed through fyne.Do, at most once per interval; Close
// (the window's close) stops it.
//
// # Structure
//
// Studio is a shell that composes one small struct per screen, each built
// by a constructor and holding its own on<Event> handlers: the toolbar,
// the tree with its search (hierarchy), the Model tab (docTab), the
// Telemetry tab (telemetry, with its publishPanel and deviceList), the
// inspector, the status bar, the Edit menu and its add, rename, delete and
// duplicate dialogs (edits), the File menu and its import dialog (files),
// the broker and its address dialog (brokerControl), and the simulation
// (simControl). One file holds each screen.
//
// What the studio shows for an object lives in viewModel, plain Go over
// engine.View that tests read without widgets. Every edit (add, rename,
// delete, move, cut and paste, duplicate, field and property changes,
// import, undo and redo) goes through controller, which imports no Fyne
// package and is tested on its own against a real project. What differs
// by object kind (node ids, names, labels, icons, parent kind, what may be
// added, editable fields, moves, copies) is one table, kinds.go.
//
// The package exports only what main.go uses: New, the Studio it returns
// (StartSimulation, ShowError, Close), OpenProject and ApplyTheme.
//
// The package never imports fyne.io/fyne/v2/app (only the root main.go
// does), so it builds and tests with CGO_ENABLED=0. It reaches the project
// only through app.App and its engine; it never touches the project file.
//
// # Goroutines
//
// Widgets belong to Fyne's main goroutine. ShowError is safe from any
// goroutine; every other function and method must be called on it (from a
// Fyne callback, or before the window is shown).
package ui
