/// <reference path="../pb_data/types.d.ts" />

// A rate-limit rule for e-mail change requests (docs/operations.md, Rate
// limits).
//
// `request-email-change` sends an e-mail to the new address, like a
// password reset, an OTP or a verification, but had no rule of its own:
// it fell under the generic `/api/` rule, 600 requests per 10 s, while the
// others have 5 per minute. It is signed in, so it counts per address and
// account (security/login_limit.go), and shares the address's bound of
// e-mail requests across accounts.
//
// The rule is added beside the rules there are, before the generic `/api/`
// one; a rule of that label an operator set already is kept as it is.
// `down` takes the rule off again only if it is still the one set here.
const label = "*:requestEmailChange";
const maxRequests = 5;
const duration = 60;

migrate((app) => {
  const settings = app.settings();
  const rules = settings.rateLimits.rules;
  if (rules.some((r) => r.label === label)) {
    return;
  }
  const rule = { label, audience: "", maxRequests, duration };
  const generic = rules.findIndex((r) => r.label === "/api/");
  if (generic < 0) {
    rules.push(rule);
  } else {
    rules.splice(generic, 0, rule);
  }
  settings.rateLimits.rules = rules;
  app.save(settings);
}, (app) => {
  const settings = app.settings();
  const rules = settings.rateLimits.rules;
  const kept = rules.filter((r) => !(r.label === label && r.audience === "" &&
    r.maxRequests === maxRequests && r.duration === duration));
  if (kept.length === rules.length) {
    return;
  }
  settings.rateLimits.rules = kept;
  app.save(settings);
});
