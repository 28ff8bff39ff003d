package security_test

import (
	"fmt"
	"net/http"
	"testing"

	"aman/internal/fixtures"
	"aman/security"
)

// TestRateLimit_EmailChangePerAccount: request-email-change sends an
// e-mail, and has a rule of its own (*:requestEmailChange, 5 per minute,
// set by pb_migrations/1795768600_email_change_rate_limit.js), not the
// generic /api/ one (600 per 10 s). Signed in, it counts per address and
// account: the sixth request of a volunteer is refused, while another
// volunteer behind the same carrier NAT address still gets through; and
// it spends the address's bound of e-mail requests across accounts.
func TestRateLimit_EmailChangePerAccount(t *testing.T) {
	const nat = "192.0.2.77:4000"
	const change = "/api/collections/users/request-email-change"
	app := fixtures.Factory(t)
	c := serve(t, app)
	token := func(as string) string {
		tok, err := fixtures.Auth(app, as)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	body := `{"newEmail":"new@example.org"}`
	codes := c.tries(6, http.MethodPost, change, body, nat, "Authorization", token(fixtures.Volunteer))
	for i, code := range codes[:5] {
		if code == http.StatusTooManyRequests {
			t.Fatalf("request %d of the volunteer refused: %v", i+1, codes)
		}
	}
	if codes[5] != http.StatusTooManyRequests {
		t.Errorf("the volunteer's sixth e-mail change request: %d, want 429 (%v)", codes[5], codes)
	}
	if code := c(http.MethodPost, change, body, nat, "Authorization", token(fixtures.Volunteer2)).Code; code == http.StatusTooManyRequests {
		t.Errorf("another volunteer at the same address refused: %d", code)
	}

	// the address's bound of e-mail requests, across accounts: password
	// resets of other e-mails fill it up with the six above that passed
	for i := range security.EmailRequestsPerAddress - 6 {
		reset := fmt.Sprintf(`{"email":"person%d@example.org"}`, i)
		if code := c(http.MethodPost, "/api/collections/users/request-password-reset", reset, nat).Code; code == http.StatusTooManyRequests {
			t.Fatalf("password reset %d refused: %d", i+1, code)
		}
	}
	if code := c(http.MethodPost, change, body, nat, "Authorization", token(fixtures.Coordinator)).Code; code != http.StatusTooManyRequests {
		t.Errorf("an e-mail change past the address's bound: %d, want 429", code)
	}
}
