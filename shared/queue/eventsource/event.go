package eventsource

import (
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/vidiverse/vidiverse/shared/queue/embedded"
)

// event builds the SQS event Lambda would deliver for a batch.
func (d *Driver) event(batch []embedded.Delivery) events.SQSEvent {
	ev := events.SQSEvent{Records: make([]events.SQSMessage, len(batch))}
	for i, m := range batch {
		ev.Records[i] = events.SQSMessage{
			MessageId:              m.MessageID,
			ReceiptHandle:          m.ReceiptHandle,
			Body:                   m.Body,
			Md5OfBody:              embedded.BodyMD5(m.Body),
			Md5OfMessageAttributes: embedded.AttributesMD5(m.TypedAttributes),
			Attributes: map[string]string{
				"ApproximateReceiveCount":          strconv.Itoa(m.ReceiveCount),
				"SentTimestamp":                    millis(m.SentAt),
				"SenderId":                         m.SenderID,
				"ApproximateFirstReceiveTimestamp": millis(m.FirstReceivedAt),
			},
			MessageAttributes: messageAttributes(m.TypedAttributes),
			EventSource:       "aws:sqs",
			EventSourceARN:    d.o.QueueARN,
			AWSRegion:         d.o.Region,
		}
	}
	return ev
}

func messageAttributes(attrs map[string]embedded.Attribute) map[string]events.SQSMessageAttribute {
	out := make(map[string]events.SQSMessageAttribute, len(attrs))
	for name, a := range attrs {
		ma := events.SQSMessageAttribute{
			DataType:         a.DataType,
			StringListValues: []string{},
			BinaryListValues: [][]byte{},
		}
		if strings.HasPrefix(a.DataType, "Binary") {
			ma.BinaryValue = a.BinaryValue
		} else {
			v := a.StringValue
			ma.StringValue = &v
		}
		out[name] = ma
	}
	return out
}

func millis(t time.Time) string {
	return strconv.FormatInt(t.UnixMilli(), 10)
}
