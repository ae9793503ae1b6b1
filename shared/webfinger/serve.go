package webfinger

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/vidiverse/vidiverse/shared/problem"
)

// LookupFunc finds the local actor called name (account, channel or the
// instance actor) and returns its path, e.g. "/accounts/root"; ok is false
// when there is none.
type LookupFunc func(ctx context.Context, name string) (actorPath string, ok bool, err error)

// Serve answers GET /.well-known/webfinger for the instance at publicURL
// as PeerTube 6.1 does:
//
//   - 200 with the actor's JRD (subject = the resource as given);
//   - 400 problem+json "Incorrect request parameters: resource" when the
//     resource is missing or not acct:name@this-host (an actor URL
//     included), with the rejected value and the request URI as instance;
//   - 404 problem+json "Actor not found" when lookup knows no such name
//     (or the name is empty);
//   - 500 when lookup fails.
//
// Every answer allows any origin (RFC 7033 §5).
func Serve(w http.ResponseWriter, r *http.Request, lookup LookupFunc, publicURL string) {
	w.Header().Set("Access-Control-Allow-Origin", "*")
	values, present := r.URL.Query()["resource"]
	if !present || len(values) == 0 {
		writeInvalid(w, r, nil)
		return
	}
	if len(values) > 1 {
		writeInvalid(w, r, values)
		return
	}
	resource := values[0]
	name, err := Resolve(resource, hostOf(publicURL))
	if err != nil || resource == "" {
		writeInvalid(w, r, resource)
		return
	}
	actorPath, ok := "", false
	if name != "" {
		actorPath, ok, err = lookup(r.Context(), name)
		if err != nil {
			problem.Write(w, r, problem.Internal())
			return
		}
	}
	if !ok {
		writeJSON(w, problemType, http.StatusNotFound, problemBody{
			Type: "about:blank", Title: http.StatusText(http.StatusNotFound), Detail: "Actor not found",
			Status: http.StatusNotFound, Error: "Actor not found",
		})
		return
	}
	doc := Document(publicURL, name, actorPath)
	doc.Subject = resource
	writeJSON(w, ContentType, http.StatusOK, doc)
}

const problemType = "application/problem+json; charset=utf-8"

// problemBody is PeerTube's problem+json, written here rather than by
// package problem so that the answers match the captured ones byte for
// byte: no trailing newline, and a 400's instance is the request URI with
// its query (Express's originalUrl).
type problemBody struct {
	Type          string                          `json:"type"`
	Title         string                          `json:"title"`
	Detail        string                          `json:"detail"`
	Instance      string                          `json:"instance,omitempty"`
	Status        int                             `json:"status"`
	InvalidParams map[string]problem.InvalidParam `json:"invalid-params,omitempty"`
	Error         string                          `json:"error"`
}

func writeInvalid(w http.ResponseWriter, r *http.Request, value any) {
	const detail = "Incorrect request parameters: resource"
	instance := r.RequestURI
	if instance == "" {
		instance = r.URL.RequestURI()
	}
	writeJSON(w, problemType, http.StatusBadRequest, problemBody{
		Type:     "about:blank",
		Title:    http.StatusText(http.StatusBadRequest),
		Detail:   detail,
		Instance: instance,
		Status:   http.StatusBadRequest,
		InvalidParams: map[string]problem.InvalidParam{
			"resource": {Type: "field", Value: value, Msg: "Invalid value", Path: "resource", Location: "query"},
		},
		Error: detail,
	})
}

// writeJSON writes v compactly, without HTML escaping and without a
// trailing newline, as Express does.
func writeJSON(w http.ResponseWriter, contentType string, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		problem.Write(w, nil, problem.Internal())
		return
	}
	b := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// HostMetaContentType is what PeerTube answers host-meta with.
const HostMetaContentType = "application/xml; charset=utf-8"

// HostMetaPath is the host-meta endpoint.
const HostMetaPath = "/.well-known/host-meta"

// HostMeta returns PeerTube's host-meta XRD for the instance at publicURL:
// one lrdd link to the WebFinger endpoint.
func HostMeta(publicURL string) []byte {
	return []byte(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
		`<XRD xmlns="http://docs.oasis-open.org/ns/xri/xrd-1.0">` + "\n" +
		`  <Link rel="lrdd" type="application/xrd+xml" template="` + xmlAttr(publicURL) + `/.well-known/webfinger?resource={uri}"/>` + "\n" +
		`</XRD>`)
}

// ServeHostMeta answers GET /.well-known/host-meta.
func ServeHostMeta(w http.ResponseWriter, _ *http.Request, publicURL string) {
	b := HostMeta(publicURL)
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.Header().Set("Content-Type", HostMetaContentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	_, _ = w.Write(b)
}

func xmlAttr(s string) string {
	var b bytes.Buffer
	for _, r := range s {
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '"':
			b.WriteString("&quot;")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
