package accounts_test

import (
	"fmt"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"aman/accounts"
	"aman/internal/testapp"
)

// Every write path of a new account ends with a role: the default for none,
// the chosen one otherwise.
func TestDefaultRole(t *testing.T) {
	scenarios := []struct {
		name, role, want string
		validate         bool
	}{
		{"no role, validated save", "", accounts.RoleVolunteer, true},
		{"no role, save without validation", "", accounts.RoleVolunteer, false},
		{"editor kept", accounts.RoleEditor, accounts.RoleEditor, true},
		{"coordinator kept", accounts.RoleCoordinator, accounts.RoleCoordinator, true},
	}
	app := testapp.New(t)
	users, err := app.FindCollectionByNameOrId(accounts.UsersCollection)
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range scenarios {
		t.Run(fmt.Sprintf("%d_%s", i, s.name), func(t *testing.T) {
			record := core.NewRecord(users)
			record.SetEmail(fmt.Sprintf("user%d@example.org", i))
			record.SetPassword("long-enough-1")
			record.Set("role", s.role)
			save := app.Save
			if !s.validate {
				save = app.SaveNoValidate
			}
			if err := save(record); err != nil {
				t.Fatalf("save: %v", err)
			}
			stored, err := app.FindRecordById(users, record.Id)
			if err != nil {
				t.Fatalf("find: %v", err)
			}
			if got := stored.GetString("role"); got != s.want {
				t.Fatalf("role = %q, want %q", got, s.want)
			}
		})
	}
}
