package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/vidiverse/vidiverse/shared/model"
	"github.com/vidiverse/vidiverse/shared/outbox"
	"github.com/vidiverse/vidiverse/shared/problem"
	"github.com/vidiverse/vidiverse/shared/store"
	"github.com/vidiverse/vidiverse/shared/webfinger"
)

// Server following (/api/v1/server/following and /server/followers): the
// instance actor's follows of other instances, and who follows it.

// followJSON is PeerTube's ActorFollow.
type followJSON struct {
	ID        int64       `json:"id"`
	Follower  followActor `json:"follower"`
	Following followActor `json:"following"`
	Score     int         `json:"score"`
	State     string      `json:"state"`
	CreatedAt string      `json:"createdAt"`
	UpdatedAt string      `json:"updatedAt"`
}

type followActor struct {
	actorJSON
	UpdatedAt string `json:"updatedAt"`
}

// federating answers 503 when the instance was started without federation.
func (a *API) federating() error {
	if a.resolver == nil || a.outbox == nil {
		return problem.New(http.StatusServiceUnavailable, "Federation is not configured on this instance")
	}
	return nil
}

func requireAdmin(r *http.Request, u *model.User, right int) error {
	if u.Role != model.RoleAdministrator {
		return problem.Forbidden(fmt.Sprintf("User %s does not have right %d to access to %s.", u.Username, right, r.URL.Path))
	}
	return nil
}

// rightManageServerFollow is PeerTube's UserRight.MANAGE_SERVER_FOLLOW.
const rightManageServerFollow = 3

// actorOf renders a follow's side.
func (a *API) actorOf(ctx context.Context, r model.ActorRef) (followActor, error) {
	if r.Kind == model.KindChannel {
		c, err := a.st.Channel(ctx, r.ID)
		if err != nil {
			return followActor{}, err
		}
		return followActor{a.actor("video-channels", c.Name, c.ID, c.CreatedAt, c.DisplayName, c.Description, c.Remote), timeJSON(c.UpdatedAt)}, nil
	}
	acc, err := a.st.Account(ctx, r.ID)
	if err != nil {
		return followActor{}, err
	}
	return followActor{a.actor("accounts", acc.Name, acc.ID, acc.CreatedAt, acc.DisplayName, acc.Description, acc.Remote), timeJSON(acc.UpdatedAt)}, nil
}

func (a *API) followsJSON(ctx context.Context, fs []model.Follow, state string) ([]followJSON, error) {
	out := []followJSON{}
	for _, f := range fs {
		if state != "" && f.State != state {
			continue
		}
		fr, err := a.actorOf(ctx, f.Follower)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		tg, err := a.actorOf(ctx, f.Target)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, followJSON{ID: f.ID, Follower: fr, Following: tg, Score: 20, State: f.State,
			CreatedAt: timeJSON(f.CreatedAt), UpdatedAt: timeJSON(f.UpdatedAt)})
	}
	return out, nil
}

func (a *API) instanceRef(ctx context.Context) (model.Account, model.ActorRef, error) {
	inst, err := a.st.EnsureInstanceAccount(ctx)
	return inst, model.ActorRef{Kind: model.KindAccount, ID: inst.ID}, err
}

// listServerFollows answers GET /api/v1/server/following and /followers.
func (a *API) listServerFollows(following bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		p, err := parsePage(r, []string{"createdAt"}, "createdAt")
		if err != nil {
			return err
		}
		ctx := r.Context()
		_, me, err := a.instanceRef(ctx)
		if err != nil {
			return err
		}
		var fs []model.Follow
		if following {
			fs, err = a.st.Following(ctx, me)
		} else {
			fs, err = a.st.Followers(ctx, me)
		}
		if err != nil {
			return err
		}
		items, err := a.followsJSON(ctx, fs, r.URL.Query().Get("state"))
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, paginate(items, p, map[string]func(followJSON) string{
			"createdAt": func(f followJSON) string { return f.CreatedAt }}))
	}
}

