package inbox

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"time"

	"github.com/vidiverse/vidiverse/shared/httpsig"
	"github.com/vidiverse/vidiverse/shared/problem"
	"github.com/vidiverse/vidiverse/shared/queue"
)

// Message is the JSON body of one inbox-queue message.
type Message struct {
	// ID is the activity's id, the key it was recorded under.
	ID string `json:"id"`
	// Actor is the activity's actor.
	Actor string `json:"actor"`
	// Signer is the actor URL of the key that signed the request: Actor,
	// or for a forwarded activity the server that forwarded it.
	Signer string `json:"signer"`
	// Inbox is the path the activity was posted to: /inbox,
	// /accounts/NAME/inbox or /video-channels/NAME/inbox.
	Inbox string `json:"inbox"`
	// Activity is the activity as recorded.
	Activity json.RawMessage `json:"activity"`
	// Forwarded is set when Signer is not Actor and the origin confirmed
	// the activity.
	Forwarded bool `json:"forwarded,omitempty"`
}

// Deps are what a Handler needs. Every function is required.
type Deps struct {
	// PublicURL is the instance's public URL; its host is accepted as the
	// signed Host behind a proxy that rewrites Host.
	PublicURL string
	// Keys resolves a keyId (a bare actor URL, actor#main-key, GoToSocial's
	// actor/main-key, acct:user@host) to its owner's actor URL and its
	// public key. Errors wrap httpsig.ErrKeyNotFound when there is no such
	// key; any other error means "try later".
	Keys func(ctx context.Context, keyID string) (owner string, key *rsa.PublicKey, err error)
	// Record stores the raw activity under its id; fresh is false when an
	// activity with that id was already recorded.
	Record func(ctx context.Context, id string, raw []byte) (fresh bool, err error)
	// Forget undoes Record when the message could not be queued, so that
	// the sender's redelivery is taken.
	Forget func(ctx context.Context, id string) error
	// Queue is the inbox queue.
	Queue queue.Sender
	// Blocked reports whether an actor, or its server, is blocked by the
	// instance.
	Blocked func(ctx context.Context, actorURL string) (bool, error)
	// Exists reports whether a local actor's inbox exists; kind is
	// "account" or "channel".
	Exists func(ctx context.Context, kind, name string) (bool, error)
	// Confirm fetches a URL from its origin with a signed GET (for
	// forwarded activities). It returns shared/fetch errors: fetch.ErrNotFound
	// or fetch.ErrGone for an object that is gone.
	Confirm func(ctx context.Context, objectURL string) ([]byte, error)
	// MaxBodyBytes bounds request bodies; zero, or more than
	// DefaultMaxBodyBytes, means DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// Now is the clock signatures are checked at; nil means time.Now.
	Now func() time.Time
	// Log receives refusals and failures; nil means slog.Default().
	Log *slog.Logger
}

// Limits.
const (
	// MaxURLBytes bounds an activity's id and actor and a key's owner
	// (PeerTube's URL limit is 2000 characters).
	MaxURLBytes = 2048
	// maxNameBytes bounds a local actor name in an inbox path.
	maxNameBytes = 255
	// messageReserve is what a Message needs besides its activity: the
	// member names, and id, actor and signer at MaxURLBytes each and the
	// inbox path, each of which JSON escaping can at most double.
	messageReserve = 16 * 1024
	// DefaultMaxBodyBytes is the largest body taken: what is left of
	// queue.MaxBodyBytes once a Message's other members are counted.
	DefaultMaxBodyBytes = queue.MaxBodyBytes - messageReserve
)

// Handler serves the inboxes. It is safe for concurrent use.
type Handler struct {
	d          Deps
	publicHost string
	maxBody    int64
	log        *slog.Logger
	mux        *http.ServeMux
}

var _ http.Handler = (*Handler)(nil)

