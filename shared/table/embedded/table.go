package embedded

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/vidiverse/vidiverse/shared/table"
)

var _ table.Table = (*Table)(nil)

// Table is a table in one bbolt file. It is safe for concurrent use.
type Table struct {
	db     *bolt.DB
	schema table.Schema
	opts   options

	stop      chan struct{}
	done      chan struct{}
	closeOnce sync.Once
	closeErr  error
}

type options struct {
	sweepInterval time.Duration
	lockTimeout   time.Duration
	noSync        bool
	now           func() time.Time
	log           *slog.Logger
}

// Option configures Open.
type Option func(*options)

// WithSweepInterval sets how often expired items are deleted (default one
// minute). Zero or less turns the background sweeper off; Sweep still
// works.
func WithSweepInterval(d time.Duration) Option { return func(o *options) { o.sweepInterval = d } }

// WithLockTimeout sets how long Open waits for a file that another handle
// (in this or another process) holds open (default 2 seconds).
func WithLockTimeout(d time.Duration) Option { return func(o *options) { o.lockTimeout = d } }

// WithNoSync skips fsync after each write: faster, but a crash of the
// machine may lose recent writes or corrupt the file. Only for throwaway
// data.
func WithNoSync() Option { return func(o *options) { o.noSync = true } }

// WithClock sets the clock TTLs are compared with (default time.Now).
func WithClock(now func() time.Time) Option { return func(o *options) { o.now = now } }

// WithLogger sets the logger for background sweeps (default slog.Default()).
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.log = l } }

// ErrLocked is returned by Open when another handle holds the file.
var ErrLocked = errors.New("table file is locked by another open handle")

// Open opens or creates the table file at path for schema and starts its
// sweeper. Call Close when done.
func Open(path string, schema table.Schema, opts ...Option) (*Table, error) {
	o := options{sweepInterval: time.Minute, lockTimeout: 2 * time.Second, now: time.Now, log: slog.Default()}
	for _, opt := range opts {
		opt(&o)
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: o.lockTimeout, NoSync: o.noSync, NoFreelistSync: true})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, fmt.Errorf("open table %s: %w (waited %s)", path, ErrLocked, o.lockTimeout)
	}
	if err != nil {
		return nil, fmt.Errorf("open table %s: %w", path, err)
	}
	t := &Table{db: db, schema: schema, opts: o, stop: make(chan struct{}), done: make(chan struct{})}
	if err := db.Update(t.prepare); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("open table %s: %w", path, err)
	}
	if o.sweepInterval > 0 {
		go t.sweepLoop()
	} else {
		close(t.done)
	}
	return t, nil
}

// Close stops the sweeper and closes the file. It is safe to call twice.
func (t *Table) Close() error {
	t.closeOnce.Do(func() {
		close(t.stop)
		<-t.done
		if err := t.db.Close(); err != nil {
			t.closeErr = fmt.Errorf("close table %s: %w", t.db.Path(), err)
		}
	})
	return t.closeErr
}

func (t *Table) now() time.Time { return t.opts.now() }

// load returns the stored item (expired or not) under ik, or nil.
func (t *Table) load(tx *bolt.Tx, k table.Key, ik []byte) (table.Item, error) {
	v := tx.Bucket(bucketItems).Get(ik)
	if v == nil {
		return nil, nil
	}
	return decodeItem(t.schema, k, v)
}