// postServerFollowing answers POST /api/v1/server/following: follow other
// instances ({"hosts": [...]}) or actors ({"handles": [...]}).
func (a *API) postServerFollowing(w http.ResponseWriter, r *http.Request) error {
	u := currentUser(r)
	if err := requireAdmin(r, u, rightManageServerFollow); err != nil {
		return err
	}
	var body struct {
		Hosts   []string `json:"hosts"`
		Handles []string `json:"handles"`
	}
	if err := decodeJSON(r, &body); err != nil {
		return err
	}
	if len(body.Hosts)+len(body.Handles) == 0 {
		return problem.InvalidField("body", "hosts", nil, "Should have an array of unique hosts or handles")
	}
	for _, h := range body.Hosts {
		if !validHost(h) || strings.EqualFold(h, a.cfg.Host()) {
			return problem.InvalidField("body", "hosts", body.Hosts, "Should have an array of unique hosts")
		}
	}
	for _, h := range body.Handles {
		if _, _, err := webfinger.SplitHandle(h); err != nil {
			return problem.InvalidField("body", "handles", body.Handles, "Should have an array of handles")
		}
	}
	if err := a.federating(); err != nil {
		return err
	}
	ctx := r.Context()
	inst, _, err := a.instanceRef(ctx)
	if err != nil {
		return err
	}
	for _, h := range body.Hosts {
		target, err := a.resolver.Instance(ctx, h)
		if err != nil {
			return problem.BadRequest(fmt.Sprintf("Cannot follow %s: %v", h, err))
		}
		if err := a.sendFollow(ctx, inst, model.ActorRef{Kind: model.KindAccount, ID: target.ID}, target.Remote); err != nil {
			return err
		}
	}
	for _, h := range body.Handles {
		ref, err := a.resolver.Handle(ctx, h)
		if err != nil {
			return problem.BadRequest(fmt.Sprintf("Cannot follow %s: %v", h, err))
		}
		rem, err := a.remoteOf(ctx, ref)
		if err != nil {
			return err
		}
		if err := a.sendFollow(ctx, inst, ref, rem); err != nil {
			return err
		}
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) remoteOf(ctx context.Context, ref model.ActorRef) (*model.Remote, error) {
	if ref.Kind == model.KindChannel {
		c, err := a.st.Channel(ctx, ref.ID)
		return c.Remote, err
	}
	acc, err := a.st.Account(ctx, ref.ID)
	return acc.Remote, err
}

// sendFollow records a follow of target by a local account and sends it
// (a local target accepts at once, with nothing sent).
func (a *API) sendFollow(ctx context.Context, by model.Account, target model.ActorRef, rem *model.Remote) error {
	follower := model.ActorRef{Kind: model.KindAccount, ID: by.ID}
	if rem == nil {
		_, _, err := a.st.SaveFollow(ctx, model.Follow{Follower: follower, Target: target, State: model.FollowAccepted})
		return err
	}
	f, _, err := a.st.SaveFollow(ctx, model.Follow{Follower: follower, Target: target, State: model.FollowPending})
	if err != nil {
		return err
	}
	if f.State == model.FollowAccepted {
		return nil
	}
	if f.URL == "" {
		f.URL = outbox.FollowURL(a.cfg.PublicURL+"/accounts/"+by.Name, f.ID)
		if f, _, err = a.st.SaveFollow(ctx, f); err != nil {
			return err
		}
	}
	return a.outbox.Follow(ctx, f, by, rem.URL, rem.Inbox)
}

// deleteServerFollowing answers DELETE /api/v1/server/following/{hostOrHandle}.
func (a *API) deleteServerFollowing(w http.ResponseWriter, r *http.Request) error {
	u := currentUser(r)
	if err := requireAdmin(r, u, rightManageServerFollow); err != nil {
		return err
	}
	ctx := r.Context()
	inst, me, err := a.instanceRef(ctx)
	if err != nil {
		return err
	}
	name := r.PathValue("hostOrHandle")
	if !strings.Contains(name, "@") {
		name = store.InstanceActorName + "@" + name
	}
	target, err := a.remoteActorByHandle(ctx, name)
	if err != nil {
		return err
	}
	f, err := a.st.Follow(ctx, me, target.ref)
	if errors.Is(err, store.ErrNotFound) {
		return problem.NotFound("Follow " + r.PathValue("hostOrHandle") + " not found.")
	}
	if err != nil {
		return err
	}
	if err := a.st.DeleteFollow(ctx, me, target.ref); err != nil {
		return err
	}
	if a.outbox != nil && target.rem != nil && f.URL != "" {
		if err := a.outbox.Unfollow(ctx, f, inst, target.rem.URL, target.rem.Inbox); err != nil {
			return err
		}
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type knownActor struct {
	ref model.ActorRef
	rem *model.Remote
}

// remoteActorByHandle finds an account or channel held here by name@host.
func (a *API) remoteActorByHandle(ctx context.Context, handle string) (knownActor, error) {
	if acc, err := a.st.AccountByName(ctx, handle); err == nil {
		return knownActor{model.ActorRef{Kind: model.KindAccount, ID: acc.ID}, acc.Remote}, nil
	}
	if c, err := a.st.ChannelByName(ctx, handle); err == nil {
		return knownActor{model.ActorRef{Kind: model.KindChannel, ID: c.ID}, c.Remote}, nil
	}
	return knownActor{}, problem.NotFound("Follow " + handle + " not found.")
}

// serverFollower answers POST /server/followers/{nameWithHost}/accept and
// /reject, and DELETE /server/followers/{nameWithHost}.
func (a *API) serverFollower(action string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		u := currentUser(r)
		if err := requireAdmin(r, u, rightManageServerFollow); err != nil {
			return err
		}
		ctx := r.Context()
		_, me, err := a.instanceRef(ctx)
		if err != nil {
			return err
		}
		follower, err := a.remoteActorByHandle(ctx, r.PathValue("nameWithHost"))
		if err != nil {
			return err
		}
		f, err := a.st.Follow(ctx, follower.ref, me)
		if errors.Is(err, store.ErrNotFound) {
			return problem.NotFound("Follow " + r.PathValue("nameWithHost") + " not found.")
		}
		if err != nil {
			return err
		}
		switch action {
		case "accept":
			if f.State == model.FollowAccepted {
				return problem.BadRequest("Follow is already accepted")
			}
			f.State = model.FollowAccepted
			if _, _, err := a.st.SaveFollow(ctx, f); err != nil {
				return err
			}
		default:
			if err := a.st.DeleteFollow(ctx, follower.ref, me); err != nil {
				return err
			}
		}
		if a.outbox != nil && follower.rem != nil && f.URL != "" {
			if err := a.outbox.Accept(ctx, f, follower.rem.URL, follower.rem.Inbox, me, action != "accept"); err != nil {
				return err
			}
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
}

// validHost accepts host[:port] as PeerTube's isHostValid does, loosely.
func validHost(h string) bool {
	if h == "" || len(h) > 255 || strings.ContainsAny(h, "/@ ?#") {
		return false
	}
	return true
}
