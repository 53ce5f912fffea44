// Package engine is the domain core of Twin Studio: the spatial intelligence
// graph of the 2018 Azure Digital Twins preview held in memory.
//
// It knows spaces, devices, sensors and users typed by extended types grouped
// in ontologies; property keys and extended properties; computed values with
// history; matchers, user-defined function records, role assignments,
// endpoints and resources; navigation queries (spaceId, traverse, levels,
// filters); provisioning plans; and authorization by path-scoped roles.
//
// The package imports only the standard library. Technology lives in adapter
// packages named after it, which implement the interfaces declared here or
// drive the engine through its API: engine/bbolt implements Store (the
// project file), engine/goja implements UDFRuntime (JavaScript UDFs),
// engine/jsonpath implements PathEvaluator (matcher conditions),
// engine/yaml reads provisioning files into a Plan, and engine/mqtt serves
// devices and submits their telemetry to a Pipeline. The dependency rules
// are checked by internal/archtest.
//
// # Concurrency
//
// An Engine is safe for use by many goroutines. Reads (View, Query, Get…)
// take a shared lock and see a consistent graph: a write is applied under
// the exclusive lock as a whole, so no reader ever sees half of it. Objects
// handed out (*Space, *Device, …) are immutable snapshots: a change replaces
// the object, it never edits it in place, so callers may keep and read them
// after the call without locking. Callers must not modify them.
//
// # Durability
//
// Every write goes through one ordered group committer to the Store.
// Topology writes (Update, Provision) wait for their commit before they
// become visible and report its error; if the commit fails nothing is
// applied. Value writes become visible at once and return a Commit that can
// be waited on for durability (MQTT QoS 1 uses that to delay its PUBACK).
//
// # Editing and undo
//
// The studio edits the model through an Editor: each Editor.Do is one
// Update whose touched objects are recorded with their before- and
// after-images, so that Undo and Redo can restore them as one transaction.
// Tx has the edit operations it needs (MoveSpace, DuplicateSpace,
// DeleteObject, Provision, …) and View.DeleteImpact says what a delete
// takes with it.
//
// # Caveats
//
//   - IDs are time-ordered version-7 UUIDs so that new records append to the
//     store's B+tree instead of splitting random pages.
//   - The whole graph lives in memory; history beyond the in-memory ring is
//     read from the Store.
package engine
