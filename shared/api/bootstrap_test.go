package api

import (
	"context"
	"net/url"
	"testing"
)

func TestBootstrapRootPassword(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	// The deployed function keeps a changed password across cold starts.
	tok := e.login("root", rootPassword)
	if r := e.do("PUT", "/api/v1/users/me", map[string]any{"password": "changed-pw-1", "currentPassword": rootPassword}, tok); r.status != 204 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	if gen, err := e.api.Bootstrap(ctx, rootPassword, false); err != nil || gen != "" {
		t.Fatalf("bootstrap: %q %v", gen, err)
	}
	e.login("root", "changed-pw-1")
	// A local instance's configured password wins.
	if _, err := e.api.Bootstrap(ctx, "configured-pw-2", true); err != nil {
		t.Fatal(err)
	}
	e.login("root", "configured-pw-2")
	wantProblem(t, e.tokenRequest(url.Values{"grant_type": {"password"}, "username": {"root"}, "password": {"changed-pw-1"}}),
		400, "invalid_grant", "")
	// Bootstrapping again is a no-op: one instance account, one client.
	if _, err := e.api.Bootstrap(ctx, "", true); err != nil {
		t.Fatal(err)
	}
	accs, _ := e.st.Accounts(ctx)
	if len(accs) != 2 {
		t.Fatalf("accounts after repeated bootstraps: %d", len(accs))
	}
}
