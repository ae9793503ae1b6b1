package sqsserver

import (
	"encoding/json"
	"errors"
	"net/http"
	"regexp"
	"strconv"
	"time"

	"github.com/vidiverse/vidiverse/shared/queue"
	"github.com/vidiverse/vidiverse/shared/queue/embedded"
)

var queueNamePattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,80}$`)

// Queue attributes SQS defines that this server accepts only at their
// default values, or not at all.
var (
	fixedAttributes = map[string]string{
		"DelaySeconds":                  "0",
		"ReceiveMessageWaitTimeSeconds": "0",
		"MaximumMessageSize":            strconv.Itoa(queue.MaxBodyBytes),
		"SqsManagedSseEnabled":          "false",
	}
	otherAttributes = map[string]bool{
		"Policy": true, "KmsMasterKeyId": true, "KmsDataKeyReusePeriodSeconds": true,
		"FifoQueue": true, "ContentBasedDeduplication": true, "DeduplicationScope": true,
		"FifoThroughputLimit": true, "RedriveAllowPolicy": true, "CreatedTimestamp": true,
		"LastModifiedTimestamp": true, "RedrivePolicy": true,
	}
)

func (s *Server) createQueue(r *http.Request, body []byte) (any, *apiError) {
	var in createQueueInput
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	if in.QueueName == nil || *in.QueueName == "" {
		return nil, errMissingParameter("QueueName")
	}
	name := *in.QueueName
	if !queueNamePattern.MatchString(name) {
		return nil, errInvalidParameterValue("Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length")
	}
	p, apiErr := policyFromAttributes(in.Attributes)
	if apiErr != nil {
		return nil, apiErr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	existing, err := s.b.Lookup(name)
	switch {
	case err == nil:
		if attr := policyDiff(existing.Policy(), p); attr != "" {
			return nil, errQueueNameExists(attr)
		}
		s.queues[name] = existing
	case errors.Is(err, queue.ErrNoSuchQueue):
		q, err := s.b.Queue(name, p)
		if err != nil {
			return nil, s.internal(r, "create queue", err)
		}
		s.queues[name] = q
	default:
		return nil, s.internal(r, "look up queue", err)
	}
	return queueURLOutput{QueueURL: s.queueURL(r, name)}, nil
}

// policyFromAttributes maps CreateQueue attributes to an embedded policy.
// As in SQS, a queue without a RedrivePolicy never dead-letters.
func policyFromAttributes(attrs map[string]string) (embedded.Policy, *apiError) {
	p := embedded.Policy{
		VisibilityTimeout: embedded.DefaultVisibilityTimeout,
		Retention:         embedded.DefaultRetention,
		MaxReceives:       -1,
	}
	for k, v := range attrs {
		switch {
		case k == "VisibilityTimeout":
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || n > 43200 {
				return p, errInvalidAttributeValue("Invalid value for the parameter VisibilityTimeout.")
			}
			if n == 0 {
				return p, errInvalidAttributeValue("A queue VisibilityTimeout of 0 is not supported by this test server.")
			}
			p.VisibilityTimeout = time.Duration(n) * time.Second
		case k == "MessageRetentionPeriod":
			n, err := strconv.Atoi(v)
			if err != nil || n < 60 || n > 1209600 {
				return p, errInvalidAttributeValue("Invalid value for the parameter MessageRetentionPeriod.")
			}
			p.Retention = time.Duration(n) * time.Second
		case k == "RedrivePolicy":
			n, ok := maxReceiveCount(v)
			if !ok {
				return p, errInvalidAttributeValue("Value %s for parameter RedrivePolicy is invalid. Reason: Invalid value for maxReceiveCount: must be an integer from 1 to 1000.", v)
			}
			p.MaxReceives = n
		case fixedAttributes[k] != "":
			if v != fixedAttributes[k] {
				return p, errInvalidAttributeValue("Attribute %s can only be %s on this test server.", k, fixedAttributes[k])
			}
		case otherAttributes[k]:
			return p, errInvalidAttributeValue("Attribute %s is not supported by this test server.", k)
		default:
			return p, errInvalidAttributeName(k)
		}
	}
	return p, nil
}

// maxReceiveCount reads maxReceiveCount from a RedrivePolicy document; SQS
// accepts it as a number or a string.
func maxReceiveCount(doc string) (int, bool) {
	var rp struct {
		MaxReceiveCount json.RawMessage `json:"maxReceiveCount"`
	}
	if err := json.Unmarshal([]byte(doc), &rp); err != nil || len(rp.MaxReceiveCount) == 0 {
		return 0, false
	}
	raw := string(rp.MaxReceiveCount)
	if unq, err := strconv.Unquote(raw); err == nil {
		raw = unq
	}
	n, err := strconv.Atoi(raw)
	return n, err == nil && n >= 1 && n <= 1000
}

// policyDiff names the first attribute in which two policies differ.
func policyDiff(a, b embedded.Policy) string {
	switch {
	case a.VisibilityTimeout != b.VisibilityTimeout:
		return "VisibilityTimeout"
	case a.Retention != b.Retention:
		return "MessageRetentionPeriod"
	case a.MaxReceives != b.MaxReceives:
		return "RedrivePolicy"
	}
	return ""
}

func (s *Server) getQueueURL(r *http.Request, body []byte) (any, *apiError) {
	var in getQueueURLInput
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	if in.QueueName == nil || *in.QueueName == "" {
		return nil, errMissingParameter("QueueName")
	}
	if in.QueueOwnerAWSAccountID != nil && *in.QueueOwnerAWSAccountID != s.o.AccountID {
		return nil, errQueueDoesNotExist()
	}
	if _, e := s.lookup(r, *in.QueueName); e != nil {
		return nil, e
	}
	return queueURLOutput{QueueURL: s.queueURL(r, *in.QueueName)}, nil
}

func (s *Server) getQueueAttributes(r *http.Request, body []byte) (any, *apiError) {
	var in getQueueAttributesInput
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	q, e := s.queueFromURL(r, in.QueueURL)
	if e != nil {
		return nil, e
	}
	if len(in.AttributeNames) == 0 {
		return getQueueAttributesOutput{}, nil
	}
	st, err := q.Stats(r.Context())
	if err != nil {
		return nil, s.internal(r, "queue stats", err)
	}
	p := q.Policy()
	all := map[string]string{
		"ApproximateNumberOfMessages":           strconv.Itoa(st.Visible),
		"ApproximateNumberOfMessagesNotVisible": strconv.Itoa(st.InFlight),
		"ApproximateNumberOfMessagesDelayed":    strconv.Itoa(st.Delayed),
		"VisibilityTimeout":                     strconv.Itoa(int(p.VisibilityTimeout / time.Second)),
		"MessageRetentionPeriod":                strconv.Itoa(int(p.Retention / time.Second)),
		"QueueArn":                              s.queueARN(q.Name()),
	}
	for k, v := range fixedAttributes {
		all[k] = v
	}
	out := map[string]string{}
	for _, name := range in.AttributeNames {
		switch v, ok := all[name]; {
		case name == "All":
			for k, v := range all {
				out[k] = v
			}
		case ok:
			out[name] = v
		case otherAttributes[name]:
			// Defined by SQS but not kept here: omitted, as SQS omits unset ones.
		default:
			return nil, errInvalidAttributeName(name)
		}
	}
	return getQueueAttributesOutput{Attributes: out}, nil
}

func (s *Server) purgeQueue(r *http.Request, body []byte) (any, *apiError) {
	var in queueURLInput
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	q, e := s.queueFromURL(r, in.QueueURL)
	if e != nil {
		return nil, e
	}
	if _, err := q.Purge(r.Context()); err != nil {
		return nil, s.internal(r, "purge queue", err)
	}
	return struct{}{}, nil
}
