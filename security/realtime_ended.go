package security

import (
	"time"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
	"github.com/pocketbase/pocketbase/tools/routine"
	"github.com/pocketbase/pocketbase/tools/subscriptions"
)

// Realtime connections of an ended session.
//
// When an account's token key changes (a new password or e-mail address:
// PocketBase refreshes the key before the write) or the account is
// deleted, PocketBase only unsets the account from its realtime clients
// (apis.realtimeUpdateClientsAuth, realtimeUnsetClientsAuthByRecordModelOrProxy):
// the connection goes on as a guest's, receiving what a guest may see, and
// its client is never told. Its token is refused on every /api/ request
// (session.go), the subscribe POST included, so closing the connection is
// what tells it: the SDK connects again, subscribes with its dead token,
// gets 401 sync_invalid_token and asks its person to sign in.
//
// The clients signed in as the account with the old key (for a delete:
// any key) are found before PocketBase's own hooks of the same event
// unset their account (priority endedPriority, below theirs), and closed
// once the commit's messages to them are delivered: the delete of their
// own record that realtime_left.go sends after a new password, and the one
// PocketBase sends after a delete. A change that keeps the key (a name,
// a role) closes nothing; other accounts' connections are not touched.

// endedPriority runs the hooks before PocketBase's realtime ones (-99)
// whatever the binding order: PocketBase binds its own when the router is
// built, after Register.
const endedPriority = -100

// endedSendWait bounds how long the messages of a closing connection may
// take to be taken by its SSE loop (a stuck connection): after it, the
// connection is closed anyway.
const endedSendWait = time.Second

// endedSessions is the clients signed in as record's account whose
// session the write ended: with a token key other than record's, or, if
// deleted, with any. Called before PocketBase updates their auth.
func endedSessions(app core.App, record *core.Record, deleted bool) []subscriptions.Client {
	c := record.Collection()
	if c == nil || !c.IsAuth() {
		return nil
	}
	broker := app.SubscriptionsBroker()
	if broker.TotalClients() == 0 {
		return nil
	}
	var ended []subscriptions.Client
	for _, chunk := range broker.ChunkedClients(150) {
		for _, client := range chunk {
			auth, _ := client.Get(apis.RealtimeClientAuthKey).(*core.Record)
			if auth == nil || auth.Id != record.Id || auth.Collection().Id != c.Id {
				continue
			}
			if deleted || auth.TokenKey() != record.TokenKey() {
				ended = append(ended, client)
			}
		}
	}
	return ended
}

// endSession delivers msgs to client in order, then closes its
// connection: PocketBase's SSE loop ends when the client's channel is
// closed (Broker.Unregister discards the client). The channel is
// unbuffered, so a message sent has been taken by the loop, which writes
// it before it reads the channel again and finds it closed.
func endSession(app core.App, client subscriptions.Client, msgs []subscriptions.Message) {
	deadline := time.NewTimer(endedSendWait)
	defer deadline.Stop()
	for _, msg := range msgs {
		if !sendBy(client, msg, deadline.C) {
			break
		}
	}
	app.SubscriptionsBroker().Unregister(client.Id())
}

// sendBy sends msg to client unless it is closed or deadline passes first.
func sendBy(client subscriptions.Client, msg subscriptions.Message, deadline <-chan time.Time) (sent bool) {
	defer func() {
		if recover() != nil { // closed meanwhile by its own loop
			sent = false
		}
	}()
	if client.IsDiscarded() {
		return false
	}
	select {
	case client.Channel() <- msg:
		return true
	case <-deadline:
		return false
	}
}

// deleteDryCacheKey is the key under which PocketBase keeps, in a
// client's store, the delete events of a record it judged before the
// delete (apis.getDryCacheKey), sent after the commit.
func deleteDryCacheKey(record *core.Record) string {
	return "delete/" + record.Collection().Name + "/" + record.Id
}

// bindEndedOnDelete closes the connections of a deleted account after
// delivering the delete of their own record (and of what else the delete
// took that they saw), which it takes from PocketBase's dry cache so that
// it is sent before the close, not raced by it.
func bindEndedOnDelete(app core.App) {
	app.OnModelAfterDeleteSuccess().Bind(&hook.Handler[*core.ModelEvent]{
		Id: "amanRealtimeEndedOnDelete",
		Func: func(e *core.ModelEvent) error {
			record := recordOf(e.Model)
			if record == nil {
				return e.Next()
			}
			ended := endedSessions(e.App, record, true)
			key := deleteDryCacheKey(record)
			pending := make([][]subscriptions.Message, len(ended))
			for i, client := range ended {
				pending[i], _ = client.Get(key).([]subscriptions.Message)
				client.Unset(key)
			}
			err := e.Next() // PocketBase's own: unset their auth, broadcast to the others
			for i, client := range ended {
				msgs := pending[i]
				routine.FireAndForget(func() { endSession(e.App, client, msgs) })
			}
			return err
		},
		Priority: endedPriority,
	})
}
