package api

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/vidiverse/vidiverse/shared/model"
	"github.com/vidiverse/vidiverse/shared/problem"
	"github.com/vidiverse/vidiverse/shared/store"
)

// Blocklists (mutes), as PeerTube 6 keeps them: a user's own, owned by the
// user's account, and the instance's, owned by the instance actor's
// account and managed by administrators and moderators. Blocking what is
// already blocked succeeds again (PeerTube upserts: 204); only blocking
// oneself or one's own server is a 409.

// PeerTube's UserRight values of the moderation routes.
const (
	rightManageAbuses            = 6
	rightManageAccountsBlocklist = 10
	rightManageServersBlocklist  = 11
)

// requireModerator answers PeerTube's 403 for a right that only
// administrators and moderators hold. mount is where PeerTube mounts the
// router that reports the path.
func requireModerator(r *http.Request, right int, mount string) error {
	u := currentUser(r)
	if isModerator(u) {
		return nil
	}
	return problem.Forbidden(fmt.Sprintf("User %s does not have right %d to access to %s.",
		u.Username, right, routerPath(r.URL.Path, mount)))
}

type accountBlockJSON struct {
	ByAccount      accountJSON `json:"byAccount"`
	BlockedAccount accountJSON `json:"blockedAccount"`
	CreatedAt      string      `json:"createdAt"`
}

type blockedServerJSON struct {
	Host string `json:"host"`
}

type serverBlockJSON struct {
	ByAccount     accountJSON       `json:"byAccount"`
	BlockedServer blockedServerJSON `json:"blockedServer"`
	CreatedAt     string            `json:"createdAt"`
}

// blockOwner is the account whose blocklist a route manages: the user's,
// or the instance's for the /server routes (which need right).
func (a *API) blockOwner(r *http.Request, instance bool, right int) (model.Account, error) {
	if instance {
		if err := requireModerator(r, right, "/api/v1/server"); err != nil {
			return model.Account{}, err
		}
		return a.st.EnsureInstanceAccount(r.Context())
	}
	return a.st.Account(r.Context(), currentUser(r).AccountID)
}

// accountByHandle finds an account known here by "name" or "name@host",
// local or a remote copy, as PeerTube's loadByNameWithHost does (404 when
// none).
func (a *API) accountByHandle(ctx context.Context, handle string) (model.Account, error) {
	name, host, hasHost := strings.Cut(handle, "@")
	notFound := problem.NotFound("Account not found")
	if name == "" || len(handle) > 255 || strings.Contains(host, "@") || (hasHost && host == "") {
		return model.Account{}, notFound
	}
	key := name
	if hasHost && !strings.EqualFold(host, a.cfg.Host()) {
		key = name + "@" + strings.ToLower(host)
	}
	acc, err := a.st.AccountByName(ctx, key)
	if errors.Is(err, store.ErrNotFound) {
		return acc, notFound
	}
	return acc, err
}

// hostLabelRe is one label of a host name.
var hostLabelRe = regexp.MustCompile(`^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$`)

// blockableHost reports whether h is a host[:port] as PeerTube's
// isHostValid accepts it: a domain name with a top-level domain,
// localhost or an IP address, and an optional port.
func blockableHost(h string) bool {
	if h == "" || len(h) > 255 {
		return false
	}
	name := h
	if strings.Contains(h, ":") {
		hp, port, err := net.SplitHostPort(h)
		switch {
		case err == nil:
			if n, perr := strconv.Atoi(port); perr != nil || n < 1 || n > 65535 {
				return false
			}
			name = hp
		case strings.HasPrefix(h, "[") && strings.HasSuffix(h, "]"):
			name = h[1 : len(h)-1]
		default:
			return false
		}
		if strings.Contains(name, ":") {
			return net.ParseIP(name) != nil // an IPv6 address, in brackets
		}
	}
	if net.ParseIP(name) != nil || strings.EqualFold(name, "localhost") {
		return true
	}
	labels := strings.Split(name, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if !hostLabelRe.MatchString(l) {
			return false
		}
	}
	tld := labels[len(labels)-1]
	return len(tld) >= 2 && strings.Trim(tld, "0123456789") != ""
}

