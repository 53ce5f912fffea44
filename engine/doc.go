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
// Every write goes through one ordered group committer to the Store: the
// order of commits is the order in which writes were applied in memory.
//
//   - Topology writes (Update, and Provision and Editor.Do, which use it)
//     are applied in memory under the exclusive lock, handed to the
//     committer, and the lock is released at once: readers, UDFs and the
//     telemetry pipeline do not wait for the Store's fsync. Update returns
//     when the commit is durable and reports its error. A change is
//     therefore visible a moment before it is durable; whatever a reader
//     derives from it and writes is committed after it. If the commit
//     fails, Update rolls the change back under the lock and returns the
//     error; readers may have seen it meanwhile, and a value written in
//     between to an object the change created is dropped on the next load.
//     Updates are serialized with each other through their commit.
//   - Value writes (telemetry, UDF writes) become visible at once and
//     return a Commit that can be waited on for durability (MQTT QoS 1
//     uses that to delay its PUBACK; events go out after it).
//
// # User-defined functions
//
// The engine owns the UDF client library (UDFContext): lookups under the
// UDF's identity, read-your-own-writes, data-type checks, typed writes and
// notifications. A UDFRuntime (engine/goja for JavaScript, FuncRuntime for
// Go functions) only runs code against it. Executions hold no lock: each
// library call takes the read lock briefly, and an execution during which
// the topology changed is run again (the last try under the read lock),
// so that each record is of an execution that saw one topology. With a
// budget (ExecInput.Budget, set for simulations) an execution is stopped
// after a fixed number of loop iterations and calls instead of by the
// wall clock, so it ends the same way on every run.
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
//     read from the Store: Engine.HistoryRange reads a time range of any
//     value's history (with a cursor seek when the Store is a
//     HistoryRanger) and adds the values still waiting for their commit.
package engine
