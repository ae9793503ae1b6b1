package deliver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/vidiverse/vidiverse/shared/fetch"
	"github.com/vidiverse/vidiverse/shared/keyring"
	"github.com/vidiverse/vidiverse/shared/model"
	"github.com/vidiverse/vidiverse/shared/queue"
)

// Defaults of Deps.
const (
	DefaultMaxAttempts = 8
	DefaultBaseDelay   = 30 * time.Second
)

// Keys gives local actors' signing keys; *keyring.Keyring is one.
type Keys interface {
	Key(ctx context.Context, actor string) (keyring.Key, error)
}

var _ Keys = (*keyring.Keyring)(nil)

// Deps are what a Deliverer uses.
type Deps struct {
	// Queue is the deliver queue itself: fan-out and retries enqueue here.
	Queue queue.Sender
	// DeadLetter receives the jobs that failed MaxAttempts times; nil logs
	// and drops them.
	DeadLetter queue.Sender
	// Keys gives the signers' keys.
	Keys Keys
	// Followers lists the delivery inboxes of a local actor's accepted
	// followers (the shared inbox of those that have one). Needed by
	// fan-out jobs that name followers.
	Followers func(ctx context.Context, ref model.ActorRef) ([]string, error)
	// Client makes the POSTs; its timeout bounds each one.
	Client *fetch.Client
	// Log receives drops and retries (default slog.Default()).
	Log *slog.Logger
	// PublicURL is this instance's origin: nothing is delivered to it.
	PublicURL string
	// MaxAttempts is how many tries a job gets before it is dead-lettered
	// (default DefaultMaxAttempts).
	MaxAttempts int
	// BaseDelay is the delay before the first retry, doubled for each
	// further one and capped at queue.MaxDelay (default DefaultBaseDelay).
	BaseDelay time.Duration
}

// Deliverer enqueues delivery jobs and consumes the deliver queue.
type Deliverer struct {
	d      Deps
	log    *slog.Logger
	self   string // origin of PublicURL, "" when unknown
	keys   keyCache
	down   hostMemory
	fanned fanoutMemo
}

// New returns a Deliverer. Zero MaxAttempts, BaseDelay and Log take their
// defaults; a nil Client is fetch's production client.
func New(d Deps) *Deliverer {
	if d.MaxAttempts <= 0 {
		d.MaxAttempts = DefaultMaxAttempts
	}
	if d.BaseDelay <= 0 {
		d.BaseDelay = DefaultBaseDelay
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if d.Client == nil {
		// Without a CA file New cannot fail.
		d.Client, _ = fetch.New(fetch.Options{})
	}
	dl := &Deliverer{d: d, log: d.Log, keys: keyCache{src: d.Keys}}
	if u, err := url.Parse(d.PublicURL); err == nil && u.Host != "" {
		u.Scheme = strings.ToLower(u.Scheme)
		dl.self = origin(u)
	}
	return dl
}

var _ queue.Consumer = (*Deliverer)(nil).Handle

// Enqueue checks a job and sends it to the deliver queue as one message.
// A single-inbox job for this instance's own origin is refused. A job
// must fit in one message (queue.MaxBodyBytes): fan out to many inboxes
// through Followers rather than listing them in Inboxes.
func (d *Deliverer) Enqueue(ctx context.Context, j Job) error {
	if err := j.validate(true); err != nil {
		return fmt.Errorf("enqueue delivery: %w", err)
	}
	if j.Inbox != "" {
		if u, _ := parseInbox(j.Inbox); d.own(u) {
			return fmt.Errorf("enqueue delivery to %s: %w: this instance's own origin", j.Inbox, ErrInvalid)
		}
	}
	if len(j.Followers) > 0 && d.d.Followers == nil {
		return fmt.Errorf("enqueue delivery: %w: followers named but no follower lookup configured", ErrInvalid)
	}
	body, err := j.encode()
	if err != nil {
		return fmt.Errorf("enqueue delivery: %w", err)
	}
	if _, err := d.d.Queue.Send(ctx, queue.Message{Body: body}); err != nil {
		return fmt.Errorf("enqueue delivery: %w", err)
	}
	return nil
}

// Handle consumes a batch of the deliver queue, its records concurrently.
// Records whose handling failed on this side are reported in
// BatchItemFailures so the queue delivers them again; everything else,
// including jobs retried later through a new message, counts as handled.
func (d *Deliverer) Handle(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	errs := make([]error, len(ev.Records))
	var wg sync.WaitGroup
	for i := range ev.Records {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() {
				if r := recover(); r != nil {
					d.log.ErrorContext(ctx, "delivery panicked", "messageId", ev.Records[i].MessageId,
						"panic", fmt.Sprint(r), "stack", string(debug.Stack()))
					errs[i] = fmt.Errorf("delivery panicked: %v", r)
				}
			}()
			errs[i] = d.handle(ctx, ev.Records[i])
		}()
	}
	wg.Wait()
	var resp events.SQSEventResponse
	for i, err := range errs {
		if err != nil {
			d.log.WarnContext(ctx, "delivery record failed, the queue will deliver it again",
				"messageId", ev.Records[i].MessageId, "err", err)
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: ev.Records[i].MessageId})
		}
	}
	return resp, nil
}

