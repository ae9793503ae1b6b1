package sqsserver_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"

	"github.com/vidiverse/vidiverse/shared/queue/embedded"
)

func TestSendReceiveDelete(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	url := aws.String(e.createQueue(t, "work", nil))
	attrs := map[string]types.MessageAttributeValue{
		"kind":    {DataType: aws.String("String"), StringValue: aws.String("transcode")},
		"n":       {DataType: aws.String("Number"), StringValue: aws.String("42")},
		"blob":    {DataType: aws.String("Binary"), BinaryValue: []byte{0, 1, 2, 250}},
		"trace.x": {DataType: aws.String("String.custom"), StringValue: aws.String("t")},
	}
	body := `{"video":"ü & <b>"}`
	before := time.Now()
	sent, err := e.client.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: url, MessageBody: aws.String(body), MessageAttributes: attrs})
	if err != nil {
		t.Fatal(err) // the SDK checks MD5OfMessageBody here
	}
	wantAttrMD5 := embedded.AttributesMD5(map[string]embedded.Attribute{
		"kind":    {DataType: "String", StringValue: "transcode"},
		"n":       {DataType: "Number", StringValue: "42"},
		"blob":    {DataType: "Binary", BinaryValue: []byte{0, 1, 2, 250}},
		"trace.x": {DataType: "String.custom", StringValue: "t"},
	})
	if aws.ToString(sent.MD5OfMessageAttributes) != wantAttrMD5 {
		t.Errorf("MD5OfMessageAttributes = %q, want %q", aws.ToString(sent.MD5OfMessageAttributes), wantAttrMD5)
	}
	if aws.ToString(sent.MessageId) == "" {
		t.Fatal("no message id")
	}

	out, err := e.client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
		QueueUrl:                    url,
		MaxNumberOfMessages:         10,
		MessageAttributeNames:       []string{"All"},
		MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameAll},
	})
	if err != nil {
		t.Fatal(err) // the SDK checks MD5OfBody here
	}
	if len(out.Messages) != 1 {
		t.Fatalf("received %d messages", len(out.Messages))
	}
	m := out.Messages[0]
	if aws.ToString(m.MessageId) != aws.ToString(sent.MessageId) || aws.ToString(m.Body) != body {
		t.Errorf("message = %+v", m)
	}
	if aws.ToString(m.MD5OfMessageAttributes) != wantAttrMD5 || len(m.MessageAttributes) != 4 {
		t.Errorf("attributes = %v (md5 %q)", m.MessageAttributes, aws.ToString(m.MD5OfMessageAttributes))
	}
	if string(m.MessageAttributes["blob"].BinaryValue) != string([]byte{0, 1, 2, 250}) || aws.ToString(m.MessageAttributes["n"].StringValue) != "42" {
		t.Errorf("attribute values = %+v", m.MessageAttributes)
	}
	if m.Attributes["ApproximateReceiveCount"] != "1" || m.Attributes["SenderId"] == "" {
		t.Errorf("system attributes = %v", m.Attributes)
	}
	if ms, _ := strconv.ParseInt(m.Attributes["SentTimestamp"], 10, 64); ms < before.UnixMilli()-1 {
		t.Errorf("SentTimestamp = %q", m.Attributes["SentTimestamp"])
	}
	if _, err := e.client.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: url, ReceiptHandle: m.ReceiptHandle}); err != nil {
		t.Fatal(err)
	}
	out, err = e.client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: url})
	if err != nil || len(out.Messages) != 0 {
		t.Fatalf("after delete: %+v, %v", out.Messages, err)
	}
}

func TestAttributeSelection(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	url := aws.String(e.createQueue(t, "sel", nil))
	_, err := e.client.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: url, MessageBody: aws.String("b"), MessageAttributes: map[string]types.MessageAttributeValue{
		"a.one": {DataType: aws.String("String"), StringValue: aws.String("1")},
		"a.two": {DataType: aws.String("String"), StringValue: aws.String("2")},
		"b":     {DataType: aws.String("String"), StringValue: aws.String("3")},
	}})
	if err != nil {
		t.Fatal(err)
	}
	out, err := e.client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
		QueueUrl: url, MessageAttributeNames: []string{"a.*"}, VisibilityTimeout: 5,
		MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameApproximateReceiveCount},
	})
	if err != nil || len(out.Messages) != 1 {
		t.Fatalf("%v, %v", out, err)
	}
	m := out.Messages[0]
	if len(m.MessageAttributes) != 2 || m.MessageAttributes["b"].DataType != nil {
		t.Errorf("prefix selection = %v", m.MessageAttributes)
	}
	want := embedded.AttributesMD5(map[string]embedded.Attribute{"a.one": {DataType: "String", StringValue: "1"}, "a.two": {DataType: "String", StringValue: "2"}})
	if aws.ToString(m.MD5OfMessageAttributes) != want {
		t.Errorf("MD5 of the selected attributes = %q, want %q", aws.ToString(m.MD5OfMessageAttributes), want)
	}
	if len(m.Attributes) != 1 || m.Attributes["ApproximateReceiveCount"] != "1" {
		t.Errorf("system attributes = %v", m.Attributes)
	}
}

