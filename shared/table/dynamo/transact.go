package dynamo

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/vidiverse/vidiverse/shared/table"
)

// Transact applies ops with one TransactWriteItems call.
//
// Updates carry the same "not expired" condition as Update. When the
// transaction is cancelled by the condition of an update whose stored item
// is not known to be live (DynamoDB returns the stored item with each
// failed condition), that item is deleted if it is expired, and when any
// was the transaction is tried again.
func (t *Table) Transact(ctx context.Context, ops ...table.Op) error {
	if err := t.schema.CheckOps(ops); err != nil {
		return fmt.Errorf("transact: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("transact: %w", err)
	}
	for attempt := 0; ; attempt++ {
		now := t.now()
		items := make([]types.TransactWriteItem, len(ops))
		for i, op := range ops {
			items[i] = t.transactItem(op, now.Unix())
		}
		_, err := t.client.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
		if err == nil {
			return nil
		}
		tce, ok := errors.AsType[*types.TransactionCanceledException](err)
		if !ok || attempt == maxExpiredRetries {
			return fmt.Errorf("transact: %w", mapErr(err))
		}
		deleted := false
		for i, r := range tce.CancellationReasons {
			if i >= len(ops) || ops[i].Kind != table.OpUpdate || aws.ToString(r.Code) != "ConditionalCheckFailed" || t.storedLive(r.Item, now) {
				continue
			}
			d, derr := t.deleteExpired(ctx, ops[i].Key)
			if derr != nil {
				return fmt.Errorf("transact: %w", derr)
			}
			deleted = deleted || d
		}
		if !deleted {
			return fmt.Errorf("transact: %w", mapErr(err))
		}
	}
}

func (t *Table) transactItem(op table.Op, now int64) types.TransactWriteItem {
	e := newExpr()
	allOld := types.ReturnValuesOnConditionCheckFailureAllOld
	switch op.Kind {
	case table.OpPut:
		cond := e.liveCondition(t.schema, op.Conds, now)
		return types.TransactWriteItem{Put: &types.Put{
			TableName:                 t.name,
			Item:                      toAVMap(op.Item),
			ConditionExpression:       ptr(cond),
			ExpressionAttributeNames:  e.attrNames(),
			ExpressionAttributeValues: e.attrValues(),
		}}
	case table.OpUpdate:
		update := e.update(op.Update)
		cond := e.updateCondition(t.schema, op.Conds, now)
		return types.TransactWriteItem{Update: &types.Update{
			TableName:                           t.name,
			Key:                                 keyAV(op.Key),
			UpdateExpression:                    &update,
			ConditionExpression:                 ptr(cond),
			ExpressionAttributeNames:            e.attrNames(),
			ExpressionAttributeValues:           e.attrValues(),
			ReturnValuesOnConditionCheckFailure: allOld,
		}}
	case table.OpDelete:
		cond := e.liveCondition(t.schema, op.Conds, now)
		return types.TransactWriteItem{Delete: &types.Delete{
			TableName:                 t.name,
			Key:                       keyAV(op.Key),
			ConditionExpression:       ptr(cond),
			ExpressionAttributeNames:  e.attrNames(),
			ExpressionAttributeValues: e.attrValues(),
		}}
	}
	cond := e.liveCondition(t.schema, op.Conds, now)
	return types.TransactWriteItem{ConditionCheck: &types.ConditionCheck{
		TableName:                 t.name,
		Key:                       keyAV(op.Key),
		ConditionExpression:       &cond,
		ExpressionAttributeNames:  e.attrNames(),
		ExpressionAttributeValues: e.attrValues(),
	}}
}
