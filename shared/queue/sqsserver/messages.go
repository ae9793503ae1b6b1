package sqsserver

import (
	"errors"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/vidiverse/vidiverse/shared/queue"
	"github.com/vidiverse/vidiverse/shared/queue/embedded"
)

var batchEntryID = regexp.MustCompile(`^[A-Za-z0-9_-]{1,80}$`)

// entryFromWire checks one message as SQS does and converts it.
func entryFromWire(body *string, delay *int64, attrs map[string]messageAttributeValue) (embedded.Entry, *apiError) {
	if body == nil || *body == "" {
		return embedded.Entry{}, errMissingParameter("MessageBody")
	}
	e := embedded.Entry{Body: *body}
	if delay != nil {
		if *delay < 0 || *delay > int64(queue.MaxDelay/time.Second) {
			return e, errInvalidParameterValue("Value %d for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900.", *delay)
		}
		e.Delay = time.Duration(*delay) * time.Second
	}
	if len(attrs) > 0 {
		e.Attributes = make(map[string]embedded.Attribute, len(attrs))
	}
	for name, v := range attrs {
		if v.DataType == "" {
			return e, errInvalidParameterValue("The message attribute '%s' must contain non-empty message attribute type.", name)
		}
		if len(v.StringListValues) > 0 || len(v.BinaryListValues) > 0 {
			return e, errInvalidParameterValue("Message attribute list values in SendMessage operation are not supported.")
		}
		a := embedded.Attribute{DataType: v.DataType}
		switch base, _, _ := strings.Cut(v.DataType, "."); base {
		case "String", "Number":
			if v.StringValue == nil || *v.StringValue == "" {
				return e, errInvalidParameterValue("The message attribute '%s' with type '%s' must use field 'String'.", name, base)
			}
			a.StringValue = *v.StringValue
		case "Binary":
			if len(v.BinaryValue) == 0 {
				return e, errInvalidParameterValue("The message attribute '%s' with type 'Binary' must use field 'Binary'.", name)
			}
			a.BinaryValue = v.BinaryValue
		default:
			return e, errInvalidParameterValue("The type of message (user) attribute '%s' is invalid. You must use only the following supported type prefixes: Binary, Number, String.", name)
		}
		e.Attributes[name] = a
	}
	if err := e.Validate(); err != nil {
		return e, validationError(err, e)
	}
	return e, nil
}

// validationError maps the embedded queue's validation errors to SQS's.
func validationError(err error, e embedded.Entry) *apiError {
	switch {
	case errors.Is(err, embedded.ErrEmptyBody):
		return errMissingParameter("MessageBody")
	case errors.Is(err, queue.ErrTooLarge):
		return errInvalidParameterValue("One or more parameters are invalid. Reason: Message must be shorter than %d bytes.", queue.MaxBodyBytes)
	case errors.Is(err, embedded.ErrInvalidCharacters):
		r, _ := embedded.InvalidCharacter(e.Body)
		return errInvalidMessageContents(r)
	default:
		return errInvalidParameterValue("One or more parameters are invalid. Reason: %v", err)
	}
}

func (s *Server) sendMessage(r *http.Request, body []byte) (any, *apiError) {
	var in sendMessageInput
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	q, apiErr := s.queueFromURL(r, in.QueueURL)
	if apiErr != nil {
		return nil, apiErr
	}
	e, apiErr := entryFromWire(in.MessageBody, in.DelaySeconds, in.MessageAttributes)
	if apiErr != nil {
		return nil, apiErr
	}
	ids, err := q.SendEntries(r.Context(), []embedded.Entry{e})
	if err != nil {
		return nil, s.internal(r, "send message", err)
	}
	return sendMessageOutput{
		MessageID:              ids[0],
		MD5OfMessageBody:       embedded.BodyMD5(e.Body),
		MD5OfMessageAttributes: embedded.AttributesMD5(e.Attributes),
	}, nil
}

// checkBatchIDs applies SQS's rules for batch entry ids.
func checkBatchIDs(ids []*string) *apiError {
	switch {
	case len(ids) == 0:
		return errEmptyBatchRequest()
	case len(ids) > queue.MaxBatch:
		return errTooManyEntries(len(ids))
	}
	seen := make(map[string]bool, len(ids))
	for _, p := range ids {
		id := ""
		if p != nil {
			id = *p
		}
		if !batchEntryID.MatchString(id) {
			return errInvalidBatchEntryID(id)
		}
		if seen[id] {
			return errBatchEntryIdsNotDistinct(id)
		}
		seen[id] = true
	}
	return nil
}

func failedEntry(id string, e *apiError) batchResultErrorEntry {
	return batchResultErrorEntry{ID: id, SenderFault: e.fault == "Sender", Code: e.queryCode, Message: e.message}
}

