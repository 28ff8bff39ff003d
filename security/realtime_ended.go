package security

import (
	"sync"
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
//
// A new token secret of an auth collection (its settings' authToken.secret:
// a superuser's "log everyone out") ends every session of the collection
// at once: PocketBase unsets the account of each of its realtime clients
// (apis.realtimeUnsetClientsAuthByCollection, in its OnCollectionUpdate
// hook at -99, after the write and before the commit) and keeps them as
// guests'. Those clients are found before that hook (endedPriority) and
// closed once the update is committed, or rolled back after the unset
// (their tokens still hold: connecting again restores their account);
// anonymous connections and other collections' (superusers' when users'
// secret changes) stay open.

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
	return signedIn(app, func(auth *core.Record) bool {
		return auth.Id == record.Id && auth.Collection().Id == c.Id &&
			(deleted || auth.TokenKey() != record.TokenKey())
	})
}

// signedIn is the realtime clients signed in with an account that match
// takes.
func signedIn(app core.App, match func(auth *core.Record) bool) []subscriptions.Client {
	broker := app.SubscriptionsBroker()
	if broker.TotalClients() == 0 {
		return nil
	}
	var clients []subscriptions.Client
	for _, chunk := range broker.ChunkedClients(150) {
		for _, client := range chunk {
			if auth, _ := client.Get(apis.RealtimeClientAuthKey).(*core.Record); auth != nil && match(auth) {
				clients = append(clients, client)
			}
		}
	}
	return clients
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

// bindEndedOnSecret closes the realtime connections signed in with an auth
// collection whose token secret an update changed. They are found before
// PocketBase's own hook unsets their account (the secret compared with the
// cached collection's, as PocketBase does) and closed once the update ends
// if that hook left them without an account: after the commit
// (OnCollectionAfterUpdateSuccess), since their tokens are dead; after a
// failure too (OnCollectionAfterUpdateError: a transaction rolled back
// after PocketBase's hook ran), since they would go on as guests' while
// their tokens still hold, and connecting again gives them back their
// account. One signed in again meanwhile keeps its connection; one whose
// save failed before PocketBase's hook ran kept its account and is not
// touched.
func bindEndedOnSecret(app core.App) {
	var mu sync.Mutex
	pending := map[string][]subscriptions.Client{} // collection id → its clients
	take := func(id string) []subscriptions.Client {
		mu.Lock()
		defer mu.Unlock()
		clients := pending[id]
		delete(pending, id)
		return clients
	}
	app.OnCollectionUpdate().Bind(&hook.Handler[*core.CollectionEvent]{
		Id: "amanRealtimeEndedOnSecret",
		Func: func(e *core.CollectionEvent) error {
			c := e.Collection
			if !c.IsAuth() {
				return e.Next()
			}
			old, _ := e.App.FindCachedCollectionByNameOrId(c.Id)
			if old == nil || old.AuthToken.Secret == c.AuthToken.Secret {
				return e.Next()
			}
			clients := signedIn(e.App, func(auth *core.Record) bool { return auth.Collection().Id == c.Id })
			if len(clients) > 0 {
				mu.Lock()
				pending[c.Id] = append(pending[c.Id], clients...)
				mu.Unlock()
			}
			return e.Next()
		},
		Priority: endedPriority,
	})
	end := func(app core.App, id string) {
		for _, client := range take(id) {
			if auth, _ := client.Get(apis.RealtimeClientAuthKey).(*core.Record); auth != nil {
				continue // signed in again, or never unset
			}
			routine.FireAndForget(func() { endSession(app, client, nil) })
		}
	}
	app.OnCollectionAfterUpdateSuccess().Bind(&hook.Handler[*core.CollectionEvent]{
		Id: "amanRealtimeEndedOnSecretCommitted",
		Func: func(e *core.CollectionEvent) error {
			end(e.App, e.Collection.Id)
			return e.Next()
		},
	})
	app.OnCollectionAfterUpdateError().Bind(&hook.Handler[*core.CollectionErrorEvent]{
		Id: "amanRealtimeEndedOnSecretFailed",
		Func: func(e *core.CollectionErrorEvent) error {
			end(e.App, e.Collection.Id)
			return e.Next()
		},
	})
}
