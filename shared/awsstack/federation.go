package awsstack

import (
	"context"
	"errors"
	"fmt"
	"strings"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	awssqs "github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/vidiverse/vidiverse/shared/config"
	"github.com/vidiverse/vidiverse/shared/fetch"
	"github.com/vidiverse/vidiverse/shared/keyring"
	"github.com/vidiverse/vidiverse/shared/queue"
	"github.com/vidiverse/vidiverse/shared/queue/sqs"
	"github.com/vidiverse/vidiverse/shared/table"
)

// Federation is what a function that federates opens besides its storage:
// the actors' keyring and the federation queues it sends to, in the shape
// shared/federate's Config takes them.
type Federation struct {
	// Keys is the keyring, its key-encryption key read from Secrets
	// Manager; nil unless asked for.
	Keys *keyring.Keyring
	// Inbox, Deliver and DeliverDLQ send to the federation queues. One not
	// asked for is never nil (shared/federate wants every sender): its
	// sends fail with ErrQueueNotOpened, since the function has neither
	// its URL nor the permission to send to it.
	Inbox, Deliver, DeliverDLQ queue.Sender
	// Fetch configures the federation HTTP client
	// (FEDERATION_ALLOW_PRIVATE, FEDERATION_CA_FILE).
	Fetch fetch.Options
}

// ErrQueueNotOpened is the error of a send to a federation queue the
// function did not open.
var ErrQueueNotOpened = errors.New("queue not opened by this function")

// unopened is the sender of a queue not opened.
type unopened struct{ env string }

var _ queue.Sender = unopened{}

func (u unopened) Send(context.Context, queue.Message) (string, error) {
	return "", fmt.Errorf("send message to %s: %w", u.env, ErrQueueNotOpened)
}

func (u unopened) SendBatch(context.Context, []queue.Message) ([]string, error) {
	return nil, fmt.Errorf("send message batch to %s: %w", u.env, ErrQueueNotOpened)
}

// FederationNeeds says what a function uses; OpenFederation opens only
// that, and fails when its configuration is missing.
type FederationNeeds struct {
	// Keys: signing (deliveries, signed fetches) or serving actors' keys.
	Keys bool
	// Inbox: the inboxes queue what they accept.
	Inbox bool
	// Deliver: the outbox and the deliverer queue deliveries.
	Deliver bool
	// DeliverDLQ: the deliverer dead-letters deliveries that failed for
	// good.
	DeliverDLQ bool
}

// OpenFederation opens what need names, reading the key-encryption key
// from the secret cfg.KEKSecretARN (tbl stores the actors' keys).
func OpenFederation(ctx context.Context, cfg config.Config, tbl table.Table, need FederationNeeds) (Federation, error) {
	f := Federation{Fetch: fetch.Options{AllowPrivate: cfg.FederationAllowPrivate, CAFile: cfg.FederationCAFile}}
	queues := []struct {
		use  bool
		env  string
		url  string
		dest *queue.Sender
	}{
		{need.Inbox, "INBOX_QUEUE_URL", cfg.InboxQueueURL, &f.Inbox},
		{need.Deliver, "DELIVER_QUEUE_URL", cfg.DeliverQueueURL, &f.Deliver},
		{need.DeliverDLQ, "DELIVER_DLQ_URL", cfg.DeliverDLQURL, &f.DeliverDLQ},
	}
	var missing []string
	for _, q := range queues {
		if q.use && q.url == "" {
			missing = append(missing, q.env)
		}
	}
	if need.Keys && cfg.KEKSecretARN == "" {
		missing = append(missing, "KEK_SECRET_ARN")
	}
	if need.Keys && tbl == nil {
		return Federation{}, fmt.Errorf("awsstack: the keyring needs the table")
	}
	if len(missing) > 0 {
		return Federation{}, fmt.Errorf("awsstack: %s must be set", strings.Join(missing, ", "))
	}
	if need.Inbox || need.Deliver || need.DeliverDLQ {
		awsCfg, err := awsconfig.LoadDefaultConfig(ctx)
		if err != nil {
			return Federation{}, fmt.Errorf("awsstack: load AWS config: %w", err)
		}
		client := awssqs.NewFromConfig(awsCfg)
		for _, q := range queues {
			if q.use {
				*q.dest = sqs.New(client, q.url)
			}
		}
	}
	for _, q := range queues {
		if !q.use {
			*q.dest = unopened{env: q.env}
		}
	}
	if need.Keys {
		kek, err := ReadKEK(ctx, cfg.KEKSecretARN)
		if err != nil {
			return Federation{}, err
		}
		if f.Keys, err = keyring.New(tbl, kek); err != nil {
			return Federation{}, fmt.Errorf("awsstack: %w", err)
		}
	}
	return f, nil
}
