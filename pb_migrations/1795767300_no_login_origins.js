/// <reference path="../pb_data/types.d.ts" />
// Login alerts off for `users`. To alert on a login "from a new location",
// PocketBase keeps each account's last five login origins in _authOrigins
// as MD5(client IP + User-Agent): an app sends one of a few User-Agents, so
// the IPs come back from a seized server or a backup in seconds (2^32
// guesses, fewer for a carrier's address ranges), with the time of each
// login, and accounts that share a phone or a NAT share a fingerprint. The
// request logs keep no IP for this very reason (docs/operations.md,
// Retention); the alert e-mail itself carries the IP in the clear to the
// user's mail provider. Superusers keep their alert: the dashboard accounts
// are few and their takeover is the worst case.
migrate((app) => {
  const users = app.findCollectionByNameOrId("users")
  users.authAlert.enabled = false
  app.save(users)
  app.db()
    .newQuery("DELETE FROM _authOrigins WHERE collectionRef = {:c}")
    .bind({ c: users.id })
    .execute()
}, (app) => {
  const users = app.findCollectionByNameOrId("users")
  users.authAlert.enabled = true
  app.save(users)
})