// New returns the inbox handler for d. It panics when a required
// dependency is missing: that is a wiring mistake, not a request's.
func New(d Deps) *Handler {
	for name, missing := range map[string]bool{
		"Keys": d.Keys == nil, "Record": d.Record == nil, "Forget": d.Forget == nil, "Queue": d.Queue == nil,
		"Blocked": d.Blocked == nil, "Exists": d.Exists == nil, "Confirm": d.Confirm == nil,
	} {
		if missing {
			panic("inbox.New: Deps." + name + " is nil")
		}
	}
	h := &Handler{d: d, maxBody: d.MaxBodyBytes, log: d.Log}
	if h.maxBody <= 0 || h.maxBody > DefaultMaxBodyBytes {
		h.maxBody = DefaultMaxBodyBytes
	}
	if h.log == nil {
		h.log = slog.Default()
	}
	if u, err := url.Parse(d.PublicURL); err == nil {
		h.publicHost = u.Host
	}
	h.mux = http.NewServeMux()
	h.mux.HandleFunc("/inbox", func(w http.ResponseWriter, r *http.Request) { h.serve(w, r, "", "") })
	h.mux.HandleFunc("/accounts/{name}/inbox", func(w http.ResponseWriter, r *http.Request) {
		h.serve(w, r, "account", r.PathValue("name"))
	})
	h.mux.HandleFunc("/video-channels/{name}/inbox", func(w http.ResponseWriter, r *http.Request) {
		h.serve(w, r, "channel", r.PathValue("name"))
	})
	h.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		problem.Write(w, r, problem.NotFound("Unknown inbox"))
	})
	return h
}

// ServeHTTP serves POST /inbox, POST /accounts/{name}/inbox and
// POST /video-channels/{name}/inbox.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

// refusal is a request this handler does not take, with why (for logs).
type refusal struct {
	p     *problem.Error
	cause error
}

func (e *refusal) Error() string {
	if e.cause != nil {
		return fmt.Sprintf("%d %s: %v", e.p.Status, e.p.Detail, e.cause)
	}
	return fmt.Sprintf("%d %s", e.p.Status, e.p.Detail)
}

func (e *refusal) Unwrap() error { return e.cause }

func refuse(status int, detail string, cause error) *refusal {
	p := problem.New(status, detail)
	if status == http.StatusServiceUnavailable {
		p.WithHeader("Retry-After", "60")
	}
	return &refusal{p: p, cause: cause}
}

func (h *Handler) serve(w http.ResponseWriter, r *http.Request, kind, name string) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		problem.Write(w, r, problem.New(http.StatusMethodNotAllowed, "Inboxes only take POST"))
		return
	}
	outcome, err := h.accept(r, kind, name)
	if err != nil {
		var rf *refusal
		if !errors.As(err, &rf) {
			rf = refuse(http.StatusServiceUnavailable, "Inbox unavailable, try again later", err)
		}
		level := slog.LevelInfo
		if rf.p.Status >= 500 {
			level = slog.LevelWarn
		}
		h.log.Log(r.Context(), level, "inbox refused a delivery",
			"path", r.URL.Path, "status", rf.p.Status, "err", rf)
		problem.Write(w, r, rf.p)
		return
	}
	if outcome != "" {
		h.log.Info("inbox accepted a delivery without queuing it", "path", r.URL.Path, "why", outcome)
	}
	w.WriteHeader(http.StatusAccepted)
}

// accept runs every check and, when all pass, records and queues the
// activity. A non-empty outcome says why an accepted activity was not
// queued (blocked, already recorded).
func (h *Handler) accept(r *http.Request, kind, name string) (outcome string, err error) {
	ctx := r.Context()
	if kind != "" {
		ok := false
		if name != "" && len(name) <= maxNameBytes {
			if ok, err = h.d.Exists(ctx, kind, name); err != nil {
				return "", refuse(http.StatusServiceUnavailable, "Inbox unavailable, try again later",
					fmt.Errorf("look up local %s %q: %w", kind, name, err))
			}
		}
		if !ok {
			return "", refuse(http.StatusNotFound, fmt.Sprintf("Unknown %s", kind), nil)
		}
	}
	if !activityContentType(r.Header.Get("Content-Type")) {
		return "", refuse(http.StatusUnsupportedMediaType,
			"Content-Type must be application/activity+json or application/ld+json", nil)
	}
	body, err := h.readBody(r)
	if err != nil {
		return "", err
	}
	signer, err := h.verify(r, body)
	if err != nil {
		return "", err
	}
	act, err := parse(body)
	if err != nil {
		return "", err
	}
	forwarded := signer != act.Actor
	if blocked, err := h.blocked(ctx, act.Actor, signer); err != nil {
		return "", err
	} else if blocked {
		return "blocked: " + act.Actor, nil
	}
	raw := body
	if forwarded {
		if raw, err = h.confirm(ctx, act, body); err != nil {
			return "", err
		}
	}
	m := Message{ID: act.ID, Actor: act.Actor, Signer: signer, Inbox: r.URL.Path, Forwarded: forwarded}
	m.Activity, err = queueable(raw)
	if err != nil {
		return "", refuse(http.StatusBadRequest, "Activity cannot be queued", err)
	}
	msg, err := encodeMessage(m)
	if err != nil {
		return "", err
	}
	fresh, err := h.d.Record(ctx, m.ID, m.Activity)
	if err != nil {
		return "", fmt.Errorf("record activity %s: %w", m.ID, err)
	}
	if !fresh {
		return "already recorded: " + m.ID, nil
	}
	if _, err := h.d.Queue.Send(ctx, queue.Message{Body: msg}); err != nil {
		if ferr := h.d.Forget(context.WithoutCancel(ctx), m.ID); ferr != nil {
			h.log.Error("inbox could not forget an activity it failed to queue; its redelivery will be dropped",
				"id", m.ID, "err", ferr)
		}
		return "", fmt.Errorf("queue activity %s: %w", m.ID, err)
	}
	return "", nil
}

