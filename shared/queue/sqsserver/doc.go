// Package sqsserver is a test server for Amazon SQS's JSON protocol: the
// wire format aws-sdk-go-v2 speaks (POST /, Content-Type
// application/x-amz-json-1.0, X-Amz-Target: AmazonSQS.<Operation>). It is
// an http.Handler over an embedded.Broker, so messages are durable and
// visibility timeouts, receive counts and dead-lettering behave as in the
// embedded queue. Tests serve it on loopback with httptest and point the
// real SDK client at it with BaseEndpoint.
//
// # Operations
//
//   - CreateQueue: standard queues. Attributes: VisibilityTimeout (1 to
//     43200), MessageRetentionPeriod (60 to 1209600), RedrivePolicy (its
//     maxReceiveCount becomes the queue's dead-letter threshold; the
//     dead letters stay in the embedded queue's dead-letter state rather
//     than in a second queue). DelaySeconds, ReceiveMessageWaitTimeSeconds,
//     MaximumMessageSize and SqsManagedSseEnabled are accepted at their
//     defaults only. Creating an existing queue with the same attributes
//     returns its URL; with different ones, QueueNameExists.
//   - GetQueueUrl, GetQueueAttributes (ApproximateNumberOfMessages,
//     ApproximateNumberOfMessagesNotVisible,
//     ApproximateNumberOfMessagesDelayed, VisibilityTimeout,
//     MessageRetentionPeriod, QueueArn and the fixed defaults; "All").
//   - SendMessage, SendMessageBatch: DelaySeconds, String, Number and Binary
//     message attributes (custom ".label" types too), MD5OfMessageBody and
//     MD5OfMessageAttributes computed with SQS's algorithms.
//   - ReceiveMessage: MaxNumberOfMessages, WaitTimeSeconds (long polling),
//     VisibilityTimeout, MessageAttributeNames ("All", ".*", "prefix.*",
//     names; the attribute MD5 covers the returned attributes), and
//     MessageSystemAttributeNames/AttributeNames (SenderId, SentTimestamp,
//     ApproximateReceiveCount, ApproximateFirstReceiveTimestamp; "All").
//   - DeleteMessage, DeleteMessageBatch, ChangeMessageVisibility,
//     PurgeQueue (no once-a-minute limit).
//
// Other SQS operations answer UnsupportedOperation; FIFO queues,
// permissions, tags, message move tasks and queue deletion are not
// implemented. Requests are not authenticated: signatures are ignored.
// A receipt handle is valid until the message is received again: deleting
// with an older one fails with ReceiptHandleIsInvalid and deletes nothing.
//
// # Errors
//
// Errors are HTTP 400 (500 for internal failures) with a JSON body
// {"__type":"com.amazonaws.sqs#<Shape>","message":"..."} and the
// awsQueryCompatible header x-amzn-query-error: <QueryCode>;Sender, from
// which the SDK takes the error code:
//
//	shape                          query code (the SDK's ErrorCode())
//	QueueDoesNotExist              AWS.SimpleQueueService.NonExistentQueue
//	QueueNameExists                QueueAlreadyExists
//	InvalidParameterValue          InvalidParameterValue (unmodeled: smithy.GenericAPIError)
//	MissingParameter               MissingParameter (unmodeled: smithy.GenericAPIError)
//	InvalidAttributeName           InvalidAttributeName
//	InvalidAttributeValue          InvalidAttributeValue
//	InvalidMessageContents         InvalidMessageContents
//	ReceiptHandleIsInvalid         ReceiptHandleIsInvalid
//	MessageNotInflight             AWS.SimpleQueueService.MessageNotInflight
//	EmptyBatchRequest              AWS.SimpleQueueService.EmptyBatchRequest
//	TooManyEntriesInBatchRequest   AWS.SimpleQueueService.TooManyEntriesInBatchRequest
//	BatchEntryIdsNotDistinct       AWS.SimpleQueueService.BatchEntryIdsNotDistinct
//	InvalidBatchEntryId            AWS.SimpleQueueService.InvalidBatchEntryId
//	BatchRequestTooLong            AWS.SimpleQueueService.BatchRequestTooLong
//	UnsupportedOperation           AWS.SimpleQueueService.UnsupportedOperation
//
// Messages over 262144 bytes (body plus attribute names, types and values)
// get InvalidParameterValue ("Message must be shorter than 262144 bytes"),
// characters outside SQS's allowed set InvalidMessageContents, and an empty
// body MissingParameter. In a SendMessageBatch these per-message failures
// are entries of Failed (with SenderFault and the code above); malformed
// batches fail the whole request. Undecodable JSON and other content types
// (the Query protocol) get SerializationException, unknown targets
// UnknownOperationException.
package sqsserver
