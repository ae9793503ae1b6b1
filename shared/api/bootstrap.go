package api

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"

	"github.com/vidiverse/vidiverse/shared/model"
	"github.com/vidiverse/vidiverse/shared/password"
	"github.com/vidiverse/vidiverse/shared/store"
)

// RootUsername is the administrator every instance starts with.
const RootUsername = "root"

// Bootstrap makes sure the instance has what it needs before serving: the
// instance actor's account, the OAuth client and the root user. It is
// idempotent and safe to run concurrently (every Lambda cold start may).
//
// When root does not exist yet it is created with adminPassword, or with a
// generated password when adminPassword is "", which Bootstrap returns so
// the caller can show it once. When root exists, adminPassword is given and
// resetRoot is true, root's password is set to it when it differs: a local
// instance's configuration wins. The deployed function passes false, so the
// template's AdminPassword is only the initial password.
func (a *API) Bootstrap(ctx context.Context, adminPassword string, resetRoot bool) (generated string, err error) {
	if _, err := a.st.EnsureInstanceAccount(ctx); err != nil {
		return "", err
	}
	if _, err := a.st.EnsureOAuthClient(ctx); err != nil {
		return "", err
	}
	root, err := a.st.UserByUsername(ctx, RootUsername)
	switch {
	case errors.Is(err, store.ErrNotFound):
		pw := adminPassword
		if pw == "" {
			if pw, err = randomPassword(); err != nil {
				return "", err
			}
			generated = pw
		}
		_, _, err = a.createUser(ctx, newUserInput{
			Username: RootUsername, Password: pw, Email: a.cfg.AdminEmail, Role: model.RoleAdministrator,
			VideoQuota: -1, VideoQuotaDaily: -1, EmailVerified: true,
		})
		if err != nil {
			if _, again := a.st.UserByUsername(ctx, RootUsername); again == nil {
				return "", nil // another instance created it first
			}
			return "", fmt.Errorf("create root user: %w", err)
		}
		return generated, nil
	case err != nil:
		return "", err
	}
	if adminPassword == "" || !resetRoot {
		return "", nil
	}
	if ok, err := password.Verify(adminPassword, root.PasswordHash); err != nil || ok {
		return "", err
	}
	hash, err := password.Hash(adminPassword, a.kdf)
	if err != nil {
		return "", err
	}
	_, err = a.modifyUser(ctx, root.ID, func(u *model.User) error {
		u.PasswordHash = hash
		return nil
	})
	return "", err
}

// randomPassword returns a password with 130 bits of entropy.
func randomPassword() (string, error) { return rand.Text(), nil }