// handle handles one record; an error reports it failed.
func (d *Deliverer) handle(ctx context.Context, rec events.SQSMessage) error {
	j, err := decode(rec.Body)
	if err != nil {
		d.log.WarnContext(ctx, "malformed delivery job dropped", "messageId", rec.MessageId, "err", err)
		return nil
	}
	if j.FanOut() {
		return d.fanOut(ctx, rec.MessageId, j)
	}
	return d.deliver(ctx, j)
}

// own reports whether u is on this instance's origin.
func (d *Deliverer) own(u *url.URL) bool {
	return d.self != "" && u != nil && origin(u) == d.self
}

// retry enqueues the job again after a failed try, or dead-letters it
// once it has had MaxAttempts tries.
func (d *Deliverer) retry(ctx context.Context, j Job, cause error) error {
	j.Attempt++
	if j.Attempt >= d.d.MaxAttempts {
		return d.deadLetter(ctx, j, cause)
	}
	delay := d.backoff(j.Attempt - 1)
	body, err := j.encode()
	if err != nil {
		return err
	}
	if _, err := d.d.Queue.Send(ctx, queue.Message{Body: body, Delay: delay}); err != nil {
		return fmt.Errorf("reschedule delivery to %s: %w", j.Inbox, err)
	}
	d.log.InfoContext(ctx, "delivery failed, retrying", "inbox", j.Inbox, "attempt", j.Attempt, "in", delay, "err", cause)
	return nil
}

// backoff is the delay after the failure of try attempt (0 for the
// first): BaseDelay·2^attempt, at most queue.MaxDelay.
func (d *Deliverer) backoff(attempt int) time.Duration {
	delay := d.d.BaseDelay
	for range attempt {
		if delay >= queue.MaxDelay/2 {
			return queue.MaxDelay
		}
		delay *= 2
	}
	return min(delay, queue.MaxDelay)
}

// deadLetter sends a job past its last try to the dead-letter queue, with
// the last error in its "error" attribute.
func (d *Deliverer) deadLetter(ctx context.Context, j Job, cause error) error {
	if d.d.DeadLetter == nil {
		d.log.ErrorContext(ctx, "delivery given up and dropped", "inbox", j.Inbox, "attempts", j.Attempt, "err", cause)
		return nil
	}
	body, err := j.encode()
	if err != nil {
		return err
	}
	m := queue.Message{Body: body, Attributes: map[string]string{"error": attributeValue(cause.Error())}}
	if _, err := d.d.DeadLetter.Send(ctx, m); err != nil {
		return fmt.Errorf("dead-letter delivery to %s: %w", j.Inbox, err)
	}
	d.log.WarnContext(ctx, "delivery given up, dead-lettered", "inbox", j.Inbox, "attempts", j.Attempt, "err", cause)
	return nil
}

// attributeValue makes s a valid, short message attribute value.
func attributeValue(s string) string {
	const limit = 512
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == 0xFFFD || r == 0xFFFE || r == 0xFFFF {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(s, " "))
	if len(s) > limit {
		s = strings.ToValidUTF8(s[:limit], "")
	}
	if strings.TrimSpace(s) == "" {
		return "unknown"
	}
	return s
}

// errHostDown is the failure of a try skipped because its host timed out
// moments ago.
var errHostDown = errors.New("host timed out recently; not tried")
