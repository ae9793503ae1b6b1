package awsstack

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func TestDecodeKEK(t *testing.T) {
	hexKEK := strings.Repeat("0f", 32)
	kek, err := DecodeKEK(hexKEK + "\n")
	if err != nil || !bytes.Equal(kek, bytes.Repeat([]byte{0x0f}, 32)) {
		t.Fatalf("decode: %x %v", kek, err)
	}
	for _, bad := range []string{"", strings.Repeat("0f", 31), strings.Repeat("zz", 32), strings.Repeat("0f", 33)} {
		if _, err := DecodeKEK(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// secretsServer answers Secrets Manager's GetSecretValue (JSON 1.1
// protocol) over loopback from a map of secret ids to string values; a
// value of "<binary>" is a secret with only a binary value.
type secretsServer struct {
	mu    sync.Mutex
	calls int
	srv   *httptest.Server
}

func newSecretsServer(t *testing.T, secrets map[string]string) *secretsServer {
	t.Helper()
	s := &secretsServer{}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.calls++
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		if got := r.Header.Get("X-Amz-Target"); got != "secretsmanager.GetSecretValue" {
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"__type":"UnknownOperationException","Message":"unexpected `+got+`"}`)
			return
		}
		var in struct{ SecretId string }
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"__type":"SerializationException"}`)
			return
		}
		v, ok := secrets[in.SecretId]
		if !ok {
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"__type":"ResourceNotFoundException","Message":"Secrets Manager can't find the specified secret."}`)
			return
		}
		out := map[string]any{"ARN": in.SecretId, "Name": "kek", "VersionId": "v1", "CreatedDate": 1.7e9}
		if v == "<binary>" {
			out["SecretBinary"] = "AAEC"
		} else {
			out["SecretString"] = v
		}
		_ = json.NewEncoder(w).Encode(out)
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *secretsServer) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

// awsEnv points the SDK's default configuration at loopback endpoints with
// static credentials, away from any configuration on the machine.
func awsEnv(t *testing.T, endpoints map[string]string) {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_ENDPOINT_URL", "")
	t.Setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "")
	t.Setenv("AWS_MAX_ATTEMPTS", "1")
	for _, svc := range []string{"SECRETS_MANAGER", "SQS"} {
		t.Setenv("AWS_ENDPOINT_URL_"+svc, endpoints[svc])
	}
}

func TestReadKEKFromSecretsManager(t *testing.T) {
	const arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:kek-AbCdEf"
	const short = "arn:aws:secretsmanager:us-east-1:123456789012:secret:short-AbCdEf"
	const binary = "arn:aws:secretsmanager:us-east-1:123456789012:secret:binary-AbCdEf"
	sm := newSecretsServer(t, map[string]string{arn: strings.Repeat("a5", 32) + "\n", short: "a5a5", binary: "<binary>"})
	awsEnv(t, map[string]string{"SECRETS_MANAGER": sm.srv.URL})
	ctx := context.Background()

	kek, err := ReadKEK(ctx, arn)
	if err != nil || !bytes.Equal(kek, bytes.Repeat([]byte{0xa5}, 32)) {
		t.Fatalf("read: %x %v", kek, err)
	}
	for _, c := range []struct{ arn, want string }{
		{"", "KEK_SECRET_ARN must be set"},
		{short, "64 hex digits"},
		{binary, "no string value"},
		{"arn:aws:secretsmanager:us-east-1:123456789012:secret:absent-AbCdEf", "ResourceNotFoundException"},
	} {
		_, err := ReadKEK(ctx, c.arn)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ReadKEK(%q) = %v, want an error mentioning %q", c.arn, err, c.want)
		}
		if err != nil && strings.Contains(err.Error(), "a5a5") {
			t.Errorf("ReadKEK(%q) error shows the secret's value: %v", c.arn, err)
		}
	}
	if n := sm.count(); n != 4 { // the empty ARN asks nothing
		t.Errorf("%d GetSecretValue calls, want 4", n)
	}
}
