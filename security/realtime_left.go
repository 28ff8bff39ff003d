package security

import (
	"encoding/json"
	"strings"
	"sync"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
	"github.com/pocketbase/pocketbase/tools/routine"
	"github.com/pocketbase/pocketbase/tools/search"
	"github.com/pocketbase/pocketbase/tools/subscriptions"
)

// Records that leave a subscriber's view.
//
// PocketBase judges a record's update event by the record after the write:
// a subscriber who may read it then gets the update, one who may not gets
// nothing. So one who could read it before (an aid worker whose
// organization was taken off a request, or retired; an editor's verified
// report, reopened; a reader's published update, retracted; a
// subscription whose filter no longer matches) never learns that it left,
// and keeps it on screen with its last data. bindLeftViews sends such a
// subscriber a delete event of the record on each topic it could see it
// through, with the record's id and collection and nothing else: the
// subscriber may not read the rest any more.
//
// Before the write, each subscription to the record's collection or to the
// record (as PocketBase judges them: the list rule for the collection's
// topics, the view rule for the record's, then the subscription's filter)
// is judged against the record as committed, read outside the write's
// transaction as PocketBase judges deletes: what the subscriber was last
// sent, not what an earlier write of the same transaction left (retiring
// an organization makes it inactive before releasing its requests). After
// the transaction commits, the subscriptions that could see it are judged
// again, and those that cannot any more get the delete. A rolled back
// write sends nothing. Only clients subscribed to the collection or the
// record are judged, and a subscription PocketBase would judge once after
// the write is judged once before it and, if it saw the record, once again
// after (the record budget, MaxRecordTopics, bounds both).
//
// The judgment before runs as the UPDATE statement is about to run, where
// a transaction that wrote before (a push's, of up to 100 mutations) holds
// SQLite's writer: every other write waits for it. So a subscription
// whose rule and filter read only fields of the record that this update
// leaves as committed, and nothing else that could change (no relation,
// no other collection, no time), is not judged: it sees the record after
// the write as it did before (realtime_fields.go). A volunteer's edit of
// a report's text changes no field the rules of incident_reports read,
// and costs one read of the committed record instead of a query per
// subscription; a review that changes its status is judged as before.

// leftView is a subscription that could see a record before a write.
type leftView struct {
	client subscriptions.Client
	topic  string
	rule   *string
	opts   subscriptions.SubscriptionOptions
}

// leftViews holds, per record being written (the pointer saved), the
// subscriptions that could see it before and those judged so far.
type leftViews struct {
	app     core.App // outside any transaction
	mu      sync.Mutex
	pending map[*core.Record]*judged
}

// judged is what the judgments before a record's writes in one
// transaction found: the subscriptions that could see it, and which were
// judged (a client's id and topic), so that a later write of the same
// transaction judges only the others, and only if it must.
type judged struct {
	seen []leftView
	done map[string]bool
}

func bindLeftViews(app core.App) {
	l := &leftViews{app: app, pending: map[*core.Record]*judged{}}
	app.OnModelUpdateExecute().Bind(&hook.Handler[*core.ModelEvent]{
		Id: "amanRealtimeLeftBefore",
		Func: func(e *core.ModelEvent) error {
			if record := recordOf(e.Model); record != nil {
				l.before(record)
			}
			return e.Next()
		},
		// the last before the UPDATE statement: after validation and every
		// hook that sets fields, so the record is what is written
		Priority: 99,
	})
	app.OnModelAfterUpdateSuccess().Bind(&hook.Handler[*core.ModelEvent]{
		Id: "amanRealtimeLeftAfter",
		Func: func(e *core.ModelEvent) error {
			record := recordOf(e.Model)
			var ended []subscriptions.Client
			if record != nil {
				// before PocketBase makes them guests (realtime_ended.go)
				ended = endedSessions(e.App, record, false)
			}
			err := e.Next() // PocketBase's own auth update and broadcast first
			if record != nil {
				l.after(record, ended)
			}
			return err
		},
		Priority: endedPriority,
	})
	app.OnModelAfterUpdateError().Bind(&hook.Handler[*core.ModelErrorEvent]{
		Id: "amanRealtimeLeftRolledBack",
		Func: func(e *core.ModelErrorEvent) error {
			if record := recordOf(e.Model); record != nil {
				l.take(record)
			}
			return e.Next()
		},
		Priority: -99,
	})
}

