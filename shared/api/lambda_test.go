package api

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/vidiverse/vidiverse/shared/config"
	"github.com/vidiverse/vidiverse/shared/lambdahttp"
	"github.com/vidiverse/vidiverse/shared/upload"
)

// invoke runs an API Gateway v2 event fixture through the Lambda runtime's
// JSON path into the API, as the deployed api function does.
func invoke(t *testing.T, h lambda.Handler, fixture string, edit func(*events.APIGatewayV2HTTPRequest)) events.APIGatewayV2HTTPResponse {
	t.Helper()
	raw, err := os.ReadFile("testdata/" + fixture)
	if err != nil {
		t.Fatal(err)
	}
	var ev events.APIGatewayV2HTTPRequest
	if err := json.Unmarshal(raw, &ev); err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(&ev)
		if raw, err = json.Marshal(ev); err != nil {
			t.Fatal(err)
		}
	}
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "req-" + fixture})
	out, err := h.Invoke(ctx, raw)
	if err != nil {
		t.Fatalf("invoke %s: %v", fixture, err)
	}
	var resp events.APIGatewayV2HTTPResponse
	if err := json.Unmarshal(out, &resp); err != nil {
		t.Fatalf("response of %s: %v: %s", fixture, err, out)
	}
	return resp
}

func TestLambdaInvocation(t *testing.T) {
	e := newEnv(t, func(c *config.Config) { c.PublicURL = "https://video.example.org" })
	h := lambda.NewHandler((&lambdahttp.Handler{H: e.api, MaxBodyBytes: 6 << 20}).Handle)

	resp := invoke(t, h, "oauth-clients-local.json", nil)
	if resp.StatusCode != 200 || !strings.Contains(resp.Body, e.clientID) {
		t.Fatalf("oauth client: %d %s", resp.StatusCode, resp.Body)
	}

	form := url.Values{"client_id": {e.clientID}, "client_secret": {e.clientSecret}, "grant_type": {"password"},
		"username": {"root"}, "password": {rootPassword}, "response_type": {"code"}, "scope": {"upload"}}.Encode()
	resp = invoke(t, h, "users-token.json", func(ev *events.APIGatewayV2HTTPRequest) {
		ev.Body = base64.StdEncoding.EncodeToString([]byte(form))
		ev.Headers["content-length"] = strconv.Itoa(len(form))
	})
	if resp.StatusCode != 200 || resp.Headers["Cache-Control"] != "no-store" {
		t.Fatalf("token: %d %v %s", resp.StatusCode, resp.Headers, resp.Body)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal([]byte(resp.Body), &tok); err != nil || tok.AccessToken == "" {
		t.Fatalf("token body %s: %v", resp.Body, err)
	}

	resp = invoke(t, h, "users-me.json", func(ev *events.APIGatewayV2HTTPRequest) {
		ev.Headers["authorization"] = "Bearer " + tok.AccessToken
	})
	var me struct {
		Username      string
		VideoChannels []struct{ ID int64 }
	}
	if err := json.Unmarshal([]byte(resp.Body), &me); err != nil || resp.StatusCode != 200 ||
		me.Username != "root" || len(me.VideoChannels) == 0 || me.VideoChannels[0].ID == 0 {
		t.Fatalf("users/me: %d %s", resp.StatusCode, resp.Body)
	}

	// Behind a host that is not the instance's, the OAuth client is refused.
	resp = invoke(t, h, "oauth-clients-local.json", func(ev *events.APIGatewayV2HTTPRequest) {
		ev.Headers["host"] = "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com"
	})
	if resp.StatusCode != 403 || resp.Headers["Content-Type"] != "application/problem+json; charset=utf-8" {
		t.Fatalf("foreign host: %d %v", resp.StatusCode, resp.Headers)
	}
}

// The chunk size /api/v1/config advertises is the one the resumable
// upload accepts: a client following the config never gets a 413.
func TestAdvertisedChunkSizeIsAccepted(t *testing.T) {
	e := newEnv(t)
	cfg := e.do("GET", "/api/v1/config", nil, "").json(t)
	got := cfg["client"].(map[string]any)["videos"].(map[string]any)["resumableUpload"].(map[string]any)["maxChunkSize"]
	if got != float64(upload.DefaultMaxChunkSize) {
		t.Fatalf("advertised maxChunkSize %v, the upload accepts %d", got, upload.DefaultMaxChunkSize)
	}
}
