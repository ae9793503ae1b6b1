package api

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/vidiverse/vidiverse/shared/model"
	"github.com/vidiverse/vidiverse/shared/problem"
	"github.com/vidiverse/vidiverse/shared/store"
)

// localName reads a {name} or {handle} path parameter: "name" or
// "name@host". For this instance's host it returns the bare name and true;
// for another host the handle a remote actor's copy is known by
// ("name@host") and false.
func (a *API) localName(r *http.Request, param string) (string, bool, error) {
	v := r.PathValue(param)
	name, host, hasHost := strings.Cut(v, "@")
	if name == "" || len(v) > 255 {
		return "", false, problem.InvalidField("params", param, v, "Should have a valid handle")
	}
	if hasHost && !strings.EqualFold(host, a.cfg.Host()) {
		return name + "@" + strings.ToLower(host), false, nil // a remote actor's copy is claimed as name@host
	}
	return name, true, nil
}

// loadAccount resolves an account name or handle; 404 when unknown.
func (a *API) loadAccount(ctx context.Context, r *http.Request, param string) (model.Account, error) {
	name, _, err := a.localName(r, param)
	if err != nil {
		return model.Account{}, err
	}
	acc, err := a.st.AccountByName(ctx, name)
	if errors.Is(err, store.ErrNotFound) {
		return acc, problem.NotFound("Account not found")
	}
	return acc, err
}

// getAccount answers GET /api/v1/accounts/{name}.
func (a *API) getAccount(w http.ResponseWriter, r *http.Request) error {
	if _, err := a.optionalUser(r); err != nil {
		return err
	}
	acc, err := a.loadAccount(r.Context(), r, "name")
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, a.accountJSON(acc))
}

// listAccounts answers GET /api/v1/accounts.
func (a *API) listAccounts(w http.ResponseWriter, r *http.Request) error {
	if _, err := a.optionalUser(r); err != nil {
		return err
	}
	p, err := parsePage(r, []string{"createdAt"}, "-createdAt")
	if err != nil {
		return err
	}
	accs, err := a.st.Accounts(r.Context())
	if err != nil {
		return err
	}
	pg := paginate(accs, p, map[string]func(model.Account) string{
		"createdAt": func(x model.Account) string { return createdKey(x.CreatedAt, x.ID) },
	})
	out := listPage[accountJSON]{Total: pg.Total, Data: make([]accountJSON, 0, len(pg.Data))}
	for _, acc := range pg.Data {
		out.Data = append(out.Data, a.accountJSON(acc))
	}
	return writeJSON(w, http.StatusOK, out)
}

// listAccountChannels answers GET /api/v1/accounts/{name}/video-channels.
func (a *API) listAccountChannels(w http.ResponseWriter, r *http.Request) error {
	if _, err := a.optionalUser(r); err != nil {
		return err
	}
	p, err := parseChannelPage(r)
	if err != nil {
		return err
	}
	acc, err := a.loadAccount(r.Context(), r, "name")
	if err != nil {
		return err
	}
	chans, err := a.st.AccountChannels(r.Context(), acc.ID)
	if err != nil {
		return err
	}
	return a.writeChannels(w, r, chans, p, map[int64]model.Account{acc.ID: acc})
}
