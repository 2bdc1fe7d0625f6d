package identity

import (
	"net/http"
	"testing"

	"github.com/alexandria-platform/alexandria/internal/platform/module/moduletest"
)

func TestLookalikeEmails(t *testing.T) {
	t.Parallel()
	e := newEnv(t, moduletest.Stores(t)[0], nil)
	e.register("paypal@example.org", "Original")
	for _, c := range []struct{ name, email string }{
		{"cyrillic_a_in_latin_local_part", "p\u0430ypal@example.org"},
		{"greek_omicron_in_latin_local_part", "paypal\u03bf@example.org"},
		{"cyrillic_a_in_the_domain", "paypal@ex\u0430mple.org"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := e.call("POST", "/v1/users", "", map[string]any{"email": c.email, "password": goodPassword, "display_name": "Lookalike"})
			if r.status != http.StatusUnprocessableEntity || len(r.fieldErrors()) != 1 || r.fieldErrors()[0] != "email" {
				t.Fatalf("status %d, want 422 naming email: %s", r.status, r.raw)
			}
		})
	}
	t.Run("compatibility_forms_are_the_same_account", func(t *testing.T) {
		e.call("POST", "/v1/users", "", map[string]any{"email": "ｐａｙｐａｌ@example.org", "password": goodPassword, "display_name": "Wide"}).
			want(t, http.StatusConflict)
		// Sign-in looks the address up the same way.
		e.login("ｐａｙｐａｌ@EXAMPLE.org", goodPassword)
	})
	t.Run("unicode_domain_is_stored_as_punycode", func(t *testing.T) {
		r := e.call("POST", "/v1/users", "", map[string]any{"email": "ann@bücher.example", "password": goodPassword, "display_name": "Ann"}).
			want(t, http.StatusCreated)
		if r.str("email") != "ann@xn--bcher-kva.example" {
			t.Fatalf("email = %s", r.str("email"))
		}
		e.login("ann@xn--bcher-kva.example", goodPassword)
		e.login("ann@BÜCHER.example", goodPassword)
	})
}
