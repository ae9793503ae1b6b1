package dynamotest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/truora/minidyn/server"
)

// Minidyn serves a fresh in-process minidyn v0.8.0 (a DynamoDB-compatible
// server) on a loopback port for the test's lifetime and returns a client
// for it. wrap, when not nil, stands between the client and the server
// (EmptyValueShim, usually).
func Minidyn(t testing.TB, wrap func(http.Handler) http.Handler) *dynamodb.Client {
	t.Helper()
	var h http.Handler = server.NewServer()
	if wrap != nil {
		h = wrap(h)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return dynamodb.New(dynamodb.Options{
		Region:                          "us-east-1",
		BaseEndpoint:                    aws.String(srv.URL),
		Credentials:                     credentials.NewStaticCredentialsProvider("test", "test", ""),
		DisableValidateResponseChecksum: true,
	})
}

// minidyn v0.8.0 corrupts empty binary and empty list values: its wire
// type drops them (omitempty), so a stored item holds an attribute value
// of no type, which breaks every later condition or update on that item,
// and reads return garbage for it (see TestMinidynEmptyValues). DynamoDB
// stores both. emptyValueShim stands between the client and minidyn and
// swaps them for map values that minidyn keeps intact, both ways, so the
// engine's own encoding of empty values (B "" and L []) is what goes over
// the wire and comes back.
//
// The swap is unambiguous: an object whose only key is "L" with an array
// value, or "B" with a string value, can only be an attribute value (item
// attributes map to objects), and the engine never writes map values.
const emptyMarker = "vidiverse.minidyn.empty"

func EmptyValueShim(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		body = rewriteJSON(body, toMarker)
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
		r.Header.Set("Content-Length", strconv.Itoa(len(body)))
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		out := rewriteJSON(rec.Body.Bytes(), fromMarker)
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(out)))
		w.WriteHeader(rec.Code)
		_, _ = w.Write(out)
	})
}

// rewriteJSON applies f to every object in a JSON document; a body that is
// not JSON passes unchanged.
func rewriteJSON(body []byte, f func(map[string]any) any) []byte {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return body
	}
	out, err := json.Marshal(walk(doc, f))
	if err != nil {
		return body
	}
	return out
}

func walk(v any, f func(map[string]any) any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			v[k] = walk(e, f)
		}
		return f(v)
	case []any:
		for i, e := range v {
			v[i] = walk(e, f)
		}
	}
	return v
}

func marker(kind string) map[string]any {
	return map[string]any{"M": map[string]any{emptyMarker: map[string]any{"S": kind}}}
}

func toMarker(m map[string]any) any {
	if len(m) != 1 {
		return m
	}
	if l, ok := m["L"].([]any); ok && len(l) == 0 {
		return marker("L")
	}
	if b, ok := m["B"].(string); ok && b == "" {
		return marker("B")
	}
	return m
}

func fromMarker(m map[string]any) any {
	inner, ok := m["M"].(map[string]any)
	if len(m) != 1 || !ok || len(inner) != 1 {
		return m
	}
	kind, _ := inner[emptyMarker].(map[string]any)
	switch kind["S"] {
	case "L":
		return map[string]any{"L": []any{}}
	case "B":
		return map[string]any{"B": ""}
	}
	return m
}
