package config

import (
	"strings"
	"testing"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestFromEnvDefaults(t *testing.T) {
	c, err := FromEnv(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Port != 9000 || c.PublicURL != "http://localhost:9000" || c.DataDir != "./.data" {
		t.Fatalf("defaults: port %d url %q dir %q", c.Port, c.PublicURL, c.DataDir)
	}
	if c.Host() != "localhost:9000" {
		t.Fatalf("Host() = %q", c.Host())
	}
}

func TestFromEnvPortDrivesPublicURL(t *testing.T) {
	c, err := FromEnv(env(map[string]string{"PORT": "9001", "DATA_DIR": "/tmp/x"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.PublicURL != "http://localhost:9001" || c.DataDir != "/tmp/x" {
		t.Fatalf("got %q %q", c.PublicURL, c.DataDir)
	}
	c, err = FromEnv(env(map[string]string{"PUBLIC_URL": "https://video.example/"}))
	if err != nil || c.PublicURL != "https://video.example" || c.Host() != "video.example" {
		t.Fatalf("got %q %v", c.PublicURL, err)
	}
}

func TestFromEnvRejects(t *testing.T) {
	for _, tc := range []struct{ name, key, val, want string }{
		{"port not int", "PORT", "abc", "PORT"},
		{"port range", "PORT", "70000", "PORT"},
		{"url path", "PUBLIC_URL", "https://x.example/videos", "PUBLIC_URL"},
		{"url scheme", "PUBLIC_URL", "ftp://x.example", "PUBLIC_URL"},
		{"short password", "ADMIN_PASSWORD", "abc", "ADMIN_PASSWORD"},
		{"bool", "SIGNUP_ENABLED", "maybe", "SIGNUP_ENABLED"},
		{"quota", "USER_VIDEO_QUOTA", "-5", "quota"},
		{"log format", "LOG_FORMAT", "xml", "LOG_FORMAT"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := FromEnv(env(map[string]string{tc.key: tc.val}))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one naming %s", err, tc.want)
			}
		})
	}
}

func TestTranscodingSettings(t *testing.T) {
	c, err := FromEnv(env(map[string]string{"TRANSCODING_RESOLUTIONS": "360, 720", "TRANSCODING_CHUNK_SECONDS": "8", "TRANSCODE_WORKERS": "4"}))
	if err != nil || len(c.Resolutions) != 2 || c.Resolutions[1] != 720 || c.ChunkSeconds != 8 || c.TranscodeWorkers != 4 {
		t.Fatalf("got %v %v %v %v", c.Resolutions, c.ChunkSeconds, c.TranscodeWorkers, err)
	}
	for k, v := range map[string]string{"TRANSCODING_RESOLUTIONS": "700", "TRANSCODING_CHUNK_SECONDS": "10", "TRANSCODE_WORKERS": "0"} {
		if _, err := FromEnv(env(map[string]string{k: v})); err == nil || !strings.Contains(err.Error(), k) {
			t.Errorf("%s=%s: %v", k, v, err)
		}
	}
}

func TestFederationSettings(t *testing.T) {
	c, err := FromEnv(env(nil))
	if err != nil || c.InboxQueueURL != "" || c.DeliverQueueURL != "" || c.DeliverDLQURL != "" || c.KEKSecretARN != "" ||
		c.FederationAllowPrivate || c.FederationCAFile != "" {
		t.Fatalf("defaults: %+v %v", c, err)
	}
	c, err = FromEnv(env(map[string]string{
		"INBOX_QUEUE_URL":          "https://sqs.us-east-1.amazonaws.com/123456789012/inbox",
		"DELIVER_QUEUE_URL":        "https://sqs.us-east-1.amazonaws.com/123456789012/deliver",
		"DELIVER_DLQ_URL":          " https://sqs.us-east-1.amazonaws.com/123456789012/deliver-dead ",
		"KEK_SECRET_ARN":           "arn:aws:secretsmanager:us-east-1:123456789012:secret:kek-AbCdEf",
		"FEDERATION_ALLOW_PRIVATE": "true",
		"FEDERATION_CA_FILE":       "/etc/vidiverse/ca.pem",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.InboxQueueURL != "https://sqs.us-east-1.amazonaws.com/123456789012/inbox" ||
		c.DeliverQueueURL != "https://sqs.us-east-1.amazonaws.com/123456789012/deliver" ||
		c.DeliverDLQURL != "https://sqs.us-east-1.amazonaws.com/123456789012/deliver-dead" ||
		c.KEKSecretARN != "arn:aws:secretsmanager:us-east-1:123456789012:secret:kek-AbCdEf" ||
		!c.FederationAllowPrivate || c.FederationCAFile != "/etc/vidiverse/ca.pem" {
		t.Fatalf("got %+v", c)
	}
	for k, v := range map[string]string{
		"FEDERATION_ALLOW_PRIVATE": "sometimes",
		"INBOX_QUEUE_URL":          "inbox",
		"DELIVER_QUEUE_URL":        "sqs://deliver",
		"DELIVER_DLQ_URL":          "https://",
		"TRANSCODE_QUEUE_URL":      "/transcode",
	} {
		if _, err := FromEnv(env(map[string]string{k: v})); err == nil || !strings.Contains(err.Error(), k) {
			t.Errorf("%s=%s: %v", k, v, err)
		}
	}
}

func TestPeerToPeerSettings(t *testing.T) {
	c, err := FromEnv(env(nil))
	if err != nil || !c.SeedEnabled || c.SeedUploadRate != 0 || len(c.STUNServers) != 0 || c.WebAssetsDir != "" {
		t.Fatalf("defaults: %+v %v", c, err)
	}
	c, err = FromEnv(env(map[string]string{"SEED_ENABLED": "false", "SEED_UPLOAD_RATE": "1000000",
		"STUN_SERVERS": "stun:stun.example:3478, stun:stun2.example", "WEB_ASSETS_DIR": "/srv/player"}))
	if err != nil || c.SeedEnabled || c.SeedUploadRate != 1000000 || len(c.STUNServers) != 2 ||
		c.STUNServers[1] != "stun:stun2.example" || c.WebAssetsDir != "/srv/player" {
		t.Fatalf("got %+v %v", c, err)
	}
	if c.TrackerAnnounceLimit != 15 {
		t.Fatalf("tracker announce limit %d, want PeerTube's 15", c.TrackerAnnounceLimit)
	}
	if c, err := FromEnv(env(map[string]string{"TRACKER_ANNOUNCE_LIMIT": "0"})); err != nil || c.TrackerAnnounceLimit != 0 {
		t.Fatalf("TRACKER_ANNOUNCE_LIMIT=0: %+v %v", c.TrackerAnnounceLimit, err)
	}
	for k, v := range map[string]string{"SEED_ENABLED": "maybe", "SEED_UPLOAD_RATE": "-5", "STUN_SERVERS": "http://stun.example", "TRACKER_ANNOUNCE_LIMIT": "-1"} {
		if _, err := FromEnv(env(map[string]string{k: v})); err == nil || !strings.Contains(err.Error(), k) {
			t.Errorf("%s=%s: %v", k, v, err)
		}
	}
}
