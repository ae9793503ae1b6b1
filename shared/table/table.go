package table

import (
	"context"
	"errors"
	"fmt"
)

// Key identifies one item: its partition key and sort key. Both are strings;
// the store builds them (see shared/store/keys.go).
type Key struct {
	PK string
	SK string
}

// Reserved attribute names. Every item carries PK and SK as attributes named
// AttrPK and AttrSK; engines fill them in from the Key and read them back.
const (
	AttrPK = "pk"
	AttrSK = "sk"
)

// Item is one record: attribute name to value. Allowed value types are
// string, int64, bool, []byte and []string (an ordered list of strings).
// Engines reject any other type with ErrInvalid. An item always includes
// its "pk" and "sk" string attributes.
type Item map[string]any

// Key returns the item's primary key.
func (it Item) Key() Key {
	pk, _ := it[AttrPK].(string)
	sk, _ := it[AttrSK].(string)
	return Key{PK: pk, SK: sk}
}

// String returns a string attribute, or "" when absent or of another type.
func (it Item) String(name string) string {
	s, _ := it[name].(string)
	return s
}

// Int returns an int64 attribute, or 0 when absent or of another type.
func (it Item) Int(name string) int64 {
	n, _ := it[name].(int64)
	return n
}

// Bool returns a bool attribute, or false when absent or of another type.
func (it Item) Bool(name string) bool {
	b, _ := it[name].(bool)
	return b
}

// Bytes returns a []byte attribute, or nil when absent or of another type.
func (it Item) Bytes(name string) []byte {
	b, _ := it[name].([]byte)
	return b
}

// Strings returns a []string attribute, or nil when absent or of another type.
func (it Item) Strings(name string) []string {
	s, _ := it[name].([]string)
	return s
}

// Index describes a global secondary index. Both key attributes are string
// attributes of the item; an item without the index's PK attribute is not in
// the index (a sparse index). Indexes project all attributes.
type Index struct {
	Name string
	PK   string
	SK   string
}

// Schema is what an engine must know about the table beyond its items.
type Schema struct {
	// Indexes are the table's global secondary indexes.
	Indexes []Index
	// TTLAttribute names the int64 attribute holding an expiry time in Unix
	// seconds. An item whose TTL is at or before now is expired: every read
	// and every condition treats it as absent, and engines delete it
	// eventually (DynamoDB within days; the embedded engine within minutes).
	TTLAttribute string
}

// IndexByName returns the named index.
func (s Schema) IndexByName(name string) (Index, bool) {
	for _, ix := range s.Indexes {
		if ix.Name == name {
			return ix, true
		}
	}
	return Index{}, false
}

// Update changes some attributes of an item. An update of an absent (or
// expired) item creates it from the key plus the update, as DynamoDB's
// UpdateItem does.
type Update struct {
	// Set assigns attribute values.
	Set map[string]any
	// Add adds to int64 attributes; an absent attribute counts as 0.
	Add map[string]int64
	// Remove deletes attributes.
	Remove []string
}

// CondOp is the operator of one condition clause.
type CondOp int

// Condition operators. Comparisons apply to string and int64 values of the
// same type; a comparison with an absent attribute is false.
const (
	OpExists CondOp = iota + 1
	OpNotExists
	OpEqual
	OpLess
	OpLessEqual
	OpGreater
	OpGreaterEqual
)

// Cond is one clause of a condition. All clauses given to one write must
// hold (they are ANDed) or the write fails with ErrConditionFailed and
// changes nothing. An expired item is evaluated as absent.
type Cond struct {
	Attr  string
	Op    CondOp
	Value any
}

// ItemExists holds when the item is present (and not expired).
func ItemExists() Cond { return Cond{Attr: AttrPK, Op: OpExists} }

// ItemNotExists holds when the item is absent (or expired).
func ItemNotExists() Cond { return Cond{Attr: AttrPK, Op: OpNotExists} }

// AttrEquals holds when the attribute equals v.
func AttrEquals(attr string, v any) Cond { return Cond{Attr: attr, Op: OpEqual, Value: v} }

// SKOp is the operator of a sort key condition in a query.
type SKOp int

// Sort key operators. Sort keys compare as byte strings, as DynamoDB
// compares UTF-8 string keys.
const (
	SKAny SKOp = iota
	SKEqual
	SKBeginsWith
	SKBetween // Value <= sk <= Value2
	SKLess
	SKLessEqual
	SKGreater
	SKGreaterEqual
)

