// Package simulator will hold Twin Studio's virtual devices and people, their
// physical models, the simulated clock and what-if runs (issue 5). It will
// depend on engine only and feed the same pipeline real devices feed.
//
// Nothing is implemented here yet.
package simulator