// listAccountBlocks answers GET /users/me/blocklist/accounts and
// /server/blocklist/accounts.
func (a *API) listAccountBlocks(instance bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		owner, err := a.blockOwner(r, instance, rightManageAccountsBlocklist)
		if err != nil {
			return err
		}
		p, err := parsePage(r, []string{"createdAt"}, "-createdAt")
		if err != nil {
			return err
		}
		blocks, err := a.st.Blocks(r.Context(), owner.ID, model.BlockAccount)
		if err != nil {
			return err
		}
		type row struct {
			b   model.Block
			acc model.Account
		}
		rows := make([]row, 0, len(blocks))
		search := strings.ToLower(p.Search)
		for _, b := range blocks {
			acc, err := a.st.Account(r.Context(), b.AccountID)
			if errors.Is(err, store.ErrNotFound) {
				continue // the account is gone, and its block with it
			}
			if err != nil {
				return err
			}
			if search != "" && !a.accountMatches(acc, search) {
				continue
			}
			rows = append(rows, row{b, acc})
		}
		pg := paginate(rows, p, map[string]func(row) string{
			"createdAt": func(x row) string { return createdKey(x.b.CreatedAt, x.b.AccountID) },
		})
		by := a.accountJSON(owner)
		out := listPage[accountBlockJSON]{Total: pg.Total, Data: make([]accountBlockJSON, 0, len(pg.Data))}
		for _, x := range pg.Data {
			out.Data = append(out.Data, accountBlockJSON{ByAccount: by, BlockedAccount: a.accountJSON(x.acc),
				CreatedAt: timeJSON(x.b.CreatedAt)})
		}
		return writeJSON(w, http.StatusOK, out)
	}
}

// accountMatches is PeerTube's blocklist search: the account's name or its
// actor URL contains the (lower-case) search.
func (a *API) accountMatches(acc model.Account, search string) bool {
	url, _ := actorURLHost(a.cfg.PublicURL, a.cfg.Host(), "accounts", acc.Name, acc.Remote)
	for _, s := range []string{acc.Name, acc.DisplayName, url} {
		if strings.Contains(strings.ToLower(s), search) {
			return true
		}
	}
	return false
}

type accountBlockBody struct {
	AccountName optString `json:"accountName"`
}

// postAccountBlock answers POST /users/me/blocklist/accounts and
// /server/blocklist/accounts.
func (a *API) postAccountBlock(instance bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		owner, err := a.blockOwner(r, instance, rightManageAccountsBlocklist)
		if err != nil {
			return err
		}
		var b accountBlockBody
		if err := decodeJSON(r, &b); err != nil {
			return err
		}
		if !b.AccountName.Set || b.AccountName.Null {
			return problem.InvalidField("body", "accountName", nil, "Invalid value")
		}
		target, err := a.accountByHandle(r.Context(), b.AccountName.V)
		if err != nil {
			return err
		}
		if target.ID == currentUser(r).AccountID {
			return problem.Conflict("", "You cannot block yourself.")
		}
		if _, err := a.st.AddBlock(r.Context(), model.Block{OwnerAccountID: owner.ID, Kind: model.BlockAccount,
			AccountID: target.ID, CreatedAt: a.now()}); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
}

// deleteAccountBlock answers DELETE /users/me/blocklist/accounts/{accountName}
// and /server/blocklist/accounts/{accountName}.
func (a *API) deleteAccountBlock(instance bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		owner, err := a.blockOwner(r, instance, rightManageAccountsBlocklist)
		if err != nil {
			return err
		}
		target, err := a.accountByHandle(r.Context(), r.PathValue("accountName"))
		if err != nil {
			return err
		}
		err = a.st.RemoveBlock(r.Context(), model.Block{OwnerAccountID: owner.ID, Kind: model.BlockAccount, AccountID: target.ID})
		if errors.Is(err, store.ErrNotFound) {
			return problem.NotFound("Account block entry not found.")
		}
		if err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
}

// listServerBlocks answers GET /users/me/blocklist/servers and
// /server/blocklist/servers.
func (a *API) listServerBlocks(instance bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		owner, err := a.blockOwner(r, instance, rightManageServersBlocklist)
		if err != nil {
			return err
		}
		p, err := parsePage(r, []string{"createdAt"}, "-createdAt")
		if err != nil {
			return err
		}
		blocks, err := a.st.Blocks(r.Context(), owner.ID, model.BlockServer)
		if err != nil {
			return err
		}
		if search := strings.ToLower(p.Search); search != "" {
			kept := blocks[:0]
			for _, b := range blocks {
				if strings.Contains(strings.ToLower(b.Host), search) {
					kept = append(kept, b)
				}
			}
			blocks = kept
		}
		pg := paginate(blocks, p, map[string]func(model.Block) string{
			"createdAt": func(b model.Block) string { return timeJSON(b.CreatedAt) + b.Host },
		})
		by := a.accountJSON(owner)
		out := listPage[serverBlockJSON]{Total: pg.Total, Data: make([]serverBlockJSON, 0, len(pg.Data))}
		for _, b := range pg.Data {
			out.Data = append(out.Data, serverBlockJSON{ByAccount: by, BlockedServer: blockedServerJSON{Host: b.Host},
				CreatedAt: timeJSON(b.CreatedAt)})
		}
		return writeJSON(w, http.StatusOK, out)
	}
}

type serverBlockBody struct {
	Host optString `json:"host"`
}