// Query reads the items of one partition of the table or of an index, in
// sort key order.
type Query struct {
	// Index is the index name, or "" for the table itself.
	Index string
	// PK is the partition key value to read.
	PK string
	// SKOp, SK and SK2 restrict the sort key; SKAny reads the whole partition.
	SKOp SKOp
	SK   string
	SK2  string
	// Reverse reads in descending sort key order.
	Reverse bool
	// Limit caps the number of items in the page; 0 means no cap (engines may
	// still page, so callers follow Next).
	Limit int
	// Cursor continues a previous query: Page.Next of the previous page.
	Cursor string
}

// Page is one page of query results.
type Page struct {
	Items []Item
	// Next is an opaque cursor for the next page, "" when there is none.
	Next string
}

// OpKind says what one transaction operation does.
type OpKind int

// Transaction operation kinds.
const (
	OpPut OpKind = iota + 1
	OpUpdate
	OpDelete
	OpCheck
)

// Op is one operation of a transaction.
type Op struct {
	Kind   OpKind
	Item   Item   // OpPut
	Key    Key    // OpUpdate, OpDelete, OpCheck
	Update Update // OpUpdate
	Conds  []Cond
}

// PutOp puts an item, replacing any item with the same key.
func PutOp(it Item, conds ...Cond) Op { return Op{Kind: OpPut, Item: it, Conds: conds} }

// UpdateOp updates an item.
func UpdateOp(k Key, u Update, conds ...Cond) Op {
	return Op{Kind: OpUpdate, Key: k, Update: u, Conds: conds}
}

// DeleteOp deletes an item.
func DeleteOp(k Key, conds ...Cond) Op { return Op{Kind: OpDelete, Key: k, Conds: conds} }

// CheckOp only checks conditions on an item.
func CheckOp(k Key, conds ...Cond) Op { return Op{Kind: OpCheck, Key: k, Conds: conds} }

// Limits shared by every engine (DynamoDB's).
const (
	MaxItemBytes   = 400 * 1024 // approximate encoded size of one item
	MaxTransactOps = 100
	MaxBatchGet    = 100
)

// Table is the port the store talks to. Engines: shared/table/dynamo
// (DynamoDB) and shared/table/embedded (a durable file on local disk). Both
// pass the conformance suite in shared/table/tabletest.
type Table interface {
	// Get reads one item; ErrNotFound when absent or expired.
	Get(ctx context.Context, key Key) (Item, error)
	// BatchGet reads up to MaxBatchGet items; absent ones are left out and
	// the result keeps the order of keys.
	BatchGet(ctx context.Context, keys []Key) ([]Item, error)
	// Put writes a whole item, replacing any item with its key.
	Put(ctx context.Context, item Item, conds ...Cond) error
	// Update changes an item (creating it when absent) and returns the item
	// as it is after the update.
	Update(ctx context.Context, key Key, u Update, conds ...Cond) (Item, error)
	// Delete removes an item; deleting an absent item is not an error.
	Delete(ctx context.Context, key Key, conds ...Cond) error
	// Query reads one partition of the table or of an index.
	Query(ctx context.Context, q Query) (Page, error)
	// Count counts the items a query would return (ignoring Limit/Cursor).
	Count(ctx context.Context, q Query) (int, error)
	// Transact applies up to MaxTransactOps operations atomically: all or
	// none. No two operations may touch the same key. When a condition
	// fails it returns a *TxCanceledError that matches ErrConditionFailed.
	Transact(ctx context.Context, ops ...Op) error
}

// Errors engines return (wrapped with the operation).
var (
	ErrNotFound        = errors.New("item not found")
	ErrConditionFailed = errors.New("condition failed")
	ErrInvalid         = errors.New("invalid request")
	ErrTooLarge        = errors.New("item too large")
	// ErrConflict means a transaction collided with a concurrent write;
	// retrying may succeed.
	ErrConflict = errors.New("transaction conflict")
)

// TxCanceledError says why a transaction was cancelled: Reasons[i] is nil
// or the error of ops[i] (ErrConditionFailed, ErrConflict, ...).
type TxCanceledError struct {
	Reasons []error
}

func (e *TxCanceledError) Error() string {
	for i, r := range e.Reasons {
		if r != nil {
			return fmt.Sprintf("transaction cancelled: op %d: %v", i, r)
		}
	}
	return "transaction cancelled"
}

// Is makes errors.Is(err, ErrConditionFailed) (or ErrConflict) true when any
// operation failed for that reason.
func (e *TxCanceledError) Is(target error) bool {
	for _, r := range e.Reasons {
		if r != nil && errors.Is(r, target) {
			return true
		}
	}
	return false
}

// FailedOp returns the index of the first operation that failed with
// target, or -1.
func (e *TxCanceledError) FailedOp(target error) int {
	for i, r := range e.Reasons {
		if r != nil && errors.Is(r, target) {
			return i
		}
	}
	return -1
}
