package dynamo

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/vidiverse/vidiverse/shared/table"
)

// Transact applies ops with one TransactWriteItems call.
//
// Updates carry the same "not expired" condition as Update. When the
// transaction is cancelled because an update met an expired item (DynamoDB
// returns the stored item with each failed condition), those expired
// items are deleted and the transaction is tried again.
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
		var expired []table.Key
		for i, r := range tce.CancellationReasons {
			if i < len(ops) && ops[i].Kind == table.OpUpdate && r.Code != nil && *r.Code == "ConditionalCheckFailed" && t.storedExpired(r.Item, now) {
				expired = append(expired, ops[i].Key)
			}
		}
		if len(expired) == 0 {
			return fmt.Errorf("transact: %w", mapErr(err))
		}
		for _, k := range expired {
			if err := t.deleteExpired(ctx, k); err != nil {
				return fmt.Errorf("transact: %w", err)
			}
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
