package dynamo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/vidiverse/vidiverse/shared/table"
)

// maxExpiredRetries bounds how often a write deletes an expired item in
// its way and tries again.
const maxExpiredRetries = 3

// Update changes an item when conds hold on the live item and returns it
// as updated.
//
// DynamoDB's UpdateItem would merge the update into an expired item that
// is still stored, so the update is made conditional on the item not being
// expired. When the condition fails and the stored item that DynamoDB
// returns with the failure is not known to be live (it is expired, or the
// server returned none), the item is deleted under the condition that it
// is expired, and if that deleted it the update is tried again on the now
// absent item.
func (t *Table) Update(ctx context.Context, k table.Key, u table.Update, conds ...table.Cond) (table.Item, error) {
	if err := checkWrite(ctx, t.schema.CheckUpdate(k, u), conds); err != nil {
		return nil, fmt.Errorf("update item %s: %w", k, err)
	}
	for attempt := 0; ; attempt++ {
		now := t.now()
		e := newExpr()
		update := e.update(u)
		cond := e.updateCondition(t.schema, conds, now.Unix())
		out, err := t.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName:                           t.name,
			Key:                                 keyAV(k),
			UpdateExpression:                    &update,
			ConditionExpression:                 ptr(cond),
			ExpressionAttributeNames:            e.attrNames(),
			ExpressionAttributeValues:           e.attrValues(),
			ReturnValues:                        types.ReturnValueAllNew,
			ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
		})
		if err == nil {
			it, err := fromAVMap(out.Attributes)
			if err != nil {
				return nil, fmt.Errorf("update item %s: %w", k, err)
			}
			return it, nil
		}
		ccf, isCCF := errors.AsType[*types.ConditionalCheckFailedException](err)
		if !isCCF || attempt == maxExpiredRetries || t.storedLive(ccf.Item, now) {
			return nil, fmt.Errorf("update item %s: %w", k, mapErr(err))
		}
		deleted, derr := t.deleteExpired(ctx, k)
		if derr != nil {
			return nil, fmt.Errorf("update item %s: %w", k, derr)
		}
		if !deleted {
			return nil, fmt.Errorf("update item %s: %w", k, mapErr(err))
		}
	}
}

// storedLive reports whether a stored item returned with a failed
// condition is known to be live, so that the failure was not caused by
// expiry. An absent item (or a server that returns no item) is not known
// to be live.
func (t *Table) storedLive(m map[string]types.AttributeValue, now time.Time) bool {
	return len(m) > 0 && !t.storedExpired(m, now)
}

// storedExpired reports whether a stored item returned with a failed
// condition is expired.
func (t *Table) storedExpired(m map[string]types.AttributeValue, now time.Time) bool {
	if len(m) == 0 || t.schema.TTLAttribute == "" {
		return false
	}
	v, err := fromAV(m[t.schema.TTLAttribute])
	ttl, ok := v.(int64)
	return err == nil && ok && ttl <= now.Unix()
}

// deleteExpired deletes the item under k if it is expired at now, and
// reports whether it did.
func (t *Table) deleteExpired(ctx context.Context, k table.Key) (bool, error) {
	if t.schema.TTLAttribute == "" {
		return false, nil
	}
	e := newExpr()
	cond := e.expired(t.schema.TTLAttribute, t.now().Unix())
	_, err := t.client.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName:                 t.name,
		Key:                       keyAV(k),
		ConditionExpression:       &cond,
		ExpressionAttributeNames:  e.attrNames(),
		ExpressionAttributeValues: e.attrValues(),
	})
	if _, ok := errors.AsType[*types.ConditionalCheckFailedException](err); ok {
		return false, nil // absent or not expired
	}
	if err != nil {
		return false, fmt.Errorf("delete expired item: %w", mapErr(err))
	}
	return true, nil
}
