package apply

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/aws/aws-lambda-go/events"

	"github.com/vidiverse/vidiverse/shared/apobject"
	"github.com/vidiverse/vidiverse/shared/apvocab"
	"github.com/vidiverse/vidiverse/shared/fetch"
	"github.com/vidiverse/vidiverse/shared/inbox"
	"github.com/vidiverse/vidiverse/shared/model"
	"github.com/vidiverse/vidiverse/shared/outbox"
	"github.com/vidiverse/vidiverse/shared/queue"
	"github.com/vidiverse/vidiverse/shared/resolve"
	"github.com/vidiverse/vidiverse/shared/store"
)

// Applier applies inbox messages.
type Applier struct {
	Store    *store.Store
	Resolver *resolve.Resolver
	Outbox   *outbox.Outbox
	Log      *slog.Logger
}

var _ queue.Consumer = (*Applier)(nil).Handle

// errDrop marks an activity that can never be applied.
var errDrop = errors.New("activity dropped")

func drop(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errDrop, fmt.Sprintf(format, args...))
}

// Handle applies a batch of inbox messages concurrently and reports those
// that failed for a passing reason.
func (a *Applier) Handle(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	var resp events.SQSEventResponse
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, rec := range ev.Records {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := a.handleRecord(ctx, rec.Body); err != nil {
				mu.Lock()
				resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: rec.MessageId})
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return resp, nil
}

func (a *Applier) log() *slog.Logger {
	if a.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return a.Log
}

func (a *Applier) handleRecord(ctx context.Context, body string) error {
	var m inbox.Message
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		a.log().WarnContext(ctx, "inbox message unreadable; dropped", "err", err)
		return nil
	}
	act, err := apvocab.DecodeActivity(m.Activity)
	if err == nil {
		err = a.Apply(ctx, act)
	}
	log := a.log().With("activity", m.ID, "type", typeOf(act), "actor", m.Actor)
	switch {
	case err == nil:
		log.InfoContext(ctx, "activity applied")
		return nil
	case permanent(err):
		log.WarnContext(ctx, "activity dropped", "err", err)
		return nil
	default:
		log.WarnContext(ctx, "activity failed; will retry", "err", err)
		return err
	}
}

func typeOf(act *apvocab.Activity) string {
	if act == nil {
		return ""
	}
	return act.Type
}

// permanent reports whether retrying err cannot help.
func permanent(err error) bool {
	if errors.Is(err, errDrop) || errors.Is(err, apobject.ErrInvalid) || errors.Is(err, resolve.ErrNotOwner) ||
		errors.Is(err, resolve.ErrNotActor) || errors.Is(err, store.ErrNotFound) || errors.Is(err, apvocab.ErrNotActivity) {
		return true
	}
	var remote *fetch.ErrRemote
	if errors.As(err, &remote) {
		return !fetch.Retryable(err)
	}
	// Fetches the client refuses, or whose answer it refuses, are refused
	// again on every retry.
	return errors.Is(err, fetch.ErrBadURL) || errors.Is(err, fetch.ErrBlocked) || errors.Is(err, fetch.ErrTooLarge) ||
		errors.Is(err, fetch.ErrTooManyRedirects)
}

// Apply applies one activity.
func (a *Applier) Apply(ctx context.Context, act *apvocab.Activity) error {
	switch act.Type {
	case apvocab.TypeFollow:
		return a.follow(ctx, act)
	case apvocab.TypeAccept, apvocab.TypeReject:
		return a.answer(ctx, act)
	case apvocab.TypeUndo:
		return a.undo(ctx, act)
	case apvocab.TypeCreate:
		return a.create(ctx, act)
	case apvocab.TypeUpdate:
		return a.update(ctx, act)
	case apvocab.TypeDelete:
		return a.delete(ctx, act)
	case apvocab.TypeLike, apvocab.TypeDislike:
		return a.rate(ctx, act)
	case apvocab.TypeAnnounce:
		return a.announce(ctx, act)
	case apvocab.TypeView:
		return a.view(ctx, act)
	case apvocab.TypeFlag:
		return a.flag(ctx, act)
	}
	return drop("activity type %q is not handled", act.Type)
}

// sender resolves the activity's actor to a remote account (or channel).
func (a *Applier) sender(ctx context.Context, act *apvocab.Activity) (model.ActorRef, error) {
	if a.Resolver.IsLocal(act.Actor) {
		return model.ActorRef{}, drop("actor %s is local", act.Actor)
	}
	return a.Resolver.Actor(ctx, act.Actor)
}

// senderAccount is sender for activities only accounts send (ratings,
// comments, views).
func (a *Applier) senderAccount(ctx context.Context, act *apvocab.Activity) (model.Account, error) {
	ref, err := a.sender(ctx, act)
	if err != nil {
		return model.Account{}, err
	}
	if ref.Kind != model.KindAccount {
		return model.Account{}, drop("actor %s is a channel", act.Actor)
	}
	return a.Store.Account(ctx, ref.ID)
}

// objectType is the type of an activity's object ("" for a bare IRI).
func objectType(act *apvocab.Activity) string {
	if act.Object.Object != nil {
		return act.Object.Object.ObjectType()
	}
	return act.Object.Type
}
