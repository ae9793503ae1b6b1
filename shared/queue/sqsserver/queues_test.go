package sqsserver_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"
)

func TestCreateAndFindQueues(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	attrs := map[string]string{
		"VisibilityTimeout":      "45",
		"MessageRetentionPeriod": "3600",
		"RedrivePolicy":          `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:jobs-dlq","maxReceiveCount":"3"}`,
	}
	url := e.createQueue(t, "jobs", attrs)
	if url != e.srv.URL+"/000000000000/jobs" {
		t.Errorf("queue url = %q", url)
	}
	if again := e.createQueue(t, "jobs", attrs); again != url {
		t.Errorf("second create returned %q", again)
	}
	_, err := e.client.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("jobs"), Attributes: map[string]string{"VisibilityTimeout": "46"}})
	wantAPIError[*types.QueueNameExists](t, err, "QueueAlreadyExists")

	got, err := e.client.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("jobs")})
	if err != nil || aws.ToString(got.QueueUrl) != url {
		t.Fatalf("GetQueueUrl = %v, %v", got, err)
	}
	_, err = e.client.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("missing")})
	wantAPIError[*types.QueueDoesNotExist](t, err, "AWS.SimpleQueueService.NonExistentQueue")

	ga, err := e.client.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url), AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameAll}})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"VisibilityTimeout":           "45",
		"MessageRetentionPeriod":      "3600",
		"ApproximateNumberOfMessages": "0",
		"QueueArn":                    "arn:aws:sqs:us-east-1:000000000000:jobs",
		"MaximumMessageSize":          "262144",
	}
	for k, v := range want {
		if ga.Attributes[k] != v {
			t.Errorf("attribute %s = %q, want %q", k, ga.Attributes[k], v)
		}
	}
	_, err = e.client.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url), AttributeNames: []types.QueueAttributeName{"Bogus"}})
	wantAPIError[*types.InvalidAttributeName](t, err, "InvalidAttributeName")

	_, err = e.client.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("other"), Attributes: map[string]string{"Bogus": "1"}})
	wantAPIError[*types.InvalidAttributeName](t, err, "InvalidAttributeName")
	_, err = e.client.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("other"), Attributes: map[string]string{"VisibilityTimeout": "99999"}})
	wantAPIError[*types.InvalidAttributeValue](t, err, "InvalidAttributeValue")
	_, err = e.client.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("bad name!")})
	wantAPIError[smithy.APIError](t, err, "InvalidParameterValue")
	_, err = e.client.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("")})
	wantAPIError[smithy.APIError](t, err, "MissingParameter")
}

func TestQueuesSurviveRestart(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.createQueue(t, "durable", map[string]string{"VisibilityTimeout": "7"})
	if _, err := e.client.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(e.srv.URL + "/000000000000/durable"), MessageBody: aws.String("kept")}); err != nil {
		t.Fatal(err)
	}
	e.stop()
	e.start(t)
	got, err := e.client.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("durable")})
	if err != nil {
		t.Fatal(err)
	}
	ga, err := e.client.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: got.QueueUrl, AttributeNames: []types.QueueAttributeName{"VisibilityTimeout", "ApproximateNumberOfMessages"}})
	if err != nil {
		t.Fatal(err)
	}
	if ga.Attributes["VisibilityTimeout"] != "7" || ga.Attributes["ApproximateNumberOfMessages"] != "1" {
		t.Errorf("attributes after restart = %v", ga.Attributes)
	}
}

func TestPurgeQueue(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	url := e.createQueue(t, "p", nil)
	for range 3 {
		if _, err := e.client.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("x")}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.client.PurgeQueue(ctx, &sqs.PurgeQueueInput{QueueUrl: aws.String(url)}); err != nil {
		t.Fatal(err)
	}
	out, err := e.client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 10})
	if err != nil || len(out.Messages) != 0 {
		t.Fatalf("after purge: %v, %v", out, err)
	}
	_, err = e.client.PurgeQueue(ctx, &sqs.PurgeQueueInput{QueueUrl: aws.String(e.srv.URL + "/000000000000/nope")})
	wantAPIError[*types.QueueDoesNotExist](t, err, "AWS.SimpleQueueService.NonExistentQueue")
}

func TestUnimplementedOperation(t *testing.T) {
	e := newEnv(t)
	_, err := e.client.ListQueues(context.Background(), &sqs.ListQueuesInput{})
	wantAPIError[*types.UnsupportedOperation](t, err, "AWS.SimpleQueueService.UnsupportedOperation")
	if !strings.Contains(err.Error(), "ListQueues") {
		t.Errorf("error does not name the operation: %v", err)
	}
}
