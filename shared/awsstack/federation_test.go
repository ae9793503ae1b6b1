package awsstack

import (
	"context"
	"errors"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vidiverse/vidiverse/shared/config"
	"github.com/vidiverse/vidiverse/shared/keyring"
	"github.com/vidiverse/vidiverse/shared/queue"
	"github.com/vidiverse/vidiverse/shared/queue/embedded"
	"github.com/vidiverse/vidiverse/shared/queue/sqsserver"
	"github.com/vidiverse/vidiverse/shared/store"
	tableembedded "github.com/vidiverse/vidiverse/shared/table/embedded"
)

func TestOpenFederationNamesWhatIsMissing(t *testing.T) {
	cfg := config.Defaults()
	ctx := context.Background()
	all := FederationNeeds{Keys: true, Inbox: true, Deliver: true, DeliverDLQ: true}
	_, err := OpenFederation(ctx, cfg, nil, all)
	if err == nil || !strings.Contains(err.Error(), "the table") {
		t.Fatalf("keys without a table: %v", err)
	}
	tbl := openTable(t)
	_, err = OpenFederation(ctx, cfg, tbl, all)
	for _, name := range []string{"INBOX_QUEUE_URL", "DELIVER_QUEUE_URL", "DELIVER_DLQ_URL", "KEK_SECRET_ARN"} {
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("nothing configured: %v does not name %s", err, name)
		}
	}
	cfg.DeliverQueueURL = "https://sqs.us-east-1.amazonaws.com/123456789012/deliver"
	_, err = OpenFederation(ctx, cfg, nil, FederationNeeds{Deliver: true, DeliverDLQ: true})
	if err == nil || !strings.Contains(err.Error(), "DELIVER_DLQ_URL") || strings.Contains(err.Error(), "DELIVER_QUEUE_URL") {
		t.Errorf("dead-letter queue missing: %v", err)
	}

	// A queue not needed is opened as one that refuses every send, so
	// that shared/federate gets all its senders without this function
	// needing the queue's URL or permission.
	cfg.FederationAllowPrivate, cfg.FederationCAFile = true, "/etc/ca.pem"
	f, err := OpenFederation(ctx, cfg, nil, FederationNeeds{})
	if err != nil || f.Keys != nil {
		t.Fatalf("nothing needed: %+v %v", f, err)
	}
	for env, s := range map[string]queue.Sender{"INBOX_QUEUE_URL": f.Inbox, "DELIVER_QUEUE_URL": f.Deliver, "DELIVER_DLQ_URL": f.DeliverDLQ} {
		if s == nil {
			t.Fatalf("%s: nil sender", env)
		}
		_, err := s.Send(ctx, queue.Message{Body: "{}"})
		if !errors.Is(err, ErrQueueNotOpened) || !strings.Contains(err.Error(), env) {
			t.Errorf("%s: send: %v", env, err)
		}
		_, err = s.SendBatch(ctx, []queue.Message{{Body: "{}"}})
		if !errors.Is(err, ErrQueueNotOpened) || !strings.Contains(err.Error(), env) {
			t.Errorf("%s: send batch: %v", env, err)
		}
	}
	if !f.Fetch.AllowPrivate || f.Fetch.CAFile != "/etc/ca.pem" {
		t.Errorf("fetch options: %+v", f.Fetch)
	}
}

// TestOpenFederationOverLoopback opens everything against an SQS-compatible
// server and a Secrets Manager stand-in on loopback, sends through each
// queue and seals a key with the key-encryption key read.
func TestOpenFederationOverLoopback(t *testing.T) {
	ctx := context.Background()
	broker, err := embedded.Open(filepath.Join(t.TempDir(), "sqs.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = broker.Close() })
	queues := map[string]*embedded.Queue{}
	for _, name := range []string{"inbox", "deliver", "deliver-dead"} {
		if queues[name], err = broker.Queue(name, embedded.Policy{}); err != nil {
			t.Fatal(err)
		}
	}
	sqsSrv := httptest.NewServer(sqsserver.New(broker, sqsserver.Options{AccountID: "123456789012", Logger: slog.New(slog.DiscardHandler)}))
	t.Cleanup(sqsSrv.Close)
	const arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:kek-AbCdEf"
	sm := newSecretsServer(t, map[string]string{arn: strings.Repeat("3c", 32)})
	awsEnv(t, map[string]string{"SECRETS_MANAGER": sm.srv.URL, "SQS": sqsSrv.URL})

	cfg := config.Defaults()
	cfg.InboxQueueURL = sqsSrv.URL + "/123456789012/inbox"
	cfg.DeliverQueueURL = sqsSrv.URL + "/123456789012/deliver"
	cfg.DeliverDLQURL = sqsSrv.URL + "/123456789012/deliver-dead"
	cfg.KEKSecretARN = arn
	tbl := openTable(t)
	f, err := OpenFederation(ctx, cfg, tbl, FederationNeeds{Keys: true, Inbox: true, Deliver: true, DeliverDLQ: true})
	if err != nil {
		t.Fatal(err)
	}
	for name, s := range map[string]queue.Sender{"inbox": f.Inbox, "deliver": f.Deliver, "deliver-dead": f.DeliverDLQ} {
		if _, err := s.Send(ctx, queue.Message{Body: `{"to":"` + name + `"}`}); err != nil {
			t.Fatalf("send to %s: %v", name, err)
		}
	}
	for name, q := range queues {
		got, err := q.Receive(ctx, 10, time.Second)
		if err != nil || len(got) != 1 || got[0].Body != `{"to":"`+name+`"}` {
			t.Errorf("queue %s received %+v %v", name, got, err)
		}
	}

	// The keyring seals with the secret's key: a keyring over the same
	// table with those 32 bytes opens what it stored.
	k, err := f.Keys.Key(ctx, "account:root")
	if err != nil {
		t.Fatal(err)
	}
	same, err := keyring.New(tbl, []byte(strings.Repeat("\x3c", 32)))
	if err != nil {
		t.Fatal(err)
	}
	again, err := same.Key(ctx, "account:root")
	if err != nil || !again.Private.Equal(k.Private) {
		t.Fatalf("key read back with the secret's KEK: %v", err)
	}
	other, _ := keyring.New(tbl, []byte(strings.Repeat("\x3d", 32)))
	if _, err := other.Key(ctx, "account:root"); err == nil {
		t.Error("another KEK opened the sealed key")
	}
}

func openTable(t *testing.T) *tableembedded.Table {
	t.Helper()
	tbl, err := tableembedded.Open(filepath.Join(t.TempDir(), "table.db"), store.Schema)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tbl.Close() })
	return tbl
}
