// Package doctest checks the examples of the user documentation in docs/:
// its tests provision every YAML block of docs/provisioning.md into a new
// project and check what the text around the block promises. It has no
// API; only its tests do anything.
package doctest
