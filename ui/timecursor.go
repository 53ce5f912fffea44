package ui

import "time"

// timeCursor is the moment the studio shows: live (the zero time) or a
// past or simulated moment picked with the time slider. Every screen that
// shows values (the plan's colours, the inspector's values, the charts'
// cursor) reads it and redraws when it changes. Use it only on the Fyne
// goroutine.
type timeCursor struct {
	at   time.Time
	subs []func(at time.Time)
}

// At is the moment shown; ok is false while the studio is live.
func (c *timeCursor) At() (at time.Time, ok bool) { return c.at, !c.at.IsZero() }

// Live reports whether the studio shows the present.
func (c *timeCursor) Live() bool { return c.at.IsZero() }

// Set moves the studio to at (the zero time: live) and tells every
// subscriber, in the order they subscribed. Setting the moment already
// shown does nothing.
func (c *timeCursor) Set(at time.Time) {
	if at.Equal(c.at) {
		return
	}
	c.at = at
	for _, f := range c.subs {
		f(at)
	}
}

// OnChange subscribes f to the cursor's moves.
func (c *timeCursor) OnChange(f func(at time.Time)) { c.subs = append(c.subs, f) }