func TestSendMessageErrors(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	url := aws.String(e.createQueue(t, "errs", nil))
	cases := []struct {
		name  string
		in    *sqs.SendMessageInput
		check func(t *testing.T, err error)
	}{
		{"too large", &sqs.SendMessageInput{QueueUrl: url, MessageBody: aws.String(strings.Repeat("x", 262145))}, func(t *testing.T, err error) {
			wantAPIError[smithy.APIError](t, err, "InvalidParameterValue")
			if !strings.Contains(err.Error(), "Message must be shorter than 262144 bytes") {
				t.Errorf("message = %v", err)
			}
		}},
		{"attributes make it too large", &sqs.SendMessageInput{QueueUrl: url, MessageBody: aws.String(strings.Repeat("x", 262140)),
			MessageAttributes: map[string]types.MessageAttributeValue{"k": {DataType: aws.String("String"), StringValue: aws.String("v")}}}, func(t *testing.T, err error) {
			wantAPIError[smithy.APIError](t, err, "InvalidParameterValue")
		}},
		{"empty body", &sqs.SendMessageInput{QueueUrl: url, MessageBody: aws.String("")}, func(t *testing.T, err error) {
			wantAPIError[smithy.APIError](t, err, "MissingParameter")
		}},
		{"invalid characters", &sqs.SendMessageInput{QueueUrl: url, MessageBody: aws.String("bell\x07")}, func(t *testing.T, err error) {
			wantAPIError[*types.InvalidMessageContents](t, err, "InvalidMessageContents")
			if !strings.Contains(err.Error(), "#x7") {
				t.Errorf("message = %v", err)
			}
		}},
		{"delay too long", &sqs.SendMessageInput{QueueUrl: url, MessageBody: aws.String("x"), DelaySeconds: 901}, func(t *testing.T, err error) {
			wantAPIError[smithy.APIError](t, err, "InvalidParameterValue")
		}},
		{"attribute without value", &sqs.SendMessageInput{QueueUrl: url, MessageBody: aws.String("x"),
			MessageAttributes: map[string]types.MessageAttributeValue{"k": {DataType: aws.String("String")}}}, func(t *testing.T, err error) {
			wantAPIError[smithy.APIError](t, err, "InvalidParameterValue")
		}},
		{"reserved attribute name", &sqs.SendMessageInput{QueueUrl: url, MessageBody: aws.String("x"),
			MessageAttributes: map[string]types.MessageAttributeValue{"AWS.x": {DataType: aws.String("String"), StringValue: aws.String("v")}}}, func(t *testing.T, err error) {
			wantAPIError[smithy.APIError](t, err, "InvalidParameterValue")
		}},
		{"empty queue url", &sqs.SendMessageInput{QueueUrl: aws.String(""), MessageBody: aws.String("x")}, func(t *testing.T, err error) {
			wantAPIError[smithy.APIError](t, err, "MissingParameter")
		}},
		{"unknown queue", &sqs.SendMessageInput{QueueUrl: aws.String(e.srv.URL + "/000000000000/nope"), MessageBody: aws.String("x")}, func(t *testing.T, err error) {
			wantAPIError[*types.QueueDoesNotExist](t, err, "AWS.SimpleQueueService.NonExistentQueue")
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := e.client.SendMessage(ctx, c.in)
			c.check(t, err)
		})
	}
	out, err := e.client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: url, MaxNumberOfMessages: 10})
	if err != nil || len(out.Messages) != 0 {
		t.Fatalf("rejected messages were stored: %v, %v", out, err)
	}
	if _, err := e.client.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: url, MessageBody: aws.String(strings.Repeat("x", 262144))}); err != nil {
		t.Fatalf("a body of exactly 262144 bytes: %v", err)
	}
}

