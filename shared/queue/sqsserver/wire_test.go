package sqsserver_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// post sends a raw JSON-protocol request, as the SDK would.
func post(t *testing.T, url, target, contentType, body string) (*http.Response, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url+"/", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("X-Amz-Target", target)
	req.Header.Set("X-Amzn-Query-Mode", "true")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("response body %q is not JSON: %v", raw, err)
	}
	return resp, doc
}

func TestWireErrorShape(t *testing.T) {
	e := newEnv(t)
	const ct = "application/x-amz-json-1.0"
	resp, doc := post(t, e.srv.URL, "AmazonSQS.GetQueueUrl", ct, `{"QueueName":"missing"}`)
	if resp.StatusCode != 400 {
		t.Errorf("status = %d", resp.StatusCode)
	}
	if doc["__type"] != "com.amazonaws.sqs#QueueDoesNotExist" || doc["message"] == "" {
		t.Errorf("body = %v", doc)
	}
	if h := resp.Header.Get("x-amzn-query-error"); h != "AWS.SimpleQueueService.NonExistentQueue;Sender" {
		t.Errorf("x-amzn-query-error = %q", h)
	}
	if resp.Header.Get("Content-Type") != ct || resp.Header.Get("x-amzn-RequestId") == "" {
		t.Errorf("headers = %v", resp.Header)
	}

	resp, doc = post(t, e.srv.URL, "AmazonSQS.SendMessage", ct, `{}`)
	if resp.StatusCode != 400 || doc["__type"] != "com.amazonaws.sqs#MissingParameter" || resp.Header.Get("x-amzn-query-error") != "MissingParameter;Sender" {
		t.Errorf("missing QueueUrl: %d %v %v", resp.StatusCode, doc, resp.Header)
	}

	resp, doc = post(t, e.srv.URL, "AmazonSQS.Frobnicate", ct, `{}`)
	if resp.StatusCode != 400 || !strings.HasSuffix(doc["__type"].(string), "#UnknownOperationException") {
		t.Errorf("unknown operation: %d %v", resp.StatusCode, doc)
	}

	resp, doc = post(t, e.srv.URL, "AmazonSQS.GetQueueUrl", "application/x-www-form-urlencoded", `Action=GetQueueUrl&QueueName=x`)
	if resp.StatusCode != 400 || !strings.HasSuffix(doc["__type"].(string), "#SerializationException") {
		t.Errorf("query protocol: %d %v", resp.StatusCode, doc)
	}

	resp, doc = post(t, e.srv.URL, "AmazonSQS.CreateQueue", ct, `{"QueueName":`)
	if resp.StatusCode != 400 || !strings.HasSuffix(doc["__type"].(string), "#SerializationException") {
		t.Errorf("truncated JSON: %d %v", resp.StatusCode, doc)
	}

	resp, doc = post(t, e.srv.URL, "AmazonSQS.CreateQueue", ct+"; charset=utf-8", `{"QueueName":"raw"}`)
	if resp.StatusCode != 200 || !strings.HasSuffix(doc["QueueUrl"].(string), "/000000000000/raw") {
		t.Errorf("create queue: %d %v", resp.StatusCode, doc)
	}
}