// Get reads one item.
func (t *Table) Get(ctx context.Context, k table.Key) (table.Item, error) {
	if err := table.CheckKey(k); err != nil {
		return nil, fmt.Errorf("get item %s: %w", k, err)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("get item %s: %w", k, err)
	}
	var it table.Item
	err := t.db.View(func(tx *bolt.Tx) error {
		var err error
		it, err = t.load(tx, k, itemKey(k))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("get item %s: %w", k, err)
	}
	if t.schema.Live(it, t.now()) == nil {
		return nil, fmt.Errorf("get item %s: %w", k, table.ErrNotFound)
	}
	return it, nil
}

// BatchGet reads up to table.MaxBatchGet items in one read transaction.
func (t *Table) BatchGet(ctx context.Context, keys []table.Key) ([]table.Item, error) {
	if err := table.CheckBatchKeys(keys); err != nil {
		return nil, fmt.Errorf("batch get: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("batch get: %w", err)
	}
	now := t.now()
	out := make([]table.Item, 0, len(keys))
	err := t.db.View(func(tx *bolt.Tx) error {
		for _, k := range keys {
			it, err := t.load(tx, k, itemKey(k))
			if err != nil {
				return err
			}
			if t.schema.Live(it, now) != nil {
				out = append(out, it)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("batch get: %w", err)
	}
	return out, nil
}

// Put writes a whole item when conds hold.
func (t *Table) Put(ctx context.Context, it table.Item, conds ...table.Cond) error {
	k := it.Key()
	if err := t.checkWrite(ctx, t.schema.CheckItem(it), conds); err != nil {
		return fmt.Errorf("put item %s: %w", k, err)
	}
	err := t.db.Update(func(tx *bolt.Tx) error {
		w := t.writer(tx)
		if _, err := w.loadLive(k, conds); err != nil {
			return err
		}
		return w.put(k, it)
	})
	if err != nil {
		return fmt.Errorf("put item %s: %w", k, err)
	}
	return nil
}

// Update changes an item when conds hold and returns it as updated.
func (t *Table) Update(ctx context.Context, k table.Key, u table.Update, conds ...table.Cond) (table.Item, error) {
	if err := t.checkWrite(ctx, t.schema.CheckUpdate(k, u), conds); err != nil {
		return nil, fmt.Errorf("update item %s: %w", k, err)
	}
	var out table.Item
	err := t.db.Update(func(tx *bolt.Tx) error {
		w := t.writer(tx)
		old, err := w.loadLive(k, conds)
		if err != nil {
			return err
		}
		out, err = t.schema.Apply(old, k, u)
		if err != nil {
			return err
		}
		return w.put(k, out)
	})
	if err != nil {
		return nil, fmt.Errorf("update item %s: %w", k, err)
	}
	return out, nil
}

// Delete removes an item when conds hold.
func (t *Table) Delete(ctx context.Context, k table.Key, conds ...table.Cond) error {
	if err := t.checkWrite(ctx, table.CheckKey(k), conds); err != nil {
		return fmt.Errorf("delete item %s: %w", k, err)
	}
	err := t.db.Update(func(tx *bolt.Tx) error {
		w := t.writer(tx)
		if _, err := w.loadLive(k, conds); err != nil {
			return err
		}
		return w.delete(k)
	})
	if err != nil {
		return fmt.Errorf("delete item %s: %w", k, err)
	}
	return nil
}

func (t *Table) checkWrite(ctx context.Context, err error, conds []table.Cond) error {
	if err != nil {
		return err
	}
	if err := table.CheckConds(conds); err != nil {
		return err
	}
	return ctx.Err()
}

// Transact applies ops atomically in one read-write transaction.
func (t *Table) Transact(ctx context.Context, ops ...table.Op) error {
	if err := t.schema.CheckOps(ops); err != nil {
		return fmt.Errorf("transact: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("transact: %w", err)
	}
	err := t.db.Update(func(tx *bolt.Tx) error {
		w := t.writer(tx)
		// Keys are distinct, so checking every condition before applying
		// anything is the same as checking each just before its write.
		live := make([]table.Item, len(ops))
		var cancelled *table.TxCanceledError
		for i, op := range ops {
			it, err := w.loadLive(op.Target(), op.Conds)
			if errors.Is(err, table.ErrConditionFailed) {
				if cancelled == nil {
					cancelled = &table.TxCanceledError{Reasons: make([]error, len(ops))}
				}
				cancelled.Reasons[i] = table.ErrConditionFailed
				continue
			}
			if err != nil {
				return err
			}
			live[i] = it
		}
		if cancelled != nil {
			return cancelled
		}
		for i, op := range ops {
			var err error
			switch op.Kind {
			case table.OpPut:
				err = w.put(op.Target(), op.Item)
			case table.OpUpdate:
				var it table.Item
				if it, err = t.schema.Apply(live[i], op.Key, op.Update); err == nil {
					err = w.put(op.Key, it)
				}
			case table.OpDelete:
				err = w.delete(op.Key)
			}
			if err != nil {
				return fmt.Errorf("op %d: %w", i, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("transact: %w", err)
	}
	return nil
}
