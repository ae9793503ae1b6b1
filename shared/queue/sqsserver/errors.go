package sqsserver

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// apiError is an SQS error response: HTTP status, the JSON body's
// "__type" shape name, and the awsQueryCompatible code sent in
// x-amzn-query-error, which the SDK reports as the error code.
type apiError struct {
	status    int
	shape     string // the error shape, e.g. "QueueDoesNotExist"
	namespace string // "com.amazonaws.sqs" unless the error is not SQS's own
	queryCode string // e.g. "AWS.SimpleQueueService.NonExistentQueue"
	fault     string // "Sender" or "Receiver"
	message   string
}

func (e *apiError) Error() string { return e.queryCode + ": " + e.message }

func senderError(shape, queryCode, format string, args ...any) *apiError {
	return &apiError{
		status:    http.StatusBadRequest,
		shape:     shape,
		namespace: "com.amazonaws.sqs",
		queryCode: queryCode,
		fault:     "Sender",
		message:   fmt.Sprintf(format, args...),
	}
}

// The errors this server returns. Modeled shapes (those the SDK decodes
// into a types.X error) use their query codes from the SQS model; the
// unmodeled InvalidParameterValue and MissingParameter reach the SDK as a
// smithy.GenericAPIError whose code comes from x-amzn-query-error.
func errQueueDoesNotExist() *apiError {
	return senderError("QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue", "The specified queue does not exist.")
}

func errQueueNameExists(attr string) *apiError {
	return senderError("QueueNameExists", "QueueAlreadyExists",
		"A queue already exists with the same name and a different value for attribute %s", attr)
}

func errInvalidParameterValue(format string, args ...any) *apiError {
	return senderError("InvalidParameterValue", "InvalidParameterValue", format, args...)
}

func errMissingParameter(name string) *apiError {
	return senderError("MissingParameter", "MissingParameter", "The request must contain the parameter %s.", name)
}

func errInvalidAttributeName(name string) *apiError {
	return senderError("InvalidAttributeName", "InvalidAttributeName", "Unknown Attribute %s.", name)
}

func errInvalidAttributeValue(format string, args ...any) *apiError {
	return senderError("InvalidAttributeValue", "InvalidAttributeValue", format, args...)
}

func errInvalidMessageContents(r rune) *apiError {
	return senderError("InvalidMessageContents", "InvalidMessageContents",
		"Invalid binary character '#x%X' was found in the message body, the set of allowed characters is #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF", r)
}

func errReceiptHandleIsInvalid(handle string) *apiError {
	return senderError("ReceiptHandleIsInvalid", "ReceiptHandleIsInvalid", "The input receipt handle %q is not a valid receipt handle.", handle)
}

func errMessageNotInflight() *apiError {
	return senderError("MessageNotInflight", "AWS.SimpleQueueService.MessageNotInflight", "Message does not exist or is not available for visibility timeout change.")
}

func errEmptyBatchRequest() *apiError {
	return senderError("EmptyBatchRequest", "AWS.SimpleQueueService.EmptyBatchRequest", "There should be at least one entry in the request.")
}

func errTooManyEntries(n int) *apiError {
	return senderError("TooManyEntriesInBatchRequest", "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
		"Maximum number of entries per request are 10. You have sent %d.", n)
}

func errBatchEntryIdsNotDistinct(id string) *apiError {
	return senderError("BatchEntryIdsNotDistinct", "AWS.SimpleQueueService.BatchEntryIdsNotDistinct", "Id %s repeated.", id)
}

func errInvalidBatchEntryID(id string) *apiError {
	return senderError("InvalidBatchEntryId", "AWS.SimpleQueueService.InvalidBatchEntryId",
		"A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long. Got %q.", id)
}

func errBatchRequestTooLong(n int) *apiError {
	return senderError("BatchRequestTooLong", "AWS.SimpleQueueService.BatchRequestTooLong",
		"Batch requests cannot be longer than 262144 bytes. You have sent %d bytes.", n)
}

func errUnsupportedOperation(op string) *apiError {
	return senderError("UnsupportedOperation", "AWS.SimpleQueueService.UnsupportedOperation",
		"Operation %s is not implemented by this test server.", op)
}

func errUnknownOperation(target string) *apiError {
	e := senderError("UnknownOperationException", "", "Unknown operation %q.", target)
	e.namespace = "com.amazon.coral.service"
	return e
}

func errSerialization(err error) *apiError {
	e := senderError("SerializationException", "", "Could not decode the request: %v", err)
	e.namespace = "com.amazon.coral.service"
	return e
}

func errInternal() *apiError {
	return &apiError{
		status:    http.StatusInternalServerError,
		shape:     "InternalFailure",
		namespace: "com.amazon.coral.service",
		queryCode: "InternalFailure",
		fault:     "Receiver",
		message:   "The request processing has failed because of an unknown error, exception or failure.",
	}
}

func writeError(w http.ResponseWriter, e *apiError) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	if e.queryCode != "" {
		h.Set("x-amzn-query-error", e.queryCode+";"+e.fault)
	}
	w.WriteHeader(e.status)
	_ = json.NewEncoder(w).Encode(map[string]string{
		"__type":  e.namespace + "#" + e.shape,
		"message": e.message,
	})
}