// activityContentType reports whether a Content-Type names an ActivityPub
// body: application/activity+json or application/ld+json, any parameters.
func activityContentType(v string) bool {
	mt, _, err := mime.ParseMediaType(v)
	return err == nil && (mt == "application/activity+json" || mt == "application/ld+json")
}

// readBody reads at most maxBody bytes; a longer body is 413.
func (h *Handler) readBody(r *http.Request) ([]byte, error) {
	tooLarge := func() error {
		return refuse(http.StatusRequestEntityTooLarge,
			fmt.Sprintf("Activity larger than %d bytes", h.maxBody), nil)
	}
	if r.ContentLength > h.maxBody {
		return nil, tooLarge()
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, h.maxBody+1))
	if err != nil {
		return nil, refuse(http.StatusBadRequest, "Could not read the request body", err)
	}
	if int64(len(body)) > h.maxBody {
		return nil, tooLarge()
	}
	return body, nil
}

// verify checks the HTTP signature and returns the key owner's actor URL.
func (h *Handler) verify(r *http.Request, body []byte) (string, error) {
	var owner string
	opts := httpsig.VerifyOptions{
		RequireDigest: true,
		PublicHost:    h.publicHost,
		PublicKey: func(ctx context.Context, keyID string) (*rsa.PublicKey, error) {
			o, key, err := h.d.Keys(ctx, keyID)
			if err != nil {
				return nil, err
			}
			if o == "" {
				return nil, fmt.Errorf("%w: key %s has no owner", httpsig.ErrKeyNotFound, keyID)
			}
			if len(o) > MaxURLBytes {
				return nil, fmt.Errorf("%w: key %s has an owner URL of %d bytes", httpsig.ErrKeyNotFound, keyID, len(o))
			}
			owner = o
			return key, nil
		},
	}
	if h.d.Now != nil {
		opts.Now = h.d.Now()
	}
	if _, err := httpsig.Verify(r, body, opts); err != nil {
		status := httpsig.Status(err)
		if status != http.StatusBadRequest && status != http.StatusUnauthorized {
			return "", refuse(http.StatusServiceUnavailable, "Signing key unavailable, try again later", err)
		}
		detail := "Invalid signature"
		for _, e := range signatureDetails {
			if errors.Is(err, e.err) {
				detail = e.detail
				break
			}
		}
		return "", refuse(status, detail, err)
	}
	return owner, nil
}

// signatureDetails say what was wrong with a signature, in the problem
// answered.
var signatureDetails = []struct {
	err    error
	detail string
}{
	{httpsig.ErrNoSignature, "Missing HTTP signature"},
	{httpsig.ErrMalformed, "Malformed HTTP signature"},
	{httpsig.ErrNotCovered, "HTTP signature must cover (request-target), host, date and digest"},
	{httpsig.ErrMissingHeader, "A header named by the HTTP signature is missing"},
	{httpsig.ErrAlgorithm, "Unsupported HTTP signature algorithm"},
	{httpsig.ErrExpired, "HTTP signature date outside the allowed clock skew"},
	{httpsig.ErrDigest, "Digest missing or not matching the body"},
	{httpsig.ErrKeyNotFound, "Unknown signing key"},
	{httpsig.ErrBadSignature, "Invalid signature"},
}

// blocked checks the actor and, for a forwarded activity, the signer.
func (h *Handler) blocked(ctx context.Context, actor, signer string) (bool, error) {
	for _, a := range []string{actor, signer} {
		b, err := h.d.Blocked(ctx, a)
		if err != nil {
			return false, fmt.Errorf("check block of %s: %w", a, err)
		}
		if b {
			return true, nil
		}
		if signer == actor {
			break
		}
	}
	return false, nil
}
