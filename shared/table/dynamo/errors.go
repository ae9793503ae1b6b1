package dynamo

import (
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"

	"github.com/vidiverse/vidiverse/shared/table"
)

// mapErr maps a DynamoDB error to the port's errors, keeping the original
// in the chain.
func mapErr(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := errors.AsType[*types.ConditionalCheckFailedException](err); ok {
		return fmt.Errorf("%w: %w", table.ErrConditionFailed, err)
	}
	if tce, ok := errors.AsType[*types.TransactionCanceledException](err); ok {
		return txCanceled(tce, err)
	}
	if _, ok := errors.AsType[*types.TransactionConflictException](err); ok {
		return fmt.Errorf("%w: %w", table.ErrConflict, err)
	}
	if api, ok := errors.AsType[smithy.APIError](err); ok && api.ErrorCode() == "ValidationException" {
		if isSizeError(api.ErrorMessage()) {
			return fmt.Errorf("%w: %w", table.ErrTooLarge, err)
		}
		return fmt.Errorf("%w: %w", table.ErrInvalid, err)
	}
	return err
}

func isSizeError(msg string) bool {
	msg = strings.ToLower(msg)
	return strings.Contains(msg, "size") && strings.Contains(msg, "exceeded")
}

// txError is a *table.TxCanceledError that also unwraps to the DynamoDB
// error it came from.
type txError struct {
	*table.TxCanceledError
	cause error
}

func (e *txError) Unwrap() []error { return []error{e.TxCanceledError, e.cause} }

func txCanceled(tce *types.TransactionCanceledException, cause error) error {
	reasons := make([]error, len(tce.CancellationReasons))
	for i, r := range tce.CancellationReasons {
		code, msg := "", ""
		if r.Code != nil {
			code = *r.Code
		}
		if r.Message != nil {
			msg = *r.Message
		}
		switch code {
		case "", "None":
		case "ConditionalCheckFailed":
			reasons[i] = table.ErrConditionFailed
		case "TransactionConflict":
			reasons[i] = table.ErrConflict
		case "ValidationError":
			if isSizeError(msg) {
				reasons[i] = fmt.Errorf("%w: %s", table.ErrTooLarge, msg)
			} else {
				reasons[i] = fmt.Errorf("%w: %s", table.ErrInvalid, msg)
			}
		default:
			reasons[i] = fmt.Errorf("%s: %s", code, msg)
		}
	}
	return &txError{TxCanceledError: &table.TxCanceledError{Reasons: reasons}, cause: cause}
}