// postServerBlock answers POST /users/me/blocklist/servers and
// /server/blocklist/servers. A server need not be known to be blocked.
func (a *API) postServerBlock(instance bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		owner, err := a.blockOwner(r, instance, rightManageServersBlocklist)
		if err != nil {
			return err
		}
		var b serverBlockBody
		if err := decodeJSON(r, &b); err != nil {
			return err
		}
		if b.Host.Null || !blockableHost(b.Host.V) {
			return problem.InvalidField("body", "host", b.Host.V, "Invalid value")
		}
		host := strings.ToLower(b.Host.V)
		if host == strings.ToLower(a.cfg.Host()) {
			return problem.Conflict("", "You cannot block your own server.")
		}
		if _, err := a.st.AddBlock(r.Context(), model.Block{OwnerAccountID: owner.ID, Kind: model.BlockServer,
			Host: host, CreatedAt: a.now()}); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
}

// deleteServerBlock answers DELETE /users/me/blocklist/servers/{host} and
// /server/blocklist/servers/{host}.
func (a *API) deleteServerBlock(instance bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		owner, err := a.blockOwner(r, instance, rightManageServersBlocklist)
		if err != nil {
			return err
		}
		host := r.PathValue("host")
		if !blockableHost(host) {
			return problem.InvalidField("params", "host", host, "Invalid value")
		}
		err = a.st.RemoveBlock(r.Context(), model.Block{OwnerAccountID: owner.ID, Kind: model.BlockServer, Host: host})
		if errors.Is(err, store.ErrNotFound) {
			return problem.NotFound("Server block entry not found.")
		}
		if err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
}

// blockedBy is one entry of PeerTube's BlockStatus.
type blockedBy struct {
	BlockedByServer bool `json:"blockedByServer"`
	BlockedByUser   bool `json:"blockedByUser"`
}

type blockStatusJSON struct {
	Accounts map[string]blockedBy `json:"accounts"`
	Hosts    map[string]blockedBy `json:"hosts"`
}

// getBlocklistStatus answers GET /api/v1/blocklist/status?accounts=…&hosts=…:
// whether the instance, and the user when authenticated, block each
// account (a handle, name@host) and each host. Account entries consider
// account blocks only, as PeerTube's do.
func (a *API) getBlocklistStatus(w http.ResponseWriter, r *http.Request) error {
	u, err := a.optionalUser(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	hosts := append(q["hosts"], q["hosts[]"]...)
	handles := append(q["accounts"], q["accounts[]"]...)
	fe := newFieldErrors("query")
	seen := map[string]bool{}
	for _, h := range hosts {
		if !blockableHost(h) || seen[h] {
			fe.add("hosts", hosts, "Should have a valid hosts array")
		}
		seen[h] = true
	}
	for _, h := range handles {
		if _, host, ok := strings.Cut(h, "@"); !ok || !blockableHost(host) {
			fe.add("accounts", handles, "Should have a valid accounts array")
		}
	}
	if err := fe.err(); err != nil {
		return err
	}
	out := blockStatusJSON{Accounts: map[string]blockedBy{}, Hosts: map[string]blockedBy{}}
	if len(hosts) == 0 && len(handles) == 0 {
		return writeJSON(w, http.StatusOK, out)
	}
	inst, err := a.st.EnsureInstanceAccount(r.Context())
	if err != nil {
		return err
	}
	byServer, err := a.blockSets(r.Context(), inst.ID, len(handles) > 0, len(hosts) > 0)
	if err != nil {
		return err
	}
	byUser := blockSets{accounts: map[int64]bool{}, hosts: map[string]bool{}}
	if u != nil {
		if byUser, err = a.blockSets(r.Context(), u.AccountID, len(handles) > 0, len(hosts) > 0); err != nil {
			return err
		}
	}
	for _, h := range hosts {
		k := strings.ToLower(h)
		out.Hosts[h] = blockedBy{BlockedByServer: byServer.hosts[k], BlockedByUser: byUser.hosts[k]}
	}
	for _, h := range handles {
		acc, err := a.accountByHandle(r.Context(), h)
		if problem.As(err) != nil {
			out.Accounts[h] = blockedBy{}
			continue
		}
		if err != nil {
			return err
		}
		out.Accounts[h] = blockedBy{BlockedByServer: byServer.accounts[acc.ID], BlockedByUser: byUser.accounts[acc.ID]}
	}
	return writeJSON(w, http.StatusOK, out)
}

// blockSets are an owner's blocked account ids and hosts (lower case).
type blockSets struct {
	accounts map[int64]bool
	hosts    map[string]bool
}

func (a *API) blockSets(ctx context.Context, owner int64, accounts, hosts bool) (blockSets, error) {
	s := blockSets{accounts: map[int64]bool{}, hosts: map[string]bool{}}
	if accounts {
		bs, err := a.st.Blocks(ctx, owner, model.BlockAccount)
		if err != nil {
			return s, err
		}
		for _, b := range bs {
			s.accounts[b.AccountID] = true
		}
	}
	if hosts {
		bs, err := a.st.Blocks(ctx, owner, model.BlockServer)
		if err != nil {
			return s, err
		}
		for _, b := range bs {
			s.hosts[strings.ToLower(b.Host)] = true
		}
	}
	return s, nil
}
