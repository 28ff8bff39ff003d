package syncapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

const (
	mutationsTable = "_aman_mutations"
	clientsTable   = "_aman_clients"
)

// errClientOwned reports a client id bound to another user.
var errClientOwned = errors.New("syncapi: client belongs to another user")

// lastSeenStep is how stale a binding's last_seen may get before a push
// renews it: one write an hour per device, not one per push.
const lastSeenStep = time.Hour

// bindClient binds client to auth on its first push and checks the binding
// on every later one. The owner's pushes keep its last_seen within
// lastSeenStep of now (see PruneClients); another account's do not.
func bindClient(app core.App, client string, auth *core.Record) error {
	var owner struct {
		Collection string `db:"auth_collection"`
		ID         string `db:"auth_id"`
	}
	err := app.RunInTransaction(func(tx core.App) error {
		now := time.Now().UTC()
		_, err := tx.DB().NewQuery(`INSERT INTO ` + clientsTable + ` (client, auth_collection, auth_id, created, last_seen)
			VALUES ({:client}, {:coll}, {:id}, {:now}, {:now}) ON CONFLICT (client) DO UPDATE
			SET last_seen = excluded.last_seen
			WHERE last_seen < {:stale} AND auth_collection = excluded.auth_collection AND auth_id = excluded.auth_id`).
			Bind(dbx.Params{
				"client": client, "coll": auth.Collection().Name, "id": auth.Id,
				"now": dateTime(now), "stale": dateTime(now.Add(-lastSeenStep)),
			}).Execute()
		if err != nil {
			return fmt.Errorf("bind client: %w", err)
		}
		return tx.DB().Select("auth_collection", "auth_id").From(clientsTable).
			Where(dbx.HashExp{"client": client}).One(&owner)
	})
	if err != nil {
		return err
	}
	if owner.Collection != auth.Collection().Name || owner.ID != auth.Id {
		return errClientOwned
	}
	return nil
}

// storedResults returns the results stored for the given mutation ids of
// client, by mutation id.
func storedResults(tx core.App, client string, ids []string) (map[string]json.RawMessage, error) {
	out := make(map[string]json.RawMessage, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var rows []struct {
		ID     string `db:"mutation_id"`
		Result string `db:"result"`
	}
	err := tx.DB().Select("mutation_id", "result").From(mutationsTable).
		Where(dbx.HashExp{"client": client}).
		AndWhere(dbx.In("mutation_id", toAny(ids)...)).
		All(&rows)
	if err != nil {
		return nil, fmt.Errorf("read stored results: %w", err)
	}
	for _, r := range rows {
		out[r.ID] = json.RawMessage(r.Result)
	}
	return out, nil
}

// storedRow is a mutation result to store.
type storedRow struct {
	mutationID string
	result     []byte
}

// storeResults records mutation results; it runs in the transaction of
// the mutations' writes, so either both happen or neither.
func storeResults(tx core.App, client string, rows []storedRow) error {
	if len(rows) == 0 {
		return nil
	}
	now := types.NowDateTime().String()
	params := dbx.Params{"client": client, "at": now}
	values := make([]string, len(rows))
	for i, r := range rows {
		id, res := "m"+strconv.Itoa(i), "r"+strconv.Itoa(i)
		params[id], params[res] = r.mutationID, string(r.result)
		values[i] = "({:client}, {:" + id + "}, {:" + res + "}, {:at})"
	}
	_, err := tx.DB().NewQuery("INSERT INTO " + mutationsTable + " (client, mutation_id, result, at) VALUES " +
		strings.Join(values, ", ")).Bind(params).Execute()
	if err != nil {
		return fmt.Errorf("store results: %w", err)
	}
	return nil
}

// dateTime formats t as PocketBase stores dates, so that they compare as
// strings.
func dateTime(t time.Time) string {
	dt, _ := types.ParseDateTime(t)
	return dt.String()
}