func (s *Server) sendMessageBatch(r *http.Request, body []byte) (any, *apiError) {
	var in sendMessageBatchInput
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	q, apiErr := s.queueFromURL(r, in.QueueURL)
	if apiErr != nil {
		return nil, apiErr
	}
	ids := make([]*string, len(in.Entries))
	total := 0
	for i, en := range in.Entries {
		ids[i] = en.ID
		if en.MessageBody != nil {
			total += len(*en.MessageBody)
		}
		for name, a := range en.MessageAttributes {
			total += len(name) + len(a.DataType) + len(a.BinaryValue)
			if a.StringValue != nil {
				total += len(*a.StringValue)
			}
		}
	}
	if apiErr := checkBatchIDs(ids); apiErr != nil {
		return nil, apiErr
	}
	if total > queue.MaxBodyBytes {
		return nil, errBatchRequestTooLong(total)
	}
	out := sendMessageBatchOutput{Successful: []sendMessageBatchResultEntry{}, Failed: []batchResultErrorEntry{}}
	var valid []embedded.Entry
	var validIDs []string
	for _, en := range in.Entries {
		e, apiErr := entryFromWire(en.MessageBody, en.DelaySeconds, en.MessageAttributes)
		if apiErr != nil {
			out.Failed = append(out.Failed, failedEntry(*en.ID, apiErr))
			continue
		}
		valid = append(valid, e)
		validIDs = append(validIDs, *en.ID)
	}
	if len(valid) > 0 {
		msgIDs, err := q.SendEntries(r.Context(), valid)
		if err != nil {
			return nil, s.internal(r, "send message batch", err)
		}
		for i, e := range valid {
			out.Successful = append(out.Successful, sendMessageBatchResultEntry{
				ID:                     validIDs[i],
				MessageID:              msgIDs[i],
				MD5OfMessageBody:       embedded.BodyMD5(e.Body),
				MD5OfMessageAttributes: embedded.AttributesMD5(e.Attributes),
			})
		}
	}
	return out, nil
}

func (s *Server) deleteMessage(r *http.Request, body []byte) (any, *apiError) {
	var in deleteMessageInput
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	q, apiErr := s.queueFromURL(r, in.QueueURL)
	if apiErr != nil {
		return nil, apiErr
	}
	if in.ReceiptHandle == nil || *in.ReceiptHandle == "" {
		return nil, errMissingParameter("ReceiptHandle")
	}
	err := q.Delete(r.Context(), *in.ReceiptHandle)
	switch {
	case errors.Is(err, embedded.ErrReceiptHandleInvalid):
		return nil, errReceiptHandleIsInvalid(*in.ReceiptHandle)
	case err != nil:
		return nil, s.internal(r, "delete message", err)
	}
	return struct{}{}, nil
}

func (s *Server) deleteMessageBatch(r *http.Request, body []byte) (any, *apiError) {
	var in deleteMessageBatchInput
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	q, apiErr := s.queueFromURL(r, in.QueueURL)
	if apiErr != nil {
		return nil, apiErr
	}
	ids := make([]*string, len(in.Entries))
	for i, en := range in.Entries {
		ids[i] = en.ID
	}
	if apiErr := checkBatchIDs(ids); apiErr != nil {
		return nil, apiErr
	}
	out := deleteMessageBatchOutput{Successful: []deleteMessageBatchResultEntry{}, Failed: []batchResultErrorEntry{}}
	var handles, handleIDs []string
	for _, en := range in.Entries {
		if en.ReceiptHandle == nil || *en.ReceiptHandle == "" {
			out.Failed = append(out.Failed, failedEntry(*en.ID, errMissingParameter("ReceiptHandle")))
			continue
		}
		handles = append(handles, *en.ReceiptHandle)
		handleIDs = append(handleIDs, *en.ID)
	}
	errs, err := q.DeleteBatch(r.Context(), handles)
	if err != nil {
		return nil, s.internal(r, "delete message batch", err)
	}
	for i, err := range errs {
		switch {
		case err == nil:
			out.Successful = append(out.Successful, deleteMessageBatchResultEntry{ID: handleIDs[i]})
		case errors.Is(err, embedded.ErrReceiptHandleInvalid):
			out.Failed = append(out.Failed, failedEntry(handleIDs[i], errReceiptHandleIsInvalid(handles[i])))
		default:
			return nil, s.internal(r, "delete message batch", err)
		}
	}
	return out, nil
}

func (s *Server) changeMessageVisibility(r *http.Request, body []byte) (any, *apiError) {
	var in changeMessageVisibilityInput
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	q, apiErr := s.queueFromURL(r, in.QueueURL)
	if apiErr != nil {
		return nil, apiErr
	}
	if in.ReceiptHandle == nil || *in.ReceiptHandle == "" {
		return nil, errMissingParameter("ReceiptHandle")
	}
	if in.VisibilityTimeout == nil {
		return nil, errMissingParameter("VisibilityTimeout")
	}
	if v := *in.VisibilityTimeout; v < 0 || v > 43200 {
		return nil, errInvalidParameterValue("Value %d for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and 43200.", v)
	}
	err := q.ChangeVisibility(r.Context(), *in.ReceiptHandle, time.Duration(*in.VisibilityTimeout)*time.Second)
	switch {
	case errors.Is(err, embedded.ErrReceiptHandleInvalid):
		return nil, errReceiptHandleIsInvalid(*in.ReceiptHandle)
	case errors.Is(err, embedded.ErrMessageNotInflight):
		return nil, errMessageNotInflight()
	case err != nil:
		return nil, s.internal(r, "change message visibility", err)
	}
	return struct{}{}, nil
}
