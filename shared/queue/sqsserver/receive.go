package sqsserver

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/vidiverse/vidiverse/shared/queue/embedded"
)

// systemAttributes are the message system attributes this server reports.
var systemAttributes = []string{"SenderId", "SentTimestamp", "ApproximateReceiveCount", "ApproximateFirstReceiveTimestamp"}

func (s *Server) receiveMessage(r *http.Request, body []byte) (any, *apiError) {
	var in receiveMessageInput
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	q, apiErr := s.queueFromURL(r, in.QueueURL)
	if apiErr != nil {
		return nil, apiErr
	}
	o := embedded.ReceiveOptions{Max: 1}
	if v := in.MaxNumberOfMessages; v != nil {
		if *v < 1 || *v > 10 {
			return nil, errInvalidParameterValue("Value %d for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.", *v)
		}
		o.Max = int(*v)
	}
	if v := in.WaitTimeSeconds; v != nil {
		if *v < 0 || *v > 20 {
			return nil, errInvalidParameterValue("Value %d for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.", *v)
		}
		o.Wait = time.Duration(*v) * time.Second
	}
	if v := in.VisibilityTimeout; v != nil {
		if *v < 0 || *v > 43200 {
			return nil, errInvalidParameterValue("Value %d for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and 43200, if provided.", *v)
		}
		d := time.Duration(*v) * time.Second
		o.VisibilityTimeout = &d
	}
	ds, err := q.ReceiveWith(r.Context(), o)
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return receiveMessageOutput{}, nil // the client went away
		}
		return nil, s.internal(r, "receive messages", err)
	}
	sys := append(append([]string{}, in.AttributeNames...), in.MessageSystemAttributeNames...)
	out := receiveMessageOutput{}
	for _, d := range ds {
		attrs := selectMessageAttributes(d.TypedAttributes, in.MessageAttributeNames)
		out.Messages = append(out.Messages, message{
			MessageID:              d.MessageID,
			ReceiptHandle:          d.ReceiptHandle,
			MD5OfBody:              embedded.BodyMD5(d.Body),
			Body:                   d.Body,
			Attributes:             selectSystemAttributes(d, sys),
			MD5OfMessageAttributes: embedded.AttributesMD5(attrs),
			MessageAttributes:      toWire(attrs),
		})
	}
	return out, nil
}

func selectSystemAttributes(d embedded.Delivery, names []string) map[string]string {
	if len(names) == 0 {
		return nil
	}
	values := map[string]string{
		"SenderId":                         d.SenderID,
		"SentTimestamp":                    strconv.FormatInt(d.SentAt.UnixMilli(), 10),
		"ApproximateReceiveCount":          strconv.Itoa(d.ReceiveCount),
		"ApproximateFirstReceiveTimestamp": strconv.FormatInt(d.FirstReceivedAt.UnixMilli(), 10),
	}
	out := map[string]string{}
	for _, n := range names {
		if n == "All" {
			for _, k := range systemAttributes {
				out[k] = values[k]
			}
			continue
		}
		if v, ok := values[n]; ok {
			out[n] = v
		}
	}
	return out
}

// selectMessageAttributes applies MessageAttributeNames: "All" or ".*"
// selects every attribute, "prefix.*" those under a prefix, other entries
// exact names.
func selectMessageAttributes(attrs map[string]embedded.Attribute, names []string) map[string]embedded.Attribute {
	if len(attrs) == 0 || len(names) == 0 {
		return nil
	}
	out := map[string]embedded.Attribute{}
	for name, a := range attrs {
		for _, want := range names {
			prefix, isPrefix := strings.CutSuffix(want, ".*")
			if want == "All" || want == ".*" || want == name || isPrefix && strings.HasPrefix(name, prefix+".") {
				out[name] = a
				break
			}
		}
	}
	return out
}

func toWire(attrs map[string]embedded.Attribute) map[string]messageAttributeValue {
	if len(attrs) == 0 {
		return nil
	}
	out := make(map[string]messageAttributeValue, len(attrs))
	for name, a := range attrs {
		v := messageAttributeValue{DataType: a.DataType}
		if strings.HasPrefix(a.DataType, "Binary") {
			v.BinaryValue = a.BinaryValue
		} else {
			s := a.StringValue
			v.StringValue = &s
		}
		out[name] = v
	}
	return out
}
