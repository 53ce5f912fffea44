package httpapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/twinstudio/twinstudio/engine"
)

// SSEBuffer is the number of events an SSE connection holds for its
// client; beyond it events are dropped for that client only and counted.
const SSEBuffer = 256

// sseKeepAlive is how often an idle stream sends a comment (and re-checks
// the token).
var sseKeepAlive = 15 * time.Second

// droppedEvent is the data of the "Dropped" event: how many events this
// connection missed since the last report, and in all.
type droppedEvent struct {
	Dropped int64 `json:"dropped"`
	Total   int64 `json:"total"`
}

// streamEvents is GET /events: Server-Sent Events of the types asked
// (default all) about objects the caller may read, optionally only those
// in the subtree of spaceId. The bus never waits for the connection:
// events beyond SSEBuffer are dropped for it and reported in a "Dropped"
// event. The stream ends when the client leaves, the server closes, or
// the token stops being valid.
func streamEvents(c *call) (any, error) {
	q := c.r.URL.Query()
	mask := engine.AllEvents
	if ts := list(q.Get("types")); len(ts) > 0 {
		mask = 0
		for _, t := range ts {
			known := false
			for _, n := range engine.EventTypeNames {
				if strings.EqualFold(n, t) {
					mask |= engine.MaskOf(n)
					known = true
				}
			}
			if !known {
				return nil, fmt.Errorf("%w: types: unknown event type %q (want %s)", engine.ErrInvalid, t, strings.Join(engine.EventTypeNames, ", "))
			}
		}
	}
	anchor, err := optID(q, "spaceId")
	if err != nil {
		return nil, err
	}
	if !anchor.IsZero() {
		err := c.s.e.View(func(v *engine.View) error {
			_, err := c.see(v, engine.KindSpace, anchor, anchor.String())
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	fl, ok := c.w.(http.Flusher)
	if !ok {
		return nil, fmt.Errorf("streaming is not supported by this connection")
	}
	ch := make(chan *engine.Event, SSEBuffer)
	var dropped atomic.Int64
	sub := c.s.e.Events().SubscribeTypes(1, mask, func(ev *engine.Event) bool {
		select {
		case ch <- ev:
		default:
			dropped.Add(1)
		}
		return false // delivered here; the subscription's own channel stays empty
	})
	defer sub.Close()

	h := c.w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	c.w.WriteHeader(http.StatusOK)
	fmt.Fprint(c.w, ": connected\n\n")
	fl.Flush()

	tick := time.NewTicker(sseKeepAlive)
	defer tick.Stop()
	var reported int64
	tok, _ := bearer(c.r)
	for {
		select {
		case <-c.r.Context().Done():
			return nil, nil
		case <-c.s.ctx.Done():
			return nil, nil
		case <-tick.C:
			if _, err := resolveToken(c.s.e, tok, c.s.o.Now()); err != nil {
				fmt.Fprintf(c.w, "event: Closed\ndata: %s\n\n", mustJSON(map[string]string{"reason": cleanMsg(err)}))
				fl.Flush()
				return nil, nil
			}
			fmt.Fprint(c.w, ": keep-alive\n\n")
		case ev := <-ch:
			if c.visible(ev, anchor) {
				fmt.Fprintf(c.w, "event: %s\nid: %s\ndata: %s\n\n", ev.EventType, ev.ID, ev.JSON())
			}
		}
		if n := dropped.Load(); n > reported {
			fmt.Fprintf(c.w, "event: Dropped\ndata: %s\n\n", mustJSON(droppedEvent{Dropped: n - reported, Total: n}))
			reported = n
		}
		fl.Flush()
	}
}

// visible reports whether the caller may see ev, and whether it is about
// an object in anchor's subtree (zero anchor: anywhere).
func (c *call) visible(ev *engine.Event, anchor engine.ID) bool {
	ok := false
	_ = c.s.e.View(func(v *engine.View) error {
		ok = eventVisible(v, c.p, ev)
		if ok && !anchor.IsZero() {
			sp, found := v.ObjectSpace(ev.ObjectID)
			ok = found && v.IsWithin(sp, anchor)
		}
		return nil
	})
	return ok
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}