func TestSendMessageBatch(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	url := aws.String(e.createQueue(t, "batch", nil))
	out, err := e.client.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: url, Entries: []types.SendMessageBatchRequestEntry{
		{Id: aws.String("ok-1"), MessageBody: aws.String("one"), MessageAttributes: map[string]types.MessageAttributeValue{"k": {DataType: aws.String("String"), StringValue: aws.String("v")}}},
		{Id: aws.String("empty"), MessageBody: aws.String("")},
		{Id: aws.String("bad_chars"), MessageBody: aws.String("nul\x00")},
		{Id: aws.String("ok-2"), MessageBody: aws.String("two"), DelaySeconds: 1},
		{Id: aws.String("delay"), MessageBody: aws.String("x"), DelaySeconds: 1000},
	}})
	if err != nil {
		t.Fatal(err) // the SDK checks each MD5OfMessageBody here
	}
	if len(out.Successful) != 2 || aws.ToString(out.Successful[0].Id) != "ok-1" || aws.ToString(out.Successful[1].Id) != "ok-2" {
		t.Fatalf("successful = %+v", out.Successful)
	}
	if aws.ToString(out.Successful[0].MD5OfMessageAttributes) == "" {
		t.Error("no MD5OfMessageAttributes for an entry with attributes")
	}
	codes := map[string]string{}
	for _, f := range out.Failed {
		if !f.SenderFault {
			t.Errorf("entry %s: not a sender fault", aws.ToString(f.Id))
		}
		codes[aws.ToString(f.Id)] = aws.ToString(f.Code)
	}
	want := map[string]string{"empty": "MissingParameter", "bad_chars": "InvalidMessageContents", "delay": "InvalidParameterValue"}
	for id, code := range want {
		if codes[id] != code {
			t.Errorf("entry %s failed with %q, want %q", id, codes[id], code)
		}
	}
	rec, err := e.client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 3})
	if err != nil || len(rec.Messages) != 1 || aws.ToString(rec.Messages[0].Body) != "one" {
		t.Fatalf("first receive: %+v, %v", rec, err)
	}
}

func TestBatchRequestErrors(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	url := aws.String(e.createQueue(t, "batch", nil))
	entries := func(n int, body string) []types.SendMessageBatchRequestEntry {
		es := make([]types.SendMessageBatchRequestEntry, n)
		for i := range es {
			es[i] = types.SendMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), MessageBody: aws.String(body)}
		}
		return es
	}
	send := func(es []types.SendMessageBatchRequestEntry) error {
		_, err := e.client.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: url, Entries: es})
		return err
	}
	wantAPIError[*types.EmptyBatchRequest](t, send(entries(0, "x")), "AWS.SimpleQueueService.EmptyBatchRequest")
	wantAPIError[*types.TooManyEntriesInBatchRequest](t, send(entries(11, "x")), "AWS.SimpleQueueService.TooManyEntriesInBatchRequest")
	dup := entries(2, "x")
	dup[1].Id = aws.String("0")
	wantAPIError[*types.BatchEntryIdsNotDistinct](t, send(dup), "AWS.SimpleQueueService.BatchEntryIdsNotDistinct")
	bad := entries(1, "x")
	bad[0].Id = aws.String("has space")
	wantAPIError[*types.InvalidBatchEntryId](t, send(bad), "AWS.SimpleQueueService.InvalidBatchEntryId")
	wantAPIError[*types.BatchRequestTooLong](t, send(entries(3, strings.Repeat("x", 100_000))), "AWS.SimpleQueueService.BatchRequestTooLong")

	_, err := e.client.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: url, Entries: []types.DeleteMessageBatchRequestEntry{}})
	wantAPIError[*types.EmptyBatchRequest](t, err, "AWS.SimpleQueueService.EmptyBatchRequest")

	out, err := e.client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: url, MaxNumberOfMessages: 10})
	if err != nil || len(out.Messages) != 0 {
		t.Fatalf("rejected batches stored messages: %v, %v", out, err)
	}
}

func TestReceiveParameterErrors(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	url := aws.String(e.createQueue(t, "r", nil))
	for _, in := range []*sqs.ReceiveMessageInput{
		{QueueUrl: url, MaxNumberOfMessages: 11},
		{QueueUrl: url, WaitTimeSeconds: 21},
		{QueueUrl: url, VisibilityTimeout: 43201},
	} {
		_, err := e.client.ReceiveMessage(ctx, in)
		wantAPIError[smithy.APIError](t, err, "InvalidParameterValue")
	}
}
