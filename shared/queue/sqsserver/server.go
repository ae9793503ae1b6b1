package sqsserver

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strings"
	"sync"

	"github.com/vidiverse/vidiverse/shared/queue"
	"github.com/vidiverse/vidiverse/shared/queue/embedded"
)

const (
	contentType     = "application/x-amz-json-1.0"
	targetPrefix    = "AmazonSQS."
	maxRequestBytes = 4 << 20
)

// Options configure a Server. Zero values take the defaults.
type Options struct {
	// AccountID appears in queue URLs and ARNs (default "000000000000").
	AccountID string
	// Region appears in queue ARNs (default "us-east-1").
	Region string
	// Logger receives internal errors (default slog.Default()).
	Logger *slog.Logger
}

// Server is an http.Handler that speaks the SQS JSON protocol over the
// queues of an embedded Broker.
type Server struct {
	b   *embedded.Broker
	o   Options
	log *slog.Logger

	mu     sync.Mutex
	queues map[string]*embedded.Queue
}

var _ http.Handler = (*Server)(nil)

// New returns a Server storing its queues in b.
func New(b *embedded.Broker, o Options) *Server {
	if o.AccountID == "" {
		o.AccountID = "000000000000"
	}
	if o.Region == "" {
		o.Region = "us-east-1"
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return &Server{b: b, o: o, log: o.Logger, queues: map[string]*embedded.Queue{}}
}

type operation func(s *Server, r *http.Request, body []byte) (any, *apiError)

var operations = map[string]operation{
	"CreateQueue":             (*Server).createQueue,
	"GetQueueUrl":             (*Server).getQueueURL,
	"GetQueueAttributes":      (*Server).getQueueAttributes,
	"PurgeQueue":              (*Server).purgeQueue,
	"SendMessage":             (*Server).sendMessage,
	"SendMessageBatch":        (*Server).sendMessageBatch,
	"ReceiveMessage":          (*Server).receiveMessage,
	"DeleteMessage":           (*Server).deleteMessage,
	"DeleteMessageBatch":      (*Server).deleteMessageBatch,
	"ChangeMessageVisibility": (*Server).changeMessageVisibility,
}

// The rest of the SQS API: known operations this server does not implement.
var unimplemented = map[string]bool{
	"AddPermission": true, "CancelMessageMoveTask": true, "ChangeMessageVisibilityBatch": true,
	"DeleteQueue": true, "ListDeadLetterSourceQueues": true, "ListMessageMoveTasks": true,
	"ListQueueTags": true, "ListQueues": true, "RemovePermission": true, "SetQueueAttributes": true,
	"StartMessageMoveTask": true, "TagQueue": true, "UntagQueue": true,
}

// ServeHTTP answers one SQS API call.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("x-amzn-RequestId", newRequestID())
	if r.Method != http.MethodPost {
		writeError(w, errUnknownOperation(r.Method+" "+r.URL.Path))
		return
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != contentType {
		writeError(w, errSerialization(fmt.Errorf("content type %q: only the awsJson1_0 protocol (%s) is served", mt, contentType)))
		return
	}
	target := r.Header.Get("X-Amz-Target")
	name, ok := strings.CutPrefix(target, targetPrefix)
	op := operations[name]
	switch {
	case !ok:
		writeError(w, errUnknownOperation(target))
		return
	case op == nil && unimplemented[name]:
		writeError(w, errUnsupportedOperation(name))
		return
	case op == nil:
		writeError(w, errUnknownOperation(target))
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequestBytes))
	if err != nil {
		writeError(w, errSerialization(err))
		return
	}
	out, apiErr := op(s, r, body)
	if apiErr != nil {
		writeError(w, apiErr)
		return
	}
	w.Header().Set("Content-Type", contentType)
	if err := json.NewEncoder(w).Encode(out); err != nil {
		s.log.ErrorContext(r.Context(), "write sqs response", "op", name, "err", err)
	}
}

// decode reads a request body into v.
func decode(body []byte, v any) *apiError {
	if len(body) == 0 {
		return nil
	}
	if err := json.Unmarshal(body, v); err != nil {
		return errSerialization(err)
	}
	return nil
}

// internal logs an unexpected error and returns the 500 response.
func (s *Server) internal(r *http.Request, what string, err error) *apiError {
	s.log.ErrorContext(r.Context(), "sqs test server: "+what, "err", err)
	return errInternal()
}

// queueFromURL resolves a QueueUrl parameter: the last path segment is the
// queue name, whatever the host.
func (s *Server) queueFromURL(r *http.Request, raw *string) (*embedded.Queue, *apiError) {
	if raw == nil || *raw == "" {
		return nil, errMissingParameter("QueueUrl")
	}
	u, err := url.Parse(*raw)
	if err != nil || u.Path == "" || u.Path == "/" {
		return nil, errInvalidParameterValue("Value %s for parameter QueueUrl is invalid. Reason: Invalid URL.", *raw)
	}
	return s.lookup(r, path.Base(u.Path))
}

func (s *Server) lookup(r *http.Request, name string) (*embedded.Queue, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if q, ok := s.queues[name]; ok {
		return q, nil
	}
	q, err := s.b.Lookup(name)
	if errors.Is(err, queue.ErrNoSuchQueue) {
		return nil, errQueueDoesNotExist()
	}
	if err != nil {
		return nil, s.internal(r, "look up queue", err)
	}
	s.queues[name] = q
	return q, nil
}

func (s *Server) queueURL(r *http.Request, name string) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + "/" + s.o.AccountID + "/" + name
}

func (s *Server) queueARN(name string) string {
	return "arn:aws:sqs:" + s.o.Region + ":" + s.o.AccountID + ":" + name
}

func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
