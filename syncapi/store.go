package syncapi

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

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

// bindClient binds client to auth on its first push and checks the binding
// on every later one.
func bindClient(app core.App, client string, auth *core.Record) error {
	var owner struct {
		Collection string `db:"auth_collection"`
		ID         string `db:"auth_id"`
	}
	err := app.RunInTransaction(func(tx core.App) error {
		_, err := tx.DB().NewQuery(`INSERT INTO ` + clientsTable + ` (client, auth_collection, auth_id, created)
			VALUES ({:client}, {:coll}, {:id}, {:now}) ON CONFLICT (client) DO NOTHING`).
			Bind(dbx.Params{
				"client": client, "coll": auth.Collection().Name, "id": auth.Id,
				"now": types.NowDateTime().String(),
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

// storedResult returns the result stored for a mutation, or nil.
func storedResult(tx core.App, client, mutationID string) (json.RawMessage, error) {
	var raw string
	err := tx.DB().Select("result").From(mutationsTable).
		Where(dbx.HashExp{"client": client, "mutation_id": mutationID}).Row(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read stored result: %w", err)
	}
	return json.RawMessage(raw), nil
}

// storeResult records a mutation's result; it runs in the transaction of
// the mutation's write, so either both happen or neither.
func storeResult(tx core.App, client, mutationID string, result []byte) error {
	_, err := tx.DB().Insert(mutationsTable, dbx.Params{
		"client": client, "mutation_id": mutationID,
		"result": string(result), "at": types.NowDateTime().String(),
	}).Execute()
	if err != nil {
		return fmt.Errorf("store result: %w", err)
	}
	return nil
}
