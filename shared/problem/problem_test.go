package problem

import (
	"encoding/json"
	"net/http/httptest"
	"testing"
)

func TestWriteShapes(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  *Error
		want string
	}{
		{"plain", NotFound("Account not found"),
			`{"type":"about:blank","title":"Not Found","detail":"Account not found","status":404,"error":"Account not found"}`},
		{"coded", Coded(400, CodeInvalidGrant, "Invalid grant: user credentials are invalid").WithDocs("getOAuthToken"),
			`{"type":"https://docs.joinpeertube.org/api-rest-reference.html#section/Errors/invalid_grant","detail":"Invalid grant: user credentials are invalid","status":400,"docs":"https://docs.joinpeertube.org/api-rest-reference.html#operation/getOAuthToken","code":"invalid_grant","error":"Invalid grant: user credentials are invalid"}`},
		{"fields", InvalidFields("body", map[string]FieldError{"b": {Value: "x", Msg: "bad b"}, "a": {Msg: "bad a"}}),
			`{"type":"about:blank","title":"Bad Request","detail":"Incorrect request parameters: a, b","instance":"/api/v1/x","status":400,"invalid-params":{"a":{"type":"field","msg":"bad a","path":"a","location":"body"},"b":{"type":"field","value":"x","msg":"bad b","path":"b","location":"body"}},"error":"Incorrect request parameters: a, b"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			Write(w, httptest.NewRequest("GET", "/api/v1/x", nil), tc.err.WithHeader("Retry-After", "3"))
			if w.Code != tc.err.Status || w.Header().Get("Content-Type") != "application/problem+json; charset=utf-8" ||
				w.Header().Get("Retry-After") != "3" {
				t.Fatalf("status %d headers %v", w.Code, w.Header())
			}
			if got := w.Body.String(); got != tc.want+"\n" {
				t.Fatalf("body\n got %s\nwant %s", got, tc.want)
			}
			var m map[string]any
			if err := json.Unmarshal(w.Body.Bytes(), &m); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestAsAndInternal(t *testing.T) {
	if As(nil) != nil || As(Internal()) == nil || As(Internal()).Status != 500 {
		t.Fatal("As/Internal")
	}
	if Internal().Detail != "Internal server error" {
		t.Fatal("Internal must not say more than that")
	}
}
