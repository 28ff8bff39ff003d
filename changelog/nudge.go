package changelog

import (
	"sync"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/routine"
	"github.com/pocketbase/pocketbase/tools/subscriptions"
)

// nudgeDelay coalesces the nudges of a burst of commits (a 500-mutation
// push, a batch) into one message.
const nudgeDelay = 200 * time.Millisecond

// nudger sends the realtime nudge: a message on Topic with an empty JSON
// object, so it carries nothing a subscriber could not see anyway. Clients
// answer it with a pull, which applies the rules.
type nudger struct {
	app     core.App
	mu      sync.Mutex
	pending bool
}

func newNudger(app core.App) *nudger { return &nudger{app: app} }

// signal schedules one nudge; signals before it is sent are merged into it.
func (n *nudger) signal() {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.pending {
		return
	}
	n.pending = true
	time.AfterFunc(nudgeDelay, n.send)
}

func (n *nudger) send() {
	n.mu.Lock()
	n.pending = false
	n.mu.Unlock()

	msg := subscriptions.Message{Name: Topic, Data: []byte(`{}`)}
	for _, chunk := range n.app.SubscriptionsBroker().ChunkedClients(300) {
		routine.FireAndForget(func() {
			for _, c := range chunk {
				if c.HasSubscription(Topic) {
					c.Send(msg)
				}
			}
		})
	}
}