// recordOf is the record a model is, or nil.
func recordOf(m core.Model) *core.Record {
	switch r := m.(type) {
	case *core.Record:
		return r
	case core.RecordProxy:
		return r.ProxyRecord()
	}
	return nil
}

// topicRules are the topic prefixes PocketBase broadcasts a record's
// events to, with the rule that judges each (apis/realtime.go).
func topicRules(c *core.Collection, id string) []topicRule {
	return []topicRule{
		{c.Name + "/" + id + "?", c.ViewRule},
		{c.Id + "/" + id + "?", c.ViewRule},
		{c.Name + "/*?", c.ListRule},
		{c.Id + "/*?", c.ListRule},
		{c.Name + "?", c.ListRule}, // deprecated form of /*
		{c.Id + "?", c.ListRule},
	}
}

type topicRule struct {
	prefix string
	rule   *string
}

// before keeps the subscriptions that can see record as committed. A
// subscription whose rule and filter read only fields this update leaves
// as committed (realtime_fields.go) sees the record after the write as it
// did before: it is not judged.
func (l *leftViews) before(record *core.Record) {
	c := record.Collection()
	if c == nil || c.IsView() {
		return
	}
	broker := l.app.SubscriptionsBroker()
	if broker.TotalClients() == 0 {
		return
	}
	l.mu.Lock()
	prior := l.pending[record] // judged before an earlier write of the transaction
	var done map[string]bool
	if prior != nil {
		done = prior.done
	}
	l.mu.Unlock()
	rules := topicRules(c, record.Id)
	changes := &changedFields{}
	var mu sync.Mutex
	var seen []leftView
	judgedNow := map[string]bool{}
	var wg sync.WaitGroup
	for _, chunk := range broker.ChunkedClients(150) {
		wg.Go(func() {
			for _, client := range chunk {
				for _, pr := range rules {
					for topic, opts := range client.Subscriptions(pr.prefix) {
						key := client.Id() + "\x00" + topic
						if done[key] || (!isAuthOf(client, record) && l.unaffected(record, pr.rule, opts, changes)) {
							continue
						}
						v := leftView{client: client, topic: topic, rule: pr.rule, opts: opts}
						visible := canSee(l.app, record, client, v)
						mu.Lock()
						judgedNow[key] = true
						if visible {
							seen = append(seen, v)
						}
						mu.Unlock()
					}
				}
			}
		})
	}
	wg.Wait()
	if len(judgedNow) == 0 {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	j := l.pending[record]
	if j == nil {
		j = &judged{done: map[string]bool{}}
		l.pending[record] = j
	}
	j.seen = append(j.seen, seen...)
	for key := range judgedNow {
		j.done[key] = true
	}
}

// isAuthOf reports whether record is client's own account: an update of
// it changes what the client's rules read as @request.auth, and a new
// token key (a password changed) makes the client a guest's (PocketBase's
// realtimeUpdateClientsAuth), so none of its subscriptions is unaffected.
func isAuthOf(client subscriptions.Client, record *core.Record) bool {
	auth, _ := client.Get(apis.RealtimeClientAuthKey).(*core.Record)
	return auth != nil && auth.Id == record.Id && auth.Collection().Id == record.Collection().Id
}

// unaffected reports whether the update of record leaves as committed
// every field that the subscription's rule and filter read, and they read
// nothing else that could change: its judgment after the write is the one
// it would have before.
func (l *leftViews) unaffected(record *core.Record, rule *string, opts subscriptions.SubscriptionOptions, changes *changedFields) bool {
	c := record.Collection()
	var fields []string
	if rule != nil {
		f, ok := ownFields(c, *rule)
		if !ok {
			return false
		}
		fields = append(fields, f...)
	}
	f, ok := ownFields(c, opts.Query[search.FilterQueryParam])
	if !ok {
		return false
	}
	fields = append(fields, f...)
	return changes.unchanged(l.app, record, fields)
}

// take removes and returns what before kept for record.
func (l *leftViews) take(record *core.Record) []leftView {
	l.mu.Lock()
	defer l.mu.Unlock()
	j := l.pending[record]
	delete(l.pending, record)
	if j == nil {
		return nil
	}
	return j.seen
}

// after sends a delete of record to every subscription that could see it
// before and cannot now, then closes the connections of ended, whose
// session the write ended (realtime_ended.go), once their deletes are
// delivered.
func (l *leftViews) after(record *core.Record, ended []subscriptions.Client) {
	seen := l.take(record)
	closing := map[subscriptions.Client][]subscriptions.Message{}
	for _, client := range ended {
		closing[client] = nil
	}
	defer func() {
		for client, msgs := range closing {
			routine.FireAndForget(func() { endSession(l.app, client, msgs) })
		}
	}()
	if len(seen) == 0 {
		return
	}
	data, err := json.Marshal(leftEvent{Action: "delete", Record: leftRecord{
		CollectionId: record.Collection().Id, CollectionName: record.Collection().Name, Id: record.Id}})
	if err != nil {
		return
	}
	for _, v := range seen {
		if v.client.IsDiscarded() || !v.client.HasSubscription(v.topic) || canSee(l.app, record, v.client, v) {
			continue
		}
		msg := subscriptions.Message{Name: v.topic, Data: data}
		client := v.client
		if msgs, ok := closing[client]; ok {
			closing[client] = append(msgs, msg)
			continue
		}
		routine.FireAndForget(func() { client.Send(msg) })
	}
}

// leftEvent is the message of a record that left a subscriber's view:
// PocketBase's delete event, with only what names the record.
type leftEvent struct {
	Record leftRecord `json:"record"`
	Action string     `json:"action"`
}

type leftRecord struct {
	CollectionId   string `json:"collectionId"`
	CollectionName string `json:"collectionName"`
	Id             string `json:"id"`
}

// canSee is PocketBase's judgment of whether a subscription gets a
// record's events (apis.realtimeCanAccessRecord): its rule for the
// client's user, then the subscription's filter.
func canSee(app core.App, record *core.Record, client subscriptions.Client, v leftView) bool {
	auth, _ := client.Get(apis.RealtimeClientAuthKey).(*core.Record)
	info := &core.RequestInfo{
		Context: core.RequestInfoContextRealtime,
		Method:  "GET",
		Query:   v.opts.Query,
		Headers: v.opts.Headers,
		Auth:    auth,
	}
	if ok, _ := app.CanAccessRecord(record, info, v.rule); !ok {
		return false
	}
	filter := v.opts.Query[search.FilterQueryParam]
	if filter == "" {
		return true
	}
	if !info.HasSuperuserAuth() {
		for _, param := range []string{search.FilterQueryParam, search.SortQueryParam} {
			if q := v.opts.Query[param]; strings.Contains(q, "@collection.") || strings.Contains(q, "@request.") {
				return false // PocketBase sends such a subscription nothing
			}
		}
	}
	c := record.Collection()
	q := app.ConcurrentDB().Select("(1)").From(c.Name).AndWhere(dbx.HashExp{c.Name + ".id": record.Id})
	resolver := core.NewRecordFieldResolver(app, c, info, false)
	expr, err := search.FilterData(filter).BuildExpr(resolver)
	if err != nil {
		return false
	}
	q.AndWhere(expr)
	if err := resolver.UpdateQuery(q); err != nil {
		return false
	}
	var exists int
	err = q.Limit(1).Row(&exists)
	return err == nil && exists > 0
}
