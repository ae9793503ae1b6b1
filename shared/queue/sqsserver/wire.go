package sqsserver

// JSON shapes of the requests and responses, member names as in the SQS
// Smithy model (awsJson1_0 uses them verbatim).

type messageAttributeValue struct {
	DataType         string   `json:"DataType"`
	StringValue      *string  `json:"StringValue,omitempty"`
	BinaryValue      []byte   `json:"BinaryValue,omitempty"`
	StringListValues []string `json:"StringListValues,omitempty"`
	BinaryListValues [][]byte `json:"BinaryListValues,omitempty"`
}

type createQueueInput struct {
	QueueName  *string           `json:"QueueName"`
	Attributes map[string]string `json:"Attributes"`
}

type queueURLOutput struct {
	QueueURL string `json:"QueueUrl"`
}

type getQueueURLInput struct {
	QueueName              *string `json:"QueueName"`
	QueueOwnerAWSAccountID *string `json:"QueueOwnerAWSAccountId"`
}

type getQueueAttributesInput struct {
	QueueURL       *string  `json:"QueueUrl"`
	AttributeNames []string `json:"AttributeNames"`
}

type getQueueAttributesOutput struct {
	Attributes map[string]string `json:"Attributes,omitempty"`
}

type queueURLInput struct {
	QueueURL *string `json:"QueueUrl"`
}

type sendMessageInput struct {
	QueueURL          *string                          `json:"QueueUrl"`
	MessageBody       *string                          `json:"MessageBody"`
	DelaySeconds      *int64                           `json:"DelaySeconds"`
	MessageAttributes map[string]messageAttributeValue `json:"MessageAttributes"`
}

type sendMessageOutput struct {
	MessageID              string `json:"MessageId"`
	MD5OfMessageBody       string `json:"MD5OfMessageBody"`
	MD5OfMessageAttributes string `json:"MD5OfMessageAttributes,omitempty"`
}

type sendMessageBatchEntry struct {
	ID                *string                          `json:"Id"`
	MessageBody       *string                          `json:"MessageBody"`
	DelaySeconds      *int64                           `json:"DelaySeconds"`
	MessageAttributes map[string]messageAttributeValue `json:"MessageAttributes"`
}

type sendMessageBatchInput struct {
	QueueURL *string                 `json:"QueueUrl"`
	Entries  []sendMessageBatchEntry `json:"Entries"`
}

type sendMessageBatchResultEntry struct {
	ID                     string `json:"Id"`
	MessageID              string `json:"MessageId"`
	MD5OfMessageBody       string `json:"MD5OfMessageBody"`
	MD5OfMessageAttributes string `json:"MD5OfMessageAttributes,omitempty"`
}

type batchResultErrorEntry struct {
	ID          string `json:"Id"`
	SenderFault bool   `json:"SenderFault"`
	Code        string `json:"Code"`
	Message     string `json:"Message,omitempty"`
}

type sendMessageBatchOutput struct {
	Successful []sendMessageBatchResultEntry `json:"Successful"`
	Failed     []batchResultErrorEntry       `json:"Failed"`
}

type receiveMessageInput struct {
	QueueURL                    *string  `json:"QueueUrl"`
	AttributeNames              []string `json:"AttributeNames"`
	MessageSystemAttributeNames []string `json:"MessageSystemAttributeNames"`
	MessageAttributeNames       []string `json:"MessageAttributeNames"`
	MaxNumberOfMessages         *int64   `json:"MaxNumberOfMessages"`
	VisibilityTimeout           *int64   `json:"VisibilityTimeout"`
	WaitTimeSeconds             *int64   `json:"WaitTimeSeconds"`
}

type message struct {
	MessageID              string                           `json:"MessageId"`
	ReceiptHandle          string                           `json:"ReceiptHandle"`
	MD5OfBody              string                           `json:"MD5OfBody"`
	Body                   string                           `json:"Body"`
	Attributes             map[string]string                `json:"Attributes,omitempty"`
	MD5OfMessageAttributes string                           `json:"MD5OfMessageAttributes,omitempty"`
	MessageAttributes      map[string]messageAttributeValue `json:"MessageAttributes,omitempty"`
}

type receiveMessageOutput struct {
	Messages []message `json:"Messages,omitempty"`
}

type deleteMessageInput struct {
	QueueURL      *string `json:"QueueUrl"`
	ReceiptHandle *string `json:"ReceiptHandle"`
}

type deleteMessageBatchEntry struct {
	ID            *string `json:"Id"`
	ReceiptHandle *string `json:"ReceiptHandle"`
}

type deleteMessageBatchInput struct {
	QueueURL *string                   `json:"QueueUrl"`
	Entries  []deleteMessageBatchEntry `json:"Entries"`
}

type deleteMessageBatchResultEntry struct {
	ID string `json:"Id"`
}

type deleteMessageBatchOutput struct {
	Successful []deleteMessageBatchResultEntry `json:"Successful"`
	Failed     []batchResultErrorEntry         `json:"Failed"`
}

type changeMessageVisibilityInput struct {
	QueueURL          *string `json:"QueueUrl"`
	ReceiptHandle     *string `json:"ReceiptHandle"`
	VisibilityTimeout *int64  `json:"VisibilityTimeout"`
}
