package problem

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
)

// Docs is the base of PeerTube's error documentation URLs.
const Docs = "https://docs.joinpeertube.org/api-rest-reference.html"

// PeerTube's error codes (ServerErrorCode and OAuth2ErrorCode) that this
// API returns.
const (
	CodeInvalidClient         = "invalid_client"
	CodeInvalidGrant          = "invalid_grant"
	CodeInvalidRequest        = "invalid_request"
	CodeUnsupportedGrantType  = "unsupported_grant_type"
	CodeInvalidToken          = "invalid_token"
	CodeUnauthorizedRequest   = "unauthorized_request"
	CodeTooManyRequests       = "too_many_requests"
	CodeUsernameExists        = "username_already_exists"
	CodeEmailExists           = "email_already_exists"
	CodeChannelNameExists     = "channel_name_already_exists"
	CodeMaxChannelsReached    = "max_user_video_channels_reached"
	CodeAccessDenied          = "access_denied"
	CodeAccountWaitingVerify  = "account_waiting_for_email_verification"
	CodeAccountApprovalReject = "account_approval_rejected"
)

// InvalidParam describes one rejected input field, as express-validator
// reports it.
type InvalidParam struct {
	Type     string `json:"type"`
	Value    any    `json:"value,omitempty"`
	Msg      string `json:"msg"`
	Path     string `json:"path"`
	Location string `json:"location"`
}

// Error is an API error with its HTTP status.
type Error struct {
	Status        int
	Code          string
	Title         string
	Detail        string
	Type          string // a URL; "about:blank" when empty and Code is empty
	DocsURL       string
	InvalidParams map[string]InvalidParam
	// Headers are extra response headers (Retry-After, X-File-Maximum-Size…).
	Headers map[string]string
}

func (e *Error) Error() string { return fmt.Sprintf("%d %s", e.Status, e.Detail) }

// New returns an error with a status and a detail message.
func New(status int, detail string) *Error { return &Error{Status: status, Detail: detail} }

// Coded returns an error carrying one of PeerTube's codes.
func Coded(status int, code, detail string) *Error {
	return &Error{Status: status, Code: code, Detail: detail}
}

// BadRequest is a 400.
func BadRequest(detail string) *Error { return New(http.StatusBadRequest, detail) }

// NotFound is a 404.
func NotFound(detail string) *Error { return New(http.StatusNotFound, detail) }

// Forbidden is a 403.
func Forbidden(detail string) *Error { return New(http.StatusForbidden, detail) }

// Conflict is a 409.
func Conflict(code, detail string) *Error { return Coded(http.StatusConflict, code, detail) }

// Unauthorized is the 401 PeerTube answers when no valid token is given.
func Unauthorized(detail string) *Error {
	return Coded(http.StatusUnauthorized, CodeUnauthorizedRequest, detail)
}

// InvalidField is the 400 express-validator produces for one bad field.
// location is "body", "query" or "params".
func InvalidField(location, field string, value any, msg string) *Error {
	return InvalidFields(location, map[string]FieldError{field: {Value: value, Msg: msg}})
}

// FieldError is one field's rejection, for InvalidFields.
type FieldError struct {
	Value any
	Msg   string
}

// InvalidFields is the 400 for several bad fields in one location.
func InvalidFields(location string, fields map[string]FieldError) *Error {
	e := &Error{Status: http.StatusBadRequest, InvalidParams: map[string]InvalidParam{}}
	names := make([]string, 0, len(fields))
	for name, f := range fields {
		e.InvalidParams[name] = InvalidParam{Type: "field", Value: f.Value, Msg: f.Msg, Path: name, Location: location}
		names = append(names, name)
	}
	sort.Strings(names)
	e.Detail = "Incorrect request parameters: " + strings.Join(names, ", ")
	return e
}

// WithDocs sets the operation documentation link.
func (e *Error) WithDocs(operationID string) *Error {
	e.DocsURL = Docs + "#operation/" + operationID
	return e
}

// WithHeader adds a response header.
func (e *Error) WithHeader(name, value string) *Error {
	if e.Headers == nil {
		e.Headers = map[string]string{}
	}
	e.Headers[name] = value
	return e
}

type body struct {
	Type          string                  `json:"type"`
	Title         string                  `json:"title,omitempty"`
	Detail        string                  `json:"detail"`
	Instance      string                  `json:"instance,omitempty"`
	Status        int                     `json:"status"`
	InvalidParams map[string]InvalidParam `json:"invalid-params,omitempty"`
	Docs          string                  `json:"docs,omitempty"`
	Code          string                  `json:"code,omitempty"`
	Error         string                  `json:"error"`
}

// Write sends e as application/problem+json for the request r.
func Write(w http.ResponseWriter, r *http.Request, e *Error) {
	b := body{
		Type:          e.Type,
		Title:         e.Title,
		Detail:        e.Detail,
		Status:        e.Status,
		InvalidParams: e.InvalidParams,
		Docs:          e.DocsURL,
		Code:          e.Code,
		Error:         e.Detail,
	}
	if b.Type == "" {
		if e.Code != "" {
			b.Type = Docs + "#section/Errors/" + e.Code
		} else {
			b.Type = "about:blank"
		}
	}
	if b.Type == "about:blank" && b.Title == "" {
		b.Title = http.StatusText(e.Status)
	}
	if e.InvalidParams != nil && r != nil {
		b.Instance = r.URL.Path
	}
	for k, v := range e.Headers {
		w.Header().Set(k, v)
	}
	w.Header().Set("Content-Type", "application/problem+json; charset=utf-8")
	w.WriteHeader(e.Status)
	_ = json.NewEncoder(w).Encode(b)
}

// Internal is the body of every unexpected failure: it says nothing of the
// cause, which is logged instead.
func Internal() *Error {
	return New(http.StatusInternalServerError, "Internal server error")
}

// As returns the *Error in err's chain, or nil.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}
