package embedded

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/vidiverse/vidiverse/shared/table"
)

// writer applies writes inside one read-write transaction, keeping the
// indexes and the TTL bucket in step with the items.
type writer struct {
	t      *Table
	items  *bolt.Bucket
	ttl    *bolt.Bucket
	ix     []*bolt.Bucket
	now    time.Time
	stored map[table.Key]table.Item // items as stored now, nil when absent
}

func (t *Table) writer(tx *bolt.Tx) *writer {
	w := &writer{
		t:      t,
		items:  tx.Bucket(bucketItems),
		ttl:    tx.Bucket(bucketTTL),
		now:    t.now(),
		stored: map[table.Key]table.Item{},
	}
	for _, ix := range t.schema.Indexes {
		w.ix = append(w.ix, tx.Bucket(indexBucket(ix.Name)))
	}
	return w
}

// load returns the item stored under k, expired or not.
func (w *writer) load(k table.Key) (table.Item, error) {
	if it, ok := w.stored[k]; ok {
		return it, nil
	}
	var it table.Item
	if v := w.items.Get(itemKey(k)); v != nil {
		var err error
		if it, err = decodeItem(w.t.schema, k, v); err != nil {
			return nil, err
		}
	}
	w.stored[k] = it
	return it, nil
}

// loadLive returns the live item under k (nil when absent or expired), or
// ErrConditionFailed when conds do not hold on it.
func (w *writer) loadLive(k table.Key, conds []table.Cond) (table.Item, error) {
	it, err := w.load(k)
	if err != nil {
		return nil, err
	}
	live := w.t.schema.Live(it, w.now)
	if !table.Match(live, conds) {
		return nil, table.ErrConditionFailed
	}
	return live, nil
}

// put stores a checked item under k, replacing what was there. The writer
// keeps it (unchanged) until the transaction ends.
func (w *writer) put(k table.Key, it table.Item) error {
	old, err := w.load(k)
	if err != nil {
		return err
	}
	ik := itemKey(k)
	if err := w.unindex(ik, old); err != nil {
		return err
	}
	if err := w.items.Put(ik, encodeItem(w.t.schema, it)); err != nil {
		return err
	}
	if err := w.index(ik, it); err != nil {
		return err
	}
	w.stored[k] = it
	return nil
}

// delete removes the item under k, if any.
func (w *writer) delete(k table.Key) error {
	old, err := w.load(k)
	if err != nil || old == nil {
		return err
	}
	ik := itemKey(k)
	if err := w.unindex(ik, old); err != nil {
		return err
	}
	if err := w.items.Delete(ik); err != nil {
		return err
	}
	w.stored[k] = nil
	return nil
}

// entries lists the index keys of an item (per index, nil when the item is
// not in it) and the value of its index entries.
func (w *writer) entries(ik []byte, it table.Item) ([][]byte, []byte) {
	keys := make([][]byte, len(w.t.schema.Indexes))
	for i, ix := range w.t.schema.Indexes {
		pk, ok := it[ix.PK].(string)
		if !ok {
			continue
		}
		var sk string
		if ix.SK != "" {
			if sk, ok = it[ix.SK].(string); !ok {
				continue
			}
		}
		keys[i] = indexKey(pk, sk, ik)
	}
	var val []byte
	if ttl, ok := ttlOf(w.t.schema, it); ok {
		val = binary.AppendVarint(nil, ttl)
	}
	return keys, val
}

func (w *writer) unindex(ik []byte, it table.Item) error {
	if it == nil {
		return nil
	}
	keys, _ := w.entries(ik, it)
	for i, key := range keys {
		if key != nil {
			if err := w.ix[i].Delete(key); err != nil {
				return err
			}
		}
	}
	if ttl, ok := ttlOf(w.t.schema, it); ok {
		return w.ttl.Delete(ttlKey(ttl, ik))
	}
	return nil
}

func (w *writer) index(ik []byte, it table.Item) error {
	keys, val := w.entries(ik, it)
	for i, key := range keys {
		if key != nil {
			if err := w.ix[i].Put(key, val); err != nil {
				return err
			}
		}
	}
	if ttl, ok := ttlOf(w.t.schema, it); ok {
		return w.ttl.Put(ttlKey(ttl, ik), nil)
	}
	return nil
}

// storedSchema is what the meta bucket records about the layout.
type storedSchema struct {
	Version int          `json:"version"`
	Schema  table.Schema `json:"schema"`
}

var metaSchemaKey = []byte("schema")

// prepare creates the buckets of a new file, or checks an existing one and
// rebuilds indexes and TTL entries when the schema changed.
func (t *Table) prepare(tx *bolt.Tx) error {
	meta, err := tx.CreateBucketIfNotExists(bucketMeta)
	if err != nil {
		return err
	}
	want, err := json.Marshal(storedSchema{Version: codecVersion, Schema: t.schema})
	if err != nil {
		return err
	}
	have := meta.Get(metaSchemaKey)
	if bytes.Equal(have, want) {
		return nil
	}
	old := storedSchema{Version: codecVersion}
	if have != nil {
		if err := json.Unmarshal(have, &old); err != nil {
			return fmt.Errorf("read stored schema: %w", err)
		}
		if old.Version != codecVersion {
			return fmt.Errorf("file format version %d, want %d", old.Version, codecVersion)
		}
	}
	if err := t.rebuild(tx, old.Schema); err != nil {
		return fmt.Errorf("rebuild for a changed schema: %w", err)
	}
	return meta.Put(metaSchemaKey, want)
}

// rebuild drops indexes and TTL entries and rebuilds them, and the item
// encodings, from the items as encoded for the old schema.
func (t *Table) rebuild(tx *bolt.Tx, old table.Schema) error {
	var drop [][]byte
	err := tx.ForEach(func(name []byte, _ *bolt.Bucket) error {
		if strings.HasPrefix(string(name), "ix/") || bytes.Equal(name, bucketTTL) {
			drop = append(drop, bytes.Clone(name))
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, name := range drop {
		if err := tx.DeleteBucket(name); err != nil {
			return err
		}
	}
	if _, err := tx.CreateBucketIfNotExists(bucketItems); err != nil {
		return err
	}
	if _, err := tx.CreateBucket(bucketTTL); err != nil {
		return err
	}
	for _, ix := range t.schema.Indexes {
		if _, err := tx.CreateBucket(indexBucket(ix.Name)); err != nil {
			return fmt.Errorf("index %q: %w", ix.Name, err)
		}
	}
	w := t.writer(tx)
	type entry struct {
		k  table.Key
		it table.Item
	}
	var all []entry
	err = w.items.ForEach(func(ik, v []byte) error {
		k, err := parseItemKey(ik)
		if err != nil {
			return err
		}
		it, err := decodeItem(old, k, v)
		if err != nil {
			return err
		}
		all = append(all, entry{k, it})
		return nil
	})
	if err != nil {
		return err
	}
	for _, e := range all {
		w.stored[e.k] = nil // the old index entries are gone already
		if err := w.put(e.k, e.it); err != nil {
			return err
		}
	}
	return nil
}
