package embedded

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/vidiverse/vidiverse/shared/queue"
)

// ErrClosed is returned by operations on a closed Broker.
var ErrClosed = errors.New("queue broker closed")

// DefaultSenderID is the SenderId attribute of messages sent through a
// Broker unless WithSenderID says otherwise (the local account id).
const DefaultSenderID = "000000000000"

var (
	bucketQueues = []byte("queues")
	keyMeta      = []byte("meta")
	keyMsgs      = []byte("msgs")
	keyDue       = []byte("due")
	keyDead      = []byte("dead")
)

var queueName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,80}$`)

// Broker is one queue store file and the queues in it.
type Broker struct {
	db       *bolt.DB
	clock    Clock
	senderID string

	mu     sync.Mutex
	wakers map[string]*waker

	closeOnce sync.Once
	closed    chan struct{}
}

// Option configures a Broker.
type Option func(*Broker)

// WithClock sets the clock (default: the system clock).
func WithClock(c Clock) Option { return func(b *Broker) { b.clock = c } }

// WithSenderID sets the SenderId reported for messages sent through the
// broker (default DefaultSenderID).
func WithSenderID(id string) Option { return func(b *Broker) { b.senderID = id } }

// Open opens (creating if needed) the queue store at path. Only one process
// may hold it open; a second Open fails after a second.
func Open(path string, opts ...Option) (*Broker, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		return nil, fmt.Errorf("open queue store %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists(bucketQueues)
		return err
	})
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("init queue store %s: %w", path, err)
	}
	b := &Broker{
		db:       db,
		clock:    systemClock{},
		senderID: DefaultSenderID,
		wakers:   map[string]*waker{},
		closed:   make(chan struct{}),
	}
	for _, o := range opts {
		o(b)
	}
	return b, nil
}

// Close closes the store. Long polls in progress return ErrClosed.
func (b *Broker) Close() error {
	var err error
	b.closeOnce.Do(func() {
		close(b.closed)
		err = b.db.Close()
	})
	if err != nil {
		return fmt.Errorf("close queue store: %w", err)
	}
	return nil
}

// Policy is a queue's delivery policy.
type Policy struct {
	// VisibilityTimeout hides a received message from other receivers
	// (default 30s, at most 12h).
	VisibilityTimeout time.Duration
	// MaxReceives is how many times a message may be received before it
	// moves to the dead-letter state on its next visibility expiry
	// (default 5; negative: never).
	MaxReceives int
	// Retention is how long a message is kept (default 4 days).
	Retention time.Duration
}

// Policy defaults and limits.
const (
	DefaultVisibilityTimeout = 30 * time.Second
	DefaultMaxReceives       = 5
	DefaultRetention         = 4 * 24 * time.Hour
	MaxVisibilityTimeout     = 12 * time.Hour
)

func (p Policy) withDefaults() (Policy, error) {
	if p.VisibilityTimeout == 0 {
		p.VisibilityTimeout = DefaultVisibilityTimeout
	}
	if p.MaxReceives == 0 {
		p.MaxReceives = DefaultMaxReceives
	}
	if p.Retention == 0 {
		p.Retention = DefaultRetention
	}
	if p.VisibilityTimeout < 0 || p.VisibilityTimeout > MaxVisibilityTimeout {
		return p, fmt.Errorf("%w: visibility timeout %s out of range", queue.ErrInvalid, p.VisibilityTimeout)
	}
	if p.Retention < 0 {
		return p, fmt.Errorf("%w: negative retention", queue.ErrInvalid)
	}
	return p, nil
}

// Queue opens the named queue, creating it if needed, and records p (with
// defaults filled in) as its policy. Names are 1 to 80 characters of
// A-Z a-z 0-9 _ -, as in SQS.
func (b *Broker) Queue(name string, p Policy) (*Queue, error) {
	if !queueName.MatchString(name) {
		return nil, fmt.Errorf("open queue %q: %w: bad queue name", name, queue.ErrInvalid)
	}
	p, err := p.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("open queue %s: %w", name, err)
	}
	meta, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("open queue %s: %w", name, err)
	}
	err = b.db.Update(func(tx *bolt.Tx) error {
		qb, err := tx.Bucket(bucketQueues).CreateBucketIfNotExists([]byte(name))
		if err != nil {
			return err
		}
		for _, k := range [][]byte{keyMsgs, keyDue, keyDead} {
			if _, err := qb.CreateBucketIfNotExists(k); err != nil {
				return err
			}
		}
		return qb.Put(keyMeta, meta)
	})
	if err != nil {
		return nil, fmt.Errorf("open queue %s: %w", name, b.mapErr(err))
	}
	return b.handle(name, p), nil
}

// Lookup opens an existing queue with the policy it was last opened with,
// or fails with queue.ErrNoSuchQueue.
func (b *Broker) Lookup(name string) (*Queue, error) {
	var p Policy
	err := b.db.View(func(tx *bolt.Tx) error {
		qb := tx.Bucket(bucketQueues).Bucket([]byte(name))
		if qb == nil {
			return queue.ErrNoSuchQueue
		}
		return json.Unmarshal(qb.Get(keyMeta), &p)
	})
	if err != nil {
		return nil, fmt.Errorf("look up queue %s: %w", name, b.mapErr(err))
	}
	return b.handle(name, p), nil
}

func (b *Broker) handle(name string, p Policy) *Queue {
	b.mu.Lock()
	defer b.mu.Unlock()
	w, ok := b.wakers[name]
	if !ok {
		w = newWaker()
		b.wakers[name] = w
	}
	return &Queue{b: b, name: name, policy: p, wake: w}
}

func (b *Broker) mapErr(err error) error {
	if errors.Is(err, bolterrors.ErrDatabaseNotOpen) {
		return ErrClosed
	}
	return err
}

// waker lets long polls wait for new messages on one queue name.
type waker struct {
	mu sync.Mutex
	ch chan struct{}
}

func newWaker() *waker { return &waker{ch: make(chan struct{})} }

func (w *waker) wait() <-chan struct{} {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.ch
}

func (w *waker) wake() {
	w.mu.Lock()
	defer w.mu.Unlock()
	close(w.ch)
	w.ch = make(chan struct{})
}
