package dynamo

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/vidiverse/vidiverse/shared/table"
)

var _ table.Table = (*Table)(nil)

// Table is one DynamoDB table seen through the table port. It is safe for
// concurrent use.
type Table struct {
	client *dynamodb.Client
	name   *string
	schema table.Schema
	now    func() time.Time
}

// New returns the table named tableName, which must exist with the layout
// CreateTable makes (string pk and sk, the schema's indexes).
func New(client *dynamodb.Client, tableName string, schema table.Schema) *Table {
	return &Table{client: client, name: aws.String(tableName), schema: schema, now: time.Now}
}

// decode turns a returned item into an Item, nil when it is absent or
// expired at now.
func (t *Table) decode(m map[string]types.AttributeValue, now time.Time) (table.Item, error) {
	if len(m) == 0 {
		return nil, nil
	}
	it, err := fromAVMap(m)
	if err != nil {
		return nil, err
	}
	return t.schema.Live(it, now), nil
}

// Get reads one item with a strongly consistent read.
func (t *Table) Get(ctx context.Context, k table.Key) (table.Item, error) {
	if err := table.CheckKey(k); err != nil {
		return nil, fmt.Errorf("get item %s: %w", k, err)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("get item %s: %w", k, err)
	}
	out, err := t.client.GetItem(ctx, &dynamodb.GetItemInput{TableName: t.name, Key: keyAV(k), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, fmt.Errorf("get item %s: %w", k, mapErr(err))
	}
	it, err := t.decode(out.Item, t.now())
	if err != nil {
		return nil, fmt.Errorf("get item %s: %w", k, err)
	}
	if it == nil {
		return nil, fmt.Errorf("get item %s: %w", k, table.ErrNotFound)
	}
	return it, nil
}

// BatchGet reads up to table.MaxBatchGet items with one BatchGetItem call
// (more when DynamoDB leaves keys unprocessed). Repeated keys are read once.
func (t *Table) BatchGet(ctx context.Context, keys []table.Key) ([]table.Item, error) {
	if err := table.CheckBatchKeys(keys); err != nil {
		return nil, fmt.Errorf("batch get: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("batch get: %w", err)
	}
	if len(keys) == 0 {
		return []table.Item{}, nil
	}
	var request []map[string]types.AttributeValue
	seen := make(map[table.Key]bool, len(keys))
	for _, k := range keys {
		if !seen[k] {
			seen[k] = true
			request = append(request, keyAV(k))
		}
	}
	now := t.now()
	found := make(map[table.Key]table.Item, len(request))
	for attempt := 0; len(request) > 0; attempt++ {
		if attempt > 0 {
			if err := sleep(ctx, backoff(attempt)); err != nil {
				return nil, fmt.Errorf("batch get: %w", err)
			}
		}
		out, err := t.client.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{
			*t.name: {Keys: request, ConsistentRead: aws.Bool(true)},
		}})
		if err != nil {
			return nil, fmt.Errorf("batch get: %w", mapErr(err))
		}
		for _, m := range out.Responses[*t.name] {
			it, err := t.decode(m, now)
			if err != nil {
				return nil, fmt.Errorf("batch get: %w", err)
			}
			if it != nil {
				found[it.Key()] = it
			}
		}
		request = out.UnprocessedKeys[*t.name].Keys
	}
	items := make([]table.Item, 0, len(keys))
	used := make(map[table.Key]bool, len(found))
	for _, k := range keys {
		it, ok := found[k]
		if !ok {
			continue
		}
		if used[k] {
			it = table.CopyItem(it) // a repeated key gets its own copy
		}
		used[k] = true
		items = append(items, it)
	}
	return items, nil
}

// backoff is the wait before retry attempt n (1, 2, ...): 50ms doubling,
// at most 2s.
func backoff(n int) time.Duration {
	d := 50 * time.Millisecond << min(n-1, 6)
	return min(d, 2*time.Second)
}

func sleep(ctx context.Context, d time.Duration) error {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}

// Put writes a whole item when conds hold on the live item.
func (t *Table) Put(ctx context.Context, it table.Item, conds ...table.Cond) error {
	k := it.Key()
	if err := checkWrite(ctx, t.schema.CheckItem(it), conds); err != nil {
		return fmt.Errorf("put item %s: %w", k, err)
	}
	e := newExpr()
	cond := e.liveCondition(t.schema, conds, t.now().Unix())
	_, err := t.client.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                 t.name,
		Item:                      toAVMap(it),
		ConditionExpression:       ptr(cond),
		ExpressionAttributeNames:  e.attrNames(),
		ExpressionAttributeValues: e.attrValues(),
	})
	if err != nil {
		return fmt.Errorf("put item %s: %w", k, mapErr(err))
	}
	return nil
}

// Delete removes an item when conds hold on the live item.
func (t *Table) Delete(ctx context.Context, k table.Key, conds ...table.Cond) error {
	if err := checkWrite(ctx, table.CheckKey(k), conds); err != nil {
		return fmt.Errorf("delete item %s: %w", k, err)
	}
	e := newExpr()
	cond := e.liveCondition(t.schema, conds, t.now().Unix())
	_, err := t.client.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName:                 t.name,
		Key:                       keyAV(k),
		ConditionExpression:       ptr(cond),
		ExpressionAttributeNames:  e.attrNames(),
		ExpressionAttributeValues: e.attrValues(),
	})
	if err != nil {
		return fmt.Errorf("delete item %s: %w", k, mapErr(err))
	}
	return nil
}

func checkWrite(ctx context.Context, err error, conds []table.Cond) error {
	if err != nil {
		return err
	}
	if err := table.CheckConds(conds); err != nil {
		return err
	}
	return ctx.Err()
}
