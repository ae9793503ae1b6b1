package sqsserver_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

func TestVisibilityAndReceiptHandles(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	url := aws.String(e.createQueue(t, "vis", map[string]string{"VisibilityTimeout": "60"}))
	if _, err := e.client.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: url, MessageBody: aws.String("m")}); err != nil {
		t.Fatal(err)
	}
	receive := func() []types.Message {
		t.Helper()
		out, err := e.client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: url, MessageSystemAttributeNames: []types.MessageSystemAttributeName{"ApproximateReceiveCount"}})
		if err != nil {
			t.Fatal(err)
		}
		return out.Messages
	}
	first := receive()
	if len(first) != 1 {
		t.Fatal("no message")
	}
	if again := receive(); len(again) != 0 {
		t.Fatal("in-flight message received again")
	}
	_, err := e.client.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: url, ReceiptHandle: first[0].ReceiptHandle, VisibilityTimeout: 0})
	if err != nil {
		t.Fatal(err)
	}
	second := receive()
	if len(second) != 1 || second[0].Attributes["ApproximateReceiveCount"] != "2" {
		t.Fatalf("second receive = %+v", second)
	}

	_, err = e.client.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: url, ReceiptHandle: first[0].ReceiptHandle})
	wantAPIError[*types.ReceiptHandleIsInvalid](t, err, "ReceiptHandleIsInvalid")
	_, err = e.client.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: url, ReceiptHandle: aws.String("not-a-handle")})
	wantAPIError[*types.ReceiptHandleIsInvalid](t, err, "ReceiptHandleIsInvalid")
	_, err = e.client.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: url, ReceiptHandle: first[0].ReceiptHandle, VisibilityTimeout: 5})
	wantAPIError[*types.ReceiptHandleIsInvalid](t, err, "ReceiptHandleIsInvalid")

	// Make it visible, then changing its visibility is refused.
	if _, err := e.client.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: url, ReceiptHandle: second[0].ReceiptHandle, VisibilityTimeout: 0}); err != nil {
		t.Fatal(err)
	}
	_, err = e.client.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: url, ReceiptHandle: second[0].ReceiptHandle, VisibilityTimeout: 5})
	wantAPIError[*types.MessageNotInflight](t, err, "AWS.SimpleQueueService.MessageNotInflight")

	third := receive()
	if len(third) != 1 {
		t.Fatal("no third receive")
	}
	del, err := e.client.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: url, Entries: []types.DeleteMessageBatchRequestEntry{
		{Id: aws.String("stale"), ReceiptHandle: second[0].ReceiptHandle},
		{Id: aws.String("current"), ReceiptHandle: third[0].ReceiptHandle},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(del.Successful) != 1 || aws.ToString(del.Successful[0].Id) != "current" {
		t.Errorf("successful = %+v", del.Successful)
	}
	if len(del.Failed) != 1 || aws.ToString(del.Failed[0].Id) != "stale" || aws.ToString(del.Failed[0].Code) != "ReceiptHandleIsInvalid" {
		t.Errorf("failed = %+v", del.Failed)
	}
	if left := receive(); len(left) != 0 {
		t.Errorf("message still there after delete: %+v", left)
	}
}

func TestDeadLetterAfterMaxReceiveCount(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	url := aws.String(e.createQueue(t, "dlq", map[string]string{"RedrivePolicy": `{"maxReceiveCount":2}`}))
	if _, err := e.client.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: url, MessageBody: aws.String("poison")}); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 2; i++ {
		// A receive-time VisibilityTimeout of 0 cannot be sent by the SDK
		// (zero int32s are omitted), so release the message explicitly.
		out, err := e.client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: url, VisibilityTimeout: 30})
		if err != nil || len(out.Messages) != 1 {
			t.Fatalf("receive %d: %v, %v", i, out, err)
		}
		if _, err := e.client.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: url, ReceiptHandle: out.Messages[0].ReceiptHandle}); err != nil {
			t.Fatal(err)
		}
	}
	out, err := e.client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: url})
	if err != nil || len(out.Messages) != 0 {
		t.Fatalf("message received past maxReceiveCount: %v, %v", out, err)
	}
	q, err := e.broker.Lookup("dlq")
	if err != nil {
		t.Fatal(err)
	}
	dead, err := q.DeadLetters(ctx, 10)
	if err != nil || len(dead) != 1 || dead[0].Body != "poison" {
		t.Fatalf("dead letters = %v, %v", dead, err)
	}
}

func TestLongPoll(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	url := aws.String(e.createQueue(t, "lp", nil))
	go func() {
		time.Sleep(200 * time.Millisecond)
		_, _ = e.client.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: url, MessageBody: aws.String("late")})
	}()
	start := time.Now()
	out, err := e.client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: url, WaitTimeSeconds: 10})
	if err != nil {
		t.Fatal(err)
	}
	el := time.Since(start)
	if len(out.Messages) != 1 || aws.ToString(out.Messages[0].Body) != "late" {
		t.Fatalf("long poll got %+v", out.Messages)
	}
	if el < 150*time.Millisecond || el > 5*time.Second {
		t.Errorf("long poll returned after %s", el)
	}
}
