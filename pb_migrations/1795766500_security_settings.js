/// <reference path="../pb_data/types.d.ts" />
// Security settings that ship on. The reasons behind every number are in
// docs/operations.md ("Rate limits"); security/security_test.go checks them.
//
// PocketBase's limiter is a fixed window per client IP and per rule. Aman's
// volunteers often sit behind one carrier NAT address (think 200 phones in
// Isfara on one mobile IP), so the per-IP budgets of the sync routes are
// sized for 200 devices, while the login rules stay strict: a login happens
// once per token lifetime, a password guess happens every request.
// Superusers are never rate limited by PocketBase (dashboard, load tools).
migrate((app) => {
  const settings = app.settings()

  settings.rateLimits.enabled = true
  settings.rateLimits.rules = [
    // Password, OTP and OAuth2 logins of every auth collection: 10 per 30 s
    // per IP is 28,800 guesses a day at most; 200 phones that all lost their
    // token re-login within 10 minutes (clients retry on 429).
    { label: "*:auth", audience: "", maxRequests: 10, duration: 30 },
    // The dashboard accounts are the crown jewels: 5 a minute per IP.
    { label: "_superusers:auth", audience: "", maxRequests: 5, duration: 60 },
    // E-mail sending endpoints: spam and account-probing guard.
    { label: "*:requestPasswordReset", audience: "", maxRequests: 5, duration: 60 },
    { label: "*:requestOTP", audience: "", maxRequests: 5, duration: 60 },
    { label: "*:requestVerification", audience: "", maxRequests: 5, duration: 60 },
    // Sync push: one request carries up to 500 mutations. 200 devices behind
    // one IP draining their offline queues after a blackout with up to three
    // retries each send ~600 requests; 1,200 a minute leaves 2x headroom and
    // 3x the steady state (one push per device per 30 s = 400 a minute).
    { label: "POST /api/sync/v1/push", audience: "", maxRequests: 1200, duration: 60 },
    // Sync pull is O(changes) and cheap; an initial sync is many pages.
    { label: "GET /api/sync/v1/pull", audience: "", maxRequests: 3000, duration: 60 },
    // Batch (each item also counts against *:create / *:update).
    { label: "/api/batch", audience: "", maxRequests: 60, duration: 60 },
    // REST creates (volunteers use sync push; REST is for the dashboard,
    // which superusers use unlimited, and SDK clients).
    { label: "*:create", audience: "", maxRequests: 120, duration: 10 },
    // Everything else under /api/: 60 requests a second per IP.
    { label: "/api/", audience: "", maxRequests: 600, duration: 10 },
  ]

  // /api/batch stays on for SDK clients, but small: offline writes go through
  // sync push, which has exactly-once semantics that batch lacks.
  settings.batch.enabled = true
  settings.batch.maxRequests = 50
  settings.batch.timeout = 5
  settings.batch.maxBodySize = 32 * 1024 * 1024

  // Request logs: a week, and without client IPs, because a seized or leaked
  // server must not map volunteers to the addresses they reported from.
  // Turn logIP on temporarily while investigating abuse.
  settings.logs.maxDays = 7
  settings.logs.logIP = false

  // Daily backups at 02:30 UTC, the last 7 kept (local pb_data/backups, or
  // S3-compatible storage once settings.backups.s3 is configured).
  settings.backups.cron = "30 2 * * *"
  settings.backups.cronMaxKeep = 7

  // settings.trustedProxy stays empty on purpose: trusting X-Forwarded-For on
  // a server reachable directly lets anyone pick their own "IP" and escape
  // every per-IP limit. Behind a reverse proxy, set it (docs/operations.md).

  app.save(settings)
}, (app) => {
  const settings = app.settings()
  settings.rateLimits.enabled = false
  settings.batch.enabled = false
  settings.backups.cron = ""
  app.save(settings)
})
